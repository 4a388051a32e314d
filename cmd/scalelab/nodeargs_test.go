package main

import (
	"slices"
	"strings"
	"testing"
)

// TestNodeArgsLast: node names of shard -80 and the like, which start with
// a dash, are moved past a "--" so the flag parser takes them as
// arguments; flag values and everything else keep their places.
func TestNodeArgsLast(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{[]string{"chaos", "--dir", "d", "lag", "-80/replica-1", "--delay", "3s"}, []string{"chaos", "--dir", "d", "lag", "--delay", "3s", "--", "-80/replica-1"}},
		{[]string{"stop", "-40/primary"}, []string{"stop", "--", "-40/primary"}},
		{[]string{"failover", "--shard", "-80", "--to", "-80/replica-1"}, []string{"failover", "--shard", "-80", "--to", "-80/replica-1"}},
		{[]string{"bench", "--node", "-80/primary", "--query", "SELECT 1"}, []string{"bench", "--node", "-80/primary", "--query", "SELECT 1"}},
		{[]string{"stop", "--", "-80/primary"}, []string{"stop", "--", "-80/primary"}},
		{[]string{"stop", "80-/primary"}, []string{"stop", "80-/primary"}},
		{[]string{"query", "SELECT -1"}, []string{"query", "SELECT -1"}},
	} {
		if got := nodeArgsLast(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
	// Through the command: the node name reaches chaos as its argument,
	// and the command gets as far as looking for the sandbox.
	_, _, err := runCLI(t, "chaos", "--dir", t.TempDir(), "lag", "-80/replica-1", "--delay", "3s")
	if err == nil || strings.Contains(err.Error(), "unknown shorthand flag") || !strings.Contains(err.Error(), "scalelab up") {
		t.Errorf("chaos lag -80/replica-1 on an empty dir: got %v, want the error of a missing sandbox", err)
	}
}
