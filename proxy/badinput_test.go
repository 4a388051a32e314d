package proxy_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/proxy"
	vtmysql "vitess.io/vitess/go/mysql"
)

// rawConn logs in with Vitess's client and returns the socket under it,
// for writing packets no well-behaved client would send.
func (f *fixture) rawConn(t *testing.T) net.Conn {
	t.Helper()
	return f.vtConn(t).GetRawConn()
}

// vtConn logs in with Vitess's client; its socket closes when t ends.
func (f *fixture) vtConn(t *testing.T) *vtmysql.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := vtmysql.Connect(ctx, &vtmysql.ConnParams{Host: f.host, Port: f.port, Uname: f.topo.User.Name, Pass: f.topo.User.Password, DbName: f.topo.DatabaseName(), Charset: 45}) // utf8mb4_general_ci, as go-sql-driver
	if err != nil {
		t.Fatal(err)
	}
	raw := c.GetRawConn()
	t.Cleanup(func() { raw.Close() })
	return c
}

func packet(seq byte, payload ...byte) []byte {
	n := len(payload)
	return append([]byte{byte(n), byte(n >> 8), byte(n >> 16), seq}, payload...)
}

// healthy checks that a fresh, well-behaved client is served.
func healthy(t testing.TB, f *fixture) {
	t.Helper()
	db := f.open(t, nil)
	var n int
	if err := db.QueryRow("SELECT 1 + 1").Scan(&n); err != nil || n != 2 {
		t.Fatalf("a healthy client: got %d, %v, want 2", n, err)
	}
	db.Close()
}

func TestBadInput(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	base := f.srv.Connections()
	for _, tc := range []struct {
		name  string
		bytes []byte
	}{
		{"garbage instead of a handshake response", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")},
		{"empty command", packet(0)},
		{"unknown command", packet(0, 0xee, 1, 2, 3)},
		{"truncated header", []byte{5, 0}},
		{"length beyond the data", append([]byte{0xff, 0xff, 0x00, 0}, 3, 'S', 'E')},
		{"execute of an unknown statement", packet(0, 0x17, 9, 9, 9, 9, 0, 1, 0, 0, 0)},
		{"truncated execute", packet(0, 0x17, 1)},
		{"truncated prepare then execute", append(packet(0, 0x16), packet(0, 0x17, 1, 0, 0, 0, 0, 1, 0, 0, 0)...)},
		{"init db with no name", packet(0, 0x02)},
		{"send long data for nothing", packet(0, 0x18, 1, 0, 0, 0, 0, 0, 'x')},
		{"field list", packet(0, 0x04, 't', 0)},
		{"binlog dump", packet(0, 0x12, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c net.Conn
			if strings.HasPrefix(tc.name, "garbage") {
				d, err := net.Dial("tcp", net.JoinHostPort(f.host, strconv.Itoa(f.port)))
				if err != nil {
					t.Fatal(err)
				}
				defer d.Close()
				c = d
			} else {
				c = f.rawConn(t)
			}
			c.Write(tc.bytes)
			// Whatever the proxy answers, it must not take others down.
			c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			io.Copy(io.Discard, c)
			c.Close()
			healthy(t, f)
		})
	}

	t.Run("abrupt disconnect mid-result", func(t *testing.T) {
		c := f.rawConn(t)
		q := "SELECT a.COLUMN_NAME, b.COLUMN_NAME FROM information_schema.COLUMNS a, information_schema.COLUMNS b LIMIT 300000"
		c.Write(packet(0, append([]byte{0x03}, q...)...))
		buf := make([]byte, 4096)
		if _, err := io.ReadFull(c, buf); err != nil {
			t.Fatalf("first bytes of the result: %v", err)
		}
		c.Close()
		healthy(t, f)
	})

	t.Run("abrupt disconnect mid-transaction", func(t *testing.T) {
		c := f.rawConn(t)
		buf := make([]byte, 4096)
		for _, q := range []string{"BEGIN", "SELECT 1 FOR UPDATE"} {
			c.Write(packet(0, append([]byte{0x03}, q...)...))
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := c.Read(buf); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		c.Close() // the proxy rolls the transaction back
		healthy(t, f)
	})

	waitFor(t, "connections back to their baseline", 10*time.Second, func() bool { return f.srv.Connections() <= base })
}

func TestMaxConnections(t *testing.T) {
	f := startProxy(t, proxy.Config{MaxConnections: 2}, quiet())
	db := f.open(t, nil)
	db.SetMaxOpenConns(3)
	ctx := context.Background()
	var held []*sql.Conn
	for i := 0; i < 2; i++ {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	_, err := db.Conn(ctx)
	if mysqlErrNum(err) != 1040 || !strings.Contains(err.Error(), "--max-connections") {
		t.Errorf("third connection: got %v, want error 1040 naming --max-connections", err)
	}
	for _, c := range held {
		c.Close()
	}
	db.SetMaxIdleConns(0)
	waitFor(t, "the connections to close", 10*time.Second, func() bool { return f.srv.Connections() == 0 })
	healthy(t, f)
}

func TestIdleTimeout(t *testing.T) {
	f := startProxy(t, proxy.Config{IdleTimeout: 300 * time.Millisecond}, quiet())
	c := f.rawConn(t)
	waitFor(t, "the idle connection to close", 10*time.Second, func() bool { return f.srv.Connections() == 0 })
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, _ := io.ReadAll(c)
	if len(b) < 7 || b[4] != 0xff || int(b[5])|int(b[6])<<8 != 4031 || !strings.Contains(string(b), "--idle-timeout") {
		t.Errorf("got % x, want error packet 4031 naming --idle-timeout", b)
	}
	// A client that keeps talking is not cut off.
	db := f.open(t, func(c *mysql.Config) {})
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for i := 0; i < 5; i++ {
		if _, err := conn.ExecContext(context.Background(), "DO SLEEP(0.1)"); err != nil {
			t.Fatalf("busy client: %v", err)
		}
	}
	// Nor is one whose statements the relay answers: the idle deadline
	// counts from each answer, inside the relay's wait too.
	before := f.relayed(t)
	for i := 0; i < 5; i++ {
		var n int
		if err := conn.QueryRowContext(context.Background(), "SELECT SLEEP(0.1) + 1").Scan(&n); err != nil || n != 1 {
			t.Fatalf("busy client, relayed: %d, %v", n, err)
		}
	}
	if n := f.relayed(t) - before; n != 5 {
		t.Errorf("%v of 5 statements relayed", n)
	}
	// Once it is idle, it is cut off.
	waitFor(t, "the relayed client's connection to close", 10*time.Second, func() bool { return f.srv.Connections() == 0 })
}

func TestGracefulShutdown(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	ctx := context.Background()
	db := f.open(t, nil)
	idle, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	busy, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var slept int
	var sleepErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		sleepErr = busy.QueryRowContext(ctx, "SELECT SLEEP(1) + 1").Scan(&slept)
	}()
	waitFor(t, "the statement to be in flight", 10*time.Second, func() bool {
		var n int
		adminDB(t, f.topo, f.topo.Shards[0].Replicas[0].HostPort).QueryRow(
			"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(1)%'").Scan(&n)
		return n > 0
	})
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := f.srv.Shutdown(sctx); err != nil {
		t.Errorf("shutdown: %v", err)
	}
	wg.Wait()
	if sleepErr != nil || slept != 1 {
		t.Errorf("in-flight statement: got %d, %v, want it to finish with 1", slept, sleepErr)
	}
	if err := idle.PingContext(ctx); err == nil {
		t.Error("idle connection after shutdown: still open")
	}
	if c := f.srv.Connections(); c != 0 {
		t.Errorf("connections after shutdown: got %d, want 0", c)
	}
	if _, err := net.DialTimeout("tcp", net.JoinHostPort(f.host, strconv.Itoa(f.port)), time.Second); err == nil {
		t.Error("the proxy still accepts connections after shutdown")
	}
}

// TestForcedShutdownCutsClients: when a shutdown gives up waiting, the
// clients of statements still running are cut off at once, not when
// their statements end, a relayed one included.
func TestForcedShutdownCutsClients(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	ctx := context.Background()
	db := f.open(t, nil)
	// The statement's shape is one the relay takes: the test is of a
	// client held inside the relay's wait (see clientConn.frame).
	before := f.relayed(t)
	var two int
	if err := db.QueryRowContext(ctx, "SELECT SLEEP(0) + 2").Scan(&two); err != nil || two != 2 {
		t.Fatalf("SELECT SLEEP(0) + 2: %d, %v", two, err)
	}
	if n := f.relayed(t) - before; n != 1 {
		t.Fatalf("%v statements relayed, want 1: the test would not exercise the relay", n)
	}
	queryErr := make(chan error, 1)
	go func() {
		var n int
		queryErr <- db.QueryRowContext(ctx, "SELECT SLEEP(60) + 1").Scan(&n)
	}()
	replica := adminDB(t, f.topo, f.topo.Shards[0].Replicas[0].HostPort)
	var id int64
	waitFor(t, "the statement to be in flight", 10*time.Second, func() bool {
		replica.QueryRow("SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(60)%'").Scan(&id)
		return id != 0
	})
	sctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	shutdown := make(chan error, 1)
	go func() { shutdown <- f.srv.Shutdown(sctx) }()
	select {
	case err := <-queryErr:
		if err == nil {
			t.Error("the cut client's statement answered")
		}
	case <-time.After(30 * time.Second):
		t.Error("the client of a running statement is still connected after a forced shutdown")
	}
	// The statement itself runs to its end (see handler.exec); end it.
	replica.Exec("KILL QUERY " + strconv.FormatInt(id, 10))
	if err := <-shutdown; !errors.Is(err, proxy.ErrDrainTimeout) {
		t.Errorf("forced shutdown: %v, want ErrDrainTimeout", err)
	}
}

// TestSetOptionUnknown: COM_SET_OPTION with an option the server does not
// know gets one ERR packet (1047), as from the server, and the client's
// next statement its own answer; the protocol library sent an ERR and
// then an EOF, which the next statement read as its answer. The two
// options there are (multi statements on and off) are answered by EOF.
func TestSetOptionUnknown(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	c := f.rawConn(t)
	read := func() []byte {
		t.Helper()
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		var h [4]byte
		if _, err := io.ReadFull(c, h[:]); err != nil {
			t.Fatal(err)
		}
		p := make([]byte, int(h[0])|int(h[1])<<8|int(h[2])<<16)
		if _, err := io.ReadFull(c, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	c.Write(packet(0, 0x1b, 7, 0))
	if p := read(); len(p) < 3 || p[0] != 0xff || int(p[1])|int(p[2])<<8 != 1047 {
		t.Fatalf("COM_SET_OPTION 7: %x, want ERR 1047", p)
	}
	c.Write(packet(0, 0x1b, 1, 0)) // multi statements off
	if p := read(); len(p) == 0 || p[0] != 0xfe && p[0] != 0x00 {
		t.Fatalf("COM_SET_OPTION 1: %x, want EOF or OK", p)
	}
	c.Write(packet(0, append([]byte{0x03}, "SELECT 7"...)...))
	if p := read(); len(p) != 1 || p[0] != 1 {
		t.Fatalf("SELECT 7 after COM_SET_OPTION: first packet %x, want a column count of 1", p)
	}
}
