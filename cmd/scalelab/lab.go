package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/scalelab/scalelab/lab"
	"github.com/spf13/cobra"
)

type labOptions struct {
	size, format, out, dir, topo string
	basePort                     int
	duration                     time.Duration
	rows, rounds, clients        int
}

func newLabCmd() *cobra.Command {
	var o labOptions
	c := &cobra.Command{
		Use:   "lab NAME|all",
		Short: "Run a scaling experiment on real servers and print what it measured, with a verdict",
		Long: `lab runs one of scalelab's experiments, or all of them with "all". Each one
starts the servers it needs, loads the sample data, measures both sides of
one scaling technique in the same run (taking turns round by round, so a
slow moment of the machine hits both sides alike), and ends with a verdict
computed from its own numbers.

  index     the front page query and a lookup by user, without and with an
            index, at several table sizes: EXPLAIN side by side, rows
            examined, latency, QPS, and what the index costs inserts
  pool      pool sizes 1, 2, 4, … 64 at a fixed number of clients: QPS,
            p99 and pool waits, and where more connections stop helping
  replicas  0, 1 and 2 replicas on a 90% read mix: QPS, p99, replication
            lag, and stale reads under each consistency mode
  shards    1, 2, 4 and 8 shards: targeted and scatter queries, rows per
            shard, and the rows that move when a shard is added (hash
            ranges against modulo)
  batch     a feed page built with N+1 queries against a dataloader:
            latency, statements and round trips

Sandboxes go to a temporary directory (or under --dir) on ports from
--base-port, and are stopped and removed when the lab ends, also on Ctrl-C.
With --topology, the index, pool, replicas and batch labs run on that
topology instead; they DROP and reload the sample tables (users, images,
likes) in its database. The shards lab always starts its own sandboxes.

Tables and the verdict go to stdout, progress to stderr. With --format json
stdout holds only the report, as JSON; --out writes the same report to a
file, for scalelab report.`,
		Example: `  scalelab lab index
  scalelab lab all --size small
  scalelab lab pool --duration 5s --format markdown
  scalelab lab all --out results.json
  scalelab lab replicas --topology .scalelab/topology.yaml`,
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error { return runLab(c, args[0], &o) },
	}
	f := c.Flags()
	f.StringVar(&o.size, "size", lab.SizeDemo, "data and time: "+strings.Join(lab.SizeNames(), ", ")+" (small: seconds per lab; demo: all five in about 3 minutes; full: about 15)")
	f.DurationVar(&o.duration, "duration", 0, "measured time of each side of a comparison (default: the size's)")
	f.IntVar(&o.rows, "rows", 0, "images to load (users are a tenth, likes twice as many) in the pool, replicas, shards and batch labs (default: the size's)")
	f.IntVar(&o.rounds, "rounds", 0, "interleaved rounds each side's time is split over (default: the size's)")
	f.IntVar(&o.clients, "clients", 0, "concurrent clients of the replicas and shards labs (default: the size's)")
	f.StringVar(&o.format, "format", string(lab.FormatTable), "output: "+joinLabFormats())
	f.StringVar(&o.out, "out", "", "also write the report as JSON to this file")
	f.IntVar(&o.basePort, "base-port", lab.DefaultBasePort, "first port of the sandboxes the labs start (each lab takes up to 30 ports)")
	f.StringVar(&o.dir, "dir", "", "directory for the labs' sandboxes (default: a temporary directory)")
	f.StringVar(&o.topo, "topology", "", "run the labs that can on this topology instead of sandboxes of their own (they reload the sample tables)")
	return c
}

func joinLabFormats() string {
	var s []string
	for _, f := range lab.Formats() {
		s = append(s, string(f))
	}
	return strings.Join(s, ", ")
}

func runLab(c *cobra.Command, name string, o *labOptions) error {
	names := []string{name}
	if name == "all" {
		names = lab.Names()
	} else if !slices.Contains(lab.Names(), name) {
		return usagef("no lab %q: want one of %s, or all", name, strings.Join(lab.Names(), ", "))
	}
	size, err := lab.SizeNamed(o.size)
	if err != nil {
		return usagef("--size: %v", err)
	}
	format := lab.Format(o.format)
	if !slices.Contains(lab.Formats(), format) {
		return usagef("--format %q: want %s", o.format, joinLabFormats())
	}
	for _, f := range []struct {
		flag string
		v    int
		dst  *int
	}{{"rows", o.rows, &size.Rows}, {"rounds", o.rounds, &size.Rounds}, {"clients", o.clients, &size.Clients}} {
		if !c.Flags().Changed(f.flag) {
			continue
		}
		if f.v < 1 {
			return usagef("--%s %d: want 1 or more", f.flag, f.v)
		}
		*f.dst = f.v
	}
	if c.Flags().Changed("duration") {
		if o.duration <= 0 {
			return usagef("--duration %v: want a positive duration", o.duration)
		}
		size.Duration = o.duration
	}
	cfg := lab.Config{Size: size, BasePort: o.basePort, Dir: o.dir}
	if o.topo != "" {
		if cfg.Topology, err = loadTopology(c.ErrOrStderr(), o.topo); err != nil {
			return err
		}
	}
	started := time.Now()
	errw := stderr(c)
	cfg.Progress = func(line string) {
		fmt.Fprintf(errw, "[%5.1fs] %s\n", time.Since(started).Seconds(), line)
	}
	out := c.OutOrStdout()
	var werr error
	rep, err := lab.RunAll(c.Context(), names, cfg, func(e *lab.Experiment) {
		fmt.Fprintf(errw, "[%5.1fs] %s: done\n", time.Since(started).Seconds(), e.Name)
		if format != lab.FormatJSON && werr == nil {
			werr = lab.Write(out, format, e)
		}
	})
	if rep != nil && o.out != "" && len(rep.Experiments) > 0 {
		if ferr := writeLabReport(o.out, rep); ferr != nil && err == nil {
			err = ferr
		}
	}
	if format == lab.FormatJSON && rep != nil && err == nil {
		werr = lab.WriteJSON(out, rep)
	}
	if err != nil {
		return err
	}
	if werr != nil {
		return werr
	}
	if len(names) > 1 {
		fmt.Fprintf(errw, "%d labs in %.0fs\n", len(names), time.Since(started).Seconds())
	}
	return nil
}

func writeLabReport(path string, rep *lab.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write the report: %w", err)
	}
	if err := lab.WriteJSON(f, rep); err != nil {
		f.Close()
		return fmt.Errorf("write the report to %s: %w", path, err)
	}
	return f.Close()
}
