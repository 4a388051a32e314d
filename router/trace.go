package router

import (
	"context"
	"github.com/scalelab/scalelab/internal/units"
)

// Trace records how one statement was routed: which node served it and
// why. Pass one with WithTrace to see the decision (scalelab query --route
// does).
type Trace struct {
	// Plan is single-shard, multi-shard, scatter or unsharded.
	Plan       string   `json:"plan,omitempty"`
	Shards     []string `json:"shards,omitempty"`
	Nodes      []string `json:"nodes,omitempty"`
	PushedDown string   `json:"pushed_down,omitempty"`
	Merged     string   `json:"merged_in_router,omitempty"`
	Kind       string   `json:"kind"`
	Tables     []string `json:"tables,omitempty"`
	Shard      string   `json:"shard"`
	Node       string   `json:"node"`
	Route      string   `json:"route"`
	Reason     string   `json:"reason"`
	Waited     units.Ms `json:"gtid_wait_ms,omitempty"`
	GTID       string   `json:"gtid,omitempty"`
	Retried    string   `json:"retried_after,omitempty"`
	// Buffered is how long the statement waited for a failover before it
	// ran on the new primary (Config.FailoverBuffer).
	Buffered units.Ms `json:"buffered_ms,omitempty"`
	Duration units.Ms `json:"duration_ms"`
}

type traceKey struct{}

// WithTrace makes the router fill t for the statement run with ctx.
func WithTrace(ctx context.Context, t *Trace) context.Context {
	return context.WithValue(ctx, traceKey{}, t)
}

func traceFrom(ctx context.Context) *Trace {
	t, _ := ctx.Value(traceKey{}).(*Trace)
	return t
}
