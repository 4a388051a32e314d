package report

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/lab"
	"gonum.org/v1/plot"
)

func TestFormatNum(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{0.1, "0.1"},
		{0.30000000000000004, "0.3"},
		{2.5, "2.5"},
		{64, "64"},
		{1000, "1k"},
		{1024, "1024"},
		{1500, "1.5k"},
		{9999, "9999"},
		{25000, "25k"},
		{12345, "12.35k"},
		{1e6, "1M"},
		{2.5e9, "2.5G"},
		{-3000, "-3k"},
	} {
		if got := formatNum(tc.in); got != tc.want {
			t.Errorf("formatNum(%v): got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLogTicks(t *testing.T) {
	labels := func(ticks []plot.Tick) string {
		var out []string
		for _, tk := range ticks {
			if tk.Label != "" {
				out = append(out, tk.Label)
			}
		}
		return strings.Join(out, " ")
	}
	for _, tc := range []struct {
		name   string
		lo, hi float64
		want   string
	}{
		// plot.LogTicks drops 0.1 here: log10(0.1) rounds to -0.99….
		{"below one", 0.1, 28.5, "0.1 0.2 0.5 1 2 5 10 20"},
		{"few decades", 1, 64, "1 2 5 10 20 50"},
		{"many decades", 0.01, 1000, "0.01 0.1 1 10 100 1k"},
		{"within a decade", 20, 80, "20 50"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := labels(logTicks{}.Ticks(tc.lo, tc.hi)); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestWriteSVG(t *testing.T) {
	long := "a series with a name far too long for a legend on the right"
	for _, tc := range []struct {
		name string
		c    lab.Chart
	}{
		{"line", lab.Chart{Title: "t", Kind: "line", Series: []lab.Series{{Name: "a & b", Points: []lab.Point{{X: 1, Y: 1}, {X: 2, Y: 4}}}}}},
		{"log line", lab.Chart{Kind: "line", LogX: true, LogY: true, Series: []lab.Series{{Name: "s", Points: []lab.Point{{X: 1, Y: 0.2}, {X: 1000, Y: 300}}}}}},
		{"log ignored for zero", lab.Chart{Kind: "line", LogX: true, LogY: true, Series: []lab.Series{{Name: "s", Points: []lab.Point{{X: 0, Y: 0}, {X: 10, Y: 3}}}}}},
		{"one point", lab.Chart{Kind: "line", Series: []lab.Series{{Name: "s", Points: []lab.Point{{X: 4, Y: 100}}}}}},
		{"non-finite points skipped", lab.Chart{Kind: "line", Series: []lab.Series{{Name: "s", Points: []lab.Point{{X: 1, Y: math.NaN()}, {X: 2, Y: 3}, {X: math.Inf(1), Y: 1}}}}}},
		{"unknown kind draws lines", lab.Chart{Kind: "pie", Series: []lab.Series{{Name: "s", Points: []lab.Point{{X: 1, Y: 1}, {X: 2, Y: 2}}}}}},
		{"bar", lab.Chart{Kind: "bar", Series: []lab.Series{{Name: "N+1", Points: []lab.Point{{Label: "feed", Y: 51}}}, {Name: "batched", Points: []lab.Point{{Label: "feed", Y: 2}}}}}},
		{"bar by x", lab.Chart{Kind: "bar", Series: []lab.Series{{Name: "rows", Points: []lab.Point{{X: 1, Y: 10}, {X: 2, Y: 12}, {X: 4, Y: 0}}}}}},
		{"log bar", lab.Chart{Kind: "bar", LogY: true, Series: []lab.Series{{Name: "s", Points: []lab.Point{{Label: "a", Y: 1}, {Label: "b", Y: 1e6}}}}}},
		{"many bars", lab.Chart{Kind: "bar", Series: manySeries(6, 8)}},
		{"long legend goes below", lab.Chart{Kind: "line", Series: []lab.Series{{Name: long, Points: []lab.Point{{X: 1, Y: 1}, {X: 2, Y: 2}}}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteSVG(&buf, tc.c); err != nil {
				t.Fatalf("WriteSVG: %v", err)
			}
			svg := buf.String()
			if !strings.Contains(svg, `xmlns="http://www.w3.org/2000/svg"`) {
				t.Error("a standalone SVG lacks its namespace")
			}
			checkChart(t, svg[strings.Index(svg, "<svg"):], tc.c)
			if strings.Contains(svg, "NaN") || strings.Contains(svg, "Inf") {
				t.Error("SVG has NaN or Inf coordinates")
			}
		})
	}
}

// TestIdealLineDashed: an ideal series is drawn dashed in gray, and the
// measured series keep the palette's first color.
func TestIdealLineDashed(t *testing.T) {
	c := lab.Chart{Kind: "line", Series: []lab.Series{
		{Name: "ideal", Ideal: true, Points: []lab.Point{{X: 1, Y: 1}, {X: 4, Y: 4}}},
		{Name: "measured", Points: []lab.Point{{X: 1, Y: 1}, {X: 4, Y: 3}}},
	}}
	var buf bytes.Buffer
	if err := WriteSVG(&buf, c); err != nil {
		t.Fatal(err)
	}
	svg := buf.String()
	if !strings.Contains(svg, "stroke-dasharray") {
		t.Error("the ideal line is not dashed")
	}
	if !strings.Contains(svg, "stroke:#888888") || !strings.Contains(svg, "stroke:#0072B2") {
		t.Errorf("want the ideal line gray and the measured one in the palette's first color:\n%.2000s", svg)
	}
	buf.Reset()
	c.Series[0].Ideal = false
	if err := WriteSVG(&buf, c); err != nil || strings.Contains(buf.String(), "stroke-dasharray") {
		t.Errorf("a measured series was dashed (%v)", err)
	}
}

func manySeries(n, cats int) []lab.Series {
	out := make([]lab.Series, n)
	for i := range out {
		out[i].Name = "series " + string(rune('A'+i))
		for c := range cats {
			out[i].Points = append(out[i].Points, lab.Point{Label: "c" + string(rune('0'+c)), Y: float64(i*c + 1)})
		}
	}
	return out
}

func TestWriteSVGEmpty(t *testing.T) {
	for _, c := range []lab.Chart{
		{Kind: "line"},
		{Kind: "bar", Series: []lab.Series{{Name: "s"}}},
		{Kind: "line", Series: []lab.Series{{Name: "s", Points: []lab.Point{{X: math.NaN(), Y: 1}}}}},
	} {
		if err := WriteSVG(&bytes.Buffer{}, c); !errors.Is(err, errEmptyChart) {
			t.Errorf("%+v: got %v, want errEmptyChart", c, err)
		}
	}
}

func TestInlineSVG(t *testing.T) {
	c := lab.Chart{Title: `"quoted" <title>`, Kind: "line", Series: []lab.Series{{Name: "s", Points: []lab.Point{{X: 1, Y: 1}, {X: 2, Y: 2}}}}}
	svg, err := inlineSVG(c)
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	if !strings.HasPrefix(s, `<svg class="plot" viewBox="0 0 440 270" role="img" aria-label="&#34;quoted&#34; &lt;title&gt;">`) {
		t.Errorf("got opening %.120q", s)
	}
	for _, bad := range []string{"<?xml", "<!--", "xmlns"} {
		if strings.Contains(s, bad) {
			t.Errorf("inline SVG contains %q", bad)
		}
	}
	checkChart(t, s, c)
}

func TestBenchSummary(t *testing.T) {
	level := func(c int, qps, p99 float64) BenchLevel {
		return BenchLevel{Concurrency: c, Total: BenchStats{Queries: 1, QPS: qps, P99Ms: f(p99)}}
	}
	for _, tc := range []struct {
		name string
		b    BenchResult
		want string
	}{
		{"none", BenchResult{}, "No concurrency level was measured."},
		{"one level", BenchResult{Levels: []BenchLevel{level(8, 1234.4, 0.5)}}, "8 clients ran 1,234 queries per second; p99 latency was 0.500 ms."},
		{"scales", BenchResult{Levels: []BenchLevel{level(1, 1000, 0.5), level(16, 12000, 2)}},
			"Throughput peaked at 12,000 queries per second with 16 clients (12× the 1-client rate); p99 latency went from 0.500 ms with 1 client to 2.000 ms with 16 clients."},
		{"peaks in the middle", BenchResult{Levels: []BenchLevel{level(1, 1000, 0.5), level(4, 3000, 1), level(64, 2500, 40)}},
			"Throughput peaked at 3,000 queries per second with 4 clients (3.0× the 1-client rate); p99 latency went from 0.500 ms with 1 client to 40.0 ms with 64 clients."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := benchSummary(&tc.b); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestBenchChartsLogAxes(t *testing.T) {
	narrow := BenchResult{Levels: []BenchLevel{
		{Concurrency: 1, Total: BenchStats{Queries: 1, P50Ms: f(1), P999Ms: f(2)}},
		{Concurrency: 4, Total: BenchStats{Queries: 1, P50Ms: f(1), P999Ms: f(3)}},
	}}
	wideR := BenchResult{Levels: []BenchLevel{
		{Concurrency: 1, Total: BenchStats{Queries: 1, P50Ms: f(0.1), P90Ms: f(0.3), P95Ms: f(0.5), P99Ms: f(1), P999Ms: f(2)}},
		{Concurrency: 64, Total: BenchStats{Queries: 1, P50Ms: f(0.2), P90Ms: f(1), P95Ms: f(2), P99Ms: f(8), P999Ms: f(30)}},
		{Concurrency: 128}, // no successful query: no latency point
	}}
	n, w := BenchCharts(&narrow), BenchCharts(&wideR)
	if n[0].LogX || n[1].LogY {
		t.Error("narrow ranges got log axes")
	}
	if !w[0].LogX || !w[1].LogX || !w[1].LogY {
		t.Error("wide ranges got linear axes")
	}
	if got := len(w[1].Series[0].Points); got != 2 {
		t.Errorf("latency points: got %d, want 2 (the level without queries has none)", got)
	}
}

func TestCompareTableMissingLevels(t *testing.T) {
	a := Input{Name: "a", Bench: &BenchResult{Levels: []BenchLevel{{Concurrency: 1, Total: BenchStats{QPS: 100, P99Ms: f(1)}}, {Concurrency: 8, Total: BenchStats{QPS: 700, P99Ms: f(2)}}}}}
	b := Input{Name: "b", Bench: &BenchResult{Levels: []BenchLevel{{Concurrency: 4, Total: BenchStats{QPS: 50.25, P99Ms: f(12.5)}}}}}
	tb := compareTable([]Input{a, b})
	if got, want := strings.Join(tb.Header, "|"), "clients|a QPS|b QPS|a p99 ms|b p99 ms"; got != want {
		t.Errorf("header: got %q, want %q", got, want)
	}
	var rows []string
	for _, r := range tb.Rows {
		rows = append(rows, strings.Join(r, "|"))
	}
	if got, want := strings.Join(rows, "\n"), "1|100||1.000|\n4||50.2||12.5\n8|700||2.000|"; got != want {
		t.Errorf("rows:\n%s\nwant:\n%s", got, want)
	}
}

func f(v float64) *float64 { return &v }
