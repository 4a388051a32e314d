package machine

import (
	"github.com/scalelab/scalelab/internal/units"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/containerd/cgroups/v3/cgroup2"
)

// v2 keeps groups in the unified hierarchy under root.
type v2 struct{ root, parent string }

func (g *v2) group(name string) string { return "/" + g.parent + "/" + name }

func (g *v2) place(name string, pid int, l Limits) error {
	// The parent must hand its children the controllers they use.
	ctl := filepath.Join(g.root, g.parent, "cgroup.subtree_control")
	controllers := "+cpu +memory"
	if l.CPUs != "" {
		controllers += " +cpuset"
	}
	if err := os.WriteFile(ctl, []byte(controllers), 0o644); err != nil {
		return err
	}
	res := &cgroup2.Resources{}
	if l.CPU > 0 || l.CPUs != "" {
		res.CPU = &cgroup2.CPU{Cpus: l.CPUs}
	}
	if l.CPU > 0 {
		q, p := quota(l.CPU)
		res.CPU.Max = cgroup2.NewCPUMax(&q, &p)
	}
	if l.Memory > 0 {
		m := l.Memory
		res.Memory = &cgroup2.Memory{Max: &m}
	}
	m, err := cgroup2.NewManager(g.root, g.group(name), res)
	if err != nil {
		return err
	}
	return m.AddProc(uint64(pid))
}

func (g *v2) usage(name string) (Usage, error) {
	m, err := cgroup2.Load(g.group(name), cgroup2.WithMountpoint(g.root))
	if err != nil {
		return Usage{}, err
	}
	st, err := m.Stat()
	if err != nil {
		return Usage{}, err
	}
	var u Usage
	if c := st.CPU; c != nil {
		u.CPU = units.Ms(time.Duration(c.UsageUsec) * time.Microsecond)
		u.Periods = c.NrPeriods
		u.ThrottledPeriods, u.Throttled = c.NrThrottled, units.Ms(time.Duration(c.ThrottledUsec)*time.Microsecond)
	}
	if mem := st.Memory; mem != nil {
		u.Memory = mem.Usage
		if mem.UsageLimit < 1<<62 {
			u.MemoryLimit = mem.UsageLimit
		}
	}
	return u, nil
}

func (g *v2) cpuset() bool {
	b, err := os.ReadFile(filepath.Join(g.root, "cgroup.subtree_control"))
	return err == nil && slices.Contains(strings.Fields(string(b)), "cpuset")
}

// parents is the sandbox's parent group.
func (g *v2) parents() []string { return []string{filepath.Join(g.root, g.parent)} }

func (g *v2) all() []string { return g.parents() }
