package proxy_test

import (
	"encoding/binary"
	"testing"

	"github.com/scalelab/scalelab/internal/wire"
)

// TestWarningCount: the OK packet of a write through the proxy carries the
// server's warning count, summed over the shards the write ran on (a DDL
// statement's once): rows INSERT IGNORE skipped, a value a session without
// strict mode cut, in a transaction and out of one; a statement after it
// carries its own; so does a prepared statement's execution. Before,
// every write's count was 0, and with SHOW WARNINGS refused, a client had
// no sign of a row skipped or a value cut.
func TestWarningCount(t *testing.T) {
	f := writesProxy(t)
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

	// A prepared statement's execution, whose OK packet the protocol
	// library writes itself.
	for _, s := range []struct {
		q    string
		args []int64
		want uint16
	}{
		{"INSERT IGNORE INTO kvs (id, v) VALUES (?, 'p'), (?, 'p')", []int64{9301, 9302}, 2},
		{"UPDATE kvs SET v = 'p' WHERE id = ?", []int64{9301}, 0},
		{"UPDATE kvs SET v = REPEAT('z', 50) WHERE id = ?", []int64{9301}, 1},
	} {
		id := rc.prepare(s.q)
		p := binary.LittleEndian.AppendUint32([]byte{0x17}, id)
		p = append(p, 0, 1, 0, 0, 0)
		p = append(p, make([]byte, (len(s.args)+7)/8)...)
		p = append(p, 1)
		for range s.args {
			p = append(p, 8, 0)
		}
		for _, a := range s.args {
			p = binary.LittleEndian.AppendUint64(p, uint64(a))
		}
		rc.write(p)
		if got, ok := okWarnings(rc.read()); !ok || got != s.want {
			t.Errorf("prepared %s: %d warnings (an OK packet: %v), want %d", s.q, got, ok, s.want)
		}
	}
}

// okWarnings reads the warning count of OK packet p.
func okWarnings(p []byte) (uint16, bool) {
	if len(p) == 0 || p[0] != 0x00 {
		return 0, false
	}
	at, ok := wire.OKWarningsAt(p)
	if !ok {
		return 0, false
	}
	return binary.LittleEndian.Uint16(p[at:]), true
}
