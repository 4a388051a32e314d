package proxy_test

import (
	"context"
	"testing"

	"github.com/scalelab/scalelab/proxy"
)

// TestTransactionNoiseWords: BEGIN WORK, COMMIT WORK, ROLLBACK WORK and
// COMMIT AND NO CHAIN, which the parser does not read, are the
// transaction statements they mean. Before, BEGIN WORK ran unparsed on a
// pooled connection of the first shard's primary, which went back to the
// pool inside the transaction: the client's ROLLBACK undid nothing, and
// other sessions' writes on that connection were acknowledged and never
// committed. Forms the router does not follow (AND CHAIN, XA, SET
// completion_type) are refused.
func TestTransactionNoiseWords(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	setupPrepared(t, f)
	ctx := context.Background()
	c, err := f.open(t, nil).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	run := func(qs ...string) {
		t.Helper()
		for _, q := range qs {
			if _, err := c.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	value := func() string {
		t.Helper()
		var v string
		if err := c.QueryRowContext(ctx, "SELECT /*+ scalelab_consistency=strong */ v FROM kvs WHERE id = 9101").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	run("BEGIN WORK", "UPDATE kvs SET v = 'rolled' WHERE id = 9101", "ROLLBACK WORK")
	if v := value(); v != "one" {
		t.Errorf("after BEGIN WORK … ROLLBACK WORK: %q, want %q", v, "one")
	}
	run("begin work", "UPDATE kvs SET v = 'kept' WHERE id = 9101", "COMMIT WORK AND NO CHAIN")
	if v := value(); v != "kept" {
		t.Errorf("after begin work … COMMIT WORK AND NO CHAIN: %q, want %q", v, "kept")
	}
	run("UPDATE kvs SET v = 'one' WHERE id = 9101")
	for _, q := range []string{"COMMIT AND CHAIN", "XA START 'x'", "SET completion_type = 'CHAIN'", "SET completion_type = 2"} {
		if _, err := c.ExecContext(ctx, q); mysqlErrNum(err) != 1235 {
			t.Errorf("%s: %v; want it refused (1235)", q, err)
		}
	}
	run("SET completion_type = 'NO_CHAIN'")
}

// TestImplicitCommit: under autocommit off, a statement that commits
// implicitly (ANALYZE TABLE, LOCK TABLES, DDL) ends the transaction,
// committed, and the next write opens another, which a ROLLBACK undoes,
// as on one server. Before, the transaction's connection wrote in
// autocommit after it, and the ROLLBACK undid nothing.
func TestImplicitCommit(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	ctx := context.Background()
	c, err := f.open(t, nil).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, tc := range []struct{ name, commits, after string }{
		{"ANALYZE TABLE", "ANALYZE TABLE implicitc", ""},
		{"LOCK TABLES", "LOCK TABLES implicitc WRITE", "UNLOCK TABLES"},
		{"DDL", "CREATE TABLE IF NOT EXISTS implicitc2 (id INT)", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			qs := []string{
				"CREATE TABLE IF NOT EXISTS implicitc (id INT PRIMARY KEY)", "DELETE FROM implicitc",
				"SET autocommit = 0", "INSERT INTO implicitc VALUES (1)", tc.commits,
				"INSERT INTO implicitc VALUES (2)", "ROLLBACK", tc.after, "SET autocommit = 1",
			}
			for _, q := range qs {
				if q == "" {
					continue
				}
				if _, err := c.ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			var ids string
			if err := c.QueryRowContext(ctx, "SELECT /*+ scalelab_consistency=strong */ COALESCE(GROUP_CONCAT(id ORDER BY id), '') FROM implicitc").Scan(&ids); err != nil {
				t.Fatal(err)
			}
			if ids != "1" {
				t.Errorf("rows after INSERT 1, %s, INSERT 2, ROLLBACK: %q; want 1 (committed by it), not 2", tc.commits, ids)
			}
		})
	}
}

// TestOneTimeOverShards: a write over several shards gives every row the
// one time of the statement, as one server does (NOW(6) and
// CURRENT_TIMESTAMP(6), and so a DEFAULT CURRENT_TIMESTAMP column, take
// the connection's timestamp), where each shard took its own; and a
// seeded RAND(n), which would start its sequence again on each shard, is
// refused as in a read.
func TestOneTimeOverShards(t *testing.T) {
	f := writesProxy(t)
	ctx := context.Background()
	db := f.open(t, nil)
	const rows = " FROM kvs WHERE id IN (9101, 9102, 9103, 9104)"
	for _, q := range []string{
		"UPDATE kvs SET d = NOW(6) WHERE id IN (9101, 9102, 9103, 9104)",
		"UPDATE kvs SET d = CURRENT_TIMESTAMP(6) + INTERVAL 0 SECOND WHERE id IN (9101, 9102, 9103, 9104)",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		rs, err := db.QueryContext(ctx, "SELECT /*+ scalelab_consistency=strong */ DISTINCT d"+rows)
		if err != nil {
			t.Fatal(err)
		}
		if times := len(scanRows(t, rs)); times != 1 {
			t.Errorf("%s over shards: %d times, want 1, the statement's", q, times)
		}
	}
	if _, err := db.ExecContext(ctx, "UPDATE kvs SET n = RAND(3) WHERE id IN (9101, 9102, 9103, 9104)"); mysqlErrNum(err) != 1235 {
		t.Errorf("a seeded RAND over shards: %v, want it refused (1235)", err)
	}
	// A pooled connection's time is its own again after the write.
	var stale int
	for range 8 {
		if err := db.QueryRowContext(ctx, "SELECT /*+ scalelab_consistency=strong */ COUNT(*)"+rows+" AND d = NOW(6)").Scan(&stale); err != nil {
			t.Fatal(err)
		}
		if stale != 0 {
			t.Fatalf("a later read's NOW(6) is the write's time on %d rows: a pooled connection kept the statement's timestamp", stale)
		}
	}
}
