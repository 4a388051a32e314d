package lab

import (
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
	growing := poolNumbers()
	for i := range growing.Points {
		growing.Points[i].QPS = 1000 * float64(i+1)
	}
	checkVerdicts(t, []verdictCase{
		{"normal", poolVerdict(poolNumbers()),
			[]string{"QPS rose from 2,000 with 1 connection to 5,000 with 4 and stopped growing there", "at most 4.0% (best 5,200 with 8)",
				"Past 4 connections the server's 2 CPU cores were busy, so more connections only moved the queue out of the pool", "12,000 waits, 8.00 s waiting at size 1", "p99 went from 20.0 ms to 25.0 ms"},
			[]string{"never helped", "kept growing"}},
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
	return replicasMeasurements{Cores: 2,
		Points: []replicaPoint{
			{Replicas: 0, QPS: 4000, P99: 12 * ms1},
			{Replicas: 1, QPS: 5000, P99: 10 * ms1, LagMax: 3 * ms1, ReplicaShare: 0.9},
			{Replicas: 2, QPS: 6000, P99: 9 * ms1, LagMax: 5 * ms1, ReplicaShare: 0.9},
		},
		Stale: []staleResult{
			{Replicas: 2, Mode: "eventual", Reads: 300, Stale: 90},
			{Replicas: 2, Mode: "read-your-writes", Reads: 300},
			{Replicas: 2, Mode: "strong", Reads: 300},
		},
	}
}

func TestReplicasVerdict(t *testing.T) {
	rev := replicasNumbers()
	rev.Points[0].QPS, rev.Points[2].QPS = rev.Points[2].QPS, rev.Points[0].QPS
	rev.Points[0].P99, rev.Points[2].P99 = rev.Points[2].P99, rev.Points[0].P99
	rev.Stale[0].Stale, rev.Stale[1].Stale = 0, 90
	flat := replicasNumbers()
	flat.Points[2].QPS = 4100
	checkVerdicts(t, []verdictCase{
		{"normal", replicasVerdict(replicasNumbers()),
			[]string{"Going from 0 replicas to 2 replicas raised read-heavy QPS 1.5× (4,000 → 6,000 QPS, p99 12.0 ms → 9.00 ms)",
				"Replicas lagged at most 5.00 ms", "stale data 30% under eventual, 0% under read-your-writes and 0% under strong"},
			[]string{"lowered", "about the same"}},
		{"reversed", replicasVerdict(rev),
			[]string{"lowered read-heavy QPS 1.5× (6,000 → 4,000 QPS", "share this machine's 2 CPU cores",
				"0% under eventual, 30% under read-your-writes"},
			[]string{"raised"}},
		{"flat", replicasVerdict(flat), []string{"left read-heavy QPS about the same"}, []string{"raised", "lowered"}},
		{"empty", replicasVerdict(replicasMeasurements{}), []string{"nothing was measured"}, nil},
	})
}

func shardsNumbers() shardsMeasurements {
	return shardsMeasurements{Cores: 2,
		Points: []shardPoint{
			{Shards: 1, TargetQPS: 9000, TargetP50: 280 * time.Microsecond, ScatterQPS: 2000, ScatterP50: 800 * time.Microsecond},
			{Shards: 8, TargetQPS: 8500, TargetP50: 300 * time.Microsecond, ScatterQPS: 600, ScatterP50: 2900 * time.Microsecond},
		},
		Balance: []tableBalance{{"users", 1.04}, {"images", 1.02}, {"likes", 1.6}},
		Reshard: &reshardMovement{From: 2, To: 3, HashMoved: 25, HashTotal: 100, ModuloMoved: 66, ModuloTotal: 100},
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
	checkVerdicts(t, []verdictCase{
		{"normal", shardsVerdict(shardsNumbers()),
			[]string{"From 1 shard to 8, targeted lookups kept their speed (p50 0.280 ms → 0.300 ms) and scatter queries got 3.6× slower (p50 0.800 ms → 2.90 ms)",
				"A scatter query asks all 8 shards", "Targeted QPS did not grow (9,000 → 8,500)",
				"spread users (1.0×) and images (1.0×) evenly over the 8 shards, but not likes (1.6×)", "a hot key makes a hot shard",
				"splitting one hash range moved 25% of the rows and modulo moved 66%, 2.6× as many"},
			[]string{"scatter queries got 3.6× faster", "the hash split moved"}},
		{"reversed", shardsVerdict(rev),
			[]string{"scatter queries got 3.6× faster", "The hash spread likes (1.0×) evenly over the 8 shards, but not users (1.6×) and images (1.3×)", "hash range moved 66% of the rows and modulo moved 25%: the hash split moved 2.6× as many"},
			[]string{"A scatter query asks all", "a hot key", "scatter queries got 3.6× slower"}},
		{"even", shardsVerdict(even),
			[]string{"The hash spread users (1.0×), images (1.0×) and likes (1.1×) evenly", "Targeted QPS grew 2.2×"},
			[]string{"did not grow", "unevenly"}},
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
