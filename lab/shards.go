package lab

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scalelab/scalelab/bench"
	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/reshard"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/schema"
	"github.com/scalelab/scalelab/shard"
	"github.com/scalelab/scalelab/topology"
)

// Ports of the shards lab, from BasePort: the servers of the shard counts,
// then the two resharding sandboxes (each 2 shards, growing to 3).
const (
	reshardHashOffset   = 10
	reshardModuloOffset = 20
	reshardFrom         = 2
	reshardSplit        = "80-" // the range the hash side splits: 2 → 3 shards
	onlineRange         = "-80" // then splits online, under writes: 3 → 4
)

// shardQueries are the shards lab's two queries: a user by id, which the
// router sends to the one shard that owns it, and a user's image count,
// which every shard must answer, since images are sharded by their own id.
func shardQueries(users int) (targeted, scatter string) {
	u := "{u:uniform(1," + strconv.Itoa(users) + ")}"
	return "SELECT * FROM users WHERE id = " + u, "SELECT COUNT(*) FROM images WHERE user_id = " + u
}

// clientsPerNode is how many clients a capacity measurement gives each
// node of the largest shape: enough that a node finds a query waiting when
// it finishes one. With the demo's 8 clients over 8 shards of 0.12 cores,
// on 2 cores, 2, 4 and 8 shards served only 1.2×, 1.5× and 2.7× one
// shard; with 32, 1.9×, 2.7× and 5.0×.
const clientsPerNode = 4

// shardDatabase is the database that holds the data of one shard count:
// every shard count has its own on the same servers, so that all of them
// are loaded at once and measured in alternating rounds.
func shardDatabase(n int) string { return "lab_shards_" + strconv.Itoa(n) }

func runShards(ctx context.Context, e *env) (*Experiment, error) {
	s := e.cfg.Size
	most := s.ShardCounts[len(s.ShardCounts)-1]
	sb, err := e.start(ctx, "shards", 0, startConfig(most, 0, sampleTables("")))
	if err != nil {
		return nil, err
	}
	data := dataset(s.Rows)
	shapes := make([]*topology.Topology, len(s.ShardCounts))
	loads := make([]*schema.LoadResult, len(s.ShardCounts))
	for i, n := range s.ShardCounts {
		if shapes[i], err = shardShape(ctx, sb, n); err != nil {
			return nil, err
		}
		if loads[i], err = e.load(ctx, shapes[i], data, schema.IndexSetFull); err != nil {
			return nil, err
		}
	}
	routers := make([]*router.Router, len(shapes))
	defer func() {
		for _, r := range routers {
			if r != nil {
				r.Close()
			}
		}
	}()
	targeted, scatter := shardQueries(data.Users)
	// Targeted QPS is the shards' capacity, so it is measured with enough
	// clients to keep every shard of the largest count busy: with one
	// client a shard, each query waits for its shard to wake, and the QPS
	// measures wake-ups, not capacity.
	capacityClients := max(s.Clients, clientsPerNode*most)
	var sides []side
	var sideNodes [][]string
	for i, t := range shapes {
		r, err := router.Open(ctx, t, router.Config{Replica: replica.Config{NoHeartbeatWriter: true}})
		if err != nil {
			return nil, fmt.Errorf("open the router over %s: %w", shards(s.ShardCounts[i]), err)
		}
		routers[i] = r
		nodes := primaries(sb.Topology, s.ShardCounts[i])
		sides = append(sides,
			side{name: shards(s.ShardCounts[i]) + ", targeted", target: r, clients: capacityClients, queries: []string{targeted}},
			side{name: shards(s.ShardCounts[i]) + ", scatter", target: r, clients: s.Clients, queries: []string{scatter}})
		sideNodes = append(sideNodes, nodes, nodes)
	}
	meter := newCPUMeter(sb.Usage, sideNodes)
	for i := range sides {
		sides[i].begin, sides[i].end = meter.hooks(i, nil, nil)
	}
	e.say("measuring targeted queries at %d clients and scatter queries at %d over %v shards, %v each", capacityClients, s.Clients, s.ShardCounts, s.Duration)
	res, err := interleave(ctx, sides, s.Duration, s.Warmup, s.Rounds)
	if err != nil {
		return nil, err
	}
	m := shardsMeasurements{Cores: runtime.NumCPU(), Machines: e.machines.describe(most), Machine: e.machines.on,
		TargetClients: capacityClients, ScatterClients: s.Clients}
	if m.Machine {
		m.NodeCPU, m.ClientCPUs = e.machines.nodeCPU(most), len(e.machines.clientCPUs)
	}
	for i, n := range s.ShardCounts {
		t, sc := res[2*i], res[2*i+1]
		m.Points = append(m.Points, shardPoint{Shards: n, TargetQPS: t.QPS(), TargetP50: t.P(50), ScatterQPS: sc.QPS(), ScatterP50: sc.P(50),
			Imbalance: imbalance(loads[i]), ClientCores: meter.clientCores(2 * i), NodeShare: mean(meter.nodeShares(2 * i))})
	}
	e.say("reading hot images (Zipf) over %s, watching every node", shards(most))
	if m.Hot, err = hotShard(ctx, sb, routers[len(routers)-1], data, s); err != nil {
		return nil, err
	}
	m.Balance = tableBalances(loads[len(loads)-1])
	for _, r := range routers {
		r.Close()
	}
	routers = nil
	// The resharding sandboxes start after the shard counts' servers stop:
	// the machine has only so many cores.
	if err := e.stopSandboxes(false); err != nil {
		return nil, err
	}
	e.say("resharding %d → %d shards: splitting hash range %s, and modulo; then hash range %s online, under writes", reshardFrom, reshardFrom+1, reshardSplit, onlineRange)
	mv, err := e.reshardMovement(ctx)
	if err != nil {
		return nil, err
	}
	m.Reshard = mv
	exp := &Experiment{
		Params: map[string]any{
			"flavor":            sb.State.Flavor,
			"topology":          sb.Topology.Name,
			"shard_counts":      s.ShardCounts,
			"clients":           s.Clients,
			"targeted_clients":  capacityClients,
			"images":            data.Images,
			"duration_per_side": s.Duration.String(),
			"rounds":            s.Rounds,
			"reshard_images":    s.ReshardRows,
		},
		Verdict: shardsVerdict(m),
	}
	e.measured = m
	shardsReport(exp, m, res, loads, targeted, scatter)
	return exp, nil
}

// primaries names the primaries of the first n shards of t.
func primaries(t *topology.Topology, n int) []string {
	out := make([]string, n)
	for i := range n {
		out[i] = t.Shards[i].Name + "/" + string(topology.Primary)
	}
	return out
}

// shardShape is the topology of n shards on the first n servers of sb, in
// a database of its own, which it creates.
func shardShape(ctx context.Context, sb *sandbox.Sandbox, n int) (*topology.Topology, error) {
	names, err := shard.GenerateNames(n)
	if err != nil {
		return nil, err
	}
	t := *sb.Topology
	t.Database = shardDatabase(n)
	t.Shards = make([]topology.Shard, n)
	for i, name := range names {
		t.Shards[i] = sb.Topology.Shards[i].PrimaryOnly()
		t.Shards[i].Name = name
		db, err := openNode(sb.Topology, sb.Topology.Shards[i].Primary.HostPort, true, 1)
		if err != nil {
			return nil, err
		}
		err = bench.CreateSchema(ctx, db, t.Database, sb.Topology.GrantApp)
		db.Close()
		if err != nil {
			return nil, err
		}
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return &t, nil
}

// imbalance is the largest shard's rows (all tables) over the mean.
func imbalance(l *schema.LoadResult) float64 {
	per := shardRows(l)
	var sum, most uint64
	for _, n := range per {
		sum += n
		most = max(most, n)
	}
	if sum == 0 {
		return 1
	}
	return float64(most) * float64(len(per)) / float64(sum)
}

// tableBalances is, per table, the largest shard's rows over the mean.
func tableBalances(l *schema.LoadResult) []tableBalance {
	var out []tableBalance
	for _, t := range l.Tables {
		var most uint64
		for _, n := range t.Rows {
			most = max(most, n)
		}
		r := 1.0
		if sum := t.Total(); sum > 0 {
			r = float64(most) * float64(len(t.Rows)) / float64(sum)
		}
		out = append(out, tableBalance{Table: t.Table, Ratio: r})
	}
	return out
}

// shardRows sums the load's rows per shard over all tables.
func shardRows(l *schema.LoadResult) []uint64 {
	per := make([]uint64, len(l.Shards))
	for _, t := range l.Tables {
		for i, n := range t.Rows {
			per[i] += n
		}
	}
	return per
}

// reshardMovement grows two sandboxes of reshardFrom shards by one shard
// each, one sharded by hash ranges (splitting one range), one by modulo,
// and counts the rows each move. Both start and reshard at once.
func (e *env) reshardMovement(ctx context.Context) (*reshardMovement, error) {
	type run struct {
		label  string
		vindex string
		offset int
		cfg    reshard.Config
		res    *reshard.Result
		online onlineSplit
		err    error
	}
	runs := []*run{
		{label: "reshard-hash", vindex: "hash", offset: reshardHashOffset, cfg: reshard.Config{Split: reshardSplit}},
		{label: "reshard-modulo", vindex: "modulo", offset: reshardModuloOffset, cfg: reshard.Config{Shards: reshardFrom + 1}},
	}
	var wg sync.WaitGroup
	for _, r := range runs {
		wg.Go(func() {
			sb, err := e.start(ctx, r.label, r.offset, startConfig(reshardFrom, 0, sampleTables(r.vindex)))
			if err != nil {
				r.err = err
				return
			}
			if _, err := e.load(ctx, sb.Topology, dataset(e.cfg.Size.ReshardRows), schema.IndexSetNone); err != nil {
				r.err = err
				return
			}
			r.cfg.Cluster = sb.Cluster()
			if r.res, err = reshard.Run(ctx, r.cfg); err != nil {
				r.err = fmt.Errorf("reshard by %s: %w", r.vindex, err)
				return
			}
			if r.vindex == "hash" && sb.Topology.Flavor == flavor.MariaDB { // online reads MariaDB's binlog
				r.online, r.err = e.reshardOnline(ctx, sb, reshard.Config{Cluster: sb.Cluster(), Split: onlineRange})
			}
		})
	}
	wg.Wait()
	for _, r := range runs {
		if r.err != nil {
			return nil, r.err
		}
	}
	o := runs[0].online // zero when it ran offline
	return &reshardMovement{From: reshardFrom, To: reshardFrom + 1,
		HashMoved: runs[0].res.Moved(), HashTotal: runs[0].res.Total(),
		ModuloMoved: runs[1].res.Moved(), ModuloTotal: runs[1].res.Total(),
		OnlineWrites: o.writes, OnlinePause: o.pause, SwitchWindow: o.window, OnlineCopied: o.copied}, nil
}

// onlineSplit is the hash side's split, made online under writes.
type onlineSplit struct {
	res    *reshard.Result
	writes int64 // changes a client made during the copy, catch-up and switch
	copied int64 // rows copied to the new servers
	// pause is the longest any one of the client's writes took, as it saw
	// it (a write held by the switch waits); window is the switch's own.
	pause, window time.Duration
}

// reshardOnline splits online while a client renames images through a
// router that follows the topology file: the copy, the catch-up and the
// switch all run under the writes (scalelab reshard --online --switch),
// and the client never stops; then --complete removes the old shard. The
// pause is timed from the client's side.
func (e *env) reshardOnline(ctx context.Context, sb *sandbox.Sandbox, cfg reshard.Config) (onlineSplit, error) {
	var out onlineSplit
	r, err := router.Open(ctx, sb.Topology, router.Config{Replica: replica.Config{NoHeartbeatWriter: true}, TopologyPath: sb.TopologyPath()})
	if err != nil {
		return out, err
	}
	defer r.Close()
	images := int64(dataset(e.cfg.Size.ReshardRows).Images)
	stop, done := make(chan struct{}), make(chan error, 1)
	var writes atomic.Int64
	var longest time.Duration
	go func() {
		for i := int64(0); ; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			start := time.Now()
			if _, err := r.ExecContext(ctx, "UPDATE images SET name = ? WHERE id = ?", "online-"+strconv.FormatInt(i, 10), i*7919%images+1); err != nil {
				done <- err
				return
			}
			longest = max(longest, time.Since(start))
			writes.Add(1)
		}
	}()
	cfg.Online, cfg.Switch = true, true
	out.res, err = reshard.Run(ctx, cfg)
	close(stop)
	werr := <-done
	if err != nil {
		return out, fmt.Errorf("reshard online: %w", err)
	}
	if werr != nil {
		return out, fmt.Errorf("the client writing during the online reshard: %w", werr)
	}
	out.writes, out.pause, out.copied = writes.Load(), longest, out.res.Moved()
	if out.res.Switch != nil {
		out.window = out.res.Switch.D()
	}
	if _, err := reshard.Run(ctx, reshard.Config{Cluster: cfg.Cluster, Complete: true}); err != nil {
		return out, fmt.Errorf("reshard online, --complete: %w", err)
	}
	return out, nil
}

func shardsReport(exp *Experiment, m shardsMeasurements, res []*sample, loads []*schema.LoadResult, targeted, scatter string) {
	lat := Chart{Title: "Latency (p50) against shard count", XLabel: "shards", YLabel: "p50 latency (ms)", Kind: "line", LogX: true}
	qps := Chart{Title: "QPS against shard count", XLabel: "shards", YLabel: "queries per second", Kind: "line", LogX: true}
	tl, sl := Series{Name: "targeted lookup"}, Series{Name: "scatter query"}
	tq, sq := Series{Name: "targeted lookup"}, Series{Name: "scatter query"}
	ideal := Series{Name: "targeted, ideal (linear)", Ideal: true}
	t := Table{Title: "Targeted and scatter queries by shard count (measured in alternating rounds)",
		Header: []string{"shards", "targeted QPS", "÷ 1 shard", "ideal", "targeted p50 ms", "targeted p99 ms", "scatter QPS", "scatter p50 ms", "scatter p99 ms", "largest shard / mean", "client cores", "shards' CPU"}}
	for i, p := range m.Points {
		x := float64(p.Shards)
		tl.Points = append(tl.Points, Point{X: x, Y: msFloat(p.TargetP50)})
		sl.Points = append(sl.Points, Point{X: x, Y: msFloat(p.ScatterP50)})
		tq.Points = append(tq.Points, Point{X: x, Y: p.TargetQPS})
		ideal.Points = append(ideal.Points, Point{X: x, Y: m.Points[0].TargetQPS * x / float64(m.Points[0].Shards)})
		sq.Points = append(sq.Points, Point{X: x, Y: p.ScatterQPS})
		share := "-"
		if m.Machine {
			share = pct(p.NodeShare)
		}
		t.Rows = append(t.Rows, []string{strconv.Itoa(p.Shards), rate(p.TargetQPS), times(ratio(p.TargetQPS, m.Points[0].TargetQPS)), times(x / float64(m.Points[0].Shards)),
			msCell(p.TargetP50), msCell(res[2*i].P(99)), rate(p.ScatterQPS), msCell(p.ScatterP50), msCell(res[2*i+1].P(99)),
			strconv.FormatFloat(p.Imbalance, 'f', 3, 64), strconv.FormatFloat(p.ClientCores, 'f', 2, 64), share})
	}
	lat.Series, qps.Series = []Series{tl, sl}, []Series{tq, ideal, sq}
	exp.Charts = []Chart{lat, qps}
	exp.Tables = []Table{t}
	if h := m.Hot; h != nil {
		hotReport(exp, h)
	}
	if len(loads) > 0 {
		l := loads[len(loads)-1]
		bal := Chart{Title: "Rows per shard (" + shards(len(l.Shards)) + ")", XLabel: "shard", YLabel: "rows", Kind: "bar"}
		bt := Table{Title: "Rows per shard (" + shards(len(l.Shards)) + ")", Header: append([]string{"table"}, l.Shards...)}
		for _, tb := range l.Tables {
			sr := Series{Name: tb.Table}
			row := []string{tb.Table}
			for i, n := range tb.Rows {
				sr.Points = append(sr.Points, Point{X: float64(i), Label: l.Shards[i], Y: float64(n)})
				row = append(row, count(int64(n)))
			}
			bal.Series = append(bal.Series, sr)
			bt.Rows = append(bt.Rows, row)
		}
		exp.Charts = append(exp.Charts, bal)
		exp.Tables = append(exp.Tables, bt)
	}
	if r := m.Reshard; r != nil {
		mv := Chart{Title: "Rows moved growing " + strconv.Itoa(r.From) + " → " + strconv.Itoa(r.To) + " shards", XLabel: "sharding", YLabel: "rows moved (%)", Kind: "bar"}
		mv.Series = []Series{{Name: "moved", Points: []Point{
			{X: 0, Label: "hash ranges (split " + reshardSplit + ")", Y: 100 * float64(r.HashMoved) / float64(max(r.HashTotal, 1))},
			{X: 1, Label: "modulo", Y: 100 * float64(r.ModuloMoved) / float64(max(r.ModuloTotal, 1))},
		}}}
		exp.Charts = append(exp.Charts, mv)
		exp.Tables = append(exp.Tables, Table{Title: mv.Title + " (scalelab reshard, verified per key range)",
			Header: []string{"sharding", "how", "rows", "moved", "moved %"},
			Rows: [][]string{
				{"hash ranges", "split " + reshardSplit + " in two", count(r.HashTotal), count(r.HashMoved), pct(float64(r.HashMoved) / float64(max(r.HashTotal, 1)))},
				{"modulo", "id mod " + strconv.Itoa(r.From) + " → id mod " + strconv.Itoa(r.To), count(r.ModuloTotal), count(r.ModuloMoved), pct(float64(r.ModuloMoved) / float64(max(r.ModuloTotal, 1)))},
			}})
	}
	exp.Notes = []string{
		"targeted: " + targeted + " (users are sharded by id, so one shard answers); scatter: " + scatter + " (images are sharded by their own id, so every shard answers and the router sums the counts).",
		fmt.Sprintf("Targeted queries ran at %d clients, enough to keep every shard busy, since their QPS is the shards' capacity (their latency then includes queueing, more of it over fewer shards); scatter queries at %d.", m.TargetClients, m.ScatterClients),
		"Every shard count runs on the same servers, in a database of its own (lab_shards_N); servers beyond the count idle. During the runs, " + m.Machines + ". Client cores is the CPU this process (the bench and the router) used; shards' CPU is the shards' mean use of their quota.",
		"Resharding adds one server to each of two " + strconv.Itoa(reshardFrom) + "-shard sandboxes: hash ranges split " + reshardSplit + " in two and leave -80 alone; modulo changes id mod 2 to id mod 3 for every key. Likes follow their image's popularity, so the share of rows that move depends on where the popular images fall. On MariaDB the hash side then splits " + onlineRange + " online (scalelab reshard --online --switch), onto two new servers: a client renames images through a router the whole time, while the rows are copied, caught up from the binlog and switched; at the switch its writes are held, then retried on the new shards, and its longest write is the pause it saw.",
	}
}

// hotReport adds the hot-shard run's chart and table: each node's CPU use
// of its quota (or, without machines, its share of the statements).
func hotReport(exp *Experiment, h *hotResult) {
	machines := len(h.Nodes) > 0 && h.Nodes[0].CPUShare >= 0
	c := Chart{Title: "Hot images: each primary's CPU use of its quota", XLabel: "shard", YLabel: "CPU used (% of quota)", Kind: "bar"}
	if !machines {
		c.Title, c.YLabel = "Hot images: each primary's share of the statements", "statements (%)"
	}
	t := Table{Title: "Hot images (" + h.Query + "), " + rate(h.QPS) + " QPS", Header: []string{"node", "QPS", "CPU of quota", "throttled periods", "saturated after"}}
	var total float64
	for _, n := range h.Nodes {
		total += n.QPS
	}
	sr := Series{Name: "CPU"}
	for i, n := range h.Nodes {
		y := 100 * n.CPUShare
		if !machines {
			y = 100 * n.QPS / max(total, 1)
		}
		// The shard's name: every watched node is a primary, and the full
		// names would overlap under the bars.
		sr.Points = append(sr.Points, Point{X: float64(i), Label: strings.TrimSuffix(n.Node, "/"+string(topology.Primary)), Y: y})
		cpu, th, sat := "-", "-", "-"
		if n.CPUShare >= 0 {
			cpu, th = pct(n.CPUShare), pct(n.Throttled)
		}
		if n.SaturatedAt >= 0 {
			sat = secs(n.SaturatedAt)
		}
		t.Rows = append(t.Rows, []string{n.Node, rate(n.QPS), cpu, th, sat})
	}
	c.Series = []Series{sr}
	exp.Charts = append(exp.Charts, c)
	exp.Tables = append(exp.Tables, t)
}
