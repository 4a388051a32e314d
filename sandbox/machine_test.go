package sandbox_test

import (
	"context"
	"errors"
	"github.com/scalelab/scalelab/flavor"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/machine"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/topology"
)

// TestQuotaHolds saturates a node limited to a quarter of a core with two
// CPU-bound statements, which would take two cores unlimited, and checks
// from the node's own cgroup accounting that it used its quota, within
// ±10%, and was throttled.
func TestQuotaHolds(t *testing.T) {
	srv := dbtest.RequireServer(t)
	requireCgroups(t)
	const quota = 0.25
	sb := start(t, srv, sandbox.Config{Shards: 1, Replicas: 0, BasePort: basePortMachine,
		Machine: &topology.Machine{CPU: quota, Memory: 256 << 20}})
	node := sb.State.Nodes[0].Name
	db := dbtest.OpenAdmin(t, sb.Topology, sb.Topology.Shards[0].Primary.HostPort)
	db.SetMaxOpenConns(2)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			// Runs until ctx ends the statement.
			_, _ = db.ExecContext(ctx, "SELECT BENCHMARK(10000000000, MD5('scalelab'))")
		})
	}
	// Measure the middle of the run, not its start.
	time.Sleep(time.Second)
	before, limits, ok, err := sb.Usage(node)
	if err != nil || !ok {
		t.Fatalf("usage: ok %v, %v", ok, err)
	}
	start := time.Now()
	time.Sleep(2 * time.Second)
	after, _, _, err := sb.Usage(node)
	if err != nil {
		t.Fatal(err)
	}
	wall := time.Since(start)
	cancel()
	wg.Wait()
	used := float64(after.CPU-before.CPU) / float64(wall)
	if limits.CPU != quota || used < quota*0.9 || used > quota*1.1 {
		t.Errorf("node used %.3f cores against a quota of %.2f (limit %+v), want within ±10%%", used, quota, limits)
	}
	if after.ThrottledPeriods <= before.ThrottledPeriods {
		t.Errorf("throttled periods %d → %d: a saturated node was not throttled", before.ThrottledPeriods, after.ThrottledPeriods)
	}
	if after.MemoryLimit != 256<<20 || after.Memory == 0 {
		t.Errorf("memory %d of limit %d, want some use of 256MiB", after.Memory, after.MemoryLimit)
	}
	if sb.State.Flavor == flavor.MariaDB {
		// A quarter of a core is one thread group of the pool.
		var handling string
		var groups int
		if err := db.QueryRow("SELECT @@thread_handling, @@thread_pool_size").Scan(&handling, &groups); err != nil {
			t.Fatal(err)
		}
		if handling != "pool-of-threads" || groups != 1 {
			t.Errorf("thread handling %s with %d group(s), want pool-of-threads with 1", handling, groups)
		}
	}
	// Stopping the sandbox removes its groups.
	if err := sb.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"cpu", "memory"} {
		dir := filepath.Join(machine.DefaultRoot, h, sb.CgroupParent())
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("after stop: %s: %v, want it gone", dir, err)
		}
	}
}

// TestNodeCPUs keeps the nodes on the host's last CPU (topology.AutoCPUs
// for two nodes of a quarter core), checks that every thread of every node
// runs there only and that the topology records it, and that stopping the
// sandbox removes the cpuset groups.
func TestNodeCPUs(t *testing.T) {
	srv := dbtest.RequireServer(t)
	host := requireCpuset(t)
	want := machine.CPUs{host[len(host)-1]}.String()
	sb := start(t, srv, sandbox.Config{Shards: 1, Replicas: 1, BasePort: basePortMachine,
		Machine: &topology.Machine{CPU: 0.5, CPUs: topology.AutoCPUs}})
	if got := sb.Topology.Machine.CPUs; got != want {
		t.Errorf("topology records CPUs %q, want %q", got, want)
	}
	for _, n := range sb.State.Nodes {
		threadCPUs(t, n.Pid, want)
	}
	// A command that opens the sandbox from its files, as reshard does,
	// puts the nodes it adds in their groups too, and warns that the
	// quotas (3 × 0.5 cores) now outgrow the one CPU.
	opened, err := sandbox.Open(sb.Dir)
	if err != nil {
		t.Fatal(err)
	}
	var warnings []string
	if _, err := opened.AddShards(context.Background(), []string{"x"}, 0, func(e sandbox.Event) {
		if strings.HasPrefix(e.Step, "warning:") {
			warnings = append(warnings, e.Step)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "add up to 1.5 cores") {
		t.Errorf("warnings %q, want one that the quotas add up to 1.5 cores", warnings)
	}
	for _, n := range opened.State.Nodes {
		if n.Shard != "x" {
			continue
		}
		threadCPUs(t, n.Pid, want)
		b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(n.Pid), "cgroup"))
		if err != nil || !strings.Contains(string(b), "/"+sb.CgroupParent()+"/") {
			t.Errorf("added node %s is not in the sandbox's groups (%v):\n%s", n.Name, err, b)
		}
	}
	if err := opened.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if dir := filepath.Join(machine.DefaultRoot, "cpuset"); exists(dir) {
		dir = filepath.Join(dir, sb.CgroupParent())
		if !exists(filepath.Join(machine.DefaultRoot, "cpuset", "cpuset.cpus")) {
			t.Fatalf("%s is not a cgroup v1 cpuset hierarchy", dir)
		}
		if exists(dir) {
			t.Errorf("after stop: %s is still there", dir)
		}
	}
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// threadCPUs checks that every thread of pid may run on want only.
func threadCPUs(t *testing.T, pid int, want string) {
	t.Helper()
	tasks, err := os.ReadDir(filepath.Join("/proc", strconv.Itoa(pid), "task"))
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "task", task.Name(), "status"))
		if err != nil {
			continue // the thread exited
		}
		for _, line := range strings.Split(string(b), "\n") {
			if list, ok := strings.CutPrefix(line, "Cpus_allowed_list:"); ok && strings.TrimSpace(list) != want {
				t.Errorf("node thread %s runs on CPUs %s, want %s", task.Name(), strings.TrimSpace(list), want)
			}
		}
	}
}

// TestNoCgroupsFailsCleanly points the cgroup root at places where limits
// cannot be applied and checks that Start fails at once, says why, and
// leaves no node and no sandbox behind.
func TestNoCgroupsFailsCleanly(t *testing.T) {
	srv := dbtest.RequireServer(t)
	empty := t.TempDir()
	// A root whose hierarchies are files: nothing can be made under them,
	// as in a read-only mount (root ignores file modes, so a mode would
	// not do).
	blocked := t.TempDir()
	for _, h := range []string{"cpu", "cpuacct", "memory"} {
		if err := os.WriteFile(filepath.Join(blocked, h), nil, 0o444); err != nil {
			t.Fatal(err)
		}
	}
	// A writable v1 root without a cpuset hierarchy: quotas can be
	// applied, CPUs of their own cannot.
	noCpuset := t.TempDir()
	for _, h := range []string{"cpu", "cpuacct", "memory"} {
		if err := os.Mkdir(filepath.Join(noCpuset, h), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name, root, cpus, want string
	}{
		{"no hierarchy", empty, "", "no cgroup hierarchy at " + empty},
		{"not writable", blocked, "", "cannot make cgroup " + filepath.Join(blocked, "cpu")},
		{"no cpuset", noCpuset, "1", "no cpuset cgroup under " + noCpuset},
		{"no such CPU", machine.DefaultRoot, "1023", "this host offers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.root == machine.DefaultRoot {
				requireCpuset(t)
			}
			t.Setenv(machine.EnvRoot, tc.root)
			dir := t.TempDir()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_, err := sandbox.Start(ctx, sandbox.Config{Dir: dir, Shards: 1, Replicas: 1, BasePort: basePortMachine, Server: srv,
				Machine: &topology.Machine{CPU: 0.5, CPUs: tc.cpus}})
			if !errors.Is(err, machine.ErrUnavailable) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want ErrUnavailable saying %q", err, tc.want)
			}
			if _, err := sandbox.Open(dir); !errors.Is(err, sandbox.ErrNotFound) {
				t.Errorf("after the failed start: open %s: %v, want no sandbox", dir, err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("after the failed start %s holds %d entries, want none", dir, len(entries))
			}
			if entries, _ := os.ReadDir(filepath.Join(noCpuset, "cpu")); tc.root == noCpuset && len(entries) != 0 {
				t.Errorf("after the failed start the cpu hierarchy holds %d groups, want none", len(entries))
			}
		})
	}
}

// TestBusyNodeIsNotDown saturates a node limited to a twentieth of a core,
// so that the router's heartbeat and probes time out behind the queued
// reads, and checks that the router keeps serving: a node that finishes
// statements is busy, not down, and its reads must not fail.
func TestBusyNodeIsNotDown(t *testing.T) {
	srv := dbtest.RequireServer(t)
	requireCgroups(t)
	sb := start(t, srv, sandbox.Config{Shards: 1, Replicas: 0, BasePort: basePortMachine,
		Machine: &topology.Machine{CPU: 0.05}})
	ctx := context.Background()
	r, err := router.Open(ctx, sb.Topology, router.Config{Replica: replica.Config{HeartbeatInterval: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS busy (id INT PRIMARY KEY, v INT)"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ExecContext(ctx, "REPLACE INTO busy VALUES (1, 1)"); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithTimeout(ctx, 4*time.Second)
	defer cancel()
	var mu sync.Mutex
	var reads int
	failures := map[string]int{}
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for rctx.Err() == nil {
				var v int
				err := r.GetContext(rctx, &v, "SELECT v FROM busy WHERE id = 1")
				mu.Lock()
				switch {
				case err == nil:
					reads++
				case rctx.Err() == nil:
					failures[err.Error()]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(failures) > 0 || r.Sets()[0].PrimaryDown() {
		t.Errorf("a busy node was taken for a dead one: %d reads, failures %v, primary down %v, history %+v", reads, failures, r.Sets()[0].PrimaryDown(), r.Sets()[0].Snapshot()[0].History)
	}
	if reads == 0 {
		t.Error("no read finished")
	}
}

// requireCgroups skips t where per-node limits cannot be applied (not
// root, no writable cgroup hierarchy).
func requireCgroups(t *testing.T) *machine.Groups {
	t.Helper()
	probe, err := machine.Open(machine.Config{Parent: "scalelab-probe"})
	if err != nil {
		t.Skipf("cgroups cannot be used here: %v", err)
	}
	if err := probe.Remove(); err != nil {
		t.Fatal(err)
	}
	return probe
}

// requireCpuset skips unless nodes can be kept on CPUs of their own here:
// cgroups with cpuset, and more than one CPU.
func requireCpuset(t *testing.T) machine.CPUs {
	t.Helper()
	if !requireCgroups(t).Cpuset() {
		t.Skip("no cpuset cgroup here: nodes cannot be kept on CPUs")
	}
	host, err := machine.Available()
	if err != nil {
		t.Fatal(err)
	}
	if len(host) < 2 {
		t.Skip("one CPU: the nodes cannot have one of their own")
	}
	return host
}
