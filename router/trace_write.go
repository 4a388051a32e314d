package router

import (
	"fmt"
	"io"
	"strings"
)

// Write prints the trace for a person, a "name: value" line per decision:
// the plan, the route and why, the tables, the shards and nodes, what was
// pushed down and merged, any GTID wait and retry, and the time taken.
// Lines that do not apply are left out. It returns w's first error.
func (t Trace) Write(w io.Writer) error {
	var b strings.Builder
	line := func(name, format string, args ...any) {
		fmt.Fprintf(&b, "%-9s"+format+"\n", append([]any{name + ":"}, args...)...)
	}
	if t.Plan != "" {
		line("plan", "%s", t.Plan)
	}
	line("route", "%s (%s)", t.Route, t.Kind)
	if len(t.Tables) > 0 {
		line("tables", "%s", strings.Join(t.Tables, ", "))
	}
	if len(t.Shards) > 1 {
		line("shards", "%s", strings.Join(t.Shards, ", "))
		line("nodes", "%s", strings.Join(t.Nodes, ", "))
	} else {
		line("shard", "%s", t.Shard)
		line("node", "%s", t.Node)
	}
	if t.PushedDown != "" {
		line("pushed", "%s", t.PushedDown)
	}
	if t.Merged != "" {
		line("merged", "%s", t.Merged)
	}
	line("why", "%s", t.Reason)
	if t.GTID != "" {
		line("waited", "%v for GTID %s", t.Waited, t.GTID)
	}
	if t.Retried != "" {
		line("retried", "after %s failed", t.Retried)
	}
	line("took", "%v", t.Duration)
	_, err := io.WriteString(w, b.String())
	return err
}
