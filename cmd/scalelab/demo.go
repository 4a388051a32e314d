package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/scalelab/scalelab/internal/progress"
	"github.com/scalelab/scalelab/lab"
	"github.com/scalelab/scalelab/report"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/spf13/cobra"
)

func newDemoCmd() *cobra.Command {
	var size, html, out, dir string
	var basePort, labPort int
	var noMachines bool
	c := &cobra.Command{
		Use:   "demo",
		Short: "Run every experiment, print the verdicts, write report.html, and leave a sandbox to explore",
		Long: `demo is scalelab in one command:

  1. it starts a sandbox in --dir (2 shards, each a primary and a replica)
     unless one is running there, and loads the sample InstaClone data,
  2. it runs the seven experiments (index, pool, replicas, shards, cube,
     failover, batch), each on sandboxes of its own, and prints each
     verdict as it comes,
  3. it writes the results as JSON (--out) and as a self-contained HTML
     page with charts (--html).

Where cgroups can be used (root, Linux), each experiment's nodes are
simulated machines with CPU quotas, so that shards and replicas add
capacity as machines of their own would (see scalelab lab --help); with
--no-machines they share the host's cores.

At the default size it takes about four minutes on a 2-core machine.
Afterwards the sandbox keeps running: try scalelab status, and
scalelab query --route "SELECT * FROM images ORDER BY dt DESC LIMIT 5".
Stop it with scalelab down.`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			sz, err := lab.SizeNamed(size)
			if err != nil {
				return usagef("--size: %v", err)
			}
			// Every port is checked before anything starts: the labs'
			// here, the sandbox's by sandbox.Start (unless it runs).
			if err := lab.CheckPorts(labPort); err != nil {
				return fmt.Errorf("%w; pick others with --lab-base-port", err)
			}
			log := progress.NewLog(stderr(c))
			sb, err := lab.DemoSandbox(c.Context(), dir, basePort, log.Line)
			if err != nil {
				return err
			}
			out1 := c.OutOrStdout()
			rep, err := lab.RunAndWrite(c.Context(), lab.Names(), lab.Config{Size: sz, BasePort: labPort, NoMachines: noMachines, Progress: log.Line}, lab.Output{
				File: out,
				Done: func(e *lab.Experiment) {
					log.Printf("%s: done", e.Name)
					fmt.Fprintf(out1, "%-9s %s\n\n", e.Name, e.Verdict)
				},
			})
			if len(rep.Experiments) > 0 {
				in := []report.Input{{Name: filepath.Base(out), Lab: rep}}
				if werr := report.WriteHTMLFile(html, report.Config{Title: "scalelab demo", Generated: time.Now()}, in); werr != nil && err == nil {
					err = werr
				}
			}
			if err != nil {
				if errors.Is(err, context.Canceled) {
					return fmt.Errorf("demo interrupted after %d of %d experiments (partial results in %s and %s)", len(rep.Experiments), len(lab.Names()), out, html)
				}
				return err
			}
			fmt.Fprintf(out1, "Wrote %s and %s in %v.\n", html, out, log.Elapsed().Round(time.Second))
			fmt.Fprintf(out1, "The sandbox in %s is still running, with sample data. Try:\n", sb.Dir)
			fmt.Fprintf(out1, "  scalelab status\n  scalelab query --route \"SELECT * FROM images ORDER BY dt DESC LIMIT 5\"\n  scalelab down\n")
			return nil
		},
	}
	c.Flags().StringVar(&size, "size", lab.SizeDemo, "experiment sizes: "+strings.Join(lab.SizeNames(), ", "))
	c.Flags().StringVar(&html, "html", "report.html", "where to write the HTML report")
	c.Flags().StringVar(&out, "out", "results.json", "where to write the results as JSON")
	c.Flags().StringVar(&dir, "dir", sandbox.DefaultDir, "the sandbox to start (or reuse) for exploring afterwards (or $"+envDir+")")
	markSandboxDir(c)
	c.Flags().IntVar(&basePort, "base-port", sandbox.DefaultBasePort, "first port of the sandbox demo leaves running (4 nodes)")
	c.Flags().IntVar(&labPort, "lab-base-port", lab.DefaultBasePort, "first port of the experiments' own sandboxes (30 ports)")
	c.Flags().BoolVar(&noMachines, "no-machines", false, "run the experiments' nodes on the host's shared cores, without per-node CPU quotas")
	return c
}
