package proxy_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/proxy"
)

// TestSetNamesBinaryMerges: a session whose results are binary (SET NAMES
// binary, as PHP's set_charset("binary")) gets text columns whose
// definitions say binary, but the servers still group, order and compare
// them by their collation: merged over shards, its answers are a utf8mb4
// session's, byte for byte. Before, the router compared their bytes:
// 'one' and 'ONE' were two groups, and 'é' sorted after 'z'.
func TestSetNamesBinaryMerges(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	execReplicated(t, f, "SELECT COUNT(*) FROM namesbin",
		"CREATE TABLE IF NOT EXISTS namesbin (id BIGINT PRIMARY KEY, v VARCHAR(20) COLLATE utf8mb4_general_ci)",
		"DELETE FROM namesbin WHERE id IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)",
		"INSERT INTO namesbin (id, v) VALUES (1, 'one'), (2, 'ONE'), (3, 'One '), (4, 'é'), (5, 'E'), (6, 'z'), (7, 'Z'), (8, 'b'), (9, 'B'), (10, NULL), (11, 'e'), (12, 'zz')",
	)
	ctx := context.Background()
	const rows = " FROM namesbin WHERE id BETWEEN 1 AND 12"
	// (A group's value is any of its rows': only its count, a key's
	// order and a distinct list's length are one server's answer.)
	queries := []string{
		"SELECT COUNT(*)" + rows + " GROUP BY v ORDER BY v",
		"SELECT COUNT(*), MIN(id)" + rows + " GROUP BY v ORDER BY 2",
		"SELECT id" + rows + " ORDER BY v, id",
		"SELECT id" + rows + " ORDER BY v DESC, id LIMIT 5",
		"SELECT LOWER(MAX(v)), LOWER(MIN(v))" + rows,
		"length: SELECT DISTINCT v" + rows,
	}
	answers := func(conn *sql.Conn) []string {
		var out []string
		for _, q := range queries {
			q, length := strings.CutPrefix(q, "length: ")
			rows, err := conn.QueryContext(ctx, q)
			if err != nil {
				out = append(out, q+": "+err.Error())
				continue
			}
			var got []string
			for _, vals := range scanRows(t, rows) {
				got = append(got, fmt.Sprintf("%v", vals))
			}
			if length {
				got = []string{fmt.Sprint(len(got), " rows")}
			}
			out = append(out, q+": "+strings.Join(got, " "))
		}
		return out
	}
	db := f.open(t, nil)
	plain, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	bin, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer bin.Close()
	if _, err := bin.ExecContext(ctx, "SET NAMES binary"); err != nil {
		t.Fatal(err)
	}
	want := answers(plain)
	// Twice: the second run's plan is the lean one the first taught.
	for run := range 2 {
		got := answers(bin)
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("run %d, SET NAMES binary:\n%s\na utf8mb4 session:\n%s", run+1, got[i], want[i])
			}
		}
	}
}
