package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/scalelab/scalelab/internal/progress"
	"github.com/scalelab/scalelab/reshard"
	"github.com/spf13/cobra"
)

func newReshardCmd() *cobra.Command {
	var split string
	var w workflow
	var shards int
	c := &cobra.Command{
		Use:   "reshard (--shards N | --split RANGE)",
		Short: "Split the sandbox's shards, moving only the rows whose keyspace id moves",
		Long: `reshard splits the key ranges of a local sandbox, as Vitess resharding does:

  1. adds the new shards' servers (with as many replicas as the others),
  2. copies their tables' schema,
  3. copies every row whose keyspace id now belongs to another shard,
  4. verifies every table per new key range: row count and BIT_XOR of
     CRC32(CONCAT_WS(...)) of the old layout against the new,
  5. switches topology.yaml to the new shards,
  6. only then deletes the moved rows from their old shards.

Each old shard's servers go on serving the new key range that keeps most of
their rows, except that the first shard's servers always stay first:
unsharded tables live there, and so do the id sequences when the topology
has no main node.

Without --online, PAUSE WRITES while it runs: rows written to a shard after
its copy are not moved.

With --online (MariaDB) the application may go on writing, through routers
that follow topology.yaml (scalelab proxy does):

  --online            copies each old shard's rows from one consistent
                      snapshot whose binlog position is recorded, then
                      applies every change logged since, read from that
                      shard's binlog, to the new shard its key names (phase
                      caught-up), and stops. Run it again to catch up again;
                      scalelab vdiff compares the two sides.
  --switch            switches while writes go on: it holds writes to the
                      sharded tables on the old shards (routers wait and
                      retry them: nothing fails), applies the last changes,
                      checks each table's row count (vdiff compares row by
                      row), records where reverse replication starts,
                      publishes the new topology, waits until every running
                      router follows it, and lets writes through. It prints
                      that window: writes waited no longer.
  --online --switch   (or --auto-switch) does both in one run.
  --reverse           after the switch: applies to the old shards every change
                      made on the new ones since, holds, switches back, and
                      ends the workflow (the added shards are removed).
  --complete          after the switch: deletes the moved rows from their old
                      shards and ends the workflow.
  --cancel            before the switch: ends the workflow and deletes what it
                      added; the old shards serve on.

Each step is recorded in <dir>/reshard.json. If the run is killed at any
point, run the same command again (or plain scalelab reshard): it resumes and
ends in the same state, with nothing lost or duplicated. One workflow
command (reshard, movetables, vdiff) runs at a time on a sandbox: another
started meanwhile exits at once with status 1, naming the one that runs.

It prints rows moved against rows total. Splitting hash ranges 2→4 moves
about half of the rows; a modulo vindex 2→3 moves two thirds, because modulo
keyspace ids depend on the shard count. That contrast is the lesson.`,
		Example: `  scalelab reshard --shards 4          # -80 80-  →  -40 40-80 80-c0 c0-
  scalelab reshard --split 80-         # 80-  →  80-c0 c0-
  scalelab reshard --shards 4 --online # copy and catch up while writes go on
  scalelab vdiff                       # compare the two sides
  scalelab reshard --switch            # switch, writes held for the window
  scalelab reshard --complete          # or --reverse to switch back`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			return w.run(c, reshard.Config{Shards: shards, Split: split})
		},
	}
	c.Flags().IntVar(&shards, "shards", 0, "split the keyspace into this many equal ranges")
	c.Flags().StringVar(&split, "split", "", "split one key range (e.g. 80-) into two halves")
	w.flags(c)
	return c
}

// workflow is what reshard and movetables share: the sandbox, the output
// format, and how far a run goes.
type workflow struct {
	topo, format, stopAfter                                  string
	online, switchNow, autoSwitch, reverse, complete, cancel bool
	switchTimeout, throttleLag                               time.Duration
}

func (w *workflow) flags(c *cobra.Command) {
	addTopologyFlag(c, &w.topo)
	c.Flags().StringVar(&w.format, "format", "table", "output format: table or json")
	c.Flags().BoolVar(&w.online, "online", false, "copy while the application writes: a snapshot per source, then the changes in its binlog (MariaDB); stops caught up, and a run without it switches")
	c.Flags().BoolVar(&w.switchNow, "switch", false, "switch an online workflow while writes go on: writes are held (and retried by routers) for the switch window only")
	c.Flags().BoolVar(&w.autoSwitch, "auto-switch", false, "with --online: switch as soon as caught up (--online --switch)")
	c.Flags().BoolVar(&w.reverse, "reverse", false, "after an online switch: switch back to the old shards, with every change made since, and end the workflow")
	c.Flags().BoolVar(&w.complete, "complete", false, "after an online switch: delete the rows left on the old shards and end the workflow")
	c.Flags().BoolVar(&w.cancel, "cancel", false, "before a switch: end the workflow, deleting what it added (the old shards serve on)")
	c.Flags().DurationVar(&w.throttleLag, "throttle-lag", reshard.DefaultThrottleLag, "pause the copy while a replica of a source or target shard lags more than this (below 0: never)")
	c.Flags().DurationVar(&w.switchTimeout, "switch-timeout", reshard.DefaultSwitchTimeout, "give up a switch whose writes have been held this long; the old shards go on serving")
	c.Flags().StringVar(&w.stopAfter, "stop-after", "", "stop after this phase ("+strings.Join(reshard.Phases(), ", ")+"), to look before going on (scalelab vdiff); run again to resume")
}

// run runs cfg on the sandbox and prints its result, or says where a stop
// that was asked for left it.
func (w *workflow) run(c *cobra.Command, cfg reshard.Config) error {
	if err := checkTableOrJSON(w.format); err != nil {
		return err
	}
	if w.stopAfter != "" && !slices.Contains(reshard.Phases(), w.stopAfter) {
		return usagef("--stop-after %q: want one of %s", w.stopAfter, strings.Join(reshard.Phases(), ", "))
	}
	sb, err := openSandbox(w.topo)
	if err != nil {
		return err
	}
	if sb.Topology == nil {
		return fmt.Errorf("no valid topology in %s", sb.Dir)
	}
	if w.autoSwitch {
		w.online, w.switchNow = true, true
	}
	if n := countTrue(w.switchNow, w.reverse, w.complete, w.cancel); n > 1 || n == 1 && w.stopAfter != "" && !w.switchNow {
		return usagef("--switch, --reverse, --complete and --cancel are separate steps: give one of them")
	}
	cfg.Cluster, cfg.StopAfter, cfg.Online = sb.Cluster(), w.stopAfter, w.online
	cfg.Switch, cfg.Reverse, cfg.Complete, cfg.Cancel = w.switchNow, w.reverse, w.complete, w.cancel
	cfg.SwitchTimeout, cfg.ThrottleLag = w.switchTimeout, w.throttleLag
	bars := progress.NewBars(stderr(c))
	cfg.Progress, cfg.Rows = bars.Line, bars.Update
	res, err := reshard.Run(c.Context(), cfg)
	bars.Finish()
	switch {
	case errors.Is(err, reshard.ErrStopped) && w.stopAfter != "":
		fmt.Fprintf(stderr(c), "stopped after phase %q, as asked: run the same command again to go on\n", w.stopAfter)
		return nil
	case errors.Is(err, reshard.ErrStopped) && w.online:
		fmt.Fprintln(stderr(c), "caught up: the targets hold every row written until now, and the application may go on writing. Run this again with --online to catch up once more, scalelab vdiff to compare, and --switch to switch while writes go on.")
		return nil
	case errors.Is(err, reshard.ErrStopped):
		fmt.Fprintln(stderr(c), strings.TrimPrefix(err.Error(), reshard.ErrStopped.Error()+": "))
		return nil
	case err != nil:
		return err
	case w.format == "json":
		return res.WriteJSON(c.OutOrStdout())
	}
	return res.WriteTable(c.OutOrStdout())
}
