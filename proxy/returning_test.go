package proxy_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
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

	// What one shard would answer from its own rows, what each shard
	// would answer its own, and what MariaDB does not read as RETURNING
	// are refused or failed as one server fails them, and write nothing.
	d, e := c+4000000, b+4000000
	for shardOf(d) == shardOf(e) {
		e++
	}
	for _, bad := range []struct {
		q     string
		codes []int
	}{
		{fmt.Sprintf("INSERT INTO rets (id, v) VALUES (%d, 's') RETURNING id, (SELECT COUNT(*) FROM rets)", d), []int{1235}},
		{fmt.Sprintf("INSERT INTO rets (id, v) VALUES (%d, 'r'), (%d, 'r') RETURNING id, ROWNUM()", d, e), []int{1235}},
		{fmt.Sprintf("INSERT INTO rets (id, v) VALUES (%d, 'r'), (%d, 'r') RETURNING id, @@port", d, e), []int{1235}},
		// (MariaDB reads two minus signs, and fails: 1064.)
		{"INSERT INTO rets (v) VALUES ('dash') --RETURNING id", []int{1064, 1235}},
	} {
		if got, err := rows(bad.q); !slices.Contains(bad.codes, mysqlErrNum(err)) {
			t.Errorf("%s: %v, %v; want error %v", bad.q, got, err, bad.codes)
		}
	}
	if r := append(onShard(d), onShard(e)...); len(r) != 0 {
		t.Errorf("a refused statement wrote %v", r)
	}
	var dashes int
	if err := db.QueryRowContext(ctx, "SELECT /*+ scalelab_consistency=strong */ COUNT(*) FROM rets WHERE v = 'dash'").Scan(&dashes); err != nil || dashes != 0 {
		t.Errorf("the text MariaDB fails (-- before RETURNING) wrote %d rows, %v", dashes, err)
	}
	// An ORM's statement ends in a semicolon.
	q = fmt.Sprintf("INSERT INTO rets (id, v) VALUES (%d, 'semi') RETURNING id;", c+5000000)
	got, err = rows(q)
	want(q, got, err, []any{int64(c + 5000000)})
	// A duplicate may keep a row's id: LAST_INSERT_ID() is not known.
	if _, err := rows("INSERT IGNORE INTO rets (v) VALUES ('ign') RETURNING id"); err != nil {
		t.Fatal(err)
	}
	switch err := db.QueryRowContext(ctx, "SELECT LAST_INSERT_ID()").Scan(&last); {
	case err == nil:
		t.Errorf("LAST_INSERT_ID() after INSERT IGNORE … RETURNING: %d, want a refusal (1235)", last)
	case mysqlErrNum(err) != 1235:
		t.Errorf("LAST_INSERT_ID() after INSERT IGNORE … RETURNING: %v, want a refusal (1235)", err)
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

// TestSetStatement: SET STATEMENT … FOR a read or a write of a sharded
// table runs on the shards the statement goes to, each with the
// variables (max_statement_time ends a scattered read that takes
// longer); one that sets a variable which may change the answer over
// shards is refused.
func TestSetStatement(t *testing.T) {
	rcfg := quiet()
	rcfg.AllowMultiShardWrites = true
	f := startProxy(t, proxy.Config{}, rcfg)
	ctx := context.Background()
	db := f.open(t, nil)
	db.SetMaxOpenConns(1)
	for _, q := range []string{
		// The reads follow the writes: a replica behind them answered
		// none of the rows (a flaky run).
		"SET scalelab_consistency = 'read-your-writes'",
		"CREATE TABLE IF NOT EXISTS rets (id BIGINT PRIMARY KEY, v VARCHAR(40))",
		"DELETE FROM rets",
		"INSERT INTO rets (id, v) VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd'), (5, 'e'), (6, 'f')",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	rows := func(q string) ([][]any, error) {
		rs, err := db.QueryContext(ctx, q)
		if err != nil {
			return nil, err
		}
		return scanRows(t, rs), nil
	}
	const lead = "SET STATEMENT max_statement_time = 10, lock_wait_timeout = 5 FOR "
	for _, tt := range []struct {
		q    string
		want string
	}{
		{lead + "SELECT v FROM rets WHERE id = 3", "[[c]]"},
		{lead + "SELECT id, v FROM rets ORDER BY v DESC LIMIT 2", "[[6 f] [5 e]]"},
		{lead + "SELECT COUNT(*), MAX(v) FROM rets", "[[6 f]]"},
		{lead + "SELECT v FROM rets WHERE id IN (1, 2, 3, 4) ORDER BY id", "[[a] [b] [c] [d]]"},
	} {
		got, err := rows(tt.q)
		if err != nil || fmt.Sprint(got) != tt.want {
			t.Errorf("%s: %v, %v; want %s", tt.q, got, err, tt.want)
		}
	}
	for _, q := range []string{
		lead + "UPDATE rets SET v = 'x' WHERE id = 1",
		lead + "UPDATE rets SET v = 'y' WHERE id IN (2, 3, 4, 5)",
		lead + "INSERT INTO rets (id, v) VALUES (7, 'g'), (8, 'h')",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
	if got, err := rows("SELECT /*+ scalelab_consistency=strong */ v FROM rets ORDER BY id"); err != nil || fmt.Sprint(got) != "[[x] [y] [y] [y] [y] [f] [g] [h]]" {
		t.Errorf("after the writes: %v, %v; want x y y y y f g h", got, err)
	}
	// The variables reach every shard's part: each ends its own.
	if _, err := rows("SET STATEMENT max_statement_time = 0.01 FOR SELECT SLEEP(0.2) FROM rets"); mysqlErrNum(err) != 1969 {
		t.Errorf("a scattered read past its max_statement_time: %v, want it ended (1969)", err)
	}
	if _, err := rows("SET STATEMENT sql_select_limit = 1 FOR SELECT v FROM rets"); mysqlErrNum(err) != 1235 {
		t.Errorf("SET STATEMENT sql_select_limit over shards: %v, want it refused (1235): each shard would answer its own first row", err)
	}
}

// TestStatementFormsAnswers: the answers around a statement that the
// parser does not read whole (SET STATEMENT … FOR, RETURNING) are its
// statement's, and a value the router's own way of running a statement
// would change is refused, not answered: from an independent review.
//   - LAST_INSERT_ID() keeps its value after an INSERT that gave its
//     AUTO_INCREMENT id, SET STATEMENT … FOR or not, and is refused
//     after one whose ids a SELECT gave (the server may have generated
//     one, or not);
//   - a client of CLIENT_FOUND_ROWS (Connector/J) gets the rows an
//     UPDATE or an upsert matched, where it got those it changed;
//   - a write over shards refuses @@autocommit and @@in_transaction
//     (each part runs in a transaction of the router's), and writes
//     nothing; a session whose autocommit is off refuses @@autocommit
//     (the router keeps the servers' on); @@last_gtid is a pooled
//     connection's.
func TestStatementFormsAnswers(t *testing.T) {
	rcfg := quiet()
	rcfg.AllowMultiShardWrites = true
	f := startProxy(t, proxy.Config{}, rcfg)
	ctx := context.Background()
	db := f.open(t, nil)
	db.SetMaxOpenConns(1) // one session
	exec := func(q string) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS rets (id BIGINT PRIMARY KEY, v VARCHAR(40))",
		"DELETE FROM rets",
		"INSERT INTO rets (id, v) VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd'), (5, 'e'), (6, 'f')",
		"DROP TABLE IF EXISTS forms_auto",
		"CREATE TABLE forms_auto (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(40))",
	} {
		exec(q)
	}
	lastID := func() (int64, error) {
		var id int64
		err := db.QueryRowContext(ctx, "SELECT LAST_INSERT_ID()").Scan(&id)
		return id, err
	}

	res, err := db.ExecContext(ctx, "INSERT INTO forms_auto (v) VALUES ('base')")
	if err != nil {
		t.Fatal(err)
	}
	base, _ := res.LastInsertId()
	for _, q := range []string{
		"SET STATEMENT max_statement_time = 10 FOR INSERT INTO forms_auto (id, v) VALUES (300, 'given')",
		"INSERT INTO forms_auto (id, v) VALUES (301, 'given')",
	} {
		exec(q)
		if id, err := lastID(); err != nil || id != base {
			t.Errorf("LAST_INSERT_ID() after %s: %d, %v; want %d, the id the server last generated", q, id, err, base)
		}
	}
	exec("INSERT INTO forms_auto (id, v) SELECT 7000, 'selected'")
	if id, err := lastID(); mysqlErrNum(err) != 1235 {
		t.Errorf("LAST_INSERT_ID() after an INSERT … SELECT that gives its id: %d, %v; want it refused (1235): the server keeps %d", id, err, base)
	}
	exec("INSERT INTO forms_auto (v) VALUES ('generated')")
	if id, err := lastID(); err != nil || id <= 7000 {
		t.Errorf("LAST_INSERT_ID() after an id generated again: %d, %v; want it past 7000", id, err)
	}

	found := f.open(t, func(c *mysql.Config) { c.ClientFoundRows = true })
	found.SetMaxOpenConns(1)
	for _, tt := range []struct {
		q    string
		want int64
	}{
		{"UPDATE rets SET v = v WHERE id IN (1, 2, 3, 4)", 4},
		{"SET STATEMENT max_statement_time = 10 FOR UPDATE rets SET v = v WHERE id IN (1, 2, 3, 4)", 4},
		{"SET STATEMENT max_statement_time = 10 FOR UPDATE rets SET v = v WHERE id = 1", 1},
		{"SET STATEMENT max_statement_time = 10 FOR UPDATE forms_auto SET v = v", 5},
		{"SET STATEMENT max_statement_time = 10 FOR INSERT INTO rets (id, v) VALUES (1, 'a'), (2, 'b') ON DUPLICATE KEY UPDATE v = v", 2},
	} {
		res, err := found.ExecContext(ctx, tt.q)
		if err != nil {
			t.Errorf("%s: %v", tt.q, err)
			continue
		}
		if n, _ := res.RowsAffected(); n != tt.want {
			t.Errorf("%s with CLIENT_FOUND_ROWS: %d rows, want %d matched", tt.q, n, tt.want)
		}
	}

	for _, q := range []string{
		"DELETE FROM rets WHERE id IN (1, 2, 3, 4, 5, 6) AND @@autocommit = 1",
		"UPDATE rets SET v = @@in_transaction WHERE id IN (1, 2, 3, 4, 5, 6)",
		"SET STATEMENT max_statement_time = 10 FOR UPDATE rets SET v = @@session.autocommit WHERE id IN (1, 2, 3, 4, 5, 6)",
		"INSERT INTO rets (id, v) VALUES (11, 'x'), (12, 'x'), (13, 'x'), (14, 'x') RETURNING id, @@in_transaction",
		"UPDATE rets SET v = @@last_gtid WHERE id = 1",
	} {
		if _, err := db.ExecContext(ctx, q); mysqlErrNum(err) != 1235 {
			t.Errorf("%s: %v; want it refused (1235)", q, err)
		}
	}
	rs, err := db.QueryContext(ctx, "SELECT /*+ scalelab_consistency=strong */ id, v FROM rets ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(scanRows(t, rs)); got != "[[1 a] [2 b] [3 c] [4 d] [5 e] [6 f]]" {
		t.Errorf("after the refused writes: %s; want the 6 rows as they were", got)
	}
	refused := func(q string) error {
		rs, err := db.QueryContext(ctx, q)
		if err == nil {
			rs.Close()
		}
		return err
	}
	if err := refused("SELECT @@last_gtid"); mysqlErrNum(err) != 1235 {
		t.Errorf("SELECT @@last_gtid: %v; want it refused (1235): it is the last transaction of a pooled connection", err)
	}

	var on int
	if err := db.QueryRowContext(ctx, "SELECT @@autocommit").Scan(&on); err != nil || on != 1 {
		t.Errorf("SELECT @@autocommit under autocommit: %d, %v; want 1", on, err)
	}
	exec("SET autocommit = 0")
	for _, q := range []string{"SELECT @@autocommit", "SELECT v, @@session.autocommit FROM rets WHERE id = 1"} {
		if err := refused(q); mysqlErrNum(err) != 1235 {
			t.Errorf("%s with autocommit off: %v; want it refused (1235): the servers would answer 1", q, err)
		}
	}
	exec("ROLLBACK")
	exec("SET autocommit = 1")
}
