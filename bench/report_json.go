package bench

import (
	"encoding/json"
	"io"
	"time"
)

// JSONResult is the document WriteJSON writes (and the HTML report reads).
// Its field names are stable; units are in the names.
type JSONResult struct {
	// Meta says what was measured, when the caller recorded it.
	Meta *Meta `json:"meta,omitempty"`
	// Percentile is Result.Percentile, whose value every JSONStats holds
	// as percentile_ms; absent when zero.
	Percentile float64     `json:"percentile,omitempty"`
	Partial    bool        `json:"partial"`
	Levels     []JSONLevel `json:"levels"`
}

// JSONLevel is one concurrency level of a JSONResult.
type JSONLevel struct {
	Concurrency int         `json:"concurrency"`
	Total       JSONStats   `json:"total"`
	Iterations  []JSONStats `json:"iterations"`
}

// JSONStats are one iteration's statistics, or a level's total.
type JSONStats struct {
	Clients      int              `json:"clients"`
	Queries      int64            `json:"queries"`
	Errors       int64            `json:"errors"`
	ErrorsByKind map[string]int64 `json:"errors_by_kind"`
	// FirstErrors is the message of each kind's first error.
	FirstErrors map[string]string `json:"first_errors"`
	// LostConnections and Reconnects: see Stats.
	LostConnections int64   `json:"lost_connections"`
	Reconnects      int64   `json:"reconnects"`
	WallS           float64 `json:"wall_s"`
	QPS             float64 `json:"qps"`
	// The latencies of successful queries; null when none succeeded.
	MinMs  *float64 `json:"min_ms"`
	MeanMs *float64 `json:"mean_ms"`
	P50Ms  *float64 `json:"p50_ms"`
	P90Ms  *float64 `json:"p90_ms"`
	P95Ms  *float64 `json:"p95_ms"`
	P99Ms  *float64 `json:"p99_ms"`
	P999Ms *float64 `json:"p999_ms"`
	MaxMs  *float64 `json:"max_ms"`
	// PercentileMs is JSONResult.Percentile's latency; absent without one,
	// or when no query succeeded.
	PercentileMs *float64 `json:"percentile_ms,omitempty"`
	Partial      bool     `json:"partial"`
}

// WriteJSON writes r as one indented JSON document and nothing else.
// Latencies are in milliseconds ("p99_ms"), wall time in seconds ("wall_s");
// "queries" counts successful queries and "errors" failed ones.
func WriteJSON(w io.Writer, r *Result) error {
	out := JSONResult{Meta: r.Meta, Percentile: r.Percentile, Partial: r.Partial, Levels: make([]JSONLevel, 0, len(r.Levels))}
	for _, l := range r.Levels {
		jl := JSONLevel{Concurrency: l.Concurrency, Total: toJSONStats(&l.Total, r.Percentile), Iterations: make([]JSONStats, 0, len(l.Iterations))}
		for i := range l.Iterations {
			jl.Iterations = append(jl.Iterations, toJSONStats(&l.Iterations[i], r.Percentile))
		}
		out.Levels = append(out.Levels, jl)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func toJSONStats(s *Stats, pct float64) JSONStats {
	byKind := s.ErrorsByKind
	if byKind == nil {
		byKind = map[string]int64{}
	}
	firsts := s.FirstErrors
	if firsts == nil {
		firsts = map[string]string{}
	}
	j := JSONStats{
		Clients: s.Clients, Queries: s.Count, Errors: s.Errors, ErrorsByKind: byKind, FirstErrors: firsts,
		LostConnections: s.LostConnections, Reconnects: s.Reconnects,
		WallS: s.Wall.Seconds(), QPS: s.QPS, Partial: s.Partial,
	}
	if s.Count > 0 {
		j.MinMs, j.MeanMs, j.P50Ms, j.P90Ms = msf(s.Min), msf(s.Mean), msf(s.P50), msf(s.P90)
		j.P95Ms, j.P99Ms, j.P999Ms, j.MaxMs = msf(s.P95), msf(s.P99), msf(s.P999), msf(s.Max)
		if pct > 0 {
			j.PercentileMs = msf(s.Percentile(pct))
		}
	}
	return j
}

func msf(d time.Duration) *float64 {
	v := float64(d) / float64(time.Millisecond)
	return &v
}

// Meta says what a run measured, for the report: the statements, the
// target, the command line (passwords removed), the server and when it
// started.
type Meta struct {
	Queries []string  `json:"queries"`
	Target  string    `json:"target"`
	Args    []string  `json:"args,omitempty"`
	Server  string    `json:"server,omitempty"`
	Started time.Time `json:"started_at"`
}
