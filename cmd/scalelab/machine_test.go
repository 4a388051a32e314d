package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/machine"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/topology"
)

// TestStatusReportsMachines starts a sandbox whose nodes have machines of
// their own and checks that the topology file records them and that
// status --format json reports each node's limits and use.
func TestStatusReportsMachines(t *testing.T) {
	probe, err := machine.Open(machine.Config{Parent: "scalelab-probe"})
	if err != nil {
		t.Skipf("cgroups cannot be used here: %v", err)
	}
	if err := probe.Remove(); err != nil {
		t.Fatal(err)
	}
	sb := startSandbox(t, sandbox.Config{Name: "machines", Shards: 1, Replicas: 1, BasePort: 27700,
		Machine: &topology.Machine{CPU: 0.5, Memory: 256 << 20}})
	topo := filepath.Join(sb.Dir, "topology.yaml")
	back, err := topology.Load(topo)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Machine.Limits("0/replica-1"); got != (machine.Limits{CPU: 0.5, Memory: 256 << 20}) {
		t.Errorf("the topology file's machine: got %+v", got)
	}
	stdout, stderr, err := runCLI(t, "status", "--topology", topo, "--format", "json")
	if err != nil {
		t.Fatalf("status: %v\n%s", err, stderr)
	}
	var st replica.Status
	if err := json.Unmarshal([]byte(stdout), &st); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	if len(st.Nodes) != 2 {
		t.Fatalf("got %d nodes, want 2", len(st.Nodes))
	}
	for _, n := range st.Nodes {
		m := n.Machine
		if m == nil || m.CPULimit != 0.5 || m.MemoryLimitBytes != 256<<20 || m.MemoryBytes == 0 || m.CPUCores < 0 {
			t.Errorf("%s: machine %+v, want a 0.5-core, 256MiB machine in use", n.Name, m)
		}
	}
	if !strings.Contains(stdout, `"cpu_limit_cores": 0.5`) || !strings.Contains(stdout, `"throttled_periods"`) {
		t.Errorf("status JSON lacks the machine fields:\n%s", stdout)
	}
}

// TestUpRejectsBadMachines: bad limits are usage errors, and nothing
// starts.
func TestUpRejectsBadMachines(t *testing.T) {
	for _, args := range [][]string{
		{"--node-cpu", "-1"},
		{"--node-memory", "lots"},
		{"--node-memory", "1MiB"},
	} {
		dir := filepath.Join(t.TempDir(), "sb")
		_, _, err := runCLI(t, append([]string{"up", "--dir", dir, "--base-port", "27790"}, args...)...)
		var ue *usageError
		if !errors.As(err, &ue) {
			t.Errorf("up %v: got %v, want a usage error", args, err)
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("up %v left %s behind", args, dir)
		}
	}
}
