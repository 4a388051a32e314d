package lab

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/scalelab/scalelab/feed"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/topology"
)

// batchShards is the shard count of the batch lab's own sandbox: enough to
// show the dataloader grouping keys per shard.
const batchShards = 2

// feedWay is one way of building a feed page.
type feedWay struct {
	name  string
	build func(ctx context.Context, r *router.Router) ([]feed.FeedItem, error)
}

func feedWays() []feedWay {
	return []feedWay{
		{"N+1", feed.FeedNPlusOne},
		{"dataloader", func(ctx context.Context, r *router.Router) ([]feed.FeedItem, error) {
			l, err := feed.New(r, feed.Config{})
			if err != nil {
				return nil, err
			}
			return feed.FeedBatched(ctx, r, l)
		}},
	}
}

func runBatch(ctx context.Context, e *env) (*Experiment, error) {
	s := e.cfg.Size
	topo, data, err := e.loaded(ctx, e.batchTopology)
	if err != nil {
		return nil, err
	}
	// No heartbeat and no lag probes: the servers' SELECT counters then
	// count the feed's statements only.
	r, err := router.Open(ctx, topo, router.Config{Replica: replica.Config{NoHeartbeatWriter: true, MaxLag: -1, HeartbeatInterval: time.Hour}})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	status, err := openStatus(topo)
	if err != nil {
		return nil, err
	}
	defer status.close()

	ways := feedWays()
	first := make([][]feed.FeedItem, len(ways))
	for i, w := range ways { // warm up, and check that both build the same page
		if first[i], err = w.build(ctx, r); err != nil {
			return nil, fmt.Errorf("%s feed: %w", w.name, err)
		}
	}
	if err := sameFeed(first[0], first[1]); err != nil {
		return nil, err
	}
	e.say("building %d feed pages each way, in alternating blocks", s.FeedPages)
	lat := []*sample{newSample(), newSample()}
	stmts, selects, pages := make([]uint64, 2), make([]int64, 2), make([]int, 2)
	per := max(s.FeedPages/s.Rounds, 1)
	for round := range s.Rounds {
		for k := range ways {
			i := (k + round) % len(ways)
			before, err := status.selects(ctx)
			if err != nil {
				return nil, err
			}
			st := r.Stats()
			for range per {
				start := time.Now()
				if _, err := ways[i].build(ctx, r); err != nil {
					return nil, fmt.Errorf("%s feed: %w", ways[i].name, err)
				}
				lat[i].record(time.Since(start))
			}
			stmts[i] += feed.Diff(st, r.Stats()).Statements
			after, err := status.selects(ctx)
			if err != nil {
				return nil, err
			}
			selects[i] += after - before
			pages[i] += per
		}
	}
	feed := func(i int) feedStats {
		return feedStats{P50: lat[i].P(50), P99: lat[i].P(99),
			Statements: float64(stmts[i]) / float64(pages[i]), ServerSelects: float64(selects[i]) / float64(pages[i])}
	}
	m := batchMeasurements{Items: len(first[0]), NPlusOne: feed(0), Batched: feed(1)}
	exp := &Experiment{
		Params: map[string]any{
			"flavor":     topo.Flavor,
			"topology":   topo.Name,
			"shards":     len(topo.Shards),
			"images":     data.Images,
			"page_items": m.Items,
			"pages":      pages[0],
		},
		Verdict: batchVerdict(m),
	}
	e.measured = m
	batchReport(exp, m, lat, pages)
	return exp, nil
}

// batchTopology is a sandbox of batchShards shards, or Config.Topology.
func (e *env) batchTopology(ctx context.Context) (*topology.Topology, error) {
	if e.cfg.Topology != nil {
		if len(e.cfg.Topology.Tables) == 0 {
			t := *e.cfg.Topology
			t.Tables = sampleTables("")
			return &t, nil
		}
		return e.cfg.Topology, nil
	}
	sb, err := e.start(ctx, "batch", 0, startConfig(batchShards, 0, sampleTables("")))
	if err != nil {
		return nil, err
	}
	return sb.Topology, nil
}

// sameFeed checks that two ways built the same page.
func sameFeed(a, b []feed.FeedItem) error {
	if len(a) != len(b) {
		return fmt.Errorf("the feeds disagree: %d items against %d", len(a), len(b))
	}
	for i := range a {
		if a[i].Image.ID != b[i].Image.ID || a[i].Author.ID != b[i].Author.ID || a[i].Likes != b[i].Likes {
			return fmt.Errorf("the feeds disagree at item %d: image %d by %d with %d likes, against image %d by %d with %d likes",
				i, a[i].Image.ID, a[i].Author.ID, a[i].Likes, b[i].Image.ID, b[i].Author.ID, b[i].Likes)
		}
	}
	return nil
}

// statusReader reads the servers' own statement counters.
type statusReader struct{ dbs []*sql.DB }

func openStatus(t *topology.Topology) (*statusReader, error) {
	s := &statusReader{}
	for _, n := range t.Nodes() {
		db, err := openNode(t, n.Addr, false, 1)
		if err != nil {
			s.close()
			return nil, err
		}
		s.dbs = append(s.dbs, db)
	}
	return s, nil
}

func (s *statusReader) close() {
	for _, db := range s.dbs {
		db.Close()
	}
}

// selects sums Com_select, the SELECT statements each server has run; SHOW
// STATUS itself counts as Com_show_status, not as a SELECT.
func (s *statusReader) selects(ctx context.Context) (int64, error) {
	var total int64
	for _, db := range s.dbs {
		var name, v string
		if err := db.QueryRowContext(ctx, "SHOW GLOBAL STATUS LIKE 'Com_select'").Scan(&name, &v); err != nil {
			return 0, fmt.Errorf("read Com_select: %w", err)
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("read Com_select: %q: %w", v, err)
		}
		total += n
	}
	return total, nil
}

func batchReport(exp *Experiment, m batchMeasurements, lat []*sample, pages []int) {
	ways := feedWays()
	lc := Chart{Title: "Feed page latency", XLabel: "way", YLabel: "latency (ms)", Kind: "bar"}
	sc := Chart{Title: "Statements per feed page", XLabel: "way", YLabel: "statements", Kind: "bar"}
	p50, p99 := Series{Name: "p50"}, Series{Name: "p99"}
	rs, ss := Series{Name: "sent by the router"}, Series{Name: "counted by the servers (Com_select)"}
	t := Table{Title: "Feed pages of " + strconv.Itoa(m.Items) + " images (ways measured in alternating blocks)",
		Header: []string{"way", "pages", "p50 ms", "p99 ms", "pages/s", "statements/page", "server SELECTs/page"}}
	for i, f := range []feedStats{m.NPlusOne, m.Batched} {
		x := float64(i)
		p50.Points = append(p50.Points, Point{X: x, Label: ways[i].name, Y: msFloat(f.P50)})
		p99.Points = append(p99.Points, Point{X: x, Label: ways[i].name, Y: msFloat(f.P99)})
		rs.Points = append(rs.Points, Point{X: x, Label: ways[i].name, Y: f.Statements})
		ss.Points = append(ss.Points, Point{X: x, Label: ways[i].name, Y: f.ServerSelects})
		t.Rows = append(t.Rows, []string{ways[i].name, strconv.Itoa(pages[i]), msCell(f.P50), msCell(f.P99), rate(lat[i].QPS()),
			strconv.FormatFloat(f.Statements, 'f', 1, 64), strconv.FormatFloat(f.ServerSelects, 'f', 1, 64)})
	}
	lc.Series, sc.Series = []Series{p50, p99}, []Series{rs, ss}
	exp.Charts = []Chart{lc, sc}
	exp.Tables = []Table{t}
	exp.Notes = []string{
		"Both ways first read the page's newest images (one scatter query, one statement per shard).",
		"N+1 then asks, image after image, for its author and for its like count: two statements per image, one after another.",
		"The dataloader collects the page's author ids and image ids and sends one SELECT … WHERE id IN (…) per shard for the authors and one per shard for the like counts, all at once.",
		"Each statement is one round trip between the router and a server; the servers' own Com_select counters confirm the router's count.",
	}
}
