package bench

import (
	"maps"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// The latency histogram records microseconds from 1µs to 60s with 3
// significant digits: a percentile is within 0.1% of the true value. Shorter
// latencies count as 1µs and longer ones as 60s; Min, Max and Mean are exact.
const (
	histLowest  = 1
	histHighest = 60_000_000
	histDigits  = 3
)

// A Recorder collects the latencies and errors of one client. It is not safe
// for concurrent use: each client has its own, and they are merged when the
// run ends. Record does not allocate. A Recorder holds a ~140 KB histogram.
type Recorder struct {
	hist          *hdrhistogram.Histogram
	count, errors int64
	min, max, sum time.Duration
	errorsByKind  map[string]int64
	firstErrors   map[string]string // the message of each kind's first error
	// lost counts connections lost mid-run, reconnects those replaced.
	lost, reconnects int64
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder {
	return &Recorder{hist: hdrhistogram.New(histLowest, histHighest, histDigits)}
}

// Record adds the latency of one successful query.
func (r *Recorder) Record(d time.Duration) {
	us := int64(d / time.Microsecond)
	us = min(max(us, histLowest), histHighest)
	_ = r.hist.RecordValue(us) // cannot fail: us is in range
	if r.count == 0 || d < r.min {
		r.min = d
	}
	r.max = max(r.max, d)
	r.sum += d
	r.count++
}

// RecordError counts one failed query under ClassifyError(err).
func (r *Recorder) RecordError(err error) {
	if r.errorsByKind == nil {
		r.errorsByKind = map[string]int64{}
	}
	kind := ClassifyError(err)
	if r.errorsByKind[kind] == 0 {
		if r.firstErrors == nil {
			r.firstErrors = map[string]string{}
		}
		if _, ok := r.firstErrors[kind]; !ok {
			r.firstErrors[kind] = err.Error()
		}
	}
	r.errorsByKind[kind]++
	r.errors++
}

// RecordLost counts a client's connection lost mid-run (the server closed
// it, or killed it): its failed query is counted once, by RecordError.
func (r *Recorder) RecordLost() { r.lost++ }

// RecordReconnect counts a client's new connection in place of a lost one.
func (r *Recorder) RecordReconnect() { r.reconnects++ }

// Merge adds everything o recorded to r. o is unchanged.
func (r *Recorder) Merge(o *Recorder) {
	r.hist.Merge(o.hist)
	if o.count > 0 && (r.count == 0 || o.min < r.min) {
		r.min = o.min
	}
	r.max = max(r.max, o.max)
	r.sum += o.sum
	r.count += o.count
	r.errors += o.errors
	r.lost += o.lost
	r.reconnects += o.reconnects
	for k, n := range o.errorsByKind {
		if r.errorsByKind == nil {
			r.errorsByKind = map[string]int64{}
		}
		r.errorsByKind[k] += n
	}
	for k, m := range o.firstErrors {
		if _, ok := r.firstErrors[k]; !ok {
			if r.firstErrors == nil {
				r.firstErrors = map[string]string{}
			}
			r.firstErrors[k] = m
		}
	}
}

// MergeStats adds a run's statistics, as Stats gave them, to r.
func (r *Recorder) MergeStats(s Stats) {
	o := Recorder{hist: s.hist, count: s.Count, errors: s.Errors, min: s.Min, max: s.Max, sum: s.sum, errorsByKind: s.ErrorsByKind,
		lost: s.LostConnections, reconnects: s.Reconnects, firstErrors: s.FirstErrors}
	if o.hist == nil {
		o.hist = hdrhistogram.New(histLowest, histHighest, histDigits)
	}
	r.Merge(&o)
}

// Reset empties r for reuse.
func (r *Recorder) Reset() {
	r.hist.Reset()
	r.count, r.errors, r.min, r.max, r.sum = 0, 0, 0, 0, 0
	r.lost, r.reconnects = 0, 0
	clear(r.errorsByKind)
	clear(r.firstErrors)
}

// Stats summarizes what r recorded for a run of the given wall time and
// number of clients. The Stats does not share memory with r.
func (r *Recorder) Stats(wall time.Duration, clients int) Stats {
	s := Stats{
		Clients:         clients,
		Count:           r.count,
		Errors:          r.errors,
		ErrorsByKind:    maps.Clone(r.errorsByKind),
		FirstErrors:     maps.Clone(r.firstErrors),
		LostConnections: r.lost,
		Reconnects:      r.reconnects,
		Wall:            wall,
		Min:             r.min,
		Max:             r.max,
		sum:             r.sum,
		hist:            r.hist.Clone(),
	}
	if s.ErrorsByKind == nil {
		s.ErrorsByKind = map[string]int64{}
	}
	if wall > 0 {
		s.QPS = float64(r.count) / wall.Seconds()
	}
	if r.count > 0 {
		s.Mean = r.sum / time.Duration(r.count)
		s.P50 = r.Percentile(50)
		s.P90 = r.Percentile(90)
		s.P95 = r.Percentile(95)
		s.P99 = r.Percentile(99)
		s.P999 = r.Percentile(99.9)
	}
	return s
}

// Percentile reads the histogram, whose answer is the top of a bucket, and
// keeps it within the exact [min, max] so that p99.9 never exceeds max.
func (r *Recorder) Percentile(p float64) time.Duration {
	d := time.Duration(r.hist.ValueAtQuantile(p)) * time.Microsecond
	return min(max(d, r.min), r.max)
}

// Stats summarizes one run (one iteration at one concurrency) or, in
// Level.Total, all iterations at one concurrency. Latencies are of successful
// queries only; failed queries are counted in Errors.
type Stats struct {
	Clients      int              // concurrent clients
	Count        int64            // successful queries
	Errors       int64            // failed queries
	ErrorsByKind map[string]int64 // failed queries by ClassifyError kind; never nil
	// FirstErrors holds the message of the first error of each kind of
	// ErrorsByKind (the server's text, "Table 'db.t' doesn't exist"), as
	// sysbench and mysqlslap print it.
	FirstErrors map[string]string
	// LostConnections counts the clients' connections lost mid-run (each
	// one's failed query is one of Errors), and Reconnects the new
	// connections that replaced them (see Config.ReconnectAttempts); a
	// client that could not reconnect stopped.
	LostConnections, Reconnects int64
	// Wall is the time to run all queries, after warmup: mysqlslap's "number
	// of seconds to run all queries". In Level.Total it is the sum over
	// iterations.
	Wall time.Duration
	QPS  float64 // Count / Wall in seconds; 0 when Wall is 0
	// Latency of successful queries. Min, Mean and Max are exact; the
	// percentiles come from the histogram and are within 0.1%.
	Min, Mean, Max, P50, P90, P95, P99, P999 time.Duration
	// Partial is set when the run was interrupted by cancellation.
	Partial bool

	hist *hdrhistogram.Histogram
	sum  time.Duration // of the successful queries' latencies, for MergeStats
}

// Percentile returns the p-th percentile of the successful queries'
// latencies (within 0.1%, and within [Min, Max]), or 0 when none succeeded.
func (s *Stats) Percentile(p float64) time.Duration {
	if s.hist == nil || s.Count == 0 {
		return 0
	}
	d := time.Duration(s.hist.ValueAtQuantile(p)) * time.Microsecond
	return min(max(d, s.Min), s.Max)
}

// Hist returns the latency histogram in microseconds, for charts. Callers
// must not modify it.
func (s *Stats) Hist() *hdrhistogram.Histogram { return s.hist }
