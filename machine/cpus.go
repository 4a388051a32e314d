package machine

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// CPUs is a set of the host's CPUs by number, written the way the kernel
// writes cpusets: "1", "0-3,6".
//
// The nodes of a sandbox share the host with their clients. A node limited
// to a quarter core by its quota still runs on whichever core the kernel
// picks, between the client's threads, and pays for every switch with cold
// caches; on a small host that doubles what a query costs it. Keeping the
// nodes on CPUs of their own and the client on the others (Split, Pin) is
// what separate machines would give.
type CPUs []int

// maxCPUs is the size of the kernel's CPU set (CPU_SETSIZE).
const maxCPUs = 1024

// ParseCPUs reads a cpuset list such as "1", "0-3,6"; "" is no CPUs.
func ParseCPUs(s string) (CPUs, error) {
	var out CPUs
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		b := a
		if err == nil && isRange {
			b, err = strconv.Atoi(hi)
		}
		if err != nil || a < 0 || b < a {
			return nil, fmt.Errorf("machine: CPU list %q: want numbers and ranges such as 1 or 0-3,6", s)
		}
		if b >= maxCPUs {
			return nil, fmt.Errorf("machine: CPU list %q: CPU %d: the kernel's CPU sets end at %d", s, b, maxCPUs-1)
		}
		for c := a; c <= b; c++ {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// String writes c as a cpuset list, ranges joined: "0-3,6".
func (c CPUs) String() string {
	var b strings.Builder
	for i := 0; i < len(c); {
		j := i
		for j+1 < len(c) && c[j+1] == c[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(c[i]))
		if j > i {
			b.WriteString("-" + strconv.Itoa(c[j]))
		}
		i = j + 1
	}
	return b.String()
}

// Text names c in words: "CPU 1", "CPUs 2-3".
func (c CPUs) Text() string {
	if len(c) == 1 {
		return "CPU " + c.String()
	}
	return "CPUs " + c.String()
}

// Without is c less the CPUs of d.
func (c CPUs) Without(d CPUs) CPUs {
	var out CPUs
	for _, x := range c {
		if !slices.Contains(d, x) {
			out = append(out, x)
		}
	}
	return out
}

// Split divides host between nodes whose quotas add up to cores and their
// clients: the nodes get the last ceil(cores) CPUs and the clients the
// rest. ok is false when that would leave the clients no CPU.
func Split(host CPUs, cores float64) (nodes, clients CPUs, ok bool) {
	k := int(math.Ceil(cores - 1e-9))
	if cores <= 0 || k >= len(host) {
		return nil, nil, false
	}
	return slices.Clone(host[len(host)-k:]), slices.Clone(host[:len(host)-k]), true
}

// AutoClient, as a client's CPUs, means the host's CPUs that the nodes
// do not run on.
const AutoClient = "auto"

// ClientCPUs are the CPUs a client of nodes kept on nodeCPUs runs on, from
// spec: AutoClient for the others of this process's CPUs (none when the
// nodes run anywhere, or everywhere), a cpuset list, or "" for none. None
// means the client is not pinned.
func ClientCPUs(spec, nodeCPUs string) (CPUs, error) {
	if spec != AutoClient {
		return ParseCPUs(spec)
	}
	nodes, err := ParseCPUs(nodeCPUs)
	if err != nil || len(nodes) == 0 {
		return nil, err
	}
	host, err := Available()
	if err != nil {
		return nil, err
	}
	return host.Without(nodes), nil
}
