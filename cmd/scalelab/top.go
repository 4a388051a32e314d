package main

import (
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/scalelab/scalelab/internal/progress"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/spf13/cobra"
)

func newTopCmd() *cobra.Command {
	var topo, format string
	var interval time.Duration
	var count int
	c := &cobra.Command{
		Use:   "top",
		Short: "Watch every node live: QPS, replication lag, and CPU against its machine's limit",
		Long: `top samples every node of the topology once a --interval and shows, for
each: the statements per second its clients send (the server's Questions
counter, less top's own), a replica's heartbeat lag in milliseconds, and,
when the sandbox gives its nodes machines (up --node-cpu), the CPU it used
against its limit and the share of CPU periods in which it was throttled:
a node throttled in most periods is the one that saturated. Run it beside
a bench to see the hot shard.

On a terminal it redraws a table in place until Ctrl-C. Piped, it prints
plain tab-separated lines (a header first, then a line per node per
sample), or JSON lines with --format json; --count stops it by itself.`,
		Example: `  scalelab top
  scalelab top --count 10 --interval 500ms | grep primary
  scalelab top --format json --count 5 > samples.jsonl`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			terminal := progress.IsTerminal(c.OutOrStdout())
			if !c.Flags().Changed("format") && !terminal {
				format = replica.TopLines
			}
			if !slices.Contains(replica.TopFormats(), format) {
				return usagef("--format %q: want %s", format, strings.Join(replica.TopFormats(), ", "))
			}
			if interval < 100*time.Millisecond || count < 0 {
				return usagef("--interval %v --count %d: want an interval of 100ms or more and a count of 0 or more", interval, count)
			}
			t, err := loadTopology(c.ErrOrStderr(), topo)
			if err != nil {
				return err
			}
			cfg := replica.TopConfig{Topology: t, Interval: interval, Count: count, Format: format,
				Redraw: terminal && format == replica.TopTable, Out: c.OutOrStdout()}
			if sb, _ := sandbox.Open(filepath.Dir(topo)); sb != nil {
				cfg.Usage = sb.Usage
			}
			return replica.RunTop(c.Context(), cfg)
		},
	}
	addTopologyFlag(c, &topo)
	c.Flags().StringVar(&format, "format", replica.TopTable, "output format: table, lines or json (lines when stdout is not a terminal)")
	c.Flags().DurationVar(&interval, "interval", time.Second, "time between samples")
	c.Flags().IntVar(&count, "count", 0, "stop after this many samples (0: until Ctrl-C)")
	return c
}
