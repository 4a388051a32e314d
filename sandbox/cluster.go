package sandbox

import (
	"context"
	"slices"
	"strings"

	"github.com/scalelab/scalelab/topology"
)

// Cluster is the sandbox seen as the servers that a workflow, such as
// resharding, changes: it adds, removes and renames shards, and publishes
// the topology that every later command reads. Get one with
// Sandbox.Cluster.
type Cluster struct{ sb *Sandbox }

// Cluster returns the sandbox as a Cluster.
func (s *Sandbox) Cluster() Cluster { return Cluster{sb: s} }

// Topology is the topology in use.
func (c Cluster) Topology() *topology.Topology { return c.sb.Topology }

// FollowingCluster is a Cluster for a process that runs for long beside
// others that change the sandbox (a proxy that fails over, failover
// --watch, while scalelab failover or start run): its Reload reads the
// sandbox's files again (see Sandbox.Reload), which a watcher does before
// each look. Its sandbox must not be read by other goroutines meanwhile.
type FollowingCluster struct{ Cluster }

// FollowingCluster returns the sandbox as a FollowingCluster.
func (s *Sandbox) FollowingCluster() FollowingCluster { return FollowingCluster{s.Cluster()} }

// Reload reads the sandbox's files again.
func (c FollowingCluster) Reload() error { return c.sb.Reload() }

// StateDir is where a workflow keeps its state files: the sandbox's dir.
func (c Cluster) StateDir() string { return c.sb.Dir }

// TopologyPath is the topology file that routers follow.
func (c Cluster) TopologyPath() string { return c.sb.TopologyPath() }

// AddShards starts new shards (see Sandbox.AddShards) and reports each
// node's steps, and warnings, to say.
func (c Cluster) AddShards(ctx context.Context, names []string, replicas int, say func(string)) ([]topology.Shard, error) {
	return c.sb.AddShards(ctx, names, replicas, func(e Event) {
		switch {
		case e.Node != "":
			say(e.Node + " " + e.Step)
		case strings.HasPrefix(e.Step, "warning:"):
			say(e.Step)
		}
	})
}

// HasShard reports whether any node serves the named shard.
func (c Cluster) HasShard(name string) bool {
	return slices.ContainsFunc(c.sb.State.Nodes, func(n NodeState) bool { return n.Shard == name })
}

// RemoveShards stops and deletes the nodes of the named shards.
func (c Cluster) RemoveShards(ctx context.Context, names []string) error {
	return c.sb.RemoveShards(ctx, names)
}

// RenameShard records that shard from's nodes now serve shard to.
func (c Cluster) RenameShard(from, to string) error { return c.sb.RenameShard(from, to) }

// Publish writes t as the sandbox's topology file (atomically) and uses it
// from now on. Nodes that t lists under a new name or role, such as after a
// failover, take it (see assignRoles).
func (c Cluster) Publish(t *topology.Topology) error {
	if err := t.Write(c.sb.TopologyPath()); err != nil {
		return err
	}
	c.sb.Topology = t
	_, err := c.sb.assignRoles(t)
	c.sb.remember()
	return err
}

// KillNode, FreezeNode, ThawNode and RestartNode act on one node (see the
// Sandbox methods), for chaos.
func (c Cluster) KillNode(ctx context.Context, name string) error { return c.sb.KillNode(ctx, name) }
func (c Cluster) FreezeNode(name string) error                    { return c.sb.FreezeNode(name) }
func (c Cluster) ThawNode(name string) error                      { return c.sb.ThawNode(name) }
func (c Cluster) RestartNode(ctx context.Context, name string) error {
	return c.sb.RestartNode(ctx, name)
}
