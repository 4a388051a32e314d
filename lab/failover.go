package lab

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/scalelab/scalelab/failover"
	"github.com/scalelab/scalelab/sandbox"
)

// Port offsets of the failover lab's sandboxes, one per replication mode.
const (
	failoverAsyncOffset    = 0
	failoverSemiSyncOffset = 10
)

// drillRun is one drill: a primary killed under writes.
type drillRun struct {
	SemiSync    bool
	Unavailable time.Duration
	Acked, Lost int
	Failed      int
}

func (d drillRun) mode() string {
	if d.SemiSync {
		return "semi-sync"
	}
	return "async"
}

// failoverMeasurements are the failover lab's drills, async then semi-sync.
type failoverMeasurements struct {
	Runs []drillRun
	// Interval and Misses are the watcher's probe interval and the misses
	// in a row that declare a primary lost.
	Interval time.Duration
	Misses   int
}

func runFailover(ctx context.Context, e *env) (*Experiment, error) {
	m := failoverMeasurements{Interval: failover.DefaultWatchInterval, Misses: failover.DefaultMisses}
	for _, semi := range []bool{false, true} {
		label, offset := "failover-async", failoverAsyncOffset
		if semi {
			label, offset = "failover-semisync", failoverSemiSyncOffset
		}
		sc := startConfig(1, 2, nil)
		sc.SemiSync = semi
		sb, err := e.start(ctx, label, offset, sc)
		if err != nil {
			return nil, err
		}
		e.say("%s: killing the primary under %d writes a second, and failing over", label, drillRate)
		res, err := failover.Drill(ctx, failover.DrillConfig{Cluster: sb.Cluster(), TopologyPath: sb.TopologyPath(), Kill: sb.KillNode,
			Rate: drillRate, Interval: m.Interval, Misses: m.Misses})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", label, err)
		}
		m.Runs = append(m.Runs, drillRun{SemiSync: semi, Unavailable: res.Unavailable.D(), Acked: res.Acked, Lost: len(res.Lost), Failed: res.Failed})
		if err := stopOne(ctx, sb); err != nil {
			return nil, err
		}
	}
	exp := &Experiment{
		Params: map[string]any{
			"topology":        "1 shard: a primary and 2 replicas",
			"write_rate":      drillRate,
			"probe_interval":  m.Interval.String(),
			"probes_to_fail":  m.Misses,
			"replication":     "async, then semi-sync (AFTER_SYNC)",
			"failure":         "SIGKILL of the primary",
			"failover":        "emergency reparent to the most advanced replica, confirmed by the replicas",
			"writes_through":  "the router, which follows the new topology file",
			"measured_writes": "acknowledged inserts of numbered rows",
		},
		Verdict: failoverVerdict(m),
	}
	e.measured = m
	failoverReport(exp, m)
	return exp, nil
}

// drillRate is the failover lab's writes per second.
const drillRate = 200

// stopOne stops a lab sandbox before the next starts: they run one after
// another, and the machine has only so many cores.
func stopOne(ctx context.Context, sb *sandbox.Sandbox) error {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopTimeout)
	defer cancel()
	return sb.Stop(sctx)
}

// failoverVerdict contrasts async and semi-sync: writes lost, and how long
// writes were unavailable.
func failoverVerdict(m failoverMeasurements) string {
	if len(m.Runs) == 0 {
		return "nothing was measured"
	}
	var lost, down []string
	for _, r := range m.Runs {
		lost = append(lost, fmt.Sprintf("%s lost %s of %s acknowledged writes", r.mode(), count(int64(r.Lost)), count(int64(r.Acked))))
		down = append(down, fmt.Sprintf("%s (%s)", secs(r.Unavailable), r.mode()))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Killing the primary under writes: %s. Writes were unavailable for %s: %d missed probes %v apart, the replicas' confirmation, the reparent, and the router's move to the new primary.",
		joinAnd(lost), joinAnd(down), m.Misses, m.Interval)
	var async, semi *drillRun
	for i := range m.Runs {
		if m.Runs[i].SemiSync {
			semi = &m.Runs[i]
		} else {
			async = &m.Runs[i]
		}
	}
	switch {
	case semi != nil && semi.Lost > 0:
		fmt.Fprintf(&b, " Semi-sync lost writes: a commit was acknowledged without a replica's acknowledgement, after the primary fell back to async.")
	case async != nil && semi != nil && async.Lost > 0:
		fmt.Fprintf(&b, " Async acknowledges a commit before any replica has it, so the writes of the last moment before the crash went with the primary; semi-sync waits for a replica, so the promoted one had every acknowledged write.")
	case async != nil && semi != nil:
		fmt.Fprintf(&b, " Async lost nothing this time: a loss needs a write acknowledged in the last moment before the crash that no replica had yet, which a fast local network makes rare, not impossible (run scripts/bench-failover.sh for ten of each); semi-sync rules it out.")
	}
	return b.String()
}

func failoverReport(exp *Experiment, m failoverMeasurements) {
	down := Chart{Title: "Writes unavailable after the primary was killed", XLabel: "replication", YLabel: "seconds without an acknowledged write", Kind: "bar"}
	lost := Chart{Title: "Acknowledged writes lost", XLabel: "replication", YLabel: "writes lost", Kind: "bar"}
	ds, ls := Series{Name: "unavailable"}, Series{Name: "lost"}
	t := Table{Title: "SIGKILL of the primary under " + strconv.Itoa(drillRate) + " writes a second",
		Header: []string{"replication", "writes unavailable s", "acknowledged", "lost", "failed"}}
	for i, r := range m.Runs {
		ds.Points = append(ds.Points, Point{X: float64(i), Label: r.mode(), Y: r.Unavailable.Seconds()})
		ls.Points = append(ls.Points, Point{X: float64(i), Label: r.mode(), Y: float64(r.Lost)})
		t.Rows = append(t.Rows, []string{r.mode(), strconv.FormatFloat(r.Unavailable.Seconds(), 'f', 2, 64), count(int64(r.Acked)), count(int64(r.Lost)), count(int64(r.Failed))})
	}
	down.Series, lost.Series = []Series{ds}, []Series{ls}
	exp.Charts = []Chart{down, lost}
	exp.Tables = []Table{t}
	exp.Notes = []string{
		"Each mode runs on a sandbox of its own: one shard, a primary and two replicas. A writer inserts numbered rows through the router and records every id acknowledged; the primary is killed with SIGKILL; the watcher (scalelab failover --watch) declares it lost after " + strconv.Itoa(m.Misses) + " missed probes " + m.Interval.String() + " apart once its replicas confirm they lost it too, and promotes the most advanced replica; the router follows the new topology file.",
		"Writes unavailable is the longest gap between two acknowledged writes around the kill. Lost counts acknowledged ids the new primary does not have. The router holds a write that could not run while the shard had no primary and sends it to the new one; failed counts writes that were on their way to the server when it died, whose outcome is unknown, so they are never sent again.",
	}
}
