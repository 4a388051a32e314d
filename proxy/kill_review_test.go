package proxy_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	vtmysql "vitess.io/vitess/go/mysql"
	"vitess.io/vitess/go/mysql/sqlerror"

	"github.com/scalelab/scalelab/proxy"
)

// TestKillReview: texts MariaDB runs as a KILL that neither the proxy's
// KILL nor the router's refusal catches reach the first shard's primary
// as written, where the number names another client's pooled backend
// connection: here, the one that holds b's transaction. And a KILL whose
// QUERY is in a MariaDB comment /*M! … */, which MariaDB runs as KILL
// QUERY (refused for another connection), ends the connection.
func TestKillReview(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	setup := f.vtConn(t)
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS kill_rv (id INT PRIMARY KEY)",
		"DELETE FROM kill_rv",
	} {
		mustFetch(t, setup, q)
	}
	// inTx starts a transaction on c holding row id; it returns the id
	// of the backend connection it is pinned to.
	inTx := func(t *testing.T, c *vtmysql.Conn, id int) uint64 {
		t.Helper()
		mustFetch(t, c, "BEGIN")
		mustFetch(t, c, fmt.Sprintf("INSERT INTO kill_rv (id) VALUES (%d)", id))
		n, err := mustFetch(t, c, "SELECT CONNECTION_ID()").Rows[0][0].ToUint64()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	committed := func(t *testing.T, c *vtmysql.Conn, id int) {
		t.Helper()
		if _, err := c.ExecuteFetch("COMMIT", 1, false); err != nil {
			t.Fatalf("the victim's transaction was ended: COMMIT: %v", err)
		}
		r := mustFetch(t, setup, fmt.Sprintf("SELECT COUNT(*) FROM kill_rv WHERE id = %d FOR UPDATE", id))
		if got := r.Rows[0][0].ToString(); got != "1" {
			t.Errorf("row %d: count %s after the commit, want 1", id, got)
		}
	}

	for i, texts := range [][]string{
		{"\vKILL %d"},
		{"SET STATEMENT max_statement_time=100 FOR KILL %d"},
		{"BEGIN NOT ATOMIC KILL %d; END"},
		{"IF 1 THEN KILL %d; END IF"},
		{"PREPARE kill_rv_s FROM 'KILL %d'", "EXECUTE kill_rv_s"},
	} {
		t.Run(fmt.Sprintf("%q", texts), func(t *testing.T) {
			// The killer is a client without CLIENT_MULTI_STATEMENTS
			// (vtmysql asks for them, and the proxy would split a
			// compound statement at its semicolons).
			a, err := f.open(t, func(c *mysql.Config) { c.MultiStatements = false }).Conn(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			b := f.vtConn(t)
			backend := inTx(t, b, 100+i)
			for _, q := range texts {
				if strings.Contains(q, "%d") {
					q = fmt.Sprintf(q, backend)
				}
				if _, err := a.ExecContext(context.Background(), q); err == nil {
					t.Errorf("%q ran", q)
				}
			}
			committed(t, b, 100+i)
		})
	}

	for i, q := range []string{"KILL /*M!QUERY*/ %d", "KILL /*M!100000 QUERY*/ %d"} {
		t.Run(q, func(t *testing.T) {
			a, b := f.vtConn(t), f.vtConn(t)
			inTx(t, b, 200+i)
			// MariaDB runs the comment's QUERY: KILL QUERY of another
			// connection, which the proxy refuses.
			wantCode(t, a, fmt.Sprintf(q, b.ConnectionID), sqlerror.ERNotSupportedYet)
			committed(t, b, 200+i)
		})
	}
}
