package chaos_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/scalelab/scalelab/chaos"
	"github.com/scalelab/scalelab/failover"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/netsim"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/sandbox"
)

// TestNetwork partitions and slows nodes of a sandbox with netsim relays
// (ports from 29100, 1 shard x 3 nodes, 13 ports) and checks each effect
// from the router's side and from the servers' side: a partitioned replica
// is shunned and comes back after heal, a primary cut off from its clients
// alone is not failed over, one cut off from everyone is, and is fenced
// when the partition heals.
func TestNetwork(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	sb, err := sandbox.Start(ctx, sandbox.Config{Dir: t.TempDir(), Shards: 1, Replicas: 2, BasePort: 29100,
		Netsim: true, Server: dbtest.RequireServer(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Stop(context.Background()) })
	c := sb.Cluster()
	do := func(action, node string, o chaos.Options) {
		t.Helper()
		if _, err := chaos.Do(ctx, c, action, node, o); err != nil {
			t.Fatalf("%s %s: %v", action, node, err)
		}
	}
	topo := sb.Topology
	if topo.Netsim == nil || topo.SourceAddr(topo.Shards[0].Replicas[0].HostPort, topo.Shards[0].Primary.HostPort) == topo.Shards[0].Primary.HostPort {
		t.Fatalf("a netsim sandbox has no link relay from its replica to its primary: %+v", topo.Netsim)
	}

	// Clients must dial the relays, which carry the faults: no socket
	// may take them around.
	for _, n := range topo.Nodes() {
		if sock := topo.Socket(n.Addr); sock != "" {
			t.Errorf("%s: a netsim sandbox lists socket %s, which bypasses its relay", n.Name, sock)
		}
	}

	t.Run("latency", func(t *testing.T) {
		db := dbtest.OpenAdmin(t, topo, topo.Shards[0].Replicas[1].HostPort)
		do(chaos.Latency, "0/replica-2", chaos.Options{Delay: 200 * time.Millisecond, Traffic: "clients"})
		start := time.Now()
		if err := db.QueryRowContext(ctx, "SELECT 1").Scan(new(int)); err != nil {
			t.Fatal(err)
		}
		// A lower bound: the relay holds every answer for the delay.
		if took := time.Since(start); took < 200*time.Millisecond {
			t.Errorf("a round trip with 200ms of added latency took %v", took)
		}
		do(chaos.Heal, "0/replica-2", chaos.Options{})
		faults, err := netsim.Faults(topo.Netsim, topo.Shards[0].Replicas[1].HostPort)
		if err != nil || len(faults) != 0 {
			t.Errorf("after heal the relays still have faults %v (%v)", faults, err)
		}
	})

	t.Run("replica", func(t *testing.T) {
		set, err := replica.New(topo, topo.Shards[0], replica.Config{})
		if err != nil {
			t.Fatal(err)
		}
		if err := set.Open(ctx); err != nil {
			t.Fatal(err)
		}
		defer set.Close()
		cut := set.Node("0/replica-1")
		if cut == nil || !set.Healthy(cut) {
			t.Fatalf("replica-1 is not a healthy member of the set before the partition: %v", cut)
		}
		do(chaos.Partition, "0/replica-1", chaos.Options{})
		start := time.Now()
		if !waitFor(ctx, 10*time.Second, func() bool { return !set.Healthy(cut) }) {
			t.Fatal("a partitioned replica was not shunned within 10s")
		}
		t.Logf("partitioned replica shunned after %v", time.Since(start).Round(time.Millisecond))
		for range 20 {
			if n, _, err := set.PickReplica(); err != nil || n == cut {
				t.Fatalf("a read went to %v (%v) while replica-1 was partitioned", n, err)
			}
		}
		// Replication is cut too: a row written now does not reach it.
		wctx, wcancel := context.WithTimeout(ctx, 3*time.Second)
		err = sb.WaitReplication(wctx)
		wcancel()
		if err == nil {
			t.Error("replication to a partitioned replica went on")
		}
		do(chaos.Heal, "0/replica-1", chaos.Options{})
		if !waitFor(ctx, 10*time.Second, func() bool { return set.Healthy(cut) }) {
			t.Error("a healed replica was not readmitted within 10s")
		}
		if err := sb.WaitReplication(ctx); err != nil {
			t.Errorf("replication after heal: %v", err)
		}
	})

	t.Run("primary cut off from clients only", func(t *testing.T) {
		before := c.Topology().Shards[0].Primary.HostPort
		do(chaos.Partition, "0/primary", chaos.Options{Traffic: "clients"})
		wctx, wcancel := context.WithTimeout(ctx, 4*time.Second)
		var failovers []*failover.Result
		var mu sync.Mutex
		var log []string
		err := failover.Watch(wctx, failover.WatchConfig{Cluster: c, Interval: 200 * time.Millisecond,
			OnFailover: func(r *failover.Result) { failovers = append(failovers, r) },
			Progress:   func(s string) { mu.Lock(); log = append(log, s); mu.Unlock() }})
		wcancel()
		if err != nil {
			t.Fatal(err)
		}
		if len(failovers) != 0 || c.Topology().Shards[0].Primary.HostPort != before {
			t.Errorf("a primary its replicas still reach was failed over: %+v", failovers)
		}
		if len(log) == 0 {
			t.Error("the monitor never saw the primary miss its probes")
		}
		do(chaos.Heal, "0/primary", chaos.Options{})
	})

	t.Run("primary cut off from everyone", func(t *testing.T) {
		old := c.Topology().Shards[0].Primary.HostPort
		oldDB := dbtest.OpenAdmin(t, topo, old)
		do(chaos.Partition, "0/primary", chaos.Options{})
		wctx, wcancel := context.WithTimeout(ctx, time.Minute)
		defer wcancel()
		done := make(chan error, 1)
		var once sync.Once
		failedOver := make(chan *failover.Result, 1)
		go func() {
			done <- failover.Watch(wctx, failover.WatchConfig{Cluster: c, Interval: 200 * time.Millisecond,
				OnFailover: func(r *failover.Result) { once.Do(func() { failedOver <- r }) }})
		}()
		var res *failover.Result
		select {
		case res = <-failedOver:
		case <-wctx.Done():
			t.Fatal("a primary cut off from its clients and its replicas was not failed over within a minute")
		}
		if got := c.Topology().Shards[0].Primary.HostPort; got == old || res.Kind != failover.Emergency {
			t.Fatalf("after the failover the primary is %s (was %s), kind %s", got, old, res.Kind)
		}
		// The old primary is alive behind the partition and still
		// writable; once the partition heals the monitor fences it.
		do(chaos.Heal, res.Fenced, chaos.Options{}) // the old primary's name now
		fenced := waitFor(ctx, 10*time.Second, func() bool {
			var ro int
			return oldDB.QueryRowContext(ctx, "SELECT @@global.read_only").Scan(&ro) == nil && ro == 1
		})
		if !fenced {
			t.Error("the old primary is still writable 10s after the partition healed")
		}
		app := dbtest.Open(t, topo, old)
		if _, err := app.ExecContext(ctx, "CREATE TABLE scalelab.fenced_check (id INT PRIMARY KEY)"); err == nil {
			t.Error("an application write to the fenced old primary was accepted")
		}
		wcancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Error(err)
		}
	})
}

func waitFor(ctx context.Context, d time.Duration, ok func() bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if ok() {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}
