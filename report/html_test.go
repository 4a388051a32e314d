package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"html"
	"html/template"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/scalelab/scalelab/lab"
)

func render(t *testing.T, cfg Config, inputs ...Input) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, cfg, inputs); err != nil {
		t.Fatalf("WriteHTML: %v", err)
	}
	return buf.String()
}

func decodeBench(t *testing.T, name string) Input {
	t.Helper()
	in, err := Decode(name, sampleBenchJSON(t))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return in
}

var (
	figureRE = regexp.MustCompile(`(?s)<figure class="chart">\s*<figcaption>(.*?)</figcaption>(.*?)</figure>`)
	svgRE    = regexp.MustCompile(`(?s)<svg\b.*?</svg>`)
	// A reference that would make the page load something: an absolute or
	// protocol-relative URL in src, href, url(...) or @import.
	externalRE = regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?\s*(https?:|//)|url\(\s*["']?\s*(https?:|//)|@import`)
)

// chartSVGs returns the <svg> of each chart figure by its caption; a
// figure without one maps to "".
func chartSVGs(t *testing.T, page string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range figureRE.FindAllStringSubmatch(page, -1) {
		out[html.UnescapeString(m[1])] = svgRE.FindString(m[2])
	}
	return out
}

// checkChart checks that svg is one well-formed SVG element that names
// every series of c in its legend.
func checkChart(t *testing.T, svg string, c lab.Chart) {
	t.Helper()
	if svg == "" {
		t.Errorf("chart %q: no <svg> in its figure", c.Title)
		return
	}
	if n := strings.Count(svg, "<svg"); n != 1 {
		t.Errorf("chart %q: got %d <svg> elements, want 1", c.Title, n)
	}
	// Inline SVG need not be XML, but gonum writes XML: parsing it checks
	// that nothing was cut or spliced wrongly.
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Errorf("chart %q: SVG is not well-formed: %v", c.Title, err)
			break
		}
	}
	for _, s := range c.Series {
		if !strings.Contains(svg, ">"+html.EscapeString(s.Name)+"</text>") {
			t.Errorf("chart %q: series %q is not in the SVG", c.Title, s.Name)
		}
	}
}

// esc escapes s as the page's template escapes text.
func esc(s string) string {
	var b strings.Builder
	if err := escTmpl.Execute(&b, s); err != nil {
		panic(err)
	}
	return b.String()
}

var escTmpl = template.Must(template.New("").Parse("{{.}}"))

func checkSelfContained(t *testing.T, page string) {
	t.Helper()
	if m := externalRE.FindString(page); m != "" {
		t.Errorf("page references an external resource: %q", m)
	}
	for _, s := range []string{"http://", "https://", "<script", "<link", "<img", "<iframe"} {
		if strings.Contains(page, s) {
			t.Errorf("page contains %q", s)
		}
	}
}

func TestWriteHTMLLab(t *testing.T) {
	r := sampleLab()
	page := render(t, Config{}, Input{Name: "lab.json", Lab: r})

	if !strings.HasPrefix(page, "<!DOCTYPE html>") {
		t.Errorf("page starts with %.40q, want <!DOCTYPE html>", page)
	}
	checkSelfContained(t, page)
	for _, want := range []string{
		"<title>scalelab report</title>",
		"<dt>Topology</dt><dd>2 shards × (1 primary &#43; 2 replicas)</dd>",
		"<dt>Flavor</dt><dd>mariadb</dd>",
		"<dt>Server</dt><dd>11.4.4-MariaDB</dd>",
		"<dt>Run</dt><dd>2026-11-21 14:03 UTC</dd>",
		"<dt>sizes</dt><dd>1000, 10000, 100000, 1000000</dd>",
		"<dt>duration</dt><dd>5s</dd>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "<dt>Generated</dt>") {
		t.Error("page shows a generation time for a zero Config.Generated")
	}

	svgs := chartSVGs(t, page)
	charts := 0
	for i, e := range r.Experiments {
		t.Run(e.Name, func(t *testing.T) {
			for _, want := range []string{
				`<article class="experiment" id="input-1-` + slug(e.Name, i) + `">`,
				"<h3>" + esc(e.Title) + "</h3>",
				`<p class="question">` + esc(e.Question) + "</p>",
				`<span class="verdict-label">Verdict</span> <span class="verdict-text">` + esc(e.Verdict) + "</span>",
			} {
				if !strings.Contains(page, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			for _, c := range e.Charts {
				svg, ok := svgs[c.Title]
				if !ok {
					t.Errorf("chart %q: no figure", c.Title)
					continue
				}
				charts++
				if e.Name == "empty" {
					if svg != "" {
						t.Errorf("chart %q has no points but got an SVG", c.Title)
					}
					continue
				}
				checkChart(t, svg, c)
			}
			for _, tb := range e.Tables {
				checkTable(t, page, tb)
			}
			for _, n := range e.Notes {
				if !strings.Contains(page, "<li>"+esc(n)+"</li>") {
					t.Errorf("note %q is not on the page", n)
				}
			}
		})
	}
	if got := strings.Count(page, "<figure"); got != charts {
		t.Errorf("got %d figures, want %d", got, charts)
	}
	if !strings.Contains(page, `<p class="chart-error">No data to chart.</p>`) {
		t.Error("the chart without points does not say so")
	}
	if strings.Contains(page, "<script>alert") {
		t.Error("a note's markup was not escaped")
	}
}

// checkTable checks that t's caption, header and cells are on the page, in
// one <table>.
func checkTable(t *testing.T, page string, tb lab.Table) {
	t.Helper()
	start := strings.Index(page, "<caption>"+esc(tb.Title)+"</caption>")
	if start < 0 {
		t.Errorf("table %q: no caption", tb.Title)
		return
	}
	end := strings.Index(page[start:], "</table>")
	if end < 0 {
		t.Errorf("table %q: not closed", tb.Title)
		return
	}
	body := page[start : start+end]
	for _, h := range tb.Header {
		if !regexp.MustCompile(`<th scope="col"( class="num")?>` + regexp.QuoteMeta(esc(h)) + `</th>`).MatchString(body) {
			t.Errorf("table %q: header %q missing", tb.Title, h)
		}
	}
	if got, want := strings.Count(body, "<tr>")-1, len(tb.Rows); got != want {
		t.Errorf("table %q: got %d rows, want %d", tb.Title, got, want)
	}
	for _, row := range tb.Rows {
		for _, c := range row {
			if !strings.Contains(body, ">"+esc(c)+"</td>") {
				t.Errorf("table %q: cell %q missing", tb.Title, c)
			}
		}
	}
}

func TestWriteHTMLBench(t *testing.T) {
	in := decodeBench(t, "results.json")
	page := render(t, Config{Title: "bench <run>", Generated: time.Date(2026, 11, 21, 15, 0, 0, 0, time.UTC)}, in)
	checkSelfContained(t, page)

	for _, want := range []string{
		"<title>bench &lt;run&gt;</title>",
		"<h2>Bench — results.json</h2>",
		"<dt>Generated</dt><dd>2026-11-21 15:00 UTC</dd>",
		`<span class="verdict-label">Summary</span> <span class="verdict-text">Throughput peaked at 33,100 queries per second with 64 clients (8.0× the 1-client rate); p99 latency went from 1.380 ms with 1 client to 11.4 ms with 64 clients.</span>`,
		"<li>64 clients: 7 errors: 1205 ER_LOCK_WAIT_TIMEOUT ×7.</li>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	svgs := chartSVGs(t, page)
	if len(svgs) != 2 {
		t.Errorf("got %d charts, want 2 (QPS, latency)", len(svgs))
	}
	for _, c := range BenchCharts(in.Bench) {
		checkChart(t, svgs[c.Title], c)
	}
	tb := BenchTable(in.Bench)
	checkTable(t, page, tb)
	if got, want := tb.Rows[2], []string{"16", "1", "159,000", "0", "31,800", "0.120", "0.576", "0.480", "0.960", "1.440", "2.880", "7.200", "19.2", "5.00"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("row of 16 clients: got %q, want %q", got, want)
	}
	if !strings.Contains(page, `<td class="num">159,000</td>`) {
		t.Error("numbers are not right-aligned")
	}
}

func TestWriteHTMLMixed(t *testing.T) {
	a, b := decodeBench(t, "direct.json"), decodeBench(t, "router.json")
	b.Bench.Levels[3].Total.QPS = 25000
	page := render(t, Config{}, Input{Name: "lab.json", Lab: sampleLab()}, a, b)
	checkSelfContained(t, page)

	for _, want := range []string{
		`<nav class="toc" aria-label="Contents">`,
		`<a href="#compare">Bench results compared</a>`,
		`<a href="#input-1">Experiments — lab.json</a>`,
		`<a href="#input-2">Bench — direct.json</a>`,
		`<a href="#input-3">Bench — router.json</a>`,
		"<dt>From</dt><dd>lab.json, direct.json, router.json</dd>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if i, j := strings.Index(page, `id="compare"`), strings.Index(page, `id="input-1"`); i < 0 || i > j {
		t.Error("the comparison does not come first")
	}
	tb := compareTable([]Input{a, b})
	checkTable(t, page, tb)
	if got, want := strings.Join(tb.Rows[3], "|"), "64|33,100|25,000|11.4|11.4"; got != want {
		t.Errorf("compare row of 64 clients: got %q, want %q", got, want)
	}
	svgs := chartSVGs(t, page)
	for _, c := range compareCharts([]Input{a, b}) {
		checkChart(t, svgs[c.Title], c)
	}
}

func TestWriteHTMLDeterministic(t *testing.T) {
	in := []Input{{Name: "lab.json", Lab: sampleLab()}, decodeBench(t, "bench.json")}
	if render(t, Config{}, in...) != render(t, Config{}, in...) {
		t.Error("two renderings of the same inputs differ")
	}
}

func TestWriteHTMLNoInputs(t *testing.T) {
	if err := WriteHTML(io.Discard, Config{}, nil); !errors.Is(err, ErrNoInputs) {
		t.Errorf("got %v, want ErrNoInputs", err)
	}
}

func TestWriteHTMLFile(t *testing.T) {
	path := t.TempDir() + "/report.html"
	if err := WriteHTMLFile(path, Config{}, []Input{decodeBench(t, "b.json")}); err != nil {
		t.Fatal(err)
	}
	in, err := ReadFile("testdata/lab.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteHTMLFile(t.TempDir()+"/missing/dir/report.html", Config{}, []Input{in}); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}
