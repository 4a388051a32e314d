package router_test

import (
	"context"
	"database/sql"
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
	r, db := openTxChar(t)
	ctx := context.Background()
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

// openTxChar opens a router, and a pool on the first shard's primary,
// which holds the table txchar.
func openTxChar(t *testing.T) (*router.Router, *sql.DB) {
	r, sb := openRouter(t, router.Config{Replica: quiet()})
	db := dbtest.Open(t, sb.Topology, sb.Topology.Shards[0].Primary.HostPort)
	if _, err := db.Exec("CREATE TABLE IF NOT EXISTS txchar (id INT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	return r, db
}

// TestTxCharacteristicsInTransaction: SET TRANSACTION inside a
// transaction gets the server's own error, number, SQLSTATE and message,
// through a session as on the primary's connection. The router refused it
// as a statement it does not support (1235 through the proxy), so a
// client that handles the server's 1568 did not recognize it. So does a
// savepoint the transaction does not hold (1305), which the router
// answers itself, in a transaction and outside one, where a SAVEPOINT
// was refused too.
func TestTxCharacteristicsInTransaction(t *testing.T) {
	r, db := openTxChar(t)
	ctx := context.Background()
	for _, seq := range [][]string{
		{"BEGIN", "SET TRANSACTION READ ONLY"},
		{"START TRANSACTION READ ONLY", "SELECT COUNT(*) FROM txchar", "SET TRANSACTION ISOLATION LEVEL READ COMMITTED"},
		{"SET autocommit = 0", "SELECT COUNT(*) FROM txchar", "SET TRANSACTION READ WRITE"},
		{"BEGIN", "SAVEPOINT a", "ROLLBACK TO SAVEPOINT b"},
		{"BEGIN", "INSERT INTO txchar VALUES (3)", "SAVEPOINT a", "RELEASE SAVEPOINT a", "RELEASE SAVEPOINT a"},
		// Outside a transaction, under autocommit: a SAVEPOINT is set
		// and gone with its statement.
		{"SAVEPOINT a", "ROLLBACK TO SAVEPOINT a"},
		{"RELEASE SAVEPOINT b"},
	} {
		t.Run(strings.Join(seq, "; "), func(t *testing.T) {
			last := func(exec func(string) error) error {
				defer exec("ROLLBACK")
				defer exec("SET autocommit = 1")
				for _, q := range seq[:len(seq)-1] {
					if err := exec(q); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
				return exec(seq[len(seq)-1])
			}
			conn, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			want := last(func(q string) error { _, err := conn.ExecContext(ctx, q); return err })
			s := r.NewSession()
			defer s.Close()
			got := last(func(q string) error { _, err := s.ExecContext(ctx, q); return err })
			var wantErr, gotErr *mysql.MySQLError
			if !errors.As(want, &wantErr) {
				t.Fatalf("the server answered %v, want its error", want)
			}
			if !errors.As(got, &gotErr) || gotErr.Number != wantErr.Number || gotErr.SQLState != wantErr.SQLState || gotErr.Message != wantErr.Message {
				t.Errorf("through the session: %v; on the server: %v (SQLSTATE %s)", got, want, wantErr.SQLState[:])
			}
		})
	}
}
