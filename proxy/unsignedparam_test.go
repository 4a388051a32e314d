package proxy_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/proxy"
)

// TestUnsignedParameter: an unsigned parameter (go-sql-driver sends a
// uint64 as one) is a BIGINT UNSIGNED in a statement the router rewrites
// for several shards, as the server reads it: 0 - 1 is out of its range
// (error 1690), and its column is unsigned. Before, it was bound as a
// signed literal, and the proxy answered -1 where the server fails.
func TestUnsignedParameter(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	setupPrepared(t, f)
	ctx := context.Background()
	noInterpolation := func(c *mysql.Config) { c.InterpolateParams = false }
	db := f.open(t, noInterpolation)
	cfg := f.topo.MySQLConfig(f.topo.Shards[0].Primary.HostPort, f.topo.User)
	cfg.InterpolateParams = false
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	server := sql.OpenDB(conn)
	defer server.Close()
	// answer is q's rows, or its error's number, and its first column's
	// type, as the driver reads them.
	answer := func(db *sql.DB, q string, args ...any) string {
		rows, err := db.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Sprintf("error %d", mysqlErrNum(err))
		}
		defer rows.Close()
		types, _ := rows.ColumnTypes()
		out := types[0].DatabaseTypeName()
		for rows.Next() {
			var v any
			if err := rows.Scan(&v); err != nil {
				return err.Error()
			}
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			out += fmt.Sprintf(" %v", v)
		}
		if err := rows.Err(); err != nil {
			return fmt.Sprintf("error %d", mysqlErrNum(err))
		}
		return out
	}
	const merged = " FROM kvs WHERE id IN (9101, 9102, 9103, 9104)"
	tests := []struct {
		proxied, server string
		args            []any
	}{
		{"SELECT DISTINCT ? - 1" + merged, "SELECT ? - 1", []any{uint64(0)}},
		{"SELECT DISTINCT ? + 1" + merged, "SELECT ? + 1", []any{uint64(41)}},
		{"SELECT DISTINCT ?" + merged, "SELECT ?", []any{uint64(1) << 63}},
		{"SELECT DISTINCT 1" + merged + " ORDER BY 1 LIMIT ?", "SELECT 1 LIMIT ?", []any{uint64(1)}},
	}
	for _, tc := range tests {
		got, want := answer(db, tc.proxied, tc.args...), answer(server, tc.server, tc.args...)
		if got != want {
			t.Errorf("%s %v: through the proxy %q, the server's %s: %q", tc.proxied, tc.args, got, tc.server, want)
		}
	}
	// Keys as unsigned parameters still find their rows.
	if got := answer(db, "SELECT v FROM kvs WHERE id IN (?, ?, ?) ORDER BY v", uint64(9101), uint64(9103), uint64(9104)); got != "VARCHAR four one three" {
		t.Errorf("three unsigned keys: %q, want VARCHAR four one three", got)
	}
}
