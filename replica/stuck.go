package replica

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/scalelab/scalelab/internal/rawio"
)

// stuckConns tracks a node's connections, so that the statements stuck on
// a node found unresponsive can be ended by closing their connections.
//
// Ending them this way, rather than by cancelling each statement's
// context, keeps the cost of the common case at two atomic stores a read:
// a cancellable context costs every statement a goroutine in database/sql
// and two hand-offs to the driver's watcher, which was about a tenth of
// the proxy's CPU per point select.
type stuckConns struct {
	mu    sync.Mutex
	conns map[*trackedConn]struct{}
	// ended counts the times end shut connections.
	ended atomic.Uint64
	// raw makes the connections' reads and writes raw system calls
	// (Config.RawIO).
	raw bool
	// retireBefore, when set, returns a sinceEpoch time: an idle
	// connection made before it is retired when the pool hands it out
	// again (see sysConn.SyscallConn).
	retireBefore func() int64
}

// errRetired is the liveness check's answer for a connection retired
// because the node was a primary when it was made.
var errRetired = errors.New("replica: connection made while the node was the primary; a new one replaces it")

// epoch is the zero of the times trackedConn stores: monotonic, and never
// 0 after it, so 0 can mean "not waiting".
var epoch = time.Now()

func sinceEpoch() int64 { return int64(time.Since(epoch)) + 1 }

// trackedConn is a connection to a node that records when the read or
// write it is blocked in began.
type trackedConn struct {
	net.Conn
	s *stuckConns
	// dialed is sinceEpoch when the connection was made.
	dialed int64
	// waiting is sinceEpoch at the start of the I/O call in progress, 0
	// when there is none.
	waiting atomic.Int64
	// mu orders end's shutdown with the driver's close, and closed
	// makes that close happen once: a blocking connection's descriptor
	// closed twice, or shut down after its close, could hit another socket
	// that took its number.
	mu     sync.Mutex
	closed bool
	// ended is set when end shut the connection; the driver's first
	// close after it is then no error to log.
	ended bool
	// raw, when hasRaw, does the reads and writes (see Node.DialRaw).
	raw    rawio.Conn
	hasRaw bool
	// tail follows the packets read, on a pool's connection (see
	// Warnings), and owner is the driver's connection over it; both are
	// set once, under mu, unless the connection was closed.
	tail  *packetTail
	owner any
}

func (c *trackedConn) Read(p []byte) (n int, err error) {
	c.waiting.Store(sinceEpoch())
	if c.hasRaw {
		n, err = c.raw.Read(p)
	} else {
		n, err = c.Conn.Read(p)
	}
	c.waiting.Store(0)
	if c.tail != nil && n > 0 {
		c.tail.feed(p[:n])
	}
	return n, err
}

func (c *trackedConn) Write(p []byte) (n int, err error) {
	c.waiting.Store(sinceEpoch())
	if c.hasRaw {
		n, err = c.raw.Write(p)
	} else {
		n, err = c.Conn.Write(p)
	}
	c.waiting.Store(0)
	return n, err
}

// WriteRead writes w and reads the answer into p, tracked as a read:
// with raw I/O, without a read before the answer is there (see
// rawio.Conn.WriteRead).
func (c *trackedConn) WriteRead(w, p []byte) (n int, err error) {
	if !c.hasRaw {
		if _, err := c.Write(w); err != nil {
			return 0, err
		}
		return c.Read(p)
	}
	c.waiting.Store(sinceEpoch())
	n, err = c.raw.WriteRead(w, p)
	c.waiting.Store(0)
	return n, err
}

func (c *trackedConn) Close() error {
	c.s.forget(c)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.owner != nil {
		pooled.Delete(c.owner)
	}
	ended := c.ended
	c.ended = false
	if c.closed {
		if ended {
			return nil // end closed it
		}
		return net.ErrClosed
	}
	c.closed = true
	err := c.Conn.Close()
	if ended {
		return nil
	}
	return err
}

// Retired reports whether the connection was made while its node was
// the primary and the node is a replica now (see sysConn.SyscallConn).
func (c *trackedConn) Retired() bool {
	f := c.s.retireBefore
	return f != nil && c.dialed < f()
}

// shutter is a connection that can be shut without closing its
// descriptor (blockingConn): its blocked read returns, and the number
// stays its own until the driver closes it.
type shutter interface{ Shutdown() error }

// shut ends the I/O blocked on c: it shuts a blocking connection down, and
// closes any other (Go's own connections keep their descriptor until their
// last call returns).
func (c *trackedConn) shut() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.ended = true
	if sh, ok := c.Conn.(shutter); ok {
		sh.Shutdown()
		return
	}
	c.closed = true
	c.Conn.Close()
}

// sysConn is a trackedConn over a connection with a file descriptor: the
// driver's liveness check reads it without blocking (CheckConnLiveness).
type sysConn struct{ *trackedConn }

// SyscallConn gives the liveness check the descriptor. A connection made
// while the node was the primary fails that check once the node is a
// replica: the pool closes it and dials another, before any
// statement is sent on it, so that every connection serving the replica
// can be ended if the replica freezes (end spares those older ones). One
// checked out already, a transaction's, is not checked again.
func (c sysConn) SyscallConn() (syscall.RawConn, error) {
	if c.Retired() {
		return nil, errRetired
	}
	return c.trackedConn.Conn.(syscall.Conn).SyscallConn()
}

// dial is the driver's DialFunc for a node: the connection it would have
// made for network, tracked.
func (s *stuckConns) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := Dial(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, s: s, dialed: sinceEpoch()}
	if s.raw {
		tc.raw, tc.hasRaw = rawio.New(c)
	}
	if into, ok := ctx.Value(dialedKey{}).(**trackedConn); ok {
		*into = tc
	}
	s.mu.Lock()
	if s.conns == nil {
		s.conns = map[*trackedConn]struct{}{}
	}
	s.conns[tc] = struct{}{}
	s.mu.Unlock()
	if _, ok := c.(syscall.Conn); ok {
		return sysConn{tc}, nil
	}
	return tc, nil
}

func (s *stuckConns) forget(c *trackedConn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// end shuts every connection made at or after dialedSince (a sinceEpoch
// time; 0 for any) that is blocked in a read or a write begun at least
// minAge ago, and reports how many it shut. The statements on them fail
// with a connection error (the driver's "invalid connection").
func (s *stuckConns) end(minAge time.Duration, dialedSince int64) int {
	now := sinceEpoch()
	var stuck []*trackedConn
	s.mu.Lock()
	for c := range s.conns {
		if w := c.waiting.Load(); w != 0 && c.dialed >= dialedSince && time.Duration(now-w) >= minAge {
			stuck = append(stuck, c)
		}
	}
	s.mu.Unlock()
	if len(stuck) == 0 {
		return 0
	}
	// Counted before the shut, so that a statement that fails from it
	// sees the new count (Node.Stuck).
	s.ended.Add(1)
	for _, c := range stuck {
		c.shut()
	}
	return len(stuck)
}

// Dial makes the connection go-sql-driver would make for network (a
// mysql.Config's Net): a blocking one for BlockingNet and RawNet, Go's own
// otherwise. A mysql.Config.DialFunc that wraps connections calls it.
func Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if c, ok, err := dialBlockingNet(ctx, network, addr); ok {
		return c, err
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

func (c *trackedConn) tracked() *trackedConn { return c }
