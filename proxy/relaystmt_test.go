package proxy_test

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/proxy"
	vtmysql "vitess.io/vitess/go/mysql"
	"vitess.io/vitess/go/mysql/sqlerror"
)

// prepared is a client that runs every statement with parameters as a
// server-side prepared statement, in the binary protocol.
func prepared(c *mysql.Config) { c.InterpolateParams = false }

// setupPrepared writes the rows the prepared-statement tests read, and
// waits for every replica to hold them.
func setupPrepared(t *testing.T, f *fixture) {
	t.Helper()
	execReplicated(t, f, "SELECT COUNT(*) FROM "+f.topo.DatabaseName()+".kvs WHERE id BETWEEN 9101 AND 9120",
		"CREATE TABLE IF NOT EXISTS kvs (id BIGINT PRIMARY KEY, v VARCHAR(40), n DECIMAL(10,2), d DATETIME(6), b VARBINARY(8))",
		"DELETE FROM kvs WHERE id IN (9101, 9102, 9103, 9104)",
		"INSERT INTO kvs (id, v, n, d, b) VALUES (9101, 'one', 1.50, '2025-03-01 12:00:00.123456', x'00ff'), (9102, NULL, NULL, NULL, NULL), (9103, 'three', -3.25, '2024-01-02', ''), (9104, 'four', 4, '2024-01-03', 'k')",
	)
}

// writesProxy is a proxy that allows writes over several shards, with
// the prepared test rows (setupPrepared).
func writesProxy(t *testing.T) *fixture {
	t.Helper()
	rcfg := quiet()
	rcfg.AllowMultiShardWrites = true
	f := startProxy(t, proxy.Config{}, rcfg)
	setupPrepared(t, f)
	return f
}

// TestRelayPrepared checks which executions of prepared statements the
// relay takes (those a text statement would be relayed for, with
// parameters it can route by) and that a client sees the same rows and
// errors with the relay as without it, and the node's own columns.
func TestRelayPrepared(t *testing.T) {
	on := startProxy(t, proxy.Config{}, quiet())
	off := startProxy(t, proxy.Config{NoRelay: true}, quiet())
	setupPrepared(t, on)
	ctx := context.Background()
	tests := []struct {
		name    string
		session []string
		q       string
		args    []any
		relayed bool
	}{
		{"point read by an integer", nil, "SELECT id, v, n, d, b FROM kvs WHERE id = ?", []any{int64(9101)}, true},
		{"by a string", nil, "SELECT id, v FROM kvs WHERE id = ?", []any{"9103"}, true},
		{"by an unsigned", nil, "SELECT id, v FROM kvs WHERE id = ?", []any{uint64(9104)}, true},
		{"NULLs", nil, "SELECT * FROM kvs WHERE id = ?", []any{int64(9102)}, true},
		{"no rows", nil, "SELECT v FROM kvs WHERE id = ?", []any{int64(9119)}, true},
		{"bytes, a float, a NULL parameter", nil, "SELECT id, ? IS NULL, b = ?, n < ? FROM kvs WHERE id = ?", []any{nil, []byte{0, 0xff}, 2.5, int64(9101)}, true},
		{"a large unsigned", nil, "SELECT id, ? FROM kvs WHERE id = ?", []any{uint64(1<<64 - 1), int64(9101)}, true},
		{"a time (which the driver sends as text)", nil, "SELECT id FROM kvs WHERE id = ? AND d < ?", []any{int64(9101), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}, true},
		{"two shards", nil, "SELECT id, v FROM kvs WHERE id IN (?, ?, ?, ?) ORDER BY id", []any{9101, 9102, 9103, 9104}, false},
		{"scatter", nil, "SELECT COUNT(*) FROM kvs WHERE v = ?", []any{"one"}, false},
		{"the node refuses to prepare it", nil, "SELECT nope FROM kvs WHERE id = ?", []any{int64(9101)}, false},
		{"the node's error at execution", nil, "SELECT id FROM kvs WHERE id = ? AND v REGEXP ?", []any{int64(9101), "("}, true},
		{"write", nil, "UPDATE kvs SET v = v WHERE id = ?", []any{int64(9101)}, false},
		{"LAST_INSERT_ID(), the session's", nil, "SELECT ? + LAST_INSERT_ID(), v FROM kvs WHERE id = ?", []any{5, int64(9101)}, false},
		{"in a transaction", []string{"BEGIN"}, "SELECT v FROM kvs WHERE id = ?", []any{int64(9101)}, false},
		{"session variable", []string{"SET @x = 1"}, "SELECT v, @x FROM kvs WHERE id = ?", []any{int64(9101)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := onAndOff(ctx, t, on, off, prepared, tt.session, tt.relayed, tt.q, tt.args...)
			if tt.relayed && got[0].err == "" {
				direct := directResult(t, on, tt.q, tt.args...)
				if !reflect.DeepEqual(got[0].cols, direct.cols) {
					t.Errorf("columns with the relay: %v\nfrom the node: %v", got[0].cols, direct.cols)
				}
				if !reflect.DeepEqual(got[0].rows, direct.rows) {
					t.Errorf("rows with the relay: %v\nfrom the node: %v", got[0].rows, direct.rows)
				}
				got[0].cols, got[1].cols = nil, nil
			}
			if !reflect.DeepEqual(got[0], got[1]) {
				t.Errorf("with the relay:\n%s\nwithout:\n%s", show(got[0]), show(got[1]))
			}
		})
	}
}

// rawClient speaks the binary protocol's commands itself, to send what
// go-sql-driver never does: an execution without the parameter types,
// which a client sends once and then leaves out (the MariaDB and MySQL C
// clients, sysbench, PHP's mysqlnd).
type rawClient struct {
	t *testing.T
	c *vtmysql.Conn
	// cols are the column definition packets of the last prepare's
	// answer.
	cols [][]byte
}

func dialRaw(t *testing.T, f *fixture) *rawClient {
	t.Helper()
	return dialRawAt(t, f, net.JoinHostPort(f.host, strconv.Itoa(f.port)))
}

// againstNode runs test with the relay on and off: a proxy with the
// prepared test rows, a raw client of it, and a raw client of the first
// shard's primary, whose answers to the same packets are the ones to
// match.
func againstNode(t *testing.T, test func(t *testing.T, f *fixture, rc, node *rawClient)) {
	relayOnAndOff(t, func(t *testing.T, f *fixture) {
		test(t, f, dialRaw(t, f), dialRawAt(t, f, f.topo.Shards[0].Primary.HostPort))
	})
}

// relayOnAndOff runs test with the relay on and off, each over a proxy
// with the prepared test rows.
func relayOnAndOff(t *testing.T, test func(t *testing.T, f *fixture)) {
	for _, cfg := range []struct {
		name string
		cfg  proxy.Config
	}{{"relay", proxy.Config{}}, {"no relay", proxy.Config{NoRelay: true}}} {
		t.Run(cfg.name, func(t *testing.T) {
			f := startProxy(t, cfg.cfg, quiet())
			setupPrepared(t, f)
			test(t, f)
		})
	}
}

// dialRawAt logs in to addr (the proxy, or a node) as the topology's user.
func dialRawAt(t *testing.T, f *fixture, addr string) *rawClient {
	t.Helper()
	return dialRawWith(t, f, addr, nil)
}

// dialRawWith is dialRawAt with the login's parameters adjusted.
func dialRawWith(t *testing.T, f *fixture, addr string, adjust func(*vtmysql.ConnParams)) *rawClient {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	portNum, _ := strconv.Atoi(port)
	// utf8mb4_general_ci, as go-sql-driver and sysbench log in: the
	// library sends 0 unless told, which a server takes for its default
	// character set (latin1), and so does the proxy.
	params := &vtmysql.ConnParams{Host: host, Port: portNum, Uname: f.topo.User.Name, Pass: f.topo.User.Password, DbName: f.topo.DatabaseName(), Charset: 45}
	if adjust != nil {
		adjust(params)
	}
	c, err := vtmysql.Connect(context.Background(), params)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return &rawClient{t: t, c: c}
}

// write sends payload as a command: in one packet, or in packets of
// 16 MiB - 1 bytes and the rest (an empty one when it fills the last), as
// a client sends 16 MiB and more.
func (rc *rawClient) write(payload []byte) {
	rc.t.Helper()
	var pkts []byte
	for seq := byte(0); ; seq++ {
		n := min(len(payload), 1<<24-1)
		pkts = append(pkts, byte(n), byte(n>>8), byte(n>>16), seq)
		pkts = append(pkts, payload[:n]...)
		payload = payload[n:]
		if n < 1<<24-1 {
			break
		}
	}
	if _, err := rc.c.GetRawConn().Write(pkts); err != nil {
		rc.t.Fatal(err)
	}
}

func (rc *rawClient) read() []byte {
	rc.t.Helper()
	p, _ := rc.readSeq()
	return p
}

// isError reports whether p is an error packet of number code.
func isError(p []byte, code sqlerror.ErrorCode) bool {
	return len(p) >= 3 && p[0] == 0xff && binary.LittleEndian.Uint16(p[1:]) == uint16(code)
}

// readSeq reads a packet, and its sequence number.
func (rc *rawClient) readSeq() ([]byte, byte) {
	rc.t.Helper()
	c := rc.c.GetRawConn()
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	var hdr [4]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		rc.t.Fatalf("the proxy cut the connection: %v", err)
	}
	p := make([]byte, int(hdr[0])|int(hdr[1])<<8|int(hdr[2])<<16)
	if _, err := io.ReadFull(c, p); err != nil {
		rc.t.Fatalf("the proxy cut the connection: %v", err)
	}
	return p, hdr[3]
}

// prepare prepares q and returns its statement id.
func (rc *rawClient) prepare(q string) uint32 {
	rc.t.Helper()
	rc.write(append([]byte{0x16}, q...))
	return rc.prepared(q)
}

// prepared reads the answer to the COM_STMT_PREPARE of q and returns the
// statement id.
func (rc *rawClient) prepared(q string) uint32 {
	rc.t.Helper()
	p := rc.read()
	if p[0] != 0 {
		rc.t.Fatalf("prepare %s: %q", q, p)
	}
	rc.definitions(p)
	return binary.LittleEndian.Uint32(p[1:])
}

// definitions reads the parameter and column definitions that follow p,
// the first packet of a prepare's answer, and returns their counts.
func (rc *rawClient) definitions(p []byte) (params, cols int) {
	rc.t.Helper()
	params, cols = int(binary.LittleEndian.Uint16(p[7:])), int(binary.LittleEndian.Uint16(p[5:]))
	rc.cols = rc.cols[:0]
	for i, n := range []int{params, cols} {
		for range n {
			if p := rc.read(); i == 1 {
				rc.cols = append(rc.cols, p)
			}
		}
		if n > 0 && rc.c.Capabilities&vtmysql.CapabilityClientDeprecateEOF == 0 {
			rc.read()
		}
	}
	return params, cols
}

// execute runs statement id with the BIGINT parameters args, sending
// their types only when withTypes, and returns the first column of each
// row (a string column, or NULL as "NULL"), or the error packet's text.
func (rc *rawClient) execute(id uint32, withTypes bool, args ...int64) []string {
	rc.t.Helper()
	p := binary.LittleEndian.AppendUint32([]byte{0x17}, id)
	p = append(p, 0, 1, 0, 0, 0)
	p = append(p, make([]byte, (len(args)+7)/8)...) // no NULLs
	if withTypes {
		p = append(p, 1)
		for range args {
			p = append(p, 8, 0) // LONGLONG, signed
		}
	} else {
		p = append(p, 0)
	}
	for _, a := range args {
		p = binary.LittleEndian.AppendUint64(p, uint64(a))
	}
	rc.write(p)
	return rc.result()
}

// result reads the answer to an execution: the first column of each
// binary row (a string column, or NULL as "NULL"), "OK" for an OK packet,
// or the error packet's text.
func (rc *rawClient) result() []string {
	rc.t.Helper()
	first := rc.read()
	switch first[0] {
	case 0xff:
		return []string{"error: " + string(first[9:])}
	case 0x00:
		return []string{"OK"}
	}
	cols := int(first[0])
	for range cols {
		rc.read()
	}
	if rc.c.Capabilities&vtmysql.CapabilityClientDeprecateEOF == 0 {
		rc.read()
	}
	var out []string
	for {
		row := rc.read()
		if row[0] == 0xfe && len(row) < 1<<24-1 || row[0] == 0xff {
			return out
		}
		// A binary row: 0x00, the NULL bitmap (offset by 2 bits), values.
		bitmap := row[1 : 1+(cols+9)/8]
		if bitmap[0]&(1<<2) != 0 {
			out = append(out, "NULL")
			continue
		}
		v := row[1+(cols+9)/8:]
		out = append(out, string(v[1:1+int(v[0])]))
	}
}

// TestRelayPreparedTypesOnce: executions that leave out the parameter
// types (sent with the first one) are relayed and routed by their
// parameters, on whichever raw connection and shard; one the relay leaves
// to the full path after relayed ones still finds the types.
func TestRelayPreparedTypesOnce(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	setupPrepared(t, f)
	rc := dialRaw(t, f)
	id := rc.prepare("SELECT v FROM kvs WHERE id = ?")
	before := f.relayed(t)
	want := map[int64]string{9101: "one", 9102: "NULL", 9103: "three", 9104: "four"}
	for i, key := range []int64{9101, 9103, 9104, 9102, 9101, 9104} {
		got := rc.execute(id, i == 0, key)
		if len(got) != 1 || got[0] != want[key] {
			t.Errorf("id %d (types sent: %v): got %q, want %q", key, i == 0, got, want[key])
		}
	}
	if n := f.relayed(t) - before; n != 6 {
		t.Errorf("relayed %v of 6 executions", n)
	}
	// A statement the relay does not take (two shards), whose types were
	// sent with a relayed execution of it.
	two := rc.prepare("SELECT v FROM kvs WHERE id IN (?, ?) ORDER BY id")
	rc.execute(two, true, 9101, 9101) // one shard: relayed
	before = f.relayed(t)
	if got := rc.execute(two, false, 9101, 9103); !reflect.DeepEqual(got, []string{"one", "three"}) {
		t.Errorf("two shards without types: got %q", got)
	}
	if n := f.relayed(t) - before; n != 0 {
		t.Errorf("relayed %v times a read of two shards", n)
	}
	// Without types and none sent before: the relay does not guess them,
	// and leaves the execution to the library (which reads every
	// parameter as NULL).
	fresh := rc.prepare("SELECT v FROM kvs WHERE id = ? AND 1 = 1")
	before = f.relayed(t)
	if got := rc.execute(fresh, false, 9101); len(got) == 1 && got[0] == "one" {
		t.Errorf("an execution without types, none sent before: got %q", got)
	}
	if n := f.relayed(t) - before; n != 0 {
		t.Errorf("relayed an execution whose types were never sent")
	}
	// The connection still answers.
	if got := rc.execute(id, false, 9103); !reflect.DeepEqual(got, []string{"three"}) {
		t.Errorf("after the error: got %q", got)
	}
}

// TestRelayPreparedManyStatements prepares more statements than a raw
// connection keeps, so that the relay closes some on the node and
// prepares them again; every execution is answered, and no statement is
// left open on a node past the bound.
func TestRelayPreparedManyStatements(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	setupPrepared(t, f)
	db := f.open(t, prepared)
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	before := f.relayed(t)
	const n = 100
	for round := range 2 {
		for i := range n {
			var v string
			q := "SELECT v /* " + strconv.Itoa(i) + " */ FROM kvs WHERE id = ?"
			if err := db.QueryRowContext(ctx, q, 9103).Scan(&v); err != nil || v != "three" {
				t.Fatalf("round %d, statement %d: got %q, %v", round, i, v, err)
			}
		}
	}
	if got := f.relayed(t) - before; got != 2*n {
		t.Errorf("relayed %v of %d executions", got, 2*n)
	}
	for _, node := range f.topo.Nodes() {
		var name string
		var open int
		if err := adminDB(t, f.topo, node.Addr).QueryRow("SHOW GLOBAL STATUS LIKE 'Prepared_stmt_count'").Scan(&name, &open); err != nil {
			t.Fatal(err)
		}
		if open > 64 {
			t.Errorf("%s: %d statements prepared, more than the relay keeps", node.Name, open)
		}
	}
}

// TestRelayPreparedNodeFull: a node at its max_prepared_stmt_count
// refuses the relay's prepares; those executions take the full path, the
// relay's connection gives its statements back, and later executions are
// relayed again. Every one is answered.
func TestRelayPreparedNodeFull(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	setupPrepared(t, f)
	ctx := context.Background()
	for _, n := range f.topo.Nodes() {
		admin := adminDB(t, f.topo, n.Addr)
		if _, err := admin.ExecContext(ctx, "SET GLOBAL max_prepared_stmt_count = 8"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { admin.Exec("SET GLOBAL max_prepared_stmt_count = DEFAULT") })
	}
	db := f.open(t, prepared)
	db.SetMaxOpenConns(1)
	before := f.relayed(t)
	const n = 40
	for i := range n {
		var v string
		q := "SELECT v /* full " + strconv.Itoa(i) + " */ FROM kvs WHERE id = ?"
		if err := db.QueryRowContext(ctx, q, 9103).Scan(&v); err != nil || v != "three" {
			t.Fatalf("statement %d: got %q, %v", i, v, err)
		}
	}
	relayed := f.relayed(t) - before
	if relayed == n || relayed < n/2 {
		t.Errorf("relayed %v of %d executions on a node that holds 8 statements: want some, not all", relayed, n)
	}
}
