package replica

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"runtime"
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
	networks := []string{"tcp", "unix"}
	if runtime.GOOS == "linux" {
		networks = append(networks, BlockingNet, RawNet)
	}
	for _, network := range networks {
		for _, role := range []topology.Role{topology.Replica, topology.Primary} {
			t.Run(network+"/"+string(role), func(t *testing.T) {
				addr := silentServer(t, network)
				cfg := mysql.NewConfig()
				cfg.Net, cfg.Addr, cfg.User = network, addr, "scalelab"
				cfg.Timeout = 5 * time.Second
				nd, err := newNode(topology.Node{Name: "0/" + string(role), Addr: addr, Role: role}, cfg, PoolConfig{})
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
				deadline := time.Now().Add(10 * time.Second)
				for waitingConns(nd) == 0 {
					if time.Now().After(deadline) {
						t.Fatal("the ping never waited on the silent server")
					}
					time.Sleep(5 * time.Millisecond)
				}
				if n := nd.stuck.end(time.Hour); n != 0 {
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

// TestTrackedConnClosesOnce: a connection that end closed, then the driver
// closes again, closes its descriptor once.
func TestTrackedConnClosesOnce(t *testing.T) {
	addr := silentServer(t, "tcp")
	var s stuckConns
	c, err := s.dial(context.Background(), "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	tc := c.(sysConn).trackedConn
	tc.waiting.Store(1) // as if blocked in a read since the epoch
	if n := s.end(0); n != 1 {
		t.Fatalf("end closed %d connections, want 1", n)
	}
	if err := c.Close(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("the second close returned %v, want net.ErrClosed (no second close of the descriptor)", err)
	}
	if len(s.conns) != 0 {
		t.Errorf("%d connections still tracked after the close", len(s.conns))
	}
}
