package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/machine"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/topology"
)

// TestStatusReportsMachines starts a sandbox whose nodes have machines of
// their own, on the host's last CPU, and checks that the topology file
// records them, that status --format json reports each node's limits and
// use, and that bench runs on the CPUs the nodes leave.
func TestStatusReportsMachines(t *testing.T) {
	probe, err := machine.Open(machine.Config{Parent: "scalelab-probe"})
	if err != nil {
		t.Skipf("cgroups cannot be used here: %v", err)
	}
	if err := probe.Remove(); err != nil {
		t.Fatal(err)
	}
	host, err := machine.Available()
	if err != nil {
		t.Fatal(err)
	}
	// Where nodes can be kept on CPUs, the two take the last one.
	var nodeCPUs, clientCPUs machine.CPUs
	if probe.Cpuset() && len(host) > 1 {
		nodeCPUs, clientCPUs = host[len(host)-1:], host[:len(host)-1]
	}
	sb := startSandbox(t, sandbox.Config{Name: "machines", Shards: 1, Replicas: 1, BasePort: 27700,
		Machine: &topology.Machine{CPU: 0.5, Memory: 256 << 20, CPUs: topology.AutoCPUs}})
	topo := filepath.Join(sb.Dir, "topology.yaml")
	back, err := topology.Load(topo)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Machine.Limits("0/replica-1"); got != (machine.Limits{CPU: 0.5, Memory: 256 << 20, CPUs: nodeCPUs.String()}) {
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
		if m == nil || m.CPULimit != 0.5 || m.MemoryLimitBytes != 256<<20 || m.MemoryBytes == 0 || m.CPUCores < 0 || m.CPUs != nodeCPUs.String() {
			t.Errorf("%s: machine %+v, want a 0.5-core, 256MiB machine in use on CPUs %s", n.Name, m, nodeCPUs)
		}
	}
	procs := runtime.GOMAXPROCS(0)
	_, stderr, err = runCLI(t, "bench", "--topology", topo, "--query", "SELECT 1", "--number-of-queries", "20")
	if want := "bench: runs on " + clientCPUs.Text() + "; the topology's nodes run on " + nodeCPUs.Text(); err != nil || (len(nodeCPUs) > 0) != strings.Contains(stderr, want) {
		t.Errorf("bench: %v; want %q in its output only if the nodes have CPUs of their own (%s):\n%s", err, want, nodeCPUs, stderr)
	}
	if now, err := machine.Available(); err != nil || now.String() != host.String() || runtime.GOMAXPROCS(0) != procs {
		t.Errorf("after bench this process runs on CPUs %s (%v) with GOMAXPROCS %d, want %s and %d again", now, err, runtime.GOMAXPROCS(0), host, procs)
	}
	if !strings.Contains(stdout, `"cpu_limit_cores": 0.5`) || !strings.Contains(stdout, `"throttled_periods"`) {
		t.Errorf("status JSON lacks the machine fields:\n%s", stdout)
	}
	checkTop(t, sb, topo)
}

// checkTop runs top, piped, while a client sends the primary statements,
// and checks its plain lines and its JSON: every node up, the primary's
// QPS above zero, and each node's CPU against its 0.5-core limit.
func checkTop(t *testing.T, sb *sandbox.Sandbox, topo string) {
	db := dbtest.Open(t, sb.Topology, sb.Topology.Shards[0].Primary.HostPort)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		for ctx.Err() == nil {
			_, _ = db.ExecContext(ctx, "DO 1")
		}
	})
	defer func() { cancel(); wg.Wait() }()
	stdout, stderr, err := runCLI(t, "top", "--topology", topo, "--count", "2", "--interval", "300ms")
	if err != nil {
		t.Fatalf("top: %v\n%s", err, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 5 || lines[0] != "time\tnode\tshard\trole\tstate\tqps\tlag_ms\tcpu_cores\tcpu_of_limit\tthrottled" {
		t.Fatalf("top piped: want a header and 2 samples of 2 nodes, got:\n%s", stdout)
	}
	for _, l := range lines[3:] {
		f := strings.Split(l, "\t")
		if len(f) != 10 || f[4] != "up" || !strings.HasSuffix(f[7], " of 0.50") {
			t.Errorf("top line %q: want 10 fields, up, CPU of 0.50", l)
		}
		if qps, err := strconv.ParseFloat(f[5], 64); f[3] == "primary" && (err != nil || qps <= 0) {
			t.Errorf("top line %q: want the busy primary's QPS above 0", l)
		}
	}
	stdout, stderr, err = runCLI(t, "top", "--topology", topo, "--count", "1", "--interval", "300ms", "--format", "json")
	if err != nil {
		t.Fatalf("top --format json: %v\n%s", err, stderr)
	}
	var s replica.TopSample
	if err := json.Unmarshal([]byte(stdout), &s); err != nil || len(s.Nodes) != 2 {
		t.Fatalf("top JSON: %v, %d nodes\n%s", err, len(s.Nodes), stdout)
	}
	for _, n := range s.Nodes {
		if !n.Up || n.CPULimit == nil || *n.CPULimit != 0.5 || n.CPUShare == nil || n.QPS == nil {
			t.Errorf("top JSON node %+v: want it up, with QPS and CPU of a 0.5-core limit", n)
		}
		if (n.LagMs != nil) != (n.Role == topology.Replica) {
			t.Errorf("top JSON node %s: lag %v, want it for replicas only", n.Name, n.LagMs)
		}
	}
}

// TestUpRejectsBadMachines: bad limits are usage errors, and nothing
// starts.
func TestUpRejectsBadMachines(t *testing.T) {
	for _, args := range [][]string{
		{"--node-cpu", "-1"},
		{"--node-memory", "lots"},
		{"--node-memory", "1MiB"},
		{"--node-cpu", "0.25", "--node-cpus", "3-1"},
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
