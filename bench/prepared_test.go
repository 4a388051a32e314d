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
