package main

import (
	"context"
	"fmt"

	"github.com/scalelab/scalelab/sandbox"
	"github.com/spf13/cobra"
)

// newNodeCmds returns start, stop and restart: one node of a sandbox,
// recorded in its state like every other node.
func newNodeCmds() []*cobra.Command {
	type op struct {
		use, short, long string
		run              func(sb *sandbox.Sandbox, ctx context.Context, name string) error
		done             string
	}
	ops := []op{
		{"start NODE", "Start one stopped node of the sandbox", `start starts one stopped node (a name from scalelab status, such as -80/replica-1)
and returns when it answers. A replica resumes replication by itself.`,
			(*sandbox.Sandbox).StartNode, "started"},
		{"stop NODE", "Stop one node of the sandbox (SIGTERM, then SIGKILL)", `stop shuts one node down cleanly by its recorded pid, and SIGKILLs it if it
is still running after 30s. The other nodes go on; start brings it back.`,
			(*sandbox.Sandbox).StopNode, "stopped"},
		{"restart NODE", "Stop one node of the sandbox and start it again", `restart stops one node cleanly and starts it again, as stop then start do.`,
			(*sandbox.Sandbox).RestartNode, "restarted"},
	}
	var out []*cobra.Command
	for _, o := range ops {
		var topo string
		c := &cobra.Command{
			Use:   o.use,
			Short: o.short,
			Long:  o.long,
			Args:  exactArgs(1),
			RunE: func(c *cobra.Command, args []string) error {
				sb, err := openSandbox(topo)
				if err != nil {
					return err
				}
				if _, _, err := sb.NodeState(args[0]); err != nil {
					return &usageError{fmt.Errorf("%w (scalelab status lists the nodes)", err)}
				}
				if err := o.run(sb, c.Context(), args[0]); err != nil {
					return err
				}
				fmt.Fprintf(stderr(c), "%s %s\n", o.done, args[0])
				return nil
			},
		}
		addTopologyFlag(c, &topo)
		out = append(out, c)
	}
	return out
}
