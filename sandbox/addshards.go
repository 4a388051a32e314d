package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/machine"
	"github.com/scalelab/scalelab/topology"
)

// AddShards starts new shards in a running sandbox, each a primary and
// replicas replicas with GTID replication, on the ports after the highest
// one in use, and returns their topology entries. It does not change the
// topology file: resharding switches to the new shards only after their
// data is verified. A shard name already in the sandbox is an error.
func (s *Sandbox) AddShards(ctx context.Context, names []string, replicas int, progress func(Event)) ([]topology.Shard, error) {
	if s.server.Path == "" {
		f, err := flavor.Lookup(s.State.Flavor)
		if err != nil {
			return nil, err
		}
		s.server = Server{Path: s.State.Server, Flavor: f}
	}
	if s.exited == nil {
		s.exited = map[string]<-chan struct{}{}
	}
	if s.Topology != nil && s.Topology.Netsim != nil {
		return nil, fmt.Errorf("sandbox: %s runs netsim relays, and new shards would have none: reshard a sandbox started without --netsim", s.Dir)
	}
	progress = serialize(progress)
	port := 0
	for _, n := range s.State.Nodes {
		if n.Shard != "" && slices.Contains(names, n.Shard) {
			return nil, fmt.Errorf("sandbox: shard %s already exists", n.Shard)
		}
		port = max(port, n.Port)
	}
	port++
	// Shards of a sandbox reached over TCP (one from before sockets, or
	// whose maps were deleted to measure TCP) are added without sockets,
	// so that one measurement does not mix two transports.
	sockets := s.Topology == nil || s.Topology.UsesSockets()
	scope := map[string]bool{}
	var shards []topology.Shard
	for _, name := range names {
		sh := topology.Shard{Name: name}
		for r := 0; r <= replicas; r++ {
			if err := portFree(port); err != nil {
				return nil, err
			}
			scope[s.addNode(s.Dir, &sh, r, port, 0)] = true
			port++
		}
		if !sockets {
			sh.Sockets = nil
		}
		shards = append(shards, sh)
	}
	s.scope = scope
	defer func() { s.scope = nil }()
	if s.Topology != nil {
		if warn := oversubscribed(s.Topology.Machine, s.State.Nodes); warn != "" {
			progress(Event{Step: warn})
		}
	}
	if err := s.writeState(); err != nil {
		return nil, err
	}
	err := s.initNodes(ctx, progress)
	if err == nil {
		err = s.startAll(ctx, progress)
	}
	if err == nil {
		err = s.bootstrap(ctx, progress)
	}
	if err == nil {
		err = s.WaitReplication(ctx)
	}
	if err != nil {
		return nil, err
	}
	return shards, nil
}

// oversubscribed warns when the nodes' CPU quotas add up to more than the
// CPUs they are kept on (a set chosen for the nodes of the sandbox's
// start): then each node gets less than its quota while all are busy.
func oversubscribed(m *topology.Machine, nodes []NodeState) string {
	if m == nil || m.CPUs == "" {
		return ""
	}
	cpus, err := machine.ParseCPUs(m.CPUs)
	if err != nil || len(cpus) == 0 {
		return ""
	}
	total := 0.0
	for _, n := range nodes {
		total += m.Limits(n.Name).CPU
	}
	if total <= float64(len(cpus))+1e-9 {
		return ""
	}
	return fmt.Sprintf("warning: the %d nodes' CPU quotas add up to %s cores, but they run on %s: while all are busy, each gets less than its quota", len(nodes), strconv.FormatFloat(total, 'f', -1, 64), cpus.Text())
}

// addNode records node r of shard sh (0 is its primary, then replicas) on
// port, under dir, in the state and in sh, and returns the node's name.
// relay is its netsim client relay's port, its address in sh; 0 for none.
func (s *Sandbox) addNode(dir string, sh *topology.Shard, r, port, relay int) string {
	role, name := topology.Primary, sh.Name+"/primary"
	if r > 0 {
		role, name = topology.Replica, fmt.Sprintf("%s/replica-%d", sh.Name, r)
	}
	nodeDir := filepath.Join(dir, "node-"+strconv.Itoa(port))
	n := NodeState{Name: name, Shard: sh.Name, Role: role, Port: port, Dir: nodeDir, Socket: socketPath(nodeDir, port), Relay: relay}
	s.State.Nodes = append(s.State.Nodes, n)
	addr := topology.Addr{HostPort: n.Addr()}
	if relay == 0 {
		// Clients on this host reach the node through its socket. Under
		// netsim they must dial its relay, which carries their faults.
		if sh.Sockets == nil {
			sh.Sockets = map[string]string{}
		}
		sh.Sockets[addr.HostPort] = n.Socket
	}
	if r == 0 {
		sh.Primary = addr
	} else {
		sh.Replicas = append(sh.Replicas, addr)
	}
	return name
}

// RenameShard records that the nodes of shard from now serve shard to,
// after a reshard narrowed its key range. Node names follow the shard.
func (s *Sandbox) RenameShard(from, to string) error {
	if from == to {
		return nil
	}
	for i, n := range s.State.Nodes {
		if n.Shard != from {
			continue
		}
		s.State.Nodes[i].Shard = to
		s.State.Nodes[i].Name = to + n.Name[len(from):]
	}
	return s.writeState()
}

// RemoveShards stops and deletes the nodes of the named shards: their
// processes (recorded or stray, like a data-dir initialization whose parent
// was killed), their files and their entries in the state file. A reshard
// that was killed while adding shards calls it before adding them again.
// Names with no nodes are ignored.
func (s *Sandbox) RemoveShards(ctx context.Context, names []string) error {
	drop := map[string]bool{}
	for _, name := range names {
		drop[name] = true
	}
	var keep []NodeState
	var errs []error
	for _, n := range s.State.Nodes {
		if !drop[n.Shard] {
			keep = append(keep, n)
			continue
		}
		pids := strays(n.Dir + string(filepath.Separator))
		if n.Pid != 0 && !slices.Contains(pids, n.Pid) {
			pids = append(pids, n.Pid)
		}
		var failed bool
		for _, pid := range pids {
			if err := terminate(ctx, pid, n.Dir+string(filepath.Separator), failedStartGrace); err != nil {
				errs = append(errs, &NodeError{Node: n.Name, Log: n.ErrorLog(), Err: err})
				failed = true
			}
		}
		if failed {
			keep = append(keep, n)
			continue
		}
		if err := os.RemoveAll(n.Dir); err != nil {
			errs = append(errs, &NodeError{Node: n.Name, Err: err})
		}
		if filepath.Dir(n.Socket) != n.Dir {
			_ = os.Remove(n.Socket)
		}
		delete(s.exited, n.Name)
	}
	if len(keep) == len(s.State.Nodes) {
		return errors.Join(errs...)
	}
	s.State.Nodes = keep
	if err := s.writeState(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
