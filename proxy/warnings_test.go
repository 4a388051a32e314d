package proxy_test

import (
	"testing"

	"github.com/scalelab/scalelab/proxy"
)

// TestWarningCount: the OK packet of a write through the proxy carries the
// server's warning count, summed over the shards the write ran on (a DDL
// statement's once): rows INSERT IGNORE skipped, a value a session without
// strict mode cut, in a transaction and out of one; a statement after it
// carries its own. Before, every write's count was 0, and with SHOW
// WARNINGS refused, a client had no sign of a row skipped or a value cut.
func TestWarningCount(t *testing.T) {
	rcfg := quiet()
	rcfg.AllowMultiShardWrites = true
	f := startProxy(t, proxy.Config{}, rcfg)
	setupPrepared(t, f)
	rc := dialRaw(t, f)
	for _, s := range []struct {
		q    string
		want uint16
	}{
		{"DELETE FROM kvs WHERE id IN (9301, 9302, 9303, 9304)", 0},
		{"INSERT INTO kvs (id, v) VALUES (9301, 'a'), (9302, 'b'), (9303, 'c'), (9304, 'd')", 0},
		{"INSERT IGNORE INTO kvs (id, v) VALUES (9301, 'dup')", 1},
		{"SELECT 1", 0},
		{"INSERT IGNORE INTO kvs (id, v) VALUES (9301, 'x'), (9302, 'y'), (9303, 'z'), (9304, 'w'), (9305, 'new')", 4},
		{"DELETE FROM kvs WHERE id = 9305", 0},
		{"UPDATE kvs SET v = 'a' WHERE id = 9301", 0},
		{"DROP TABLE IF EXISTS warn_no_such_table", 1},
		{"BEGIN", 0},
		{"INSERT IGNORE INTO kvs (id, v) VALUES (9302, 'dup')", 1},
		{"COMMIT", 0},
		{"SET SESSION sql_mode = ''", 0},
		{"UPDATE kvs SET v = REPEAT('x', 50) WHERE id = 9303", 1},
		{"UPDATE kvs SET v = REPEAT('y', 50) WHERE id IN (9301, 9302, 9303, 9304)", 4},
		{"SELECT v FROM kvs WHERE id = 9301", 0},
	} {
		_, got, err := rc.c.ExecuteFetchWithWarningCount(s.q, 100, false)
		if err != nil {
			t.Fatalf("%s: %v", s.q, err)
		}
		if got != s.want {
			t.Errorf("%s: %d warnings, want %d", s.q, got, s.want)
		}
	}
}
