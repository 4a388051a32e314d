package sandbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/topology"
)

// basePortSemiSync: BasePort: 25900 (1 shard x 2 nodes)
const basePortSemiSync = 25900

// TestSemiSync starts a sandbox with semi-synchronous replication and
// checks, from the servers' own counters, that a commit waited for the
// replica's acknowledgement; then, with the replica stopped, that the
// primary fell back to async after its timeout, and that status says so.
func TestSemiSync(t *testing.T) {
	srv := dbtest.RequireServer(t)
	sb := start(t, srv, sandbox.Config{Shards: 1, Replicas: 1, BasePort: basePortSemiSync, SemiSync: true})
	back, err := topology.Load(sb.TopologyPath())
	if err != nil || !back.SemiSync {
		t.Fatalf("the topology file does not record semi-sync (%v)", err)
	}
	f, err := flavor.Lookup(sb.Topology.Flavor)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	status := func() map[string]string {
		t.Helper()
		nodes, err := replica.Probe(ctx, sb.Topology, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, n := range nodes {
			out[string(n.Role)] = n.SemiSync
		}
		return out
	}
	if got := status(); got["primary"] != "on" || got["replica"] != "on" {
		t.Fatalf("semi-sync status %v, want on for the primary and the replica", got)
	}
	db := dbtest.OpenAdmin(t, sb.Topology, sb.Topology.Shards[0].Primary.HostPort)
	db.SetMaxOpenConns(1)
	acked := func() int64 {
		t.Helper()
		var name string
		var n int64
		q := "SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_yes_tx'"
		if f.Name() == flavor.MySQL {
			q = "SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_source_yes_tx'"
		}
		if err := db.QueryRowContext(ctx, q).Scan(&name, &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := acked()
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS scalelab.semisync_check (id INT PRIMARY KEY)",
		"INSERT INTO scalelab.semisync_check VALUES (1)",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if after := acked(); after < before+2 {
		t.Errorf("acknowledged transactions %d → %d: want both writes acknowledged by the replica", before, after)
	}
	// With its only replica gone, the primary waits out its timeout once
	// and goes on asynchronously.
	timeout := "SET GLOBAL rpl_semi_sync_master_timeout = 300"
	if f.Name() == flavor.MySQL {
		timeout = "SET GLOBAL rpl_semi_sync_source_timeout = 300"
	}
	if _, err := db.ExecContext(ctx, timeout); err != nil {
		t.Fatal(err)
	}
	if err := sb.StopNode(ctx, sb.Topology.Nodes()[1].Name); err != nil { // the replica
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO scalelab.semisync_check VALUES (2)"); err != nil {
		t.Fatal(err)
	}
	if got := status(); got["primary"] != "off" {
		t.Errorf("semi-sync status %v after the replica stopped, want the primary off (async)", got)
	}
}
