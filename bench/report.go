package bench

import (
	"fmt"
	"io"
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

// Formats lists the formats that Write knows, for flag help.
func Formats() []Format {
	return []Format{FormatTable, FormatMarkdown, FormatCSV, FormatJSON, FormatSlap, FormatSlapCSV}
}

// Write writes r to w in format f. It returns an error wrapping
// ErrUnknownFormat for a format not in Formats, and otherwise only w's
// errors.
func Write(w io.Writer, f Format, r *Result) error {
	switch f {
	case FormatTable:
		return WriteTable(w, r)
	case FormatMarkdown:
		return WriteMarkdown(w, r)
	case FormatCSV:
		return WriteCSV(w, r)
	case FormatJSON:
		return WriteJSON(w, r)
	case FormatSlap:
		return WriteSlapSummary(w, r)
	case FormatSlapCSV:
		return WriteSlapCSV(w, r)
	}
	return fmt.Errorf("%w %q: use one of %v", ErrUnknownFormat, f, Formats())
}

// statsColumns are the columns shared by the table, markdown and CSV
// reports, after their leading key columns.
var statsColumns = []string{"queries", "errors", "qps", "min_ms", "mean_ms", "p50_ms", "p90_ms", "p95_ms", "p99_ms", "p99.9_ms", "max_ms", "wall_s"}

func statsCells(s *Stats) []string {
	return []string{
		strconv.FormatInt(s.Count, 10),
		strconv.FormatInt(s.Errors, 10),
		strconv.FormatFloat(s.QPS, 'f', 1, 64),
		ms(s.Min), ms(s.Mean), ms(s.P50), ms(s.P90), ms(s.P95), ms(s.P99), ms(s.P999), ms(s.Max),
		strconv.FormatFloat(s.Wall.Seconds(), 'f', 3, 64),
	}
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 3, 64)
}

// notes are the lines printed under a table: errors by kind, and whether
// the result is partial.
func notes(r *Result) []string {
	var out []string
	for _, l := range r.Levels {
		if l.Total.Errors == 0 {
			continue
		}
		var kinds []string
		for _, k := range sortedKeys(l.Total.ErrorsByKind) {
			kinds = append(kinds, fmt.Sprintf("%s ×%d", k, l.Total.ErrorsByKind[k]))
		}
		out = append(out, fmt.Sprintf("concurrency %d: %d errors: %s", l.Concurrency, l.Total.Errors, strings.Join(kinds, ", ")))
	}
	if r.Partial {
		out = append(out, "partial: interrupted before every run finished")
	}
	return out
}
