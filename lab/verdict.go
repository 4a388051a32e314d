package lab

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Verdicts are pure functions of a lab's measurements: the same numbers
// always give the same sentence, and reversed numbers give the opposite
// one. Nothing here knows what the lab expected to find.

// Thresholds below which a change counts as "about the same".
const (
	// speedTolerance: latencies and rates within 10% are the same speed.
	speedTolerance = 1.1
	// kneeShare: a pool size within 10% of the best QPS is as good as it.
	kneeShare = 0.9
	// evenTolerance: a largest shard within 10% of the mean is even.
	evenTolerance = 1.1
)

// queryStats is one query's measurement on one side.
type queryStats struct {
	P50          time.Duration
	P99          time.Duration
	QPS          float64
	RowsExamined int64
}

// indexQuery is one query without and with the index.
type indexQuery struct {
	Without, With queryStats
}

// indexPoint is the index lab at one table size.
type indexPoint struct {
	Rows          int64
	Front, Lookup indexQuery
	// InsertWithout and InsertWith are rows inserted per second into the
	// table without and with the indexes.
	InsertWithout, InsertWith float64
}

// indexMeasurements is what the index lab measured, smallest table first.
type indexMeasurements struct {
	Points []indexPoint
}

// indexVerdict says what the index did at the largest size, what it cost
// inserts, and how each side grew with the table.
func indexVerdict(m indexMeasurements) string {
	if len(m.Points) == 0 {
		return "nothing was measured"
	}
	last := m.Points[len(m.Points)-1]
	var b strings.Builder
	fmt.Fprintf(&b, "At %s images, for the front page query the index %s; for the lookup by user it %s; %s.",
		count(last.Rows), indexEffect(last.Front), indexEffect(last.Lookup), insertEffect(last.InsertWithout, last.InsertWith))
	if len(m.Points) > 1 {
		first := m.Points[0]
		g := float64(last.Rows) / float64(max(first.Rows, 1))
		fmt.Fprintf(&b, " As the table grew %s, the front page query without the index %s; with it, %s.",
			times(g), growth(first.Front.Without, last.Front.Without, g), growth(first.Front.With, last.Front.With, g))
	}
	return b.String()
}

// indexEffect describes rows examined and latency, without → with.
func indexEffect(q indexQuery) string {
	a, b := q.Without.RowsExamined, q.With.RowsExamined
	var rows string
	switch {
	case b < a:
		rows = fmt.Sprintf("cut rows examined from %s to %s", count(a), count(b))
	case b > a:
		rows = fmt.Sprintf("raised rows examined from %s to %s", count(a), count(b))
	default:
		rows = fmt.Sprintf("left rows examined at %s", count(a))
	}
	return rows + " and " + speedChange(q.Without.P50, q.With.P50, "made it")
}

// speedChange says how latency went from a to b: "made it 180× faster
// (p50 45 ms → 0.25 ms)".
func speedChange(a, b time.Duration, verb string) string {
	f := ratio(float64(a), float64(b))
	detail := fmt.Sprintf(" (p50 %s → %s)", ms(a), ms(b))
	switch {
	case f >= speedTolerance:
		return verb + " " + times(f) + " faster" + detail
	case f <= 1/speedTolerance:
		return verb + " " + times(1/f) + " slower" + detail
	}
	return "did not change its speed much" + detail
}

// insertEffect compares insert rates without and with the indexes.
func insertEffect(without, with float64) string {
	f := ratio(without, with)
	detail := fmt.Sprintf(" (%s → %s rows/s)", rate(without), rate(with))
	switch {
	case f >= 1.05:
		return "inserts got " + times(f) + " slower" + detail
	case f <= 1/1.05:
		return "inserts got " + times(1/f) + " faster" + detail
	}
	return "inserts kept their speed" + detail
}

// growth says how a query's work grew while the table grew g times: in
// step with it (a scan, O(n)) or far less (an index lookup, O(log n)). The
// rows examined decide, as they are exact where latency is noisy; the
// latency is reported beside them.
func growth(a, b queryStats, g float64) string {
	f := ratio(float64(b.RowsExamined), float64(a.RowsExamined))
	desc := fmt.Sprintf("examined %s as many rows (%s → %s) and took %s as long (p50 %s → %s)",
		times(f), count(a.RowsExamined), count(b.RowsExamined), times(ratio(float64(b.P50), float64(a.P50))), ms(a.P50), ms(b.P50))
	// On log scales: growing at least half as fast as the table is
	// growing with it.
	if g > 1 && f > 1 && math.Log(f) >= 0.5*math.Log(g) {
		return desc + ": its work grows with the table, O(n)"
	}
	return desc + ": its work hardly grows, O(log n)"
}

// poolPoint is the pool lab at one pool size.
type poolPoint struct {
	Size     int
	QPS      float64
	P99      time.Duration
	Waits    int64
	WaitTime time.Duration
}

// poolMeasurements is what the pool lab measured, smallest pool first.
type poolMeasurements struct {
	Clients int
	Cores   int
	// NodeCPU is the node's machine's CPU quota in cores; 0 when the node
	// shares the host's cores.
	NodeCPU float64
	Points  []poolPoint
}

// busyCores says what was busy past the knee: the node's machine, or the
// host's cores.
func (m poolMeasurements) busyCores() string {
	if m.NodeCPU > 0 {
		return "the node's machine of " + coresText(m.NodeCPU) + " was busy"
	}
	return fmt.Sprintf("the server's %d CPU cores (shared with the client) were busy", m.Cores)
}

// poolKnee returns the index of the smallest pool within kneeShare of the
// best QPS, and the index of the best.
func poolKnee(points []poolPoint) (knee, best int) {
	for i, p := range points {
		if p.QPS > points[best].QPS {
			best = i
		}
	}
	for i, p := range points {
		if p.QPS >= kneeShare*points[best].QPS {
			return i, best
		}
	}
	return best, best
}

// poolVerdict says where more connections stopped helping, and why.
func poolVerdict(m poolMeasurements) string {
	if len(m.Points) == 0 {
		return "nothing was measured"
	}
	knee, best := poolKnee(m.Points)
	first, last := m.Points[0], m.Points[len(m.Points)-1]
	k, bp := m.Points[knee], m.Points[best]
	var b strings.Builder
	switch {
	case knee == len(m.Points)-1 && len(m.Points) > 1:
		fmt.Fprintf(&b, "QPS kept growing up to the largest pool: from %s with %s to %s with %d connections, so the server still had capacity to spare; try larger pools.",
			rate(first.QPS), conns(first.Size), rate(last.QPS), last.Size)
	case knee == 0:
		fmt.Fprintf(&b, "Adding connections never helped: %s already gave %s QPS, within %d%% of the best (%s with %d).",
			conns(first.Size), rate(first.QPS), pctInt(1-kneeShare), rate(bp.QPS), bp.Size)
	case knee == best:
		fmt.Fprintf(&b, "QPS rose from %s with %s to %s with %d and stopped growing there: no larger pool did better.",
			rate(first.QPS), conns(first.Size), rate(k.QPS), k.Size)
	default:
		fmt.Fprintf(&b, "QPS rose from %s with %s to %s with %d and stopped growing there: larger pools added at most %s (best %s with %d).",
			rate(first.QPS), conns(first.Size), rate(k.QPS), k.Size, pct(bp.QPS/k.QPS-1), rate(bp.QPS), bp.Size)
	}
	switch {
	case knee < len(m.Points)-1 && last.Waits < first.Waits:
		fmt.Fprintf(&b, " Past %s %s, so more connections only moved the queue out of the pool (%s waits, %s waiting at size %d; %s at size %d) into the server, and p99 went from %s to %s.",
			conns(k.Size), m.busyCores(), count(first.Waits), secs(first.WaitTime), first.Size, count(last.Waits), last.Size, ms(k.P99), ms(last.P99))
	case knee < len(m.Points)-1:
		fmt.Fprintf(&b, " Past %s more connections did not help: p99 went from %s to %s.", conns(k.Size), ms(k.P99), ms(last.P99))
	case first.Waits > 0:
		fmt.Fprintf(&b, " With %d clients and %s, they queued in the pool (%s waits, %s waiting).",
			m.Clients, conns(first.Size), count(first.Waits), secs(first.WaitTime))
	}
	return b.String()
}

// replicaPoint is the replicas lab at one replica count.
type replicaPoint struct {
	Replicas int
	// QPS is the read-heavy mix's, and ReadQPS its reads'; WriteQPS is the
	// mix's write run alone.
	QPS, ReadQPS, WriteQPS float64
	P99                    time.Duration
	// ClientCores is the CPU this process used during the mix, in cores.
	// PrimaryShare and ReplicaCPU are the primary's and the replicas' mean
	// CPU use of their quota during the mix, and WritePrimaryShare the
	// primary's during the writes alone (0 without machines).
	ClientCores, PrimaryShare, ReplicaCPU, WritePrimaryShare float64
	// LagMax is the largest replication lag seen while it ran.
	LagMax time.Duration
	// ReplicaShare is the share of statements that replicas served.
	ReplicaShare float64
}

// staleResult is the stale reads of one consistency mode at one replica
// count.
type staleResult struct {
	Replicas    int
	Mode        string
	Reads       int64
	Stale       int64
	ReadP50     time.Duration
	PrimaryRead float64 // share of the reads the primary served
}

// Rate is the share of reads that were stale.
func (s staleResult) Rate() float64 {
	if s.Reads == 0 {
		return 0
	}
	return float64(s.Stale) / float64(s.Reads)
}

// replicasMeasurements is what the replicas lab measured, fewest replicas
// first.
type replicasMeasurements struct {
	Cores int
	// Machine is true when every node had a machine; Machines says what
	// the nodes ran on, in words.
	Machine  bool
	Machines string
	Points   []replicaPoint
	Stale    []staleResult
}

// replicasVerdict says what the replicas did to throughput and latency,
// how far they lagged, and how often reads were stale in each mode.
func replicasVerdict(m replicasMeasurements) string {
	if len(m.Points) == 0 {
		return "nothing was measured"
	}
	last := m.Points[len(m.Points)-1]
	var b strings.Builder
	b.WriteString(readCapacitySentence(m))
	b.WriteString(" " + writeCeilingSentence(m))
	var lag time.Duration
	for _, p := range m.Points {
		lag = max(lag, p.LagMax)
	}
	if last.Replicas > 0 {
		fmt.Fprintf(&b, " Replicas lagged at most %s.", ms(lag))
	}
	var modes []string
	for _, s := range m.Stale {
		if s.Replicas == last.Replicas {
			modes = append(modes, fmt.Sprintf("%s under %s", pct(s.Rate()), s.Mode))
		}
	}
	if len(modes) > 0 {
		fmt.Fprintf(&b, " Reading right after its own write, a client saw stale data %s.", joinAnd(modes))
	}
	return b.String()
}

// idealReplicas is the ideal read capacity of k replicas against the
// primary alone: reads leave the primary for the replicas, so 1 replica
// matches it and every further one adds one server's worth.
func idealReplicas(k int) float64 { return float64(max(k, 1)) }

// readCapacitySentence states the read QPS of every replica count against
// the ideal, and what the nodes ran on.
func readCapacitySentence(m replicasMeasurements) string {
	first, last := m.Points[0], m.Points[len(m.Points)-1]
	var b strings.Builder
	var gave, ideal []string
	for _, p := range m.Points[1:] {
		gave = append(gave, fmt.Sprintf("%s gave %s", replicas(p.Replicas), times(ratio(p.ReadQPS, first.ReadQPS))))
		ideal = append(ideal, times(idealReplicas(p.Replicas)))
	}
	fmt.Fprintf(&b, "Read QPS of a 90%% read mix against %s (%s): %s (ideal %s, p99 %s → %s); %s.", replicas(first.Replicas), rate(first.ReadQPS),
		joinAnd(gave), joinAnd(ideal), ms(first.P99), ms(last.P99), m.Machines)
	f, want := ratio(last.ReadQPS, first.ReadQPS), idealReplicas(last.Replicas)
	switch {
	case !m.Machine && f <= 1/speedTolerance:
		fmt.Fprintf(&b, " The replicas share the same cores as the primary, so they add work (applying every write) but no capacity.")
	case !m.Machine && f < speedTolerance:
		fmt.Fprintf(&b, " The replicas share the same cores as the primary, so they add no capacity here; on machines of their own each one would.")
	case f >= linearShare*want:
		fmt.Fprintf(&b, " Reads spread over the replicas' machines: near linear (%s of ideal).", pct(f/want))
	case m.Machine && last.ReplicaCPU >= linearShare:
		fmt.Fprintf(&b, " The replicas were busy (%s of their CPU), but part of it went to applying the primary's writes, which every replica repeats: that is what keeps read scaling short of ideal.", pct(last.ReplicaCPU))
	case m.Machine:
		fmt.Fprintf(&b, " The replicas used only %s of their CPU, while this process (the bench and the router) used %s cores: the client was the limit.", pct(last.ReplicaCPU), strconv.FormatFloat(last.ClientCores, 'f', 2, 64))
	}
	return b.String()
}

// writeCeilingSentence says what replicas did to the write ceiling.
func writeCeilingSentence(m replicasMeasurements) string {
	first, last := m.Points[0], m.Points[len(m.Points)-1]
	if first.WriteQPS <= 0 {
		return ""
	}
	f := ratio(last.WriteQPS, first.WriteQPS)
	s := fmt.Sprintf("Writes alone: %s QPS with %s, %s with %s", rate(first.WriteQPS), replicas(first.Replicas), rate(last.WriteQPS), replicas(last.Replicas))
	switch {
	case f >= speedTolerance:
		return s + ": higher, though replicas cannot add write capacity (the primary takes every write), so the difference is this run's variation; a longer run (--size full) narrows it."
	case f <= 1/speedTolerance:
		return s + fmt.Sprintf(": %s lower, since the primary takes every write and also sends each one to every replica. That is the X axis's limit: replicas scale reads, never writes.", times(1/f))
	}
	return s + ": flat, since the primary takes every write. That is the X axis's limit: replicas scale reads, never writes."
}

// shardPoint is the shards lab at one shard count.
type shardPoint struct {
	Shards     int
	TargetQPS  float64
	TargetP50  time.Duration
	ScatterQPS float64
	ScatterP50 time.Duration
	// Imbalance is the largest shard's rows (all tables) over the mean.
	Imbalance float64
	// ClientCores is the CPU this process (bench and router) used during
	// the targeted runs, in cores; NodeShare the shards' mean CPU use over
	// their quota then (0 without machines).
	ClientCores float64
	NodeShare   float64
}

// tableBalance is how evenly one table's rows spread over the shards: the
// largest shard's rows over the mean.
type tableBalance struct {
	Table string
	Ratio float64
}

// reshardMovement is how many rows moved growing From → To shards, by
// splitting a hash range and by changing a modulo.
type reshardMovement struct {
	From, To                 int
	HashMoved, HashTotal     int64
	ModuloMoved, ModuloTotal int64
	// The hash side then splits another range online: OnlineWrites are
	// the changes a client made during its copy, catch-up and switch,
	// OnlineCopied the rows copied to the new servers, OnlinePause the
	// longest write took (held by the switch), and SwitchWindow the
	// switch's own window (holds to release).
	OnlineWrites, OnlineCopied int64
	OnlinePause, SwitchWindow  time.Duration
}

// shardsMeasurements is what the shards lab measured, fewest shards first.
type shardsMeasurements struct {
	Cores int
	// ClientCPUs is how many CPUs the client ran on, when the nodes had
	// CPUs of their own; else 0.
	ClientCPUs int
	// TargetClients and ScatterClients are the sides' concurrency: the
	// targeted side measures capacity, so it has clients for every shard.
	TargetClients, ScatterClients int
	// Machine is true when every node had a machine of NodeCPU cores;
	// Machines says what the nodes ran on, in words.
	Machine  bool
	NodeCPU  float64
	Machines string
	Points   []shardPoint
	// Hot is the skewed read over the largest shard count.
	Hot *hotResult
	// Balance is per table, at the largest shard count.
	Balance []tableBalance
	Reshard *reshardMovement
}

// shardsVerdict compares targeted and scatter queries across shard
// counts, the balance of the hash, and resharding movement.
func shardsVerdict(m shardsMeasurements) string {
	var b strings.Builder
	if len(m.Points) > 0 {
		first, last := m.Points[0], m.Points[len(m.Points)-1]
		fmt.Fprintf(&b, "From %s to %d, targeted lookups %s and scatter queries %s.",
			shards(first.Shards), last.Shards, latencyChange(first.TargetP50, last.TargetP50), latencyChange(first.ScatterP50, last.ScatterP50))
		st := ratio(float64(last.ScatterP50), float64(first.ScatterP50))
		tt := ratio(float64(last.TargetP50), float64(first.TargetP50))
		if st >= speedTolerance && st > tt {
			fmt.Fprintf(&b, " A scatter query asks all %d shards and waits for the slowest; a targeted one asks one.", last.Shards)
		}
		b.WriteString(" " + capacitySentence(m))
		if last.Shards > 1 && len(m.Balance) > 0 {
			b.WriteString(" " + balanceSentence(m.Balance, last.Shards))
		}
	}
	if m.Hot != nil {
		b.WriteString(" " + hotSentence(m.Hot))
	}
	if r := m.Reshard; r != nil {
		h := float64(r.HashMoved) / float64(max(r.HashTotal, 1))
		mo := float64(r.ModuloMoved) / float64(max(r.ModuloTotal, 1))
		fmt.Fprintf(&b, " Growing from %d to %d shards, splitting one hash range moved %s of the rows and modulo moved %s",
			r.From, r.To, pct(h), pct(mo))
		switch f := ratio(mo, h); {
		case f >= speedTolerance:
			fmt.Fprintf(&b, ", %s as many: a split moves only keys of the split range, while a new modulus remaps keys on every shard.", times(f))
		case f <= 1/speedTolerance:
			fmt.Fprintf(&b, ": the hash split moved %s as many.", times(1/f))
		default:
			b.WriteString(": about the same.")
		}
		if r.OnlineWrites > 0 {
			fmt.Fprintf(&b, " Then range %s was split online: a client made %s changes while %s rows were copied to two new servers, caught up from the binlog and switched, and none failed; its longest write took %s, held by the switch (whose window was %s).",
				onlineRange, count(r.OnlineWrites), count(r.OnlineCopied), ms(r.OnlinePause), ms(r.SwitchWindow))
		}
	}
	if b.Len() == 0 {
		return "nothing was measured"
	}
	return strings.TrimSpace(b.String())
}

// linearShare is the share of linear growth from which scaling out counts
// as linear: 4 shards giving at least 3.2× the QPS of 1.
const linearShare = 0.8

// capacitySentence states the targeted QPS of every shard count against
// the ideal (linear) growth, what the nodes ran on, and, when growth fell
// short, what held it back.
func capacitySentence(m shardsMeasurements) string {
	first, last := m.Points[0], m.Points[len(m.Points)-1]
	var b strings.Builder
	var gave, ideal []string
	for _, p := range m.Points[1:] {
		gave = append(gave, fmt.Sprintf("%d gave %s", p.Shards, times(ratio(p.TargetQPS, first.TargetQPS))))
		ideal = append(ideal, times(float64(p.Shards)/float64(first.Shards)))
	}
	if len(gave) == 0 {
		return fmt.Sprintf("Targeted QPS: %s with %s; %s.", rate(first.TargetQPS), shards(first.Shards), m.Machines)
	}
	fmt.Fprintf(&b, "Targeted QPS against %s (%s): %s (ideal %s); %s.", shards(first.Shards), rate(first.TargetQPS),
		joinAnd(gave), joinAnd(ideal), m.Machines)
	growth := ratio(last.TargetQPS, first.TargetQPS)
	want := float64(last.Shards) / float64(first.Shards)
	switch {
	case growth >= linearShare*want:
		fmt.Fprintf(&b, " Each shard's machine added its capacity: scaling out was near linear (%s of ideal at %d).", pct(growth/want), last.Shards)
	case !m.Machine && growth < speedTolerance:
		fmt.Fprintf(&b, " Targeted QPS did not grow: all %d shards share the same cores, so each adds work but no capacity; on machines of their own, each shard adds capacity.", last.Shards)
	case !m.Machine:
		fmt.Fprintf(&b, " The shards share the same cores, so growth stops when the cores are busy.")
	default:
		budget := float64(m.Cores) - float64(last.Shards)*m.NodeCPU
		if m.ClientCPUs > 0 {
			budget = float64(m.ClientCPUs)
		}
		client := fmt.Sprintf("this process (the bench and the router) used %s cores of the %s left to it", strconv.FormatFloat(last.ClientCores, 'f', 2, 64), cores(budget))
		clientBusy := budget > 0 && last.ClientCores >= linearShare*budget
		switch nodesBusy := last.NodeShare >= linearShare; {
		case nodesBusy && clientBusy:
			fmt.Fprintf(&b, " At %d shards the shards used %s of their CPU and %s: this host had no cores left for either, so larger shapes need a larger host.", last.Shards, pct(last.NodeShare), client)
		case nodesBusy:
			fmt.Fprintf(&b, " At %d shards the shards used %s of their CPU: they were the limit.", last.Shards, pct(last.NodeShare))
		case clientBusy:
			fmt.Fprintf(&b, " At %d shards the shards used only %s of their CPU, while %s: the client, not the shards, was the limit.", last.Shards, pct(last.NodeShare), client)
		default:
			fmt.Fprintf(&b, " At %d shards neither the shards nor the client was saturated: the shards used %s of their CPU and %s; the time went to waiting, in round trips and throttled periods.", last.Shards, pct(last.NodeShare), client)
		}
	}
	return b.String()
}

// hotSentence says which node the skewed read made hot.
func hotSentence(h *hotResult) string {
	var total float64
	for _, n := range h.Nodes {
		total += n.QPS
	}
	hot := h.busiest()
	if total <= 0 {
		return ""
	}
	s := fmt.Sprintf("Reading hot images (Zipf-skewed), %s served %s of the statements", hot.Node, pct(hot.QPS/total))
	if f, ok := h.first(); ok {
		var others []float64
		for _, n := range h.Nodes {
			if n.Node != f.Node && n.CPUShare >= 0 {
				others = append(others, n.CPUShare)
			}
		}
		s += fmt.Sprintf("; %s saturated first, %s into the run (%s of its CPU, throttled in %s of periods), while the other nodes used %s on average: a hot key makes a hot shard, and more shards do not cool it.",
			f.Node, secs(f.SaturatedAt), pct(f.CPUShare), pct(f.Throttled), pct(mean(others)))
		return s
	}
	if hot.CPUShare >= 0 {
		return s + fmt.Sprintf(", using %s of its CPU: no node saturated.", pct(hot.CPUShare))
	}
	return s + ": with no machines, the hot shard shows only in its share of the work."
}

// balanceSentence says which tables the hash spread evenly over n shards.
func balanceSentence(tables []tableBalance, n int) string {
	var even, uneven []string
	likes := false
	for _, t := range tables {
		cell := fmt.Sprintf("%s (%s)", t.Table, times(t.Ratio))
		if t.Ratio <= evenTolerance {
			even = append(even, cell)
			continue
		}
		uneven = append(uneven, cell)
		likes = likes || t.Table == "likes"
	}
	var s string
	switch {
	case len(uneven) == 0:
		s = fmt.Sprintf("The hash spread %s evenly over the %d shards (the largest shard against the mean).", joinAnd(even), n)
	case len(even) == 0:
		s = fmt.Sprintf("The rows of %s spread unevenly over the %d shards (the largest shard against the mean).", joinAnd(uneven), n)
	default:
		s = fmt.Sprintf("The hash spread %s evenly over the %d shards, but not %s (the largest shard against the mean).", joinAnd(even), n, joinAnd(uneven))
	}
	if likes {
		s += " Likes are sharded by image_id, so a popular image's likes all live on its shard: a hot key makes a hot shard."
	}
	return s
}

// latencyChange says how a p50 went from a to b: "got 3.1× slower (p50
// 0.4 ms → 1.2 ms)".
func latencyChange(a, b time.Duration) string {
	f := ratio(float64(b), float64(a))
	detail := fmt.Sprintf(" (p50 %s → %s)", ms(a), ms(b))
	switch {
	case f >= speedTolerance:
		return "got " + times(f) + " slower" + detail
	case f <= 1/speedTolerance:
		return "got " + times(1/f) + " faster" + detail
	}
	return "kept their speed" + detail
}

// feedStats is one way of building a feed page.
type feedStats struct {
	P50, P99 time.Duration
	// Statements is the statements per page the router sent to servers;
	// ServerSelects the SELECTs per page the servers counted (Com_select).
	Statements    float64
	ServerSelects float64
}

// batchMeasurements is what the batch lab measured.
type batchMeasurements struct {
	Items             int
	NPlusOne, Batched feedStats
}

// batchVerdict compares the batched feed with the N+1 feed.
func batchVerdict(m batchMeasurements) string {
	n, d := m.NPlusOne, m.Batched
	var st string
	switch f := ratio(n.Statements, d.Statements); {
	case f >= speedTolerance:
		st = fmt.Sprintf("sent %s statements per page instead of %s (%s fewer)", decimal(d.Statements), decimal(n.Statements), times(f))
	case f <= 1/speedTolerance:
		st = fmt.Sprintf("sent %s statements per page instead of %s (%s more)", decimal(d.Statements), decimal(n.Statements), times(1/f))
	default:
		st = fmt.Sprintf("sent about as many statements per page (%s against %s)", decimal(d.Statements), decimal(n.Statements))
	}
	var sp string
	switch f := ratio(float64(n.P50), float64(d.P50)); {
	case f >= speedTolerance:
		sp = "built a page " + times(f) + " faster"
	case f <= 1/speedTolerance:
		sp = "built a page " + times(1/f) + " slower"
	default:
		sp = "built a page about as fast"
	}
	return fmt.Sprintf("For a feed page of %d images, the dataloader %s and %s (p50 %s → %s, p99 %s → %s) than one query per author and per like count.",
		m.Items, st, sp, ms(n.P50), ms(d.P50), ms(n.P99), ms(d.P99))
}

// ratio is a/b, with 0/0 = 1 and x/0 = +Inf.
func ratio(a, b float64) float64 {
	switch {
	case a == b:
		return 1
	case b == 0:
		return math.Inf(1)
	}
	return a / b
}

// times formats a factor: "480×", "12×", "1.3×".
func times(f float64) string {
	switch {
	case math.IsInf(f, 0) || math.IsNaN(f):
		return "∞×"
	case f >= 10:
		return count(int64(math.Round(f))) + "×"
	}
	return strconv.FormatFloat(f, 'f', 1, 64) + "×"
}

// slowerOrFaster formats a slow-down factor: "1.3× slower" or "1.2× faster".
func slowerOrFaster(f float64) string {
	if f >= 1 {
		return times(f) + " slower"
	}
	return times(1/f) + " faster"
}

// count formats an integer with thousands separators: 1,000,000.
func count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// rate formats a per-second rate: 9,800 or 12.5.
func rate(f float64) string {
	if f >= 100 {
		return count(int64(math.Round(f)))
	}
	return strconv.FormatFloat(f, 'f', 1, 64)
}

// decimal formats a count that may be fractional: 102 or 5.5.
func decimal(f float64) string {
	if f == math.Trunc(f) {
		return count(int64(f))
	}
	return strconv.FormatFloat(f, 'f', 1, 64)
}

// ms formats a duration in milliseconds with three significant digits.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64) + " ms"
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64) + " ms"
	case v >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64) + " ms"
	}
	return strconv.FormatFloat(v, 'f', 3, 64) + " ms"
}

// secs formats a duration in seconds.
func secs(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + " s"
}

// pct formats a share as a percentage: 25%, 0.4%.
func pct(f float64) string {
	v := f * 100
	if v != 0 && math.Abs(v) < 10 {
		return strconv.FormatFloat(v, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + "%"
}

func pctInt(f float64) int { return int(math.Round(f * 100)) }

func conns(n int) string {
	if n == 1 {
		return "1 connection"
	}
	return strconv.Itoa(n) + " connections"
}

func replicas(n int) string {
	if n == 1 {
		return "1 replica"
	}
	return strconv.Itoa(n) + " replicas"
}

func shards(n int) string {
	if n == 1 {
		return "1 shard"
	}
	return strconv.Itoa(n) + " shards"
}

// joinAnd joins "a", "b" and "c" as "a, b and c".
func joinAnd(parts []string) string {
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

func roundTo(f float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(f*p) / p
}

// cubePoint is the cube lab at one step.
type cubePoint struct {
	Step string
	// Axis is the axis the step adds: X, Y or Z; empty for one machine.
	Axis  string
	Nodes int
	// MixQPS is the application's mix; ReadQPS and WriteQPS its reads and
	// its writes, each run alone.
	MixQPS, ReadQPS, WriteQPS float64
	// PrimaryShare is the first primary's (app's) CPU use of its quota
	// during the mix, WritePrimaryShare during the writes alone, and
	// Busiest the node with the highest share during the mix (0 and empty
	// without machines).
	PrimaryShare, WritePrimaryShare, BusiestShare float64
	Busiest                                       string
	// Served counts the mix's statements by the node that ran them.
	Served map[string]uint64
}

// cubeMeasurements is what the cube lab measured, one step at a time.
type cubeMeasurements struct {
	Cores    int
	Machine  bool
	Machines string
	Points   []cubePoint
}

// cubeGain is what one axis did to read and write capacity.
type cubeGain struct {
	key, axis, what string
	read, write     float64
}

// cubeAxisWords names what each axis adds, for verdicts.
var cubeAxisWords = map[string]string{
	"X": "two replicas (X)",
	"Y": "moving likes to a keyspace of its own (Y)",
	"Z": "sharding that keyspace in two (Z)",
}

// gains are each step's read and write capacity against the step before.
func (m cubeMeasurements) gains() []cubeGain {
	var out []cubeGain
	for i := 1; i < len(m.Points); i++ {
		p, prev := m.Points[i], m.Points[i-1]
		out = append(out, cubeGain{key: strings.ToLower(p.Axis), axis: p.Axis, what: cubeAxisWords[p.Axis],
			read: ratio(p.ReadQPS, prev.ReadQPS), write: ratio(p.WriteQPS, prev.WriteQPS)})
	}
	return out
}

// cubeRelief is the smallest gain the cube lab calls relief: above the
// spread of short interleaved runs, which put one server's reads at up to
// 1.2× of itself.
const cubeRelief = 1.25

// relieved says which capacity a gain raised past the noise.
func (g cubeGain) relieved() string {
	r, w := g.read >= cubeRelief, g.write >= cubeRelief
	switch {
	case r && w:
		return "relieved both the reads and the writes"
	case r:
		return "relieved the reads, not the writes"
	case w:
		return "relieved the writes, not the reads"
	}
	return "relieved neither"
}

// cubeVerdict says, for each axis added in turn, which capacity it raised
// (reads, writes, both or neither) and by how much, and what the first
// primary's CPU did.
func cubeVerdict(m cubeMeasurements) string {
	if len(m.Points) < 2 {
		return "nothing was measured"
	}
	first, last := m.Points[0], m.Points[len(m.Points)-1]
	var b strings.Builder
	fmt.Fprintf(&b, "One machine served the application's mix at %s QPS (reads alone %s, writes alone %s); with all three axes, %s QPS (%s).",
		rate(first.MixQPS), rate(first.ReadQPS), rate(first.WriteQPS), rate(last.MixQPS), times(ratio(last.MixQPS, first.MixQPS)))
	var sentences []string
	for _, g := range m.gains() {
		sentences = append(sentences, fmt.Sprintf("%s %s (reads %s, writes %s)", upperFirst(g.what), g.relieved(), times(g.read), times(g.write)))
	}
	b.WriteString(" " + strings.Join(sentences, ". ") + ".")
	if m.Machine {
		fmt.Fprintf(&b, " The first primary used %s of its CPU under the mix on one machine and %s with all three axes; the busiest node at the end was %s (%s).",
			pct(first.PrimaryShare), pct(last.PrimaryShare), last.Busiest, pct(last.BusiestShare))
	}
	fmt.Fprintf(&b, " During the runs, %s.", m.Machines)
	if !m.Machine {
		b.WriteString(" Without machines of their own, added servers share the same cores: they add work, not capacity, and an axis relieves nothing it would relieve on real machines.")
	}
	return b.String()
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
