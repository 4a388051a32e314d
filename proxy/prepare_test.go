package proxy_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/proxy"
)

// prepares returns a do for stepper.same that sends a COM_STMT_PREPARE of
// q and reads its whole answer: the error packet, or "prepared" with the
// statement's counts of parameters and columns.
func prepares(q string) func(c *rawClient, id uint32) []string {
	return func(c *rawClient, _ uint32) []string {
		c.write(append([]byte{0x16}, q...))
		p := c.read()
		if p[0] != 0 {
			return []string{fmt.Sprintf("%q", p)}
		}
		params, cols := c.definitions(p)
		return []string{fmt.Sprintf("prepared: %d parameters, %d columns", params, cols)}
	}
}

// prepareTexts are the texts of TestPrepareRefused's prepares: ones the
// server refuses for their text, then ones it prepares.
var prepareTexts = []string{
	"SELEC v FROM kvs WHERE id = ?",
	"SELECT v FROM kvs WHERE id = ? AND",
	"SELECT v FROM kvs WHERE id = ?; SELECT 1",
	"SELECT v FROM prep_no_such_table WHERE id = ?",
	"SELECT no_such_column FROM kvs WHERE id = ?",
	"SELECT id FROM kvs a JOIN kvs b USING (v) WHERE id = ?",
	"SELECT prep_no_such_function(v) FROM kvs WHERE id = ?",
	"UPDATE kvs SET no_such_column = ? WHERE id = 9101",
	"INSERT INTO prep_no_such_table (id) VALUES (?)",
	"DELETE FROM kvs WHERE no_such_column = ?",
	"SELECT v FROM kvs WHERE id = (SELECT id, v FROM kvs LIMIT 1)",
	"SELECT COUNT(*) FROM kvs GROUP BY SUM(id)",
	"SELECT 1;;",
	";",
	"",
	"/* only a comment */",
	// And ones the server prepares.
	"SELECT v, n FROM kvs WHERE id = ?",
	"SELECT ? + ?",
	"UPDATE kvs SET v = ? WHERE id = 9101 AND v = ?",
	// A LIMIT ? takes no NULL, with which the describer asks first.
	"SELECT v, n FROM kvs WHERE id > ? ORDER BY id LIMIT ?",
	"SELECT v FROM kvs ORDER BY id LIMIT ?, ?",
}

// TestPrepareRefused: a COM_STMT_PREPARE the server refuses for its text
// (its syntax, a table, column or function it does not know) is refused by
// the proxy with the server's own error, where the proxy used to prepare
// it and refuse only its executions; one the server prepares is
// prepared, also in a session whose temporary table the pooled
// connections do not have, and a table dropped since a prepare is not
// there for the next. Each answer is compared with a shard primary's.
func TestPrepareRefused(t *testing.T) {
	againstNode(t, func(t *testing.T, f *fixture, rc, node *rawClient) {
		s := newStepper(t, rc, node)
		for _, q := range prepareTexts {
			s.same("a prepare of "+q, "0", prepares(q))
			// The connection goes on after a refused prepare.
			s.same("a prepare after "+q, "0", prepares("SELECT v FROM kvs WHERE id = ?"))
		}

		// A temporary table of the session: the server prepares a
		// statement on it, and so does the proxy, though its pooled
		// connections have no such table.
		for _, c := range []*rawClient{rc, node} {
			if _, err := c.c.ExecuteFetch("CREATE TEMPORARY TABLE prep_tmp (id BIGINT PRIMARY KEY, v VARCHAR(10))", 0, false); err != nil {
				t.Fatal(err)
			}
		}
		// (Its columns are not described: the describer asks a pooled
		// connection, which has no such table.)
		s.same("a prepare on a temporary table", "0", func(c *rawClient, id uint32) []string {
			a := prepares("SELECT v FROM prep_tmp WHERE id = ?")(c, id)
			return []string{strings.Split(a[0], ",")[0]}
		})
	})
}

// TestPrepareAfterDrop: a text prepared once is remembered as one the
// server prepares only until a DDL statement; after a DROP TABLE its
// prepare gets the server's error, as on the server.
func TestPrepareAfterDrop(t *testing.T) {
	againstNode(t, func(t *testing.T, f *fixture, rc, node *rawClient) {
		s := newStepper(t, rc, node)
		db := f.open(t, nil)
		ctx := context.Background()
		const q = "SELECT v FROM prep_gone WHERE id = ?"
		if _, err := db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS prep_gone (id BIGINT PRIMARY KEY, v VARCHAR(10))"); err != nil {
			t.Fatal(err)
		}
		s.same("a prepare on a table", "0", prepares(q))
		if _, err := db.ExecContext(ctx, "DROP TABLE prep_gone"); err != nil {
			t.Fatal(err)
		}
		s.same("its prepare once the table is dropped", "0", prepares(q))
	})
}

// TestPrepareRefusedDriver: go-sql-driver's prepares (COM_STMT_PREPARE,
// which it sends for a query with arguments) get the server's answer
// through the proxy, with and without CLIENT_MULTI_STATEMENTS, which
// decides whether the protocol library splits the text.
func TestPrepareRefusedDriver(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	setupPrepared(t, f)
	ctx := context.Background()
	for _, multi := range []bool{false, true} {
		t.Run(fmt.Sprintf("multiStatements=%v", multi), func(t *testing.T) {
			set := func(c *mysql.Config) { c.MultiStatements = multi }
			db := f.open(t, set)
			node := f.open(t, func(c *mysql.Config) { set(c); c.Addr = f.topo.Shards[0].Primary.HostPort })
			for _, q := range prepareTexts {
				answer := func(db *sql.DB) string {
					st, err := db.PrepareContext(ctx, q)
					if err != nil {
						return err.Error()
					}
					st.Close()
					return "prepared"
				}
				if got, want := answer(db), answer(node); got != want {
					t.Errorf("prepare %q: the proxy answered %q, the server %q", q, got, want)
				}
			}
		})
	}
}

// TestPrepareRouteCommand: SHOW scalelab_route, which the proxy answers
// itself and no server knows, prepares and runs through a driver that
// prepares every statement with arguments; the node's refusal of its text
// is not the answer.
func TestPrepareRouteCommand(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	setupPrepared(t, f)
	rows, err := f.open(t, nil).QueryContext(context.Background(), "SHOW scalelab_route SELECT v FROM kvs WHERE id = ?", 9101)
	if err != nil {
		t.Fatalf("a prepared SHOW scalelab_route: %v", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	if err := rows.Err(); err != nil || n == 0 {
		t.Errorf("a prepared SHOW scalelab_route gave %d rows (%v), want its trace", n, err)
	}
}
