package bench_test

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/bench"
	"github.com/scalelab/scalelab/internal/dbtest"
)

// TestLeanMatchesDriver runs a corpus of statements, as text and as
// prepared statements, through scalelab's protocol loop and through
// go-sql-driver, each on a target of its own, and checks that:
//   - the loop drove the clients of its target and the driver those of the
//     other (Pool.Loops);
//   - both count the same queries, and the same errors by kind;
//   - the server ran every query the loop sent (its counters);
//   - every connection answers the driver afterwards: the loop neither left
//     a reply unread nor read into the next one.
//
// The corpus covers what a reply can be: OK packets, errors before and in
// the middle of rows, no rows, many rows over many reads, a row longer
// than the loop's buffer, a row longer than a packet (continued in a second
// one), NULLs, several result sets (a procedure), and MariaDB leaving out
// column definitions it has sent before (cached metadata).
func TestLeanMatchesDriver(t *testing.T) {
	e := openRunEnv(t)
	e.exec(t, "DROP TABLE IF EXISTS lean_t",
		"CREATE TABLE lean_t (id INT AUTO_INCREMENT PRIMARY KEY, v INT)",
		"INSERT INTO lean_t (v) SELECT seq FROM seq_1_to_10")
	admin := dbtest.OpenAdmin(t, e.topo, e.primary.Addr)
	for _, s := range []string{
		"DROP PROCEDURE IF EXISTS bench_run.lean_two",
		"CREATE PROCEDURE bench_run.lean_two() BEGIN SELECT 1 AS a; SELECT seq, NULL FROM seq_1_to_50; END",
		"GRANT EXECUTE ON PROCEDURE bench_run.lean_two TO '" + e.topo.User.Name + "'@'%'",
		// A row longer than a packet (16 MiB) needs the server to send one.
		"SET GLOBAL max_allowed_packet = 64 * 1024 * 1024",
	} {
		if _, err := admin.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}

	node := bench.TargetConfig{Topology: e.topo, Node: "0/primary", Clients: 2}
	lean := openPool(t, node)
	node.Driver = true
	drv := openPool(t, node)

	corpus := []struct {
		name, query string
		queries     int
		textOnly    bool
		badPrepare  bool // the server refuses to prepare it
	}{
		{"ok", "DO {n:uniform(1,9)}", 20, false, false},
		{"set", "SET @a = {n:uniform(1,9)}", 20, false, false},
		{"insert", "INSERT INTO lean_t (v) VALUES ({n:uniform(1,9)})", 20, false, false},
		{"update", "UPDATE lean_t SET v = v + 1 WHERE id = {n:uniform(1,5)}", 20, false, false},
		{"no rows", "SELECT * FROM lean_t WHERE id > 1000000 + {n:uniform(1,9)}", 20, false, false},
		{"rows and NULLs", "SELECT id, v, NULL, 'a', 1.5, NOW() FROM lean_t WHERE id <= {n:uniform(1,10)}", 40, false, false},
		{"cached metadata", "SELECT {n:uniform(1,1000)}, REPEAT('x', {n})", 1500, false, false},
		{"many reads", "SELECT seq, REPEAT('r', 40), NULL FROM seq_1_to_3000 WHERE seq > {n:uniform(0,9)}", 10, false, false},
		{"row over the buffer", "SELECT REPEAT('y', 100000 + {n:uniform(0,9)}), 1", 10, false, false},
		{"row over a packet", "SELECT REPEAT('z', 17000000 + {n:uniform(0,9)}), 2", 4, false, false},
		{"unknown column", "SELECT nope FROM lean_t WHERE id = {n:uniform(1,9)}", 10, false, true},
		{"syntax", "SELEC {n:uniform(1,9)}", 10, false, true},
		{"error amid rows", "SELECT seq, IF(seq = 900, (SELECT 1 UNION SELECT 2), {n:uniform(1,9)}) FROM seq_1_to_1000", 10, false, false},
		{"duplicate key", "INSERT INTO lean_t (id, v) VALUES (1, {n:uniform(1,9)})", 10, false, false},
		{"procedure", "CALL lean_two()", 20, false, false},
		{"show", "SHOW VARIABLES LIKE 'max_allowed_%'", 10, true, false},
		{"explain", "EXPLAIN SELECT * FROM lean_t WHERE v = {n:uniform(1,9)}", 10, false, false},
	}
	for _, prepared := range []bool{false, true} {
		for _, tc := range corpus {
			if prepared && tc.textOnly {
				continue
			}
			name := tc.name
			if prepared {
				name += "/prepared"
			}
			t.Run(name, func(t *testing.T) {
				cfg := bench.Config{Queries: []string{tc.query}, Concurrency: []int{2}, NumberOfQueries: tc.queries, Prepared: prepared}
				executes := e.serverStatus(t, e.primary.Addr, "Com_stmt_execute")
				loops := lean.Loops()
				g := runOK(t, lean, cfg).Levels[0].Total
				if n := lean.Loops() - loops; n != 2 {
					t.Errorf("the protocol loop drove %d clients, want 2", n)
				}
				if prepared {
					want := int64(tc.queries)
					if tc.badPrepare {
						want = 0
					}
					if n := e.serverStatus(t, e.primary.Addr, "Com_stmt_execute") - executes; n != want {
						t.Errorf("the server executed %d prepared statements, want %d", n, want)
					}
				}
				w := runOK(t, drv, cfg).Levels[0].Total
				if drv.Loops() != 0 {
					t.Fatalf("the protocol loop drove %d clients of a Driver target", drv.Loops())
				}
				t.Logf("%d queries, %d errors %v, %.0f QPS (driver: %.0f)", g.Count, g.Errors, g.ErrorsByKind, g.QPS, w.QPS)
				sameCounts(t, g, w)
				if g.Count+g.Errors != int64(tc.queries) {
					t.Errorf("ran %d queries and %d failed, want %d in all", g.Count, g.Errors, tc.queries)
				}
				inStep(t, lean, 2)
			})
		}
	}
}

// openPool opens a direct target, closed when the test ends.
func openPool(t *testing.T, cfg bench.TargetConfig) *bench.Pool {
	t.Helper()
	o, err := bench.OpenTarget(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	return o.Target.(*bench.Pool)
}

// sameCounts checks that the protocol loop's run (g) counted the queries
// and the errors by kind that the driver's (w) did.
func sameCounts(t *testing.T, g, w bench.Stats) {
	t.Helper()
	if g.Count != w.Count || g.Errors != w.Errors || !maps.Equal(g.ErrorsByKind, w.ErrorsByKind) {
		t.Errorf("protocol loop: %d queries, %d errors %v; driver: %d queries, %d errors %v",
			g.Count, g.Errors, g.ErrorsByKind, w.Count, w.Errors, w.ErrorsByKind)
	}
}

// inStep checks that each of n connections of the pool answers a query
// through the driver: the protocol loop neither left a reply unread nor
// read into the next one.
func inStep(t *testing.T, p *bench.Pool, n int) {
	t.Helper()
	ctx := t.Context()
	for range n {
		c, err := p.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var n int
		if err := c.QueryRowContext(ctx, "SELECT 42").Scan(&n); err != nil || n != 42 {
			t.Errorf("a connection after the protocol loop: got %d, %v", n, err)
		}
	}
}

// TestLeanLocalInfile: the protocol loop sends no file for LOAD DATA LOCAL
// INFILE. The query fails with bench.ErrLocalInfile, the server is told
// there is no file, and the connection stays in step.
func TestLeanLocalInfile(t *testing.T) {
	e := openRunEnv(t)
	e.exec(t, "DROP TABLE IF EXISTS lean_infile", "CREATE TABLE lean_infile (v INT)")
	p := openPool(t, bench.TargetConfig{Topology: e.topo, Node: "0/primary", Clients: 1})
	res := runOK(t, p, bench.Config{Queries: []string{"LOAD DATA LOCAL INFILE 'scalelab-no-such-file' INTO TABLE lean_infile", "SELECT 1"}, NumberOfQueries: 6})
	if l := res.Levels[0].Total; l.Count != 3 || l.Errors != 3 || l.ErrorsByKind[bench.ClassifyError(bench.ErrLocalInfile)] != 3 {
		t.Errorf("got %d queries and %d errors %v; want the 3 SELECTs, and the 3 LOAD DATA failed with ErrLocalInfile", l.Count, l.Errors, l.ErrorsByKind)
	}
	if p.Loops() != 1 {
		t.Errorf("the protocol loop drove %d clients, want 1", p.Loops())
	}
	if n := e.count(t, "SELECT COUNT(*) FROM lean_infile"); n != 0 {
		t.Errorf("LOAD DATA with no file loaded %d rows", n)
	}
}

// TestLeanCancel: a query of the protocol loop that waits for its reply
// ends when the run is cancelled, and the connection it left mid-reply is
// discarded rather than given back to the pool.
func TestLeanCancel(t *testing.T) {
	e := openRunEnv(t)
	p := openPool(t, bench.TargetConfig{Topology: e.topo, Node: "0/primary", Clients: 1})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// The first query is slow, so the second runs under the run's
	// cancellable context; it would take a minute.
	time.AfterFunc(500*time.Millisecond, cancel)
	res, err := bench.Run(ctx, p, bench.Config{Queries: []string{"SELECT SLEEP(0.1)", "SELECT SLEEP(60)"}, Duration: time.Minute})
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	if res == nil || len(res.Levels) == 0 || !res.Levels[0].Total.Partial {
		t.Fatalf("a cancelled run: %+v, %v", res, err)
	}
	if p.Loops() != 1 {
		t.Errorf("the protocol loop drove %d clients, want 1", p.Loops())
	}
	if st := p.Stats(); st.OpenConnections != 0 {
		t.Errorf("%d connections open after the cancelled query, want the one it cut discarded", st.OpenConnections)
	}
	var n int
	if err := p.QueryRowContext(t.Context(), "SELECT 7").Scan(&n); err != nil || n != 7 {
		t.Errorf("the pool after a cancelled run: %d, %v", n, err)
	}
}

// TestLeanReadTimeout: a DSN's readTimeout bounds each read of a reply,
// not the run. go-sql-driver sets the socket's read deadline before each
// of its reads; the protocol loop reads the same socket after the driver's
// last read (the claim query), and must not inherit that deadline.
func TestLeanReadTimeout(t *testing.T) {
	e := openRunEnv(t)
	for _, driver := range []bool{true, false} {
		mc := e.topo.MySQLConfig(e.primary.Addr, e.topo.User)
		mc.ReadTimeout = time.Second
		p := openPool(t, bench.TargetConfig{DSN: mc, Clients: 1, Driver: driver})
		// 6 queries of 0.4 s: each reply comes well within the second,
		// the run takes longer than it.
		res := runOK(t, p, bench.Config{Queries: []string{"SELECT SLEEP(0.4)"}, NumberOfQueries: 6})
		if l := res.Levels[0].Total; l.Count != 6 || l.Errors != 0 {
			t.Errorf("driver %v: got %d queries and %d errors %v, want 6 and none", driver, l.Count, l.Errors, l.ErrorsByKind)
		}
	}
}

// TestLeanStaleConnection: a pooled connection that the server closed
// while it sat idle (wait_timeout, KILL, a restart) is found out by
// go-sql-driver's liveness check when the pool hands it out, and replaced.
// That check needs the socket's descriptor (syscall.Conn), which the
// protocol loop's socket must show, or a Pool hands the dead connection to
// a client and every query of its run fails.
func TestLeanStaleConnection(t *testing.T) {
	e := openRunEnv(t)
	admin := dbtest.OpenAdmin(t, e.topo, e.primary.Addr)
	for _, driver := range []bool{true, false} {
		p := openPool(t, bench.TargetConfig{Topology: e.topo, Node: "0/primary", Clients: 1, Driver: driver})
		var id int64
		if err := p.QueryRowContext(t.Context(), "SELECT CONNECTION_ID()").Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, err := admin.Exec("KILL CONNECTION " + strconv.FormatInt(id, 10)); err != nil {
			t.Fatal(err)
		}
		for {
			var n int
			if err := admin.QueryRow("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ?", id).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
		}
		res := runOK(t, p, bench.Config{Queries: []string{"SELECT 1"}, NumberOfQueries: 5})
		if l := res.Levels[0].Total; l.Count != 5 || l.Errors != 0 {
			t.Errorf("driver %v: got %d queries and %d errors %v after the server closed the idle connection, want 5 and none", driver, l.Count, l.Errors, l.ErrorsByKind)
		}
	}
}

// TestLeanEdges compares the protocol loop with the driver on the edges of
// the framing and of the handshake: a row and a query of exactly 0xffffff
// bytes (continued by an empty packet), prepared statements with no
// parameters and no columns, 64 clients claiming their sockets at once,
// and the blocking sockets that are the command line's default.
func TestLeanEdges(t *testing.T) {
	e := openRunEnv(t)
	admin := dbtest.OpenAdmin(t, e.topo, e.primary.Addr)
	if _, err := admin.Exec("SET GLOBAL max_allowed_packet = 64 * 1024 * 1024"); err != nil {
		t.Fatal(err)
	}
	const max = 1<<24 - 1
	// A text row of one column of n bytes is n + 4 bytes (a 0xfd length);
	// a binary row is n + 6 (header, NULL bitmap, the length).
	text := "SELECT REPEAT('z', " + strconv.Itoa(max-4) + ")"
	binary := "SELECT REPEAT('z', " + strconv.Itoa(max-6) + ")"
	longQuery := "SELECT 1 /*" + strings.Repeat("q", max-1-len("SELECT 1 /**/")) + "*/"
	for _, tc := range []struct {
		name     string
		cfg      bench.Config
		blocking bool
	}{
		{"text row of 0xffffff bytes", bench.Config{Queries: []string{text}, NumberOfQueries: 2}, false},
		{"binary row of 0xffffff bytes", bench.Config{Queries: []string{binary}, NumberOfQueries: 2, Prepared: true}, false},
		{"query of 0xffffff bytes", bench.Config{Queries: []string{longQuery}, NumberOfQueries: 2}, false},
		{"prepared, no parameters or columns", bench.Config{Queries: []string{"DO 1", "SELECT 1", "SET @x = 1"}, NumberOfQueries: 30, Prepared: true}, false},
		{"64 clients", bench.Config{Queries: []string{"SELECT {n:uniform(1,9)}"}, Concurrency: []int{64}, NumberOfQueries: 640}, false},
		{"64 clients prepared", bench.Config{Queries: []string{"SELECT {n:uniform(1,9)}"}, Concurrency: []int{64}, NumberOfQueries: 640, Prepared: true}, false},
		{"blocking sockets", bench.Config{Queries: []string{"SELECT seq FROM seq_1_to_2000 WHERE seq > {n:uniform(0,9)}", "CALL nope()"}, NumberOfQueries: 40, ThreadPerClient: true}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clients := 1
			if len(tc.cfg.Concurrency) > 0 {
				clients = tc.cfg.Concurrency[0]
			}
			var got [2]bench.Stats
			for i, driver := range []bool{false, true} {
				p := openPool(t, bench.TargetConfig{Topology: e.topo, Node: "0/primary", Clients: clients, Driver: driver, BlockingIO: tc.blocking})
				got[i] = runOK(t, p, tc.cfg).Levels[0].Total
				if want := int64(clients); !driver && p.Loops() != want {
					t.Errorf("the protocol loop drove %d clients, want %d", p.Loops(), want)
				}
				if !driver {
					inStep(t, p, clients)
				}
			}
			sameCounts(t, got[0], got[1])
		})
	}
}

// TestLeanDSNOptions: DSN options that change what go-sql-driver does with
// a reply keep the driver's path, so that a run counts the same queries
// and errors as with --driver:
//   - allowAllFiles: the driver sends the file of LOAD DATA LOCAL INFILE,
//     which the loop would refuse (ErrLocalInfile);
//   - rejectReadOnly: the driver turns errors 1290, 1792 and 1836 into
//     driver.ErrBadConn and closes the connection, so that every later
//     query of the client fails.
func TestLeanDSNOptions(t *testing.T) {
	e := openRunEnv(t)
	e.exec(t, "DROP TABLE IF EXISTS lean_opts", "CREATE TABLE lean_opts (v INT)")
	file := filepath.Join(t.TempDir(), "rows.txt")
	if err := os.WriteFile(file, []byte("1\n2\n3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		set     func(*mysql.Config)
		queries []string
	}{
		{"allowAllFiles", func(mc *mysql.Config) { mc.AllowAllFiles = true },
			[]string{"LOAD DATA LOCAL INFILE '" + file + "' INTO TABLE lean_opts", "SELECT 1"}},
		{"rejectReadOnly", func(mc *mysql.Config) { mc.RejectReadOnly = true },
			[]string{"START TRANSACTION READ ONLY", "INSERT INTO lean_opts VALUES (1)", "ROLLBACK", "SELECT 1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got [2]bench.Stats
			for i, driver := range []bool{false, true} {
				mc := e.topo.MySQLConfig(e.primary.Addr, e.topo.User)
				tc.set(mc)
				p := openPool(t, bench.TargetConfig{DSN: mc, Clients: 1, Driver: driver})
				got[i] = runOK(t, p, bench.Config{Queries: tc.queries, NumberOfQueries: 8}).Levels[0].Total
				if p.Loops() != 0 {
					t.Errorf("driver %v: the protocol loop drove %d clients, want none", driver, p.Loops())
				}
			}
			sameCounts(t, got[0], got[1])
		})
	}
}
