package replica

import (
	"context"
	"time"

	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/topology"
)

// DefaultCatchUpTimeout bounds how long WaitCaughtUp waits for each replica.
const DefaultCatchUpTimeout = time.Minute

// WaitCaughtUp waits until every replica of every shard of t has applied
// everything its primary had committed when the call began, as the admin
// user. The wait runs on each replica (flavor.WaitCaughtUp); a replica that
// is not in time, within timeout (zero: DefaultCatchUpTimeout), is an error
// that names it and its shard.
func WaitCaughtUp(ctx context.Context, t *topology.Topology, timeout time.Duration) error {
	f, err := flavor.Lookup(t.Flavor)
	if err != nil {
		return err
	}
	if timeout == 0 {
		timeout = DefaultCatchUpTimeout
	}
	for _, s := range t.Shards {
		if err := waitShard(ctx, t, f, s, timeout); err != nil {
			return err
		}
	}
	return nil
}

// waitShard waits for the replicas of one shard, over admin pools of one
// connection a node, closed when it returns.
func waitShard(ctx context.Context, t *topology.Topology, f flavor.Flavor, s topology.Shard, timeout time.Duration) error {
	if len(s.Replicas) == 0 {
		return nil
	}
	// The primary first, then its replicas.
	var nodes []flavor.Queryer
	var names []string
	for _, a := range s.Addrs() {
		db, err := t.OpenDB(a.HostPort, t.AdminCredentials(), 1)
		if err != nil {
			return err
		}
		defer db.Close()
		nodes = append(nodes, db)
		names = append(names, "replica "+a.HostPort+" of shard "+s.Name)
	}
	return flavor.WaitCaughtUp(ctx, f, nodes[0], nodes[1:], names[1:], timeout)
}

// WaitCaughtUp waits until every replica of the set has applied everything
// its primary had committed when the call began; see the package function.
func (s *Set) WaitCaughtUp(ctx context.Context, timeout time.Duration) error {
	if timeout == 0 {
		timeout = DefaultCatchUpTimeout
	}
	var replicas []flavor.Queryer
	var names []string
	for _, r := range s.Replicas() {
		replicas = append(replicas, r.DB)
		names = append(names, r.Name)
	}
	return flavor.WaitCaughtUp(ctx, s.flavor, s.Primary().DB, replicas, names, timeout)
}
