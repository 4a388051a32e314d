package main

import (
	"github.com/scalelab/scalelab/reshard"
	"github.com/spf13/cobra"
)

func newMoveTablesCmd() *cobra.Command {
	var to string
	var w workflow
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

Without --online, PAUSE WRITES to the tables while it runs: rows written
after their copy are not moved. With --online (MariaDB) writes may go on,
as for scalelab reshard --online: the run copies from a snapshot, applies
the changes logged since, and stops caught up; --switch then switches with
writes held for the switch window only (routers retry them), --reverse
switches back, and --complete drops the tables from the source keyspace.

Each step is recorded in <dir>/reshard.json. If the run is killed at any
point, run the same command again (or plain scalelab reshard): it resumes
and ends in the same state, with nothing lost or duplicated. One workflow
command (reshard, movetables, vdiff) runs at a time on a sandbox: another
started meanwhile exits at once with status 1, naming the one that runs.`,
		Example: `  scalelab up --keyspace users:1x1 --keyspace media:2x1=images
  scalelab load
  scalelab movetables likes --to media   # likes joins images in keyspace media
  scalelab movetables likes --to media --online --auto-switch   # while writes go on
  scalelab movetables --reverse          # then back, or --complete`,
		RunE: func(c *cobra.Command, tables []string) error {
			resuming := w.switchNow || w.reverse || w.complete || w.cancel
			switch {
			case len(tables) == 0 && !resuming:
				return usagef("name the tables to move")
			case to == "" && !resuming:
				return usagef("--to KEYSPACE: say where the tables go")
			}
			return w.run(c, reshard.Config{Tables: tables, ToKeyspace: to})
		},
	}
	c.Flags().StringVar(&to, "to", "", "the keyspace the tables move to")
	w.flags(c)
	return c
}
