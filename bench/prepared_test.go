package bench_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scalelab/scalelab/bench"
	"github.com/scalelab/scalelab/internal/dbtest"
)

// TestRunPrepared runs a templated statement as server-side prepared
// statements and checks, by the server's own counters, that each client
// prepared it once and executed it for every query, with the binary
// protocol and no text query, and that the parameters reached the server
// (the drawn ids match rows, so the rows read are counted).
func TestRunPrepared(t *testing.T) {
	e := openRunEnv(t)
	e.exec(t, "DROP TABLE IF EXISTS prep",
		"CREATE TABLE prep (id INT PRIMARY KEY, v INT)",
		"INSERT INTO prep SELECT seq, seq FROM seq_1_to_100",
		"DROP TABLE IF EXISTS prep_hits",
		"CREATE TABLE prep_hits (id INT PRIMARY KEY, n INT NOT NULL)")
	addr := e.primary.Addr
	prepares, executes, selects := e.serverStatus(t, addr, "Com_stmt_prepare"), e.serverStatus(t, addr, "Com_stmt_execute"), e.serverStatus(t, addr, "Com_select")
	res := runOK(t, e.db, bench.Config{
		Queries: []string{
			"SELECT v FROM prep WHERE id = {id:uniform(1,100)}",
			"INSERT INTO prep_hits VALUES ({id:uniform(1,1000000)}, {id}) ON DUPLICATE KEY UPDATE n = n + 1",
		},
		Concurrency: []int{3}, NumberOfQueries: 600, Prepared: true,
	})
	if got := e.serverStatus(t, addr, "Com_stmt_prepare") - prepares; got != 6 {
		t.Errorf("server prepared %d statements, want 6 (2 per client)", got)
	}
	if got := e.serverStatus(t, addr, "Com_stmt_execute") - executes; got != 600 {
		t.Errorf("server executed %d prepared statements, want 600", got)
	}
	// The server counts an executed prepared SELECT as a SELECT too: 300
	// are the prepared ones, and any more would be text queries. (SHOW,
	// the counters' own statement, is not a SELECT.)
	if got := e.serverStatus(t, addr, "Com_select") - selects; got != 300 {
		t.Errorf("server ran %d SELECTs in a prepared run, want the 300 prepared ones", got)
	}
	if l := res.Levels[0].Total; l.Count != 600 || l.Errors != 0 {
		t.Errorf("got %d queries and %d errors (%v), want 600 and 0", l.Count, l.Errors, l.ErrorsByKind)
	}
	// {id} in the INSERT repeats the id drawn for it: n = id for every row.
	if bad := e.count(t, "SELECT COUNT(*) FROM prep_hits WHERE n <> id AND n < 2"); bad != 0 {
		t.Errorf("%d rows got a parameter that is not the value drawn for them", bad)
	}
	if rows := e.count(t, "SELECT COUNT(*) FROM prep_hits"); rows == 0 || rows > 300 {
		t.Errorf("the prepared INSERT made %d rows, want 1 to 300", rows)
	}
}

func TestRunPreparedNeedsConnections(t *testing.T) {
	_, err := bench.Run(t.Context(), noConnTarget{}, bench.Config{Queries: []string{"SELECT 1"}, Prepared: true})
	if !errors.Is(err, bench.ErrPreparedUnsupported) {
		t.Errorf("a prepared run on a target without connections: got %v", err)
	}
}

// TestRunReportInterval runs for a second with 200ms report intervals and
// checks that the lines cover the run: consecutive, with the clients, a
// latency and queries that add up to at most the run's.
func TestRunReportInterval(t *testing.T) {
	e := openRunEnv(t)
	var mu sync.Mutex
	var lines []bench.IntervalStats
	res := runOK(t, e.db, bench.Config{
		Queries: []string{"SELECT 1"}, Concurrency: []int{2}, Duration: time.Second,
		ReportInterval: 200 * time.Millisecond, Percentile: 99,
		Interval: func(st bench.IntervalStats) { mu.Lock(); lines = append(lines, st); mu.Unlock() },
	})
	if res.Percentile != 99 {
		t.Errorf("the result's percentile is %v, want Config.Percentile, 99", res.Percentile)
	}
	if len(lines) < 3 || len(lines) > 6 {
		t.Fatalf("got %d interval lines in a 1s run at 200ms, want about 5", len(lines))
	}
	var sum int64
	for i, l := range lines {
		if l.Clients != 2 || l.Percentile != 99 || l.Queries <= 0 || l.QPS <= 0 || l.Latency <= 0 || l.Errors != 0 {
			t.Errorf("line %d: %+v", i, l)
		}
		if i > 0 && l.Elapsed <= lines[i-1].Elapsed {
			t.Errorf("line %d at %v follows one at %v", i, l.Elapsed, lines[i-1].Elapsed)
		}
		if l.Elapsed.D()%(200*time.Millisecond) != 0 {
			t.Errorf("line %d at %v: want a time on the grid of 200ms intervals", i, l.Elapsed.D())
		}
		sum += l.Queries
	}
	if total := res.Levels[0].Total.Count; sum > total {
		t.Errorf("the lines count %d queries, the run %d", sum, total)
	}
	var b strings.Builder
	bench.WriteInterval(&b, lines[0])
	if !strings.Contains(b.String(), "thds: 2 qps: ") || !strings.Contains(b.String(), "lat (ms,99%): ") {
		t.Errorf("interval line %q is not sysbench's", b.String())
	}
}

// noConnTarget is a Target that hands out no connections of its own, as
// the router does.
type noConnTarget struct{}

func (noConnTarget) ExecContext(context.Context, string, ...any) (sql.Result, error) {
	return nil, errors.New("not run")
}

func (noConnTarget) QueryContext(context.Context, string, ...any) (*sql.Rows, error) {
	return nil, errors.New("not run")
}

// prepareClock is the system clock that notes, at each reading, how many
// statements the server has prepared so far.
type prepareClock struct {
	admin *sql.DB
	mu    sync.Mutex
	seen  map[int64]int // Com_stmt_prepare -> readings
}

func (c *prepareClock) Now() time.Time {
	var k string
	var v int64
	if err := c.admin.QueryRow("SHOW GLOBAL STATUS LIKE 'Com_stmt_prepare'").Scan(&k, &v); err != nil {
		v = -1
	}
	c.mu.Lock()
	c.seen[v]++
	c.mu.Unlock()
	return time.Now()
}

func (c *prepareClock) Sleep(ctx context.Context, d time.Duration) error { return nil }

// TestPreparedBeforeTheClock: with Prepared, every client prepares its
// statements before the clock starts, as sysbench prepares them before its
// threads start, so that no prepare is timed; and once for the whole run,
// not again each iteration, on each path. The clock reads the server's
// prepare counter at every reading: it must show the statements all
// prepared at every reading but the Run's first.
func TestPreparedBeforeTheClock(t *testing.T) {
	e := openRunEnv(t)
	admin := dbtest.OpenAdmin(t, e.topo, e.primary.Addr)
	for _, driver := range []bool{false, true} {
		p := openPool(t, bench.TargetConfig{Topology: e.topo, Node: "0/primary", Clients: 2, Driver: driver})
		clock := &prepareClock{admin: admin, seen: map[int64]int{}}
		prepares := e.serverStatus(t, e.primary.Addr, "Com_stmt_prepare")
		res := runOK(t, p, bench.Config{
			Queries:     []string{"SELECT {n:uniform(1,9)}", "DO {n:uniform(1,9)}"},
			Concurrency: []int{2}, Iterations: 3, NumberOfQueries: 10, Prepared: true, Clock: clock,
		})
		if l := res.Levels[0].Total; l.Count != 30 || l.Errors != 0 {
			t.Errorf("driver %v: got %d queries and %d errors %v, want 30 and none", driver, l.Count, l.Errors, l.ErrorsByKind)
		}
		if n := e.serverStatus(t, e.primary.Addr, "Com_stmt_prepare") - prepares; n != 4 {
			t.Errorf("driver %v: the server prepared %d statements in 3 iterations, want 4 (2 per client, once)", driver, n)
		}
		if clock.seen[prepares] != 1 || clock.seen[prepares+4] == 0 || len(clock.seen) != 2 {
			t.Errorf("driver %v: clock readings by statements prepared so far: %v; want one at %d (the Run's start), all others at %d",
				driver, clock.seen, prepares, prepares+4)
		}
	}
}

// TestReportIntervalDuringWarmup: interval lines of the warmup count the
// warmup's queries, marked as warmup, rather than showing an idle server
// (0 queries) while it is under load, or a dip in the line that straddles
// the warmup's end; the lines after it count measured queries only.
func TestReportIntervalDuringWarmup(t *testing.T) {
	e := openRunEnv(t)
	var mu sync.Mutex
	var lines []bench.IntervalStats
	res := runOK(t, e.db, bench.Config{
		Queries: []string{"SELECT 1"}, Warmup: 500 * time.Millisecond, Duration: 500 * time.Millisecond,
		ReportInterval: 100 * time.Millisecond,
		Interval:       func(st bench.IntervalStats) { mu.Lock(); lines = append(lines, st); mu.Unlock() },
	})
	// (A line may count no query on a loaded machine, where a client
	// waited a whole interval for a processor: the lines of the warmup
	// must show its load in all, where every one of them showed 0.)
	var warm, measured, sum, warmQueries int64
	for i, l := range lines {
		if l.Queries < 0 || l.Queries > 0 && l.QPS <= 0 {
			t.Errorf("line %d (warmup %v): %d queries, %.0f QPS", i, l.Warmup, l.Queries, l.QPS)
		}
		if l.Warmup {
			warm++
			warmQueries += l.Queries
			if i > 0 && !lines[i-1].Warmup {
				t.Errorf("line %d is of the warmup, after a line of the measurement", i)
			}
			continue
		}
		measured++
		sum += l.Queries
	}
	if warm == 0 || measured == 0 {
		t.Errorf("got %d warmup lines and %d measured ones, want some of each", warm, measured)
	}
	if warmQueries == 0 || sum == 0 {
		t.Errorf("the warmup's lines count %d queries and the measured ones %d; want the load the server is under in both", warmQueries, sum)
	}
	if total := res.Levels[0].Total.Count; sum > total {
		t.Errorf("the measured lines count %d queries, the run %d", sum, total)
	}
	var b strings.Builder
	bench.WriteInterval(&b, lines[0])
	if !strings.HasSuffix(b.String(), " (warmup)\n") {
		t.Errorf("a warmup line %q is not marked as warmup", b.String())
	}
}
