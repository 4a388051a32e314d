package router

import (
	"context"
	"time"
)

// Trace records how one statement was routed: which node served it and
// why. Pass one with WithTrace to see the decision (scalelab query --route
// does).
type Trace struct {
	// Plan is single-shard, multi-shard, scatter or unsharded.
	Plan       string        `json:"plan,omitempty"`
	Shards     []string      `json:"shards,omitempty"`
	Nodes      []string      `json:"nodes,omitempty"`
	PushedDown string        `json:"pushed_down,omitempty"`
	Merged     string        `json:"merged_in_router,omitempty"`
	Kind       string        `json:"kind"`
	Tables     []string      `json:"tables,omitempty"`
	Shard      string        `json:"shard"`
	Node       string        `json:"node"`
	Route      string        `json:"route"`
	Reason     string        `json:"reason"`
	Waited     time.Duration `json:"gtid_wait,omitempty"`
	GTID       string        `json:"gtid,omitempty"`
	Retried    string        `json:"retried_after,omitempty"`
	// Buffered is how long the statement waited for a failover before it
	// ran on the new primary (Config.FailoverBuffer).
	Buffered time.Duration `json:"buffered_ns,omitempty"`
	Duration time.Duration `json:"duration"`
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
