package bench

import (
	"fmt"
	"github.com/scalelab/scalelab/internal/table"
	"io"
	"maps"
	"slices"
	"strconv"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// WriteTable writes one row per concurrency level (all its iterations
// merged) as an aligned text table, followed by errors by kind and a note if
// the result is partial.
func WriteTable(w io.Writer, r *Result) error {
	if err := writeTable(w, r, nil); err != nil {
		return err
	}
	for _, n := range notes(r) {
		if _, err := fmt.Fprintln(w, n); err != nil {
			return err
		}
	}
	return nil
}

// WriteMarkdown writes the WriteTable table as a GitHub Markdown table, the
// notes as a list under it.
func WriteMarkdown(w io.Writer, r *Result) error {
	if err := writeTable(w, r, renderer.NewMarkdown()); err != nil {
		return err
	}
	if ns := notes(r); len(ns) > 0 {
		if _, err := fmt.Fprintln(w); err != nil {
			return err
		}
		for _, n := range ns {
			if _, err := fmt.Fprintf(w, "- %s\n", n); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeTable(w io.Writer, r *Result, rend tw.Renderer) error {
	var opts []tablewriter.Option
	if rend != nil {
		opts = append(opts, tablewriter.WithRenderer(rend))
	}
	var rows [][]string
	for _, l := range r.Levels {
		rows = append(rows, append([]string{strconv.Itoa(l.Concurrency), strconv.Itoa(len(l.Iterations))}, statsCells(r, &l.Total, "-")...))
	}
	return table.Write(w, append([]string{"clients", "iterations"}, statsColumns(r)...), rows, opts...)
}

func sortedKeys(m map[string]int64) []string {
	return slices.Sorted(maps.Keys(m))
}
