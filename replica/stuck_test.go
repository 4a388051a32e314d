package replica

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/topology"
)

// silentServer accepts connections and never answers, as a frozen server
// does: a client that connects waits for the greeting forever. It returns
// the address to dial on network.
func silentServer(t *testing.T, network string) string {
	t.Helper()
	var ln net.Listener
	var err error
	if network == "unix" {
		ln, err = net.Listen("unix", filepath.Join(t.TempDir(), "frozen.sock"))
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		for {
			select {
			case c := <-accepted:
				c.Close()
			default:
				return
			}
		}
	})
	return ln.Addr().String()
}

// eventually polls cond until it holds, failing t after 10s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// endedRead waits for the error of a read that end should have ended.
func endedRead(t *testing.T, read <-chan error, what string) {
	t.Helper()
	select {
	case err := <-read:
		if err == nil {
			t.Errorf("%s returned no error after it was ended", what)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("%s was not ended", what)
	}
}

// waitingConns is how many of the node's connections are blocked in a read
// or a write now.
func waitingConns(n *Node) int {
	n.stuck.mu.Lock()
	defer n.stuck.mu.Unlock()
	k := 0
	for c := range n.stuck.conns {
		if c.waiting.Load() != 0 {
			k++
		}
	}
	return k
}

// TestEndStuck: a statement stuck on a replica that stopped answering is
// ended by closing its connection, over every kind of connection a node
// gets; one on a primary is left to wait, and so is one that has not
// waited minAge yet.
func TestEndStuck(t *testing.T) {
	networks := []string{"tcp", "unix", "tcp+rawio", "unix+rawio"}
	if runtime.GOOS == "linux" {
		networks = append(networks, BlockingNet, RawNet)
	}
	for _, name := range networks {
		network, rawIO := strings.CutSuffix(name, "+rawio")
		for _, role := range []topology.Role{topology.Replica, topology.Primary} {
			t.Run(name+"/"+string(role), func(t *testing.T) {
				addr := silentServer(t, network)
				cfg := mysql.NewConfig()
				cfg.Net, cfg.Addr, cfg.User = network, addr, "scalelab"
				cfg.Timeout = 5 * time.Second
				nd, err := newNode(topology.Node{Name: "0/" + string(role), Addr: addr, Role: role}, cfg, PoolConfig{}, rawIO)
				if err != nil {
					t.Fatal(err)
				}
				defer nd.DB.Close()

				// The driver's liveness check needs the descriptor of a
				// connection that has one, and must not be offered one
				// that has none.
				c, err := nd.stuck.dial(context.Background(), network, addr)
				if err != nil {
					t.Fatal(err)
				}
				_, hasFD := c.(syscall.Conn)
				if wantFD := network == "tcp" || network == "unix"; hasFD != wantFD {
					t.Errorf("a %s connection offers its descriptor: %v, want %v", network, hasFD, wantFD)
				}
				c.Close()

				pinged := make(chan error, 1)
				go func() { pinged <- nd.DB.PingContext(context.Background()) }()
				eventually(t, "the ping to wait on the silent server", func() bool { return waitingConns(nd) > 0 })
				if n := nd.stuck.end(time.Hour, 0); n != 0 {
					t.Errorf("end(1h) closed %d connections that had waited less", n)
				}
				before := nd.Stuck()
				nd.endStuck(0)
				if role == topology.Primary {
					if nd.Stuck() != before {
						t.Error("a statement stuck on a primary was ended")
					}
					select {
					case err := <-pinged:
						t.Fatalf("the ping on the primary ended: %v", err)
					default:
					}
					return // the cleanup closes the server's side
				}
				if nd.Stuck() == before {
					t.Error("Stuck did not move after a stuck statement was ended")
				}
				select {
				case err := <-pinged:
					if err == nil || !IsConnError(err) {
						t.Errorf("the ended ping returned %v, want a connection error", err)
					}
				case <-time.After(10 * time.Second):
					t.Fatal("the stuck ping did not end after its connection was closed")
				}
				if k := waitingConns(nd); k != 0 {
					t.Errorf("%d connections still waiting", k)
				}
			})
		}
	}
}

// countingConn counts what is done to a real connection: its closes, and
// its shutdowns when it stands for a blocking one (shutter).
type countingConn struct {
	net.Conn
	closes, shutdowns int
}

func (c *countingConn) Close() error { c.closes++; return c.Conn.Close() }

type countingShutter struct{ *countingConn }

func (c countingShutter) Shutdown() error { c.shutdowns++; return nil }

// TestShutOnce: end shuts a blocking connection down without closing its
// descriptor, and closes any other; the driver's close that follows closes
// the descriptor exactly once, and is no error to log.
func TestShutOnce(t *testing.T) {
	addr := silentServer(t, "tcp")
	for _, blocking := range []bool{true, false} {
		raw, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		cc := &countingConn{Conn: raw}
		var s stuckConns
		tc := &trackedConn{Conn: cc, s: &s}
		if blocking {
			tc.Conn = countingShutter{cc}
		}
		s.conns = map[*trackedConn]struct{}{tc: {}}
		tc.waiting.Store(1) // as if blocked in a read since the epoch
		if n := s.end(0, 0); n != 1 {
			t.Fatalf("end shut %d connections, want 1", n)
		}
		wantCloses, wantShutdowns := 1, 0
		if blocking {
			wantCloses, wantShutdowns = 0, 1
		}
		if cc.closes != wantCloses || cc.shutdowns != wantShutdowns {
			t.Errorf("blocking %v: end closed %d times and shut %d, want %d and %d", blocking, cc.closes, cc.shutdowns, wantCloses, wantShutdowns)
		}
		if err := tc.Close(); err != nil {
			t.Errorf("blocking %v: the driver's close after end returned %v, want nil", blocking, err)
		}
		if err := tc.Close(); !errors.Is(err, net.ErrClosed) {
			t.Errorf("blocking %v: a second close returned %v, want net.ErrClosed", blocking, err)
		}
		if cc.closes != 1 {
			t.Errorf("blocking %v: the descriptor was closed %d times, want once", blocking, cc.closes)
		}
		if len(s.conns) != 0 {
			t.Errorf("blocking %v: %d connections still tracked after the close", blocking, len(s.conns))
		}
	}
}

// TestEndSparesAnswered: a connection whose read got its answer is not
// waiting, and end leaves it open however old it is; one blocked in a
// read is ended, and its read returns.
func TestEndSparesAnswered(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	served := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			c.Write([]byte("x")) // one answer, then silence
			served <- c
		}
	}()
	var s stuckConns
	c, err := s.dial(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	defer func() { (<-served).Close() }()
	buf := make([]byte, 1)
	if _, err := c.Read(buf); err != nil {
		t.Fatal(err)
	}
	if n := s.end(0, 0); n != 0 {
		t.Fatalf("end shut %d connections that had their answer", n)
	}
	read := make(chan error, 1)
	go func() { _, err := c.Read(buf); read <- err }()
	eventually(t, "the second read to wait and be ended", func() bool { return s.end(0, 0) > 0 })
	endedRead(t, read, "the blocked read")
}

// TestEndSparesDemotedPrimary: a connection made while the node was the
// primary waits for its answer after a failover made it a replica (a write
// in flight, or a transaction's COMMIT sent after the demotion); one made
// since is ended.
func TestEndSparesDemotedPrimary(t *testing.T) {
	addr := silentServer(t, "tcp")
	nd, err := newNode(topology.Node{Name: "0/primary", Addr: addr, Role: topology.Primary}, mysql.NewConfig(), PoolConfig{}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer nd.DB.Close()
	dial := func() net.Conn {
		c, err := nd.stuck.dial(context.Background(), "tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	block := func(c net.Conn) chan error {
		read := make(chan error, 1)
		before := waitingConns(nd)
		go func() { _, err := c.Read(make([]byte, 1)); read <- err }()
		eventually(t, "the read to wait", func() bool { return waitingConns(nd) > before })
		return read
	}
	inFlight := block(dial()) // a write waiting when the failover comes
	idle := dial()            // a transaction's connection, idle then
	nd.setRole(topology.Replica)
	commit := block(idle) // its COMMIT, sent after the demotion
	asReplica := block(dial())
	nd.endStuck(0)
	endedRead(t, asReplica, "the read on a connection made since the demotion")
	// Handed out again by the pool, an old connection fails the liveness
	// check, and the pool dials a new one; a new one passes.
	for _, tc := range []struct {
		c    net.Conn
		want error
	}{{idle, errRetired}, {dial(), nil}} {
		if _, err := tc.c.(syscall.Conn).SyscallConn(); !errors.Is(err, tc.want) {
			t.Errorf("the liveness check's descriptor: %v, want %v", err, tc.want)
		}
	}
	for what, read := range map[string]chan error{"the write in flight": inFlight, "the COMMIT sent after the demotion": commit} {
		select {
		case err := <-read:
			t.Errorf("%s, on a connection made while the node was the primary, was ended: %v", what, err)
		default:
		}
	}
}
