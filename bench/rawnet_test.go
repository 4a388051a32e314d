package bench_test

import (
	"context"
	"runtime"
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
