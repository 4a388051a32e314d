package proxy_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/scalelab/scalelab/proxy"
	"github.com/scalelab/scalelab/router"
	vtmysql "vitess.io/vitess/go/mysql"
)

// halfQuery is the first 8 bytes of a COM_QUERY whose header declares
// 1000: a client that dies while it sends a statement.
var halfQuery = []byte{0xe8, 0x03, 0, 0, 0x03, 'U', 'P', 'D'}

// TestClientGoneMidPacket: a client that sends part of a packet, or a
// whole one the proxy answers nothing (a COM_STMT_SEND_LONG_DATA for no
// statement, which the server drops), and closes its socket at once is
// noticed: its connection ends. The close then comes with the bytes, and
// the read that returns them leaves the end of the stream to the next
// read; before, the proxy waited for the client's next bytes without it,
// and kept the connection for ever.
func TestClientGoneMidPacket(t *testing.T) {
	const clients = 20
	for _, tc := range []struct {
		name  string
		cfg   proxy.Config
		bytes []byte
	}{
		{"half a query", proxy.Config{}, halfQuery},
		{"half a query, relay off", proxy.Config{NoRelay: true}, halfQuery},
		{"long data dropped whole", proxy.Config{}, packet(0, 0x18, 9, 9, 9, 9, 0, 0, 'x')},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := startProxy(t, tc.cfg, quiet())
			base := f.srv.Connections()
			for range clients {
				c := f.rawConn(t)
				if _, err := c.Write(tc.bytes); err != nil {
					t.Fatal(err)
				}
				c.Close()
			}
			waitFor(t, "the connections of the clients that closed to end", 10*time.Second, func() bool {
				return f.srv.Connections() <= base
			})
		})
	}
}

// lockedRow makes the unsharded table name with the row id 1, and
// returns a connection whose lock waits give up after 2 s, for a write of
// that row.
func lockedRow(t *testing.T, f *fixture, name string) *vtmysql.Conn {
	t.Helper()
	c := f.vtConn(t)
	mustFetch(t, c, "CREATE TABLE IF NOT EXISTS "+name+" (id INT PRIMARY KEY, v INT NOT NULL)")
	mustFetch(t, c, "REPLACE INTO "+name+" (id, v) VALUES (1, 0)")
	mustFetch(t, c, "SET SESSION innodb_lock_wait_timeout = 2")
	return c
}

// lockAndLeave logs in, updates row 1 of table in a transaction, and
// sends half a statement: the client's socket, which the caller closes
// or leaves open.
func lockAndLeave(t *testing.T, f *fixture, table string) *vtmysql.Conn {
	t.Helper()
	c := f.vtConn(t)
	mustFetch(t, c, "BEGIN")
	mustFetch(t, c, "UPDATE "+table+" SET v = v + 1 WHERE id = 1")
	if _, err := c.GetRawConn().Write(halfQuery); err != nil {
		t.Fatal(err)
	}
	return c
}

// inUse is how many of the router's pooled backend connections are
// taken.
func inUse(r *router.Router) int {
	n := 0
	for _, s := range r.Sets() {
		for _, node := range s.Nodes() {
			n += node.DB.Stats().InUse
		}
	}
	return n
}

// TestClientGoneMidPacketInTransaction: a client in a transaction that
// holds a row lock and dies while it sends a statement (half a packet,
// then its socket closes) has its transaction rolled back: another
// client can write the row, and the pooled connection is handed back.
// Before, the proxy did not notice the close, and the lock and the
// connection were held for ever.
func TestClientGoneMidPacketInTransaction(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	const table = "midpacket_lock"
	other := lockedRow(t, f, table)
	base := f.srv.Connections()
	for i := range 10 {
		lockAndLeave(t, f, table).GetRawConn().Close()
		// The write waits for the lock up to 2 s.
		if _, err := other.ExecuteFetch("UPDATE "+table+" SET v = v + 1 WHERE id = 1", 0, false); err != nil {
			t.Fatalf("client %d: another client's write of the row the dead client locked: %v", i, err)
		}
		waitFor(t, "the connection of the client that died to end", 10*time.Second, func() bool {
			return f.srv.Connections() <= base
		})
	}
	other.Close() // its session, with a variable of its own, holds a connection
	waitFor(t, "the pooled connections to be handed back", 10*time.Second, func() bool { return inUse(f.r) == 0 })
}

// TestReadTimeout: a client that sends part of a packet and then
// nothing, its socket open, is cut off after Config.ReadTimeout, with
// error 1159 naming --read-timeout, and its transaction rolls back. A
// client that waits between commands for longer is not: that is the
// idle timeout's.
func TestReadTimeout(t *testing.T) {
	f := startProxy(t, proxy.Config{ReadTimeout: 200 * time.Millisecond}, quiet())
	const table = "readtimeout_lock"
	other := lockedRow(t, f, table)
	idle := f.vtConn(t)
	base := f.srv.Connections()
	stalled := lockAndLeave(t, f, table).GetRawConn()
	waitFor(t, "the stalled client to be cut off", 10*time.Second, func() bool {
		return f.srv.Connections() <= base
	})
	stalled.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, err := io.ReadAll(stalled)
	if err != nil || len(b) < 7 || b[4] != 0xff || int(b[5])|int(b[6])<<8 != 1159 || !strings.Contains(string(b), "--read-timeout") {
		t.Errorf("the stalled client got % x, %v; want error packet 1159 naming --read-timeout, then EOF", b, err)
	}
	if _, err := other.ExecuteFetch("UPDATE "+table+" SET v = v + 1 WHERE id = 1", 0, false); err != nil {
		t.Fatalf("another client's write of the row the stalled client locked: %v", err)
	}
	// idle has waited since before the stalled client's half packet.
	if _, err := idle.ExecuteFetch("SELECT 1", 1, false); err != nil {
		t.Errorf("a client idle for longer than the read timeout: %v", err)
	}
	other.Close()
	waitFor(t, "the pooled connections to be handed back", 10*time.Second, func() bool { return inUse(f.r) == 0 })
}
