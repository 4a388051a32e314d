package proxy_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/scalelab/scalelab/proxy"
	"github.com/scalelab/scalelab/shard"
)

// TestHeldWriteInTransaction: a write in a transaction that a reshard's
// switch holds (the table's hold triggers refuse it) rolls the
// transaction back, and the client gets 1213, SQLSTATE 40001, by which
// drivers know to run the transaction again, as at a reshard the
// transaction's next statement sees. Before, it got the hold's 1644,
// which says to retry the statement, with the transaction still open on
// the shard whose rows were moving.
func TestHeldWriteInTransaction(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	setupPrepared(t, f)
	ctx := context.Background()
	key := shardKey(t, f, 0)
	db := f.topo.DatabaseName()
	primary := adminDB(t, f.topo, f.topo.Shards[0].Primary.HostPort)
	conn, err := primary.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// (Out of the binlog, as a reshard's; and a release that waits on
	// a transaction left open gives up.)
	if _, err := conn.ExecContext(ctx, "SET sql_log_bin = 0, lock_wait_timeout = 10"); err != nil {
		t.Fatal(err)
	}
	for _, q := range shard.HoldStatements(db, "kvs", "a test holds it") {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	defer func() {
		for _, q := range shard.ReleaseStatements(db, "kvs") {
			conn.ExecContext(ctx, q)
		}
	}()
	c, err := f.open(t, nil).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS heldother (id INT PRIMARY KEY)",
		"DELETE FROM heldother",
		"BEGIN",
		"INSERT INTO heldother VALUES (1)", // not held: the transaction's first write
	} {
		if _, err := c.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	_, err = c.ExecContext(ctx, fmt.Sprintf("INSERT INTO kvs (id, v) VALUES (%d, 'held')", key))
	if n := mysqlErrNum(err); n != 1213 {
		t.Fatalf("a held write in a transaction: %v (%d); want 1213, the transaction rolled back", err, n)
	}
	var rows int
	if err := c.QueryRowContext(ctx, "SELECT COUNT(*) FROM heldother").Scan(&rows); err != nil || rows != 0 {
		t.Errorf("after the held write: %d rows of the transaction's, %v; want 0, rolled back", rows, err)
	}
}
