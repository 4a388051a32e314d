package machine

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestParseBytes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Bytes
		text string
	}{
		{"512MiB", 512 << 20, "512MiB"},
		{"512M", 512 << 20, "512MiB"},
		{"2GiB", 2 << 30, "2GiB"},
		{"1.5GiB", 3 << 29, "1536MiB"},
		{"1048576", 1 << 20, "1MiB"},
		{"100", 100, "100"},
		{" 64 KiB ", 64 << 10, "64KiB"},
	} {
		got, err := ParseBytes(tc.in)
		if err != nil || got != tc.want || got.String() != tc.text {
			t.Errorf("ParseBytes(%q) = %d %q, %v; want %d %q", tc.in, got, got, err, tc.want, tc.text)
		}
	}
	for _, bad := range []string{"", "lots", "-1MiB", "MiB"} {
		if _, err := ParseBytes(bad); err == nil {
			t.Errorf("ParseBytes(%q) gave no error", bad)
		}
	}
}

// TestOpenFindsTheVersion checks which cgroup version Open finds under a
// root, and that a root with neither fails with ErrUnavailable. It runs
// without root: the parent is made in a temp dir.
func TestOpenFindsTheVersion(t *testing.T) {
	v2 := t.TempDir()
	if err := os.WriteFile(filepath.Join(v2, "cgroup.controllers"), []byte("cpu memory"), 0o644); err != nil {
		t.Fatal(err)
	}
	v1 := t.TempDir()
	for _, h := range v1Hierarchies {
		if err := os.Mkdir(filepath.Join(v1, h), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name, root string
		version    int
	}{
		{"unified", v2, 2},
		{"legacy", v1, 1},
		{"neither", t.TempDir(), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := Open(Config{Parent: "scalelab-test", Root: tc.root})
			if tc.version == 0 {
				if !errors.Is(err, ErrUnavailable) {
					t.Fatalf("got %v, want ErrUnavailable", err)
				}
				return
			}
			if err != nil || g.Version != tc.version {
				t.Fatalf("got %+v, %v; want version %d", g, err, tc.version)
			}
			if err := g.Remove(); err != nil {
				t.Errorf("remove: %v", err)
			}
		})
	}
	if _, err := Open(Config{Parent: "a/b", Root: v1}); err == nil {
		t.Error("a parent with a slash was accepted")
	}
	// Nodes can be kept on CPUs only where cpuset is mounted: a v1 root
	// whose cpuset dir lacks cpuset.cpus has none, and v2 needs the
	// controller in the root's subtree_control.
	cpuset := filepath.Join(v1, "cpuset")
	if err := os.Mkdir(cpuset, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, root, file, content string
		want                      bool
	}{
		{"v1, an empty cpuset dir", v1, "", "", false},
		{"v1, a cpuset hierarchy", v1, filepath.Join(cpuset, "cpuset.cpus"), "0-1", true},
		{"v2 without cpuset", v2, filepath.Join(v2, "cgroup.subtree_control"), "cpu memory", false},
		{"v2 with cpuset", v2, filepath.Join(v2, "cgroup.subtree_control"), "cpuset cpu memory", true},
	} {
		if tc.file != "" {
			if err := os.WriteFile(tc.file, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		g, err := Open(Config{Parent: "scalelab-test", Root: tc.root})
		if err != nil {
			t.Fatal(err)
		}
		if got := g.Cpuset(); got != tc.want {
			t.Errorf("%s: Cpuset() = %v, want %v", tc.name, got, tc.want)
		}
		if err := g.Remove(); err != nil {
			t.Errorf("%s: remove: %v", tc.name, err)
		}
	}
}

func TestGroupName(t *testing.T) {
	if got := groupName("-80/replica-1"); got != "-80_replica-1" {
		t.Errorf("got %q", got)
	}
}

func TestQuota(t *testing.T) {
	for _, tc := range []struct {
		cores  float64
		q      int64
		period uint64
	}{
		{0.25, 2500, 10_000},
		{1.5, 15_000, 10_000},
		{0.1, 1000, 10_000},
		{0.05, 1000, 20_000},
		{0.01, 1000, 100_000},
	} {
		if q, p := quota(tc.cores); q != tc.q || p != tc.period {
			t.Errorf("quota(%g) = %d/%d, want %d/%d", tc.cores, q, p, tc.q, tc.period)
		}
	}
}

func TestCPUs(t *testing.T) {
	for _, tc := range []struct {
		in, out string
	}{
		{"1", "1"},
		{"0-3,6", "0-3,6"},
		{" 3, 1,2 ,7-8,8", "1-3,7-8"},
		{"", ""},
	} {
		c, err := ParseCPUs(tc.in)
		if err != nil || c.String() != tc.out {
			t.Errorf("ParseCPUs(%q) = %v (%q), %v; want %q", tc.in, c, c.String(), err, tc.out)
		}
	}
	for _, bad := range []string{"a", "3-1", "-1", "1,,2", "1-", "0-4000000000", "1024"} {
		if _, err := ParseCPUs(bad); err == nil {
			t.Errorf("ParseCPUs(%q) gave no error", bad)
		}
	}
	host := CPUs{0, 1, 2, 3}
	for _, tc := range []struct {
		cores          float64
		nodes, clients string
		ok             bool
	}{
		{1, "3", "0-2", true},
		{0.96, "3", "0-2", true},
		{2, "2-3", "0-1", true},
		{2.5, "1-3", "0", true},
		{4, "", "", false},
		{0, "", "", false},
	} {
		n, c, ok := Split(host, tc.cores)
		if n.String() != tc.nodes || c.String() != tc.clients || ok != tc.ok {
			t.Errorf("Split(0-3, %g) = %s | %s, %v; want %s | %s, %v", tc.cores, n, c, ok, tc.nodes, tc.clients, tc.ok)
		}
	}
	if got := host.Without(CPUs{1, 3}).String(); got != "0,2" {
		t.Errorf("0-3 without 1,3 = %s", got)
	}
}

// TestPin pins every thread of this process to one CPU, checks the
// kernel's record of each thread, including threads started after the pin,
// and that restore gives them back their CPUs.
func TestPin(t *testing.T) {
	all, err := Available()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 2 {
		t.Skip("one CPU: nothing to pin away from")
	}
	one := CPUs{all[len(all)-1]}
	restore, err := Pin(one)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = restore() })
	threads := func() map[string]string {
		t.Helper()
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			t.Fatal(err)
		}
		cpus := map[string]string{}
		for _, task := range tasks {
			b, err := os.ReadFile(filepath.Join("/proc/self/task", task.Name(), "status"))
			if err != nil {
				continue // the thread exited
			}
			for _, line := range strings.Split(string(b), "\n") {
				if list, ok := strings.CutPrefix(line, "Cpus_allowed_list:"); ok {
					c, _ := ParseCPUs(list)
					cpus[task.Name()] = c.String()
				}
			}
		}
		return cpus
	}
	before := threads()
	// Goroutines locked to their threads and waiting hold those threads:
	// more of them than there are threads makes the runtime start new ones.
	locked := len(before) + 4
	started, done := make(chan struct{}), make(chan struct{})
	for range locked {
		go func() {
			runtime.LockOSThread()
			started <- struct{}{}
			<-done
		}()
	}
	for range locked {
		<-started
	}
	defer close(done)
	after := threads()
	fresh := 0
	for tid := range after {
		if _, ok := before[tid]; !ok {
			fresh++
		}
	}
	if fresh == 0 {
		t.Fatalf("no thread started after locking %d goroutines: nothing new to check", locked)
	}
	for tid, cpus := range after {
		if cpus != one.String() {
			_, old := before[tid]
			t.Errorf("thread %s (started before the pin: %t) runs on CPUs %s, want %s", tid, old, cpus, one)
		}
	}
	if err := restore(); err != nil {
		t.Fatal(err)
	}
	for tid, cpus := range threads() {
		if cpus != all.String() {
			t.Errorf("after restore thread %s runs on CPUs %s, want %s", tid, cpus, all)
		}
	}
	if _, err := Pin(CPUs{maxCPUs - 1}); err == nil {
		t.Errorf("pinned to CPU %d, which this process may not run on", maxCPUs-1)
	}
}
