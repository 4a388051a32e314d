package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/scalelab/scalelab/failover"
	"github.com/spf13/cobra"
)

func newFailoverCmd() *cobra.Command {
	var topo, shard, to, rejoin, format string
	var emergency, watch, drill bool
	var interval time.Duration
	var misses, rate int
	c := &cobra.Command{
		Use:   "failover (--shard S [--to NODE] [--emergency] | --rejoin NODE | --watch | --drill)",
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

--watch detects failures and fails over by itself, until Ctrl-C: it probes
every primary each --interval, and a primary that misses --misses probes in
a row is failed over (an emergency reparent) only once its replicas confirm
that they lost it too; a blip between the watcher and the primary alone
causes no failover.

--drill measures one failover: a writer inserts numbered rows through the
router (--rate a second), the first shard's primary is killed with SIGKILL,
the watcher fails it over, and the drill reports how long writes were
unavailable and which acknowledged writes the new primary lacks (with
up --semi-sync, none should be). It leaves the old primary fenced.

topology.yaml is replaced atomically; a proxy or bench already running
follows the new primary without a restart.`,
		Example: `  scalelab failover --shard 0                  # switch over to the most advanced replica
  scalelab failover --shard -80 --to -80/replica-2
  scalelab stop 0/primary && scalelab failover --shard 0   # emergency
  scalelab start 0/replica-2 && scalelab failover --rejoin 0/replica-2
  scalelab failover --watch --interval 500ms --misses 3
  scalelab up --semi-sync && scalelab failover --drill --format json`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			if err := checkTableOrJSON(format); err != nil {
				return err
			}
			if n := countTrue(shard != "", rejoin != "", watch, drill); n != 1 {
				return usagef("give one of --shard (fail a shard over), --rejoin (bring a former primary back), --watch or --drill")
			}
			sb, err := openSandbox(topo)
			if err != nil {
				return err
			}
			if sb.Topology == nil {
				return fmt.Errorf("no valid topology in %s", sb.Dir)
			}
			say := func(s string) { fmt.Fprintln(stderr(c), s) }
			switch {
			case watch:
				say(fmt.Sprintf("watching %d shard(s) every %v; Ctrl-C to stop", len(sb.Topology.Shards), interval))
				return failover.Watch(c.Context(), failover.WatchConfig{Cluster: sb.FollowingCluster(), Interval: interval, Misses: misses, Progress: say,
					OnFailover: func(r *failover.Result) { _ = r.WriteText(c.OutOrStdout()) }})
			case drill:
				res, err := failover.Drill(c.Context(), failover.DrillConfig{Cluster: sb.Cluster(), TopologyPath: sb.TopologyPath(), Kill: sb.KillNode,
					Rate: rate, Interval: interval, Misses: misses, Progress: say})
				if err != nil {
					return err
				}
				return writeResult(c, format, res, res.WriteText)
			}
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
			return writeResult(c, format, res, res.WriteText)
		},
	}
	addTopologyFlag(c, &topo)
	c.Flags().StringVar(&shard, "shard", "", "the shard to fail over, such as 0 or -80")
	c.Flags().StringVar(&to, "to", "", "the replica to promote (default: the most advanced)")
	c.Flags().BoolVar(&emergency, "emergency", false, "reparent without the primary, which must not answer")
	c.Flags().StringVar(&rejoin, "rejoin", "", "bring this fenced former primary back as a replica, unless it has errant transactions")
	c.Flags().BoolVar(&watch, "watch", false, "detect failed primaries and fail them over, until Ctrl-C")
	c.Flags().BoolVar(&drill, "drill", false, "kill the first shard's primary under writes and measure the failover")
	c.Flags().DurationVar(&interval, "interval", failover.DefaultWatchInterval, "--watch, --drill: time between probes of each primary")
	c.Flags().IntVar(&misses, "misses", failover.DefaultMisses, "--watch, --drill: probes in a row a primary must miss")
	c.Flags().IntVar(&rate, "rate", 200, "--drill: the writer's inserts per second")
	c.Flags().StringVar(&format, "format", "table", "output format: table or json")
	return c
}

func countTrue(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// writeResult prints v as indented JSON, or as text.
func writeResult(c *cobra.Command, format string, v any, text func(io.Writer) error) error {
	if format == "json" {
		enc := json.NewEncoder(c.OutOrStdout())
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	return text(c.OutOrStdout())
}
