package bench_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/scalelab/scalelab/bench"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/topology"
)

// runDB is the database the run tests work in, apart from other tests'.
const runDB = "bench_run"

// runEnv is the sandbox's primary and replica, with runDB created on the
// primary (from where it replicates).
type runEnv struct {
	topo             *topology.Topology // Database is runDB
	primary, replica topology.Node
	db               *sql.DB // the primary, as the application user, in runDB
}

func openRunEnv(t *testing.T) *runEnv {
	t.Helper()
	sb := dbtest.Sandbox(t)
	topo := *sb.Topology
	admin := dbtest.OpenAdmin(t, &topo, topo.Nodes()[0].Addr)
	if err := bench.CreateSchema(context.Background(), admin, runDB, topo.GrantApp); err != nil {
		t.Fatal(err)
	}
	topo.Database = runDB
	e := &runEnv{topo: &topo}
	var err error
	if e.primary, err = topo.Node("0/primary"); err != nil {
		t.Fatal(err)
	}
	if e.replica, err = topo.Node("0/replica-1"); err != nil {
		t.Fatal(err)
	}
	e.db = dbtest.Open(t, &topo, e.primary.Addr)
	e.db.SetMaxIdleConns(16)
	return e
}

func (e *runEnv) exec(t *testing.T, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := e.db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func (e *runEnv) count(t *testing.T, query string) int64 {
	t.Helper()
	var n int64
	if err := e.db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// serverStatus reads a global status counter of the node at addr.
func (e *runEnv) serverStatus(t *testing.T, addr, name string) int64 {
	t.Helper()
	db := dbtest.OpenAdmin(t, e.topo, addr)
	var k string
	var v int64
	// SHOW cannot take a placeholder; name is one of the tests' constants.
	if err := db.QueryRow("SHOW GLOBAL STATUS LIKE '"+name+"'").Scan(&k, &v); err != nil {
		t.Fatalf("%s on %s: %v", name, addr, err)
	}
	return v
}

func runOK(t *testing.T, target bench.Target, cfg bench.Config) *bench.Result {
	t.Helper()
	res, err := bench.Run(context.Background(), target, cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Partial {
		t.Fatal("got a partial result, want a complete one")
	}
	return res
}

// TestRunSelectCountsEveryQueryOnServer checks the number of queries by the
// server's own counter: every level and iteration sends exactly
// NumberOfQueries, split over the clients.
func TestRunSelectCountsEveryQueryOnServer(t *testing.T) {
	e := openRunEnv(t)
	e.exec(t, "DROP TABLE IF EXISTS rows50",
		"CREATE TABLE rows50 (id INT PRIMARY KEY, v VARCHAR(32))",
		"INSERT INTO rows50 SELECT seq, CONCAT('v', seq) FROM seq_1_to_50")
	for _, tc := range []struct {
		name        string
		concurrency []int
		iterations  int
		queries     int
	}{
		{"one client", []int{1}, 1, 100},
		{"uneven split", []int{3}, 2, 1001},
		{"three levels", []int{1, 4, 7}, 2, 250},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.serverStatus(t, e.primary.Addr, "Com_select")
			res := runOK(t, e.db, bench.Config{
				Queries:         []string{"SELECT * FROM rows50 WHERE id <= {n:uniform(1,50)}"},
				Concurrency:     tc.concurrency,
				Iterations:      tc.iterations,
				NumberOfQueries: tc.queries,
			})
			got := e.serverStatus(t, e.primary.Addr, "Com_select") - before
			want := int64(len(tc.concurrency) * tc.iterations * tc.queries)
			if got != want {
				t.Errorf("server counted %d SELECTs, want %d", got, want)
			}
			if len(res.Levels) != len(tc.concurrency) {
				t.Fatalf("got %d levels, want %d", len(res.Levels), len(tc.concurrency))
			}
			for i, l := range res.Levels {
				if l.Concurrency != tc.concurrency[i] || len(l.Iterations) != tc.iterations {
					t.Errorf("level %d: got concurrency %d with %d iterations, want %d with %d", i, l.Concurrency, len(l.Iterations), tc.concurrency[i], tc.iterations)
				}
				if l.Total.Count != int64(tc.iterations*tc.queries) || l.Total.Errors != 0 {
					t.Errorf("level %d: got %d queries and %d errors, want %d and 0 (%v)", i, l.Total.Count, l.Total.Errors, tc.iterations*tc.queries, l.Total.ErrorsByKind)
				}
			}
		})
	}
}

// TestRunReadsEveryRow sends a SELECT whose error comes after its first rows
// have been sent: the client sees the error only if it reads to the end of
// the result, as mysqlslap's timing of a SELECT assumes.
func TestRunReadsEveryRow(t *testing.T) {
	e := openRunEnv(t)
	e.exec(t, "DROP TABLE IF EXISTS late_error",
		"CREATE TABLE late_error (id INT PRIMARY KEY)",
		"INSERT INTO late_error SELECT seq FROM seq_1_to_2000")
	// The subquery returns two rows only for the last id, so the server
	// streams 1999 rows and then fails with 1242 ER_SUBQUERY_NO_1_ROW.
	q := "SELECT id, IF(id < 2000, id, (SELECT 1 UNION SELECT 2)) FROM late_error ORDER BY id"
	res := runOK(t, e.db, bench.Config{Queries: []string{q}, Concurrency: []int{2}, NumberOfQueries: 10})
	tot := res.Levels[0].Total
	if tot.Errors != 10 || tot.ErrorsByKind["mysql 1242"] != 10 {
		t.Errorf("got %d errors %v, want 10 of kind mysql 1242: the rows were not read to the end", tot.Errors, tot.ErrorsByKind)
	}

	before := e.serverStatus(t, e.primary.Addr, "Handler_read_next")
	res = runOK(t, e.db, bench.Config{Queries: []string{"SELECT id FROM late_error FORCE INDEX (PRIMARY) WHERE id >= 1 ORDER BY id"}, NumberOfQueries: 5})
	if got := e.serverStatus(t, e.primary.Addr, "Handler_read_next") - before; got < 5*1999 {
		t.Errorf("server read %d index entries for 5 range scans of 2000 rows, want at least %d", got, 5*1999)
	}
	if res.Levels[0].Total.Errors != 0 {
		t.Errorf("got errors %v, want none", res.Levels[0].Total.ErrorsByKind)
	}
}

// TestRunConcurrencyAndPrePostQueries records the connection of every query
// and, with a post-query after every iteration, how many distinct
// connections (clients in flight) each level had.
func TestRunConcurrencyAndPrePostQueries(t *testing.T) {
	e := openRunEnv(t)
	e.exec(t, "DROP TABLE IF EXISTS conns", "DROP TABLE IF EXISTS per_iteration",
		"CREATE TABLE conns (conn BIGINT NOT NULL)",
		"CREATE TABLE per_iteration (n INT AUTO_INCREMENT PRIMARY KEY, clients INT, queries INT, pre_marker INT)")
	e.db.SetMaxOpenConns(4)
	res := runOK(t, e.db, bench.Config{
		PreQuery: []string{"DELETE FROM conns", "INSERT INTO conns VALUES (-1)"},
		// Each query holds its connection for 20ms, so every client is in
		// flight at once and needs a connection of its own.
		Queries:         []string{"INSERT INTO conns SELECT CONNECTION_ID() FROM (SELECT SLEEP(0.02)) AS s"},
		PostQuery:       []string{"INSERT INTO per_iteration (clients, queries, pre_marker) SELECT COUNT(DISTINCT conn) - 1, COUNT(*) - 1, SUM(conn = -1) FROM conns"},
		Concurrency:     []int{1, 4},
		Iterations:      2,
		NumberOfQueries: 16,
	})
	rows, err := e.db.Query("SELECT clients, queries, pre_marker FROM per_iteration ORDER BY n")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var c, q, m int
		if err := rows.Scan(&c, &q, &m); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d clients, %d queries, marker %d", c, q, m))
	}
	want := []string{
		"1 clients, 16 queries, marker 1", "1 clients, 16 queries, marker 1",
		"4 clients, 16 queries, marker 1", "4 clients, 16 queries, marker 1",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got per iteration %q, want %q", got, want)
	}
	for _, l := range res.Levels {
		for _, it := range l.Iterations {
			if it.Clients != l.Concurrency {
				t.Errorf("got %d clients in an iteration of level %d", it.Clients, l.Concurrency)
			}
		}
	}
}

// TestRunPreQueryErrorStops checks that a failing pre-query stops Run with
// an error that names it and the server's error.
func TestRunPreQueryErrorStops(t *testing.T) {
	e := openRunEnv(t)
	res, err := bench.Run(context.Background(), e.db, bench.Config{
		PreQuery: []string{"INSERT INTO no_such_pre_table VALUES (1)"},
		Queries:  []string{"SELECT 1"},
	})
	if err == nil || bench.ClassifyError(err) != "1146 ER_NO_SUCH_TABLE" {
		t.Fatalf("got %v, %v; want a 1146 error from the pre-query", res, err)
	}
}

func TestRunErrorsByKind(t *testing.T) {
	e := openRunEnv(t)
	e.exec(t, "DROP TABLE IF EXISTS dup", "CREATE TABLE dup (id INT PRIMARY KEY)", "INSERT INTO dup VALUES (1)")
	res := runOK(t, e.db, bench.Config{
		Queries:         []string{"SELECT * FROM no_such_table", "INSERT INTO dup VALUES (1)", "SELECT 1"},
		Concurrency:     []int{3},
		NumberOfQueries: 27, // each client runs the three statements three times
	})
	tot := res.Levels[0].Total
	want := map[string]int64{"1146 ER_NO_SUCH_TABLE": 9, "1062 ER_DUP_ENTRY": 9}
	if tot.Count != 9 || tot.Errors != 18 || fmt.Sprint(tot.ErrorsByKind) != fmt.Sprint(want) {
		t.Errorf("got %d ok, %d errors %v; want 9 ok, 18 errors %v", tot.Count, tot.Errors, tot.ErrorsByKind, want)
	}
}

func TestCreateSchema(t *testing.T) {
	e := openRunEnv(t)
	admin := dbtest.OpenAdmin(t, e.topo, e.primary.Addr)
	const name = "bench `created` db"
	if _, err := admin.Exec("DROP DATABASE IF EXISTS `bench ``created`` db`"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 2 { // the second time it exists already
		if err := bench.CreateSchema(ctx, admin, name, e.topo.GrantApp); err != nil {
			t.Fatal(err)
		}
	}
	// The application user was granted its privileges on it.
	if _, err := e.db.Exec("CREATE TABLE `bench ``created`` db`.t (id INT PRIMARY KEY)"); err != nil {
		t.Errorf("the application user in the new database: %v", err)
	}
	var n int
	if err := admin.QueryRow("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("got %d databases named %q, want 1", n, name)
	}
	admin.Exec("DROP DATABASE `bench ``created`` db`")
}

// TestAutoGenerate runs every load type of the generated workload against
// the server, without errors, and checks that the writing ones write.
func TestAutoGenerate(t *testing.T) {
	e := openRunEnv(t)
	const rows, queries = 100, 60
	for _, lt := range bench.LoadTypes() {
		t.Run(string(lt), func(t *testing.T) {
			w, err := bench.AutoGenerate(bench.AutoGenConfig{LoadType: lt, IntCols: 2, CharCols: 2, Rows: rows, Seed: 7})
			if err != nil {
				t.Fatal(err)
			}
			com := map[string]int64{}
			for _, c := range []string{"Com_select", "Com_insert", "Com_update", "Handler_update"} {
				com[c] = e.serverStatus(t, e.primary.Addr, c)
			}
			res := runOK(t, e.db, bench.Config{
				PreQuery: w.Setup, Queries: w.Queries,
				Concurrency: []int{1, 3}, NumberOfQueries: queries,
			})
			for _, l := range res.Levels {
				if l.Total.Errors != 0 || l.Total.Count != queries {
					t.Errorf("concurrency %d: got %d ok, errors %v; want %d ok and none", l.Concurrency, l.Total.Count, l.Total.ErrorsByKind, queries)
				}
			}
			for c := range com {
				com[c] = e.serverStatus(t, e.primary.Addr, c) - com[c]
			}
			// The second level starts from a fresh table; what it wrote is there.
			n := e.count(t, "SELECT COUNT(*) FROM t1")
			switch lt {
			case bench.LoadWrite:
				if n != rows+queries || com["Com_insert"] != 2*queries+2 {
					t.Errorf("got %d rows and %d inserts, want %d rows and %d inserts", n, com["Com_insert"], rows+queries, 2*queries+2)
				}
			case bench.LoadMixed:
				if n != rows+queries/2 || com["Com_select"] != queries {
					t.Errorf("got %d rows and %d selects, want %d and %d", n, com["Com_select"], rows+queries/2, queries)
				}
			case bench.LoadUpdate:
				if com["Com_update"] != 2*queries || com["Handler_update"] == 0 {
					t.Errorf("got %d updates changing %d rows, want %d changing some", com["Com_update"], com["Handler_update"], 2*queries)
				}
			case bench.LoadRead, bench.LoadKey:
				if n != rows || com["Com_select"] != 2*queries {
					t.Errorf("got %d rows and %d selects, want %d and %d", n, com["Com_select"], rows, 2*queries)
				}
			}
			e.exec(t, w.Cleanup...)
		})
	}
}

// TestRunThroughRouterReadsFromReplica checks where a router-targeted
// SELECT workload really went: the router's counters and the replica's.
func TestRunThroughRouterReadsFromReplica(t *testing.T) {
	e := openRunEnv(t)
	r, err := router.Open(context.Background(), e.topo, router.Config{
		// No heartbeats or probes during the test: the servers' counters
		// then count the workload only.
		Replica: replica.Config{HeartbeatInterval: time.Hour, ProbeInterval: time.Hour},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	const n = 200
	before := map[string]int64{
		"primary": e.serverStatus(t, e.primary.Addr, "Com_select"),
		"replica": e.serverStatus(t, e.replica.Addr, "Com_select"),
	}
	res := runOK(t, r, bench.Config{
		Queries:         []string{"SELECT {id:uniform(1,1000)}, @@port"},
		Concurrency:     []int{4},
		NumberOfQueries: n,
	})
	if tot := res.Levels[0].Total; tot.Count != n || tot.Errors != 0 {
		t.Fatalf("got %d ok, errors %v; want %d ok", tot.Count, tot.ErrorsByKind, n)
	}
	st := r.Stats()
	if st.Routes[router.RouteReplica] != n || st.Nodes[e.replica.Name] != n || st.Nodes[e.primary.Name] != 0 {
		t.Errorf("router counted routes %v, nodes %v; want %d to the replica %s", st.Routes, st.Nodes, n, e.replica.Name)
	}
	if got := e.serverStatus(t, e.replica.Addr, "Com_select") - before["replica"]; got != n {
		t.Errorf("replica counted %d SELECTs, want %d", got, n)
	}
	if got := e.serverStatus(t, e.primary.Addr, "Com_select") - before["primary"]; got != 0 {
		t.Errorf("primary counted %d SELECTs, want 0", got)
	}
}
