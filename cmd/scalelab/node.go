package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/scalelab/scalelab/sandbox"
	"github.com/spf13/cobra"
)

// newNodeCmds returns start, stop and restart: one node of a sandbox,
// recorded in its state like every other node.
func newNodeCmds() []*cobra.Command {
	type op struct {
		use, short, long string
		run              func(ctx context.Context, sb *sandbox.Sandbox, name string) error
		done             string
	}
	ops := []op{
		{"start NODE", "Start one stopped node of the sandbox", `start starts one stopped node (a name from scalelab status, such as -80/replica-1)
and returns when it answers. A replica resumes replication by itself.`,
			func(ctx context.Context, sb *sandbox.Sandbox, name string) error { return sb.StartNode(ctx, name) }, "started"},
		{"stop NODE", "Stop one node of the sandbox (SIGTERM, then SIGKILL)", `stop shuts one node down cleanly by its recorded pid, and SIGKILLs it if it
is still running after 30s. The other nodes go on; start brings it back.`,
			func(ctx context.Context, sb *sandbox.Sandbox, name string) error { return sb.StopNode(ctx, name) }, "stopped"},
		{"restart NODE", "Stop one node of the sandbox and start it again", `restart stops one node cleanly and starts it again, as stop then start do.`,
			func(ctx context.Context, sb *sandbox.Sandbox, name string) error {
				if err := sb.StopNode(ctx, name); err != nil {
					return err
				}
				return sb.StartNode(ctx, name)
			}, "restarted"},
	}
	var out []*cobra.Command
	for _, o := range ops {
		var topo, dir string
		c := &cobra.Command{
			Use:   o.use,
			Short: o.short,
			Long:  o.long,
			Args:  exactArgs(1),
			RunE: func(c *cobra.Command, args []string) error {
				if !c.Flags().Changed("dir") {
					dir = filepath.Dir(topo)
				}
				sb, err := sandbox.Open(dir)
				if err != nil {
					return err
				}
				if _, _, err := sb.NodeState(args[0]); err != nil {
					return &usageError{fmt.Errorf("%w (scalelab status lists the nodes)", err)}
				}
				if err := o.run(c.Context(), sb, args[0]); err != nil {
					return err
				}
				fmt.Fprintf(stderr(c), "%s %s\n", o.done, args[0])
				return nil
			},
		}
		addTopologyFlag(c, &topo)
		c.Flags().StringVar(&dir, "dir", sandbox.DefaultDir, "sandbox dir (default: the dir of --topology)")
		out = append(out, c)
	}
	return out
}
