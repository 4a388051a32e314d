package proxy_test

import (
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scalelab/scalelab/proxy"
)

// TestLoginTimeout: sockets that never log in are closed after the login
// timeout, so that they cannot hold every --max-connections slot and lock
// real clients out.
func TestLoginTimeout(t *testing.T) {
	const slots = 3
	f := startProxy(t, proxy.Config{MaxConnections: slots, LoginTimeout: 300 * time.Millisecond}, quiet())
	addr := net.JoinHostPort(f.host, strconv.Itoa(f.port))
	var silent []net.Conn
	for i := 0; i < slots; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		silent = append(silent, c)
	}
	waitFor(t, "the silent sockets to take every slot", 10*time.Second, func() bool { return f.srv.Connections() == slots })
	// Each silent socket gets the handshake, then error 1043 naming the
	// flag, then EOF.
	for _, c := range silent {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		b, err := io.ReadAll(c)
		if err != nil {
			t.Fatalf("silent socket: %v after % x", err, b)
		}
		if !strings.Contains(string(b), "--login-timeout") {
			t.Errorf("silent socket got % x, want error 1043 naming --login-timeout", b)
		}
	}
	waitFor(t, "the slots to free", 10*time.Second, func() bool { return f.srv.Connections() == 0 })
	db := f.open(t, nil)
	if err := db.PingContext(context.Background()); err != nil {
		t.Fatalf("a real client after the silent ones: %v", err)
	}
}

// TestMaxQueryBytes: a statement longer than the limit is refused with
// 1153 before it is parsed, and the connection stays usable.
func TestMaxQueryBytes(t *testing.T) {
	f := startProxy(t, proxy.Config{MaxQueryBytes: 4096}, quiet())
	db := f.open(t, nil)
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	long := "SELECT COUNT(*) FROM kvs WHERE id = 1" + strings.Repeat(" OR id = 1", 1000)
	_, err := db.ExecContext(ctx, long)
	if mysqlErrNum(err) != 1153 || !strings.Contains(err.Error(), "--max-query-bytes") {
		t.Fatalf("got %v, want error 1153 naming --max-query-bytes", err)
	}
	var one int
	if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("after the refusal: %d, %v", one, err)
	}
}
