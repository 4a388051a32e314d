package sandbox

import (
	"strings"
	"testing"

	"github.com/scalelab/scalelab/topology"
)

// TestOversubscribed: adding nodes to a sandbox whose nodes are kept on
// CPUs warns once their quotas add up to more than those CPUs give.
func TestOversubscribed(t *testing.T) {
	nodes := func(n int) []NodeState {
		var out []NodeState
		for i := range n {
			out = append(out, NodeState{Name: string(rune('a'+i)) + "/primary"})
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		m     *topology.Machine
		nodes int
		want  string
	}{
		{"no machine", nil, 6, ""},
		{"no CPUs", &topology.Machine{CPU: 0.25}, 6, ""},
		{"fits", &topology.Machine{CPU: 0.25, CPUs: "1"}, 4, ""},
		{"two more", &topology.Machine{CPU: 0.25, CPUs: "1"}, 6, "the 6 nodes' CPU quotas add up to 1.5 cores, but they run on CPU 1"},
		{"overrides count", &topology.Machine{CPU: 0.25, CPUs: "1", Nodes: map[string]topology.NodeMachine{"a/primary": {CPU: 0.5}}}, 4, "add up to 1.25 cores"},
		{"two CPUs", &topology.Machine{CPU: 0.25, CPUs: "2-3"}, 6, ""},
	} {
		got := oversubscribed(tc.m, nodes(tc.nodes))
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}
