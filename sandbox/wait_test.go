package sandbox_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/sandbox"
)

// TestWaitReplicationNamesStoppedThreads checks that when a replica does
// not replicate, WaitReplication gives up at its deadline and says why:
// the replica's threads and their last error, not just a deadline.
func TestWaitReplicationNamesStoppedThreads(t *testing.T) {
	srv := dbtest.RequireServer(t)
	sb := start(t, srv, sandbox.Config{Shards: 1, Replicas: 1, BasePort: basePortStopped})
	f, err := flavor.Lookup(sb.Topology.Flavor)
	if err != nil {
		t.Fatal(err)
	}
	db := dbtest.OpenAdmin(t, sb.Topology, sb.Topology.Shards[0].Replicas[0].HostPort)
	if _, err := db.Exec(f.StopReplica()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	err = sb.WaitReplication(ctx)
	if err == nil || !strings.Contains(err.Error(), "replication threads IO=No SQL=No") {
		t.Fatalf("got %v, want an error naming the stopped replication threads", err)
	}
	if _, err := db.Exec(f.StartReplica()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := sb.WaitReplication(ctx); err != nil {
		t.Errorf("after restarting replication: %v", err)
	}
}
