package router_test

import (
	"context"
	"testing"
	"time"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
)

// TestFullPoolPrimaryStaysUp: with a bounded pool (the proxy's
// --backend-max-open), clients' transactions that hold every connection
// to the primary, idle, leave its health checks their own connections:
// the heartbeat goes on, and the primary, which answers, is not taken
// for down. The heartbeat ran on the pool, waited for a connection past
// its probe timeout, and the primary was shunned: statements that needed
// it waited out the failover buffer and failed with "the shard's primary
// is down".
func TestFullPoolPrimaryStaysUp(t *testing.T) {
	cfg := replica.Config{HeartbeatInterval: 20 * time.Millisecond, ProbeInterval: 20 * time.Millisecond, ProbeTimeout: 200 * time.Millisecond}
	cfg.Pool.MaxOpen = 2
	r, sb := openRouter(t, router.Config{Replica: cfg})
	ctx := context.Background()
	set := r.Sets()[0]
	p := set.Primary()
	for range cfg.Pool.MaxOpen {
		conn, err := p.DB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		defer conn.ExecContext(ctx, "ROLLBACK")
	}
	admin := dbtest.OpenAdmin(t, sb.Topology, sb.Topology.Shards[0].Primary.HostPort)
	beat := func() string {
		var ts string
		if err := admin.QueryRowContext(ctx, "SELECT ts FROM `"+replica.MetaDatabase+"`.heartbeat WHERE id = 1").Scan(&ts); err != nil {
			return ""
		}
		return ts
	}
	// Three beats written while the pool is full, each past the probe
	// timeout of a beat that waits for a pooled connection.
	last := beat()
	for i := range 3 {
		waitFor(t, 30*time.Second, "a heartbeat while the pool is full", func() bool {
			ts := beat()
			if ts != "" && ts != last {
				last = ts
				return true
			}
			return false
		})
		if set.PrimaryDown() {
			t.Fatalf("the primary, which answers, is taken for down after %d heartbeats with its pool full", i+1)
		}
	}
}
