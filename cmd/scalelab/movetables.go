package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/scalelab/scalelab/reshard"
	"github.com/spf13/cobra"
)

func newMoveTablesCmd() *cobra.Command {
	var topo, to, format, stopAfter string
	var online bool
	c := &cobra.Command{
		Use:   "movetables TABLE... --to KEYSPACE",
		Short: "Move tables to another keyspace: copy, verify, switch the routing, drop the old copies",
		Long: `movetables moves tables from their keyspace to another of a sandbox started
with keyspaces (scalelab up --keyspace …), as Vitess MoveTables does, in the
phases of scalelab reshard:

  1. creates the tables on the target keyspace's shards (their schema, from
     the source),
  2. copies every row to the target shard its key maps to,
  3. verifies every table per target key range: row count and BIT_XOR of
     CRC32(CONCAT_WS(...)), source against target,
  4. switches topology.yaml: the tables are listed in the target keyspace,
     and routers that follow the file (scalelab proxy) route there at once,
  5. only then drops the tables from the source keyspace's shards.

The tables must be in one keyspace, each with a shard key in the topology.

PAUSE WRITES to the tables while it runs: rows written after their copy
are not moved. With --online (MariaDB) writes may go on during the copy,
as for scalelab reshard --online: the run copies from a snapshot, applies
the changes logged since, and stops caught up; pause writes and run it
again without --online to verify and switch.

Each step is recorded in <dir>/reshard.json. If the run is killed at any
point, run the same command again (or plain scalelab reshard): it resumes
and ends in the same state, with nothing lost or duplicated.`,
		Example: `  scalelab up --keyspace users:1x1 --keyspace media:2x1=images
  scalelab load
  scalelab movetables likes --to media   # likes joins images in keyspace media`,
		Args: minArgs(1),
		RunE: func(c *cobra.Command, tables []string) error {
			if err := checkTableOrJSON(format); err != nil {
				return err
			}
			if stopAfter != "" && !slices.Contains(reshard.Phases(), stopAfter) {
				return usagef("--stop-after %q: want one of %s", stopAfter, strings.Join(reshard.Phases(), ", "))
			}
			if to == "" {
				return usagef("--to KEYSPACE: say where the tables go")
			}
			sb, err := openSandbox(topo)
			if err != nil {
				return err
			}
			if sb.Topology == nil {
				return fmt.Errorf("no valid topology in %s", sb.Dir)
			}
			res, err := reshard.Run(c.Context(), reshard.Config{
				Cluster: sb.Cluster(), Tables: tables, ToKeyspace: to,
				Progress: func(s string) { fmt.Fprintln(stderr(c), s) }, StopAfter: stopAfter, Online: online,
			})
			if errors.Is(err, reshard.ErrStopped) && stopAfter != "" {
				fmt.Fprintf(stderr(c), "stopped after phase %q, as asked: run the same command again to go on\n", stopAfter)
				return nil
			}
			if errors.Is(err, reshard.ErrStopped) && online {
				fmt.Fprintln(stderr(c), "caught up: the targets hold every row written until now, and the application may go on writing. Run this again with --online to catch up once more; to switch, pause writes and run it without --online: it applies the rest, verifies and switches.")
				return nil
			}
			if err != nil {
				return err
			}
			if format == "json" {
				return res.WriteJSON(c.OutOrStdout())
			}
			return res.WriteTable(c.OutOrStdout())
		},
	}
	addTopologyFlag(c, &topo)
	c.Flags().StringVar(&to, "to", "", "the keyspace the tables move to")
	c.Flags().StringVar(&format, "format", "table", "output format: table or json")
	c.Flags().BoolVar(&online, "online", false, "copy while the application writes: a snapshot per source, then the changes in its binlog (MariaDB); stops caught up, and a run without it switches")
	c.Flags().StringVar(&stopAfter, "stop-after", "", "stop after this phase ("+strings.Join(reshard.Phases(), ", ")+"), to look before going on (scalelab vdiff); run again to resume")
	return c
}
