package bench

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

const work = "UPDATE t SET v = v + 1 WHERE id = {id:uniform(1,1000)}"

func mustRun(t *testing.T, ctx context.Context, target Target, cfg Config) *Result {
	t.Helper()
	res, err := Run(ctx, target, cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

func TestSplitQueries(t *testing.T) {
	tests := []struct {
		total int64
		n     int
		want  []int64
	}{
		{100, 3, []int64{34, 33, 33}},
		{100, 1, []int64{100}},
		{2, 3, []int64{1, 1, 0}},
		{9, 3, []int64{3, 3, 3}},
		{-1, 2, []int64{-1, -1}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d over %d", tc.total, tc.n), func(t *testing.T) {
			if got := splitQueries(tc.total, tc.n); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRunNumberOfQueries(t *testing.T) {
	tests := []struct {
		name      string
		queries   []string
		conc, num int
		want      int64
	}{
		{"total split across clients", []string{work}, 3, 100, 100},
		{"fewer queries than clients", []string{work}, 5, 3, 3},
		{"default is each query once per client", []string{work, "DO 1"}, 4, 0, 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			target := &fakeTarget{}
			res := mustRun(t, context.Background(), target, Config{Queries: tc.queries, Concurrency: []int{tc.conc}, NumberOfQueries: tc.num})
			if got := target.calls.Load(); got != tc.want {
				t.Errorf("got %d queries sent, want %d", got, tc.want)
			}
			tot := res.Levels[0].Total
			if tot.Count != tc.want || tot.Clients != tc.conc {
				t.Errorf("got count %d clients %d, want %d %d", tot.Count, tot.Clients, tc.want, tc.conc)
			}
		})
	}
}

func TestRunIterationsAndPrePost(t *testing.T) {
	target := &fakeTarget{}
	res := mustRun(t, context.Background(), target, Config{
		Queries:         []string{"DO 1"},
		PreQuery:        []string{"SET @pre = 1"},
		PostQuery:       []string{"SET @post = 1"},
		Concurrency:     []int{1, 2},
		Iterations:      3,
		NumberOfQueries: 10,
	})
	if res.Partial || len(res.Levels) != 2 {
		t.Fatalf("got %d levels partial %v, want 2 complete levels", len(res.Levels), res.Partial)
	}
	for _, l := range res.Levels {
		if len(l.Iterations) != 3 || l.Total.Count != 30 {
			t.Errorf("concurrency %d: got %d iterations, %d queries; want 3, 30", l.Concurrency, len(l.Iterations), l.Total.Count)
		}
	}
	if got := [3]int{target.count("DO 1"), target.count("SET @pre = 1"), target.count("SET @post = 1")}; got != [3]int{60, 6, 6} {
		t.Errorf("got (queries, pre, post) = %v, want [60 6 6]", got)
	}
}

func TestRunPreQueryError(t *testing.T) {
	target := &fakeTarget{err: func(n int64) error {
		if n == 1 {
			return &mysql.MySQLError{Number: 1146, Message: "Table 'db.t' doesn't exist"}
		}
		return nil
	}}
	res, err := Run(context.Background(), target, Config{Queries: []string{"DO 1"}, PreQuery: []string{"TRUNCATE t"}})
	if err == nil || !errors.As(err, new(*mysql.MySQLError)) {
		t.Fatalf("got %v, want the pre-query's MySQL error", err)
	}
	if res == nil || len(res.Levels) != 0 {
		t.Errorf("got %+v, want an empty result", res)
	}
}

func TestRunDuration(t *testing.T) {
	tests := []struct {
		name  string
		num   int
		want  int64
		wall  time.Duration
		calls int64
	}{
		{"duration stops", 0, 100, 100 * time.Millisecond, 100},
		{"queries stop first", 50, 50, 50 * time.Millisecond, 50},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFakeClock()
			target := &fakeTarget{clock: clock, latency: constLatency(time.Millisecond)}
			res := mustRun(t, context.Background(), target, Config{Queries: []string{work}, Duration: 100 * time.Millisecond, NumberOfQueries: tc.num, Clock: clock})
			tot := res.Levels[0].Total
			if tot.Count != tc.want || tot.Wall != tc.wall || target.calls.Load() != tc.calls {
				t.Errorf("got count %d wall %v calls %d, want %d %v %d", tot.Count, tot.Wall, target.calls.Load(), tc.want, tc.wall, tc.calls)
			}
			if tot.QPS != 1000 {
				t.Errorf("got qps %v, want 1000", tot.QPS)
			}
		})
	}
}

func TestRunDurationManyClients(t *testing.T) {
	clock := newFakeClock()
	target := &fakeTarget{clock: clock, latency: constLatency(time.Millisecond)}
	res := mustRun(t, context.Background(), target, Config{Queries: []string{work}, Concurrency: []int{4}, Duration: 100 * time.Millisecond, Clock: clock})
	// The clients share the clock, so together they advance it 1ms a query;
	// up to one query per client may start just before the deadline.
	if got := res.Levels[0].Total.Count; got < 100 || got > 104 {
		t.Errorf("got %d queries, want 100 to 104", got)
	}
}

func TestRunWarmup(t *testing.T) {
	clock := newFakeClock()
	target := &fakeTarget{clock: clock, latency: func(n int64) time.Duration {
		if n <= 10 {
			return time.Millisecond // warmup: 10 queries of 1ms
		}
		return 2 * time.Millisecond
	}}
	res := mustRun(t, context.Background(), target, Config{Queries: []string{work}, Warmup: 10 * time.Millisecond, NumberOfQueries: 50, Clock: clock})
	tot := res.Levels[0].Total
	if target.calls.Load() != 60 || tot.Count != 50 {
		t.Errorf("got %d calls and %d measured, want 60 and 50", target.calls.Load(), tot.Count)
	}
	if tot.Min != 2*time.Millisecond || tot.Wall != 100*time.Millisecond {
		t.Errorf("got min %v wall %v, want 2ms (warmup's 1ms discarded) and 100ms", tot.Min, tot.Wall)
	}
}

func TestRunRateOpenLoop(t *testing.T) {
	tests := []struct {
		name                string
		rate                float64
		latency, warmup     time.Duration
		min, max, p50, wall time.Duration
		calls               int64
	}{
		// Query k is due at k ms but the target takes 2ms, so query k starts at
		// 2k ms and waits k ms in the queue: latency k+2 ms, 2 to 11 ms.
		{"slow target queues", 1000, 2 * time.Millisecond, 0, 2 * time.Millisecond, 11 * time.Millisecond, 6 * time.Millisecond, 20 * time.Millisecond, 10},
		// A target faster than the rate waits for each query's start.
		{"fast target waits", 1000, 500 * time.Microsecond, 0, 500 * time.Microsecond, 500 * time.Microsecond, 500 * time.Microsecond, 9500 * time.Microsecond, 10},
		{"warmup tickets", 1000, 500 * time.Microsecond, 5 * time.Millisecond, 500 * time.Microsecond, 500 * time.Microsecond, 500 * time.Microsecond, 9500 * time.Microsecond, 15},
		{"closed loop hides queueing", 0, 2 * time.Millisecond, 0, 2 * time.Millisecond, 2 * time.Millisecond, 2 * time.Millisecond, 20 * time.Millisecond, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFakeClock()
			target := &fakeTarget{clock: clock, latency: constLatency(tc.latency)}
			res := mustRun(t, context.Background(), target, Config{Queries: []string{work}, Rate: tc.rate, NumberOfQueries: 10, Warmup: tc.warmup, Clock: clock})
			tot := res.Levels[0].Total
			if tot.Count != 10 || target.calls.Load() != tc.calls {
				t.Errorf("got count %d calls %d, want 10 %d", tot.Count, target.calls.Load(), tc.calls)
			}
			if tot.Min != tc.min || tot.Max != tc.max || !within(tot.P50, tc.p50) || tot.Wall != tc.wall {
				t.Errorf("got min %v max %v p50 %v wall %v, want %v %v %v %v", tot.Min, tot.Max, tot.P50, tot.Wall, tc.min, tc.max, tc.p50, tc.wall)
			}
		})
	}
}

func TestRunRateManyClients(t *testing.T) {
	clock := newFakeClock()
	target := &fakeTarget{clock: clock, latency: constLatency(100 * time.Microsecond)}
	res := mustRun(t, context.Background(), target, Config{Queries: []string{work}, Concurrency: []int{4}, Rate: 500, Duration: time.Second, Clock: clock})
	// 500 queries are due in the second, whichever clients take them.
	if got := res.Levels[0].Total.Count; got != 500 {
		t.Errorf("got %d queries, want 500", got)
	}
}

// TestRunPercentiles checks the reported percentiles against a known
// distribution: query n takes exactly n ms, n = 1..1000.
func TestRunPercentiles(t *testing.T) {
	clock := newFakeClock()
	target := &fakeTarget{clock: clock, latency: func(n int64) time.Duration { return time.Duration(n) * time.Millisecond }}
	res := mustRun(t, context.Background(), target, Config{Queries: []string{work}, NumberOfQueries: 1000, Clock: clock})
	s := res.Levels[0].Total
	checks := []struct {
		name      string
		got, want time.Duration
	}{
		{"min", s.Min, time.Millisecond},
		{"mean", s.Mean, 500500 * time.Microsecond},
		{"p50", s.P50, 500 * time.Millisecond},
		{"p90", s.P90, 900 * time.Millisecond},
		{"p95", s.P95, 950 * time.Millisecond},
		{"p99", s.P99, 990 * time.Millisecond},
		{"p99.9", s.P999, 999 * time.Millisecond},
		{"max", s.Max, time.Second},
		{"wall", s.Wall, 500500 * time.Millisecond},
	}
	for _, c := range checks {
		if !within(c.got, c.want) {
			t.Errorf("%s: got %v, want %v ± 0.1%%", c.name, c.got, c.want)
		}
	}
}

func TestRunErrorsByKind(t *testing.T) {
	target := &fakeTarget{err: func(n int64) error {
		switch {
		case n%4 == 0:
			return fmt.Errorf("route: %w", &mysql.MySQLError{Number: 1290, Message: "read-only"})
		case n%10 == 1:
			return &mysql.MySQLError{Number: 1062, Message: "Duplicate entry"}
		}
		return nil
	}}
	res := mustRun(t, context.Background(), target, Config{Queries: []string{work}, Concurrency: []int{2}, NumberOfQueries: 100})
	s := res.Levels[0].Total
	want := map[string]int64{"1290 ER_OPTION_PREVENTS_STATEMENT": 25, "1062 ER_DUP_ENTRY": 10}
	if s.Count != 65 || s.Errors != 35 || len(s.ErrorsByKind) != 2 ||
		s.ErrorsByKind["1290 ER_OPTION_PREVENTS_STATEMENT"] != 25 || s.ErrorsByKind["1062 ER_DUP_ENTRY"] != 10 {
		t.Errorf("got count %d errors %d by kind %v, want 65, 35, %v", s.Count, s.Errors, s.ErrorsByKind, want)
	}
}

func TestRunCancelIsPartial(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	target := &fakeTarget{onCall: func(n int64) {
		if n == 50 {
			cancel()
		}
	}}
	res, err := Run(ctx, target, Config{
		Queries:         []string{"DO 1"},
		PostQuery:       []string{"DROP TABLE IF EXISTS tmp"},
		Concurrency:     []int{1, 4},
		Iterations:      3,
		NumberOfQueries: 100,
	})
	if err != nil {
		t.Fatalf("got error %v, want nil with partial results", err)
	}
	if !res.Partial || len(res.Levels) != 1 || len(res.Levels[0].Iterations) != 1 {
		t.Fatalf("got partial %v with %d levels, want partial with the first level's first iteration", res.Partial, len(res.Levels))
	}
	it := res.Levels[0].Iterations[0]
	if !it.Partial || it.Count != 50 || it.Errors != 0 {
		t.Errorf("got partial %v count %d errors %d, want true 50 0", it.Partial, it.Count, it.Errors)
	}
	if got := target.count("DROP TABLE IF EXISTS tmp"); got != 1 {
		t.Errorf("got %d post-queries, want 1: cleanup runs after cancel", got)
	}
}

func TestRunCancelDuringOpenLoopWait(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// On the system clock the second query is due 10s after the first; the
	// cancellation must cut that wait short.
	target := &fakeTarget{onCall: func(n int64) { time.AfterFunc(20*time.Millisecond, cancel) }}
	res := mustRun(t, ctx, target, Config{Queries: []string{"DO 1"}, Rate: 0.1, NumberOfQueries: 100})
	if !res.Partial || res.Levels[0].Total.Count != 1 {
		t.Errorf("got partial %v count %d, want true 1", res.Partial, res.Levels[0].Total.Count)
	}
}

func TestRunProgress(t *testing.T) {
	var mu sync.Mutex
	var calls [][2]int64
	target := &fakeTarget{}
	mustRun(t, context.Background(), target, Config{
		Queries: []string{"DO 1"}, Concurrency: []int{1, 3}, Iterations: 2, NumberOfQueries: 10,
		Progress: func(done, total int64, _ time.Duration) {
			mu.Lock()
			calls = append(calls, [2]int64{done, total})
			mu.Unlock()
		},
	})
	if len(calls) < 4 {
		t.Fatalf("got %d progress calls, want at least one per iteration (4)", len(calls))
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] < calls[i-1][0] {
			t.Errorf("progress went back from %d to %d", calls[i-1][0], calls[i][0])
		}
	}
	if last := calls[len(calls)-1]; last != [2]int64{40, 40} {
		t.Errorf("got last progress %v, want [40 40]", last)
	}
}

func TestRunDeterministicSeed(t *testing.T) {
	queries := func(seed uint64) []string {
		target := &fakeTarget{}
		mustRun(t, context.Background(), target, Config{Queries: []string{work}, NumberOfQueries: 20, Iterations: 2, Seed: seed})
		return target.queries
	}
	a, b, c := queries(1), queries(1), queries(2)
	if !slices.Equal(a, b) {
		t.Errorf("same seed: got %q and %q, want the same queries", a, b)
	}
	if slices.Equal(a, c) {
		t.Errorf("different seeds: got the same queries %q", a)
	}
	if slices.Equal(a[:20], a[20:]) {
		t.Errorf("iterations 1 and 2 drew the same values %q, want fresh values", a[:20])
	}
}

func TestRunConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no queries", Config{}, ErrNoQueries.Error()},
		{"zero clients", Config{Queries: []string{"DO 1"}, Concurrency: []int{1, 0}}, "bench: concurrency 0: each level needs at least 1 client"},
		{"negative rate", Config{Queries: []string{"DO 1"}, Rate: -1}, "bench: rate -1: want a positive number of queries per second, or 0 for a closed loop"},
		{"bad template", Config{Queries: []string{"DO 1", "SELECT {id:uniform(1)}"}}, "parse query 2: bench: bad placeholder {id:uniform(1)} at byte 7: uniform wants 2 integer arguments (lo, hi), got 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			target := &fakeTarget{}
			_, err := Run(context.Background(), target, tc.cfg)
			if err == nil || err.Error() != tc.want {
				t.Errorf("got %v, want %s", err, tc.want)
			}
			if target.calls.Load() != 0 {
				t.Errorf("got %d queries sent, want none before validation passes", target.calls.Load())
			}
		})
	}
}
