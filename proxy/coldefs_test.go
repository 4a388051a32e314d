package proxy_test

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/scalelab/scalelab/internal/wire"
	querypb "vitess.io/vitess/go/vt/proto/query"
)

// coldefQueries are the statements whose column definitions
// TestColumnDefinitions compares: one row by its key, rows of every shard
// merged in order, aggregates merged, expressions without a table.
var coldefQueries = []string{
	"SELECT * FROM coldefs WHERE id = 1",
	"SELECT * FROM coldefs ORDER BY id",
	"SELECT * FROM coldefs WHERE id IN (1, 2, 3) ORDER BY id DESC LIMIT 2",
	"SELECT flag, b, COUNT(*), MAX(c), SUM(amt), AVG(u), MIN(dt) FROM coldefs GROUP BY flag, b ORDER BY flag, b",
	"SELECT flag AS f, CAST(flag AS UNSIGNED), bits, y FROM coldefs WHERE id = 2",
	"SELECT 1, 'abc', NULL, 1.5, TRUE",
}

// TestColumnDefinitions: the column definitions a client gets from the
// proxy (length, flags, decimals, type and character set) are the
// server's own, on every path: relayed, in a transaction on the session's
// connection, merged from every shard, and in a prepare's answer. Before,
// the paths that are not relayed gave a type's widest length and flags of
// their own, so that a TINYINT(1), which Connector/J reads as a boolean
// by its length, was a boolean in autocommit and an integer in a
// transaction.
func TestColumnDefinitions(t *testing.T) {
	relayOnAndOff(t, func(t *testing.T, f *fixture) {
		execReplicated(t, f, "SELECT COUNT(*) FROM "+f.topo.DatabaseName()+".coldefs",
			"CREATE TABLE IF NOT EXISTS coldefs (id BIGINT PRIMARY KEY, flag TINYINT(1) NOT NULL, b BIT(1), bits BIT(10), c VARCHAR(20), ch CHAR(3) NOT NULL DEFAULT '', u INT UNSIGNED ZEROFILL, y YEAR, dt DATETIME(3), amt DECIMAL(7,2), tx TEXT, bl BLOB, e ENUM('a','bb'), s SET('x','y'), fl FLOAT(7,3), db DOUBLE, KEY (c))",
			"DELETE FROM coldefs WHERE id IN (1, 2, 3)",
			"INSERT INTO coldefs (id, flag, b, bits, c, ch, u, y, dt, amt, tx, bl, e, s, fl, db) VALUES (1, 1, 1, 5, 'one', 'a', 7, 2020, '2025-01-02 03:04:05.678', 1.25, 'text', x'00', 'a', 'x,y', 1.5, 2.5), (2, 0, 0, 1023, NULL, 'b', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), (3, 1, NULL, 0, 'three', 'c', 3, 1999, '2024-06-07', -2.5, '', '', 'bb', '', -1, 0)",
		)
		rc := dialRaw(t, f)
		node := dialRawAt(t, f, f.topo.Shards[0].Primary.HostPort)
		for _, q := range coldefQueries {
			want := fieldDefs(t, node, q)
			if got := fieldDefs(t, rc, q); got != want {
				t.Errorf("%s: the proxy's columns\n%s\nthe server's\n%s", q, got, want)
			}
			if _, err := rc.c.ExecuteFetch("BEGIN", 0, false); err != nil {
				t.Fatal(err)
			}
			if got := fieldDefs(t, rc, q); got != want {
				t.Errorf("%s in a transaction: the proxy's columns\n%s\nthe server's\n%s", q, got, want)
			}
			if _, err := rc.c.ExecuteFetch("COMMIT", 0, false); err != nil {
				t.Fatal(err)
			}
		}
		q := "SELECT * FROM coldefs WHERE id = ?"
		if got, want := prepareDefs(rc, q), prepareDefs(node, q); got != want {
			t.Errorf("a prepare of %s: the proxy's columns\n%s\nthe server's\n%s", q, got, want)
		}
	})
}

// fieldDefs runs q on c and renders its columns' definitions, but for the
// table names, which the proxy's paths that are not relayed do not know.
func fieldDefs(t *testing.T, c *rawClient, q string) string {
	t.Helper()
	r, err := c.c.ExecuteFetch(q, 1000, true)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	out := ""
	for _, f := range r.Fields {
		out += fieldDef(f) + "\n"
	}
	return out
}

func fieldDef(f *querypb.Field) string {
	return fmt.Sprintf("%s: type %v, length %d, flags %#x, decimals %d, charset %d", f.Name, f.Type, f.ColumnLength, f.Flags, f.Decimals, f.Charset)
}

// prepareDefs prepares q on c and renders the definitions of the columns
// its answer announces, from the packets: name, character set, length,
// type, flags and decimals.
func prepareDefs(c *rawClient, q string) string {
	id := c.prepare(q)
	out := ""
	for _, p := range c.cols {
		out += columnDef(c.t, p) + "\n"
	}
	c.write(binary.LittleEndian.AppendUint32([]byte{0x19}, id)) // COM_STMT_CLOSE: no answer
	return out
}

// columnDef renders a column definition packet.
func columnDef(t *testing.T, p []byte) string {
	t.Helper()
	var name string
	for i := range 6 { // catalog, schema, table, org_table, name, org_name
		n, k, ok := wire.Lenenc(p)
		if !ok || int(n) > len(p)-k {
			t.Fatalf("a column definition cut short: %q", p)
		}
		if i == 4 {
			name = string(p[k : k+int(n)])
		}
		p = p[k+int(n):]
	}
	if len(p) < 13 {
		t.Fatalf("a column definition cut short: %q", p)
	}
	return fmt.Sprintf("%s: charset %d, length %d, type %d, flags %#x, decimals %d", name,
		binary.LittleEndian.Uint16(p[1:]), binary.LittleEndian.Uint32(p[3:]), p[7], binary.LittleEndian.Uint16(p[8:]), p[10])
}
