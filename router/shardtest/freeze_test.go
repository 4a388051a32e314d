package shardtest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
)

// TestFrozenReplica freezes one shard's replica with SIGSTOP, as a hung
// machine or a stalled disk would, while clients read every shard. The
// frozen node must be shunned, the reads stuck on it retried elsewhere,
// and no read may fail; clients of the other shards must keep being
// served. The longest stall each group of shards saw is logged: the
// figure for the note, not a timed assertion.
func TestFrozenReplica(t *testing.T) {
	if testing.Short() {
		t.Skip("freezes a server for 3s")
	}
	sb := dbtest.Sandbox(t)
	ctx := context.Background()
	r := openRouter(t, shardedTopology(t, sb, itemsTables), router.Config{})
	loadItems(t, r)
	set := r.Sets()[0]
	victim := set.Replicas()[0]
	_, node, err := sb.NodeState(victim.Name)
	if err != nil || node.Pid == 0 {
		t.Fatalf("victim %s: %v (pid %d)", victim.Name, err, node.Pid)
	}
	// Which ids live on the victim's shard.
	onVictim := map[int]bool{}
	for id := 1; id <= 2000; id++ {
		tr, err := r.Route("SELECT name FROM items WHERE id = ?", id)
		if err != nil {
			t.Fatal(err)
		}
		onVictim[id] = len(tr.Shards) == 1 && tr.Shards[0] == set.Shard
	}
	// The replica must catch up before it serves reads.
	waitFor(t, 10*time.Second, "every replica to be eligible", func() bool {
		for _, n := range set.Snapshot() {
			if n.Role == "replica" && !n.Eligible {
				return false
			}
		}
		return true
	})

	type group struct {
		mu        sync.Mutex
		last      time.Time
		longest   time.Duration
		reads     atomic.Int64
		during    atomic.Int64
		failures  atomic.Int64
		firstFail atomic.Value
	}
	var victimShard, others group
	var frozen atomic.Bool
	done := func(g *group, at time.Time) {
		g.mu.Lock()
		if !g.last.IsZero() && at.Sub(g.last) > g.longest && frozen.Load() {
			g.longest = at.Sub(g.last)
		}
		g.last = at
		g.mu.Unlock()
	}
	rctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for c := 0; c < 8; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := 1 + c*251; rctx.Err() == nil; id = id%2000 + 1 {
				g := &others
				if onVictim[id] {
					g = &victimShard
				}
				var name string
				err := r.GetContext(rctx, &name, "SELECT name FROM items WHERE id = ?", id)
				switch {
				case rctx.Err() != nil:
					return
				case err != nil:
					g.failures.Add(1)
					g.firstFail.CompareAndSwap(nil, fmt.Sprint(err))
				default:
					g.reads.Add(1)
					if frozen.Load() {
						g.during.Add(1)
					}
					done(g, time.Now())
				}
			}
		}()
	}
	waitFor(t, 10*time.Second, "reads to flow", func() bool { return victimShard.reads.Load() > 200 && others.reads.Load() > 200 })
	if err := syscall.Kill(node.Pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	frozen.Store(true)
	thawed := false
	thaw := func() {
		if !thawed {
			thawed = true
			frozen.Store(false)
			syscall.Kill(node.Pid, syscall.SIGCONT)
		}
	}
	defer thaw()
	waitFor(t, 10*time.Second, "the frozen replica to be shunned", func() bool { return !set.Snapshot()[1].Eligible })
	// The freeze lasts 3s while the clients go on.
	freeze := time.NewTimer(3 * time.Second)
	<-freeze.C
	thaw()
	waitFor(t, 15*time.Second, "the replica to be re-admitted", func() bool { return set.Snapshot()[1].Health == replica.Healthy })
	stop()
	wg.Wait()

	for name, g := range map[string]*group{"the frozen replica's shard": &victimShard, "the other shards": &others} {
		if n := g.failures.Load(); n != 0 {
			t.Errorf("%s: %d reads failed; first: %v", name, n, g.firstFail.Load())
		}
		if g.during.Load() == 0 {
			t.Errorf("%s: no read completed while the replica was frozen", name)
		}
		t.Logf("%s: %d reads, %d while frozen, longest stall while frozen %v", name, g.reads.Load(), g.during.Load(), g.longest.Round(time.Millisecond))
	}
	hist := set.Snapshot()[1].History
	if len(hist) == 0 || hist[0].To != replica.Shunned {
		t.Errorf("transitions %+v, want healthy→shunned first", hist)
	}
	t.Logf("retried reads: %d; transitions %+v", r.Stats().Retries, hist)
}

// waitFor polls cond until it holds, failing t after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		<-tick.C
	}
}
