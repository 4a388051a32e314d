package feed

import "github.com/scalelab/scalelab/router"

// Traffic is what a router sent to the servers between two Stats
// snapshots: the growth of its counters. It is exact only when nothing else
// used the router in between.
type Traffic struct {
	// Statements is the number of statements the servers ran, summed over
	// the nodes: the round trips. A scatter read counts once per shard.
	Statements uint64
	// Routes is the growth of each route counter (replica, primary, ...)
	// and of each plan shape counter (single-shard, multi-shard, scatter)
	// that grew.
	Routes map[string]uint64
	// Nodes is the growth of each node's counter that grew.
	Nodes map[string]uint64
}

// Diff returns the traffic between the snapshots before and after of one
// router's Stats.
//
//	before := r.Stats()
//	items, err := feed.FeedBatched(ctx, r, loaders)
//	t := feed.Diff(before, r.Stats()) // t.Statements round trips
func Diff(before, after router.Stats) Traffic {
	t := Traffic{Routes: grown(before.Routes, after.Routes), Nodes: grown(before.Nodes, after.Nodes)}
	for k, v := range grown(before.Shapes, after.Shapes) {
		t.Routes[k] = v
	}
	for _, n := range t.Nodes {
		t.Statements += n
	}
	return t
}

func grown(before, after map[string]uint64) map[string]uint64 {
	out := map[string]uint64{}
	for k, v := range after {
		if v > before[k] {
			out[k] = v - before[k]
		}
	}
	return out
}
