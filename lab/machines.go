package lab

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
	"time"

	"github.com/scalelab/scalelab/internal/profile"
	"github.com/scalelab/scalelab/machine"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/topology"
)

// labNodeMemory is the memory limit of every node of a lab's sandboxes when
// they run on simulated machines: enough for the labs' data, and small
// enough that a dozen nodes fit on a laptop.
const labNodeMemory = 512 << 20

// minNodeCPU is the smallest CPU quota a lab gives a node.
const minNodeCPU = 0.05

// machines says whether a lab's nodes run on simulated machines, each with
// its own CPU quota (see machine), and why not when they do not.
type machines struct {
	on bool
	// reason says why the nodes share the host's cores, when !on.
	reason string
	// cores is the host's CPU count.
	cores int
	// nodeCPUs are the CPUs every node runs on, and clientCPUs those this
	// process (the client) runs on while a lab measures: the host's two
	// halves, so that nodes and client do not share cores, as separate
	// machines would not (see machine.CPUs). Both are empty on a host of
	// one CPU.
	nodeCPUs, clientCPUs machine.CPUs
}

// probeMachines checks whether per-node limits can be applied here, by
// making and removing a group, unless off asks for shared cores.
func probeMachines(off bool) machines {
	m := machines{cores: runtime.NumCPU()}
	if off {
		m.reason = "they were turned off (--no-machines)"
		return m
	}
	g, err := machine.Open(machine.Config{Parent: "scalelab-lab-probe-" + strconv.Itoa(os.Getpid())})
	if err != nil {
		m.reason = err.Error()
		return m
	}
	cpuset := g.Cpuset()
	if err := g.Remove(); err != nil {
		m.reason = err.Error()
		return m
	}
	m.on = true
	if host, err := machine.Available(); err == nil && cpuset {
		m.nodeCPUs, m.clientCPUs, _ = machine.Split(host, float64(len(host))/2)
	}
	return m
}

// pinClient runs this process on the client's CPUs and with as many Go
// processors, and returns what undoes it. Allowed more processors, the Go
// scheduler hands goroutines between cores that the nodes need: measured
// through the router over 4 shards of a quarter core each on 2 cores, one
// P cost 49–53 µs of client CPU a point select against 63–73 µs with two,
// and served 25% more. Kept off the nodes' core, the nodes served 2.4× to
// 3.3× the QPS of one node at 4 shards (scripts/bench-scaleout.sh).
func (m machines) pinClient() (restore func() error, err error) {
	return machine.Client(m.clientCPUs, m.clientProcs())
}

// nodeCPU is the CPU quota of each node of a sandbox of n nodes: together
// they take half the host's cores, which leaves the other half to the
// client (the bench and the router), in hundredths of a core.
func (m machines) nodeCPU(n int) float64 {
	return max(math.Floor(100*float64(m.cores)/2/float64(max(n, 1)))/100, minNodeCPU)
}

// clientProcs is the client's share of the host's cores: what the largest
// sandbox, at half the host, leaves it.
func (m machines) clientProcs() int {
	if len(m.clientCPUs) > 0 {
		return len(m.clientCPUs)
	}
	return max(1, m.cores-m.cores/2)
}

// machine is the machine of each node of a sandbox of n nodes, or nil when
// the nodes share the host's cores.
func (m machines) machine(n int) *topology.Machine {
	if !m.on {
		return nil
	}
	return &topology.Machine{CPU: m.nodeCPU(n), Memory: labNodeMemory, CPUs: m.nodeCPUs.String()}
}

// describe says, for a verdict, what the nodes ran on.
func (m machines) describe(n int) string {
	if !m.on {
		return fmt.Sprintf("every node shared this host's %d CPU cores (no simulated machines: %s)", m.cores, m.reason)
	}
	on := ""
	if len(m.nodeCPUs) > 0 {
		on = fmt.Sprintf(", the nodes on %s and the client on %s", m.nodeCPUs.Text(), m.clientCPUs.Text())
	}
	return fmt.Sprintf("every node was a machine of %s (a cgroup CPU quota) on this %d-core host%s", coresText(m.nodeCPU(n)), m.cores, on)
}

// cores formats a CPU quota: "0.25", "1".
func cores(c float64) string { return strconv.FormatFloat(c, 'f', -1, 64) }

// coresText is a CPU quota in words: "1 core", "0.25 cores".
func coresText(c float64) string {
	if c == 1 {
		return "1 core"
	}
	return cores(c) + " cores"
}

// cpuMeter adds up, for each side of a comparison, the CPU that this
// process (the client: the bench and the router) and each of the side's
// nodes used while the side was measured. Hook it into a side with
// meterHooks.
type cpuMeter struct {
	usage replica.UsageFunc // nil when the nodes have no machines
	sides []meterSide
}

type meterSide struct {
	nodes  []string
	limits []float64
	wall   time.Duration
	self   time.Duration
	used   []time.Duration
	// at, selfAt and usedAt are the readings at the round's start.
	at     time.Time
	selfAt time.Duration
	usedAt []machine.Usage
	ok     bool
}

func newCPUMeter(usage replica.UsageFunc, nodesOfSide [][]string) *cpuMeter {
	m := &cpuMeter{usage: usage, sides: make([]meterSide, len(nodesOfSide))}
	for i, nodes := range nodesOfSide {
		m.sides[i] = meterSide{nodes: nodes, limits: make([]float64, len(nodes)), used: make([]time.Duration, len(nodes)), usedAt: make([]machine.Usage, len(nodes))}
	}
	return m
}

// begin and end bracket one measured round of side i.
func (m *cpuMeter) begin(i int) {
	s := &m.sides[i]
	s.ok = true
	for k, n := range s.nodes {
		if m.usage == nil {
			s.ok = false
			break
		}
		u, l, ok, err := m.usage(n)
		if !ok || err != nil {
			s.ok = false
			break
		}
		s.usedAt[k], s.limits[k] = u, l.CPU
	}
	s.selfAt = profile.SelfCPU()
	s.at = time.Now()
}

func (m *cpuMeter) end(i int) {
	s := &m.sides[i]
	s.wall += time.Since(s.at)
	s.self += profile.SelfCPU() - s.selfAt
	if !s.ok {
		return
	}
	for k, n := range s.nodes {
		if u, _, ok, err := m.usage(n); ok && err == nil {
			s.used[k] += (u.CPU - s.usedAt[k].CPU).D()
		}
	}
}

// clientCores is the CPU this process used while side i was measured, in
// cores.
func (m *cpuMeter) clientCores(i int) float64 {
	s := m.sides[i]
	if s.wall <= 0 {
		return 0
	}
	return float64(s.self) / float64(s.wall)
}

// nodeShares is, per node of side i, the CPU it used over its quota while
// the side was measured; nil without machines.
func (m *cpuMeter) nodeShares(i int) []float64 {
	s := m.sides[i]
	if m.usage == nil || s.wall <= 0 {
		return nil
	}
	out := make([]float64, len(s.nodes))
	for k := range s.nodes {
		if s.limits[k] <= 0 {
			return nil
		}
		out[k] = float64(s.used[k]) / float64(s.wall) / s.limits[k]
	}
	return out
}

// hooks returns begin and end functions for side i, run after any given.
func (m *cpuMeter) hooks(i int, begin, end func()) (func(), func()) {
	return func() {
			if begin != nil {
				begin()
			}
			m.begin(i)
		}, func() {
			m.end(i)
			if end != nil {
				end()
			}
		}
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
