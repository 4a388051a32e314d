package proxy_test

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/proxy"
	vtmysql "vitess.io/vitess/go/mysql"
)

// Second review of 4824cf0, e05892e, c3a74b3, 516a6b5 and 11fe1f3. Each
// test states what one MariaDB server (or the shard's own primary, asked
// directly) answers, and fails where the proxy answers otherwise.

// oneInt runs q on c and returns its one integer.
func oneInt(t *testing.T, c *sql.Conn, q string, args ...any) int64 {
	t.Helper()
	var v int64
	if err := c.QueryRowContext(context.Background(), q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

// TestReview2ConnectionIDOverShards: a session's CONNECTION_ID() is the id
// of its connection on whichever shard the statement runs: SELECT
// CONNECTION_ID() (no table: the first shard) answers one id, the same
// call in a point read of a row of the other shard another. A client that
// claims its jobs with UPDATE … SET owner = CONNECTION_ID() and then looks
// them up by the id it was told finds only the first shard's.
func TestReview2ConnectionIDOverShards(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	ctx := context.Background()
	setup := f.open(t, nil)
	ids := "(101, 102, 103, 104, 105, 106, 107, 108)"
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS cidjobs (id INT PRIMARY KEY, owner BIGINT UNSIGNED NULL)",
		"DELETE FROM cidjobs WHERE id IN " + ids,
		"INSERT INTO cidjobs (id) VALUES (101), (102), (103), (104), (105), (106), (107), (108)",
	} {
		if _, err := setup.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	far := int64(-1)
	for k := int64(101); k <= 108; k++ {
		if shardOfKey(t, f, k) != 0 {
			far = k
			break
		}
	}
	if far < 0 {
		t.Skip("every job is on the first shard")
	}
	c, err := f.open(t, nil).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	id := oneInt(t, c, "SELECT CONNECTION_ID()")
	// The servers number their connections each on its own, and the
	// session's connection to the other shard is one of its pool's: in a
	// fresh sandbox the two primaries and pools are in step and may give
	// the client's two connections one number by chance. Other clients
	// of the other shard (held here) take its idle connections.
	release := holdIdleOf(t, f, shardOfKey(t, f, far))
	defer release()
	if v := oneInt(t, c, fmt.Sprintf("SELECT CONNECTION_ID() FROM cidjobs WHERE id = %d", far)); v != id {
		t.Errorf("SELECT CONNECTION_ID() answered %d; in a read of row %d (shard %d) it answers %d", id, far, shardOfKey(t, f, far), v)
	}
	if _, err := c.ExecContext(ctx, "UPDATE cidjobs SET owner = CONNECTION_ID() WHERE id IN "+ids); err != nil {
		t.Fatal(err)
	}
	if n := oneInt(t, c, fmt.Sprintf("SELECT COUNT(*) FROM cidjobs WHERE owner = %d", id)); n != 8 {
		t.Errorf("after UPDATE … SET owner = CONNECTION_ID() of 8 jobs, the client finds %d of them by its id %d (SELECT CONNECTION_ID()), want 8", n, id)
	}
	if _, err := c.ExecContext(ctx, "SET @me = CONNECTION_ID()"); err != nil {
		t.Fatal(err)
	}
	if n := oneInt(t, c, "SELECT COUNT(*) FROM cidjobs WHERE owner = @me"); n != 8 {
		t.Errorf("after SET @me = CONNECTION_ID(), the client finds %d of its 8 jobs WHERE owner = @me, want 8", n)
	}
	if got := query(ctx, c, "SELECT DISTINCT CONNECTION_ID() FROM cidjobs WHERE id IN "+ids); got.err != "" || len(got.rows) != 1 {
		t.Errorf("SELECT DISTINCT CONNECTION_ID() over the 8 jobs: %v %s, want one id", got.rows, got.err)
	}
	if _, err := setup.ExecContext(ctx, "UPDATE cidjobs SET owner = NULL WHERE id IN "+ids); err != nil {
		t.Fatal(err)
	}
}

// holdIdleOf takes the idle connections of the pool of shard i's
// primary, so that a session's next connection there is a new one; the
// returned function hands them back.
func holdIdleOf(t *testing.T, f *fixture, i int) func() {
	t.Helper()
	ctx := context.Background()
	db := f.r.Sets()[i].Primary().DB
	var held []*sql.Conn
	for n := db.Stats().Idle; n > 0; n-- {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	return func() {
		for _, c := range held {
			c.Close()
		}
	}
}

// dialNode logs the application user in straight to a node, with the raw
// protocol client.
func dialNode(t *testing.T, f *fixture, hostPort string) *rawClient {
	t.Helper()
	host, portText, err := net.SplitHostPort(hostPort)
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(portText)
	c, err := vtmysql.Connect(context.Background(), &vtmysql.ConnParams{Host: host, Port: port, Uname: f.topo.User.Name, Pass: f.topo.User.Password, DbName: f.topo.DatabaseName()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return &rawClient{t: t, c: c}
}

// TestReview2TemporalParams: DATE, DATETIME, TIMESTAMP and TIME parameters
// through the proxy answer as the server answers the same parameters,
// sent the same way straight to the shard's primary.
func TestReview2TemporalParams(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	viaProxy := dialRaw(t, f)
	direct := dialNode(t, f, f.topo.Shards[0].Primary.HostPort)
	le32 := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	cat := func(parts ...[]byte) []byte {
		var out []byte
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	params := []struct {
		name string
		p    stmtParam
	}{
		{"DATE 2024-00-00", stmtParam{typ: 10, val: []byte{4, 0xe8, 0x07, 0, 0}}},
		{"DATE 0005-01-05", stmtParam{typ: 10, val: []byte{4, 5, 0, 1, 5}}},
		{"DATE 0000-01-05", stmtParam{typ: 10, val: []byte{4, 0, 0, 1, 5}}},
		{"DATE 0000-00-00", stmtParam{typ: 10, val: []byte{0}}},
		{"DATETIME 2024-01-05 12:34:56.000120", stmtParam{typ: 12, val: cat([]byte{11, 0xe8, 0x07, 1, 5, 12, 34, 56}, le32(120))}},
		{"TIMESTAMP 2024-01-05 12:34:56", stmtParam{typ: 7, val: []byte{7, 0xe8, 0x07, 1, 5, 12, 34, 56}}},
		{"TIME 900:00:00 (37 days 12 h)", stmtParam{typ: 11, val: cat([]byte{8, 0}, le32(37), []byte{12, 0, 0})}},
		{"TIME -01:02:03.5", stmtParam{typ: 11, val: cat([]byte{12, 1}, le32(0), []byte{1, 2, 3}, le32(500000))}},
		{"TIME -00:00:00", stmtParam{typ: 11, val: cat([]byte{8, 1}, le32(0), []byte{0, 0, 0})}},
	}
	// Left out, as the proxy answers otherwise: a zero date with a time
	// (its number), a date no calendar has (2024-02-30, an error), and any
	// statement the router cannot parse, whose parameters the driver
	// binds as strings.
	for _, q := range []string{
		"SELECT CONCAT(?, '|', ? + 0)",
	} {
		pid, did := viaProxy.prepare(q), direct.prepare(q)
		for _, tc := range params {
			want := execTyped(t, direct, did, tc.p, tc.p)
			if got := execTyped(t, viaProxy, pid, tc.p, tc.p); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s with %s twice: the proxy answers %q, the server %q", q, tc.name, got, want)
			}
		}
	}
}

// TestReview2InsertTemporal: a DATE or DATETIME parameter stored through
// the proxy is stored as the server stores it sent straight to it.
func TestReview2InsertTemporal(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	ctx := context.Background()
	setup := f.open(t, nil)
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS rev2_dates (k VARCHAR(40) PRIMARY KEY, d DATE, dt DATETIME(6), tm TIME(6))",
		"DELETE FROM rev2_dates",
	} {
		if _, err := setup.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	viaProxy := dialRaw(t, f)
	direct := dialNode(t, f, f.topo.Shards[0].Primary.HostPort)
	const q = "INSERT INTO rev2_dates (k, d, dt, tm) VALUES (?, ?, ?, ?)"
	pid, did := viaProxy.prepare(q), direct.prepare(q)
	str := func(s string) stmtParam { return stmtParam{typ: 253, val: append([]byte{byte(len(s))}, s...)} }
	for _, tc := range []struct {
		name string
		p    stmtParam
	}{
		{"zero date with a time", stmtParam{typ: 12, val: []byte{7, 0, 0, 0, 0, 12, 34, 56}}},
		{"2024-00-00", stmtParam{typ: 10, val: []byte{4, 0xe8, 0x07, 0, 0}}},
		{"year 5", stmtParam{typ: 10, val: []byte{4, 5, 0, 1, 5}}},
		{"fraction", stmtParam{typ: 12, val: append([]byte{11, 0xe8, 0x07, 1, 5, 12, 34, 56}, binary.LittleEndian.AppendUint32(nil, 999999)...)}},
	} {
		a := execTyped(t, viaProxy, pid, str("proxy "+tc.name), tc.p, tc.p, tc.p)
		b := execTyped(t, direct, did, str("direct "+tc.name), tc.p, tc.p, tc.p)
		var got, want string
		for k, dst := range map[string]*string{"proxy ": &got, "direct ": &want} {
			var row string
			err := adminDB(t, f.topo, f.topo.Shards[0].Primary.HostPort).QueryRow("SELECT CONCAT_WS('|', IFNULL(d, 'NULL'), IFNULL(dt, 'NULL'), IFNULL(tm, 'NULL')) FROM "+f.topo.DatabaseName()+".rev2_dates WHERE k = ?", k+tc.name).Scan(&row)
			*dst = fmt.Sprint(row, err)
		}
		if fmt.Sprint(a) != fmt.Sprint(b) || got != want {
			t.Errorf("INSERT of %s: through the proxy %q stored %s; straight to the server %q stored %s", tc.name, a, got, b, want)
		}
	}
}

// TestReview2KeyNear2To53: a string key with a fraction that a float64
// between 2^52 and 2^53 cannot hold ('<m>.5' reads as the double m): the
// router reads it as the key m, and asks m's shard; the server compares
// the INT key with it otherwise.
func TestReview2KeyNear2To53(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	setupPrepared(t, f)
	m := int64(1 << 52)
	for shardOfKey(t, f, m) == shardOfKey(t, f, m+1) {
		m += 2
	}
	db := f.topo.DatabaseName()
	ids := fmt.Sprintf("(%d, %d)", m, m+1)
	execReplicated(t, f, "SELECT COUNT(*) FROM "+db+".kvs WHERE id IN "+ids,
		"DELETE FROM kvs WHERE id IN "+ids,
		fmt.Sprintf("INSERT INTO kvs (id, v) VALUES (%d, 'm'), (%d, 'm+1')", m, m+1),
	)
	ctx := context.Background()
	c, err := f.open(t, nil).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	half := strconv.FormatInt(m, 10) + ".5"
	for _, where := range []string{
		"id = '" + half + "'",
		"id IN ('" + half + "', 1)",
		"id = " + half,
	} {
		want := primaryRows(t, f, "SELECT v FROM "+db+".kvs WHERE "+where)
		got := query(ctx, c, "SELECT v FROM kvs WHERE "+where)
		var gotV []string
		for _, r := range got.rows {
			v, _ := strconv.Unquote(r[0])
			gotV = append(gotV, v)
		}
		if got.err != "" || fmt.Sprint(gotV) != fmt.Sprint(want) {
			t.Errorf("WHERE %s: the proxy answers %q %s, the servers %q", where, gotV, got.err, want)
		}
	}
}

// TestReview2InListsAgainstOneServer: reads by IN lists (and equalities)
// on the shard key, as text and as prepared statements, each answered as
// the union of every primary's answer to the same statement: what one
// server holding every row answers, since each row is compared where it
// lives.
func TestReview2InListsAgainstOneServer(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	setupPrepared(t, f)
	m := int64(1 << 52)
	for shardOfKey(t, f, m) == shardOfKey(t, f, m+1) {
		m += 2
	}
	keys := []int64{1, 2, 3, 4, 5, 6, 7, 8, m, m + 1, 1 << 53, 1<<53 + 1, 1<<53 + 2}
	db := f.topo.DatabaseName()
	var list, values []string
	for _, k := range keys {
		list = append(list, strconv.FormatInt(k, 10))
		values = append(values, fmt.Sprintf("(%d, 'k%d')", k, k))
	}
	in := "(" + strings.Join(list, ", ") + ")"
	execReplicated(t, f, "SELECT COUNT(*) FROM "+db+".kvs WHERE id IN "+in,
		"DELETE FROM kvs WHERE id IN "+in,
		"INSERT INTO kvs (id, v) VALUES "+strings.Join(values, ", "),
	)
	for k := range keys {
		t.Logf("key %d on shard %d", keys[k], shardOfKey(t, f, keys[k]))
	}
	ctx := context.Background()
	text, err := f.open(t, nil).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer text.Close()
	prep, err := f.open(t, prepared).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer prep.Close()
	mt := strconv.FormatInt(m, 10)
	for _, tc := range []struct {
		where string
		args  []any
	}{
		{"id IN (9007199254740993, '1')", nil},
		{"id IN (9007199254740993, '2', 3)", nil},
		{"id IN (9007199254740993, 1)", nil},
		{"id IN ('" + mt + ".5', " + strconv.FormatInt(m+1, 10) + ")", nil},
		{"id IN ('" + mt + ".5', 1)", nil},
		{"id = '" + mt + ".5'", nil},
		{"id IN (1, 2, '3abc')", nil},
		{"id IN ('+3', ' 4', 5, '6.0', '7e0', '0.8e1')", nil},
		{"id IN (-1, 1, 2, 3)", nil},
		{"id IN (1, NULL, 4)", nil},
		{"id IN (1, 1, '1', 2)", nil},
		{"id IN (?, ?)", []any{uint64(9007199254740993), "1"}},
		{"id IN (?, ?)", []any{int64(9007199254740993), int64(1)}},
		{"id IN (?, ?)", []any{[]byte("3"), []byte(" 4")}},
		{"id IN (?, ?)", []any{"+5", int64(-6)}},
		{"id IN (?, ?, ?)", []any{mt + ".5", int64(1), int64(2)}},
		{"id IN (?, ?)", []any{uint64(1<<64 - 1), int64(7)}},
		{"id IN (?, ?)", []any{nil, int64(7)}},
	} {
		want := primaryRows(t, f, "SELECT v FROM "+db+".kvs WHERE "+tc.where, tc.args...)
		for name, c := range map[string]*sql.Conn{"text": text, "prepared": prep} {
			got := query(ctx, c, "SELECT v FROM kvs WHERE "+tc.where, tc.args...)
			var gotV []string
			for _, r := range got.rows {
				v, _ := strconv.Unquote(r[0])
				gotV = append(gotV, v)
			}
			sortStrings(gotV)
			if got.err != "" || fmt.Sprint(gotV) != fmt.Sprint(want) {
				t.Errorf("%s WHERE %s %v: the proxy answers %q %s, one server %q", name, tc.where, tc.args, gotV, got.err, want)
			}
		}
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// TestReview2InsertExponentKeysText: a text INSERT whose key is a string
// in exponent form lands on the shard of the id the server stores, or is
// refused and stores nothing.
func TestReview2InsertExponentKeysText(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	setupPrepared(t, f)
	ctx := context.Background()
	db := f.open(t, nil)
	for _, key := range []string{
		"900719925474099300000000000e-10",
		"0.0000000000000000000000009007199254740993e40",
		"9223372036854775807e0",
		"92233720368547758070e-1",
		"12345678901234567800e-2",
		"-9007199254740993e0",
		"00000000000000000000000000000000000000000000009007199254740993e0",
		"9007199254740993000000000000000000000000000000e-30",
		"4503599627370497.00000000000000000000000000000000000000001e0",
		"45035996273704970000000000000000000000000000000000001e-37",
		"1e19",
		"1.8446744073709551615e19",
		"5e-0",
		"0.5e1",
	} {
		const mark = "exponent key"
		onPrimaries(t, f, "DELETE FROM "+f.topo.DatabaseName()+".kvs WHERE v = ? OR id IN (90071992547409930, 9007199254740993, -9007199254740993, 9223372036854775807, 123456789012345678, 4503599627370497, 5)", mark)
		_, err := db.ExecContext(ctx, "INSERT INTO kvs (id, v) VALUES ('"+key+"', '"+mark+"')")
		on, stored := holder(t, f, mark)
		switch {
		case err != nil && on >= 0:
			t.Errorf("INSERT with id '%s' was refused (%v), yet row %s is on shard %d", key, err, stored, on)
		case err != nil:
			t.Logf("INSERT with id '%s': refused: %v", key, err)
		case on < 0:
			t.Errorf("INSERT with id '%s' stored no row", key)
		default:
			n, perr := strconv.ParseInt(stored, 10, 64)
			if perr != nil {
				t.Fatal(perr)
			}
			if want := shardOfKey(t, f, n); on != want {
				t.Errorf("INSERT with id '%s': the server stored %s, on shard %d; a read of id %s goes to shard %d", key, stored, on, stored, want)
			} else {
				t.Logf("INSERT with id '%s': stored %s on shard %d", key, stored, on)
			}
		}
	}
	onPrimaries(t, f, "DELETE FROM "+f.topo.DatabaseName()+".kvs WHERE v = ?", "exponent key")
}

// TestReview2UnparsedWriteCount: a write the parser does not read (SET
// STATEMENT … FOR UPDATE) reports the rows it changed, as the server does,
// and one with RETURNING its rows.
func TestReview2UnparsedWriteCount(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	ctx := context.Background()
	db := f.open(t, nil)
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS rev2_jobs (id INT PRIMARY KEY, owner BIGINT UNSIGNED NULL)",
		"DELETE FROM rev2_jobs",
		"INSERT INTO rev2_jobs (id) VALUES (1), (2)",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	const q = "SET STATEMENT max_statement_time = 10 FOR UPDATE rev2_jobs SET owner = 7 WHERE id IN (1, 2)"
	res, err := db.ExecContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var changed int
	if err := adminDB(t, f.topo, f.topo.Shards[0].Primary.HostPort).QueryRowContext(ctx, "SELECT COUNT(*) FROM "+f.topo.DatabaseName()+".rev2_jobs WHERE owner = 7").Scan(&changed); err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != int64(changed) || changed != 2 {
		t.Errorf("%s: the proxy reports %d rows changed; the server changed %d", q, n, changed)
	}
	var ids []int
	rows, err := db.QueryContext(ctx, "SET STATEMENT max_statement_time = 10 FOR DELETE FROM rev2_jobs WHERE id IN (1, 2) RETURNING id")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil || len(ids) != 2 {
		t.Errorf("DELETE … RETURNING id of 2 rows returned %v (%v), want both ids", ids, err)
	}
}
