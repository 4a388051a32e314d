package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

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

PAUSE WRITES while it runs: rows written to a shard after its copy are not
moved. Readers through a router should reopen it after the switch.

With --online (MariaDB) the application may go on writing during the copy:
each old shard's rows are copied from one consistent snapshot whose binlog
position is recorded, then every change logged after it is read from that
shard's binlog and applied to the new shard its key names (phase
caught-up), and the run stops there. Run it again with --online to catch
up once more; to switch, pause writes and run it without --online: it
applies the last changes, verifies and switches. scalelab vdiff compares
the two sides before the switch.

Each step is recorded in <dir>/reshard.json. If the run is killed at any
point, run the same command again (or plain scalelab reshard): it resumes and
ends in the same state, with nothing lost or duplicated.

It prints rows moved against rows total. Splitting hash ranges 2→4 moves
about half of the rows; a modulo vindex 2→3 moves two thirds, because modulo
keyspace ids depend on the shard count. That contrast is the lesson.`,
		Example: `  scalelab reshard --shards 4          # -80 80-  →  -40 40-80 80-c0 c0-
  scalelab reshard --shards 4 --online # copy and catch up while writes go on
  scalelab reshard                     # then, writes paused: catch up, verify, switch
  scalelab reshard --split 80-         # 80-  →  80-c0 c0-`,
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
	topo, format, stopAfter string
	online                  bool
}

func (w *workflow) flags(c *cobra.Command) {
	addTopologyFlag(c, &w.topo)
	c.Flags().StringVar(&w.format, "format", "table", "output format: table or json")
	c.Flags().BoolVar(&w.online, "online", false, "copy while the application writes: a snapshot per source, then the changes in its binlog (MariaDB); stops caught up, and a run without it switches")
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
	cfg.Cluster, cfg.StopAfter, cfg.Online = sb.Cluster(), w.stopAfter, w.online
	cfg.Progress = func(s string) { fmt.Fprintln(stderr(c), s) }
	res, err := reshard.Run(c.Context(), cfg)
	switch {
	case errors.Is(err, reshard.ErrStopped) && w.stopAfter != "":
		fmt.Fprintf(stderr(c), "stopped after phase %q, as asked: run the same command again to go on\n", w.stopAfter)
		return nil
	case errors.Is(err, reshard.ErrStopped) && w.online:
		fmt.Fprintln(stderr(c), "caught up: the targets hold every row written until now, and the application may go on writing. Run this again with --online to catch up once more; to switch, pause writes and run it without --online: it applies the rest, verifies and switches.")
		return nil
	case err != nil:
		return err
	case w.format == "json":
		return res.WriteJSON(c.OutOrStdout())
	}
	return res.WriteTable(c.OutOrStdout())
}
