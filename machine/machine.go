// Package machine gives each sandbox node a machine of its own on one host:
// a CPU quota, in cores, and a memory limit, enforced by the kernel's
// cgroups, so that adding shards or replicas adds capacity the way new
// machines would. It works on cgroup v1 (the cpu, cpuacct and memory
// hierarchies) and on cgroup v2 (cpu.max, memory.max), through
// github.com/containerd/cgroups. Every group of a sandbox lives under one
// parent, so that removing the parent removes them all.
//
//	g, err := machine.Open(machine.Config{Parent: "scalelab-1a2b3c4d"})
//	if errors.Is(err, machine.ErrUnavailable) { /* not root, no cgroups… */ }
//	err = g.Place("-80/primary", pid, machine.Limits{CPU: 0.25, Memory: 512 << 20})
//	u, err := g.Usage("-80/primary") // CPU time, throttling, memory
//	err = g.Remove()                 // after the nodes have stopped
package machine

import (
	"errors"
	"fmt"
	"github.com/scalelab/scalelab/internal/units"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// EnvRoot names the environment variable that moves the cgroup root from
// /sys/fs/cgroup, for tests and for hosts that mount it elsewhere.
const EnvRoot = "SCALELAB_CGROUP_ROOT"

// DefaultRoot is where the kernel's cgroup file systems are mounted.
const DefaultRoot = "/sys/fs/cgroup"

// cpuPeriod is the CFS period the quota is a share of: 10 ms, a tenth of
// the kernel's default. A node limited to a quarter core then runs 2.5 ms
// in every 10 instead of 25 in every 100, so that it behaves like a slower
// machine rather than one that stops for 75 ms at a time, which would hold
// up every client waiting on it.
const cpuPeriod = 10_000 // µs

// ErrUnavailable is returned (wrapped) by Open when limits cannot be
// applied on this host; the message says why and what to do.
var ErrUnavailable = errors.New("machine: per-node limits are unavailable")

// Limits is one node's machine. Zero fields mean no limit.
type Limits struct {
	// CPU is the CPU quota in cores: 0.25 is a quarter of one core.
	CPU float64 `json:"cpu,omitempty"`
	// Memory is the memory limit in bytes.
	Memory int64 `json:"memory,omitempty"`
	// CPUs are the host's CPUs the node runs on, a cpuset list such as
	// "1" or "2-3" (see CPUs); empty means any.
	CPUs string `json:"cpus,omitempty"`
}

// Zero reports whether l limits nothing.
func (l Limits) Zero() bool { return l.CPU == 0 && l.Memory == 0 && len(l.CPUs) == 0 }

// Usage is what a node's group has used, from the kernel's accounting.
type Usage struct {
	// CPU is the CPU time used since the group was made.
	CPU units.Ms `json:"cpu_ms"`
	// Periods counts the CFS periods in which the group ran;
	// ThrottledPeriods those in which its quota ran out, and Throttled is
	// the time its threads waited for the next.
	Periods          uint64   `json:"periods"`
	ThrottledPeriods uint64   `json:"throttled_periods"`
	Throttled        units.Ms `json:"throttled_ms"`
	// Memory is the memory in use, and MemoryLimit the limit (0: none).
	Memory      uint64 `json:"memory_bytes"`
	MemoryLimit uint64 `json:"memory_limit_bytes,omitempty"`
}

// Config says where the groups go.
type Config struct {
	// Parent names the sandbox's parent group, below the root. Required.
	Parent string
	// Root is the cgroup mount point. Empty means $SCALELAB_CGROUP_ROOT,
	// or else DefaultRoot.
	Root string
}

// groups is one cgroup version's way of making, filling, reading and
// deleting groups.
type groups interface {
	place(name string, pid int, l Limits) error
	usage(name string) (Usage, error)
	// parents are the directories of the sandbox's parent group that
	// Open makes, and all those a removal looks in.
	parents() []string
	all() []string
	// cpuset reports whether nodes can be kept on some CPUs.
	cpuset() bool
}

// Groups are the cgroups of one sandbox.
type Groups struct {
	impl    groups
	Version int // 1 or 2
	Root    string
	Parent  string
}

// Open checks that limits can be applied under cfg's root and returns the
// sandbox's groups. It makes the parent group, so that a host where that
// fails (not root, a read-only or missing hierarchy, not Linux) fails
// here, before any node starts, with an error wrapping ErrUnavailable.
func Open(cfg Config) (*Groups, error) {
	if cfg.Parent == "" || strings.ContainsAny(cfg.Parent, "/.") {
		return nil, fmt.Errorf("machine: parent group %q: want a plain name", cfg.Parent)
	}
	root := cfg.Root
	if root == "" {
		root = os.Getenv(EnvRoot)
	}
	if root == "" {
		root = DefaultRoot
	}
	if runtime.GOOS != "linux" {
		return nil, fmt.Errorf("%w: cgroups exist only on Linux, and this is %s: run without --node-cpu and --node-memory", ErrUnavailable, runtime.GOOS)
	}
	g := &Groups{Root: root, Parent: cfg.Parent}
	switch {
	case exists(filepath.Join(root, "cgroup.controllers")):
		g.Version, g.impl = 2, &v2{root: root, parent: cfg.Parent}
	case exists(filepath.Join(root, "cpu")) && exists(filepath.Join(root, "memory")):
		g.Version, g.impl = 1, &v1{root: root, parent: cfg.Parent}
	default:
		return nil, fmt.Errorf("%w: no cgroup hierarchy at %s (want cgroup v2's cgroup.controllers, or v1's cpu and memory): mount one, or set %s to where it is", ErrUnavailable, root, EnvRoot)
	}
	if err := g.check(); err != nil {
		return nil, err
	}
	return g, nil
}

// check makes the parent group in every hierarchy used, and says why it
// cannot.
func (g *Groups) check() error {
	for _, d := range g.impl.parents() {
		if err := os.MkdirAll(d, 0o755); err != nil {
			hint := "run scalelab as root (the cgroup files belong to root)"
			if os.Geteuid() == 0 {
				hint = "the cgroup hierarchy is read-only here (a container without a writable cgroup mount?): mount it read-write, or run without --node-cpu and --node-memory"
			}
			return fmt.Errorf("%w: cannot make cgroup %s: %v: %s", ErrUnavailable, d, err, hint)
		}
	}
	return nil
}

// Cpuset reports whether Limits.CPUs can be applied here: cgroup v1's
// cpuset hierarchy, or v2's cpuset controller.
func (g *Groups) Cpuset() bool { return g.impl.cpuset() }

// Place moves pid, all its threads, into the node's group, made with
// limits l.
func (g *Groups) Place(node string, pid int, l Limits) error {
	if err := g.impl.place(groupName(node), pid, l); err != nil {
		return fmt.Errorf("machine: place %s (pid %d) in its cgroup: %w", node, pid, err)
	}
	return nil
}

// Usage reads the node's group's accounting.
func (g *Groups) Usage(node string) (Usage, error) {
	u, err := g.impl.usage(groupName(node))
	if err != nil {
		return Usage{}, fmt.Errorf("machine: usage of %s: %w", node, err)
	}
	return u, nil
}

// Remove deletes every group of the sandbox. Their processes must have
// stopped: a group with a live process cannot be removed. A process that
// was just killed may hold its group for a moment after it counts as gone,
// so Remove tries again for up to two seconds.
func (g *Groups) Remove() error { return g.remove(false) }

// Reap deletes the node groups a killed run left behind, and keeps the
// parent for the nodes to come.
func (g *Groups) Reap() error { return g.remove(true) }

// remove deletes the node groups, and the parent unless keepParent,
// retrying while a group is still busy.
func (g *Groups) remove(keepParent bool) error {
	err := g.removeOnce(keepParent)
	for deadline := time.Now().Add(2 * time.Second); errors.Is(err, syscall.EBUSY) && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		err = g.removeOnce(keepParent)
	}
	return err
}

func (g *Groups) removeOnce(keepParent bool) error {
	var errs []error
	for _, dir := range g.impl.all() {
		entries, err := os.ReadDir(dir)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		for _, e := range entries {
			if e.IsDir() {
				errs = append(errs, ignoreMissing(os.Remove(filepath.Join(dir, e.Name()))))
			}
		}
		if !keepParent {
			errs = append(errs, ignoreMissing(os.Remove(dir)))
		}
	}
	return errors.Join(errs...)
}

// groupName turns a node name ("-80/replica-1") into a group name.
func groupName(node string) string {
	return strings.NewReplacer("/", "_", ".", "_").Replace(node)
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// quota is the CPU quota in µs per period for cores, and the period: the
// kernel takes no quota below 1 ms, so a node of less than a tenth of a
// core gets a longer period.
func quota(cores float64) (q int64, period uint64) {
	period = cpuPeriod
	if cores*cpuPeriod < 1000 {
		period = uint64(math.Ceil(1000 / cores))
	}
	return int64(math.Round(cores * float64(period))), period
}

// Bytes is a memory size that reads and writes as text with a binary unit:
// "512MiB", "2GiB", or a plain number of bytes.
type Bytes int64

var byteUnits = []struct {
	suffix string
	n      int64
}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"T", 1 << 40}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}}

// ParseBytes reads "512MiB", "512M", "1.5GiB" or "1048576".
func ParseBytes(s string) (Bytes, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range byteUnits {
		if strings.HasSuffix(strings.ToUpper(t), strings.ToUpper(u.suffix)) {
			t, mult = strings.TrimSpace(t[:len(t)-len(u.suffix)]), u.n
			break
		}
	}
	var f float64
	if _, err := fmt.Sscanf(t, "%g", &f); err != nil || f < 0 || t == "" {
		return 0, fmt.Errorf("machine: memory size %q: want a number with a unit, such as 512MiB or 2GiB", s)
	}
	return Bytes(f * float64(mult)), nil
}

// String writes b with the largest binary unit that divides it.
func (b Bytes) String() string {
	for _, u := range byteUnits[:4] {
		if b != 0 && int64(b)%u.n == 0 {
			return fmt.Sprintf("%d%s", int64(b)/u.n, u.suffix)
		}
	}
	return fmt.Sprintf("%d", int64(b))
}

// MarshalText writes b as String does.
func (b Bytes) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

// UnmarshalText reads b as ParseBytes does.
func (b *Bytes) UnmarshalText(text []byte) error {
	v, err := ParseBytes(string(text))
	if err != nil {
		return err
	}
	*b = v
	return nil
}

func ignoreMissing(err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
