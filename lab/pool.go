package lab

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"time"

	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/topology"
)

// poolQueries is the pool lab's read mix: a lookup by primary key and a
// like count through an index, enough work per query that the server, not
// the client, sets the pace.
func poolQueries(images int) []string {
	id := "{id:uniform(1," + strconv.Itoa(images) + ")}"
	return []string{
		"SELECT * FROM images WHERE id = " + id,
		"SELECT COUNT(*) FROM likes WHERE image_id = " + id,
	}
}

func runPool(ctx context.Context, e *env) (*Experiment, error) {
	s := e.cfg.Size
	topo, data, err := e.loaded(ctx, e.poolTopology)
	if err != nil {
		return nil, err
	}
	// One router per pool size, all open at once, so the sizes can take
	// turns round by round.
	routers := make([]*router.Router, len(s.PoolSizes))
	defer func() {
		for _, r := range routers {
			if r != nil {
				r.Close()
			}
		}
	}()
	sides := make([]side, len(s.PoolSizes))
	waits := make([]poolWaits, len(s.PoolSizes))
	for i, n := range s.PoolSizes {
		r, err := router.Open(ctx, topo, router.Config{Replica: replica.Config{
			Pool:              replica.PoolConfig{MaxOpen: n, MaxIdle: n},
			NoHeartbeatWriter: true,
			MaxLag:            -1,
		}})
		if err != nil {
			return nil, fmt.Errorf("open the router with pool size %d: %w", n, err)
		}
		routers[i] = r
		sides[i] = side{
			name: "pool size " + strconv.Itoa(n), target: r, clients: s.PoolClients, queries: poolQueries(data.Images),
			begin: func() { waits[i].begin = poolStats(r) },
			end:   func() { waits[i].add(poolStats(r)) },
		}
	}
	e.say("measuring %d pool sizes at %d clients, %v each", len(s.PoolSizes), s.PoolClients, s.Duration)
	res, err := interleave(ctx, sides, s.Duration, s.Warmup, s.Rounds)
	if err != nil {
		return nil, err
	}
	m := poolMeasurements{Clients: s.PoolClients, Cores: runtime.NumCPU()}
	if nodes := topo.Nodes(); len(nodes) == 1 {
		m.NodeCPU = topo.Machine.Limits(nodes[0].Name).CPU
	}
	for i, n := range s.PoolSizes {
		m.Points = append(m.Points, poolPoint{Size: n, QPS: res[i].QPS(), P99: res[i].P(99), Waits: waits[i].count, WaitTime: waits[i].time})
	}
	exp := &Experiment{
		Params: map[string]any{
			"flavor":            topo.Flavor,
			"topology":          topo.Name,
			"clients":           s.PoolClients,
			"pool_sizes":        s.PoolSizes,
			"images":            data.Images,
			"duration_per_side": s.Duration.String(),
			"rounds":            s.Rounds,
		},
		Verdict: poolVerdict(m),
	}
	e.measured = m
	poolReport(exp, m, res, poolQueries(data.Images))
	return exp, nil
}

// poolTopology is a one-server sandbox, or Config.Topology (whose every
// node then gets a pool of each size).
func (e *env) poolTopology(ctx context.Context) (*topology.Topology, error) {
	if e.cfg.Topology != nil {
		return e.cfg.Topology, nil
	}
	// A quarter of the host's cores: the client (bench and router) needs
	// the rest to keep even the largest pool busy, so that the knee shows
	// the node's limit, not the client's.
	sc := startConfig(1, 0, nil)
	sc.Machine = e.machines.machine(2)
	sb, err := e.start(ctx, "pool", 0, sc)
	if err != nil {
		return nil, err
	}
	return sb.Topology, nil
}

// poolTotals is the pools' wait counters summed over the router's nodes.
type poolTotals struct {
	count int64
	time  time.Duration
}

func poolStats(r *router.Router) poolTotals {
	var t poolTotals
	for _, s := range r.Sets() {
		for _, n := range s.Nodes() {
			st := n.DB.Stats()
			t.count += st.WaitCount
			t.time += st.WaitDuration
		}
	}
	return t
}

// poolWaits sums the growth of the wait counters over measured rounds.
type poolWaits struct {
	begin poolTotals
	count int64
	time  time.Duration
}

func (w *poolWaits) add(end poolTotals) {
	w.count += end.count - w.begin.count
	w.time += end.time - w.begin.time
}

func poolReport(exp *Experiment, m poolMeasurements, res []*sample, queries []string) {
	qps := Chart{Title: "QPS against pool size", XLabel: "pool size (connections per node)", YLabel: "queries per second", Kind: "line", LogX: true}
	p99 := Chart{Title: "p99 latency against pool size", XLabel: "pool size (connections per node)", YLabel: "p99 latency (ms)", Kind: "line", LogX: true}
	wait := Chart{Title: "Time clients spent waiting for a pooled connection", XLabel: "pool size (connections per node)", YLabel: "wait time (s)", Kind: "line", LogX: true}
	q, l, w := Series{Name: "QPS"}, Series{Name: "p99"}, Series{Name: "pool wait"}
	t := Table{Title: "Pool sizes at " + strconv.Itoa(m.Clients) + " clients (sizes measured in alternating rounds)",
		Header: []string{"pool size", "QPS", "p50 ms", "p99 ms", "pool waits", "pool wait s", "vs best"}}
	_, best := poolKnee(m.Points)
	for i, p := range m.Points {
		x := float64(p.Size)
		q.Points = append(q.Points, Point{X: x, Y: p.QPS})
		l.Points = append(l.Points, Point{X: x, Y: msFloat(p.P99)})
		w.Points = append(w.Points, Point{X: x, Y: p.WaitTime.Seconds()})
		t.Rows = append(t.Rows, []string{strconv.Itoa(p.Size), rate(p.QPS), msCell(res[i].P(50)), msCell(p.P99),
			count(p.Waits), strconv.FormatFloat(p.WaitTime.Seconds(), 'f', 2, 64), pct(p.QPS / m.Points[best].QPS)})
	}
	qps.Series, p99.Series, wait.Series = []Series{q}, []Series{l}, []Series{w}
	exp.Charts = []Chart{qps, p99, wait}
	exp.Tables = []Table{t}
	exp.Notes = []string{
		"Queries: " + queries[0] + " and " + queries[1] + ", through the router, which has one pool per node.",
		"Pool waits and wait time are sql.DBStats WaitCount and WaitDuration over the measured rounds: how often, and how long in total, a client waited for a free connection.",
	}
}
