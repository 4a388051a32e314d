package main

import (
	"encoding/json"
	"fmt"

	"github.com/scalelab/scalelab/failover"
	"github.com/spf13/cobra"
)

func newFailoverCmd() *cobra.Command {
	var topo, shard, to, rejoin, format string
	var emergency bool
	c := &cobra.Command{
		Use:   "failover (--shard S [--to NODE] [--emergency] | --rejoin NODE)",
		Short: "Move a shard's primary to a replica: a planned switchover, or an emergency reparent",
		Long: `failover moves a shard's primary to one of its replicas, as VTOrc and
orchestrator do.

While the primary answers, it is a planned switchover:
  1. the old primary is made read-only,
  2. the target waits until it has applied the old primary's GTID position,
  3. the target is promoted (replication reset, writable),
  4. the other replicas replicate from it (GTID auto-positioning),
  5. so does the old primary.
Writes pause from step 1 to step 3, and none is lost.

When the primary does not answer (or with --emergency), it is an emergency
reparent:
  1. every replica stops receiving and applies its relay log,
  2. the most advanced replica by GTID is promoted (--to is honored only if
     it is as advanced: promoting a replica that is behind would lose writes),
  3. the others replicate from it.
The old primary is fenced: listed as a replica that does not replicate, and
read-only when it starts again. Writes it acknowledged that no replica had
are lost; with up --semi-sync, an acknowledged write is on a replica first.

--rejoin NODE brings a fenced former primary back: it is refused, with its
errant GTIDs named, if it holds any transaction the new primary lacks.

topology.yaml is replaced atomically. A router or proxy that is already
running keeps the old primary until it is restarted.`,
		Example: `  scalelab failover --shard 0                  # switch over to the most advanced replica
  scalelab failover --shard -80 --to -80/replica-2
  scalelab stop 0/primary && scalelab failover --shard 0   # emergency
  scalelab start 0/replica-2 && scalelab failover --rejoin 0/replica-2`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			if err := checkTableOrJSON(format); err != nil {
				return err
			}
			if (shard == "") == (rejoin == "") {
				return usagef("give --shard (to fail a shard over) or --rejoin (to bring a former primary back), not both")
			}
			sb, err := openSandbox(c, "", topo)
			if err != nil {
				return err
			}
			if sb.Topology == nil {
				return fmt.Errorf("no valid topology in %s", sb.Dir)
			}
			say := func(s string) { fmt.Fprintln(stderr(c), s) }
			if rejoin != "" {
				if err := failover.Rejoin(c.Context(), failover.RejoinConfig{Cluster: sb.Cluster(), Node: rejoin, Progress: say}); err != nil {
					return err
				}
				fmt.Fprintf(c.OutOrStdout(), "%s replicates from its shard's primary again\n", rejoin)
				return nil
			}
			res, err := failover.Run(c.Context(), failover.Config{Cluster: sb.Cluster(), Shard: shard, To: to, Emergency: emergency, Progress: say})
			if err != nil {
				return err
			}
			if format == "json" {
				enc := json.NewEncoder(c.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			return res.WriteText(c.OutOrStdout())
		},
	}
	addTopologyFlag(c, &topo)
	c.Flags().StringVar(&shard, "shard", "", "the shard to fail over, such as 0 or -80")
	c.Flags().StringVar(&to, "to", "", "the replica to promote (default: the most advanced)")
	c.Flags().BoolVar(&emergency, "emergency", false, "reparent without the primary, which must not answer")
	c.Flags().StringVar(&rejoin, "rejoin", "", "bring this fenced former primary back as a replica, unless it has errant transactions")
	c.Flags().StringVar(&format, "format", "table", "output format: table or json")
	return c
}
