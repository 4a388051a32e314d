package proxy_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/scalelab/scalelab/proxy"
)

// TestScatterErrorMidResult: a read over both shards whose rows raise an
// error part way (a BIGINT overflow on the rows past id 3000) fails at
// the client's fetch, after the rows before it, as on one server; the
// error took the place of the end of the result set. Sent after an end
// packet that said more results follow, it made the rows a whole answer
// in the text protocol (go-sql-driver's rows.Err() was nil, PyMySQL's
// fetchall() returned them), and the error the answer to the client's
// next statement.
func TestScatterErrorMidResult(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	db := f.open(t, func(c *mysql.Config) { c.MultiStatements = true })
	ctx := context.Background()
	for _, q := range []string{
		"DROP TABLE IF EXISTS midstream",
		"CREATE TABLE midstream (id BIGINT PRIMARY KEY, pad VARCHAR(200))",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var values []string
	for id := 1; id <= 4000; id++ {
		values = append(values, "("+strconv.Itoa(id)+", REPEAT('x', 200))")
		if len(values) == 500 {
			if _, err := db.ExecContext(ctx, "INSERT INTO midstream VALUES "+strings.Join(values, ", ")); err != nil {
				t.Fatal(err)
			}
			values = values[:0]
		}
	}
	waitFor(t, "the replicas to hold the rows", 30*time.Second, func() bool {
		var n int
		return db.QueryRowContext(ctx, "SELECT COUNT(*) FROM midstream").Scan(&n) == nil && n == 4000
	})

	for _, tc := range []struct {
		name, query string
		sets        int // result sets before the one that fails
	}{
		{"scatter", "SELECT id, pad, IF(id > 3000, id * 9223372036854775807, 0) AS x FROM midstream", 0},
		{"merged", "SELECT id, pad, IF(id > 3000, id * 9223372036854775807, 0) AS x FROM midstream ORDER BY id", 0},
		{"second statement", "SELECT 1; SELECT id, pad, IF(id > 3000, id * 9223372036854775807, 0) AS x FROM midstream", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			rows, err := conn.QueryContext(ctx, tc.query) // no arguments: the text protocol
			if err != nil {
				t.Fatal(err)
			}
			for range tc.sets {
				for rows.Next() {
				}
				if !rows.NextResultSet() {
					t.Fatalf("no next result set: %v", rows.Err())
				}
			}
			// As a client reads one result: its rows, then rows.Err()
			// (not NextResultSet, which would read an error sent as a
			// result of its own).
			n := 0
			for rows.Next() {
				n++
			}
			got := rows.Err()
			rows.Close()
			if mysqlErrNum(got) != 1690 {
				t.Errorf("after %d rows: rows.Err() = %v, want error 1690 (BIGINT value is out of range)", n, got)
			}
			if n >= 4000 {
				t.Errorf("read %d rows, want fewer than 4000 before the error", n)
			}
			var one int
			if err := conn.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
				t.Errorf("the next statement: %d, %v; want 1, no error", one, err)
			}
		})
	}
}
