package router_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/router"
)

// TestSessionLastInsertID: LAST_INSERT_ID() in a session is the id its own
// last insert generated, on whatever pooled connection, replica or
// primary, the statement runs, in a read, in a write that uses it (the
// idiom that links a child row to the parent just inserted), inside and
// outside a transaction; a write that generates no id leaves it; each
// session has its own; the column keeps its name.
func TestSessionLastInsertID(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	ctx := context.Background()
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS lid_parent (id BIGINT AUTO_INCREMENT PRIMARY KEY, v INT)",
		"CREATE TABLE IF NOT EXISTS lid_child (id BIGINT AUTO_INCREMENT PRIMARY KEY, parent BIGINT)",
	} {
		if _, err := r.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	a, b := r.NewSession(), r.NewSession()
	defer a.Close()
	defer b.Close()
	lastID := func(s *router.Session) int64 {
		t.Helper()
		var id int64
		if err := s.GetContext(ctx, &id, "SELECT LAST_INSERT_ID()"); err != nil {
			t.Fatal(err)
		}
		return id
	}
	if got := lastID(a); got != 0 {
		t.Errorf("before any insert: %d, want 0", got)
	}
	res, err := a.ExecContext(ctx, "INSERT INTO lid_parent (v) VALUES (1)")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := res.LastInsertId()
	if _, err := b.ExecContext(ctx, "INSERT INTO lid_parent (v) VALUES (2)"); err != nil {
		t.Fatal(err)
	}
	for range 6 { // over every node the reads go to
		if got := lastID(a); got != want {
			t.Fatalf("session a: LAST_INSERT_ID() = %d, want %d", got, want)
		}
	}
	if got := lastID(b); got != want+1 {
		t.Errorf("session b: LAST_INSERT_ID() = %d, want %d", got, want+1)
	}
	// A write that uses it, then an insert that generates no id.
	if _, err := a.ExecContext(ctx, "INSERT INTO lid_child (parent) VALUES (LAST_INSERT_ID())"); err != nil {
		t.Fatal(err)
	}
	var parent int64
	a.SetConsistency(router.Strong) // the child row, on the primary
	if err := a.GetContext(ctx, &parent, "SELECT parent FROM lid_child WHERE id = LAST_INSERT_ID()"); err != nil || parent != want {
		t.Errorf("the child row's parent: %d, %v; want %d", parent, err, want)
	}
	a.SetConsistency("")
	child := lastID(a)
	if _, err := a.ExecContext(ctx, "UPDATE lid_parent SET v = v + 1 WHERE id = ?", want); err != nil {
		t.Fatal(err)
	}
	if got := lastID(a); got != child {
		t.Errorf("after an update: %d, want %d still", got, child)
	}
	// In a transaction.
	if _, err := a.ExecContext(ctx, "BEGIN"); err != nil {
		t.Fatal(err)
	}
	res, err = a.ExecContext(ctx, "INSERT INTO lid_parent (v) VALUES (4)")
	if err != nil {
		t.Fatal(err)
	}
	inTx, _ := res.LastInsertId()
	if got := lastID(a); got != inTx {
		t.Errorf("in a transaction: %d, want %d", got, inTx)
	}
	if _, err := a.ExecContext(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	// The column's name is the call's, as the server names it.
	rows, err := a.QueryContext(ctx, "SELECT last_insert_id(), LAST_INSERT_ID() AS id")
	if err != nil {
		t.Fatal(err)
	}
	cols, _ := rows.Columns()
	var x, y sql.NullInt64
	for rows.Next() {
		rows.Scan(&x, &y)
	}
	rows.Close()
	if len(cols) != 2 || cols[0] != "last_insert_id()" || cols[1] != "id" || x.Int64 != inTx || y.Int64 != inTx {
		t.Errorf("columns %q, values %v %v; want [last_insert_id() id], %d", cols, x, y, inTx)
	}
}

// TestSessionLastInsertIDExplicit: an INSERT that gives its AUTO_INCREMENT
// column a value in every row generates no id, and LAST_INSERT_ID() keeps
// the last one generated, as on a server, though the answer carries the
// value given (as mysql_insert_id() returns it); a 0, a NULL or DEFAULT
// in one row, or the column left out, generates one. Before, the session
// took every id an answer carried, and a child row inserted with
// LAST_INSERT_ID() after an explicit-id insert pointed at the wrong
// parent.
func TestSessionLastInsertIDExplicit(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	ctx := context.Background()
	if _, err := r.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS lid_explicit (v INT, id BIGINT AUTO_INCREMENT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	s := r.NewSession()
	defer s.Close()
	lastID := func() int64 {
		t.Helper()
		var id int64
		if err := s.GetContext(ctx, &id, "SELECT LAST_INSERT_ID()"); err != nil {
			t.Fatal(err)
		}
		return id
	}
	insert := func(q string, args ...any) int64 {
		t.Helper()
		res, err := s.ExecContext(ctx, q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		id, _ := res.LastInsertId()
		return id
	}
	want := insert("INSERT INTO lid_explicit (v) VALUES (1)")
	base := want + 1000
	for i, step := range []struct {
		q         string
		args      []any
		generates bool
	}{
		{"INSERT INTO lid_explicit (id, v) VALUES (%d, 2)", nil, false},
		{"INSERT INTO lid_explicit VALUES (3, %d)", nil, false},
		{"INSERT INTO lid_explicit (v, id) VALUES (4, ?)", []any{"arg"}, false},
		{"REPLACE INTO lid_explicit (id, v) VALUES (%d, 6)", nil, false},
		{"INSERT INTO lid_explicit (id, v) VALUES (%d, 7), (0, 7)", nil, true},
		{"INSERT INTO lid_explicit (id, v) VALUES (%d, 8), (NULL, 8)", nil, true},
		{"INSERT INTO lid_explicit (id, v) VALUES (DEFAULT, 9)", nil, true},
		{"INSERT INTO lid_explicit (id, v) VALUES (' 0', 11)", nil, true},
		{"INSERT INTO lid_explicit (id, v) VALUES ('0.4', 12)", nil, true},
		{"INSERT INTO lid_explicit (id, v) VALUES (' %d', 13)", nil, false},
		{"INSERT INTO lid_explicit (id, v) VALUES (%d.0, 14)", nil, false},
		{"INSERT INTO lid_explicit (v) VALUES (10)", nil, true},
	} {
		id := base + int64(10*i)
		q := step.q
		if strings.Contains(q, "%") {
			q = fmt.Sprintf(q, id)
		}
		args := step.args
		if len(args) > 0 {
			args = []any{id}
		}
		got := insert(q, args...)
		if step.generates {
			want = got
		} else if got != id {
			t.Errorf("%s: the answer's insert id %d, want the value given, %d", q, got, id)
		}
		if got := lastID(); got != want {
			t.Errorf("after %s: LAST_INSERT_ID() = %d, want %d", q, got, want)
		}
	}
	// Without a column list, an invisible column takes no place in a row:
	// the id is the second value here, not the third.
	if _, err := r.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS lid_invisible (h INT INVISIBLE DEFAULT 0, v INT, id BIGINT AUTO_INCREMENT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	q := fmt.Sprintf("INSERT INTO lid_invisible VALUES (1, %d)", base+500)
	if got := insert(q); got != base+500 {
		t.Errorf("%s: the answer's insert id %d, want the value given, %d", q, got, base+500)
	}
	if got := lastID(); got != want {
		t.Errorf("after %s: LAST_INSERT_ID() = %d, want %d", q, got, want)
	}
}

// TestSessionRowCount: ROW_COUNT() in a session is the number of rows its
// previous statement changed (-1 after a read or an error), on whatever
// connection it runs; FOUND_ROWS(), which only the connection that ran
// the last SELECT can answer, is refused rather than answered wrong.
func TestSessionRowCount(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	ctx := context.Background()
	s := r.NewSession()
	defer s.Close()
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS rc_t (id BIGINT PRIMARY KEY, v INT)",
		"DELETE FROM rc_t",
		"INSERT INTO rc_t VALUES (1, 0), (2, 0), (3, 0)",
	} {
		if _, err := s.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	rowCount := func() int64 {
		t.Helper()
		var n int64
		if err := s.GetContext(ctx, &n, "SELECT ROW_COUNT()"); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := rowCount(); got != 3 {
		t.Errorf("after inserting 3 rows: %d, want 3", got)
	}
	if got := rowCount(); got != -1 {
		t.Errorf("after a SELECT: %d, want -1", got)
	}
	if _, err := s.ExecContext(ctx, "UPDATE rc_t SET v = 1 WHERE id <= 2"); err != nil {
		t.Fatal(err)
	}
	var both int64
	if err := s.GetContext(ctx, &both, "SELECT ROW_COUNT() + 10"); err != nil || both != 12 {
		t.Errorf("after updating 2 rows: ROW_COUNT() + 10 = %d, %v; want 12", both, err)
	}
	if _, err := s.ExecContext(ctx, "UPDATE rc_t SET v = 1 WHERE id = 1"); err != nil { // changes nothing
		t.Fatal(err)
	}
	if got := rowCount(); got != 0 {
		t.Errorf("after an update that changed nothing: %d, want 0", got)
	}
	_, err := s.ExecContext(ctx, "SELECT FOUND_ROWS()")
	if !errors.Is(err, router.ErrConnectionValue) {
		t.Errorf("FOUND_ROWS(): %v, want a refusal (router.ErrConnectionValue)", err)
	}
}

// TestSessionValuesWithArgs: a statement with placeholders and
// LAST_INSERT_ID() gets both its arguments and the session's value.
func TestSessionValuesWithArgs(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	ctx := context.Background()
	s := r.NewSession()
	defer s.Close()
	if _, err := s.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS lid_parent (id BIGINT AUTO_INCREMENT PRIMARY KEY, v INT)"); err != nil {
		t.Fatal(err)
	}
	res, err := s.ExecContext(ctx, "INSERT INTO lid_parent (v) VALUES (?)", 9)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	var got int64
	if err := s.GetContext(ctx, &got, "SELECT ? + LAST_INSERT_ID() + ?", 1000, 1); err != nil || got != id+1001 {
		t.Errorf("SELECT ? + LAST_INSERT_ID() + ?: %d, %v; want %d", got, err, id+1001)
	}
	s.SetConsistency(router.Strong)
	var v int64
	if err := s.GetContext(ctx, &v, "SELECT v FROM lid_parent WHERE id = LAST_INSERT_ID() AND v = ?", 9); err != nil || v != 9 {
		t.Errorf("a row by LAST_INSERT_ID() and an argument: %d, %v; want 9", v, err)
	}
}

// TestSessionLastInsertIDSet: LAST_INSERT_ID(expr) sets the value
// LAST_INSERT_ID() then returns. In a write (the sequence-table idiom,
// UPDATE seq SET id = LAST_INSERT_ID(id + 1)) the server reports it with
// the write and the session keeps it, in and out of a transaction; in any
// other statement it would set only the pooled connection's value, so the
// session refuses it and its value stays.
func TestSessionLastInsertIDSet(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	ctx := context.Background()
	s := r.NewSession()
	defer s.Close()
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS lid_seq (id BIGINT NOT NULL)",
		"DELETE FROM lid_seq",
		"INSERT INTO lid_seq VALUES (10)",
	} {
		if _, err := s.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	want := int64(10)
	next := func(in string) {
		t.Helper()
		if in == "transaction" {
			if _, err := s.ExecContext(ctx, "BEGIN"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.ExecContext(ctx, "UPDATE lid_seq SET id = LAST_INSERT_ID(id + 1)"); err != nil {
			t.Fatal(err)
		}
		want++
		if in == "transaction" {
			if _, err := s.ExecContext(ctx, "COMMIT"); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < 3; i++ {
			var got int64
			if err := s.GetContext(ctx, &got, "SELECT LAST_INSERT_ID()"); err != nil || got != want {
				t.Fatalf("%s: after UPDATE … LAST_INSERT_ID(id + 1), LAST_INSERT_ID() gave %d, %v; want %d", in, got, err, want)
			}
		}
	}
	next("autocommit")
	next("transaction")
	for _, q := range []string{"SELECT LAST_INSERT_ID(42)", "SELECT id FROM lid_seq WHERE LAST_INSERT_ID(id) > 0", "DO LAST_INSERT_ID(99)", "SET @lid = LAST_INSERT_ID(55)"} {
		if _, err := s.ExecContext(ctx, q); !errors.Is(err, router.ErrUnsupported) {
			t.Errorf("%s: got %v, want ErrUnsupported", q, err)
		}
		var got int64
		if err := s.GetContext(ctx, &got, "SELECT LAST_INSERT_ID()"); err != nil || got != want {
			t.Fatalf("after %s: LAST_INSERT_ID() gave %d, %v; want %d", q, got, err, want)
		}
	}
	next("autocommit")
}

// TestSessionValuesWithMariaDBCommentRefused: a session's LAST_INSERT_ID(),
// ROW_COUNT() or FOUND_ROWS() in a text with a /*M! … */ comment is
// refused. In the comment, the statement would read a pooled connection's
// value (another client's id); out of it, the router's rewrite, made from
// the syntax tree, would drop the comment's SQL. The same texts without
// the comment's call still run.
func TestSessionValuesWithMariaDBCommentRefused(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	ctx := context.Background()
	s := r.NewSession()
	defer s.Close()
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS lid_mc (id BIGINT AUTO_INCREMENT PRIMARY KEY, v INT)",
		"INSERT INTO lid_mc (v) VALUES (1)",
	} {
		if _, err := s.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{
		"SELECT 1 /*M! + LAST_INSERT_ID() */",
		"SELECT /*M! FOUND_ROWS() + */ 1",
		"SELECT v FROM lid_mc /*M! WHERE ROW_COUNT() >= 0 */",
		"SELECT LAST_INSERT_ID() /*M! , 2 */",
		"SELECT '/*M!', 1 /*M! + LAST_INSERT_ID() */", // a marker in a string hides none
	} {
		var got []int64
		err := s.SelectContext(ctx, &got, q)
		if !errors.Is(err, router.ErrUnsupported) {
			t.Errorf("%s: got %v, %v; want ErrUnsupported", q, got, err)
		} else if !strings.Contains(err.Error(), "/*M!") {
			t.Errorf("%s: the error does not name the comment: %v", q, err)
		}
	}
	// A comment the router cannot read as every server would.
	for _, q := range []string{"SELECT 'a\\' /*M! FOR UPDATE */ -- '", "SELECT 1 /*!99999 ' */ /*M! + LAST_INSERT_ID() */ -- ' */"} {
		var got []int64
		if err := s.SelectContext(ctx, &got, q); !errors.Is(err, router.ErrUnsupported) || !strings.Contains(err.Error(), "does not end where the router reads it") {
			t.Errorf("%s: got %v, %v; want ErrUnsupported for a comment it cannot read", q, got, err)
		}
	}
	// (On the primary: a replica may not have the new table yet.)
	s.SetConsistency(router.Strong)
	for _, q := range []string{"SELECT 1 /*M! + 1 */", "SELECT COUNT(*) FROM lid_mc /*M! WHERE v >= 0 */"} {
		var got []int64
		if err := s.SelectContext(ctx, &got, q); err != nil || len(got) == 0 {
			t.Errorf("%s: %v, %v; want rows", q, got, err)
		}
	}
}

// TestSessionViewKeepsSessionCalls: a view's LAST_INSERT_ID() runs when
// the view is read, so the session does not write its own value in: the
// view keeps the call, not a constant.
func TestSessionViewKeepsSessionCalls(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	ctx := context.Background()
	s := r.NewSession()
	defer s.Close()
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS lid_vt (id BIGINT AUTO_INCREMENT PRIMARY KEY, v INT)",
		"INSERT INTO lid_vt (v) VALUES (1)",
		"CREATE OR REPLACE VIEW lid_view AS SELECT LAST_INSERT_ID() AS id",
	} {
		if _, err := s.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var def string
	if err := r.With(router.Strong).GetContext(ctx, &def, "SELECT VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'lid_view'"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.ToLower(def), "last_insert_id()") {
		t.Errorf("the view keeps %q; want its LAST_INSERT_ID() call", def)
	}
}

// TestUnparsedSessionReadsRefused: a statement the router cannot parse
// that reads LAST_INSERT_ID(), ROW_COUNT() or FOUND_ROWS() is refused,
// where it ran on a pooled connection and read that connection's value
// (another client's id); a stored program whose body reads them is
// defined as written, as it runs on the connection that calls it.
func TestUnparsedSessionReadsRefused(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	ctx := context.Background()
	s := r.NewSession()
	defer s.Close()
	if _, err := s.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS lid_up (id BIGINT AUTO_INCREMENT PRIMARY KEY, v INT)"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ExecContext(ctx, "INSERT INTO lid_up (v) VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	// LIMIT ROWS EXAMINED is MariaDB's alone: the parser cannot read it.
	for _, q := range []string{
		"SELECT LAST_INSERT_ID() FROM DUAL WHERE 1 = 1 LIMIT ROWS EXAMINED 10",
		"SELECT ROW_COUNT() FROM DUAL WHERE 1 = 1 LIMIT ROWS EXAMINED 10",
		"SELECT FOUND_ROWS() FROM DUAL WHERE 1 = 1 LIMIT ROWS EXAMINED 10",
	} {
		var got []int64
		if err := s.SelectContext(ctx, &got, q); !errors.Is(err, router.ErrUnsupported) || !strings.Contains(err.Error(), "cannot parse") {
			t.Errorf("%s: got %v, %v; want ErrUnsupported naming the parse", q, got, err)
		}
	}
	var got []int64
	if err := s.SelectContext(ctx, &got, "SELECT 1 FROM DUAL WHERE 1 = 1 LIMIT ROWS EXAMINED 10"); err != nil || len(got) != 1 {
		t.Errorf("an unparsed text without session reads: %v, %v; want one row", got, err)
	}
	// The application user may not create routines: the server decides,
	// not the router.
	const proc = "CREATE OR REPLACE PROCEDURE lid_up_p() BEGIN SELECT LAST_INSERT_ID(); END"
	if _, err := s.ExecContext(ctx, proc); errors.Is(err, router.ErrUnsupported) {
		t.Errorf("%s: refused by the router: %v", proc, err)
	}
}
