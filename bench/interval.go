package bench

import (
	"github.com/scalelab/scalelab/internal/units"
	"sync"
	"time"
)

// DefaultPercentile is the latency percentile of report-interval lines, as
// sysbench's --percentile default.
const DefaultPercentile = 95

// IntervalStats is what one report interval of an iteration measured, as
// a sysbench --report-interval line shows it.
type IntervalStats struct {
	// Elapsed is the time since the iteration started (warmup included),
	// on the grid of report intervals: the multiple of ReportInterval
	// nearest to the line's time.
	Elapsed units.Ms `json:"elapsed_ms"`
	// Warmup is set for an interval that began during the warmup
	// (Config.Warmup): its figures count the warmup's queries, which the
	// results leave out, so that they show the load the server is under.
	Warmup  bool `json:"warmup"`
	Clients int  `json:"clients"`
	// Queries and Errors are the interval's measured queries, and QPS and
	// ErrorsPerSec the same per second of the interval.
	Queries      int64   `json:"queries"`
	Errors       int64   `json:"errors"`
	QPS          float64 `json:"qps"`
	ErrorsPerSec float64 `json:"errors_per_sec"`
	// Percentile is which latency percentile Latency is, over the
	// interval's successful queries; Latency is 0 when there were none.
	Percentile float64  `json:"percentile"`
	Latency    units.Ms `json:"latency_ms"`
	// ReconnectsPerSec is the clients' new connections, in place of lost
	// ones, per second of the interval (sysbench's reconn/s).
	ReconnectsPerSec float64 `json:"reconnects_per_sec"`
}

// intervalRecorder collects one client's latencies during one report
// interval; the reporter takes them every interval.
type intervalRecorder struct {
	mu  sync.Mutex
	rec *Recorder
}

func newIntervalRecorder() *intervalRecorder { return &intervalRecorder{rec: NewRecorder()} }

func (r *intervalRecorder) record(d time.Duration, err error) {
	r.mu.Lock()
	if err != nil {
		r.rec.errors++
	} else {
		r.rec.Record(d)
	}
	r.mu.Unlock()
}

func (r *intervalRecorder) reconnected() {
	r.mu.Lock()
	r.rec.reconnects++
	r.mu.Unlock()
}

// takeInto adds what r recorded to into and empties r.
func (r *intervalRecorder) takeInto(into *Recorder) {
	r.mu.Lock()
	into.Merge(r.rec)
	r.rec.Reset()
	r.mu.Unlock()
}

// startIntervals starts the goroutine that calls cfg.Interval every
// ReportInterval during an iteration that started at start, its warmup
// ending at measureStart, and returns a func that stops it and waits for
// it to exit.
func (r *runner) startIntervals(clients []*client, start, measureStart time.Time) (stop func()) {
	for _, c := range clients {
		c.ival = nil
	}
	if r.cfg.Interval == nil || r.cfg.ReportInterval <= 0 {
		return func() {}
	}
	for _, c := range clients {
		c.ival = newIntervalRecorder()
	}
	pct := r.cfg.Percentile
	if pct <= 0 {
		pct = DefaultPercentile
	}
	last := start
	var tick int64 // the last line's number on the reporting grid
	return every(r.cfg.ReportInterval, func() {
		now := r.clock.Now()
		sum := NewRecorder()
		for _, c := range clients {
			c.ival.takeInto(sum)
		}
		secs := now.Sub(last).Seconds()
		warmup := last.Before(measureStart)
		last = now
		// The line is labelled with its time on the grid of intervals
		// (1s, 2s, ... as sysbench's), not the ticker's jitter.
		step := r.cfg.ReportInterval
		tick = max(tick+1, int64((now.Sub(start)+step/2)/step))
		st := IntervalStats{Elapsed: units.Ms(time.Duration(tick) * step), Warmup: warmup, Clients: len(clients), Queries: sum.count, Errors: sum.errors, Percentile: pct}
		if secs > 0 {
			st.QPS, st.ErrorsPerSec = float64(sum.count)/secs, float64(sum.errors)/secs
			st.ReconnectsPerSec = float64(sum.reconnects) / secs
		}
		if sum.count > 0 {
			st.Latency = units.Ms(sum.Percentile(pct))
		}
		r.cfg.Interval(st)
	})
}
