package router_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
)

// TestBothReplicasFail freezes one replica of the shard with SIGSTOP and
// kills the other while clients read: a read that fails on one replica
// is retried on the other, and when that one fails too, the primary,
// which still answers, answers it. No read may fail. A read whose one
// retry went to the other, failed, replica failed ("retry"), before
// either was shunned.
func TestBothReplicasFail(t *testing.T) {
	if testing.Short() {
		t.Skip("freezes a server and kills another")
	}
	r, sb := openRouter(t, router.Config{})
	ctx := context.Background()
	set := r.Sets()[0]
	waitFor(t, 15*time.Second, "both replicas to be eligible", func() bool {
		eligible := 0
		for _, n := range set.Snapshot() {
			if n.Role == "replica" && n.Eligible {
				eligible++
			}
		}
		return eligible == 2
	})
	frozen, killed := set.Replicas()[0], set.Replicas()[1]
	_, node, err := sb.NodeState(frozen.Name)
	if err != nil || node.Pid == 0 {
		t.Fatalf("node %s: %v (pid %d)", frozen.Name, err, node.Pid)
	}
	pid := node.Pid
	thawed := false
	thaw := func() {
		if !thawed {
			thawed = true
			syscall.Kill(pid, syscall.SIGCONT)
		}
	}
	t.Cleanup(func() {
		thaw()
		if err := sb.StartNode(ctx, killed.Name); err != nil {
			t.Errorf("start %s again: %v", killed.Name, err)
		}
		// The next tests of the package read the replicas again.
		waitFor(t, 30*time.Second, "the replicas to be re-admitted", func() bool {
			for _, n := range set.Snapshot() {
				if n.Role == "replica" && n.Health != replica.Healthy {
					return false
				}
			}
			return true
		})
	})

	var reads, failures, retried atomic.Int64
	var firstFail atomic.Value
	rctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for c := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; rctx.Err() == nil; n++ {
				var tr router.Trace
				var one int
				err := r.GetContext(router.WithTrace(rctx, &tr), &one, fmt.Sprintf("SELECT %d + 0 * %d", 1, c*100000+n))
				switch {
				case rctx.Err() != nil:
					return
				case err != nil || one != 1:
					failures.Add(1)
					firstFail.CompareAndSwap(nil, fmt.Sprint(one, err))
				default:
					reads.Add(1)
					if tr.Retried != "" {
						retried.Add(1)
					}
				}
			}
		}()
	}
	waitFor(t, 10*time.Second, "reads to flow", func() bool { return reads.Load() > 200 })
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	if err := sb.KillNode(ctx, killed.Name); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "both replicas to be shunned", func() bool {
		for _, n := range set.Snapshot() {
			if n.Role == "replica" && n.Eligible {
				return false
			}
		}
		return true
	})
	at := reads.Load()
	waitFor(t, 10*time.Second, "the primary to answer reads", func() bool { return reads.Load() > at+200 })
	stop()
	wg.Wait()
	thaw()
	t.Logf("%d reads, %d of them retried", reads.Load(), retried.Load())
	if n := failures.Load(); n > 0 {
		t.Errorf("%d reads failed while both replicas failed, the first: %v", n, firstFail.Load())
	}
	if retried.Load() == 0 {
		t.Errorf("no read was retried: none failed on a replica, so the test saw nothing")
	}
}
