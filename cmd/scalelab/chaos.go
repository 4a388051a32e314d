package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/scalelab/scalelab/chaos"
	"github.com/spf13/cobra"
)

func newChaosCmd() *cobra.Command {
	var topo string
	var o chaos.Options
	var format string
	c := &cobra.Command{
		Use:   "chaos ACTION NODE",
		Short: "Break a node on purpose: kill, stop, resume, restart, lag, partition, latency, heal",
		Long: `chaos acts on one node of the sandbox (a name from scalelab status) the way
production breaks servers, and records each action in <dir>/chaos.log (a
JSON object a line):

  kill     SIGKILL: a crash; the node is down until scalelab start
  stop     SIGSTOP: a hang; the process keeps its connections and answers
           nothing, so clients wait instead of failing fast
  resume   SIGCONT: a stopped node goes on
  restart  a clean stop and start
  lag      a replica applies each event --delay after its commit
           (MASTER_DELAY); --delay 0 removes it

On a sandbox started with scalelab up --netsim, where a relay stands in
front of every node and between every two nodes of a shard:

  partition  nothing passes to or from the node, either way; connections
             hang instead of failing, as when packets are dropped, and
             flow on after heal
  latency    every round trip with the node takes --delay longer
  heal       removes the node's partition and latency

--traffic limits partition and latency to the node's clients (whoever
dials its address: routers, benches, the failover monitor) or to its
replication links; the default is all of it. A primary cut off from its
clients only is still reached by its replicas, and the failover monitor
leaves it alone.

Watch the effect with scalelab status or scalelab top, and the router's
answer with scalelab query --route.`,
		Example: `  scalelab chaos stop 0/replica-1 && sleep 5 && scalelab chaos resume 0/replica-1
  scalelab chaos lag 0/replica-2 --delay 5s
  scalelab chaos kill 0/primary && scalelab failover --shard 0
  scalelab chaos partition 0/replica-1 && scalelab chaos heal 0/replica-1
  scalelab chaos partition 0/primary --traffic clients
  scalelab chaos latency 0/replica-2 --delay 50ms`,
		Args: exactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkTableOrJSON(format); err != nil {
				return err
			}
			if !slices.Contains(chaos.Actions(), args[0]) {
				return usagef("no action %q: want %s", args[0], strings.Join(chaos.Actions(), ", "))
			}
			sb, err := openSandbox(topo)
			if err != nil {
				return err
			}
			if !c.Flags().Changed("delay") && args[0] == chaos.Latency {
				o.Delay = 50 * time.Millisecond
			}
			ev, err := chaos.Do(c.Context(), sb.Cluster(), args[0], args[1], o)
			if err != nil {
				return noNodeIsUsage(err)
			}
			if format == "json" {
				return json.NewEncoder(c.OutOrStdout()).Encode(ev) // as in chaos.log
			}
			fmt.Fprintln(c.OutOrStdout(), strings.Join(slices.DeleteFunc([]string{ev.At.Format(time.RFC3339), ev.Action, ev.Node, ev.Delay, ev.Traffic}, func(s string) bool { return s == "" }), " "))
			return nil
		},
	}
	addTopologyFlag(c, &topo)
	c.Flags().DurationVar(&o.Delay, "delay", 5*time.Second, "the replica's delay behind its primary (lag); the added round trip (latency, where it defaults to 50ms instead)")
	c.Flags().StringVar(&format, "format", "table", "output: table (one line) or json (the event as chaos.log records it)")
	c.Flags().StringVar(&o.Traffic, "traffic", "all", "partition, latency: all, clients or replication")
	return c
}
