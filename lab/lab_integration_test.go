package lab

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/scalelab/scalelab/feed"
	"github.com/scalelab/scalelab/internal/dbtest"
)

// Every lab runs end to end at Small size, each in sandboxes of its own on
// its own ports. The checks are on what must hold whatever the machine's
// speed: the verdict is the verdict function of the measurements, the
// tables show the measured numbers, and counts that do not depend on
// timing (rows examined, statements, stale reads under strong modes, pool
// waits) are what they must be. No assertion is on a latency.

// runSmall runs a lab at Small size, checks the shape of its Experiment,
// prints it under -v, and returns it with its measurements.
func runSmall(t *testing.T, name string, cfg Config) (*Experiment, any) {
	t.Helper()
	cfg.Server = dbtest.RequireServer(t)
	cfg.Size = Small()
	cfg.Progress = func(line string) { t.Log(line) }
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	exp, m, err := run(ctx, name, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if exp.Name != name || exp.Title == "" || exp.Question == "" || exp.Verdict == "" {
		t.Errorf("got name %q, title %q, question %q, verdict %q: want all set", exp.Name, exp.Title, exp.Question, exp.Verdict)
	}
	if len(exp.Charts) == 0 || len(exp.Tables) == 0 {
		t.Errorf("got %d charts and %d tables, want some of each", len(exp.Charts), len(exp.Tables))
	}
	for _, c := range exp.Charts {
		if len(c.Series) == 0 || (c.Kind != "line" && c.Kind != "bar") {
			t.Errorf("chart %q: got %d series of kind %q, want some, line or bar", c.Title, len(c.Series), c.Kind)
		}
		for _, s := range c.Series {
			if len(s.Points) == 0 {
				t.Errorf("chart %q, series %q has no points", c.Title, s.Name)
			}
		}
	}
	for _, tb := range exp.Tables {
		if len(tb.Rows) == 0 {
			t.Errorf("table %q has no rows", tb.Title)
		}
		for _, r := range tb.Rows {
			if len(r) != len(tb.Header) {
				t.Errorf("table %q: row %v has %d cells for %d columns", tb.Title, r, len(r), len(tb.Header))
			}
		}
	}
	var b strings.Builder
	if err := Write(&b, FormatTable, exp); err != nil {
		t.Fatal(err)
	}
	if testing.Verbose() {
		os.Stdout.WriteString(b.String())
	}
	return exp, m
}

// table returns the experiment's table whose title starts with prefix.
func table(t *testing.T, exp *Experiment, prefix string) Table {
	t.Helper()
	for _, tb := range exp.Tables {
		if strings.HasPrefix(tb.Title, prefix) {
			return tb
		}
	}
	t.Fatalf("no table %q in %s", prefix, exp.Name)
	return Table{}
}

func TestIndexLab(t *testing.T) {
	exp, got := runSmall(t, "index", Config{BasePort: 28000})
	m := got.(indexMeasurements)
	if want := indexVerdict(m); exp.Verdict != want {
		t.Errorf("got verdict %q, want %q", exp.Verdict, want)
	}
	if len(m.Points) != len(Small().IndexRows) {
		t.Fatalf("got %d table sizes, want %d", len(m.Points), len(Small().IndexRows))
	}
	queries := table(t, exp, "Queries")
	for i, p := range m.Points {
		// Without the index both queries read the whole table; with it, a
		// few index entries.
		for _, q := range []indexQuery{p.Front, p.Lookup} {
			if q.Without.RowsExamined < p.Rows || q.With.RowsExamined > 50 {
				t.Errorf("%d rows: got rows examined %d without and %d with the index, want at least %d and at most 50",
					p.Rows, q.Without.RowsExamined, q.With.RowsExamined, p.Rows)
			}
		}
		if p.InsertWithout <= 0 || p.InsertWith <= 0 {
			t.Errorf("%d rows: got insert rates %v and %v, want both measured", p.Rows, p.InsertWithout, p.InsertWith)
		}
		if row := queries.Rows[4*i]; row[0] != count(p.Rows) || row[3] != count(p.Front.Without.RowsExamined) {
			t.Errorf("got table row %v, want %s rows and %s examined", row, count(p.Rows), count(p.Front.Without.RowsExamined))
		}
	}
	last := m.Points[len(m.Points)-1]
	if !strings.Contains(exp.Verdict, "cut rows examined from "+count(last.Front.Without.RowsExamined)+" to "+count(last.Front.With.RowsExamined)) {
		t.Errorf("got verdict %q, want it to quote the front page's rows examined", exp.Verdict)
	}
	if !strings.Contains(exp.Verdict, "without the index examined") || !strings.Contains(exp.Verdict, "O(n); with it") {
		t.Errorf("got verdict %q, want the scan to grow with the table, O(n)", exp.Verdict)
	}
	plan := table(t, exp, "EXPLAIN, front page")
	if plan.Rows[0][1] != "ALL" || plan.Rows[1][2] != "idx_images_dt" {
		t.Errorf("got plan rows %v, want type ALL without the index and key idx_images_dt with it", plan.Rows)
	}
}

func TestPoolLab(t *testing.T) {
	exp, got := runSmall(t, "pool", Config{BasePort: 28100})
	m := got.(poolMeasurements)
	if want := poolVerdict(m); exp.Verdict != want {
		t.Errorf("got verdict %q, want %q", exp.Verdict, want)
	}
	s := Small()
	if len(m.Points) != len(s.PoolSizes) {
		t.Fatalf("got %d pool sizes, want %d", len(m.Points), len(s.PoolSizes))
	}
	for i, p := range m.Points {
		if p.QPS <= 0 {
			t.Errorf("pool %d: got QPS %v, want some", p.Size, p.QPS)
		}
		// A pool at least as large as the clients never makes one wait;
		// one connection for several clients always does.
		switch {
		case p.Size >= s.PoolClients && p.Waits != 0:
			t.Errorf("pool %d for %d clients: got %d waits, want 0", p.Size, s.PoolClients, p.Waits)
		case p.Size == 1 && p.Waits == 0:
			t.Errorf("pool 1 for %d clients: got no waits, want some", s.PoolClients)
		}
		if row := table(t, exp, "Pool sizes").Rows[i]; row[4] != count(p.Waits) {
			t.Errorf("got table row %v, want %s waits", row, count(p.Waits))
		}
	}
	// The node is a machine of a quarter of the host's cores wherever cgroups can
	// be used, and shares the host's cores with --no-machines.
	if mach := probeMachines(false); mach.on && m.NodeCPU != mach.nodeCPU(2) {
		t.Errorf("cgroups work here, but the node's machine has %v cores, want %v", m.NodeCPU, mach.nodeCPU(2))
	}
}

func TestPoolLabWithoutMachines(t *testing.T) {
	exp, got := runSmall(t, "pool", Config{BasePort: 25700, NoMachines: true})
	if m := got.(poolMeasurements); m.NodeCPU != 0 || strings.Contains(exp.Verdict, "machine") {
		t.Errorf("--no-machines: the node had a machine of %v cores, want none", m.NodeCPU)
	}
}

func TestReplicasLab(t *testing.T) {
	exp, got := runSmall(t, "replicas", Config{BasePort: 28200})
	m := got.(replicasMeasurements)
	if want := replicasVerdict(m); exp.Verdict != want {
		t.Errorf("got verdict %q, want %q", exp.Verdict, want)
	}
	if len(m.Points) != Small().Replicas+1 {
		t.Fatalf("got %d replica counts, want %d", len(m.Points), Small().Replicas+1)
	}
	mach := probeMachines(false)
	for _, p := range m.Points {
		if p.WriteQPS <= 0 || p.ReadQPS != 0.9*p.QPS {
			t.Errorf("%d replicas: read QPS %v of %v, write QPS %v: want 9 in 10 statements read, and writes measured", p.Replicas, p.ReadQPS, p.QPS, p.WriteQPS)
		}
		if m.Machine != mach.on || (mach.on && (p.PrimaryShare <= 0 || (p.Replicas > 0 && p.ReplicaCPU <= 0))) {
			t.Errorf("%d replicas: machines %v (cgroups usable: %v), primary CPU %v, replicas' CPU %v", p.Replicas, m.Machine, mach.on, p.PrimaryShare, p.ReplicaCPU)
		}
		// Nine statements in ten are reads, and every read goes to a
		// replica when there is one. A run that ends by time cuts each
		// client's sequence of ten short, before its closing write more
		// often than not: each client's cut adds at most 0.9 of a read
		// beyond nine in ten, in each run (a warm-up and a measured run a
		// round), so the share may pass 0.9 by up to that many reads over
		// the statements the runs made. On a slow host the runs are
		// short, and that is more than a few hundredths.
		s := Small()
		clients := float64(max(s.Clients, clientsPerNode*(s.Replicas+1)))
		statements := p.QPS * (s.Duration + s.Warmup).Seconds() * float64(s.Rounds)
		over := 0.01
		if statements > 0 {
			over += 0.9 * clients * 2 * float64(s.Rounds) / statements
		}
		if want := 0.9 * float64(min(p.Replicas, 1)); p.ReplicaShare < want-0.02 || (p.Replicas > 0 && p.ReplicaShare > want+over) || (p.Replicas == 0 && p.ReplicaShare != 0) {
			t.Errorf("%d replicas: got %.3f of statements on replicas, want %.1f (at most %.3f over it, from %.0f statements)", p.Replicas, p.ReplicaShare, want, over, statements)
		}
	}
	if len(m.Stale) != 3*len(m.Points) {
		t.Fatalf("got %d stale-read results, want %d", len(m.Stale), 3*len(m.Points))
	}
	for _, s := range m.Stale {
		// Only eventual reads from a replica may be stale.
		if s.Reads == 0 || (s.Stale != 0 && (s.Mode != "eventual" || s.Replicas == 0)) {
			t.Errorf("%d replicas, %s: got %d of %d reads stale, want some reads and none stale", s.Replicas, s.Mode, s.Stale, s.Reads)
		}
		if s.Mode == "strong" && s.PrimaryRead != 1 {
			t.Errorf("%d replicas, strong: got %.2f of reads on the primary, want all", s.Replicas, s.PrimaryRead)
		}
	}
	if !strings.Contains(exp.Verdict, "0% under read-your-writes and 0% under strong") {
		t.Errorf("got verdict %q, want no stale reads under read-your-writes and strong", exp.Verdict)
	}
}

func TestShardsLab(t *testing.T) {
	exp, got := runSmall(t, "shards", Config{BasePort: 28300})
	m := got.(shardsMeasurements)
	if want := shardsVerdict(m); exp.Verdict != want {
		t.Errorf("got verdict %q, want %q", exp.Verdict, want)
	}
	s := Small()
	if len(m.Points) != len(s.ShardCounts) || len(m.Balance) != 3 {
		t.Fatalf("got %d shard counts and %d balances, want %d and 3", len(m.Points), len(m.Balance), len(s.ShardCounts))
	}
	rows := table(t, exp, "Rows per shard")
	if len(rows.Header) != 1+s.ShardCounts[len(s.ShardCounts)-1] {
		t.Errorf("got rows per shard for %d shards, want %d", len(rows.Header)-1, s.ShardCounts[len(s.ShardCounts)-1])
	}
	r := m.Reshard
	data := dataset(s.ReshardRows)
	if total := int64(data.Users + data.Images + data.Likes); r == nil || r.HashTotal != total || r.ModuloTotal != total {
		t.Fatalf("got reshard %+v, want %d rows on each side", r, total)
	}
	// Splitting one of two hash ranges moves about half of that range's
	// rows; a new modulus moves rows of every shard.
	if r.HashMoved == 0 || r.HashMoved >= r.ModuloMoved {
		t.Errorf("got %d rows moved by the hash split and %d by modulo, want fewer, but some, by the split", r.HashMoved, r.ModuloMoved)
	}
	if !strings.Contains(exp.Verdict, "as many: a split moves only keys of the split range") {
		t.Errorf("got verdict %q, want modulo to move more", exp.Verdict)
	}
	// The hash split ran online, under a client's writes (on MariaDB).
	if r.OnlineWrites <= 0 || r.OnlinePause <= 0 || r.SwitchWindow <= 0 {
		t.Errorf("online split: %d writes, pause %v, switch window %v: want writes, a pause and a window", r.OnlineWrites, r.OnlinePause, r.SwitchWindow)
	}
	mach := probeMachines(false)
	if m.Machine != mach.on {
		t.Errorf("machines %v, but cgroups usable: %v", m.Machine, mach.on)
	}
	for _, p := range m.Points {
		if p.ClientCores <= 0 || (mach.on && p.NodeShare <= 0) {
			t.Errorf("%d shards: client cores %v, shards' CPU %v: want both measured", p.Shards, p.ClientCores, p.NodeShare)
		}
	}
	// The hot-shard run watched every primary, and their statements add up
	// to about what the bench sent (the routers' health checks add a few).
	// Counts, not rates: the nodes are watched from before the bench's
	// first statement to after its last, a longer time than its own.
	h := m.Hot
	if h == nil || len(h.Nodes) != s.ShardCounts[len(s.ShardCounts)-1] || h.QPS <= 0 || h.Sent <= 0 {
		t.Fatalf("hot shard: got %+v, want every primary watched under load", h)
	}
	var sum float64
	for _, n := range h.Nodes {
		sum += n.Statements
		if (n.CPUShare >= 0) != mach.on || n.CPUShare > 1.5 {
			t.Errorf("hot shard: node %+v, want a CPU share of its quota exactly when cgroups are usable", n)
		}
	}
	if sent := float64(h.Sent); sum < 0.7*sent || sum > 1.5*sent {
		t.Errorf("hot shard: the nodes served %.0f statements, the bench sent %.0f", sum, sent)
	}
}

func TestBatchLab(t *testing.T) {
	exp, got := runSmall(t, "batch", Config{BasePort: 28400})
	m := got.(batchMeasurements)
	if want := batchVerdict(m); exp.Verdict != want {
		t.Errorf("got verdict %q, want %q", exp.Verdict, want)
	}
	if m.Items != feed.FeedPageSize {
		t.Fatalf("got %d items a page, want %d", m.Items, feed.FeedPageSize)
	}
	// The page's images are one statement per shard, and N+1 adds two per
	// image. The dataloader adds one per shard for the authors and one for
	// the like counts, or a few more when its 1ms batching window closes
	// before every key is queued (a slow machine, the race detector).
	if want := batchShards + 2*float64(m.Items); m.NPlusOne.Statements != want {
		t.Errorf("N+1: got %v statements per page, want %v", m.NPlusOne.Statements, want)
	}
	if min := 3.0 * batchShards; m.Batched.Statements < min || m.Batched.Statements > 2*min {
		t.Errorf("dataloader: got %v statements per page, want %v to %v", m.Batched.Statements, min, 2*min)
	}
	for _, f := range []feedStats{m.NPlusOne, m.Batched} {
		if f.ServerSelects != f.Statements {
			t.Errorf("got %v server SELECTs per page for %v statements, want the same", f.ServerSelects, f.Statements)
		}
	}
	if !strings.Contains(exp.Verdict, "statements per page instead of 102") || !strings.Contains(exp.Verdict, "fewer)") {
		t.Errorf("got verdict %q, want it to quote the statements", exp.Verdict)
	}
}

func TestFailoverLab(t *testing.T) {
	exp, got := runSmall(t, "failover", Config{BasePort: 28900})
	m := got.(failoverMeasurements)
	if want := failoverVerdict(m); exp.Verdict != want {
		t.Errorf("got verdict %q, want %q", exp.Verdict, want)
	}
	if len(m.Runs) != 2 || m.Runs[0].SemiSync || !m.Runs[1].SemiSync {
		t.Fatalf("got runs %+v, want async then semi-sync", m.Runs)
	}
	for _, r := range m.Runs {
		if r.Acked == 0 || r.Unavailable <= 0 {
			t.Errorf("%s: %+v: want acknowledged writes and a measured outage", r.mode(), r)
		}
	}
	// The guarantee semi-sync exists for.
	if m.Runs[1].Lost != 0 {
		t.Errorf("semi-sync lost %d acknowledged writes", m.Runs[1].Lost)
	}
}

// TestCubeLab runs the cube lab and checks where each step's statements
// ran: everything on app's primary on one machine; reads on app's replicas
// with X; likes on keyspace likes's primary with Y, and on zlikes's two
// primaries with Z.
func TestCubeLab(t *testing.T) {
	exp, got := runSmall(t, "cube", Config{BasePort: 29000})
	m := got.(cubeMeasurements)
	if want := cubeVerdict(m); exp.Verdict != want {
		t.Errorf("got verdict %q, want %q", exp.Verdict, want)
	}
	if len(m.Points) != 4 {
		t.Fatalf("got %d steps, want 4", len(m.Points))
	}
	served := func(k int, prefix string) uint64 {
		var n uint64
		for node, c := range m.Points[k].Served {
			if strings.HasPrefix(node, prefix) {
				n += c
			}
		}
		return n
	}
	for k, p := range m.Points {
		if p.MixQPS <= 0 || p.ReadQPS <= 0 || p.WriteQPS <= 0 {
			t.Errorf("step %q: mix %v, reads %v, writes %v QPS: want all measured", p.Step, p.MixQPS, p.ReadQPS, p.WriteQPS)
		}
		var total uint64
		for _, c := range p.Served {
			total += c
		}
		for _, c := range []struct {
			prefix string
			want   bool
		}{
			{"app/0/primary", true},
			{"app/0/replica", k >= 1},
			{"likes/0/", k == 2},
			{"zlikes/-80/", k == 3},
			{"zlikes/80-/", k == 3},
		} {
			if n := served(k, c.prefix); (n > 0) != c.want {
				t.Errorf("step %q: %d of %d statements on %s*, want some: %v (%v)", p.Step, n, total, c.prefix, c.want, p.Served)
			}
		}
	}
	if _, ok := exp.Params["z_write_gain"]; !ok {
		t.Errorf("params %v: want each axis's gains, for a teacher to check", exp.Params)
	}
}
