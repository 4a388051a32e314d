package proxy_test

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/proxy"
	"github.com/scalelab/scalelab/topology"
	vtmysql "vitess.io/vitess/go/mysql"
	"vitess.io/vitess/go/mysql/collations"
)

// relayed reads the proxy's count of relayed statements.
func (f *fixture) relayed(t testing.TB) float64 {
	t.Helper()
	return scrape(t, "http://"+f.srv.MetricsAddr().String()+"/metrics")["scalelab_proxy_relayed_total"]
}

// result is what a client sees of a statement: its columns' names and
// types, its rows as text, or its error.
type result struct {
	cols  []string
	rows  [][]string
	err   string
	count int64
}

func query(ctx context.Context, c *sql.Conn, q string, args ...any) result {
	rows, err := c.QueryContext(ctx, q, args...)
	if err != nil {
		return result{err: err.Error()}
	}
	defer rows.Close()
	var r result
	cts, _ := rows.ColumnTypes()
	for _, ct := range cts {
		p, s, _ := ct.DecimalSize()
		n, _ := ct.Nullable()
		r.cols = append(r.cols, fmt.Sprintf("%s %s(%d,%d) null=%v", ct.Name(), ct.DatabaseTypeName(), p, s, n))
	}
	for rows.Next() {
		vals := make([]sql.RawBytes, len(cts))
		dest := make([]any, len(cts))
		for i := range vals {
			dest[i] = &vals[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return result{err: err.Error()}
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			row[i] = fmt.Sprintf("%q", v)
			if v == nil {
				row[i] = "NULL"
			}
		}
		r.rows = append(r.rows, row)
		r.count++
	}
	if err := rows.Err(); err != nil {
		r.err = err.Error()
	}
	return r
}

// TestRelay checks which statements the relay takes (a text read that
// goes unchanged to one node, from a session without state of its own)
// and that a client sees the same columns, rows and errors with the relay
// as without it.
func TestRelay(t *testing.T) {
	on := startProxy(t, proxy.Config{}, quiet())
	off := startProxy(t, proxy.Config{NoRelay: true}, quiet())
	ctx := context.Background()
	// Every replica holds what its primary does, so that a read routed
	// to either answers the same.
	execReplicated(t, on, "SELECT COUNT(*) FROM "+on.topo.DatabaseName()+".kvs WHERE id BETWEEN 9001 AND 9003",
		"CREATE TABLE IF NOT EXISTS kvs (id BIGINT PRIMARY KEY, v VARCHAR(40), n DECIMAL(10,2), d DATETIME(6), b VARBINARY(8))",
		"DELETE FROM kvs WHERE id IN (9001, 9002, 9003)",
		"INSERT INTO kvs (id, v, n, d, b) VALUES (9001, 'one', 1.50, '2025-03-01 12:00:00.123456', x'00ff'), (9002, NULL, NULL, NULL, NULL), (9003, 'three', -3.25, '0000-00-00 00:00:00', '')",
	)
	tests := []struct {
		name    string
		session []string // run first, on the same connection
		q       string
		relayed bool
	}{
		{"point read", nil, "SELECT id, v, n, d, b FROM kvs WHERE id = 9001", true},
		{"NULLs and a zero date", nil, "SELECT * FROM kvs WHERE id IN (9002)", true},
		{"no rows", nil, "SELECT v FROM kvs WHERE id = 9009", true},
		{"computed columns keep their names", nil, "SELECT id /* c */ + 1, (1), +1, 0x41, CONCAT(v, '😀') FROM kvs WHERE id = 9003", true},
		{"long rows", nil, "SELECT REPEAT(v, 20000), id FROM kvs WHERE id = 9001", true},
		{"many rows", nil, "SELECT seq, REPEAT('x', seq % 100) FROM seq_1_to_20000", true},
		{"the node's error", nil, "SELECT nope FROM kvs WHERE id = 9001", true},
		{"a hint", nil, "SELECT /*+ scalelab_consistency=strong */ v FROM kvs WHERE id = 9001", true},
		{"SHOW", nil, "SHOW VARIABLES LIKE 'max_allowed_packet'", true},
		{"scatter", nil, "SELECT COUNT(*) FROM kvs WHERE id BETWEEN 9001 AND 9003", false},
		{"write", nil, "UPDATE kvs SET v = v WHERE id = 9001", false},
		{"ROW_COUNT(), the session's", []string{"UPDATE kvs SET v = v WHERE id = 9001"}, "SELECT ROW_COUNT(), v FROM kvs WHERE id = 9001", false},
		{"in a transaction", []string{"BEGIN"}, "SELECT v FROM kvs WHERE id = 9001", false},
		{"autocommit off", []string{"SET autocommit = 0"}, "SELECT v FROM kvs WHERE id = 9001", false},
		{"session variable", []string{"SET @x = 1"}, "SELECT v, @x FROM kvs WHERE id = 9001", false},
		{"USE", []string{"USE information_schema"}, "SELECT COUNT(*) > 0 FROM TABLES", false},
		{"route introspection", nil, "SHOW scalelab_route SELECT v FROM kvs WHERE id = 9001", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := onAndOff(ctx, t, on, off, nil, tt.session, tt.relayed, tt.q)
			if tt.relayed && got[0].err == "" && len(got[0].cols) == 0 {
				t.Errorf("no columns: %s", show(got[0]))
			}
			if tt.relayed {
				// The relay sends the node's own column definitions, where
				// the proxy without it rebuilds them from what the driver
				// tells (a TEXT for a LONGTEXT): those are held to the
				// node's, the rows and errors to the proxy's without it.
				direct := directResult(t, on, tt.q)
				if !reflect.DeepEqual(got[0].cols, direct.cols) {
					t.Errorf("columns with the relay: %v\nfrom the node: %v", got[0].cols, direct.cols)
				}
				got[0].cols, got[1].cols = nil, nil
			}
			if !reflect.DeepEqual(got[0], got[1]) && !strings.HasPrefix(tt.q, "SHOW scalelab_route") { // it names the replica each picked
				t.Errorf("with the relay:\n%s\nwithout:\n%s", show(got[0]), show(got[1]))
			}
		})
	}
}

// onAndOff runs session, then q with args, on a new connection to each of
// on (the relay on) and off (the relay off), opened with adjust, and
// returns what each answered. It fails t unless on relayed q exactly when
// relayed says, and off relayed nothing.
func onAndOff(ctx context.Context, t *testing.T, on, off *fixture, adjust func(*mysql.Config), session []string, relayed bool, q string, args ...any) (got [2]result) {
	t.Helper()
	for i, f := range []*fixture{on, off} {
		c, err := f.open(t, adjust).Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for _, s := range session {
			if _, err := c.ExecContext(ctx, s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
		before := f.relayed(t)
		got[i] = query(ctx, c, q, args...)
		if n := f.relayed(t) - before; f == on && (n == 1) != relayed {
			t.Errorf("relayed %v times, want relayed: %v", n, relayed)
		} else if f == off && n != 0 {
			t.Errorf("relayed %v times with the relay off", n)
		}
	}
	return got
}

// execReplicated runs stmts through f, then waits until every replica's
// count (a query of one number) is its primary's.
func execReplicated(t *testing.T, f *fixture, count string, stmts ...string) {
	t.Helper()
	db := f.open(t, nil)
	for _, q := range stmts {
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, sh := range f.topo.Shards {
		var want int
		if err := adminDB(t, f.topo, sh.Primary.HostPort).QueryRow(count).Scan(&want); err != nil {
			t.Fatal(err)
		}
		replicasReach(t, f, sh.Name, count, want)
	}
}

// replicasReach waits until every replica of shard answers count (a query
// of one number) with want.
func replicasReach(t *testing.T, f *fixture, shard, count string, want int) {
	t.Helper()
	for _, n := range f.topo.Nodes() {
		if n.Shard == shard && n.Role == topology.Replica {
			db := adminDB(t, f.topo, n.Addr)
			got := -1
			deadline := time.Now().Add(30 * time.Second)
			for db.QueryRow(count).Scan(&got) != nil || got != want {
				if time.Now().After(deadline) {
					t.Fatalf("timed out after 30s waiting for %s to replicate: %s is %d there, %d on the primary; its replication: %s", n.Name, count, got, want, replicationState(db))
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	}
}

// replicationState is what SHOW SLAVE STATUS on db says of its threads
// and last errors, for a test that waited for it in vain.
func replicationState(db *sql.DB) string {
	rows, err := db.Query("SHOW SLAVE STATUS")
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	if !rows.Next() {
		return "not a replica"
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return err.Error()
	}
	var out []string
	for i, c := range cols {
		switch c {
		case "Slave_IO_Running", "Slave_SQL_Running", "Last_IO_Error", "Last_SQL_Error", "Seconds_Behind_Master", "Gtid_IO_Pos":
			out = append(out, c+"="+vals[i].String)
		}
	}
	return strings.Join(out, " ")
}

// directResult runs q, with args as a server-side prepared statement, on
// the primary of the shard the router sends it to, as the application
// user.
func directResult(t *testing.T, f *fixture, q string, args ...any) result {
	t.Helper()
	tr, err := f.r.Route(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range f.topo.Nodes() {
		if len(tr.Shards) == 1 && n.Shard == tr.Shards[0] && n.Role == topology.Primary {
			cfg := f.topo.MySQLConfig(n.Addr, f.topo.User)
			cfg.InterpolateParams, cfg.ParseTime = false, false
			conn, err := mysql.NewConnector(cfg)
			if err != nil {
				t.Fatal(err)
			}
			db := sql.OpenDB(conn)
			defer db.Close()
			c, err := db.Conn(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			return query(context.Background(), c, q, args...)
		}
	}
	t.Fatalf("no primary for shards %q of %s", tr.Shards, q)
	return result{}
}

func show(r result) string {
	rows := fmt.Sprint(r.rows)
	if len(rows) > 200 {
		rows = rows[:200] + "…"
	}
	return fmt.Sprintf("cols %v\nrows %s (%d in all)\nerr %q", r.cols, rows, r.count, r.err)
}

// TestRelayReplacesDeadConnections ends every idle connection of the
// application user on every node, as a restart or wait_timeout would: the
// relay's idle connections among them. The next reads are answered all
// the same, on new connections.
func TestRelayReplacesDeadConnections(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	ctx := context.Background()
	db := f.open(t, nil)
	db.SetMaxOpenConns(4)
	read := func() {
		t.Helper()
		var one int
		if err := db.QueryRowContext(ctx, "SELECT 1 FROM seq_1_to_3 WHERE seq = 1").Scan(&one); err != nil || one != 1 {
			t.Fatalf("got %d, %v; want 1", one, err)
		}
	}
	for range 8 {
		read()
	}
	killed := 0
	for _, n := range f.topo.Nodes() {
		admin := adminDB(t, f.topo, n.Addr)
		rows, err := admin.QueryContext(ctx, "SELECT id FROM information_schema.PROCESSLIST WHERE USER = ? AND COMMAND = 'Sleep'", f.topo.User.Name)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			ids = append(ids, id)
		}
		rows.Close()
		for _, id := range ids {
			if _, err := admin.ExecContext(ctx, fmt.Sprintf("KILL %d", id)); err == nil {
				killed++
			} else if !strings.Contains(err.Error(), "Unknown thread") {
				t.Fatal(err)
			}
		}
	}
	if killed == 0 {
		t.Fatal("no idle connection to end")
	}
	before := f.relayed(t)
	for range 20 {
		read()
	}
	if n := f.relayed(t) - before; n != 20 {
		t.Errorf("relayed %v of 20 reads after %d connections ended", n, killed)
	}
}

// TestRelayMultiStatements: a client that may send several statements in
// one COM_QUERY gets every result set of such a text, which the relay
// leaves to the full path (its connections do not take several); one
// statement with a trailing semicolon is relayed.
func TestRelayMultiStatements(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	db := f.open(t, func(c *mysql.Config) { c.MultiStatements = true })
	for _, tt := range []struct {
		q       string
		sets    []int // rows per result set
		relayed float64
	}{
		{"SELECT seq FROM seq_1_to_3; SELECT 2", []int{3, 1}, 0},
		{"SELECT seq FROM seq_1_to_3 WHERE seq < 3;", []int{2}, 1},
		{"SELECT seq FROM seq_1_to_3 WHERE seq = 1 ; ", []int{1}, 1},
	} {
		before := f.relayed(t)
		rows, err := db.QueryContext(context.Background(), tt.q)
		if err != nil {
			t.Fatalf("%q: %v", tt.q, err)
		}
		var sets []int
		for {
			n := 0
			for rows.Next() {
				n++
			}
			sets = append(sets, n)
			if !rows.NextResultSet() {
				break
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%q: %v", tt.q, err)
		}
		rows.Close()
		if !reflect.DeepEqual(sets, tt.sets) {
			t.Errorf("%q: rows per result set %v, want %v", tt.q, sets, tt.sets)
		}
		if n := f.relayed(t) - before; n != tt.relayed {
			t.Errorf("%q: relayed %v times, want %v", tt.q, n, tt.relayed)
		}
	}
}

// TestEmptyPacket: an empty packet (the end of a command whose payload
// is exactly 16 MiB - 1 bytes, or a client's mistake) reaches the
// protocol library, which answers or closes the connection; it never
// waits for a byte that is not coming.
func TestEmptyPacket(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	ctx := context.Background()
	params := &vtmysql.ConnParams{Host: f.host, Port: f.port, Uname: f.topo.User.Name, Pass: f.topo.User.Password, DbName: f.topo.DatabaseName()}
	c, err := vtmysql.Connect(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.GetRawConn().Write([]byte{0, 0, 0, 0}); err != nil { // length 0, sequence 0
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.ReadPacket()
		done <- err
	}()
	select {
	case <-done: // an error packet, or the connection closed
	case <-time.After(30 * time.Second):
		t.Fatal("no answer to an empty packet")
	}
}

// TestRelayShapes: reads of an unsharded table that differ only in their
// literals are classified by one shape (router/shape.go), and answer as
// without the relay; a new literal of a known shape is not parsed again.
func TestRelayShapes(t *testing.T) {
	on := startProxy(t, proxy.Config{}, quiet())
	off := startProxy(t, proxy.Config{NoRelay: true}, quiet())
	ctx := context.Background()
	db := on.open(t, nil)
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS relayshapes (id INT PRIMARY KEY, s VARCHAR(20))",
		"DELETE FROM relayshapes",
		`INSERT INTO relayshapes VALUES (1, 'abc'), (2, 'it''s'), (3, 'a\\b'), (4, NULL), (18, '18')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// The table is unsharded: it lives on its home shard, whose replicas
	// must hold its rows before a read goes there.
	tr, err := on.r.Route("SELECT * FROM relayshapes")
	if err != nil || len(tr.Shards) != 1 {
		t.Fatal(tr.Shards, err)
	}
	replicasReach(t, on, tr.Shards[0], "SELECT COUNT(*) FROM "+on.topo.DatabaseName()+".relayshapes", 5)
	for _, c := range []struct {
		q       string
		relayed bool
	}{
		{"SELECT s FROM relayshapes WHERE id = 1", true},
		{"SELECT s FROM relayshapes WHERE id = 3", true},
		{"SELECT id FROM relayshapes WHERE s = 'abc'", true},
		{"SELECT id FROM relayshapes WHERE s = 'it''s'", true},
		{`SELECT id FROM relayshapes WHERE s = 'a\\b'`, true},
		{"SELECT id, s FROM relayshapes WHERE id IN (1, 2, 4) ORDER BY id LIMIT 2", true},
		{"SELECT id FROM relayshapes WHERE s = 18", true},
		{"SELECT id FROM relayshapes WHERE id = '18abc'", true},
		{"SELECT id, 5, 'x' FROM relayshapes WHERE id>=2 AND id<=3", true},
		{"SELECT COUNT(*) FROM relayshapes WHERE id = -1", true},
		// Reads the relay does not take, shape or not.
		{"SELECT s FROM relayshapes WHERE id = 1 FOR UPDATE", false},
		{"SELECT GET_LOCK('relayshapes', 0), RELEASE_LOCK('relayshapes')", false},
		{"SELECT v FROM kvs WHERE id = 9001 AND v = 'x' FOR UPDATE", false},
	} {
		got := onAndOff(ctx, t, on, off, nil, nil, c.relayed, c.q)
		got[0].cols, got[1].cols = nil, nil
		if !reflect.DeepEqual(got[0], got[1]) {
			t.Errorf("%s\nwith the relay:\n%s\nwithout:\n%s", c.q, show(got[0]), show(got[1]))
		}
	}
	var s sql.NullString
	if err := db.QueryRowContext(ctx, "SELECT s FROM relayshapes WHERE id = 2").Scan(&s); err != nil {
		t.Fatal(err)
	}
	before := on.r.Stats().Parsed
	for _, id := range []int{3, 4, 18, 1} {
		if err := db.QueryRowContext(ctx, fmt.Sprintf("SELECT s FROM relayshapes WHERE id = %d", id)).Scan(&s); err != nil {
			t.Fatal(err)
		}
	}
	if n := on.r.Stats().Parsed - before; n != 0 {
		t.Errorf("%d texts parsed for four literals of a known shape, want 0", n)
	}
}

// TestRelayIdlePerNode: the relay keeps as many idle connections a node
// as the node's pool keeps, over the collations of its clients, not that
// many for each: clients of six collations left six times as many open
// on a replica (the first review).
func TestRelayIdlePerNode(t *testing.T) {
	const maxIdle = 2
	rcfg := quiet()
	rcfg.Replica.Pool.MaxIdle = maxIdle
	f := startProxy(t, proxy.Config{}, rcfg)
	setupPrepared(t, f)
	addr := net.JoinHostPort(f.host, strconv.Itoa(f.port))
	// The replicas the read by the key goes to.
	tr, err := f.r.Route("SELECT v FROM kvs WHERE id = 9101")
	if err != nil {
		t.Fatal(err)
	}
	var replicas []string
	for _, n := range f.topo.Nodes() {
		if n.Role == topology.Replica && slices.Contains(tr.Shards, n.Shard) {
			replicas = append(replicas, n.Addr)
		}
	}
	threads := func() int { return globalStatus(t, f, replicas, "Threads_connected") }
	before := f.relayed(t)
	collations := []collations.ID{8, 33, 45, 46, 224, 63}
	const each = 3
	for _, coll := range collations {
		var wg sync.WaitGroup
		for range each {
			rc := dialRawWith(t, f, addr, func(p *vtmysql.ConnParams) { p.Charset = coll })
			wg.Add(1)
			go func() {
				defer wg.Done()
				rc.c.ExecuteFetch("SELECT SLEEP(0.2), v FROM kvs WHERE id = 9101", 1, false)
			}()
		}
		wg.Wait()
	}
	if n := f.relayed(t) - before; n != float64(len(collations)*each) {
		t.Fatalf("%v of %d reads relayed: the test would not exercise the relay's idle connections", n, len(collations)*each)
	}
	// The router's pool keeps maxIdle a node, and its health checks one;
	// the relay maxIdle more. Six collations' own would be 6×maxIdle.
	if n, most := threads(), len(replicas)*(3*maxIdle+1); n > most {
		t.Errorf("%d connections open on the replicas after clients of %d collations, want at most %d", n, len(collations), most)
	}
}

// globalStatus sums the global status variable name over the nodes at
// addrs, less the connection that asks each (counted in Connections and
// Threads_connected).
func globalStatus(t *testing.T, f *fixture, addrs []string, name string) int {
	t.Helper()
	n := 0
	for _, a := range addrs {
		r, err := dialRawAt(t, f, a).c.ExecuteFetch("SHOW GLOBAL STATUS LIKE '"+name+"'", 1, false)
		if err != nil || len(r.Rows) != 1 {
			t.Fatalf("%s: %v", a, err)
		}
		v, _ := strconv.Atoi(r.Rows[0][1].ToString())
		n += v - 1
	}
	return n
}
