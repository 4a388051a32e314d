package sandbox

import (
	"fmt"

	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/topology"
)

// assignRoles makes the sandbox's nodes follow t, matched by address: a
// node that t lists under a new name or role (a replica promoted by a
// failover, a former primary now listed as a replica, shards renamed by a
// reshard) takes that name and role. Its my.cnf is written again, so that
// it restarts read-only exactly when it is a replica (a fenced former
// primary stays fenced), and its running process moves into the cgroup of
// its new name. Nodes t does not list keep theirs.
func (s *Sandbox) assignRoles(t *topology.Topology) (changed bool, err error) {
	f, err := flavor.Lookup(t.Flavor)
	if err != nil {
		return false, err
	}
	byAddr := map[string]topology.Node{}
	for _, n := range t.Nodes() {
		byAddr[n.Addr] = n
	}
	for i, n := range s.State.Nodes {
		want, ok := byAddr[n.Addr()]
		if !ok || (want.Name == n.Name && want.Role == n.Role && want.Shard == n.Shard) {
			continue
		}
		changed = true
		n.Name, n.Role, n.Shard = want.Name, want.Role, want.Shard
		s.State.Nodes[i] = n
		if err := writeConfig(n, f, t); err != nil {
			return changed, fmt.Errorf("sandbox: %s: %w", n.Name, err)
		}
		if n.Alive() {
			if err := s.place(n, n.Pid); err != nil {
				return changed, err
			}
		}
	}
	if !changed {
		return false, nil
	}
	return true, s.writeState()
}
