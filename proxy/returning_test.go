package proxy_test

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/proxy"
)

// TestReturning: INSERT, REPLACE and DELETE … RETURNING of a sharded
// table answer the rows one server would, from the shard the rows live
// on, when they are on one shard: with the key given, with ids the
// router's sequence gives (an ORM's INSERT … RETURNING id), in a
// transaction, and prepared on the server; over several shards, in the
// statement's order.
func TestReturning(t *testing.T) {
	rcfg := quiet()
	rcfg.AllowMultiShardWrites = true // refused all the same
	f := startProxy(t, proxy.Config{}, rcfg)
	ctx := context.Background()
	db := f.open(t, nil)
	db.SetMaxOpenConns(1) // one session: LAST_INSERT_ID() is the session's
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS rets (id BIGINT PRIMARY KEY, v VARCHAR(40))",
		"DELETE FROM rets",
		"CREATE TABLE IF NOT EXISTS rets_plain (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(40))",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	shardOf := func(id int) string {
		tr, err := f.r.Route("SELECT v FROM rets WHERE id = ?", id)
		if err != nil || len(tr.Shards) != 1 {
			t.Fatalf("route of id %d: %v %v", id, tr.Shards, err)
		}
		return tr.Shards[0]
	}
	// Two ids on one shard, and one on another.
	a, same, other := 11, 0, 0
	for id := 12; same == 0 || other == 0; id++ {
		switch {
		case shardOf(id) == shardOf(a) && same == 0:
			same = id
		case shardOf(id) != shardOf(a) && other == 0:
			other = id
		}
	}
	rows := func(q string, args ...any) ([][]any, error) {
		t.Helper()
		rs, err := db.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		return scanRows(t, rs), nil
	}
	// onShard is the row of id as its shard's primary holds it.
	onShard := func(id int) [][]string {
		return directResult(t, f, "SELECT id, v FROM rets WHERE id = ?", id).rows
	}
	// held is that row, as onShard reads it.
	held := func(id int, v string) [][]string {
		return [][]string{{strconv.Quote(strconv.Itoa(id)), strconv.Quote(v)}}
	}
	want := func(q string, got [][]any, err error, w ...[]any) {
		t.Helper()
		if err != nil || !reflect.DeepEqual(got, w) {
			t.Errorf("%s: %v, %v; want %v", q, got, err, w)
		}
	}

	q := fmt.Sprintf("INSERT INTO rets (id, v) VALUES (%d, 'a') RETURNING id, v, CONCAT(v, '!') AS x", a)
	got, err := rows(q)
	want(q, got, err, []any{int64(a), "a", "a!"})
	if r := onShard(a); !reflect.DeepEqual(r, held(a, "a")) {
		t.Errorf("after %s the shard of %d holds %v", q, a, r)
	}

	q = fmt.Sprintf("INSERT INTO rets (id, v) VALUES (%d, 'b'), (%d, 'c') RETURNING v", same, same+1000000)
	if shardOf(same+1000000) != shardOf(same) {
		q = fmt.Sprintf("INSERT INTO rets (id, v) VALUES (%d, 'b') RETURNING v", same)
	}
	got, err = rows(q)
	if len(got) == 0 || got[0][0] != "b" || err != nil {
		t.Errorf("%s: %v, %v", q, got, err)
	}

	// Over shards, the rows come back in the statement's order, as from
	// one server: the shards' rows interleaved.
	b, c := a+100000, a+200000
	for shardOf(b) != shardOf(a) {
		b++
	}
	for shardOf(c) == shardOf(a) {
		c++
	}
	q = fmt.Sprintf("INSERT INTO rets (id, v) VALUES (%d, 'x'), (%d, 'y'), (%d, 'z') RETURNING v, id", c, b, c+1000000)
	got, err = rows(q)
	want(q, got, err, []any{"x", int64(c)}, []any{"y", int64(b)}, []any{"z", int64(c + 1000000)})
	// One shard's part fails (a duplicate key): nothing is written, and
	// no rows are answered.
	q = fmt.Sprintf("INSERT INTO rets (id, v) VALUES (%d, 'w'), (%d, 'dup') RETURNING id", c+2000000, b)
	if got, err := rows(q); mysqlErrNum(err) != 1062 || got != nil {
		t.Errorf("%s: %v, %v; want the duplicate's error (1062)", q, got, err)
	}
	if r := onShard(c + 2000000); len(r) != 0 {
		t.Errorf("the failed %s wrote %v", q, r)
	}
	q = fmt.Sprintf("INSERT IGNORE INTO rets (id, v) VALUES (%d, 'i'), (%d, 'j') RETURNING id", c+3000000, b)
	if shardOf(c+3000000) != shardOf(b) {
		if _, err := rows(q); mysqlErrNum(err) != 1235 {
			t.Errorf("%s: %v, want it refused (1235): which rows each shard returns is not known", q, err)
		}
		if r := onShard(c + 3000000); len(r) != 0 {
			t.Errorf("the refused %s wrote %v", q, r)
		}
	}

	// Prepared on the server, with the key as a parameter.
	prepared := f.open(t, func(c *mysql.Config) { c.InterpolateParams = false })
	q = "INSERT INTO rets (id, v) VALUES (?, ?) RETURNING id, v"
	rs, err := prepared.QueryContext(ctx, q, other, "p")
	if err != nil {
		t.Fatalf("%s prepared: %v", q, err)
	}
	if got := scanRows(t, rs); !reflect.DeepEqual(got, [][]any{{int64(other), "p"}}) {
		t.Errorf("%s prepared: %v", q, got)
	}
	if r := onShard(other); !reflect.DeepEqual(r, held(other, "p")) {
		t.Errorf("after %s prepared the shard of %d holds %v", q, other, r)
	}

	// Ids from the sequence: the shard the id maps to holds the row, and
	// LAST_INSERT_ID() is the id, as after the INSERT without RETURNING.
	q = "INSERT INTO rets (v) VALUES ('seq') RETURNING id, v"
	got, err = rows(q)
	if err != nil || len(got) != 1 || got[0][1] != "seq" {
		t.Fatalf("%s: %v, %v", q, got, err)
	}
	id := int(got[0][0].(int64))
	if r := onShard(id); !reflect.DeepEqual(r, held(id, "seq")) {
		t.Errorf("the shard of the sequence's id %d holds %v", id, r)
	}
	var last int
	if err := db.QueryRowContext(ctx, "SELECT LAST_INSERT_ID()").Scan(&last); err != nil || last != id {
		t.Errorf("LAST_INSERT_ID() after %s: %d, %v; want %d", q, last, err, id)
	}

	// An ORM's bulk insert: ids from the sequence, rows over shards.
	q = "INSERT INTO rets (v) VALUES ('s1'), ('s2'), ('s3'), ('s4') RETURNING id, v"
	got, err = rows(q)
	if err != nil || len(got) != 4 {
		t.Fatalf("%s: %v, %v", q, got, err)
	}
	first := int(got[0][0].(int64))
	shards := map[string]bool{}
	for n, row := range got {
		if row[0] != int64(first+n) || row[1] != fmt.Sprintf("s%d", n+1) {
			t.Errorf("%s: row %d is %v, want [%d s%d]: %v", q, n, row, first+n, n+1, got)
		}
		shards[shardOf(first+n)] = true
	}
	if err := db.QueryRowContext(ctx, "SELECT LAST_INSERT_ID()").Scan(&last); err != nil || last != first {
		t.Errorf("LAST_INSERT_ID() after %s: %d, %v; want %d", q, last, err, first)
	}
	if len(shards) < 2 {
		t.Logf("the four ids %d… fell on one shard", first)
	}

	q = fmt.Sprintf("REPLACE INTO rets (id, v) VALUES (%d, 'a2') RETURNING id, v", a)
	got, err = rows(q)
	want(q, got, err, []any{int64(a), "a2"})

	// A transaction that rolls back leaves nothing.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var txID int
	if err := tx.QueryRowContext(ctx, "INSERT INTO rets (v) VALUES ('tx') RETURNING id").Scan(&txID); err != nil || txID == 0 {
		t.Fatalf("INSERT … RETURNING in a transaction: %d, %v", txID, err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if r := onShard(txID); len(r) != 0 {
		t.Errorf("a rolled back INSERT … RETURNING left %v", r)
	}

	q = fmt.Sprintf("DELETE FROM rets WHERE id = %d RETURNING v", a)
	got, err = rows(q)
	want(q, got, err, []any{"a2"})
	if r := onShard(a); len(r) != 0 {
		t.Errorf("after %s the shard holds %v", q, r)
	}
	q = fmt.Sprintf("DELETE FROM rets WHERE id IN (%d, %d) ORDER BY id RETURNING id", b, c)
	if _, err := rows(q); mysqlErrNum(err) != 1235 {
		t.Errorf("%s over two shards: %v, want it refused (1235): the rows would come in each shard's order", q, err)
	}
	q = fmt.Sprintf("DELETE FROM rets WHERE id IN (%d, %d) RETURNING id", b, c)
	got, err = rows(q)
	if err != nil || len(got) != 2 || got[0][0] == got[1][0] {
		t.Errorf("%s over two shards: %v, %v; want both ids", q, got, err)
	}
	if r := onShard(b); len(r) != 0 {
		t.Errorf("after %s the shard of %d holds %v", q, b, r)
	}

	// An unsharded table's server generates the id, which the session
	// does not see: LAST_INSERT_ID() is refused, not answered wrong.
	var plainID int
	if err := db.QueryRowContext(ctx, "INSERT INTO rets_plain (v) VALUES ('u') RETURNING id").Scan(&plainID); err != nil || plainID == 0 {
		t.Fatalf("INSERT … RETURNING of an unsharded table: %d, %v", plainID, err)
	}
	switch err = db.QueryRowContext(ctx, "SELECT LAST_INSERT_ID()").Scan(&last); {
	case err == nil && last != plainID:
		t.Errorf("LAST_INSERT_ID() after the server generated %d: %d", plainID, last)
	case err != nil && mysqlErrNum(err) != 1235:
		t.Errorf("LAST_INSERT_ID() after the server generated %d: %v, want %d or a refusal (1235)", plainID, err, plainID)
	}
}
