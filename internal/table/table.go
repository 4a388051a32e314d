// Package table renders scalelab's text tables the same way everywhere:
// headers as written (lower case), numbers right-aligned, text left.
package table

import (
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// Write renders header and rows to w. A column whose every cell is a
// number (with an optional unit such as ms, s, ×, %, or a placeholder:
// -, ?, empty) is right-aligned. opts add to the defaults (a Markdown
// renderer, say).
func Write(w io.Writer, header []string, rows [][]string, opts ...tablewriter.Option) error {
	align := make([]tw.Align, len(header))
	for c := range header {
		align[c] = tw.AlignRight
		for _, r := range rows {
			if c < len(r) && !Numeric(r[c]) {
				align[c] = tw.AlignLeft
				break
			}
		}
	}
	all := append([]tablewriter.Option{
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{Global: tw.AlignLeft, PerColumn: align}),
	}, opts...)
	t := tablewriter.NewTable(w, all...)
	t.Header(header)
	for _, r := range rows {
		if err := t.Append(r); err != nil {
			return fmt.Errorf("table: %w", err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("table: %w", err)
	}
	return nil
}

// units may follow a number in a numeric cell.
var units = []string{"ms", "µs", "ns", "s", "×", "x", "%", " MiB", " GiB", "MiB", "GiB"}

// Numeric reports whether a cell reads as a number: an optional sign,
// digits with , or . (and an exponent), then an optional unit; or a
// placeholder for a value that does not apply.
func Numeric(s string) bool {
	s = strings.TrimSpace(s)
	switch s {
	case "", "-", "?", "–", "NULL":
		return true
	}
	for _, u := range units {
		if t, ok := strings.CutSuffix(s, u); ok && t != "" {
			s = strings.TrimSpace(t)
			break
		}
	}
	s = strings.TrimLeft(s, "+-~≈")
	if s == "" {
		return false
	}
	digits := false
	prev := ' '
	for _, r := range s {
		switch {
		case unicode.IsDigit(r):
			digits = true
		case r == ',' || r == '.' || r == 'e' || r == 'E':
		case (r == '-' || r == '+') && (prev == 'e' || prev == 'E'):
		default:
			return false
		}
		prev = r
	}
	return digits
}
