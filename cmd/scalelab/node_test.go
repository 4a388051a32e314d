package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/sandbox"
)

// TestNodeStopStartRestart: one node stops, starts and restarts while the
// others go on, and the state records each change.
func TestNodeStopStartRestart(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{Name: "nodes", Shards: 1, Replicas: 1, BasePort: 27400})
	const replicaName = "0/replica-1"
	alive := func() map[string]bool {
		now, err := sandbox.Open(sb.Dir)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, n := range now.State.Nodes {
			out[n.Name] = n.Alive()
		}
		return out
	}
	if _, stderr, err := runCLI(t, "stop", "--dir", sb.Dir, replicaName); err != nil || !strings.Contains(stderr, "stopped "+replicaName) {
		t.Fatalf("stop: %v %s", err, stderr)
	}
	if a := alive(); a[replicaName] || !a["0/primary"] {
		t.Fatalf("after stop: %v, want the replica down and the primary up", a)
	}
	if _, _, err := runCLI(t, "start", "--dir", sb.Dir, replicaName); err != nil {
		t.Fatalf("start: %v", err)
	}
	if a := alive(); !a[replicaName] {
		t.Fatalf("after start: %v", a)
	}
	started, _ := sandbox.Open(sb.Dir)
	_, first, _ := started.NodeState(replicaName)
	if _, _, err := runCLI(t, "restart", "--dir", sb.Dir, replicaName); err != nil {
		t.Fatalf("restart: %v", err)
	}
	now, _ := sandbox.Open(sb.Dir)
	_, n, _ := now.NodeState(replicaName)
	if !n.Alive() {
		t.Fatalf("after restart: %s is down", replicaName)
	}
	if n.Pid == first.Pid {
		t.Errorf("restart kept pid %d", n.Pid)
	}
	// Replication resumed: the sandbox's own check passes.
	if err := now.WaitReplication(t.Context()); err != nil {
		t.Errorf("replication after restart: %v", err)
	}
	// status exits non-zero while a primary is down, and prints the table.
	if _, _, err := runCLI(t, "stop", "--dir", sb.Dir, "0/primary"); err != nil {
		t.Fatalf("stop the primary: %v", err)
	}
	out, _, err := runCLI(t, "status", "--topology", sb.TopologyPath())
	if !errors.Is(err, replica.ErrPrimaryDown) || !strings.Contains(err.Error(), "0/primary") || !strings.Contains(out, "0/replica-1") {
		t.Errorf("status with the primary down: %v, table:\n%s", err, out)
	}
	if _, _, err := runCLI(t, "start", "--dir", sb.Dir, "0/primary"); err != nil {
		t.Fatalf("start the primary: %v", err)
	}
	if _, _, err := runCLI(t, "status", "--topology", sb.TopologyPath()); err != nil {
		t.Errorf("status with every node up: %v", err)
	}
	_, _, err = runCLI(t, "stop", "--dir", sb.Dir, "no/such")
	var ue *usageError
	if err == nil || !strings.Contains(err.Error(), "scalelab status lists the nodes") || !errors.As(err, &ue) {
		t.Errorf("unknown node: got %v, want a usage error pointing at status", err)
	}
}
