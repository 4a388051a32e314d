package report

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scalelab/scalelab/lab"
)

// DefaultTitle is the page title when Config.Title is empty.
const DefaultTitle = "scalelab report"

// Config says how WriteHTML renders a page.
type Config struct {
	// Title heads the page. Empty means DefaultTitle.
	Title string
	// Generated is when the page was made, shown in its header. Zero means
	// the header does not show it (so that tests get the same page twice).
	Generated time.Time
}

var (
	//go:embed page.tmpl
	pageTemplate string
	//go:embed page.css
	pageCSS string

	pageTmpl = template.Must(template.New("page").Parse(pageTemplate))
)

// WriteHTMLFile renders the page like WriteHTML and writes it to path
// (mode 0644). Nothing is written when rendering fails.
func WriteHTMLFile(path string, cfg Config, inputs []Input) error {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, cfg, inputs); err != nil {
		return err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// WriteHTML writes one self-contained HTML page for inputs, in their order:
// a section per experiment of each lab report, and a section per bench
// result, with a comparison section first when there are several (an Input
// with neither Lab nor Bench set is skipped). All text is escaped, charts
// are inline SVG, and the page loads nothing from anywhere. A chart that
// cannot be drawn (no data) is replaced by a short message rather than
// failing the page. It returns ErrNoInputs for no inputs, and otherwise
// only w's errors.
func WriteHTML(w io.Writer, cfg Config, inputs []Input) error {
	if len(inputs) == 0 {
		return ErrNoInputs
	}
	p := buildPage(cfg, inputs)
	if err := pageTmpl.Execute(w, p); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// page is what the template renders.
type page struct {
	Title  string
	Meta   []fact
	Groups []group
	CSS    template.CSS
}

// fact is one "name: value" line of metadata or parameters.
type fact struct{ Name, Value string }

// group is one input: a lab report's experiments, or bench results.
type group struct {
	ID, Heading string
	Meta        []fact
	Sections    []section
}

type section struct {
	ID, Title, Question string
	// VerdictLabel is "Verdict" for an experiment and "Summary" for bench
	// results, whose sentence states numbers rather than a conclusion.
	VerdictLabel, Verdict string
	Params                []fact
	Charts                []figure
	Tables                []table
	Notes                 []string
}

type figure struct {
	Title string
	SVG   template.HTML
	// Err is shown instead of the chart when it could not be drawn.
	Err string
}

type table struct {
	Title  string
	Header []cell
	Rows   [][]cell
}

// cell is a table cell; numbers, and the headers of columns of numbers,
// are right-aligned.
type cell struct {
	Text string
	Num  bool
}

func buildPage(cfg Config, inputs []Input) page {
	p := page{Title: cfg.Title, CSS: template.CSS(pageCSS)}
	if p.Title == "" {
		p.Title = DefaultTitle
	}
	var benches []Input
	labs := 0
	for _, in := range inputs {
		if in.Lab != nil {
			labs++
		}
	}
	for i, in := range inputs {
		id := "input-" + strconv.Itoa(i+1)
		switch {
		case in.Lab != nil:
			g := labGroup(id, in)
			// With one lab report the page's header says where it ran;
			// with more, each says so under its own heading.
			if labs > 1 {
				g.Meta = labMeta(in.Lab)
			}
			p.Groups = append(p.Groups, g)
		case in.Bench != nil:
			benches = append(benches, in)
			p.Groups = append(p.Groups, benchGroup(id, in))
		}
	}
	if len(benches) > 1 {
		cmp := group{ID: "compare", Heading: "Bench results compared", Sections: []section{{
			ID:     "compare-bench",
			Title:  "Throughput and tail latency of " + strconv.Itoa(len(benches)) + " bench results",
			Charts: figures(compareCharts(benches)),
			Tables: tables([]lab.Table{compareTable(benches)}),
		}}}
		p.Groups = append([]group{cmp}, p.Groups...)
	}
	p.Meta = pageMeta(cfg, inputs)
	return p
}

// pageMeta is the header's line: topology, flavor, server and date of the
// lab reports, the inputs' names, and when the page was generated.
func pageMeta(cfg Config, inputs []Input) []fact {
	var topo, flavor, server, started, took, names []string
	var labs int
	for _, in := range inputs {
		names = append(names, in.Name)
		if r := in.Lab; r != nil {
			labs++
			if r.Elapsed > 0 {
				took = append(took, elapsed(r.Elapsed))
			}
			topo, flavor, server = appendNew(topo, r.Topology), appendNew(flavor, r.Flavor), appendNew(server, r.Server)
			if !r.Started.IsZero() {
				started = appendNew(started, formatTime(r.Started))
			}
		}
	}
	var meta []fact
	add := func(name string, vs []string) {
		if len(vs) > 0 {
			meta = append(meta, fact{name, strings.Join(vs, ", ")})
		}
	}
	add("Topology", topo)
	add("Flavor", flavor)
	add("Server", server)
	add("Run", started)
	if labs == 1 {
		add("Took", took)
	}
	add("From", names)
	if !cfg.Generated.IsZero() {
		meta = append(meta, fact{"Generated", formatTime(cfg.Generated)})
	}
	return meta
}

func labMeta(r *lab.Report) []fact {
	var meta []fact
	for _, f := range []fact{{"Topology", r.Topology}, {"Flavor", r.Flavor}, {"Server", r.Server}} {
		if f.Value != "" {
			meta = append(meta, f)
		}
	}
	if !r.Started.IsZero() {
		meta = append(meta, fact{"Run", formatTime(r.Started)})
	}
	if r.Elapsed > 0 {
		meta = append(meta, fact{"Took", elapsed(r.Elapsed)})
	}
	return meta
}

// elapsed formats a duration in seconds: 2m51s.
func elapsed(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(time.Second).String()
}

func appendNew(vs []string, v string) []string {
	if v == "" || slices.Contains(vs, v) {
		return vs
	}
	return append(vs, v)
}

func formatTime(t time.Time) string { return t.Format("2006-01-02 15:04 MST") }

func labGroup(id string, in Input) group {
	g := group{ID: id, Heading: "Experiments — " + in.Name}
	for i, e := range in.Lab.Experiments {
		title := e.Title
		if title == "" {
			title = e.Name
		}
		g.Sections = append(g.Sections, section{
			ID:           id + "-" + slug(e.Name, i),
			Title:        title,
			Question:     e.Question,
			VerdictLabel: "Verdict",
			Verdict:      e.Verdict,
			Params:       params(e.Params),
			Charts:       figures(e.Charts),
			Tables:       tables(e.Tables),
			Notes:        e.Notes,
		})
	}
	return g
}

func benchGroup(id string, in Input) group {
	b := in.Bench
	return group{ID: id, Heading: "Bench — " + in.Name, Sections: []section{{
		ID:           id + "-bench",
		Title:        "QPS and latency against concurrency",
		VerdictLabel: "Summary",
		Verdict:      benchSummary(b),
		Charts:       figures(BenchCharts(b)),
		Tables:       tables([]lab.Table{BenchTable(b)}),
		Notes:        benchNotes(b),
	}}}
}

func figures(charts []lab.Chart) []figure {
	var out []figure
	for _, c := range charts {
		f := figure{Title: c.Title}
		svg, err := inlineSVG(c)
		switch {
		case errors.Is(err, errEmptyChart):
			f.Err = "No data to chart."
		case err != nil:
			f.Err = "This chart could not be drawn: " + err.Error()
		default:
			f.SVG = svg
		}
		out = append(out, f)
	}
	return out
}

// numeric matches cells that read as numbers: 1,234.5, -3, 12%, 180×, 4 ms.
var numeric = regexp.MustCompile(`^[-+]?[0-9][0-9,]*(\.[0-9]+)?\s*(%|×|x|ms|µs|us|s|k|M|G)?$`)

func tables(ts []lab.Table) []table {
	var out []table
	for _, t := range ts {
		tt := table{Title: t.Title}
		numCol := make([]bool, len(t.Header))
		for i := range numCol {
			numCol[i] = len(t.Rows) > 0
		}
		for _, row := range t.Rows {
			cells := make([]cell, len(row))
			for i, v := range row {
				v = strings.TrimSpace(v)
				cells[i] = cell{Text: row[i], Num: numeric.MatchString(v)}
				if i < len(numCol) && !cells[i].Num && v != "" {
					numCol[i] = false
				}
			}
			tt.Rows = append(tt.Rows, cells)
		}
		for i, h := range t.Header {
			tt.Header = append(tt.Header, cell{Text: h, Num: numCol[i]})
		}
		out = append(out, tt)
	}
	return out
}

// params lists an experiment's parameters by name. JSON numbers arrive as
// float64, so whole numbers are printed without a fraction.
func params(m map[string]any) []fact {
	var out []fact
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, fact{k, paramValue(m[k])})
	}
	return out
}

func paramValue(v any) string {
	switch v := v.(type) {
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = paramValue(e)
		}
		return strings.Join(parts, ", ")
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// slug makes an HTML id from an experiment's name; i keeps it unique.
func slug(name string, i int) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return strconv.Itoa(i+1) + "-" + b.String()
}
