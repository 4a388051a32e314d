package bench_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/scalelab/scalelab/bench"
	"github.com/scalelab/scalelab/internal/dbtest"
)

// TestCancelEndsAStuckQuery cancels a run whose first query waits on the
// server (for a lock the test holds), on each path. The cancellation must
// end the query, which the run neither counts nor waits for: before, a
// client's first query could not be interrupted, and the run returned only
// when the server answered (here when the lock wait timed out, and the
// query counted as a success).
func TestCancelEndsAStuckQuery(t *testing.T) {
	e := openRunEnv(t)
	admin := dbtest.OpenAdmin(t, e.topo, e.primary.Addr)
	holder, err := admin.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	var got int
	if err := holder.QueryRowContext(t.Context(), "SELECT GET_LOCK('bench_stuck', 0)").Scan(&got); err != nil || got != 1 {
		t.Fatalf("GET_LOCK: %d, %v", got, err)
	}
	for i, tc := range []struct {
		name     string
		driver   bool
		prepared bool
	}{
		{"protocol loop", false, false},
		{"protocol loop, prepared", false, true},
		{"driver", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := openPool(t, bench.TargetConfig{Topology: e.topo, Node: "0/primary", Clients: 1, Driver: tc.driver})
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			type ran struct {
				res *bench.Result
				err error
			}
			done := make(chan ran, 1)
			// A tag tells this query from an earlier subtest's, which the
			// server may still be running after its client went.
			tag := "/*stuck-" + strconv.Itoa(i) + "*/"
			go func() {
				res, err := bench.Run(ctx, p, bench.Config{Queries: []string{"SELECT GET_LOCK('bench_stuck', 20 + {n:uniform(0,0)}) " + tag}, Prepared: tc.prepared})
				done <- ran{res, err}
			}()
			// Once the query waits for the lock, cancel the run.
			for {
				var n int
				if err := admin.QueryRow("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE STATE = 'User lock' AND INFO LIKE CONCAT('%', ?, '%')", tag).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n > 0 {
					break
				}
			}
			cancel()
			r := <-done
			if r.err != nil {
				t.Fatal(r.err)
			}
			if !r.res.Partial || len(r.res.Levels) != 1 {
				t.Fatalf("got partial %v with %d levels, want the interrupted one", r.res.Partial, len(r.res.Levels))
			}
			if l := r.res.Levels[0].Total; l.Count != 0 || l.Errors != 0 {
				t.Errorf("got %d queries and %d errors %v, want the cut query neither", l.Count, l.Errors, l.ErrorsByKind)
			}
		})
	}
}
