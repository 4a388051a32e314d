package router_test

import (
	"context"
	"errors"
	"fmt"
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

// TestSessionBusy: a Session used from several goroutines at once
// refuses the statements that overlap another with ErrSessionBusy, where
// they shared its connections (busy buffer, bad connection: errors that
// counted against the primary), and the session and the primary serve
// on.
func TestSessionBusy(t *testing.T) {
	r, _ := openRouter(t, router.Config{})
	ctx := context.Background()
	s := r.NewSession()
	defer s.Close()
	if _, err := s.ExecContext(ctx, "SET @a = 1"); err != nil { // the session's own connections
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	busy, other := 0, []error{}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				var v int
				err := s.GetContext(ctx, &v, "SELECT SLEEP(0.01) + @a")
				mu.Lock()
				switch {
				case errors.Is(err, router.ErrSessionBusy):
					busy++
				case err != nil:
					other = append(other, err)
				case v != 1:
					other = append(other, fmt.Errorf("answered %d, want 1", v))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(other) > 0 {
		t.Errorf("%d statements failed otherwise than ErrSessionBusy or answered wrong, the first: %v", len(other), other[0])
	}
	if busy == 0 {
		t.Error("no statement overlapped another of the session: four goroutines of 20 statements of 10ms each should")
	}
	var v int
	if err := s.GetContext(ctx, &v, "SELECT @a"); err != nil || v != 1 {
		t.Errorf("the session after: %d, %v; want 1", v, err)
	}
	for _, n := range r.Sets()[0].Snapshot() {
		if n.Role == "primary" && n.Health != replica.Healthy {
			t.Errorf("primary %s: %v, want healthy", n.Name, n.Health)
		}
	}
}
