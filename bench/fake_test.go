package bench

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// fakeClock is a Clock whose time moves only when a fakeTarget runs a query
// or a client sleeps, so latencies are exactly what the test says.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.advance(d)
	return nil
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fakeTarget is a Target whose every statement takes latency(n) on the
// fake clock, n counting calls from 1, and returns err(n). It only supports
// statements that return no rows.
type fakeTarget struct {
	clock   *fakeClock
	latency func(n int64) time.Duration // nil: no time passes
	err     func(n int64) error         // nil: no error
	onCall  func(n int64)               // nil: nothing

	calls   atomic.Int64
	mu      sync.Mutex
	queries []string
}

func (f *fakeTarget) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	n := f.calls.Add(1)
	f.mu.Lock()
	f.queries = append(f.queries, query)
	f.mu.Unlock()
	if f.latency != nil {
		f.clock.advance(f.latency(n))
	}
	if f.onCall != nil {
		f.onCall(n)
	}
	if f.err != nil {
		return nil, f.err(n)
	}
	return nil, nil
}

func (f *fakeTarget) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return nil, errors.New("fakeTarget: statements returning rows are not supported")
}

// count returns how many recorded queries equal q.
func (f *fakeTarget) count(q string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, s := range f.queries {
		if s == q {
			n++
		}
	}
	return n
}

func constLatency(d time.Duration) func(int64) time.Duration {
	return func(int64) time.Duration { return d }
}

// nopTarget does nothing, for measuring the runner's own overhead.
type nopTarget struct{}

func (nopTarget) ExecContext(context.Context, string, ...any) (sql.Result, error) { return nil, nil }
func (nopTarget) QueryContext(context.Context, string, ...any) (*sql.Rows, error) {
	return nil, errors.New("nopTarget: no rows")
}
