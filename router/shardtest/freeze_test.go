package shardtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/topology"
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
	sb, _, r, set := itemsRouter(t)
	ctx := context.Background()
	victim := set.Replicas()[0]
	pid := pidOf(t, sb, victim.Name)
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
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	frozen.Store(true)
	thawed := false
	thaw := func() {
		if !thawed {
			thawed = true
			frozen.Store(false)
			syscall.Kill(pid, syscall.SIGCONT)
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

// itemsRouter opens a router over the package's sandbox with the items
// tables loaded, and returns the first shard's set with it.
func itemsRouter(t *testing.T) (*sandbox.Sandbox, *topology.Topology, *router.Router, *replica.Set) {
	t.Helper()
	sb := dbtest.Sandbox(t)
	topo := shardedTopology(t, sb, itemsTables)
	r := openRouter(t, topo, router.Config{})
	loadItems(t, r)
	return sb, topo, r, r.Sets()[0]
}

// pidOf is the process id of the sandbox's node name.
func pidOf(t *testing.T, sb *sandbox.Sandbox, name string) int {
	t.Helper()
	_, node, err := sb.NodeState(name)
	if err != nil || node.Pid == 0 {
		t.Fatalf("node %s: %v (pid %d)", name, err, node.Pid)
	}
	return node.Pid
}

// idOn is an items id whose row lives on shard.
func idOn(t *testing.T, r *router.Router, shard string) int {
	t.Helper()
	for id := 1; id <= 2000; id++ {
		tr, err := r.Route("SELECT name FROM items WHERE id = ?", id)
		if err != nil {
			t.Fatal(err)
		}
		if len(tr.Shards) == 1 && tr.Shards[0] == shard {
			return id
		}
	}
	t.Fatalf("no items id on shard %s", shard)
	return 0
}

// freeze stops pid with SIGSTOP, and returns the function that resumes it
// (also called at cleanup).
func freeze(t *testing.T, pid int) (thaw func()) {
	t.Helper()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	thaw = func() { once.Do(func() { syscall.Kill(pid, syscall.SIGCONT) }) }
	t.Cleanup(thaw)
	return thaw
}

// TestFrozenDemotedPrimaryWrite: a write waits on a frozen primary while
// a failover makes that node a replica. The write may have run, so it must
// not be sent again elsewhere; and the old primary's answer, if it ever
// thaws, is not the shard's (the new primary may not have the write): the
// failover ends it at once with ErrPrimaryReplaced, its outcome unknown.
// (It waited until the node thawed, and its acknowledgement was taken for
// the shard's: a lost write the client was told committed.)
func TestFrozenDemotedPrimaryWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("freezes a server")
	}
	sb, topo, r, set := itemsRouter(t)
	ctx := context.Background()
	old := set.Primary()
	pid := pidOf(t, sb, old.Name)
	id := idOn(t, r, set.Shard)
	var sh topology.Shard
	for _, s := range topo.Shards {
		if s.Name == set.Shard {
			sh = s
		}
	}
	type result struct {
		tr  router.Trace
		err error
	}
	wrote := make(chan result, 1)
	go func() {
		var tr router.Trace
		// SLEEP keeps the write running on the primary until it is
		// frozen (SLEEP returns 0).
		_, err := r.ExecContext(router.WithTrace(ctx, &tr), "UPDATE items SET qty = qty + 1000 + SLEEP(3) WHERE id = ?", id)
		wrote <- result{tr, err}
	}()
	// The write must be on the primary before it freezes, and so before
	// the failover: frozen first, a goroutine that starts late on a
	// loaded host would send it to the new primary, rightly, and the
	// test would prove nothing (it timed out so under CI's race detector).
	waitFor(t, 10*time.Second, "the write to be in flight on the primary", func() bool { return old.InFlight() > 0 })
	thaw := freeze(t, pid)
	waitFor(t, 10*time.Second, "the frozen primary to be found down", set.PrimaryDown)
	// The failover, as the router sees it: the replica is the primary now.
	next := sh
	next.Primary, next.Replicas = sh.Replicas[0], []topology.Addr{sh.Primary}
	if _, err := set.Follow(next); err != nil {
		t.Fatal(err)
	}
	select {
	case w := <-wrote:
		if !errors.Is(w.err, router.ErrPrimaryReplaced) || w.tr.Retried != "" || w.tr.Node != old.Name {
			t.Errorf("the write after the failover: err %v, node %s, retried after %q; want ErrPrimaryReplaced on %s, not retried", w.err, w.tr.Node, w.tr.Retried, old.Name)
		}
	case <-time.After(time.Minute): // a guard against a hang, not a speed target
		t.Fatal("the write still waits on the frozen node after the failover")
	}
	thaw()
	// The node's connections made while it was the primary are retired as
	// the pool hands them out again; statements on it go on, on new ones.
	for i := range 5 {
		var one int
		if err := old.DB.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
			t.Errorf("statement %d on the demoted node's pool: %v", i, err)
		}
	}
}

// TestFrozenReplicaPinnedSession: a session with state of its own reads
// through a connection pinned to a replica. The replica freezes, and the
// read stuck on it is ended; once the replica is back, the session's reads
// succeed again on a new connection with the session's state, instead of
// failing on the ended one.
func TestFrozenReplicaPinnedSession(t *testing.T) {
	if testing.Short() {
		t.Skip("freezes a server")
	}
	sb, _, r, set := itemsRouter(t)
	ctx := context.Background()
	victim := set.Replicas()[0]
	pid := pidOf(t, sb, victim.Name)
	id := idOn(t, r, set.Shard)
	eligible := func() bool {
		for _, n := range set.Snapshot() {
			if n.Name == victim.Name {
				return n.Health == replica.Healthy && n.Eligible
			}
		}
		return false
	}
	waitFor(t, 10*time.Second, "the replica to be eligible", eligible)
	s := r.NewSession()
	defer s.Close()
	if _, err := s.Run(ctx, "SET @scalelab_test = 7"); err != nil {
		t.Fatal(err)
	}
	read := func() (router.Trace, int, error) {
		var tr router.Trace
		res, err := s.Run(router.WithTrace(ctx, &tr), "SELECT @scalelab_test FROM items WHERE id = ?", id)
		if err != nil {
			return tr, 0, err
		}
		defer res.Rows.Close()
		v := 0
		for res.Rows.Next() {
			if err := res.Rows.Scan(&v); err != nil {
				return tr, 0, err
			}
		}
		return tr, v, res.Rows.Err()
	}
	if tr, v, err := read(); err != nil || v != 7 || tr.Node != victim.Name {
		t.Fatalf("before the freeze: node %s, @scalelab_test %d, err %v; want 7 from %s", tr.Node, v, err, victim.Name)
	}
	thaw := freeze(t, pid)
	stuck := make(chan error, 1)
	go func() { _, _, err := read(); stuck <- err }()
	waitFor(t, 10*time.Second, "the frozen replica to be shunned", func() bool { return !eligible() })
	thaw()
	select {
	case <-stuck: // ended, or answered after the thaw: either is fine
	case <-time.After(15 * time.Second):
		t.Fatal("the read stuck on the frozen replica never ended")
	}
	waitFor(t, 15*time.Second, "the replica to be re-admitted", eligible)
	for i := range 4 {
		if tr, v, err := read(); err != nil || v != 7 {
			t.Errorf("read %d after the thaw: node %s, @scalelab_test %d, err %v; want 7", i, tr.Node, v, err)
		}
	}
}
