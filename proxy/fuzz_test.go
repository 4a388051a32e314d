package proxy_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/proxy"
)

// FuzzStatement sends arbitrary statement text through the proxy's
// statement path, as COM_QUERY and as COM_STMT_PREPARE + EXECUTE, and
// checks that the proxy answers with a result or an error packet and goes
// on serving. Statements that could damage the shared sandbox are left out.
func FuzzStatement(f *testing.F) {
	for _, s := range []string{
		"SELECT 1", "SELECT ?", "SELECT * FROM kvs WHERE id = ?", "SELECT * FROM kvs WHERE id IN (1, 2, ?)",
		"SHOW scalelab_route SELECT 1", "SHOW scalelab_route", "SET scalelab_consistency = 'strong'",
		"SET scalelab_consistency = 'bogus'", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT a", "USE nope",
		"SELECT /*+ scalelab_consistency=strong */ 1", "SELECT '", "SELECT 1; SELECT 2", "/*", "-- ",
		"SELECT COUNT(*), AVG(id) FROM kvs GROUP BY v ORDER BY 1 LIMIT ?", "\x00\xff", "SELECT 0x" + strings.Repeat("ab", 100),
	} {
		f.Add(s)
	}
	fx := startProxy(f, proxy.Config{}, quiet())
	db := fx.open(f, func(c *mysql.Config) { c.InterpolateParams = false; c.Timeout = 5 * time.Second })
	db.SetMaxOpenConns(1)
	setup := fx.open(f, nil)
	if _, err := setup.Exec("CREATE TABLE IF NOT EXISTS kvs (id BIGINT PRIMARY KEY, v VARCHAR(40), n DECIMAL(10,2), d DATETIME(6), b VARBINARY(8))"); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		up := strings.ToUpper(q)
		for _, bad := range []string{"DROP", "DELETE", "TRUNCATE", "ALTER", "GRANT", "REVOKE", "KILL", "SHUTDOWN", "RENAME", "UPDATE", "INSERT", "REPLACE", "CREATE", "LOAD", "SLEEP", "BENCHMARK", "LOCK", "FLUSH", "RESET", "PURGE", "CHANGE", "STOP", "START", "INSTALL", "UNINSTALL", "SET GLOBAL", "XA", "HANDLER", "CALL", "DO", "INTO"} {
			if strings.Contains(up, bad) {
				t.Skip("could change the shared sandbox")
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
		defer conn.Close()
		check := func(err error) {
			var me *mysql.MySQLError
			if err != nil && !errors.As(err, &me) && !errors.Is(err, sql.ErrNoRows) {
				// Only a protocol failure may surface as a non-MySQL error.
				t.Fatalf("%q: got %v (%T), want a result or a MySQL error", q, err, err)
			}
		}
		if rows, err := conn.QueryContext(ctx, q); err == nil {
			for rows.Next() {
			}
			check(rows.Err())
			rows.Close()
		} else {
			check(err)
		}
		if stmt, err := conn.PrepareContext(ctx, q); err == nil {
			args := make([]any, strings.Count(q, "?"))
			if rows, err := stmt.QueryContext(ctx, args...); err == nil {
				for rows.Next() {
				}
				rows.Close()
			} else if !strings.Contains(err.Error(), "expected") {
				check(err)
			}
			stmt.Close()
		} else {
			check(err)
		}
		conn.ExecContext(ctx, "ROLLBACK")
		var n int
		if err := conn.QueryRowContext(ctx, "SELECT 1").Scan(&n); err != nil || n != 1 {
			t.Fatalf("after %q: the connection answers %d, %v", q, n, err)
		}
	})
}
