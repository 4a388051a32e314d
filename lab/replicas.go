package lab

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/schema"
	"github.com/scalelab/scalelab/topology"
)

const (
	// staleTable holds one counter row per stale-check client.
	staleTable = "lab_stale"
	// staleClients is the concurrency of the stale-read checks.
	staleClients = 4
	// lagSampleEvery is how often replication lag is sampled while a
	// replica count is measured; the monitor's heartbeat runs at
	// lagHeartbeat, which is the lag figure's resolution.
	lagSampleEvery = 10 * time.Millisecond
	lagHeartbeat   = 50 * time.Millisecond
)

// readHeavy is the replicas lab's workload: nine reads (a user's newest
// images, a user, an image's like count) to one write (renaming a user).
func readHeavy(data schema.Config) []string {
	u := "{u:uniform(1," + strconv.Itoa(data.Users) + ")}"
	img := "{i:uniform(1," + strconv.Itoa(data.Images) + ")}"
	reads := []string{
		"SELECT id, name, path, dt FROM images WHERE user_id = " + u + " ORDER BY dt DESC LIMIT 10",
		"SELECT * FROM users WHERE id = " + u,
		"SELECT COUNT(*) FROM likes WHERE image_id = " + img,
	}
	var out []string
	for range 3 {
		out = append(out, reads...)
	}
	return append(out, "UPDATE users SET name = CONCAT('user-', {n:uniform(1,1000000)}) WHERE id = "+u)
}

func runReplicas(ctx context.Context, e *env) (*Experiment, error) {
	s := e.cfg.Size
	topo, usage, err := e.replicasTopology(ctx)
	if err != nil {
		return nil, err
	}
	maxR := len(topo.Shards[0].Replicas)
	// Read QPS is capacity: enough clients to keep every node busy.
	capacityClients := max(s.Clients, clientsPerNode*(maxR+1))
	data := dataset(s.Rows)
	if _, err := e.load(ctx, topo, data, schema.IndexSetFull); err != nil {
		return nil, err
	}
	// The monitor writes the heartbeat and reads every replica's lag; the
	// measured routers only read the heartbeat row.
	mon, err := router.Open(ctx, topo, router.Config{Replica: replica.Config{HeartbeatInterval: lagHeartbeat}})
	if err != nil {
		return nil, fmt.Errorf("open the monitoring router: %w", err)
	}
	defer mon.Close()
	if err := execAllOn(ctx, mon,
		"DROP TABLE IF EXISTS "+staleTable,
		"CREATE TABLE "+staleTable+" (id INT PRIMARY KEY, v BIGINT NOT NULL)"); err != nil {
		return nil, err
	}
	if err := waitReplicas(ctx, topo); err != nil {
		return nil, err
	}

	routers := make([]*router.Router, maxR+1)
	defer func() {
		for _, r := range routers {
			if r != nil {
				r.Close()
			}
		}
	}()
	lag := &lagSampler{set: mon.Sets()[0], max: make([]time.Duration, maxR+1)}
	mix := readHeavy(data)
	write := mix[len(mix)-1]
	// Sides 0…maxR run the read-heavy mix, sides maxR+1… the writes alone.
	sides := make([]side, 2*(maxR+1))
	sideNodes := make([][]string, 2*(maxR+1))
	nodes := topo.Nodes()
	for k := 0; k <= maxR; k++ {
		shape := *topo
		shape.Shards = []topology.Shard{topo.Shards[0]}
		shape.Shards[0].Replicas = topo.Shards[0].Replicas[:k]
		r, err := router.Open(ctx, &shape, router.Config{Replica: replica.Config{NoHeartbeatWriter: true}})
		if err != nil {
			return nil, fmt.Errorf("open the router with %s: %w", replicas(k), err)
		}
		routers[k] = r
		// The writes run through a router of their own, so that r's route
		// counts are the mix's.
		w, err := router.Open(ctx, &shape, router.Config{Replica: replica.Config{NoHeartbeatWriter: true}})
		if err != nil {
			return nil, fmt.Errorf("open the router with %s: %w", replicas(k), err)
		}
		routers = append(routers, w)
		sides[k] = side{name: replicas(k), target: r, clients: capacityClients, queries: mix,
			begin: func() { lag.watch(k) }, end: func() { lag.watch(-1) }}
		sides[maxR+1+k] = side{name: replicas(k) + ", writes only", target: w, clients: capacityClients, queries: []string{write}}
		for _, n := range nodes[:k+1] { // the primary, then the replicas in use
			sideNodes[k] = append(sideNodes[k], n.Name)
		}
		sideNodes[maxR+1+k] = []string{nodes[0].Name}
	}
	meter := newCPUMeter(usage, sideNodes)
	for i := range sides {
		sides[i].begin, sides[i].end = meter.hooks(i, sides[i].begin, sides[i].end)
	}
	e.say("measuring a 90%% read mix, and its writes alone, at %d clients with 0 to %d replicas, %v each", capacityClients, maxR, s.Duration)
	stop := lag.run()
	res, err := interleave(ctx, sides, s.Duration, s.Warmup, s.Rounds)
	stop()
	if err != nil {
		return nil, err
	}
	m := replicasMeasurements{Cores: runtime.NumCPU(), Machines: e.machines.describe(maxR + 1), Machine: usage != nil && e.machines.on}
	for k, r := range routers[:maxR+1] {
		st := r.Stats()
		var total uint64
		for _, n := range st.Routes {
			total += n
		}
		share := 0.0
		if total > 0 {
			share = float64(st.Routes[router.RouteReplica]) / float64(total)
		}
		p := replicaPoint{Replicas: k, QPS: res[k].QPS(), ReadQPS: res[k].QPS() * readShare(mix), WriteQPS: res[maxR+1+k].QPS(),
			P99: res[k].P(99), LagMax: lag.max[k], ReplicaShare: share, ClientCores: meter.clientCores(k)}
		if sh := meter.nodeShares(k); len(sh) > 0 {
			p.PrimaryShare, p.ReplicaCPU = sh[0], mean(sh[1:])
		}
		if sh := meter.nodeShares(maxR + 1 + k); len(sh) > 0 {
			p.WritePrimaryShare = sh[0]
		}
		m.Points = append(m.Points, p)
	}
	e.say("checking stale reads: %d write-then-read pairs per mode and replica count", s.StaleChecks)
	for k, r := range routers[:maxR+1] {
		for _, mode := range []router.Consistency{router.Eventual, router.ReadYourWrites, router.Strong} {
			sr, err := staleCheck(ctx, r, mode, s.StaleChecks)
			if err != nil {
				return nil, fmt.Errorf("stale reads with %s under %s: %w", replicas(k), mode, err)
			}
			sr.Replicas = k
			m.Stale = append(m.Stale, sr)
		}
	}
	exp := &Experiment{
		Params: map[string]any{
			"flavor":            topo.Flavor,
			"topology":          topo.Name,
			"clients":           capacityClients,
			"replicas":          maxR,
			"images":            data.Images,
			"read_share":        0.9,
			"duration_per_side": s.Duration.String(),
			"rounds":            s.Rounds,
			"stale_checks":      s.StaleChecks,
		},
		Verdict: replicasVerdict(m),
	}
	e.measured = m
	replicasReport(exp, m, res, readHeavy(data))
	return exp, nil
}

// replicasTopology is a sandbox of one primary with Size.Replicas
// replicas, or the first shard of Config.Topology, which needs at least one
// replica, with the sample tables unsharded there. usage reads the nodes'
// machines: nil for Config.Topology.
func (e *env) replicasTopology(ctx context.Context) (*topology.Topology, replica.UsageFunc, error) {
	if e.cfg.Topology == nil {
		sb, err := e.start(ctx, "replicas", 0, startConfig(1, e.cfg.Size.Replicas, nil))
		if err != nil {
			return nil, nil, err
		}
		return sb.Topology, sb.Usage, nil
	}
	first := e.cfg.Topology.Shards[0]
	if len(first.Replicas) == 0 {
		return nil, nil, fmt.Errorf("topology %s: shard %s has no replicas: start one with `scalelab up --replicas 2`, or run the lab without --topology", e.cfg.Topology.Name, first.Name)
	}
	t := *e.cfg.Topology
	first.Name = "0"
	t.Shards = []topology.Shard{first}
	t.Tables, t.Keyspaces = nil, nil
	return &t, nil, nil
}

// readShare is the share of a workload's statements that read.
func readShare(queries []string) float64 {
	reads := 0
	for _, q := range queries {
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(q)), "SELECT") {
			reads++
		}
	}
	return float64(reads) / float64(max(len(queries), 1))
}

// lagSampler records the largest lag of the replicas in use while each
// replica count is measured.
type lagSampler struct {
	set *replica.Set
	cur atomic.Int64 // replica count being measured, -1 for none
	mu  sync.Mutex
	max []time.Duration
}

func (l *lagSampler) watch(k int) { l.cur.Store(int64(k)) }

// run samples until the returned stop is called.
func (l *lagSampler) run() (stop func()) {
	l.cur.Store(-1)
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(lagSampleEvery)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				k := int(l.cur.Load())
				if k <= 0 {
					continue
				}
				for _, r := range l.set.Replicas()[:min(k, len(l.set.Replicas()))] {
					if d, ok := r.Lag(); ok {
						l.mu.Lock()
						l.max[k] = max(l.max[k], d)
						l.mu.Unlock()
					}
				}
			}
		}
	}()
	return func() { close(quit); <-done }
}

// staleCheck has staleClients clients each write a new value to their own
// row and read it back at once, through r under mode, and counts the reads
// that did not see the value just written.
func staleCheck(ctx context.Context, r *router.Router, mode router.Consistency, checks int) (staleResult, error) {
	res := staleResult{Mode: string(mode)}
	mr := r.With(mode)
	per := max(checks/staleClients, 1)
	var mu sync.Mutex
	lat := newSample()
	var primary int64
	errs := make(chan error, staleClients)
	var wg sync.WaitGroup
	for c := range staleClients {
		wg.Go(func() {
			id := c + 1
			if _, err := mr.ExecContext(ctx, "REPLACE INTO "+staleTable+" (id, v) VALUES (?, 0)", id); err != nil {
				errs <- err
				return
			}
			for i := 1; i <= per; i++ {
				if _, err := mr.ExecContext(ctx, "UPDATE "+staleTable+" SET v = ? WHERE id = ?", i, id); err != nil {
					errs <- err
					return
				}
				var tr router.Trace
				var v int64
				start := time.Now()
				err := mr.GetContext(router.WithTrace(ctx, &tr), &v, "SELECT v FROM "+staleTable+" WHERE id = ?", id)
				d := time.Since(start)
				if err != nil && !errors.Is(err, sql.ErrNoRows) {
					errs <- err
					return
				}
				mu.Lock()
				res.Reads++
				if err != nil || v < int64(i) {
					res.Stale++
				}
				if tr.Route != router.RouteReplica {
					primary++
				}
				lat.record(d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return res, err
	}
	res.ReadP50 = lat.P(50)
	if res.Reads > 0 {
		res.PrimaryRead = float64(primary) / float64(res.Reads)
	}
	return res, ctx.Err()
}

// execAllOn runs statements in order through the router.
func execAllOn(ctx context.Context, r *router.Router, stmts ...string) error {
	for _, s := range stmts {
		if _, err := r.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", firstWords(s), err)
		}
	}
	return nil
}

func replicasReport(exp *Experiment, m replicasMeasurements, res []*sample, queries []string) {
	qps := Chart{Title: "Read and write capacity against replica count", XLabel: "replicas", YLabel: "queries per second", Kind: "line"}
	p99 := Chart{Title: "p99 latency against replica count", XLabel: "replicas", YLabel: "p99 latency (ms)", Kind: "bar"}
	stale := Chart{Title: "Stale reads right after a write, by consistency mode", XLabel: "replicas", YLabel: "stale reads (%)", Kind: "bar"}
	q, l := Series{Name: "reads (90% read mix)"}, Series{Name: "p99"}
	ideal, w := Series{Name: "reads, ideal", Ideal: true}, Series{Name: "writes alone"}
	t := Table{Title: "Replica counts (measured in alternating rounds)",
		Header: []string{"replicas", "QPS", "read QPS", "÷ 0 replicas", "ideal", "writes alone QPS", "p50 ms", "p99 ms", "max lag ms", "served by replicas", "primary CPU", "replicas' CPU", "client cores"}}
	for i, p := range m.Points {
		label := replicas(p.Replicas)
		x := float64(p.Replicas)
		q.Points = append(q.Points, Point{X: x, Label: label, Y: p.ReadQPS})
		ideal.Points = append(ideal.Points, Point{X: x, Label: label, Y: m.Points[0].ReadQPS * idealReplicas(p.Replicas)})
		w.Points = append(w.Points, Point{X: x, Label: label, Y: p.WriteQPS})
		l.Points = append(l.Points, Point{X: float64(p.Replicas), Label: label, Y: msFloat(p.P99)})
		lag := "-"
		if p.Replicas > 0 {
			lag = msCell(p.LagMax)
		}
		pcpu, rcpu := "-", "-"
		if m.Machine {
			pcpu = pct(p.PrimaryShare)
			if p.Replicas > 0 {
				rcpu = pct(p.ReplicaCPU)
			}
		}
		t.Rows = append(t.Rows, []string{strconv.Itoa(p.Replicas), rate(p.QPS), rate(p.ReadQPS), times(ratio(p.ReadQPS, m.Points[0].ReadQPS)), times(idealReplicas(p.Replicas)),
			rate(p.WriteQPS), msCell(res[i].P(50)), msCell(p.P99), lag, pct(p.ReplicaShare), pcpu, rcpu, strconv.FormatFloat(p.ClientCores, 'f', 2, 64)})
	}
	st := Table{Title: "Write, then read it back at once (" + strconv.Itoa(staleClients) + " clients)",
		Header: []string{"replicas", "consistency", "reads", "stale", "stale %", "read p50 ms", "read on primary"}}
	byMode := map[string]*Series{}
	var order []string
	for _, s := range m.Stale {
		sr, ok := byMode[s.Mode]
		if !ok {
			sr = &Series{Name: s.Mode}
			byMode[s.Mode] = sr
			order = append(order, s.Mode)
		}
		sr.Points = append(sr.Points, Point{X: float64(s.Replicas), Label: replicas(s.Replicas), Y: s.Rate() * 100})
		st.Rows = append(st.Rows, []string{strconv.Itoa(s.Replicas), s.Mode, count(s.Reads), count(s.Stale), pct(s.Rate()), msCell(s.ReadP50), pct(s.PrimaryRead)})
	}
	for _, mode := range order {
		stale.Series = append(stale.Series, *byMode[mode])
	}
	qps.Series, p99.Series = []Series{q, ideal, w}, []Series{l}
	exp.Charts = []Chart{qps, p99, stale}
	exp.Tables = []Table{t, st}
	exp.Notes = []string{
		"Workload, per client in turn: three rounds of " + queries[0] + "; " + queries[1] + "; " + queries[2] + "; then " + queries[len(queries)-1] + ".",
		"Every replica count runs on the same servers: the replicas not in use keep replicating but serve no reads. During the runs, " + m.Machines + ".",
		"The ideal read line assumes reads leave the primary for the replicas: 1 replica matches the primary alone, and each further one adds a server. Writes alone runs the mix's UPDATE by itself, to find the primary's write ceiling.",
		"Lag is heartbeat lag (a row the primary rewrites every " + lagHeartbeat.String() + "), sampled every " + lagSampleEvery.String() + " while the replica count was measured; its resolution is the heartbeat interval.",
		"eventual reads any replica; read-your-writes waits on the replica for the GTID of the client's last write (MASTER_GTID_WAIT or WAIT_FOR_EXECUTED_GTID_SET) and falls back to the primary after a timeout; strong reads the primary.",
	}
}
