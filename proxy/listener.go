package proxy

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scalelab/scalelab/internal/rawio"
	"github.com/scalelab/scalelab/internal/wire"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
	vtmysql "vitess.io/vitess/go/mysql"
	"vitess.io/vitess/go/mysql/sqlerror"
)

// listener wraps the TCP listener the protocol library accepts from. It
// enforces MaxConnections before the handshake, keeps accepting through
// transient errors (the library's accept loop stops at the first error),
// and tracks every client connection so Shutdown can drain them.
type listener struct {
	net.Listener
	s *Server

	mu    sync.Mutex
	conns map[*clientConn]struct{}
	done  chan struct{} // closed when the last tracked connection closes after drain
}

func newListener(l net.Listener, s *Server) *listener {
	return &listener{Listener: l, s: s, conns: map[*clientConn]struct{}{}}
}

func (l *listener) Accept() (net.Conn, error) {
	var backoff time.Duration
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && !errors.Is(err, net.ErrClosed) {
				// Out of file descriptors and the like: wait, then go on
				// serving, as net/http does.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				l.s.cfg.Logf("proxy: accept: %v; retrying in %v", err, backoff)
				time.Sleep(backoff)
				continue
			}
			return nil, err
		}
		backoff = 0
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetNoDelay(true)
		}
		if cc := l.admit(c); cc != nil {
			return cc, nil
		}
	}
}

// admit tracks c, or refuses it with 1040 when the limit is reached.
func (l *listener) admit(c net.Conn) *clientConn {
	l.mu.Lock()
	max := l.s.cfg.MaxConnections
	if max > 0 && len(l.conns) >= max {
		l.mu.Unlock()
		e := errTooManyConnections(max)
		c.SetWriteDeadline(time.Now().Add(time.Second))
		c.Write(errorPacket(e, 0))
		c.Close()
		l.s.metrics.rejected.WithLabelValues("max_connections").Inc()
		l.s.cfg.Logf("proxy: refused %s: %s", c.RemoteAddr(), describe(e))
		return nil
	}
	cc := &clientConn{Conn: c, l: l, idle: l.s.cfg.IdleTimeout, readTimeout: l.s.cfg.ReadTimeout}
	cc.raw, cc.hasRaw = rawio.New(c)
	if t := l.s.cfg.LoginTimeout; t > 0 {
		cc.loginBy = time.Now().Add(t)
	}
	l.conns[cc] = struct{}{}
	l.mu.Unlock()
	l.s.metrics.open.Inc()
	l.s.metrics.accepted.Inc()
	return cc
}

func (l *listener) forget(c *clientConn) {
	l.mu.Lock()
	delete(l.conns, c)
	if len(l.conns) == 0 && l.done != nil {
		close(l.done)
		l.done = nil
	}
	l.mu.Unlock()
	l.s.metrics.open.Dec()
}

// open is the number of client connections.
func (l *listener) open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns)
}

// drain wakes every connection that waits for a command, so that it sends
// the shutdown error and closes; busy ones close after their statement.
// The returned channel closes when no connection is left.
func (l *listener) drain() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	done := make(chan struct{})
	if len(l.conns) == 0 {
		close(done)
		return done
	}
	l.done = done
	for c := range l.conns {
		c.Conn.SetReadDeadline(time.Now())
	}
	return done
}

// closeAll closes every connection at once (forced shutdown).
func (l *listener) closeAll() {
	l.mu.Lock()
	conns := make([]*clientConn, 0, len(l.conns))
	for c := range l.conns {
		conns = append(conns, c)
	}
	l.mu.Unlock()
	for _, c := range conns {
		c.shut()
	}
}

// shut closes the connection from another goroutine. A connection whose
// statement the relay is answering is held by the poller's wait
// (rawio.Conn.Serve) until the answer is sent, and Close waits for that:
// the client is told at once, by shutting the write side, and the close is
// left to run.
func (c *clientConn) shut() {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	go c.Conn.Close()
}

// clientConn is one client's socket. The protocol library only reads from
// it while it waits for the client (between commands, or during the
// handshake), with every response already flushed, so Read is where the
// idle timeout and the drain act, and where an error packet can be written
// without interleaving with a response.
type clientConn struct {
	net.Conn
	l *listener
	// stmtCtx is the context of the connection's statements on the full
	// path: the server's, with the check of its client (see exec).
	stmtCtx context.Context
	// idle and readTimeout are the server's IdleTimeout and ReadTimeout
	// (zero: none).
	idle, readTimeout time.Duration
	// okWarnings is the warning count the protocol library's next OK
	// packet carries in place of its 0 (it asks WarningCount for a text
	// statement's, not for a prepared statement's execution).
	okWarnings uint16
	// okInfo is the info (see router.Result.Info) that the protocol
	// library's next OK packet carries in place of its "", when it is
	// written alone (see withOKInfo).
	okInfo string
	// loginBy is when a client that has not logged in is cut off (zero:
	// never); loggedIn is set once it has.
	loginBy  time.Time
	loggedIn atomic.Bool
	closed   atomic.Bool
	// killed is set by a KILL of the connection (see kill.go): its next
	// read ends it. ready, id and user, set under l.mu when its login is
	// accepted (see accepted), are what a KILL finds it by.
	killed atomic.Bool
	ready  bool
	id     uint32
	user   string
	sniff  sniffer
	// deadline is the read deadline last set: a client without an idle
	// timeout, logged in, reads with none, and setting none again before
	// every command would cost each a trip through the runtime's timers.
	// deadlineFor is the timeout it is (see arm).
	deadline    time.Time
	deadlineFor timeoutKind

	// Once the client has logged in, Read frames its packets, so that a
	// COM_QUERY the relay takes never reaches the protocol library (see
	// relay.go). vc is the library's connection, set when it is made.
	vc *vtmysql.Conn
	// in holds bytes read from the client and not yet handed on, in
	// rbuf.
	in, rbuf []byte
	// pass is how many bytes of the packet being handed to the library
	// are left; cont is set when that packet has the maximum length, so
	// the next one continues it.
	pass int
	cont bool
	// raw does the socket's reads and writes without the runtime's
	// system call hand-offs (see rawio), when hasRaw.
	raw    rawio.Conn
	hasRaw bool
	// read, drained, answered, stepFn and stepErr are frame's (see
	// step): the read of the poller's wait, set while step runs; whether
	// its last read took all the bytes the socket held; whether the
	// client was written to since that read (see fill); step as a
	// function, made once; and what ended it.
	read     func([]byte) (int, error)
	drained  bool
	answered bool
	stepFn   func(func([]byte) (int, error)) bool
	stepErr  error
	// packetBuf and outBuf are reused by the relay, as are run, the
	// relayed statement, and runOn, its run.on.
	packetBuf, outBuf []byte
	run               relayRun
	runOn             func(ctx context.Context, node *replica.Node) error
	// argsBuf holds an execution's parameters (execArgs), reused.
	argsBuf []any
	// skip counts the client's bytes still to drop, of a packet dropped
	// (dropping: a COM_STMT_SEND_LONG_DATA the server would not keep, see
	// dropLongData, with its packets that follow, for one of 16 MiB).
	skip     int
	dropping bool
	// refused is the server's error for the COM_STMT_EXECUTE being
	// dropped (see checkExecute), written once its last packet is read.
	refused *sqlerror.SQLError
	// lastPrepared is the id the last COM_STMT_PREPARE gives its
	// statement if it succeeds, noted before the prepare runs: the last
	// prepared statement when the protocol library holds a statement of
	// that id (see lastStmtID and stmtOf).
	lastPrepared uint32
	// declined is the classification of the COM_QUERY the relay declined
	// last, for the library's path to run it without classifying again.
	declined *router.Statement
	// changing is the COM_CHANGE_USER whose answer to the proxy's
	// scramble is the client's next packet (see changeuser.go), and
	// changeFailures how many of the connection's were refused.
	changing       *changeUser
	changeFailures int
	// greeted is set once the greeting is written (see greeting.go).
	greeted bool
}

// Read hands the protocol library the client's bytes. After login it
// hands them a packet at a time, relays the COM_QUERY packets the relay
// takes itself, and answers COM_STMT_RESET, COM_RESET_CONNECTION,
// COM_CHANGE_USER, COM_PROCESS_KILL and COM_STATISTICS (see resetStmt,
// resetConnection, changeuser.go and admin.go): the library
// reads a command only when it has answered the last one, so a packet
// boundary is where no response is pending. With the relay off too, so
// that what the proxy watches of a packet (the sniffer) is seen after
// the library has handled the one before.
func (c *clientConn) Read(p []byte) (int, error) {
	if c.killed.Load() {
		return 0, io.EOF
	}
	if c.vc == nil || !c.loggedIn.Load() {
		if len(c.in) > 0 {
			return c.handOn(p, len(c.in)), nil
		}
		n, err := c.readSocket(p)
		c.sniff.feed(p[:n])
		return n, err
	}
	if c.pass == 0 {
		if err := c.frame(); err != nil {
			return 0, err
		}
	}
	if len(c.in) == 0 {
		n, err := c.readSocket(p[:min(len(p), c.pass)])
		c.pass -= n
		c.sniff.feed(p[:n])
		return n, err
	}
	return c.handOn(p, c.pass), nil
}

// frame reads the client's packets until one is for the library (c.pass
// set), relaying on the way those the relay takes.
//
// With raw I/O it runs inside one wait of the poller (rawio.Conn.Serve),
// so that after an answer it waits for the client's next request without
// first reading, and finding nothing, when its last read took all the
// socket held: a system call a statement. A client that sent its next
// request before this answer (a pipelined one) is not missed: its bytes
// were either in that read or brought readiness that ends the wait. Nor
// is the close of one that closed as it sent its request (see fill).
func (c *clientConn) frame() error {
	if !c.hasRaw {
		return c.packets()
	}
	if err := c.arm(); err != nil {
		return err
	}
	if c.stepFn == nil {
		c.stepFn = c.step
	}
	c.stepErr = nil
	if err := c.raw.Serve(c.stepFn); err != nil {
		return c.readFailed(err)
	}
	return c.stepErr
}

// step is frame's turn inside the poller's wait: it frames what the
// client sent, and asks to wait when that is not a whole packet yet.
func (c *clientConn) step(read func([]byte) (int, error)) bool {
	c.read, c.drained = read, false
	err := c.packets()
	c.read = nil
	if errors.Is(err, rawio.ErrWouldBlock) {
		// The idle deadline, or the read timeout's in the middle of a
		// packet, counts from now, as a read's would.
		if err := c.arm(); err != nil {
			c.stepErr = err
			return true
		}
		return false
	}
	c.stepErr = err
	return true
}

// packets frames the client's packets as frame says. With c.read set (in
// step) it returns rawio.ErrWouldBlock when it needs bytes not sent yet,
// and starts over when called again: c.cont changes only once a packet
// is whole.
func (c *clientConn) packets() error {
	for c.pass == 0 {
		if c.skip > 0 {
			if err := c.want(1); err != nil {
				return err
			}
			k := min(c.skip, len(c.in))
			c.in, c.skip = c.in[k:], c.skip-k
			continue
		}
		if err := c.want(4); err != nil {
			return err
		}
		n := int(c.in[0]) | int(c.in[1])<<8 | int(c.in[2])<<16
		if n > 0 {
			if err := c.want(5); err != nil {
				return err
			}
		}
		if !c.cont && n > 0 && c.in[3] == 0 && c.in[4] == comSetOption && n <= 16 {
			if err := c.want(4 + n); err != nil {
				return err
			}
			if n != 3 || c.in[5] > 1 || c.in[6] != 0 {
				// An option the server does not know (it knows multi
				// statements on, 0, and off, 1) gets one ERR, as from
				// the server; the protocol library sent an ERR and then
				// an EOF, which the client read as the answer to its
				// next command.
				if err := c.writeError(sqlerror.NewSQLError(sqlerror.ERUnknownComError, sqlerror.SSNetError, "Unknown command"), 1); err != nil {
					return err
				}
				c.in = c.in[4+n:]
				continue
			}
		}
		if !c.cont && n > 0 && c.in[3] == 0 && c.in[4] >= comStmtPrepare && c.in[4] <= comStmtReset {
			if err := c.stmtCommand(n); err != nil {
				return err
			}
		}
		if !c.cont && n > 0 && c.in[4] == comStmtSendLongData && c.in[3] == 0 {
			if err := c.want(4 + min(n, longDataHeader)); err != nil {
				return err
			}
			c.dropping = c.dropLongData(c.in[4 : 4+min(n, longDataHeader)])
		}
		if c.dropping {
			// The packet, or the rest of a long one, goes unread; a
			// refused execution is answered after its last packet's
			// sequence number.
			c.skip, c.cont = 4+n, n == wire.MaxPayload
			c.dropping = c.cont
			if se := c.refused; se != nil && !c.cont {
				c.refused = nil
				if err := c.writeError(se, c.in[3]+1); err != nil {
					return err
				}
			}
			continue
		}
		if c.changing != nil {
			// The answer to a COM_CHANGE_USER's scramble.
			if n > maxAuthAnswer {
				return fmt.Errorf("proxy: an answer of %d bytes to the scramble of COM_CHANGE_USER", n)
			}
			if err := c.want(4 + n); err != nil {
				return err
			}
			if err := c.finishChangeUser(c.in[4 : 4+n]); err != nil {
				return err
			}
			c.in = c.in[4+n:]
			continue
		}
		// The packets the proxy may answer itself, read whole.
		limit := maxRelayQuery
		if n > 0 && c.in[4] == comChangeUser {
			limit = maxChangeUser
		}
		take := !c.cont && n > 0 && (c.in[4] == comQuery || c.in[4] == comStmtExecute || c.in[4] == comStmtReset || c.in[4] == comResetConnection || c.in[4] == comChangeUser || adminCommand(c.in[4])) && c.in[3] == 0 && n <= limit
		if take {
			if err := c.want(4 + n); err != nil {
				return err
			}
		}
		c.cont = n == wire.MaxPayload
		if take && (c.in[4] == comChangeUser || adminCommand(c.in[4])) {
			var err error
			switch c.in[4] {
			case comChangeUser:
				err = c.startChangeUser(c.in[4 : 4+n])
			case comProcessKill:
				err = c.processKill(c.in[4 : 4+n])
			default:
				err = c.statistics()
			}
			if err != nil {
				return err
			}
			c.in = c.in[4+n:]
			continue
		}
		if take && (c.in[4] == comStmtReset || c.in[4] == comResetConnection) {
			var err error
			if c.in[4] == comStmtReset {
				err = c.resetStmt(c.in[4 : 4+n])
			} else {
				err = c.resetConnection()
			}
			if err != nil {
				return err
			}
			c.in = c.in[4+n:]
			continue
		}
		if take {
			var handled bool
			var err error
			if c.in[4] == comQuery {
				handled, err = c.relay(c.in[5 : 4+n])
			} else {
				handled, err = c.relayExecute(c.in[4 : 4+n])
			}
			if err != nil {
				return err
			}
			if handled {
				c.in = c.in[4+n:]
				continue
			}
		}
		c.pass = 4 + n
	}
	return nil
}

// want reads until in holds n bytes.
func (c *clientConn) want(n int) error {
	for len(c.in) < n {
		if err := c.fill(); err != nil {
			return err
		}
	}
	return nil
}

// handOn copies up to limit bytes of in to p, for the library.
func (c *clientConn) handOn(p []byte, limit int) int {
	n := copy(p, c.in[:min(len(c.in), limit)])
	c.in = c.in[n:]
	c.pass = max(c.pass-n, 0)
	c.sniff.feed(p[:n])
	return n
}

// fill reads more of the client's bytes into in, which lies in rbuf: in
// step, with its read; elsewhere with readSocket.
//
// In step, it does not read (rawio.ErrWouldBlock) when the last read took
// all the bytes there were and the client has been answered since. A
// short read leaves behind it the end of the stream of a client that
// closed as it sent them (the close's readiness came with the bytes', and
// only the next read returns io.EOF); the answer brings that client's
// system's reset, and with it readiness, which ends the wait. With no
// answer since (a packet still incomplete, a dropped one), nothing
// would: fill reads again, until there is nothing (ErrWouldBlock) or the
// end. Whole requests, each answered, cost no read that finds nothing.
// (A client that shut only its sending side takes the answer without a
// reset: its end is seen at the idle timeout, or in the middle of a
// packet at the read timeout.)
func (c *clientConn) fill() error {
	switch {
	case c.rbuf == nil:
		c.rbuf = make([]byte, 16<<10)
		c.in = c.rbuf[:0]
	case len(c.in) == 0:
		c.in = c.rbuf[:0]
	case cap(c.in) == len(c.in): // no room after the bytes held
		if len(c.in) > len(c.rbuf)/2 {
			c.rbuf = make([]byte, 2*len(c.rbuf))
		}
		c.in = c.rbuf[:copy(c.rbuf, c.in)]
	}
	room := c.in[len(c.in):cap(c.in)]
	var n int
	var err error
	switch {
	case c.read == nil:
		n, err = c.readSocket(room)
	case c.drained && c.answered:
		return rawio.ErrWouldBlock
	case c.l.s.draining.Load():
		// As readSocket: requests that wait behind a drain's start are
		// refused, not relayed.
		c.say(errShutdown)
		return io.EOF
	default:
		n, err = c.read(room)
		c.drained, c.answered = err == nil && n < len(room), false
	}
	c.in = c.in[:len(c.in)+n]
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// readSocket reads from the client with the login, idle and read
// deadlines, and answers a timeout or a drain with the error packet that
// says why.
func (c *clientConn) readSocket(p []byte) (int, error) {
	err := c.arm()
	if err != nil {
		return 0, err
	}
	var n int
	if c.hasRaw {
		n, err = c.raw.Read(p)
	} else {
		n, err = c.Conn.Read(p)
	}
	if err == nil {
		return n, nil
	}
	return n, c.readFailed(err)
}

// timeoutKind is which timeout a read deadline is.
type timeoutKind uint8

const (
	noTimeout timeoutKind = iota
	loginTimeout
	idleTimeout
	packetTimeout // the read timeout, in the middle of a packet
)

// arm sets the read deadline of the next read, and deadlineFor. When the
// proxy drains, it tells the client so and returns io.EOF.
func (c *clientConn) arm() error {
	if c.l.s.draining.Load() {
		c.say(errShutdown)
		return io.EOF
	}
	// The handshake has one deadline in all, however slowly the client
	// trickles bytes, as MySQL's connect_timeout; the idle timeout applies
	// too, whichever comes first, and in the middle of a packet the read
	// timeout (each wait for more of it, as a server's net_read_timeout).
	var deadline, now time.Time
	kind := noTimeout
	if c.idle > 0 {
		now = time.Now()
		deadline, kind = now.Add(c.idle), idleTimeout
	}
	if c.readTimeout > 0 && c.midPacket() {
		if now.IsZero() {
			now = time.Now()
		}
		if d := now.Add(c.readTimeout); deadline.IsZero() || d.Before(deadline) {
			deadline, kind = d, packetTimeout
		}
	}
	if !c.loginBy.IsZero() && !c.loggedIn.Load() && (deadline.IsZero() || c.loginBy.Before(deadline)) {
		deadline, kind = c.loginBy, loginTimeout
	}
	if !deadline.Equal(c.deadline) {
		c.Conn.SetReadDeadline(deadline)
		c.deadline = deadline
	}
	c.deadlineFor = kind
	return nil
}

// midPacket reports whether the client, logged in, has sent part of a
// packet (or of a command's packets, one of the maximum length sent)
// whose rest the proxy waits for.
func (c *clientConn) midPacket() bool {
	return (len(c.in) > 0 || c.pass > 0 || c.skip > 0 || c.cont) && c.loggedIn.Load()
}

// readFailed answers a read's timeout, or a drain's, with the error
// packet that says why, and gives io.EOF for it; other errors are
// returned as they are.
func (c *clientConn) readFailed(err error) error {
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		return err
	}
	switch {
	case c.l.s.draining.Load():
		c.say(errShutdown)
	case c.deadlineFor == packetTimeout:
		e := errReadTimeout(c.readTimeout)
		c.say(e)
		c.l.s.metrics.rejected.WithLabelValues("read_timeout").Inc()
		c.l.s.cfg.Logf("proxy: closed %s: %s", c.RemoteAddr(), describe(e))
	case c.deadlineFor == loginTimeout:
		e := errLoginTimeout(c.l.s.cfg.LoginTimeout)
		c.say(e)
		c.l.s.metrics.rejected.WithLabelValues("login_timeout").Inc()
		c.l.s.cfg.Logf("proxy: closed %s: %s", c.RemoteAddr(), describe(e))
	case c.deadlineFor == idleTimeout:
		e := errIdle(c.idle)
		c.say(e)
		c.l.s.metrics.rejected.WithLabelValues("idle_timeout").Inc()
		c.l.s.cfg.Logf("proxy: closed %s: %s", c.RemoteAddr(), describe(e))
	}
	return io.EOF
}

// Write sends the protocol library's and the relay's bytes to the client.
func (c *clientConn) Write(p []byte) (int, error) {
	if !c.greeted {
		// The protocol library's first write is its greeting.
		c.greeted = true
		if q, own := c.l.s.greeting(p); own {
			n, err := c.write(q)
			return min(n, len(p)), err
		}
	}
	if c.okWarnings != 0 {
		setOKWarnings(p, c.okWarnings)
		c.okWarnings = 0
	}
	if c.okInfo != "" {
		info := c.okInfo
		c.okInfo = ""
		if q, ok := withOKInfo(p, info); ok {
			n, err := c.write(q)
			if n == len(q) {
				n = len(p)
			}
			return min(n, len(p)), err
		}
	}
	return c.write(p)
}

// withOKInfo is p, when it is one whole OK packet without info, with
// info in it after its warnings, as a length-encoded string, as MySQL and
// MariaDB servers write it (and their clients read it). A write of more
// than one packet (the OK packets of a text of several statements,
// written together) is left as it is: which of them info is for is not
// known there.
func withOKInfo(p []byte, info string) ([]byte, bool) {
	if len(p) < 5 || p[4] != 0x00 {
		return nil, false
	}
	n := int(p[0]) | int(p[1])<<8 | int(p[2])<<16
	if 4+n != len(p) {
		return nil, false
	}
	ok := p[4:]
	at, found := wire.OKWarningsAt(ok)
	if !found || len(ok) != at+2 || at+2+9+len(info) >= wire.MaxPayload {
		return nil, false
	}
	out := make([]byte, 4, 4+at+2+9+len(info))
	out = append(out, ok...)
	out = wire.AppendLenencString(out, info)
	wire.PutHeader(out, len(out)-4, p[3])
	return out, true
}

// setOKWarnings writes warnings into the OK packet that p starts with;
// p is left as it is when it starts with another packet.
func setOKWarnings(p []byte, warnings uint16) {
	if len(p) < 5 || p[4] != 0x00 {
		return
	}
	n := int(p[0]) | int(p[1])<<8 | int(p[2])<<16
	ok := p[4:min(len(p), 4+n)]
	if at, found := wire.OKWarningsAt(ok); found {
		binary.LittleEndian.PutUint16(ok[at:], warnings)
	}
}

func (c *clientConn) write(p []byte) (int, error) {
	c.answered = true
	if c.hasRaw {
		return c.raw.Write(p)
	}
	return c.Conn.Write(p)
}

// say writes an unsolicited error packet, the way MySQL tells a client why
// it is being disconnected.
func (c *clientConn) say(e *sqlerror.SQLError) {
	c.Conn.SetWriteDeadline(time.Now().Add(time.Second))
	c.Conn.Write(errorPacket(e, 0))
}

func (c *clientConn) Close() error {
	if !c.closed.CompareAndSwap(false, true) {
		return nil
	}
	err := c.Conn.Close()
	c.l.forget(c)
	return err
}
