package replica

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/scalelab/scalelab/machine"
)

// MachineStatus is a node's simulated machine: its limits, and what it used
// of them over the status's sampling interval.
type MachineStatus struct {
	// CPULimit is the CPU quota in cores; 0 means none.
	CPULimit float64 `json:"cpu_limit_cores,omitempty"`
	// CPUs are the host's CPUs the node runs on (a cpuset list); empty
	// means any.
	CPUs string `json:"cpus,omitempty"`
	// CPUCores is the CPU the node used over the interval, in cores, and
	// CPUShare that as a share of CPULimit (0 without a limit).
	CPUCores float64 `json:"cpu_cores_used"`
	CPUShare float64 `json:"cpu_share_of_limit,omitempty"`
	// ThrottledPeriods and ThrottledMs are the kernel's counts since the
	// node started: CFS periods in which the quota ran out, and the time
	// its threads waited.
	ThrottledPeriods uint64  `json:"throttled_periods"`
	ThrottledMs      float64 `json:"throttled_ms"`
	// MemoryBytes is the memory in use, and MemoryLimitBytes the limit.
	MemoryBytes      uint64 `json:"memory_bytes"`
	MemoryLimitBytes int64  `json:"memory_limit_bytes,omitempty"`
}

// UsageFunc reads a node's machine: its cgroup accounting and limits; ok
// is false for a node without a machine.
type UsageFunc func(node string) (u machine.Usage, l machine.Limits, ok bool, err error)

// AddMachines fills each node's Machine from usage, read twice, interval
// apart, so that CPU use is over that interval. A node whose machine cannot
// be read gets an Error line instead.
func (s *Status) AddMachines(ctx context.Context, usage UsageFunc, interval time.Duration) {
	first := make([]machine.Usage, len(s.Nodes))
	has := make([]bool, len(s.Nodes))
	for i, n := range s.Nodes {
		u, _, ok, err := usage(n.Name)
		if err != nil && n.Up {
			s.Nodes[i].Error = fmt.Sprintf("read its machine: %v", err)
		}
		first[i], has[i] = u, ok && err == nil
	}
	if !slices.Contains(has, true) {
		return // no machines: nothing to wait for
	}
	start := time.Now()
	select {
	case <-ctx.Done():
		return
	case <-time.After(interval):
	}
	wall := time.Since(start)
	for i, n := range s.Nodes {
		if !has[i] {
			continue
		}
		u, l, ok, err := usage(n.Name)
		if !ok || err != nil {
			continue
		}
		m := &MachineStatus{
			CPULimit:         l.CPU,
			CPUs:             l.CPUs,
			CPUCores:         float64(u.CPU-first[i].CPU) / float64(wall),
			ThrottledPeriods: u.ThrottledPeriods,
			ThrottledMs:      float64(u.Throttled) / float64(time.Millisecond),
			MemoryBytes:      u.Memory,
			MemoryLimitBytes: l.Memory,
		}
		if l.CPU > 0 {
			m.CPUShare = m.CPUCores / l.CPU
		}
		s.Nodes[i].Machine = m
	}
}

// cells are the machine's cells of a status table row: CPU as used of the
// limit, throttled time, and memory of its limit.
func (m *MachineStatus) cells() []string {
	if m == nil {
		return []string{"-", "-", "-"}
	}
	cpu := fmt.Sprintf("%.2f", m.CPUCores)
	if m.CPULimit > 0 {
		cpu = fmt.Sprintf("%.2f of %.2f (%.0f%%)", m.CPUCores, m.CPULimit, 100*m.CPUShare)
	}
	if cpus, err := machine.ParseCPUs(m.CPUs); err == nil && len(cpus) > 0 {
		cpu += " on " + cpus.Text()
	}
	mem := machine.Bytes(int64(m.MemoryBytes) &^ (1<<20 - 1)).String()
	if m.MemoryLimitBytes > 0 {
		mem += " of " + machine.Bytes(m.MemoryLimitBytes).String()
	}
	return []string{cpu, fmt.Sprintf("%.0f ms (%d periods)", m.ThrottledMs, m.ThrottledPeriods), mem}
}
