package proxy_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/proxy"
)

// TestBinaryFloats: a prepared statement's rows reach its client in the
// binary protocol, a FLOAT as its four bytes and a DOUBLE as its eight,
// whether the proxy relays the read, merges it over shards, or runs it on
// a session's own connection: as each shard's server answers the same
// execution, also where a DOUBLE parameter sizes an expression. Before,
// the router read the rows it merged or ran itself in text, whose
// rounding the client got (1234.5677 was 1234.57, a DOUBLE(12,3)'s
// 0.3333333333333333 was 0.333).
func TestBinaryFloats(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	execReplicated(t, f, "SELECT COUNT(*) FROM floats",
		"CREATE TABLE IF NOT EXISTS floats (id BIGINT PRIMARY KEY, f FLOAT, fd FLOAT(10,4), d DOUBLE, dd DOUBLE(12,3))",
		"DELETE FROM floats WHERE id IN (1, 2, 3, 4, 5)",
		"INSERT INTO floats (id, f, fd, d, dd) VALUES (1, 1234.5677, 12.3456, 1e0 / 3, 1e0 / 3), (2, 0.12345678, -7.6543, 2e0 / 3, 100000.5), (3, 16777216, 0.1, 1e300, -1e0 / 7), (4, -7.654321, NULL, 0.1e0 + 0.2e0, 2.5), (5, 100000.5, 1, -2e-300, 1e0 / 9)",
	)
	ctx := context.Background()
	// rows runs q with args (a server-side prepared statement: the
	// driver does not interpolate) on db, and prints each row's values
	// as the driver decoded them, typed (float32 for a FLOAT).
	rows := func(db interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	}, q string, args ...any) []string {
		t.Helper()
		rs, err := db.QueryContext(ctx, q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var out []string
		for _, vals := range scanRows(t, rs) {
			out = append(out, fmt.Sprintf("%T%v", vals[1], vals))
		}
		return out
	}
	// want is every shard's primary's answer, sorted as text.
	want := func(q string, args ...any) []string {
		var all []string
		for _, s := range f.topo.Shards {
			cfg := f.topo.MySQLConfig(s.Primary.HostPort, f.topo.User)
			cfg.InterpolateParams = false
			conn, err := mysql.NewConnector(cfg)
			if err != nil {
				t.Fatal(err)
			}
			db := sql.OpenDB(conn)
			all = append(all, rows(db, q, args...)...)
			db.Close()
		}
		slices.Sort(all)
		return all
	}
	db := f.open(t, func(c *mysql.Config) { c.InterpolateParams = false })
	queries := []string{
		"SELECT id, f, fd, d, dd, d / 3, f * 1, fd * 1 FROM floats WHERE id > ? ORDER BY id", // merged
		"SELECT id, f, fd, d, dd FROM floats WHERE id = ?",                                   // relayed
	}
	for _, q := range queries {
		var got, wantRows []string
		for id := range 6 {
			arg := id
			if strings.Contains(q, "id > ?") {
				arg = 0
			}
			got = append(got, rows(db, q, arg)...)
			wantRows = append(wantRows, want(q, arg)...)
			if arg == 0 {
				break
			}
		}
		slices.Sort(got)
		slices.Sort(wantRows)
		if strings.Join(got, "\n") != strings.Join(wantRows, "\n") {
			t.Errorf("%s: through the proxy\n%s\nthe shards' servers\n%s", q, strings.Join(got, "\n"), strings.Join(wantRows, "\n"))
		}
	}
	// A DOUBLE parameter in an expression that the server sizes by its
	// arguments' widths: bound as 1e+18 (a literal of five characters),
	// ? DIV 1 was an INT, and the merge failed at its first row (1e18
	// is past an INT's range in the binary protocol).
	for _, x := range []float64{1e18, 3, -2.5e-7} {
		q := "SELECT id, ? DIV 1, ? * 2, ROUND(?, 2) FROM floats WHERE id > 0 ORDER BY id"
		got, w := rows(db, q, x, x, x), want(q, x, x, x)
		slices.Sort(got)
		if strings.Join(got, "\n") != strings.Join(w, "\n") {
			t.Errorf("%s (DOUBLE %g, merged): through the proxy\n%s\nthe shards' servers\n%s", q, x, strings.Join(got, "\n"), strings.Join(w, "\n"))
		}
	}
	// A session with state runs its reads on connections of its own.
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET @state = 1"); err != nil {
		t.Fatal(err)
	}
	for id := 1; id <= 5; id++ {
		q := "SELECT id, f, fd, d, dd FROM floats WHERE id = ?"
		if got, w := rows(conn, q, id), want(q, id); strings.Join(got, "\n") != strings.Join(w, "\n") {
			t.Errorf("%s (%d) in a session with state: through the proxy %v, the server %v", q, id, got, w)
		}
	}
}

// scanRows reads rows to their end and closes them: each row's values as
// the driver decoded them, bytes as a string.
func scanRows(t *testing.T, rows *sql.Rows) [][]any {
	t.Helper()
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
		}
		out = append(out, vals)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
