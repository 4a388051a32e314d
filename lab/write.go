package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	textTable "github.com/scalelab/scalelab/internal/table"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
)

// Format is an output format of Write.
type Format string

// The formats Write knows.
const (
	FormatTable    Format = "table"    // text tables, then the verdict
	FormatMarkdown Format = "markdown" // GitHub Markdown
	FormatJSON     Format = "json"     // the Report as JSON, nothing else
)

// ErrUnknownFormat is returned (wrapped) by Write for a format not in
// Formats.
var ErrUnknownFormat = errors.New("lab: unknown format")

// Formats lists the formats, for flag help.
func Formats() []Format { return []Format{FormatTable, FormatMarkdown, FormatJSON} }

// Write prints one experiment as text tables or Markdown: its title and
// question, its parameters, its tables, its notes and its verdict. JSON is
// written for a whole Report, by WriteJSON. It returns w's errors.
func Write(w io.Writer, f Format, e *Experiment) error {
	switch f {
	case FormatTable:
		return writeText(w, e, false)
	case FormatMarkdown:
		return writeText(w, e, true)
	case FormatJSON:
		return fmt.Errorf("%w %q for one experiment: write the Report with WriteJSON", ErrUnknownFormat, f)
	}
	return fmt.Errorf("%w %q: want one of %v", ErrUnknownFormat, f, Formats())
}

// WriteJSON writes r as indented JSON followed by a newline.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func writeText(w io.Writer, e *Experiment, md bool) error {
	var b strings.Builder
	if md {
		fmt.Fprintf(&b, "## %s: %s\n\n_%s_\n\n%s\n\n", e.Name, e.Title, e.Question, params(e.Params))
	} else {
		fmt.Fprintf(&b, "== %s: %s ==\n%s\n%s\n\n", e.Name, e.Title, e.Question, params(e.Params))
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	for _, t := range e.Tables {
		if md {
			fmt.Fprintf(w, "### %s\n\n", t.Title)
		} else {
			fmt.Fprintln(w, t.Title)
		}
		if err := writeTable(w, t, md); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	b.Reset()
	if len(e.Notes) > 0 {
		if !md {
			b.WriteString("Notes:\n")
		}
		for _, n := range e.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
		b.WriteString("\n")
	}
	if md {
		fmt.Fprintf(&b, "**Verdict:** %s\n\n", e.Verdict)
	} else {
		fmt.Fprintf(&b, "Verdict: %s\n\n", e.Verdict)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeTable(w io.Writer, t Table, md bool) error {
	var opts []tablewriter.Option
	if md {
		opts = append(opts, tablewriter.WithRenderer(renderer.NewMarkdown()))
	}
	if err := textTable.Write(w, t.Header, t.Rows, opts...); err != nil {
		return fmt.Errorf("table %q: %w", t.Title, err)
	}
	return nil
}

// params renders the parameters as "key value, key value", keys sorted.
func params(p map[string]any) string {
	keys := slices.Sorted(maps.Keys(p))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %v", strings.ReplaceAll(k, "_", " "), p[k])
	}
	return strings.Join(parts, ", ")
}

// msFloat is d in milliseconds, for charts.
func msFloat(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// msCell is d in milliseconds with three decimals, for tables.
func msCell(d time.Duration) string { return strconv.FormatFloat(msFloat(d), 'f', 3, 64) }

// WriteJSONFile writes r to path as WriteJSON does, replacing the file.
func WriteJSONFile(path string, r *Report) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write the report: %w", err)
	}
	if err := WriteJSON(f, r); err != nil {
		f.Close()
		return fmt.Errorf("write the report to %s: %w", path, err)
	}
	return f.Close()
}
