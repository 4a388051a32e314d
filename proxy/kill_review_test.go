package proxy_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

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
	k := newKillTable(t, f, "kill_rv")
	inTx, committed := k.inTx, k.committed

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
