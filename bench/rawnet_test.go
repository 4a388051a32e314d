package bench_test

import (
	"context"
	"database/sql"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/scalelab/scalelab/bench"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/replica"
)

// TestRawConnections runs a direct target over raw blocking system calls
// (replica.RawNet, the bench's default on Linux): a result larger than a
// socket read arrives whole, a run with more clients than processors
// finishes and puts GOMAXPROCS back, and a query blocked in a raw read is
// cancelled rather than waited for.
func TestRawConnections(t *testing.T) {
	if replica.RawNet == "tcp" {
		t.Skip("raw blocking sockets are implemented on Linux only")
	}
	sb := dbtest.Sandbox(t)
	ctx := context.Background()
	o, err := bench.OpenTarget(ctx, bench.TargetConfig{Topology: sb.Topology, Node: "0/primary", BlockingIO: true, Clients: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if !o.ThreadPerClient {
		t.Fatal("a blocking direct target does not ask for a thread per client")
	}
	db := o.Target.(*bench.Pool).DB
	var n int
	var s string
	// About 300 KB of result: many reads of the driver's buffer.
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*), MAX(x) FROM (SELECT REPEAT('x', 300) AS x FROM seq_1_to_1000) t").Scan(&n, &s); err != nil || n != 1000 || len(s) != 300 {
		t.Fatalf("a large result over raw calls: %d rows, %d bytes (%v)", n, len(s), err)
	}

	procs := runtime.GOMAXPROCS(0)
	res, err := bench.Run(ctx, o.Target, bench.Config{Queries: []string{"SELECT {n:uniform(1,9)}"}, Concurrency: []int{8}, NumberOfQueries: 4000, ThreadPerClient: true})
	if err != nil || res.Levels[0].Total.Count != 4000 || res.Levels[0].Total.Errors != 0 {
		t.Fatalf("a run with 8 clients over raw calls: %+v, %v", res, err)
	}
	if got := runtime.GOMAXPROCS(0); got != procs {
		t.Errorf("GOMAXPROCS is %d after the run, was %d", got, procs)
	}

	cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	// A query that would succeed after 3 s fails when its context ends:
	// the driver closes the connection, which ends the blocked read.
	if err := db.QueryRowContext(cctx, "SELECT SLEEP(3)").Scan(&n); err == nil {
		t.Error("a query blocked in a raw read outlived its cancelled context")
	}
}

// loopsClock is the system clock that notes, at each reading, how many
// clients of pool the protocol loop had claimed.
type loopsClock struct {
	pool *bench.Pool
	mu   sync.Mutex
	seen map[int64]int // claims so far -> readings
}

func (c *loopsClock) Now() time.Time {
	n := c.pool.Loops()
	c.mu.Lock()
	c.seen[n]++
	c.mu.Unlock()
	return time.Now()
}

func (c *loopsClock) Sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestClockStartsWhenClientsAreSet: a level's clock starts once every
// client has claimed its connection, so that neither the claims nor a
// garbage collection of what they left count in the run, and no client
// sends while others are still being set. The run reads the clock once
// before the level (none claimed), and from then on only with all 16
// claimed.
func TestClockStartsWhenClientsAreSet(t *testing.T) {
	sb := dbtest.Sandbox(t)
	ctx := context.Background()
	const clients = 16
	for _, blocking := range []bool{false, true} {
		o, err := bench.OpenTarget(ctx, bench.TargetConfig{Topology: sb.Topology, Node: "0/primary", BlockingIO: blocking, Clients: clients})
		if err != nil {
			t.Fatal(err)
		}
		defer o.Close()
		pool := o.Target.(*bench.Pool)
		clock := &loopsClock{pool: pool, seen: map[int64]int{}}
		res, err := bench.Run(ctx, o.Target, bench.Config{Queries: []string{"SELECT {n:uniform(1,9)}"}, Concurrency: []int{clients}, NumberOfQueries: 2000, ThreadPerClient: o.ThreadPerClient, Clock: clock})
		if err != nil || res.Levels[0].Total.Count != 2000 {
			t.Fatalf("blocking %v: %+v, %v", blocking, res, err)
		}
		if clock.seen[0] != 1 {
			t.Errorf("blocking %v: the clock was read %d time(s) before any client was set, want once (the run's start)", blocking, clock.seen[0])
		}
		if clock.seen[clients] == 0 {
			t.Fatalf("blocking %v: the protocol loop drove no client (clock readings by claims made: %v)", blocking, clock.seen)
		}
		for n, readings := range clock.seen {
			if n != 0 && n != clients {
				t.Errorf("blocking %v: the clock was read %d time(s) with %d of %d clients claimed", blocking, readings, n, clients)
			}
		}
	}
}

// panicClock is the system clock until its reading number panicAt, where
// it panics.
type panicClock struct {
	panicAt  int
	readings int
}

func (c *panicClock) Now() time.Time {
	if c.readings++; c.readings == c.panicAt {
		panic("the clock broke")
	}
	return time.Now()
}

func (c *panicClock) Sleep(ctx context.Context, d time.Duration) error { return nil }

// TestPanicBeforeStartLetsClientsGo: a panic in the runner after the
// clients are set and before they start (here the clock's, when it starts
// the level) reaches Run's caller, and the clients give their connections
// back rather than wait for a start that never comes.
func TestPanicBeforeStartLetsClientsGo(t *testing.T) {
	sb := dbtest.Sandbox(t)
	ctx := context.Background()
	o, err := bench.OpenTarget(ctx, bench.TargetConfig{Topology: sb.Topology, Node: "0/primary", Clients: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	recovered := make(chan any, 1)
	go func() {
		defer func() { recovered <- recover() }()
		// Reading 1 is the run's start; reading 2 starts the level.
		_, _ = bench.Run(ctx, o.Target, bench.Config{Queries: []string{"SELECT 1"}, Concurrency: []int{4}, NumberOfQueries: 100, Clock: &panicClock{panicAt: 2}})
	}()
	select {
	case p := <-recovered:
		if p == nil {
			t.Fatal("Run returned without the clock's panic")
		}
	case <-time.After(60 * time.Second):
		t.Fatal("Run did not return within 60 s of the clock's panic: its clients still wait to start")
	}
	// All four connections are back: four statements hold them at once.
	db := o.Target.(*bench.Pool).DB
	conns := make([]*sql.Conn, 4)
	for i := range conns {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
		var one int
		if err := c.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
			t.Fatalf("connection %d after the panic: %d, %v", i, one, err)
		}
	}
}
