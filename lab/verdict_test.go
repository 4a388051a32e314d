package lab

import (
	"slices"
	"strings"
	"testing"
	"time"
)

const ms1 = time.Millisecond

// verdictCase is one verdict test: the sentence must contain every string
// of want and none of reject.
type verdictCase struct {
	name   string
	got    string
	want   []string
	reject []string
}

func checkVerdicts(t *testing.T, cases []verdictCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, w := range tc.want {
				if !strings.Contains(tc.got, w) {
					t.Errorf("got %q, want it to contain %q", tc.got, w)
				}
			}
			for _, r := range tc.reject {
				if strings.Contains(tc.got, r) {
					t.Errorf("got %q, want it not to contain %q", tc.got, r)
				}
			}
		})
	}
}

func indexNumbers() indexMeasurements {
	return indexMeasurements{Points: []indexPoint{
		{
			Rows:          10_000,
			Front:         indexQuery{Without: queryStats{P50: 5 * ms1, RowsExamined: 10_005}, With: queryStats{P50: 120 * time.Microsecond, RowsExamined: 5}},
			Lookup:        indexQuery{Without: queryStats{P50: 4 * ms1, RowsExamined: 10_000}, With: queryStats{P50: 150 * time.Microsecond, RowsExamined: 11}},
			InsertWithout: 50_000, InsertWith: 40_000,
		},
		{
			Rows:          160_000,
			Front:         indexQuery{Without: queryStats{P50: 80 * ms1, RowsExamined: 160_005}, With: queryStats{P50: 125 * time.Microsecond, RowsExamined: 5}},
			Lookup:        indexQuery{Without: queryStats{P50: 60 * ms1, RowsExamined: 160_000}, With: queryStats{P50: 200 * time.Microsecond, RowsExamined: 12}},
			InsertWithout: 52_000, InsertWith: 40_000,
		},
	}}
}

// reverseIndex swaps the two sides of every measurement.
func reverseIndex(m indexMeasurements) indexMeasurements {
	for i, p := range m.Points {
		p.Front.Without, p.Front.With = p.Front.With, p.Front.Without
		p.Lookup.Without, p.Lookup.With = p.Lookup.With, p.Lookup.Without
		p.InsertWithout, p.InsertWith = p.InsertWith, p.InsertWithout
		m.Points[i] = p
	}
	return m
}

func TestIndexVerdict(t *testing.T) {
	normal := indexVerdict(indexNumbers())
	reversed := indexVerdict(reverseIndex(indexNumbers()))
	checkVerdicts(t, []verdictCase{
		{"normal", normal,
			[]string{"At 160,000 images", "cut rows examined from 160,005 to 5", "made it 640× faster (p50 80.0 ms → 0.125 ms)",
				"cut rows examined from 160,000 to 12", "inserts got 1.3× slower (52,000 → 40,000 rows/s)", "As the table grew 16×"},
			[]string{"raised rows examined", "× slower (p50", "inserts got 1.3× faster"}},
		{"reversed", reversed,
			[]string{"raised rows examined from 5 to 160,005", "made it 640× slower", "inserts got 1.3× faster (40,000 → 52,000 rows/s)"},
			[]string{"cut rows examined", "× faster (p50"}},
		{"empty", indexVerdict(indexMeasurements{}), []string{"nothing was measured"}, nil},
	})
	// Without the index the front page grows with the table; with it, it
	// does not. Reversed, the labels swap.
	if i, j := strings.Index(normal, "O(n)"), strings.Index(normal, "O(log n)"); i < 0 || j < 0 || i > j {
		t.Errorf("got %q, want O(n) for the side without the index, then O(log n)", normal)
	}
	if i, j := strings.Index(reversed, "O(n)"), strings.Index(reversed, "O(log n)"); i < 0 || j < 0 || j > i {
		t.Errorf("got %q, want O(log n) for the side without the index, then O(n)", reversed)
	}
	same := indexNumbers()
	same.Points[1].Front.With = same.Points[1].Front.Without
	same.Points[1].InsertWith = same.Points[1].InsertWithout
	checkVerdicts(t, []verdictCase{{"same", indexVerdict(same),
		[]string{"left rows examined at 160,005 and did not change its speed much", "inserts kept their speed"}, nil}})
}

func poolNumbers() poolMeasurements {
	return poolMeasurements{Clients: 64, Cores: 2, Points: []poolPoint{
		{Size: 1, QPS: 2000, P99: 40 * ms1, Waits: 12_000, WaitTime: 8 * time.Second},
		{Size: 2, QPS: 3800, P99: 30 * ms1, Waits: 9000, WaitTime: 5 * time.Second},
		{Size: 4, QPS: 5000, P99: 20 * ms1, Waits: 4000, WaitTime: 2 * time.Second},
		{Size: 8, QPS: 5200, P99: 22 * ms1, Waits: 1000, WaitTime: time.Second},
		{Size: 16, QPS: 4900, P99: 25 * ms1},
	}}
}

func TestPoolVerdict(t *testing.T) {
	rev := poolNumbers()
	n := len(rev.Points)
	for i := range n / 2 { // the largest pool measures what the smallest did, and so on
		a, b := &rev.Points[i], &rev.Points[n-1-i]
		a.QPS, b.QPS = b.QPS, a.QPS
		a.P99, b.P99 = b.P99, a.P99
		a.Waits, b.Waits = b.Waits, a.Waits
		a.WaitTime, b.WaitTime = b.WaitTime, a.WaitTime
	}
	onMachine := poolNumbers()
	onMachine.NodeCPU = 1
	growing := poolNumbers()
	for i := range growing.Points {
		growing.Points[i].QPS = 1000 * float64(i+1)
	}
	checkVerdicts(t, []verdictCase{
		{"normal", poolVerdict(poolNumbers()),
			[]string{"QPS rose from 2,000 with 1 connection to 5,000 with 4 and stopped growing there", "at most 4.0% (best 5,200 with 8)",
				"Past 4 connections the server's 2 CPU cores (shared with the client) were busy, so more connections only moved the queue out of the pool", "12,000 waits, 8.00 s waiting at size 1", "p99 went from 20.0 ms to 25.0 ms"},
			[]string{"never helped", "kept growing"}},
		{"machine", poolVerdict(onMachine), []string{"Past 4 connections the node's machine of 1 core was busy, so more connections"}, []string{"shared with the client"}},
		{"reversed", poolVerdict(rev),
			[]string{"Adding connections never helped: 1 connection already gave 4,900 QPS", "of the best (5,200 with 2)", "Past 1 connection more connections did not help: p99 went from 25.0 ms to 40.0 ms"},
			[]string{"rose from", "kept growing", "moved the queue"}},
		{"growing", poolVerdict(growing),
			[]string{"QPS kept growing up to the largest pool: from 1,000 with 1 connection to 5,000 with 16", "With 64 clients and 1 connection, they queued"},
			[]string{"never helped", "stopped growing"}},
		{"empty", poolVerdict(poolMeasurements{}), []string{"nothing was measured"}, nil},
	})
}

func replicasNumbers() replicasMeasurements {
	return replicasMeasurements{Cores: 2, Machine: true, Machines: "every node was a machine of 0.25 cores",
		Points: []replicaPoint{
			{Replicas: 0, QPS: 4000, ReadQPS: 3600, WriteQPS: 900, P99: 12 * ms1, PrimaryShare: 1},
			{Replicas: 1, QPS: 4400, ReadQPS: 3960, WriteQPS: 880, P99: 10 * ms1, LagMax: 3 * ms1, ReplicaShare: 0.9, ReplicaCPU: 0.97},
			{Replicas: 2, QPS: 6000, ReadQPS: 5400, WriteQPS: 910, P99: 9 * ms1, LagMax: 5 * ms1, ReplicaShare: 0.9, ReplicaCPU: 0.95, ClientCores: 0.6},
		},
		Stale: []staleResult{
			{Replicas: 2, Mode: "eventual", Reads: 300, Stale: 90},
			{Replicas: 2, Mode: "read-your-writes", Reads: 300},
			{Replicas: 2, Mode: "strong", Reads: 300},
		},
	}
}

func TestReplicasVerdict(t *testing.T) {
	linear := replicasNumbers()
	linear.Points[2].ReadQPS = 6500
	idle := replicasNumbers()
	idle.Points[2].ReplicaCPU = 0.5
	shared := replicasNumbers()
	shared.Machine, shared.Machines = false, "every node shared this host's 2 CPU cores (no simulated machines: not root)"
	for i := range shared.Points {
		shared.Points[i].ReadQPS = 3600 - 400*float64(i)
	}
	flat := shared
	flat.Points = slices.Clone(shared.Points)
	flat.Points[2].ReadQPS = 3700
	falling := replicasNumbers()
	falling.Points[2].WriteQPS = 600
	falling.Stale[0].Stale, falling.Stale[1].Stale = 0, 90
	checkVerdicts(t, []verdictCase{
		{"machines, replicas busy applying writes", replicasVerdict(replicasNumbers()),
			[]string{"Read QPS of a 90% read mix against 0 replicas (3,600): 1 replica gave 1.1× and 2 replicas gave 1.5× (ideal 1.0× and 2.0×, p99 12.0 ms → 9.00 ms); every node was a machine of 0.25 cores.",
				"The replicas were busy (95% of their CPU), but part of it went to applying the primary's writes",
				"Writes alone: 900 QPS with 0 replicas, 910 with 2 replicas: flat, since the primary takes every write. That is the X axis's limit",
				"Replicas lagged at most 5.00 ms", "stale data 30% under eventual, 0% under read-your-writes and 0% under strong"},
			[]string{"near linear", "the client was the limit", "share the same cores"}},
		{"machines, linear", replicasVerdict(linear), []string{"2 replicas gave 1.8×", "near linear (90% of ideal)"}, []string{"busy"}},
		{"machines, client-bound", replicasVerdict(idle), []string{"The replicas used only 50% of their CPU, while this process (the bench and the router) used 0.60 cores: the client was the limit."}, nil},
		{"shared cores", replicasVerdict(shared),
			[]string{"2 replicas gave 0.8×", "every node shared this host's 2 CPU cores (no simulated machines: not root)", "they add work (applying every write) but no capacity"},
			[]string{"near linear"}},
		{"shared cores, flat", replicasVerdict(flat), []string{"they add no capacity here; on machines of their own each one would"}, nil},
		{"writes fall", replicasVerdict(falling), []string{"900 QPS with 0 replicas, 600 with 2 replicas: 1.5× lower", "0% under eventual, 30% under read-your-writes"}, []string{"flat"}},
		{"empty", replicasVerdict(replicasMeasurements{}), []string{"nothing was measured"}, nil},
	})
}

func shardsNumbers() shardsMeasurements {
	return shardsMeasurements{Cores: 2, Machines: "every node shared this host's 2 CPU cores (no simulated machines: not root)",
		Points: []shardPoint{
			{Shards: 1, TargetQPS: 9000, TargetP50: 280 * time.Microsecond, ScatterQPS: 2000, ScatterP50: 800 * time.Microsecond},
			{Shards: 8, TargetQPS: 8500, TargetP50: 300 * time.Microsecond, ScatterQPS: 600, ScatterP50: 2900 * time.Microsecond},
		},
		Balance: []tableBalance{{"users", 1.04}, {"images", 1.02}, {"likes", 1.6}},
		Reshard: &reshardMovement{From: 2, To: 3, HashMoved: 25, HashTotal: 100, ModuloMoved: 66, ModuloTotal: 100},
	}
}

// machineShards are the shards lab's numbers on simulated machines of a
// quarter of a core: 4 shards give growth of the given factor, with the
// shards using share of their CPU.
func machineShards(growth, share float64) shardsMeasurements {
	return shardsMeasurements{Cores: 2, Machine: true, NodeCPU: 0.25, Machines: "every node was a machine of 0.25 cores",
		Points: []shardPoint{
			{Shards: 1, TargetQPS: 4000, TargetP50: ms1, ScatterQPS: 2000, ScatterP50: ms1, NodeShare: 0.98, ClientCores: 0.3},
			{Shards: 2, TargetQPS: 4000 * (1 + growth) / 2, TargetP50: ms1, ScatterQPS: 1900, ScatterP50: ms1, NodeShare: 0.97, ClientCores: 0.5},
			{Shards: 4, TargetQPS: 4000 * growth, TargetP50: ms1, ScatterQPS: 1800, ScatterP50: ms1, NodeShare: share, ClientCores: 0.93},
		},
		Hot: &hotResult{Query: "SELECT …", QPS: 3000, Nodes: []hotNode{
			{Node: "-40/primary", QPS: 300, CPUShare: 0.2, Throttled: 0, SaturatedAt: -1},
			{Node: "40-80/primary", QPS: 2100, CPUShare: 0.99, Throttled: 0.9, SaturatedAt: 750 * ms1},
			{Node: "80-c0/primary", QPS: 300, CPUShare: 0.3, Throttled: 0.1, SaturatedAt: -1},
			{Node: "c0-/primary", QPS: 300, CPUShare: 0.25, Throttled: 0, SaturatedAt: -1},
		}},
	}
}

func TestShardsVerdict(t *testing.T) {
	rev := shardsNumbers()
	rev.Points[0], rev.Points[1] = rev.Points[1], rev.Points[0]
	rev.Points[0].Shards, rev.Points[1].Shards = 1, 8
	rev.Balance = []tableBalance{{"users", 1.6}, {"images", 1.3}, {"likes", 1.02}}
	r := *rev.Reshard
	r.HashMoved, r.ModuloMoved = r.ModuloMoved, r.HashMoved
	rev.Reshard = &r
	even := shardsNumbers()
	even.Balance[2].Ratio = 1.05
	even.Points[1].TargetQPS = 20_000
	idleClient := machineShards(2, 0.95)
	idleClient.Points[2].ClientCores = 0.4
	waiting := machineShards(2, 0.5)
	waiting.Points[2].ClientCores = 0.4
	cool := machineShards(3.6, 0.95)
	cool.Hot.Nodes[1].SaturatedAt, cool.Hot.Nodes[1].CPUShare = -1, 0.6
	online := shardsNumbers()
	or := *online.Reshard
	or.OnlineWrites, or.OnlineCopied, or.OnlinePause, or.SwitchWindow = 4200, 1500, 61*time.Millisecond, 38*time.Millisecond
	online.Reshard = &or
	noMachineHot := shardsNumbers()
	noMachineHot.Hot = &hotResult{Nodes: []hotNode{{Node: "a", QPS: 10, CPUShare: -1, SaturatedAt: -1}, {Node: "b", QPS: 30, CPUShare: -1, SaturatedAt: -1}}}
	checkVerdicts(t, []verdictCase{
		{"normal", shardsVerdict(shardsNumbers()),
			[]string{"From 1 shard to 8, targeted lookups kept their speed (p50 0.280 ms → 0.300 ms) and scatter queries got 3.6× slower (p50 0.800 ms → 2.90 ms)",
				"A scatter query asks all 8 shards", "Targeted QPS against 1 shard (9,000): 8 gave 0.9× (ideal 8.0×); every node shared this host's 2 CPU cores (no simulated machines: not root).",
				"Targeted QPS did not grow: all 8 shards share the same cores",
				"spread users (1.0×) and images (1.0×) evenly over the 8 shards, but not likes (1.6×)", "a hot key makes a hot shard",
				"splitting one hash range moved 25% of the rows and modulo moved 66%, 2.6× as many"},
			[]string{"scatter queries got 3.6× faster", "the hash split moved", "near linear", "ran online"}},
		{"reversed", shardsVerdict(rev),
			[]string{"scatter queries got 3.6× faster", "The hash spread likes (1.0×) evenly over the 8 shards, but not users (1.6×) and images (1.3×)", "hash range moved 66% of the rows and modulo moved 25%: the hash split moved 2.6× as many"},
			[]string{"A scatter query asks all", "a hot key", "scatter queries got 3.6× slower"}},
		{"even", shardsVerdict(even),
			[]string{"The hash spread users (1.0×), images (1.0×) and likes (1.1×) evenly", "8 gave 2.2× (ideal 8.0×)", "growth stops when the cores are busy"},
			[]string{"did not grow", "unevenly"}},
		{"machines, linear", shardsVerdict(machineShards(3.6, 0.95)),
			[]string{"Targeted QPS against 1 shard (4,000): 2 gave 2.3× and 4 gave 3.6× (ideal 2.0× and 4.0×); every node was a machine of 0.25 cores.",
				"Each shard's machine added its capacity: scaling out was near linear (90% of ideal at 4).",
				"Reading hot images (Zipf-skewed), 40-80/primary served 70% of the statements; 40-80/primary saturated first, 0.75 s into the run (99% of its CPU, throttled in 90% of periods), while the other nodes used 25% on average"},
			[]string{"the client", "did not grow"}},
		{"machines, client-bound", shardsVerdict(machineShards(2, 0.5)),
			[]string{"4 gave 2.0× (ideal 2.0× and 4.0×)", "At 4 shards the shards used only 50% of their CPU, while this process (the bench and the router) used 0.93 cores of the 1 left to it: the client, not the shards, was the limit."},
			[]string{"near linear"}},
		{"machines, shards and client busy", shardsVerdict(machineShards(2, 0.95)), []string{"At 4 shards the shards used 95% of their CPU and this process (the bench and the router) used 0.93 cores of the 1 left to it: this host had no cores left for either"}, []string{"the client, not"}},
		{"machines, shards busy", shardsVerdict(idleClient), []string{"At 4 shards the shards used 95% of their CPU: they were the limit."}, []string{"the client", "no cores left"}},
		{"machines, nothing busy", shardsVerdict(waiting), []string{"At 4 shards neither the shards nor the client was saturated: the shards used 50% of their CPU and this process (the bench and the router) used 0.40 cores of the 1 left to it; the time went to waiting"}, nil},
		{"hot, nothing saturated", shardsVerdict(cool), []string{"40-80/primary served 70% of the statements, using 60% of its CPU: no node saturated."}, []string{"saturated first"}},
		{"hot, no machines", shardsVerdict(noMachineHot), []string{"b served 75% of the statements: with no machines, the hot shard shows only in its share of the work."}, nil},
		{"online split", shardsVerdict(online), []string{"Then range -80 was split online: a client made 4,200 changes while 1,500 rows were copied to two new servers", "and none failed; its longest write took 61.0 ms, held by the switch (whose window was 38.0 ms)"}, nil},
		{"empty", shardsVerdict(shardsMeasurements{}), []string{"nothing was measured"}, nil},
		{"uneven", shardsVerdict(shardsMeasurements{Points: []shardPoint{{Shards: 1}, {Shards: 4}}, Balance: []tableBalance{{"users", 1.5}, {"likes", 2}}}),
			[]string{"The rows of users (1.5×) and likes (2.0×) spread unevenly over the 4 shards", "a hot key"}, []string{" evenly over"}},
	})
}

func TestBatchVerdict(t *testing.T) {
	normal := batchMeasurements{Items: 50,
		NPlusOne: feedStats{P50: 31 * ms1, P99: 45 * ms1, Statements: 102, ServerSelects: 102},
		Batched:  feedStats{P50: 6 * ms1, P99: 14 * ms1, Statements: 6, ServerSelects: 6},
	}
	rev := batchMeasurements{Items: 50, NPlusOne: normal.Batched, Batched: normal.NPlusOne}
	same := normal
	same.Batched = same.NPlusOne
	checkVerdicts(t, []verdictCase{
		{"normal", batchVerdict(normal),
			[]string{"For a feed page of 50 images, the dataloader sent 6 statements per page instead of 102 (17× fewer)", "built a page 5.2× faster (p50 31.0 ms → 6.00 ms, p99 45.0 ms → 14.0 ms)"},
			[]string{"more)", "slower"}},
		{"reversed", batchVerdict(rev),
			[]string{"sent 102 statements per page instead of 6 (17× more)", "built a page 5.2× slower"},
			[]string{"fewer", "faster"}},
		{"same", batchVerdict(same), []string{"about as many statements", "about as fast"}, []string{"fewer", "faster", "slower"}},
	})
}

func TestFormatting(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{count(0), "0"}, {count(999), "999"}, {count(1000), "1,000"}, {count(1_234_567), "1,234,567"}, {count(-4200), "-4,200"},
		{times(1.25), "1.2×"}, {times(9.96), "10.0×"}, {times(12.4), "12×"}, {times(1800), "1,800×"}, {times(ratio(1, 0)), "∞×"},
		{ms(123456 * time.Microsecond), "123 ms"}, {ms(45200 * time.Microsecond), "45.2 ms"}, {ms(1500 * time.Microsecond), "1.50 ms"}, {ms(90 * time.Microsecond), "0.090 ms"},
		{pct(0.25), "25%"}, {pct(0.004), "0.4%"}, {pct(0), "0%"}, {pct(1), "100%"},
		{rate(12.345), "12.3"}, {rate(9876.5), "9,877"},
		{slowerOrFaster(1.3), "1.3× slower"}, {slowerOrFaster(0.5), "2.0× faster"},
		{joinAnd([]string{"a"}), "a"}, {joinAnd([]string{"a", "b", "c"}), "a, b and c"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestFailoverVerdict(t *testing.T) {
	m := failoverMeasurements{Interval: 500 * ms1, Misses: 3, Runs: []drillRun{
		{Unavailable: 1100 * ms1, Acked: 400, Lost: 3, Failed: 200},
		{SemiSync: true, Unavailable: 1200 * ms1, Acked: 398, Failed: 210},
	}}
	none := m
	none.Runs = []drillRun{m.Runs[0], m.Runs[1]}
	none.Runs[0].Lost = 0
	broken := m
	broken.Runs = []drillRun{m.Runs[0], m.Runs[1]}
	broken.Runs[1].Lost = 2
	checkVerdicts(t, []verdictCase{
		{"async lost", failoverVerdict(m), []string{"async lost 3 of 400 acknowledged writes and semi-sync lost 0 of 398 acknowledged writes",
			"Writes were unavailable for 1.10 s (async) and 1.20 s (semi-sync): 3 missed probes 500ms apart", "so the writes of the last moment before the crash went with the primary"}, []string{"nothing this time"}},
		{"async lost none", failoverVerdict(none), []string{"Async lost nothing this time", "semi-sync rules it out"}, []string{"went with the primary"}},
		{"semi-sync lost", failoverVerdict(broken), []string{"Semi-sync lost writes"}, nil},
		{"empty", failoverVerdict(failoverMeasurements{}), []string{"nothing was measured"}, nil},
	})
}

func cubeNumbers() cubeMeasurements {
	return cubeMeasurements{Cores: 2, Machine: true, Machines: "every node was a machine of 0.16 cores (a cgroup CPU quota) on this 2-core host",
		Points: []cubePoint{
			{Step: "one machine", Nodes: 1, MixQPS: 1000, ReadQPS: 3000, WriteQPS: 1500, PrimaryShare: 1, Busiest: "app/0/primary", BusiestShare: 1},
			{Step: "+ 2 replicas", Axis: "X", Nodes: 3, MixQPS: 1800, ReadQPS: 5800, WriteQPS: 1500, PrimaryShare: 1},
			{Step: "+ likes in a keyspace of its own", Axis: "Y", Nodes: 4, MixQPS: 2600, ReadQPS: 6000, WriteQPS: 2500, PrimaryShare: 0.4},
			{Step: "+ that keyspace sharded in 2", Axis: "Z", Nodes: 5, MixQPS: 3500, ReadQPS: 6100, WriteQPS: 4000, PrimaryShare: 0.5, Busiest: "zlikes/80-/primary", BusiestShare: 0.97},
		}}
}

func TestCubeVerdict(t *testing.T) {
	reversed := cubeNumbers()
	pts := reversed.Points
	reversed.Points = []cubePoint{pts[0], pts[1], pts[2], pts[3]}
	for i := range reversed.Points {
		j := len(pts) - 1 - i
		reversed.Points[i].MixQPS, reversed.Points[i].ReadQPS, reversed.Points[i].WriteQPS = pts[j].MixQPS, pts[j].ReadQPS, pts[j].WriteQPS
	}
	shared := cubeNumbers()
	shared.Machine, shared.Machines = false, "every node shared this host's 2 CPU cores (no simulated machines: not root)"
	checkVerdicts(t, []verdictCase{
		{"each axis relieves its bottleneck", cubeVerdict(cubeNumbers()),
			[]string{"One machine served the application's mix at 1,000 QPS (reads alone 3,000, writes alone 1,500); with all three axes, 3,500 QPS (3.5×).",
				"Two replicas (X) relieved the reads, not the writes (reads 1.9×, writes 1.0×)",
				"Moving likes to a keyspace of its own (Y) relieved the writes, not the reads (reads 1.0×, writes 1.7×)",
				"Sharding that keyspace in two (Z) relieved the writes, not the reads (reads 1.0×, writes 1.6×)",
				"The first primary used 100% of its CPU under the mix on one machine and 50% with all three axes; the busiest node at the end was zlikes/80-/primary (97%)"},
			[]string{"relieved neither", "add work, not capacity"}},
		{"reversed numbers", cubeVerdict(reversed),
			[]string{"with all three axes, 1,000 QPS (0.3×)", "Two replicas (X) relieved neither", "(Y) relieved neither", "(Z) relieved neither"},
			[]string{"relieved the reads", "relieved the writes"}},
		{"shared cores", cubeVerdict(shared), []string{"Without machines of their own, added servers share the same cores"}, []string{"The first primary used"}},
		{"empty", cubeVerdict(cubeMeasurements{}), []string{"nothing was measured"}, nil},
	})
}
