package bench

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// WriteInterval writes one report-interval line, as sysbench's:
//
//	[ 2s ] thds: 4 qps: 31254.12 lat (ms,95%): 0.182 err/s: 0.00 reconn/s: 0.00
//
// A line of the warmup ends in "(warmup)".
func WriteInterval(w io.Writer, st IntervalStats) {
	warmup := ""
	if st.Warmup {
		warmup = " (warmup)"
	}
	// Whole milliseconds over 1000: the nearest float64 to the decimal,
	// which prints as it, where Duration.Seconds() may not (1.5030000000000001).
	secs := float64(st.Elapsed.D().Round(time.Millisecond)/time.Millisecond) / 1000
	fmt.Fprintf(w, "[ %ss ] thds: %d qps: %.2f lat (ms,%g%%): %s err/s: %.2f reconn/s: %.2f%s\n",
		strconv.FormatFloat(secs, 'f', -1, 64), st.Clients, st.QPS, st.Percentile, ms(st.Latency.D()), st.ErrorsPerSec, st.ReconnectsPerSec, warmup)
}

// histogramStep is the ratio between the bounds of one row of the text
// histogram: rows are 10% wide, so a latency reads to within 10%.
const histogramStep = 1.1

// WriteHistograms writes, for each concurrency level, its latency
// distribution as sysbench's --histogram does: a row per 10%-wide range of
// latencies that has queries, with a bar and the count, then the given
// percentile.
func WriteHistograms(w io.Writer, res *Result, percentile float64) error {
	for _, lvl := range res.Levels {
		h := lvl.Total.Hist()
		if h == nil || lvl.Total.Count == 0 {
			fmt.Fprintf(w, "\nLatency histogram, %d client(s): no successful query\n", lvl.Concurrency)
			continue
		}
		type row struct {
			upper float64 // ms
			count int64
		}
		var rows []row
		for _, b := range h.Distribution() {
			if b.Count == 0 {
				continue
			}
			// The row whose upper bound is the first power of the step
			// at or above the bar's top.
			k := math.Ceil(math.Log(float64(max(b.To, 1))) / math.Log(histogramStep))
			upper := math.Pow(histogramStep, k) / 1000
			if n := len(rows); n > 0 && rows[n-1].upper == upper {
				rows[n-1].count += b.Count
				continue
			}
			rows = append(rows, row{upper, b.Count})
		}
		var most int64
		for _, r := range rows {
			most = max(most, r.count)
		}
		fmt.Fprintf(w, "\nLatency histogram, %d client(s) (values are in milliseconds, each row up to its value)\n", lvl.Concurrency)
		fmt.Fprintf(w, "%12s  %-40s  %s\n", "value", "------------- distribution -------------", "count")
		for _, r := range rows {
			bar := strings.Repeat("*", int(math.Ceil(40*float64(r.count)/float64(most))))
			fmt.Fprintf(w, "%12.3f |%-40s  %d\n", r.upper, bar, r.count)
		}
		p := time.Duration(h.ValueAtQuantile(percentile)) * time.Microsecond
		p = min(max(p, lvl.Total.Min), lvl.Total.Max)
		if _, err := fmt.Fprintf(w, "%gth percentile: %s ms\n", percentile, ms(p)); err != nil {
			return err
		}
	}
	return nil
}

// Fence writes what is written to it inside a Markdown code block
// (```text), opened at the first write, so that the report-interval lines
// and the histogram of a --format markdown report read as text, not as
// emphasis (the histogram's bars of '*') and table cells ('|'). Close
// closes the block, if one was opened. It is not safe for concurrent use.
type Fence struct {
	W    io.Writer
	open bool
}

func (f *Fence) Write(p []byte) (int, error) {
	if !f.open {
		if _, err := io.WriteString(f.W, "```text\n"); err != nil {
			return 0, err
		}
		f.open = true
	}
	return f.W.Write(p)
}

// Close ends the code block, if one was opened, and a blank line follows.
func (f *Fence) Close() error {
	if !f.open {
		return nil
	}
	f.open = false
	_, err := io.WriteString(f.W, "```\n\n")
	return err
}
