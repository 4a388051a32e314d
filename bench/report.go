package bench

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Format names a report format.
type Format string

// The report formats that Write knows.
const (
	FormatTable    Format = "table"    // an aligned text table, one row per concurrency level
	FormatMarkdown Format = "markdown" // the same table in GitHub Markdown
	FormatCSV      Format = "csv"      // one row per iteration and one per level total
	FormatJSON     Format = "json"     // the whole Result, field names carrying units
	FormatSlap     Format = "slap"     // mysqlslap's "Benchmark" summary blocks
	FormatSlapCSV  Format = "slap-csv" // mysqlslap's --csv lines
)

// Machine reports whether f is read by programs (JSON and the CSVs): then
// only the report goes to stdout, and what a run prints while it goes (the
// report-interval lines) goes to stderr.
func (f Format) Machine() bool {
	return f == FormatJSON || f == FormatCSV || f == FormatSlapCSV
}

// Formats lists the formats that Write knows, for flag help.
func Formats() []Format {
	return []Format{FormatTable, FormatMarkdown, FormatCSV, FormatJSON, FormatSlap, FormatSlapCSV}
}

// Write writes r to w in format f. It returns an error wrapping
// ErrUnknownFormat for a format not in Formats, and otherwise only w's
// errors.
func Write(w io.Writer, f Format, r *Result) error {
	if write, ok := writers[f]; ok {
		return write(w, r)
	}
	return fmt.Errorf("%w %q: use one of %v", ErrUnknownFormat, f, Formats())
}

var writers = map[Format]func(io.Writer, *Result) error{
	FormatTable: WriteTable, FormatMarkdown: WriteMarkdown, FormatCSV: WriteCSV,
	FormatJSON: WriteJSON, FormatSlap: WriteSlapSummary, FormatSlapCSV: WriteSlapCSV,
}

// statsColumns are the columns shared by the table, markdown and CSV
// reports, after their leading key columns: with a column of its own for
// r's Percentile when it is not one of the fixed ones.
func statsColumns(r *Result) []string {
	cols := []string{"queries", "errors", "qps", "min_ms", "mean_ms", "p50_ms", "p90_ms", "p95_ms", "p99_ms", "p99.9_ms"}
	if extraPercentile(r) {
		cols = append(cols, "p"+strconv.FormatFloat(r.Percentile, 'f', -1, 64)+"_ms")
	}
	return append(cols, "max_ms", "wall_s")
}

// extraPercentile reports whether r's Percentile needs a column of its
// own.
func extraPercentile(r *Result) bool {
	return r.Percentile > 0 && !slices.Contains([]float64{50, 90, 95, 99, 99.9}, r.Percentile)
}

// statsCells are s's cells of statsColumns(r). The latencies of a run in
// which no query succeeded were not measured: their cells hold none (JSON's
// null), rather than a latency of 0.
func statsCells(r *Result, s *Stats, none string) []string {
	lat := []string{ms(s.Min), ms(s.Mean), ms(s.P50), ms(s.P90), ms(s.P95), ms(s.P99), ms(s.P999)}
	if extraPercentile(r) {
		lat = append(lat, ms(s.Percentile(r.Percentile)))
	}
	lat = append(lat, ms(s.Max))
	if s.Count == 0 {
		for i := range lat {
			lat[i] = none
		}
	}
	return slices.Concat([]string{
		strconv.FormatInt(s.Count, 10),
		strconv.FormatInt(s.Errors, 10),
		strconv.FormatFloat(s.QPS, 'f', 1, 64),
	}, lat, []string{strconv.FormatFloat(s.Wall.Seconds(), 'f', 3, 64)})
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 3, 64)
}

// ErrorKinds lists failed queries by kind, in the order of the kinds'
// names: "deadlock ×2, timeout ×5".
func ErrorKinds(byKind map[string]int64) string {
	kinds := make([]string, 0, len(byKind))
	for _, k := range sortedKeys(byKind) {
		kinds = append(kinds, fmt.Sprintf("%s ×%d", k, byKind[k]))
	}
	return strings.Join(kinds, ", ")
}

// notes are the lines printed under a table: errors by kind, and whether
// the result is partial.
func notes(r *Result) []string {
	var out []string
	for _, l := range r.Levels {
		if l.Total.Errors == 0 {
			continue
		}
		out = append(out, fmt.Sprintf("concurrency %d: %d errors: %s", l.Concurrency, l.Total.Errors, ErrorKinds(l.Total.ErrorsByKind)))
		out = append(out, firstErrors(&l.Total)...)
	}
	for _, l := range r.Levels {
		if n := lostNote(&l.Total); n != "" {
			out = append(out, fmt.Sprintf("concurrency %d: %s", l.Concurrency, n))
		}
	}
	if r.Partial {
		out = append(out, "partial: interrupted before every run finished")
	}
	return out
}

// firstErrors are lines that give the message of the first error of each
// of s's kinds, in the order of the kinds' names, as sysbench and
// mysqlslap print a failed query's error.
func firstErrors(s *Stats) []string {
	var out []string
	for _, k := range sortedKeys(s.ErrorsByKind) {
		if m, ok := s.FirstErrors[k]; ok {
			if len(m) > maxErrorMessage {
				m = m[:maxErrorMessage] + "…"
			}
			out = append(out, fmt.Sprintf("  first %s: %s", k, m))
		}
	}
	return out
}

// maxErrorMessage is the longest error message the notes print whole: a
// server's message quotes the statement, which may be long.
const maxErrorMessage = 300
