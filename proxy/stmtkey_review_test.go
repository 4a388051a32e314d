package proxy_test

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/proxy"
	"github.com/scalelab/scalelab/vschema"
)

// Reviews of how the proxy routes a prepared statement by a shard key
// sent as a parameter: each test states what one MariaDB server holding
// every row answers, and fails when the proxy answers otherwise.

// stmtParam is one COM_STMT_EXECUTE parameter: its type and flag bytes
// and its encoded value.
type stmtParam struct {
	typ, flag byte
	val       []byte
}

// execTyped runs statement id once with ps, the types sent, and returns
// the first column of each row (sorted), or the error packet's text. A
// connection the proxy cut is reported as an error of t.
func execTyped(t *testing.T, rc *rawClient, id uint32, ps ...stmtParam) []string {
	t.Helper()
	p := binary.LittleEndian.AppendUint32([]byte{0x17}, id)
	p = append(p, 0, 1, 0, 0, 0)
	p = append(p, make([]byte, (len(ps)+7)/8)...)
	p = append(p, 1)
	for _, x := range ps {
		p = append(p, x.typ, x.flag)
	}
	for _, x := range ps {
		p = append(p, x.val...)
	}
	rc.write(p)
	out := rc.result()
	sort.Strings(out)
	return out
}

// primaryRows runs q with args on every shard's primary and returns the
// first column of all rows, sorted: what one server holding every row
// answers to a read.
func primaryRows(t *testing.T, f *fixture, q string, args ...any) []string {
	t.Helper()
	out := []string{}
	for _, sh := range f.topo.Shards {
		rows, err := adminDB(t, f.topo, sh.Primary.HostPort).Query(q, args...)
		if err != nil {
			t.Fatalf("%s on %s: %v", q, sh.Name, err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		rows.Close()
	}
	sort.Strings(out)
	return out
}

// shardOfKey is the index of the shard the routing schema puts key on.
func shardOfKey(t *testing.T, f *fixture, key any) int {
	t.Helper()
	s, err := vschema.New(f.topo)
	if err != nil {
		t.Fatal(err)
	}
	i, err := s.Locate("kvs", key)
	if err != nil {
		t.Fatal(err)
	}
	return i
}

// onPrimaries runs a write on every shard's primary.
func onPrimaries(t *testing.T, f *fixture, q string, args ...any) {
	t.Helper()
	for _, sh := range f.topo.Shards {
		if _, err := adminDB(t, f.topo, sh.Primary.HostPort).Exec(q, args...); err != nil {
			t.Fatalf("%s on %s: %v", q, sh.Name, err)
		}
	}
}

// holder is the index of the shard whose primary holds kvs row v = mark,
// and that row's id, or -1.
func holder(t *testing.T, f *fixture, mark string) (int, string) {
	t.Helper()
	for i, sh := range f.topo.Shards {
		var id string
		err := adminDB(t, f.topo, sh.Primary.HostPort).QueryRow("SELECT CAST(id AS CHAR) FROM "+f.topo.DatabaseName()+".kvs WHERE v = ?", mark).Scan(&id)
		if err == nil {
			return i, id
		}
		if err != sql.ErrNoRows {
			t.Fatal(err)
		}
	}
	return -1, ""
}

// TestPreparedDateShardKey: a DATE parameter compared with the integer
// shard key is the number 20240105 to the server (as DATE'2024-01-05' is
// in a text statement, which the proxy gets right), so the row of
// 20240105 is the one that matches, on its own shard. Connector/J sends a
// java.sql.Date this way with useServerPrepStmts=true.
func TestPreparedDateShardKey(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	setupPrepared(t, f)
	if shardOfKey(t, f, int64(2024)) == shardOfKey(t, f, int64(20240105)) {
		t.Skip("2024 and 20240105 share a shard in this topology")
	}
	db := f.topo.DatabaseName()
	execReplicated(t, f, "SELECT COUNT(*) FROM "+db+".kvs WHERE id IN (2024, 20240105)",
		"DELETE FROM kvs WHERE id IN (2024, 20240105)",
		"INSERT INTO kvs (id, v) VALUES (2024, 'year 2024'), (20240105, 'day 20240105')",
	)
	date := stmtParam{typ: 10, val: []byte{4, 0xe8, 0x07, 1, 5}} // MYSQL_TYPE_DATE 2024-01-05
	const q = "SELECT v FROM kvs WHERE id = ?"
	want := []string{"day 20240105"}
	if got := primaryRows(t, f, "SELECT v FROM "+db+".kvs WHERE id = DATE'2024-01-05'"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("the server itself answers %q, want %q", got, want)
	}
	rc := dialRaw(t, f)
	id := rc.prepare(q)
	if got := execTyped(t, rc, id, date); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s with DATE 2024-01-05: got %q, want %q (the server's answer)", q, got, want)
	}
	// A DATETIME is the number 20240105123456, a TIME 00:08:38 is 838.
	execReplicated(t, f, "SELECT COUNT(*) FROM "+db+".kvs WHERE id IN (838, 20240105123456)",
		"DELETE FROM kvs WHERE id IN (838, 20240105123456)",
		"INSERT INTO kvs (id, v) VALUES (838, 'time 838'), (20240105123456, 'datetime 20240105123456')",
	)
	for _, tc := range []struct {
		name, literal string
		param         stmtParam
	}{
		{"DATETIME 2024-01-05 12:34:56", "TIMESTAMP'2024-01-05 12:34:56'", stmtParam{typ: 12, val: []byte{7, 0xe8, 0x07, 1, 5, 12, 34, 56}}},
		{"TIME 00:08:38", "TIME'00:08:38'", stmtParam{typ: 11, val: []byte{8, 0, 0, 0, 0, 0, 0, 8, 38}}},
	} {
		want := primaryRows(t, f, "SELECT v FROM "+db+".kvs WHERE id = "+tc.literal)
		if len(want) != 1 {
			t.Fatalf("the server itself answers %q to id = %s", want, tc.literal)
		}
		if got := execTyped(t, rc, id, tc.param); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s with %s: got %q, want %q (the server's answer)", q, tc.name, got, want)
		}
	}
	// A write by the same key: the row of 20240105 is the one to change,
	// or the write is refused (a DATE is no shard key's value to the
	// router, and a write without one would touch every shard).
	upd := rc.prepare("UPDATE kvs SET v = ? WHERE id = ?")
	res := execTyped(t, rc, upd, stmtParam{typ: 253, val: append([]byte{7}, "updated"...)}, date)
	got := primaryRows(t, f, "SELECT CAST(id AS CHAR) FROM "+db+".kvs WHERE v = 'updated'")
	refused := len(res) == 1 && strings.HasPrefix(res[0], "error: ") && strings.Contains(res[0], "shard key")
	if refused && len(got) != 0 || !refused && fmt.Sprint(got) != "[20240105]" {
		t.Errorf("UPDATE … WHERE id = DATE 2024-01-05 answered %q and changed rows %q, want [20240105] changed or a refusal naming the shard key", res, got)
	}
}

// TestPreparedInListKeepsValues: an IN list over two shards is cut into
// each shard's own values, and must keep each value as the client sent
// it. The string '<a>.00000000000000000001' is no integer: the server
// (by the primary key) matches no row with it, but the proxy sent the
// shard of a the value rounded to a double, '<a>', which matches row a.
func TestPreparedInListKeepsValues(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	setupPrepared(t, f)
	a, b := int64(9201), int64(9202)
	for shardOfKey(t, f, a) == shardOfKey(t, f, b) {
		b++
	}
	db := f.topo.DatabaseName()
	ids := fmt.Sprintf("(%d, %d)", a, b)
	reset := func() {
		execReplicated(t, f, "SELECT COUNT(*) FROM "+db+".kvs WHERE id IN "+ids,
			"DELETE FROM kvs WHERE id IN "+ids,
			fmt.Sprintf("INSERT INTO kvs (id, v) VALUES (%d, 'a'), (%d, 'b')", a, b),
		)
	}
	reset()
	frac := strconv.FormatInt(a, 10) + ".00000000000000000001"
	ctx := context.Background()
	conn, err := f.open(t, prepared).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	const sel = "SELECT v FROM kvs WHERE id IN (?, ?)"
	want := primaryRows(t, f, "SELECT v FROM "+db+".kvs WHERE id IN (?, ?)", frac, b)
	got := query(ctx, conn, sel, frac, b)
	var gotV []string
	for _, r := range got.rows {
		v, err := strconv.Unquote(r[0])
		if err != nil {
			v = r[0] // NULL
		}
		gotV = append(gotV, v)
	}
	sort.Strings(gotV)
	if got.err != "" || fmt.Sprint(gotV) != fmt.Sprint(want) {
		t.Errorf("%s with (%q, %d): got %q %s, want %q (the server's answer)", sel, frac, b, gotV, got.err, want)
	}

	const del = "DELETE FROM kvs WHERE id IN (?, ?)"
	if _, err := conn.ExecContext(ctx, del, frac, b); err != nil {
		t.Fatal(err)
	}
	if left := primaryRows(t, f, "SELECT v FROM "+db+".kvs WHERE id IN "+ids); fmt.Sprint(left) != "[a]" {
		t.Errorf("%s with (%q, %d) left rows %q, want [a]: the server deletes only row %d", del, frac, b, left, b)
	}
}

// TestPreparedInsertRoundedKeyShard: a string key in exponent form is
// stored by the server as the text's exact value, rounded half up:
// '<m>.5e0', for an even m between 2^52 and 2^53, as m+1, where the
// float64 of the text is m (ties to even); '9007199254740993e0' as
// 9007199254740993, which no float64 is. The row must land on the shard
// of the id it is stored with, where a read of that id looks, or the
// insert be refused, leaving no row.
func TestPreparedInsertRoundedKeyShard(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	setupPrepared(t, f)
	m := int64(1 << 52)
	for shardOfKey(t, f, m) == shardOfKey(t, f, m+1) {
		m += 2
	}
	ctx := context.Background()
	db := f.open(t, prepared)
	for _, tc := range []struct {
		key     string
		stored  int64
		refused bool // a fraction the router refuses rather than round
	}{
		{strconv.FormatInt(m, 10) + ".5e0", m + 1, true},
		{"-" + strconv.FormatInt(m, 10) + ".5e0", -m - 1, true},
		{"9007199254740993e0", 9007199254740993, false},
		{"900719925474099.3e1", 9007199254740993, false},
		{"90071992547409930e-1", 9007199254740993, false},
	} {
		const mark = "rounded key"
		onPrimaries(t, f, "DELETE FROM "+f.topo.DatabaseName()+".kvs WHERE id = ? OR v = ?", tc.stored, mark)
		_, err := db.ExecContext(ctx, "INSERT INTO kvs (id, v) VALUES (?, ?)", tc.key, mark)
		on, stored := holder(t, f, mark)
		switch {
		case err != nil && !tc.refused:
			t.Errorf("INSERT with id %q: %v, want the row stored as %d", tc.key, err, tc.stored)
		case err != nil:
			if on >= 0 {
				t.Errorf("INSERT with id %q was refused (%v), yet row %s is on shard %d", tc.key, err, stored, on)
			}
		case tc.refused:
			t.Errorf("INSERT with id %q ran (row %s on shard %d), want it refused as a fraction", tc.key, stored, on)
		case stored != strconv.FormatInt(tc.stored, 10):
			t.Errorf("the server stored %q as %s, want %d", tc.key, stored, tc.stored)
		case on != shardOfKey(t, f, tc.stored):
			t.Errorf("INSERT with id %q: row %s is on shard %d, and a read of id %s goes to shard %d", tc.key, stored, on, stored, shardOfKey(t, f, tc.stored))
		}
	}
}

// TestRelayLongDataAfterReset: COM_STMT_SEND_LONG_DATA, COM_STMT_RESET,
// an execution without long data (which the relay takes), then long data
// again: the proxy must answer, as it does with the relay off. The relayed
// execution leaves the protocol library's record of the statement as the
// reset left it (a nil bind variable per parameter that had long data),
// and the next COM_STMT_SEND_LONG_DATA dereferenced it.
func TestRelayLongDataAfterReset(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	setupPrepared(t, f)
	rc := dialRaw(t, f)
	id := rc.prepare("SELECT v FROM kvs WHERE id = ?")
	longData := func(data string) {
		p := binary.LittleEndian.AppendUint32([]byte{0x18}, id)
		p = binary.LittleEndian.AppendUint16(p, 0)
		rc.write(append(p, data...))
	}
	longData("9101")
	rc.write(binary.LittleEndian.AppendUint32([]byte{0x1a}, id)) // COM_STMT_RESET
	if p := rc.read(); p[0] != 0 {
		t.Fatalf("reset: %q", p)
	}
	if got := rc.execute(id, true, 9103); fmt.Sprint(got) != "[three]" {
		t.Fatalf("after the reset: got %q, want [three]", got)
	}
	longData("9104")
	// The long-data parameter has no value in the packet.
	if got := execTyped(t, rc, id, stmtParam{typ: 252}); fmt.Sprint(got) != "[four]" {
		t.Errorf("with long data after a reset and a relayed execution: got %q, want [four]", got)
	}
	// Long data right after a reset, with no execution between (which
	// the library's own record also left nil).
	longData("9101")
	rc.write(binary.LittleEndian.AppendUint32([]byte{0x1a}, id))
	if p := rc.read(); p[0] != 0 {
		t.Fatalf("reset: %q", p)
	}
	longData("9104")
	if got := execTyped(t, rc, id, stmtParam{typ: 252}); fmt.Sprint(got) != "[four]" {
		t.Errorf("with long data right after a reset: got %q, want [four]", got)
	}
}
