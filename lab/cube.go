package lab

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/schema"
	"github.com/scalelab/scalelab/topology"
)

// The cube lab's keyspaces: app holds every table on a primary with two
// replicas (and serves steps 1 and 2), likes a copy of the likes table on
// one primary (step 3), zlikes a copy sharded over two (step 4).
const (
	cubeApp    = "app"
	cubeLikes  = "likes"
	cubeZLikes = "zlikes"
)

// cubeSteps are the cube lab's steps, each one axis more than the last.
var cubeSteps = []struct{ name, axis string }{
	{"one machine", ""},
	{"+ 2 replicas", "X"},
	{"+ likes in a keyspace of its own", "Y"},
	{"+ that keyspace sharded in 2", "Z"},
}

// cubeWorkload is the cube lab's application: per client in turn, six
// reads (a user, a user's newest images, an image's like count twice and
// its newest likers) and four writes (three likes touched, a user
// renamed). Every statement names one table, so every step runs it.
func cubeWorkload(data schema.Config) (reads, writes []string) {
	u := "{u:uniform(1," + strconv.Itoa(data.Users) + ")}"
	img := "{i:uniform(1," + strconv.Itoa(data.Images) + ")}"
	reads = []string{
		"SELECT * FROM users WHERE id = " + u,
		"SELECT id, name, path, dt FROM images WHERE user_id = " + u + " ORDER BY dt DESC LIMIT 10",
		"SELECT COUNT(*) FROM likes WHERE image_id = " + img,
		"SELECT user_id, dt FROM likes WHERE image_id = " + img + " ORDER BY dt DESC LIMIT 10",
		"SELECT COUNT(*) FROM likes WHERE image_id = " + img,
		"SELECT * FROM users WHERE id = " + u,
	}
	touch := "UPDATE likes SET dt = NOW(6) WHERE image_id = " + img + " LIMIT 1"
	writes = []string{touch, touch, touch, "UPDATE users SET name = CONCAT('user-', {n:uniform(1,1000000)}) WHERE id = " + u}
	return reads, writes
}

// cubeViews are the topologies the steps route over, all on the lab's one
// sandbox: step 1 the app keyspace's primary alone, step 2 with its
// replicas, step 3 with likes in keyspace likes, step 4 in zlikes.
func cubeViews(t *topology.Topology) []*topology.Topology {
	rule := schema.ShardedTables()
	app := keyspaceShards(t, cubeApp)
	alone := []topology.Shard{app[0].PrimaryOnly()}
	appOnly := topology.Keyspace{Name: cubeApp, Tables: map[string]topology.Table{"users": {}, "images": {}}}
	return []*topology.Topology{
		cubeView(t, alone, topology.Keyspace{Name: cubeApp}),
		cubeView(t, app, topology.Keyspace{Name: cubeApp}),
		cubeView(t, append(slices.Clone(app), keyspaceShards(t, cubeLikes)...), appOnly, topology.Keyspace{Name: cubeLikes, Tables: map[string]topology.Table{"likes": {}}}),
		cubeView(t, append(slices.Clone(app), keyspaceShards(t, cubeZLikes)...), appOnly, topology.Keyspace{Name: cubeZLikes, Tables: map[string]topology.Table{"likes": rule["likes"]}}),
	}
}

// cubeLoadViews are the topologies the data is loaded through: every table
// in app, and each likes keyspace with its own copy of the sample tables
// (of which its steps read only likes), sharded as its step routes them.
func cubeLoadViews(t *topology.Topology) []*topology.Topology {
	var out []*topology.Topology
	for _, ks := range []string{cubeApp, cubeLikes, cubeZLikes} {
		shards := keyspaceShards(t, ks)
		k := topology.Keyspace{Name: ks}
		if len(shards) > 1 {
			k.Tables = map[string]topology.Table{"likes": schema.ShardedTables()["likes"]}
		}
		out = append(out, cubeView(t, shards, k))
	}
	return out
}

// keyspaceShards are the shards of keyspace ks in t.
func keyspaceShards(t *topology.Topology, ks string) []topology.Shard {
	var out []topology.Shard
	for _, i := range t.KeyspaceShards(ks) {
		out = append(out, t.Shards[i])
	}
	return out
}

// cubeView is t over shards, with the keyspaces ks and no limits of its
// own (the sandbox's nodes keep theirs).
func cubeView(t *topology.Topology, shards []topology.Shard, ks ...topology.Keyspace) *topology.Topology {
	v := *t
	v.Shards, v.Keyspaces, v.Tables, v.Machine = shards, ks, nil, nil
	return &v
}

func runCube(ctx context.Context, e *env) (*Experiment, error) {
	s := e.cfg.Size
	sb, err := e.start(ctx, "cube", 0, sandbox.Config{Keyspaces: []sandbox.KeyspaceConfig{
		{Name: cubeApp, Shards: 1, Replicas: 2},
		{Name: cubeLikes, Shards: 1},
		{Name: cubeZLikes, Shards: 2},
	}})
	if err != nil {
		return nil, err
	}
	topo := sb.Topology
	data := dataset(s.Rows)
	for _, v := range cubeLoadViews(topo) {
		if _, err := e.load(ctx, v, data, schema.IndexSetFull); err != nil {
			return nil, err
		}
	}
	if err := waitReplicas(ctx, topo); err != nil {
		return nil, err
	}
	// The monitor writes every primary's heartbeat; the measured routers
	// only read it.
	mon, err := router.Open(ctx, topo, router.Config{Replica: replica.Config{HeartbeatInterval: lagHeartbeat}})
	if err != nil {
		return nil, fmt.Errorf("open the monitoring router: %w", err)
	}
	defer mon.Close()

	reads, writes := cubeWorkload(data)
	mix := append(append([]string{}, reads...), writes...)
	views := cubeViews(topo)
	n := len(views)
	// Sides 0…n-1 run the mix, n… the reads alone, 2n… the writes alone.
	sides := make([]side, 3*n)
	routers := make([]*router.Router, 3*n)
	sideNodes := make([][]string, 3*n)
	for k, v := range views {
		var nodes []string
		for _, nd := range v.Nodes() {
			nodes = append(nodes, nd.Name)
		}
		for j, w := range []struct {
			what    string
			queries []string
		}{{"mix", mix}, {"reads alone", reads}, {"writes alone", writes}} {
			r, err := router.Open(ctx, v, router.Config{Replica: replica.Config{NoHeartbeatWriter: true}})
			if err != nil {
				return nil, fmt.Errorf("open the router of step %q: %w", cubeSteps[k].name, err)
			}
			defer r.Close()
			i := j*n + k
			routers[i] = r
			sides[i] = side{name: cubeSteps[k].name + ", " + w.what, target: r, clients: s.Clients, queries: w.queries}
			sideNodes[i] = nodes
		}
	}
	meter := newCPUMeter(sb.Usage, sideNodes)
	for i := range sides {
		sides[i].begin, sides[i].end = meter.hooks(i, nil, nil)
	}
	e.say("measuring one application's mix, its reads alone and its writes alone, at %d clients, on one machine and with X, Y and Z added in turn, %v each", s.Clients, s.Duration)
	res, err := interleave(ctx, sides, s.Duration, s.Warmup, s.Rounds)
	if err != nil {
		return nil, err
	}
	m := cubeMeasurements{Cores: runtime.NumCPU(), Machines: e.machines.describe(len(topo.Nodes())), Machine: e.machines.on}
	for k, v := range views {
		p := cubePoint{Step: cubeSteps[k].name, Axis: cubeSteps[k].axis, Nodes: len(v.Nodes()),
			MixQPS: res[k].QPS(), ReadQPS: res[n+k].QPS(), WriteQPS: res[2*n+k].QPS(), Served: routers[k].Stats().Nodes}
		if sh := meter.nodeShares(k); len(sh) > 0 {
			p.PrimaryShare = sh[0]
			for i, x := range sh {
				if x > p.BusiestShare {
					p.BusiestShare, p.Busiest = x, sideNodes[k][i]
				}
			}
		}
		if sh := meter.nodeShares(2*n + k); len(sh) > 0 {
			p.WritePrimaryShare = sh[0]
		}
		m.Points = append(m.Points, p)
	}
	exp := &Experiment{
		Params: map[string]any{
			"flavor":            topo.Flavor,
			"clients":           s.Clients,
			"images":            data.Images,
			"duration_per_side": s.Duration.String(),
			"rounds":            s.Rounds,
			"read_share":        roundTo(float64(len(reads))/float64(len(mix)), 2),
		},
		Verdict: cubeVerdict(m),
	}
	for _, g := range m.gains() {
		exp.Params[g.key+"_read_gain"] = roundTo(g.read, 2)
		exp.Params[g.key+"_write_gain"] = roundTo(g.write, 2)
	}
	e.measured = m
	cubeReport(exp, m, reads, writes)
	return exp, nil
}

func cubeReport(exp *Experiment, m cubeMeasurements, reads, writes []string) {
	qps := Chart{Title: "Read and write capacity, one axis added at a time", XLabel: "one machine, then + replicas (X), + a keyspace for likes (Y), + that keyspace sharded (Z)", YLabel: "queries per second", Kind: "bar"}
	rs, ws, ms := Series{Name: "reads alone"}, Series{Name: "writes alone"}, Series{Name: "the application's mix"}
	t := Table{Title: "The scale cube, step by step (measured in alternating rounds)",
		Header: []string{"step", "axis", "nodes", "mix QPS", "read QPS", "÷ previous", "write QPS", "÷ previous", "first primary CPU (mix)", "first primary CPU (writes)", "busiest node (mix)"}}
	for i, p := range m.Points {
		x := float64(i + 1)
		label := "1 machine" // the chart's groups are narrow: the axis alone
		if p.Axis != "" {
			label = "+" + p.Axis
		}
		rs.Points = append(rs.Points, Point{X: x, Label: label, Y: p.ReadQPS})
		ws.Points = append(ws.Points, Point{X: x, Label: label, Y: p.WriteQPS})
		ms.Points = append(ms.Points, Point{X: x, Label: label, Y: p.MixQPS})
		rg, wg := "-", "-"
		if i > 0 {
			rg, wg = times(ratio(p.ReadQPS, m.Points[i-1].ReadQPS)), times(ratio(p.WriteQPS, m.Points[i-1].WriteQPS))
		}
		pc, wc, busy := "-", "-", "-"
		if m.Machine {
			pc, wc, busy = pct(p.PrimaryShare), pct(p.WritePrimaryShare), p.Busiest+" "+pct(p.BusiestShare)
		}
		axis := p.Axis
		if axis == "" {
			axis = "-"
		}
		t.Rows = append(t.Rows, []string{p.Step, axis, strconv.Itoa(p.Nodes), rate(p.MixQPS), rate(p.ReadQPS), rg, rate(p.WriteQPS), wg, pc, wc, busy})
	}
	qps.Series = []Series{rs, ws, ms}
	exp.Charts = []Chart{qps}
	exp.Tables = []Table{t}
	exp.Notes = []string{
		"The application, per client in turn: " + strings.Join(reads, "; ") + "; then " + strings.Join(writes, "; ") + ". Reads alone and writes alone run those parts by themselves, to find each step's read and write capacity.",
		"Every step runs on one sandbox: keyspace app (a primary and two replicas) holds every table; keyspaces likes (one primary) and zlikes (two shards, a primary each) hold copies of likes, which steps 3 and 4 route to, reads and writes alike. The likes keyspaces have no replicas: from step 3 on, likes is read from its primaries, so Y and Z give the likes reads fewer servers than X did (two replicas) while they give its writes more. A step's unused nodes serve no statements, but app's replicas apply every write to app in every step. During the runs, " + m.Machines + ".",
		"The first primary is app's: on one machine it serves everything; X moves reads off it, Y moves the likes table's writes off it, and Z splits those writes over two primaries.",
	}
}
