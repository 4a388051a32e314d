package sandbox

import (
	"context"
	"fmt"
	"syscall"
)

// NodeState finds a node by name.
func (s *Sandbox) NodeState(name string) (int, NodeState, error) {
	for i, n := range s.State.Nodes {
		if n.Name == name {
			return i, n, nil
		}
	}
	return -1, NodeState{}, fmt.Errorf("sandbox: no node %q", name)
}

// Pid returns the process id of the node named name while it runs, and 0
// when it is stopped, the sandbox has no such node, or s is nil.
func (s *Sandbox) Pid(name string) int {
	if s == nil {
		return 0
	}
	if _, n, err := s.NodeState(name); err == nil && n.Alive() {
		return n.Pid
	}
	return 0
}

// Down stops every node (Stop) and, with purge, deletes the sandbox's
// files (Purge). It returns how many nodes were running.
func (s *Sandbox) Down(ctx context.Context, purge bool) (stopped int, err error) {
	stopped = len(s.Running())
	if purge {
		return stopped, s.Purge(ctx)
	}
	return stopped, s.Stop(ctx)
}

// RestartNode stops one node cleanly and starts it again, as StopNode
// then StartNode do.
func (s *Sandbox) RestartNode(ctx context.Context, name string) error {
	if err := s.StopNode(ctx, name); err != nil {
		return err
	}
	return s.StartNode(ctx, name)
}

// KillNode sends SIGKILL to one node, the way a crash would, and waits until
// the process is gone. Tests use it to check failover.
func (s *Sandbox) KillNode(ctx context.Context, name string) error {
	return s.halt(ctx, name, func(n NodeState) error {
		if !n.Alive() {
			return nil
		}
		_ = syscall.Kill(n.Pid, syscall.SIGKILL)
		if !waitGone(ctx, n.Pid, n.cnf(), DefaultStopTimeout) {
			return fmt.Errorf("sandbox: node %s (pid %d) survived SIGKILL", name, n.Pid)
		}
		return nil
	})
}

// StopNode shuts one node down cleanly.
func (s *Sandbox) StopNode(ctx context.Context, name string) error {
	return s.halt(ctx, name, func(n NodeState) error {
		if err := terminate(ctx, n.Pid, n.cnf(), DefaultStopTimeout); err != nil {
			return &NodeError{Node: name, Log: n.ErrorLog(), Err: err}
		}
		return nil
	})
}

// halt ends the named node's process with end, waits until its port is
// free, and records it as stopped.
func (s *Sandbox) halt(ctx context.Context, name string, end func(NodeState) error) error {
	i, n, err := s.NodeState(name)
	if err != nil {
		return err
	}
	if err := end(n); err != nil {
		return err
	}
	waitPortFree(ctx, n.Port, DefaultStopTimeout)
	s.State.Nodes[i].Pid = 0
	return s.writeState()
}

// StartNode starts one stopped node again and waits until it answers. A
// replica resumes replication by itself: its source is stored on disk.
func (s *Sandbox) StartNode(ctx context.Context, name string) error {
	i, n, err := s.NodeState(name)
	if err != nil {
		return err
	}
	if n.Alive() {
		return nil
	}
	if err := portFree(n.Port); err != nil {
		return err
	}
	if s.server.Path == "" {
		s.server.Path = s.State.Server
	}
	if s.Topology != nil && s.Topology.Machine.Limited() {
		// The other nodes run in their groups: open, do not reap.
		if _, err := s.cgroups(); err != nil {
			return err
		}
	}
	pid, exited, err := startProcess(s.server, n)
	if err != nil {
		return &NodeError{Node: name, Log: n.ErrorLog(), Err: err}
	}
	if err := s.place(n, pid); err != nil {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		return err
	}
	if s.exited == nil {
		s.exited = map[string]<-chan struct{}{}
	}
	s.exited[name] = exited
	s.State.Nodes[i].Pid = pid
	if err := s.writeState(); err != nil {
		return err
	}
	db := s.rootDB(n)
	defer db.Close()
	if err := waitReady(ctx, db, exited, n); err != nil {
		return &NodeError{Node: name, Log: n.ErrorLog(), Err: err}
	}
	return nil
}

// FreezeNode stops one node's process with SIGSTOP: it keeps its sockets
// and its connections, and answers nothing, as a server that hangs does.
// ThawNode lets it go on with SIGCONT.
func (s *Sandbox) FreezeNode(name string) error { return s.signal(name, syscall.SIGSTOP) }

// ThawNode resumes a node that FreezeNode froze.
func (s *Sandbox) ThawNode(name string) error { return s.signal(name, syscall.SIGCONT) }

func (s *Sandbox) signal(name string, sig syscall.Signal) error {
	_, n, err := s.NodeState(name)
	if err != nil {
		return err
	}
	if !n.Alive() {
		return fmt.Errorf("sandbox: node %s is not running", name)
	}
	if err := syscall.Kill(n.Pid, sig); err != nil {
		return fmt.Errorf("sandbox: node %s (pid %d): %v: %w", name, n.Pid, sig, err)
	}
	return nil
}
