package proxy_test

import (
	"context"
	"testing"
	"time"

	"github.com/scalelab/scalelab/proxy"
)

// TestReadYourWritesRowsOfWrites: under read-your-writes, a write that
// returns rows (INSERT … RETURNING, DELETE … RETURNING, a DO under
// autocommit off, which the router takes for a write) answers its rows.
// Before, the router read the write's GTID on its connection, and waited
// forever to hand back a connection whose rows were still open: the
// client hung, and so did the proxy's shutdown.
func TestReadYourWritesRowsOfWrites(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	setupPrepared(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // the hang guard
	defer cancel()
	conn, err := f.open(t, nil).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// (An unsharded table: the router cannot merge RETURNING's rows.)
	for _, q := range []string{"CREATE TABLE IF NOT EXISTS rywrows (id BIGINT PRIMARY KEY, v VARCHAR(10))", "DELETE FROM rywrows WHERE id = 9401", "SET scalelab_consistency = 'read-your-writes'"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, s := range []struct{ q, want string }{
		{"INSERT INTO rywrows (id, v) VALUES (9401, 'r') RETURNING v", "r"},
		{"SELECT v FROM rywrows WHERE id = 9401", "r"},
		{"DELETE FROM rywrows WHERE id = 9401 RETURNING v", "r"},
	} {
		var got string
		if err := conn.QueryRowContext(ctx, s.q).Scan(&got); err != nil || got != s.want {
			t.Fatalf("%s: %q, %v; want %q", s.q, got, err, s.want)
		}
	}
	for _, q := range []string{"SET autocommit = 0", "DO 1", "COMMIT"} {
		rows, err := conn.QueryContext(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		rows.Close()
	}
}
