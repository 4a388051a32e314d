package router_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
)

// TestCallerDeadlineKeepsPrimary: writes whose callers' deadlines end
// while their connections are dialed, or while they run, fail with the
// caller's error, and do not count against the primary: they shunned a
// healthy primary within a few bursts, and a client with no deadline then
// got ErrPrimaryDown (an independent review). Without idle connections
// every statement dials, as a pool does under a burst beyond its idle
// count.
func TestCallerDeadlineKeepsPrimary(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: replica.Config{Pool: replica.PoolConfig{MaxIdle: -1}}})
	ctx := context.Background()
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS deadline_t (id INT PRIMARY KEY, v INT)",
		"REPLACE INTO deadline_t VALUES (1, 0)",
	} {
		if _, err := r.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var mu sync.Mutex
	cut := 0 // statements the callers' deadlines ended
	for i := 0; i < 100; i++ {
		var wg sync.WaitGroup
		for g := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := time.Duration(20+((i+g)%40)*10) * time.Microsecond
				cctx, cancel := context.WithTimeout(ctx, d)
				defer cancel()
				if _, err := r.ExecContext(cctx, "UPDATE deadline_t SET v = v + 1 WHERE id = 1"); err != nil {
					mu.Lock()
					cut++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		// Another client, with no deadline.
		if _, err := r.ExecContext(ctx, "UPDATE deadline_t SET v = v + 1 WHERE id = 1"); err != nil {
			t.Fatalf("burst %d (%d statements cut by their callers' deadlines so far): a write without a deadline: %v", i, cut, err)
		}
	}
	if cut == 0 {
		t.Skip("no caller's deadline ended a statement: the machine was too fast for the deadlines, and nothing was tested")
	}
	for _, n := range r.Sets()[0].Snapshot() {
		if n.Role == "primary" && n.Health != replica.Healthy {
			t.Errorf("primary %s: %v after its callers' deadlines, want healthy", n.Name, n.Health)
		}
	}
	t.Logf("%d statements cut by their callers' deadlines", cut)
}
