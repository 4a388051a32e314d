package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/scalelab/scalelab/chaos"
	"github.com/spf13/cobra"
)

func newChaosCmd() *cobra.Command {
	var topo string
	var delay time.Duration
	c := &cobra.Command{
		Use:   "chaos ACTION NODE",
		Short: "Break a node on purpose: kill, stop (freeze), resume, restart, or lag a replica",
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

Watch the effect with scalelab status or scalelab top, and the router's
answer with scalelab query --route.`,
		Example: `  scalelab chaos stop 0/replica-1 && sleep 5 && scalelab chaos resume 0/replica-1
  scalelab chaos lag 0/replica-2 --delay 5s
  scalelab chaos kill 0/primary && scalelab failover --shard 0`,
		Args: exactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			if !slices.Contains(chaos.Actions(), args[0]) {
				return usagef("no action %q: want %s", args[0], strings.Join(chaos.Actions(), ", "))
			}
			sb, err := openSandbox(c, "", topo)
			if err != nil {
				return err
			}
			ev, err := chaos.Do(c.Context(), sb.Cluster(), args[0], args[1], delay)
			if err != nil {
				return noNodeIsUsage(err)
			}
			fmt.Fprintf(c.OutOrStdout(), "%s %s %s %s\n", ev.At.Format(time.RFC3339), ev.Action, ev.Node, ev.Delay)
			return nil
		},
	}
	addTopologyFlag(c, &topo)
	c.Flags().DurationVar(&delay, "delay", 5*time.Second, "lag: the replica's delay behind its primary")
	return c
}
