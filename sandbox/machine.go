package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/scalelab/scalelab/machine"
	"github.com/scalelab/scalelab/topology"
)

// groupParent names the sandbox's parent cgroup after its dir, so that
// two sandboxes on one host never share groups.
func groupParent(dir string) string {
	h := sha256.Sum256([]byte(dir))
	return "scalelab-" + hex.EncodeToString(h[:6])
}

// CgroupParent is the name of the parent cgroup of the sandbox's nodes,
// under each hierarchy's root.
func (s *Sandbox) CgroupParent() string { return groupParent(s.Dir) }

// nodeCPUs resolves topology.AutoCPUs for n nodes of m: the host's last
// CPUs, as many as their quotas add up to, when that leaves clients a CPU
// and the host can keep nodes on CPUs (a cpuset cgroup); else none, and
// the nodes run anywhere. It returns a copy of m.
func (s *Sandbox) nodeCPUs(m *topology.Machine, n int) (*topology.Machine, error) {
	if m == nil || m.CPUs != topology.AutoCPUs {
		return m, nil
	}
	c := *m
	c.CPUs = ""
	if !c.Limited() {
		return nil, nil
	}
	g, err := s.cgroups()
	if err != nil {
		return nil, err
	}
	host, err := machine.Available()
	if err != nil {
		_ = g.Remove()
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	if nodes, _, ok := machine.Split(host, m.CPU*float64(n)); ok && g.Cpuset() {
		c.CPUs = nodes.String()
	}
	return &c, nil
}

// checkCPUs checks that the nodes can be kept on cpus (a cpuset list, or
// empty for any): the host has a cpuset cgroup, and every CPU of the list
// is online. The host's CPUs, not this process's: a lab runs on the
// client's CPUs while it starts nodes on the others.
func checkCPUs(g *machine.Groups, cpus string) error {
	list, err := machine.ParseCPUs(cpus)
	if err != nil || len(list) == 0 {
		return err
	}
	if !g.Cpuset() {
		return fmt.Errorf("sandbox: %w: the nodes are to run on %s, but there is no cpuset cgroup under %s: mount it (cgroup v1) or delegate the cpuset controller (v2), or start without CPUs of their own (up --node-cpus \"\", or no cpus in the topology's machine section)", machine.ErrUnavailable, list.Text(), g.Root)
	}
	host, err := machine.Online()
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	if missing := list.Without(host); len(missing) > 0 {
		return fmt.Errorf("sandbox: %w: the nodes are to run on %s, but this host offers %s only", machine.ErrUnavailable, list.Text(), host.Text())
	}
	return nil
}

// openGroups opens the nodes' cgroups when m limits anything, and removes
// the groups a killed run left behind (their processes are gone).
func (s *Sandbox) openGroups(m *topology.Machine) error {
	if !m.Limited() {
		return nil
	}
	g, err := s.cgroups()
	if err != nil {
		return err
	}
	if err := checkCPUs(g, m.CPUs); err != nil {
		_ = g.Remove()
		return err
	}
	// A group that cannot be reaped is reused: placing a node updates it.
	_ = g.Reap()
	return nil
}

// cgroups returns the sandbox's cgroups, opening them the first time. Safe
// for concurrent use.
func (s *Sandbox) cgroups() (*machine.Groups, error) {
	s.groupsMu.Lock()
	defer s.groupsMu.Unlock()
	if s.groups == nil {
		g, err := machine.Open(machine.Config{Parent: groupParent(s.Dir)})
		if err != nil {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
		s.groups = g
	}
	return s.groups, nil
}

// removeGroups deletes the nodes' cgroups, once their processes are gone.
func (s *Sandbox) removeGroups() error {
	s.groupsMu.Lock()
	opened := s.groups != nil
	s.groupsMu.Unlock()
	if !opened && (s.Topology == nil || !s.Topology.Machine.Limited()) {
		return nil
	}
	g, err := s.cgroups()
	if err != nil {
		return nil // nothing was made where nothing can be
	}
	return g.Remove()
}

// place puts a node's new process in its cgroup, before it serves a query.
// The groups are opened by openGroups before a start; a command that
// opened the sandbox from its files (reshard adding shards, a node's role
// changing) opens them here.
func (s *Sandbox) place(n NodeState, pid int) error {
	if s.Topology == nil {
		return nil
	}
	l := s.Topology.Machine.Limits(n.Name)
	if l.Zero() {
		return nil
	}
	g, err := s.cgroups()
	if err != nil {
		return &NodeError{Node: n.Name, Log: n.ErrorLog(), Err: err}
	}
	if err := g.Place(n.Name, pid, l); err != nil {
		return &NodeError{Node: n.Name, Log: n.ErrorLog(), Err: err}
	}
	return nil
}

// Usage reads a node's cgroup accounting; ok is false when the sandbox
// does not limit its nodes.
func (s *Sandbox) Usage(node string) (u machine.Usage, limits machine.Limits, ok bool, err error) {
	if s.Topology == nil || !s.Topology.Machine.Limited() {
		return u, limits, false, nil
	}
	g, err := s.cgroups()
	if err != nil {
		return u, limits, false, err
	}
	u, err = g.Usage(node)
	return u, s.Topology.Machine.Limits(node), err == nil, err
}
