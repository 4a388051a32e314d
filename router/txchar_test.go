package router_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/router"
)

// TestTransactionCharacteristics: START TRANSACTION READ ONLY, and SET
// TRANSACTION (the next transaction's characteristics), through a
// session answer as one server's connection answers the same statements.
// The router began every transaction read-write, so a write in a READ
// ONLY one was stored, and it replayed SET TRANSACTION READ ONLY on its
// connections as a session's SET, so every later write was refused. Each
// sequence runs through a session and on the primary's own connection;
// each statement's outcome (done, or the server's error number; a
// refusal of the router's matches any error) and the rows at the end are
// compared. A statement marked ! is one the router refuses (it cannot
// tell whether the server spends the characteristics on it).
func TestTransactionCharacteristics(t *testing.T) {
	r, sb := openRouter(t, router.Config{Replica: quiet()})
	ctx := context.Background()
	db := dbtest.Open(t, sb.Topology, sb.Topology.Shards[0].Primary.HostPort)
	if _, err := db.Exec("CREATE TABLE IF NOT EXISTS txchar (id INT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	outcome := func(err error) string {
		var me *mysql.MySQLError
		switch {
		case err == nil:
			return "done"
		case errors.As(err, &me):
			return fmt.Sprintf("error %d", me.Number)
		case errors.Is(err, router.ErrUnsupported):
			return "refused"
		}
		return err.Error()
	}
	rows := func() string {
		var ids string
		if err := db.QueryRowContext(ctx, "SELECT COALESCE(GROUP_CONCAT(id ORDER BY id), '') FROM txchar").Scan(&ids); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	for _, seq := range [][]string{
		{"START TRANSACTION READ ONLY", "SELECT COUNT(*) FROM txchar", "INSERT INTO txchar VALUES (1)", "COMMIT", "INSERT INTO txchar VALUES (2)"},
		{"START TRANSACTION READ WRITE", "INSERT INTO txchar VALUES (1)", "COMMIT"},
		{"SET TRANSACTION READ ONLY", "INSERT INTO txchar VALUES (1)", "INSERT INTO txchar VALUES (2)", "COMMIT", "INSERT INTO txchar VALUES (3)"},
		{"SET TRANSACTION READ ONLY", "SELECT COUNT(*) FROM txchar", "INSERT INTO txchar VALUES (1)"},
		{"SET TRANSACTION READ ONLY", "SELECT 1", "INSERT INTO txchar VALUES (1)"},
		{"SET TRANSACTION READ ONLY", "DO 1", "INSERT INTO txchar VALUES (1)"},
		{"SET TRANSACTION READ ONLY", "SET @x = 1", "INSERT INTO txchar VALUES (1)"},
		{"SET TRANSACTION READ ONLY", "START TRANSACTION", "INSERT INTO txchar VALUES (1)", "ROLLBACK", "INSERT INTO txchar VALUES (2)"},
		{"SET TRANSACTION READ ONLY", "START TRANSACTION READ WRITE", "INSERT INTO txchar VALUES (1)", "COMMIT", "INSERT INTO txchar VALUES (2)"},
		{"SET TRANSACTION READ ONLY", "SET TRANSACTION READ WRITE", "INSERT INTO txchar VALUES (1)"},
		{"SET TRANSACTION ISOLATION LEVEL READ COMMITTED", "BEGIN", "INSERT INTO txchar VALUES (1)", "COMMIT", "INSERT INTO txchar VALUES (2)"},
		{"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY", "BEGIN", "SELECT COUNT(*) FROM txchar", "INSERT INTO txchar VALUES (1)", "COMMIT", "INSERT INTO txchar VALUES (2)"},
		{"SET autocommit = 0", "SET TRANSACTION READ ONLY", "INSERT INTO txchar VALUES (1)", "ROLLBACK", "INSERT INTO txchar VALUES (2)", "COMMIT", "SET autocommit = 1"},
		{"BEGIN", "SET TRANSACTION READ ONLY", "INSERT INTO txchar VALUES (1)", "COMMIT"},
		{"SET SESSION TRANSACTION READ ONLY", "INSERT INTO txchar VALUES (1)", "SET SESSION TRANSACTION READ WRITE", "INSERT INTO txchar VALUES (2)"},
		// The second review's: statements the server runs without
		// spending them, or spends them on though they fail; the router
		// refuses (!) what it cannot tell, and then every transaction
		// until a COMMIT or ROLLBACK.
		{"SET TRANSACTION READ ONLY", "SHOW TABLES", "SELECT COUNT(*) FROM information_schema.tables", "WITH c AS (SELECT 1 AS x) SELECT * FROM c", "INSERT INTO txchar VALUES (1)"},
		{"SET TRANSACTION READ ONLY", "!SHOW CREATE TABLE txchar", "!INSERT INTO txchar VALUES (1)", "!BEGIN", "COMMIT", "INSERT INTO txchar VALUES (2)"},
		{"SET TRANSACTION READ ONLY", "SELECT nosuch FROM txchar", "INSERT INTO txchar VALUES (1)"},
		{"SET TRANSACTION READ ONLY", "SELECT * FROM nosuch", "INSERT INTO txchar VALUES (1)"},
		{"SET TRANSACTION ISOLATION LEVEL READ COMMITTED", "!INSERT INTO txchar VALUES (1)", "!BEGIN", "ROLLBACK", "BEGIN", "INSERT INTO txchar VALUES (2)", "COMMIT"},
		{"SET TRANSACTION READ ONLY", "!SELECT id FROM txchar WHERE id = 1 FOR UPDATE", "!SELECT COUNT(*) FROM txchar", "ROLLBACK", "SELECT id FROM txchar WHERE id = 1 FOR UPDATE"},
		{"SET autocommit = 0", "SELECT 1", "SET TRANSACTION READ ONLY", "INSERT INTO txchar VALUES (1)", "ROLLBACK", "INSERT INTO txchar VALUES (2)", "COMMIT", "SET autocommit = 1"},
		{"START TRANSACTION READ ONLY", "INSERT INTO txchar VALUES (1)", "INSERT INTO txchar VALUES (2)", "SELECT COUNT(*) FROM txchar", "COMMIT", "INSERT INTO txchar VALUES (3)"},
		{"SET autocommit = 0", "SAVEPOINT a", "INSERT INTO txchar VALUES (1)", "ROLLBACK TO SAVEPOINT a", "INSERT INTO txchar VALUES (2)", "COMMIT", "SET autocommit = 1"},
		{"SET TRANSACTION READ ONLY", "!LOCK TABLES txchar READ", "!UNLOCK TABLES", "COMMIT", "INSERT INTO txchar VALUES (1)"},
	} {
		t.Run(strings.Join(seq, "; "), func(t *testing.T) {
			run := func(exec func(string) error) (out []string, stored string) {
				if _, err := db.Exec("DELETE FROM txchar"); err != nil {
					t.Fatal(err)
				}
				for _, q := range seq {
					q = strings.TrimPrefix(q, "!")
					out = append(out, q+": "+outcome(exec(q)))
				}
				return out, rows()
			}
			conn, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want, wantRows := run(func(q string) error { _, err := conn.ExecContext(ctx, q); return err })
			conn.Raw(func(any) error { return driver.ErrBadConn }) // the connection is dropped, its state with it
			conn.Close()
			s := r.NewSession()
			defer s.Close()
			got, gotRows := run(func(q string) error { _, err := s.ExecContext(ctx, q); return err })
			refusals := false
			for i := range want {
				refused := strings.HasSuffix(got[i], ": refused")
				switch {
				case strings.HasPrefix(seq[i], "!"):
					if !refused {
						t.Errorf("through the session %s, want a refusal (the server: %s)", got[i], want[i])
					}
					refusals = refusals || !strings.Contains(want[i], ": error ")
				case got[i] != want[i] && !(refused && strings.Contains(want[i], ": error ")):
					t.Errorf("through the session %s; on the server %s", got[i], want[i])
				}
			}
			// After an expected refusal of what the server ran, the
			// rows may differ by what it wrote.
			if !refusals && gotRows != wantRows {
				t.Errorf("rows after it through the session: [%s]; on the server: [%s]", gotRows, wantRows)
			}
		})
	}
}
