package machine

import (
	"fmt"
	"github.com/scalelab/scalelab/internal/units"
	"path/filepath"

	"github.com/containerd/cgroups/v3/cgroup1"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// v1Hierarchies are the cgroup v1 hierarchies a node's group lives in;
// a node kept on some CPUs also has a group in cpuset.
var v1Hierarchies = []string{"cpu", "cpuacct", "memory"}

// v1 keeps groups in the cgroup v1 hierarchies under root.
type v1 struct{ root, parent string }

func (g *v1) hierarchy() ([]cgroup1.Subsystem, error) {
	return []cgroup1.Subsystem{
		cgroup1.NewCpu(g.root),
		cgroup1.NewCpuacct(g.root),
		cgroup1.NewMemory(g.root),
	}, nil
}

// withCpuset is the hierarchy of a node kept on some CPUs.
func (g *v1) withCpuset() ([]cgroup1.Subsystem, error) {
	h, _ := g.hierarchy()
	return append(h, cgroup1.NewCpuset(g.root)), nil
}

func (g *v1) path(name string) cgroup1.Path {
	return cgroup1.StaticPath("/" + g.parent + "/" + name)
}

func (g *v1) place(name string, pid int, l Limits) error {
	res := &specs.LinuxResources{}
	if l.CPU > 0 {
		q, p := quota(l.CPU)
		res.CPU = &specs.LinuxCPU{Quota: &q, Period: &p}
	}
	if l.Memory > 0 {
		m := l.Memory
		res.Memory = &specs.LinuxMemory{Limit: &m}
	}
	h := g.hierarchy
	if l.CPUs != "" {
		if !g.cpuset() {
			return fmt.Errorf("no cpuset hierarchy at %s to keep the node on CPUs %s: mount it, or start the nodes without CPUs of their own (no cpus in the topology's machine section)", g.root, l.CPUs)
		}
		h = g.withCpuset
		if res.CPU == nil {
			res.CPU = &specs.LinuxCPU{}
		}
		res.CPU.Cpus = l.CPUs
	}
	cg, err := cgroup1.Load(g.path(name), cgroup1.WithHierarchy(h))
	if err != nil || l.CPUs != "" {
		// Load skips a hierarchy the group is missing from, such as the
		// cpuset of a group reused from a run without CPUs; New makes it
		// there too, and sets every limit.
		cg, err = cgroup1.New(g.path(name), res, cgroup1.WithHierarchy(h))
	} else {
		err = cg.Update(res)
	}
	if err != nil {
		return err
	}
	return cg.Add(cgroup1.Process{Pid: pid})
}

func (g *v1) usage(name string) (Usage, error) {
	cg, err := cgroup1.Load(g.path(name), cgroup1.WithHierarchy(g.hierarchy))
	if err != nil {
		return Usage{}, err
	}
	st, err := cg.Stat(cgroup1.IgnoreNotExist)
	if err != nil {
		return Usage{}, err
	}
	var u Usage
	if c := st.CPU; c != nil {
		if c.Usage != nil {
			u.CPU = units.Ms(c.Usage.Total)
		}
		if c.Throttling != nil {
			u.Periods = c.Throttling.Periods
			u.ThrottledPeriods, u.Throttled = c.Throttling.ThrottledPeriods, units.Ms(c.Throttling.ThrottledTime)
		}
	}
	if m := st.Memory; m != nil && m.Usage != nil {
		u.Memory = m.Usage.Usage
		// An unlimited v1 group reports a limit near 2^63.
		if m.Usage.Limit < 1<<62 {
			u.MemoryLimit = m.Usage.Limit
		}
	}
	return u, nil
}

// cpuset reports whether the cpuset hierarchy is mounted (it has its
// cpuset.cpus) and can be written (access(2) also says no for a read-only
// mount).
func (g *v1) cpuset() bool {
	dir := filepath.Join(g.root, "cpuset")
	return exists(filepath.Join(dir, "cpuset.cpus")) && unix.Access(dir, unix.W_OK) == nil
}

// parents are the sandbox's parent group in every hierarchy used. The
// cpuset one is made when a node first needs it (with the CPUs and memory
// nodes of its own parent, which cpuset requires), so that a host whose
// cpuset cannot be written still runs nodes without CPUs of their own.
func (g *v1) parents() []string {
	var dirs []string
	for _, h := range v1Hierarchies {
		dirs = append(dirs, filepath.Join(g.root, h, g.parent))
	}
	return dirs
}

// all are the parents and the cpuset parent, for removal.
func (g *v1) all() []string {
	return append(g.parents(), filepath.Join(g.root, "cpuset", g.parent))
}
