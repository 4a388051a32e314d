package lab

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/scalelab/scalelab/bench"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/schema"
)

const (
	// hotSampleEvery is how often the hot-shard run samples every node.
	hotSampleEvery = 250 * time.Millisecond
	// saturatedShare is the share of its CPU quota, or of CFS periods
	// throttled, from which a node counts as saturated.
	saturatedShare = 0.9
)

// hotQuery reads the like count of an image drawn with Zipf skew: image 1
// most often, then 2, and so on, the way a feed's popular images are read.
// Likes are sharded by image_id, so the shard that holds the popular
// images takes most of the work.
func hotQuery(images int) string {
	return "SELECT COUNT(*) FROM likes WHERE image_id = {i:zipf(1," + strconv.Itoa(images) + ",1.1)}"
}

// hotNode is one node during the hot-shard run.
type hotNode struct {
	Node string
	// QPS is the statements per second that the node served, and
	// Statements how many it served while it was watched (the whole run).
	QPS, Statements float64
	// CPUShare is the CPU it used over its quota, and Throttled the share
	// of CFS periods in which the quota ran out; both -1 without machines.
	CPUShare, Throttled float64
	// SaturatedAt is when the node first used saturatedShare of its quota
	// in a sample, from the start of the run; -1 if it never did.
	SaturatedAt time.Duration
}

// hotResult is the hot-shard run: a skewed read over the largest shard
// count, with every node watched.
type hotResult struct {
	Query string
	QPS   float64
	// Sent is the statements the bench sent.
	Sent  int64
	Nodes []hotNode
}

// first is the node that saturated first, if any.
func (h *hotResult) first() (hotNode, bool) {
	best, ok := hotNode{}, false
	for _, n := range h.Nodes {
		if n.SaturatedAt >= 0 && (!ok || n.SaturatedAt < best.SaturatedAt) {
			best, ok = n, true
		}
	}
	return best, ok
}

// busiest is the node that served the most statements.
func (h *hotResult) busiest() hotNode {
	var best hotNode
	for _, n := range h.Nodes {
		if n.QPS > best.QPS {
			best = n
		}
	}
	return best
}

// hotShard runs hotQuery through r (the largest shard count) for the
// size's duration, sampling every node of sb as scalelab top does.
func hotShard(ctx context.Context, sb *sandbox.Sandbox, r *router.Router, data schema.Config, s Size) (*hotResult, error) {
	w, err := replica.NewWatch(ctx, sb.Topology, sb.Usage)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	res := &hotResult{Query: hotQuery(data.Images)}
	names := map[string]int{}
	for i, n := range sb.Topology.Nodes() {
		names[n.Name] = i
		res.Nodes = append(res.Nodes, hotNode{Node: n.Name, CPUShare: -1, Throttled: -1, SaturatedAt: -1})
	}
	type acc struct{ queries, cpu, throttled, wall float64 }
	sums := make([]acc, len(res.Nodes))
	start, prev := time.Now(), time.Now()
	done := make(chan error, 1)
	var qps float64
	var sent int64
	go func() {
		out, err := bench.Run(ctx, r, bench.Config{Concurrency: []int{s.Clients}, Duration: s.Duration, Queries: []string{res.Query}})
		if err == nil && len(out.Levels) > 0 {
			t := out.Levels[0].Total
			qps, sent = t.QPS, t.Count+t.Errors
			if t.Errors > 0 {
				err = fmt.Errorf("hot-shard reads: %d of %d queries failed: %s", t.Errors, t.Errors+t.Count, bench.ErrorKinds(t.ErrorsByKind))
			}
		}
		done <- err
	}()
	tick := time.NewTicker(hotSampleEvery)
	defer tick.Stop()
	finished := false
	for !finished {
		select {
		case err := <-done:
			if err != nil {
				return nil, err
			}
			finished = true
		case <-tick.C:
		}
		smp := w.Sample(ctx)
		dt := smp.At.Sub(prev).Seconds()
		prev = smp.At
		for _, n := range smp.Nodes {
			i, ok := names[n.Name]
			if !ok {
				continue
			}
			a := &sums[i]
			if n.QPS != nil {
				a.queries += *n.QPS * dt
			}
			a.wall += dt
			if n.CPUShare != nil {
				a.cpu += *n.CPUShare * dt
				if res.Nodes[i].SaturatedAt < 0 && *n.CPUShare >= saturatedShare {
					res.Nodes[i].SaturatedAt = smp.At.Sub(start)
				}
			}
			if n.Throttled != nil {
				a.throttled += *n.Throttled * dt
			}
			if n.CPUShare != nil && n.Throttled != nil {
				res.Nodes[i].CPUShare, res.Nodes[i].Throttled = 0, 0 // known: filled below
			}
		}
	}
	for i := range res.Nodes {
		a := sums[i]
		if a.wall <= 0 {
			continue
		}
		res.Nodes[i].QPS, res.Nodes[i].Statements = a.queries/a.wall, a.queries
		if res.Nodes[i].CPUShare >= 0 {
			res.Nodes[i].CPUShare, res.Nodes[i].Throttled = a.cpu/a.wall, a.throttled/a.wall
		}
	}
	res.QPS, res.Sent = qps, sent
	return res, ctx.Err()
}
