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

// CutLoginErr is the error go-sql-driver returns for a login that a server
// cuts short after its greeting, as one killed or shutting down at that
// moment does: a unix socket sends a MariaDB 10.11 greeting and closes,
// and the real driver pings it. No real server can be made to die at
// exactly that point, so this is the one fault a socket plays.
func CutLoginErr(t testing.TB) error {
	t.Helper()
	path := filepath.Join(t.TempDir(), "greets.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write(Greeting())
			c.Close()
		}
	}()
	cfg := mysql.NewConfig()
	cfg.Net, cfg.Addr, cfg.User = "unix", path, "app"
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

// Greeting is a MariaDB 10.11 server's first packet, header included.
func Greeting() []byte {
	const caps = 0x81fff7ff // PROTOCOL_41, SECURE_CONNECTION, PLUGIN_AUTH and more
	p := wire.Greeting(caps, 0, []byte("abcdefghijklmnopqrst"))
	pkt := make([]byte, 4, 4+len(p))
	wire.PutHeader(pkt, len(p), 0)
	return append(pkt, p...)
}
