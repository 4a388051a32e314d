package proxy_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	vtmysql "vitess.io/vitess/go/mysql"
	"vitess.io/vitess/go/mysql/sqlerror"
	"vitess.io/vitess/go/sqltypes"

	"github.com/scalelab/scalelab/proxy"
	"github.com/scalelab/scalelab/router"
)

// TestKill: KILL through the proxy names the proxy's own connections, by
// the id its login reported, and never reaches a backend, where the same
// number names a pooled connection of another client (before, KILL N ran
// on the first shard's primary as written: KILL of a client's backend id
// ended its transaction's connection, KILL USER every pooled connection
// of the application user).
func TestKill(t *testing.T) {
	const otherUser, otherPass = "kill_other", "kill-other-pw"
	f := startProxy(t, proxy.Config{Users: map[string]string{otherUser: otherPass}}, quiet())
	k := newKillTable(t, f, "kill_t")
	setup, inTx, committed := k.setup, k.inTx, k.committed

	t.Run("a backend id is no connection of the proxy", func(t *testing.T) {
		a, b := f.vtConn(t), f.vtConn(t)
		backend := inTx(t, b, 1)
		// The proxy numbers its connections above any server's.
		for _, c := range []*vtmysql.Conn{a, b, setup} {
			if c.ConnectionID <= proxy.ConnectionIDBase {
				t.Errorf("a login reported connection id %d, want one above %d", c.ConnectionID, proxy.ConnectionIDBase)
			}
		}
		if backend > proxy.ConnectionIDBase {
			t.Fatalf("a backend connection's id is %d", backend)
		}
		for _, q := range []string{"KILL %d", "KILL QUERY %d", "KILL CONNECTION %d"} {
			wantCode(t, a, fmt.Sprintf(q, backend), sqlerror.ERNoSuchThread)
		}
		committed(t, b, 1)
	})

	t.Run("MariaDB's other forms are refused, and kill nothing", func(t *testing.T) {
		a, b := f.vtConn(t), f.vtConn(t)
		backend := inTx(t, b, 2)
		for _, q := range []string{
			"KILL USER " + f.topo.User.Name,
			"KILL CONNECTION USER " + f.topo.User.Name,
			fmt.Sprintf("KILL HARD %d", backend),
			fmt.Sprintf("KILL SOFT QUERY %d", b.ConnectionID),
			fmt.Sprintf("KILL QUERY ID %d", backend),
			fmt.Sprintf("/* a comment */ KILL (%d)", backend),
			fmt.Sprintf("KILL %d+0", backend),
		} {
			wantCode(t, a, q, sqlerror.ERNotSupportedYet)
		}
		committed(t, b, 2)
	})

	t.Run("KILL CONNECTION ends the client and rolls back its transaction", func(t *testing.T) {
		a, b := f.vtConn(t), f.vtConn(t)
		inTx(t, b, 3)
		mustFetch(t, a, fmt.Sprintf("KILL CONNECTION %d", b.ConnectionID))
		if _, err := b.ExecuteFetch("SELECT 1", 1, false); err == nil {
			t.Error("the killed connection ran a statement")
		}
		// b's row lock goes with its transaction: a's insert of the same
		// row waits for it, and fails if it is never rolled back.
		mustFetch(t, a, "SET SESSION innodb_lock_wait_timeout = 20")
		mustFetch(t, a, "INSERT INTO kill_t (id) VALUES (3)")
		// KILL with no keyword is KILL CONNECTION; MariaDB's spaces and
		// comments are read as it reads them.
		for _, q := range []string{"KILL %d", "\v# a\nkill\f/* b */%d;"} {
			c := f.vtConn(t)
			mustFetch(t, a, fmt.Sprintf(q, c.ConnectionID))
			if _, err := c.ExecuteFetch("SELECT 1", 1, false); err == nil {
				t.Errorf("the connection killed by %q ran a statement", q)
			}
		}
	})

	t.Run("KILL QUERY", func(t *testing.T) {
		a, b := f.vtConn(t), f.vtConn(t)
		// Of itself: the KILL is the statement it interrupts.
		wantCode(t, a, fmt.Sprintf("KILL QUERY %d", a.ConnectionID), sqlerror.ERQueryInterrupted)
		mustFetch(t, a, "SELECT 1")
		// Of another: refused, and the other goes on.
		inTx(t, b, 4)
		wantCode(t, a, fmt.Sprintf("KILL QUERY %d", b.ConnectionID), sqlerror.ERNotSupportedYet)
		committed(t, b, 4)
	})

	t.Run("its own connection", func(t *testing.T) {
		a := f.vtConn(t)
		wantCode(t, a, fmt.Sprintf("KILL %d", a.ConnectionID), 1927)
		if _, err := a.ExecuteFetch("SELECT 1", 1, false); err == nil {
			t.Error("the connection ran a statement after killing itself")
		}
	})

	t.Run("unknown and other users' connections", func(t *testing.T) {
		a, b := f.vtConn(t), f.vtConn(t)
		wantCode(t, a, "KILL 2147483647", sqlerror.ERNoSuchThread)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		other, err := vtmysql.Connect(ctx, &vtmysql.ConnParams{Host: f.host, Port: f.port, Uname: otherUser, Pass: otherPass, DbName: f.topo.DatabaseName()})
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		wantCode(t, other, fmt.Sprintf("KILL %d", b.ConnectionID), sqlerror.ERKillDenied)
		wantCode(t, other, fmt.Sprintf("KILL QUERY %d", b.ConnectionID), sqlerror.ERKillDenied)
		mustFetch(t, b, "SELECT 1")
	})
}

// killTable is a table of the KILL tests, emptied, and a connection that
// made it. It is unsharded, so it lives on the first shard, whose primary
// a KILL went to before.
type killTable struct {
	name  string
	setup *vtmysql.Conn
}

func newKillTable(t *testing.T, f *fixture, name string) killTable {
	t.Helper()
	k := killTable{name: name, setup: f.vtConn(t)}
	mustFetch(t, k.setup, "CREATE TABLE IF NOT EXISTS "+name+" (id INT PRIMARY KEY)")
	mustFetch(t, k.setup, "DELETE FROM "+name)
	return k
}

// inTx starts a transaction on c that holds the row id, and returns the
// id of the backend connection it is pinned to.
func (k killTable) inTx(t *testing.T, c *vtmysql.Conn, id int) uint64 {
	t.Helper()
	mustFetch(t, c, "BEGIN")
	mustFetch(t, c, fmt.Sprintf("INSERT INTO %s (id) VALUES (%d)", k.name, id))
	n, err := mustFetch(t, c, "SELECT CONNECTION_ID()").Rows[0][0].ToUint64()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// committed checks that c's transaction still runs: it commits, and its
// row is there.
func (k killTable) committed(t *testing.T, c *vtmysql.Conn, id int) {
	t.Helper()
	if _, err := c.ExecuteFetch("COMMIT", 1, false); err != nil {
		t.Fatalf("the victim's transaction was ended: COMMIT: %v", err)
	}
	// A locking read, on the primary: a replica may not have it yet.
	r := mustFetch(t, k.setup, fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE id = %d FOR UPDATE", k.name, id))
	if got := r.Rows[0][0].ToString(); got != "1" {
		t.Errorf("row %d: count %s after the commit, want 1", id, got)
	}
}

// TestRouterRefusesKill: through the router, whose connections are
// pooled, no KILL runs.
func TestRouterRefusesKill(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	for _, q := range []string{"KILL 1", "KILL QUERY 1", "KILL USER nobody", "KILL HARD 1"} {
		if _, err := f.r.ExecContext(context.Background(), q); !errors.Is(err, router.ErrUnsupported) {
			t.Errorf("%s: %v, want ErrUnsupported", q, err)
		}
	}
}

func mustFetch(t *testing.T, c *vtmysql.Conn, q string) *sqltypes.Result {
	t.Helper()
	r, err := c.ExecuteFetch(q, 1000, false)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return r
}

// wantCode runs q on c and checks that it fails with the error number
// code.
func wantCode(t *testing.T, c *vtmysql.Conn, q string, code sqlerror.ErrorCode) {
	t.Helper()
	_, err := c.ExecuteFetch(q, 1000, false)
	var se *sqlerror.SQLError
	if !errors.As(err, &se) || se.Number() != code {
		t.Errorf("%s: %v, want error %d", q, err, code)
	}
}
