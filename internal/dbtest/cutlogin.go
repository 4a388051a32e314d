package dbtest

import (
	"context"
	"database/sql"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/internal/wire"
)

// CutLogin plays a server that goes away after its greeting, before the
// login's answer, as one killed or shutting down at that moment does: it
// listens on network ("unix" or "tcp", on 127.0.0.1), and to each
// connection sends a MariaDB 10.11 greeting and closes it. It returns the
// address, and a channel that gets a value once each connection is
// closed. No real server can be made to die at exactly that point, so
// this is the one fault a socket plays.
func CutLogin(t testing.TB, network string) (addr string, closed <-chan struct{}) {
	t.Helper()
	addr = "127.0.0.1:0"
	if network == "unix" {
		addr = filepath.Join(t.TempDir(), "greets.sock")
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	done := make(chan struct{}, 64)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write(Greeting())
			c.Close()
			select {
			case done <- struct{}{}:
			default:
			}
		}
	}()
	return ln.Addr().String(), done
}

// CutLoginErr is the error go-sql-driver returns for a login that a server
// cuts short after its greeting (see CutLogin), over a unix socket: the
// driver's answer to the greeting is written only once the server has
// closed, so that its write fails, as when the server is gone first.
func CutLoginErr(t testing.TB) error {
	t.Helper()
	path, closed := CutLogin(t, "unix")
	cfg := mysql.NewConfig()
	cfg.Net, cfg.Addr, cfg.User = "unix", path, "app"
	cfg.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &afterClose{Conn: c, closed: closed}, nil
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = db.PingContext(ctx)
	if err == nil {
		t.Fatal("a login cut short after the greeting succeeded")
	}
	return err
}

// afterClose is a connection whose first write waits until the server
// end has closed.
type afterClose struct {
	net.Conn
	closed <-chan struct{}
	waited bool
}

func (c *afterClose) Write(p []byte) (int, error) {
	if !c.waited {
		c.waited = true
		select {
		case <-c.closed:
		case <-time.After(10 * time.Second):
		}
	}
	return c.Conn.Write(p)
}

// Greeting is a MariaDB 10.11 server's first packet, header included.
func Greeting() []byte {
	const caps = 0x81fff7ff // PROTOCOL_41, SECURE_CONNECTION, PLUGIN_AUTH and more
	p := wire.Greeting(caps, 0, []byte("abcdefghijklmnopqrst"))
	pkt := make([]byte, 4, 4+len(p))
	wire.PutHeader(pkt, len(p), 0)
	return append(pkt, p...)
}
