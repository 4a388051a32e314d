package proxy_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/proxy"
)

// clientPair opens two connections of one pool to the proxy, in text or
// in server-side prepared statements: two clients.
func clientPair(t *testing.T, f *fixture, prepared bool) (a, b *sql.Conn) {
	t.Helper()
	db := f.open(t, func(c *mysql.Config) { c.InterpolateParams = !prepared })
	a, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if b, err = db.Conn(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a, b
}

// TestConnectionStateThroughProxy checks, with a real driver in text and
// in server-side prepared statements, that a client's named lock and
// temporary table stay its own: another client cannot take the lock or
// read the table, and the client's own later statements find both.
func TestConnectionStateThroughProxy(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	ctx := context.Background()
	for _, prepared := range []bool{false, true} {
		name := map[bool]string{false: "text", true: "prepared"}[prepared]
		a, b := clientPair(t, f, prepared)
		one := func(c interface {
			QueryRowContext(context.Context, string, ...any) *sql.Row
		}, q string, args ...any) int64 {
			t.Helper()
			var v int64
			if err := c.QueryRowContext(ctx, q, args...).Scan(&v); err != nil {
				t.Fatalf("%s: %s: %v", name, q, err)
			}
			return v
		}
		lock := "scalelab_proxy_" + name
		if v := one(a, "SELECT GET_LOCK(?, 5)", lock); v != 1 {
			t.Fatalf("%s: GET_LOCK gave %d", name, v)
		}
		for i := 0; i < 3; i++ {
			if v := one(b, "SELECT GET_LOCK(?, 0)", lock); v != 0 {
				t.Fatalf("%s: another client took the lock: GET_LOCK gave %d", name, v)
			}
			if v := one(a, "SELECT IS_USED_LOCK(?) = CONNECTION_ID()", lock); v != 1 {
				t.Fatalf("%s: the lock is not the client's own connection's", name)
			}
		}
		if _, err := a.ExecContext(ctx, "CREATE TEMPORARY TABLE scalelab_ptmp (id INT PRIMARY KEY)"); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := a.ExecContext(ctx, "INSERT INTO scalelab_ptmp VALUES (?), (?)", 1, 2); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i := 0; i < 3; i++ {
			if v := one(a, "SELECT COUNT(*) FROM scalelab_ptmp WHERE id > ?", 0); v != 2 {
				t.Fatalf("%s: the client's temporary table has %d rows, want 2", name, v)
			}
			var n int64
			if err := b.QueryRowContext(ctx, "SELECT COUNT(*) FROM scalelab_ptmp").Scan(&n); err == nil {
				t.Fatalf("%s: another client reads the temporary table (%d rows)", name, n)
			}
		}
		if v := one(a, "SELECT RELEASE_LOCK(?)", lock); v != 1 {
			t.Fatalf("%s: RELEASE_LOCK gave %d, want 1", name, v)
		}
		a.Close()
		b.Close()
	}
}

// TestConnectionIDThroughProxy: CONNECTION_ID() through the proxy, in
// text and in server-side prepared statements, answers the id of the
// connection the client's session keeps on each shard: the same from
// statement to statement, and the one the client's writes and reads see
// there. Jobs a client claims over both shards with UPDATE … SET owner =
// CONNECTION_ID() are its own to a read WHERE owner = CONNECTION_ID(),
// and to no other client's. Answered by pooled connections (the relay's,
// on a replica, for a read), the claimed jobs were found by no read.
func TestConnectionIDThroughProxy(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	ctx := context.Background()
	setup := f.open(t, nil)
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS cidjobs (id INT PRIMARY KEY, owner BIGINT UNSIGNED NULL)",
		"DELETE FROM cidjobs WHERE id IN (1, 2, 3, 4, 5, 6, 7, 8)",
		"INSERT INTO cidjobs (id) VALUES (1), (2), (3), (4), (5), (6), (7), (8)",
	} {
		if _, err := setup.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for _, prepared := range []bool{false, true} {
		name := map[bool]string{false: "text", true: "prepared"}[prepared]
		a, b := clientPair(t, f, prepared)
		one := func(c *sql.Conn, q string, args ...any) int64 {
			t.Helper()
			var v int64
			if err := c.QueryRowContext(ctx, q, args...).Scan(&v); err != nil {
				t.Fatalf("%s: %s: %v", name, q, err)
			}
			return v
		}
		id := one(a, "SELECT CONNECTION_ID()")
		for i := 0; i < 4; i++ {
			if v := one(a, "SELECT CONNECTION_ID()"); v != id {
				t.Fatalf("%s: CONNECTION_ID() went from %d to %d", name, id, v)
			}
		}
		if id == one(b, "SELECT CONNECTION_ID()") {
			t.Fatalf("%s: two clients have the id %d", name, id)
		}
		if _, err := a.ExecContext(ctx, "UPDATE cidjobs SET owner = CONNECTION_ID() WHERE id IN (1, 2, 3, 4, 5, 6)"); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if v := one(a, "SELECT COUNT(*) FROM cidjobs WHERE owner = CONNECTION_ID() AND id > ?", 0); v != 6 {
			t.Errorf("%s: the client finds %d of the 6 jobs it claimed", name, v)
		}
		for job := 1; job <= 8; job++ { // one shard's point read each
			if v, want := one(a, "SELECT COUNT(*) FROM cidjobs WHERE id = ? AND owner = CONNECTION_ID()", job), int64(min(1, 7-min(job, 7))); v != want {
				t.Errorf("%s: job %d is the client's %d times, want %d", name, job, v, want)
			}
		}
		if v := one(b, "SELECT COUNT(*) FROM cidjobs WHERE owner = CONNECTION_ID() AND id > ?", 0); v != 0 {
			t.Errorf("%s: another client finds %d jobs its own", name, v)
		}
		if _, err := setup.ExecContext(ctx, "UPDATE cidjobs SET owner = NULL WHERE id IN (1, 2, 3, 4, 5, 6, 7, 8)"); err != nil {
			t.Fatal(err)
		}
		a.Close()
		b.Close()
	}
	// Both clients of each mode gave up their read scaling, and /metrics
	// says how many did.
	m := scrape(t, "http://"+f.srv.MetricsAddr().String()+"/metrics")
	if got := m["scalelab_router_sticky_sessions_total"]; got != 4 {
		t.Errorf("scalelab_router_sticky_sessions_total is %v, want 4", got)
	}
}

// TestPrepareDescribesWithoutLocking: COM_STMT_PREPARE of a read that
// takes a named lock takes it nowhere (the proxy describes a statement's
// columns by running it in a derived table with LIMIT 0 on a pooled
// connection, and a server may run the lock function there).
func TestPrepareDescribesWithoutLocking(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	ctx := context.Background()
	db := f.open(t, func(c *mysql.Config) { c.InterpolateParams = false })
	c, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	stmt, err := c.PrepareContext(ctx, "SELECT GET_LOCK('scalelab_rv_describe', 0)")
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close()
	// Nothing executed yet: no connection may hold the lock.
	for _, set := range f.r.Sets() {
		admin := dbtest.OpenAdmin(t, f.topo, set.Primary().Addr)
		var holder sql.NullInt64
		if err := admin.QueryRowContext(ctx, "SELECT IS_USED_LOCK('scalelab_rv_describe')").Scan(&holder); err != nil {
			t.Fatal(err)
		}
		if holder.Valid {
			t.Errorf("primary %s: after COM_STMT_PREPARE alone, connection %d holds the lock", set.Primary().Name, holder.Int64)
		}
	}
}

// TestPrepareDescribesWithoutAssigning: COM_STMT_PREPARE of an assignment
// (SELECT @v := …), whose execution the router refuses, sets the variable
// on no pooled connection while the proxy describes it.
func TestPrepareDescribesWithoutAssigning(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	ctx := context.Background()
	db := f.open(t, func(c *mysql.Config) { c.InterpolateParams = false })
	stmt, err := db.PrepareContext(ctx, "SELECT @scalelab_rv_pa := 5")
	if err == nil {
		stmt.Close()
	}
	pool := f.r.Sets()[0].Primary().DB.DB
	var conns []*sql.Conn
	for i := 0; i < 8; i++ {
		c, err := pool.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		var got sql.NullInt64
		if err := c.QueryRowContext(ctx, "SELECT @scalelab_rv_pa").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got.Valid {
			t.Errorf("a pooled connection of the primary has @scalelab_rv_pa = %d after a client's PREPARE", got.Int64)
		}
		c.Close()
	}
}

// TestSetPlaceholderThroughProxy: a server-side prepared SET @v = ? sets
// the client's variable, which its later statements read.
func TestSetPlaceholderThroughProxy(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	ctx := context.Background()
	db := f.open(t, func(c *mysql.Config) { c.InterpolateParams = false })
	c, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "SET @scalelab_pp = ?", 7); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		var v int64
		if err := c.QueryRowContext(ctx, "SELECT @scalelab_pp + ?", 1).Scan(&v); err != nil || v != 8 {
			t.Fatalf("SELECT @scalelab_pp + 1: got %d, %v; want 8", v, err)
		}
	}
}
