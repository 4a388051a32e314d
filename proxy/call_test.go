package proxy_test

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/proxy"
)

// callProcedures are the procedures TestCall calls, created on every
// shard's primary: a CALL runs where the first shard's does.
var callProcedures = []string{
	"CREATE TABLE IF NOT EXISTS call_ai (id INT AUTO_INCREMENT PRIMARY KEY, v INT)",
	"DROP PROCEDURE IF EXISTS call_ins",
	"CREATE PROCEDURE call_ins() BEGIN INSERT INTO call_ai (v) VALUES (1); INSERT INTO call_ai (v) VALUES (2), (3); END",
	"DROP PROCEDURE IF EXISTS call_sets",
	"CREATE PROCEDURE call_sets() BEGIN SELECT 1 AS a; INSERT INTO call_ai (v) VALUES (4); SELECT 2 AS b, 'x' AS c; END",
	"DROP PROCEDURE IF EXISTS call_var",
	"CREATE PROCEDURE call_var() BEGIN SET @call_x = 5; END",
	"DROP PROCEDURE IF EXISTS call_temp",
	"CREATE PROCEDURE call_temp() BEGIN CREATE TEMPORARY TABLE call_tt (a INT); INSERT INTO call_tt VALUES (7), (8); END",
	"DROP PROCEDURE IF EXISTS call_nothing",
	"CREATE PROCEDURE call_nothing() BEGIN END",
}

// TestCall: a CALL through the proxy answers as on one connection to the
// server: each of its result sets, then the procedure's closing OK with
// its rows affected. The session keeps what the procedure left on its
// connection (a user variable it SET, a temporary table it created), and
// ROW_COUNT() and LAST_INSERT_ID() after it are the server's. Before, a
// CALL ran on a pooled connection: @call_x read NULL and call_tt did not
// exist (or another client's pooled connection had them), the rows
// affected were 0, ROW_COUNT() -1 and LAST_INSERT_ID() the session's
// last write's, and the closing OK after the result sets was dropped.
func TestCall(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	ctx := context.Background()
	for _, s := range f.topo.Shards {
		admin := dbtest.OpenAdmin(t, f.topo, s.Primary.HostPort)
		for _, q := range callProcedures {
			if _, err := admin.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	first := dbtest.OpenAdmin(t, f.topo, f.topo.Shards[0].Primary.HostPort)
	// Each side starts from the same ids.
	reset := func() {
		for _, q := range []string{"DELETE FROM call_ai", "ALTER TABLE call_ai AUTO_INCREMENT = 1"} {
			if _, err := first.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	texts := []string{
		"CALL call_ins()",
		"SELECT ROW_COUNT(), LAST_INSERT_ID()",
		"CALL call_sets()",
		"SELECT ROW_COUNT(), LAST_INSERT_ID()",
		"CALL call_nothing()",
		"SELECT ROW_COUNT()",
		"CALL call_var()",
		"SELECT @call_x",
		"CALL call_temp()",
		"SELECT a FROM call_tt ORDER BY a",
		"INSERT INTO call_ai (v) VALUES (9)",
		"CALL call_nothing",
		"SELECT LAST_INSERT_ID()",
	}
	// answers is every result of each text, as a client reads them:
	// its columns, rows, rows affected, id and whether more follow.
	answers := func(addr string) []string {
		reset()
		c := dialRawWith(t, f, addr, nil)
		var out []string
		for _, text := range texts {
			if err := c.c.WriteComQuery(text); err != nil {
				t.Fatal(err)
			}
			for more := true; more; {
				r, m, _, err := c.c.ReadQueryResult(100, true)
				if err != nil {
					t.Fatalf("%s at %s: %v", text, addr, err)
				}
				more = m
				var names []string
				for _, fd := range r.Fields {
					names = append(names, fd.Name)
				}
				out = append(out, fmt.Sprintf("%s: columns %v rows %v, %d affected, id %d, more %v", text, names, r.Rows, r.RowsAffected, r.InsertID, more))
			}
		}
		return out
	}
	got := answers(net.JoinHostPort(f.host, strconv.Itoa(f.port)))
	want := answers(f.topo.Shards[0].Primary.HostPort)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("through the proxy:\n%s\nthe server:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// A prepared CALL of a procedure that returns no result set: its
	// rows affected, as the server says them.
	affected := func(db *sql.DB) int64 {
		reset()
		st, err := db.PrepareContext(ctx, "CALL call_ins()")
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		res, err := st.ExecContext(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got, want := affected(f.open(t, nil)), affected(first); got != want {
		t.Errorf("prepared CALL call_ins(): %d rows affected, the server says %d", got, want)
	}
}
