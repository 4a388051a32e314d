package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/scalelab/scalelab/bench"
	"github.com/scalelab/scalelab/lab"
)

// logRatio is the spread of values above which a chart of bench results
// uses a logarithmic axis: concurrency 1 to 64, or a p99.9 far above p50.
const logRatio = 8

// BenchCharts returns the charts of one bench result: queries per second
// against concurrency, and the latency percentiles (p50 to p99.9) against
// concurrency. Axes become logarithmic when their values span a wide range.
func BenchCharts(b *BenchResult) []lab.Chart {
	qps := lab.Series{Name: "QPS"}
	pcts := []lab.Series{{Name: "p50"}, {Name: "p90"}, {Name: "p95"}, {Name: "p99"}, {Name: "p99.9"}}
	var xs, lat []float64
	for _, l := range b.Levels {
		x := float64(l.Concurrency)
		xs = append(xs, x)
		qps.Points = append(qps.Points, lab.Point{X: x, Y: l.Total.QPS})
		t := &l.Total
		if t.Queries == 0 {
			continue // no successful query, no latency
		}
		for i, v := range []float64{val(t.P50Ms), val(t.P90Ms), val(t.P95Ms), val(t.P99Ms), val(t.P999Ms)} {
			pcts[i].Points = append(pcts[i].Points, lab.Point{X: x, Y: v})
			lat = append(lat, v)
		}
	}
	logX := wide(xs)
	return []lab.Chart{
		{Title: "QPS against concurrency", XLabel: "concurrent clients", YLabel: "queries per second",
			Kind: kindLine, LogX: logX, Series: []lab.Series{qps}},
		{Title: "Latency percentiles", XLabel: "concurrent clients", YLabel: "latency (ms)",
			Kind: kindLine, LogX: logX, LogY: wide(lat), Series: pcts},
	}
}

// compareCharts returns the charts that put several bench results side by
// side: QPS and p99 against concurrency, one series per input.
func compareCharts(inputs []Input) []lab.Chart {
	qps := lab.Chart{Title: "QPS against concurrency, all bench results", XLabel: "concurrent clients", YLabel: "queries per second", Kind: kindLine}
	p99 := lab.Chart{Title: "p99 latency against concurrency, all bench results", XLabel: "concurrent clients", YLabel: "p99 latency (ms)", Kind: kindLine}
	var xs, lat []float64
	for _, in := range inputs {
		q, p := lab.Series{Name: in.Name}, lab.Series{Name: in.Name}
		for _, l := range in.Bench.Levels {
			x := float64(l.Concurrency)
			xs = append(xs, x)
			q.Points = append(q.Points, lab.Point{X: x, Y: l.Total.QPS})
			if l.Total.Queries > 0 {
				p.Points = append(p.Points, lab.Point{X: x, Y: val(l.Total.P99Ms)})
				lat = append(lat, val(l.Total.P99Ms))
			}
		}
		qps.Series, p99.Series = append(qps.Series, q), append(p99.Series, p)
	}
	qps.LogX, p99.LogX, p99.LogY = wide(xs), wide(xs), wide(lat)
	return []lab.Chart{qps, p99}
}

// compareTable puts the QPS and p99 latency of several bench results side
// by side, one row per concurrency level that any of them ran.
func compareTable(inputs []Input) lab.Table {
	t := lab.Table{Title: "QPS and p99 latency by concurrency", Header: []string{"clients"}}
	for _, in := range inputs {
		t.Header = append(t.Header, in.Name+" QPS")
	}
	for _, in := range inputs {
		t.Header = append(t.Header, in.Name+" p99 ms")
	}
	var levels []int
	for _, in := range inputs {
		for _, l := range in.Bench.Levels {
			levels = append(levels, l.Concurrency)
		}
	}
	slices.Sort(levels)
	for _, c := range slices.Compact(levels) {
		qps := []string{strconv.Itoa(c)}
		var p99 []string
		for _, in := range inputs {
			i := slices.IndexFunc(in.Bench.Levels, func(l BenchLevel) bool { return l.Concurrency == c })
			if i < 0 {
				qps, p99 = append(qps, ""), append(p99, "")
				continue
			}
			s := &in.Bench.Levels[i].Total
			qps = append(qps, qpsCell(s.QPS))
			p99 = append(p99, msCell(s.P99Ms))
		}
		t.Rows = append(t.Rows, append(qps, p99...))
	}
	return t
}

// wide reports whether positive values span more than logRatio.
func wide(vs []float64) bool {
	if len(vs) == 0 || slices.Min(vs) <= 0 {
		return false
	}
	return slices.Max(vs)/slices.Min(vs) > logRatio
}

// BenchTable returns one row per concurrency level of b, over all its
// iterations: queries, errors, QPS and latencies in milliseconds.
func BenchTable(b *BenchResult) lab.Table {
	t := lab.Table{
		Title:  "Per concurrency level (all iterations)",
		Header: []string{"clients", "iterations", "queries", "errors", "QPS", "min ms", "mean ms", "p50 ms", "p90 ms", "p95 ms", "p99 ms", "p99.9 ms", "max ms", "wall s"},
	}
	for _, l := range b.Levels {
		s := &l.Total
		t.Rows = append(t.Rows, []string{
			strconv.Itoa(l.Concurrency), strconv.Itoa(len(l.Iterations)),
			groupDigits(s.Queries), groupDigits(s.Errors),
			qpsCell(s.QPS),
			msCell(s.MinMs), msCell(s.MeanMs), msCell(s.P50Ms), msCell(s.P90Ms), msCell(s.P95Ms),
			msCell(s.P99Ms), msCell(s.P999Ms), msCell(s.MaxMs),
			strconv.FormatFloat(s.WallS, 'f', 2, 64),
		})
	}
	return t
}

// benchSummary says, in one sentence, how throughput and tail latency went
// with concurrency.
func benchSummary(b *BenchResult) string {
	if len(b.Levels) == 0 {
		return "No concurrency level was measured."
	}
	first, last := b.Levels[0], b.Levels[len(b.Levels)-1]
	peak := slices.MaxFunc(b.Levels, func(a, b BenchLevel) int {
		switch {
		case a.Total.QPS < b.Total.QPS:
			return -1
		case a.Total.QPS > b.Total.QPS:
			return 1
		}
		return 0
	})
	if len(b.Levels) == 1 {
		return fmt.Sprintf("%s ran %s queries per second; p99 latency was %s ms.",
			clients(first.Concurrency), groupFloat(first.Total.QPS), msCell(first.Total.P99Ms))
	}
	s := fmt.Sprintf("Throughput peaked at %s queries per second with %s", groupFloat(peak.Total.QPS), clients(peak.Concurrency))
	if first.Total.QPS > 0 {
		s += fmt.Sprintf(" (%s the %d-client rate)", ratio(peak.Total.QPS/first.Total.QPS), first.Concurrency)
	}
	s += fmt.Sprintf("; p99 latency went from %s ms with %s to %s ms with %s.",
		msCell(first.Total.P99Ms), clients(first.Concurrency), msCell(last.Total.P99Ms), clients(last.Concurrency))
	return s
}

// benchNotes lists errors by kind and whether the run was cut short.
func benchNotes(b *BenchResult) []string {
	var notes []string
	for _, l := range b.Levels {
		if l.Total.Errors == 0 {
			continue
		}
		notes = append(notes, fmt.Sprintf("%s: %s errors: %s.", clients(l.Concurrency), groupDigits(l.Total.Errors), bench.ErrorKinds(l.Total.ErrorsByKind)))
	}
	if b.Partial {
		notes = append(notes, "Partial: the run was interrupted before every level and iteration finished.")
	}
	return notes
}

// clients says "1 client" or "n clients".
func clients(n int) string {
	if n == 1 {
		return "1 client"
	}
	return strconv.Itoa(n) + " clients"
}

// qpsCell formats queries per second: whole and grouped from 100 up.
func qpsCell(v float64) string {
	if v >= 100 {
		return groupFloat(v)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// ratio formats a speed-up: 1.3×, 8.0×, 180×.
func ratio(r float64) string {
	if r >= 10 {
		return groupFloat(r) + "×"
	}
	return strconv.FormatFloat(r, 'f', 1, 64) + "×"
}

// val is a latency of a bench result, 0 when it is null (no query
// succeeded).
func val(v *float64) float64 {
	if v == nil {
		return 0
	}
	return *v
}

// msCell formats a latency in milliseconds with three significant decimals
// below 10 ms and fewer above; a null one is "-".
func msCell(p *float64) string {
	if p == nil {
		return "-"
	}
	v := *p
	switch {
	case v >= 100:
		return groupFloat(v)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

// groupFloat rounds v to an integer and groups its digits: 12,345.
func groupFloat(v float64) string { return groupDigits(int64(math.Round(v))) }

// groupDigits writes n with thousands separators: 1,000,000.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
