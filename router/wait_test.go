package router_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
)

// TestWaitCaughtUp checks the one wait for replicas to apply their
// primary's position: a replica whose applier is stopped is reported by
// name once the timeout passes, and the same wait succeeds when it runs
// again.
func TestWaitCaughtUp(t *testing.T) {
	r, sb := openRouter(t, router.Config{Replica: quiet()})
	setupKV(t, r)
	ctx := context.Background()
	topo := sb.Topology
	f, err := flavor.Lookup(topo.Flavor)
	if err != nil {
		t.Fatal(err)
	}
	stopped := topo.Shards[0].Replicas[0]
	admin := dbtest.OpenAdmin(t, topo, stopped.HostPort)
	if _, err := admin.ExecContext(ctx, f.StopReplica()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), f.StartReplica()); err != nil {
			t.Errorf("restart replication on %s: %v", stopped, err)
		}
	})
	if _, err := r.ExecContext(ctx, "UPDATE kv SET v = v + 1 WHERE k = 1"); err != nil {
		t.Fatal(err)
	}
	set := r.Sets()[0]
	err = set.WaitCaughtUp(ctx, time.Second)
	if !errors.Is(err, flavor.ErrNotApplied) || !strings.Contains(err.Error(), "replica-1") {
		t.Fatalf("set wait with a stopped replica: got %v, want ErrNotApplied naming replica-1", err)
	}
	err = replica.WaitCaughtUp(ctx, topo, time.Second)
	if !errors.Is(err, flavor.ErrNotApplied) || !strings.Contains(err.Error(), stopped.HostPort) {
		t.Fatalf("topology wait with a stopped replica: got %v, want ErrNotApplied naming %s", err, stopped.HostPort)
	}
	if _, err := admin.ExecContext(ctx, f.StartReplica()); err != nil {
		t.Fatal(err)
	}
	if err := replica.WaitCaughtUp(ctx, topo, 30*time.Second); err != nil {
		t.Fatalf("after restarting replication: %v", err)
	}
}
