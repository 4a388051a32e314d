package main

import (
	"fmt"
	"strings"

	"github.com/scalelab/scalelab/internal/progress"
	"github.com/scalelab/scalelab/lab"
	"github.com/spf13/cobra"
)

func newLabCmd() *cobra.Command {
	var o lab.Options
	var cfg lab.Config
	var out, topo string
	c := &cobra.Command{
		Use:   "lab NAME|all",
		Short: "Run a scaling experiment on real servers and print what it measured, with a verdict",
		Long: `lab runs one of scalelab's experiments, or all of them with "all". Each one
starts the servers it needs, loads the sample data, measures both sides of
one scaling technique in the same run (taking turns round by round, so a
slow moment of the machine hits both sides alike), and ends with a verdict
computed from its own numbers.

` + lab.Catalog() + `

Where cgroups can be used (root, Linux), every node of a lab's sandboxes is
a simulated machine: a CPU quota sized so that the lab's largest sandbox
takes half this host's cores, leaving the rest to the client (the bench and
the router), so that scaling out adds capacity as it would with machines of
their own. The nodes also run on CPUs of their own, the host's upper half,
and the client on the others: sharing cores costs a node as much per query
as the query itself on a small host. Elsewhere, or with --no-machines, the nodes share the host's
cores, and the verdicts say so.

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
		RunE: func(c *cobra.Command, args []string) error {
			o.Lab, o.Given = args[0], c.Flags().Changed
			names, size, format, err := o.Resolve()
			if err != nil {
				return &usageError{err}
			}
			cfg.Size = size
			if topo != "" {
				if cfg.Topology, err = loadTopology(c.ErrOrStderr(), topo); err != nil {
					return err
				}
			}
			log := progress.NewLog(stderr(c))
			cfg.Progress = log.Line
			if _, err := lab.RunAndWrite(c.Context(), names, cfg, lab.Output{
				W: c.OutOrStdout(), Format: format, File: out,
				Done: func(e *lab.Experiment) { log.Printf("%s: done", e.Name) },
			}); err != nil {
				return err
			}
			if len(names) > 1 {
				fmt.Fprintf(stderr(c), "%d labs in %.0fs\n", len(names), log.Elapsed().Seconds())
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&o.Size, "size", lab.SizeDemo, "data and time: "+strings.Join(lab.SizeNames(), ", ")+" (small: seconds per lab; demo: all seven in about 4 minutes; full: about 15)")
	f.DurationVar(&o.Duration, "duration", 0, "measured time of each side of a comparison (default: the size's)")
	f.IntVar(&o.Rows, "rows", 0, "images to load (users are a tenth, likes twice as many) in the pool, replicas, shards and batch labs (default: the size's)")
	f.IntVar(&o.Rounds, "rounds", 0, "interleaved rounds each side's time is split over (default: the size's)")
	f.IntVar(&o.Clients, "clients", 0, "concurrent clients of the replicas and shards labs (default: the size's); their capacity runs take at least 4 a node")
	f.StringVar(&o.Format, "format", string(lab.FormatTable), "output: "+joinNames(lab.Formats()))
	f.StringVar(&out, "out", "", "also write the report as JSON to this file")
	f.IntVar(&cfg.BasePort, "base-port", lab.DefaultBasePort, "first port of the sandboxes the labs start (each lab takes up to 30 ports)")
	f.StringVar(&cfg.Dir, "dir", "", "directory for the labs' sandboxes (default: a temporary directory)")
	f.StringVar(&topo, "topology", "", "run the labs that can on this topology instead of sandboxes of their own (they reload the sample tables)")
	f.BoolVar(&cfg.NoMachines, "no-machines", false, "run every node on the host's shared cores, without per-node CPU quotas")
	return c
}
