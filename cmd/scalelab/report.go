package main

import (
	"fmt"
	"time"

	"github.com/scalelab/scalelab/report"
	"github.com/spf13/cobra"
)

// defaultReportPath is where scalelab report writes the page without --html.
const defaultReportPath = "report.html"

func newReportCmd() *cobra.Command {
	var htmlPath, title string
	c := &cobra.Command{
		Use:   "report [flags] FILE...",
		Short: "Render lab reports and bench results as one offline HTML page with charts",
		Long: `report renders result files as one self-contained HTML page: inline CSS and
inline SVG charts, nothing loaded from the network, readable on screen and in
print.

Each FILE is either kind, told apart by its content:
  a lab report     (scalelab lab --out FILE): one section per experiment with
                   its question, verdict, charts, tables and notes
  bench results    (scalelab bench --format json, or --out FILE): QPS against
                   concurrency, latency percentiles (p50 to p99.9) against
                   concurrency, and a table per concurrency level

Several bench results are also charted together, one line each, at the top.`,
		Example: `  scalelab report results.json --html report.html
  scalelab bench --concurrency 1,4,16 --duration 10s --out direct.json --node 0/primary --query @q.sql
  scalelab bench --concurrency 1,4,16 --duration 10s --out router.json --query @q.sql
  scalelab report direct.json router.json --title "direct vs router" --html compare.html`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("report needs at least one result file (see %s --help)", c.CommandPath())
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			inputs, err := report.ReadFiles(args...)
			if err != nil {
				return err
			}
			cfg := report.Config{Title: title, Generated: time.Now()}
			if htmlPath == "-" {
				return report.WriteHTML(c.OutOrStdout(), cfg, inputs)
			}
			if err := report.WriteHTMLFile(htmlPath, cfg, inputs); err != nil {
				return err
			}
			fmt.Fprintf(stderr(c), "wrote %s\n", htmlPath)
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&htmlPath, "html", defaultReportPath, "write the page to this file, or - for stdout")
	f.StringVar(&title, "title", report.DefaultTitle, "the page's title")
	return c
}
