package main

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/scalelab/scalelab/reshard"

	"github.com/spf13/cobra"
)

func newDownCmd() *cobra.Command {
	var topo, format string
	var purge bool
	c := &cobra.Command{
		Use:   "down",
		Short: "Stop the sandbox's servers (by their recorded pids)",
		Long: `down sends SIGTERM to every node by the pid recorded in state.json, waits for a
clean shutdown, and sends SIGKILL to any node still running after 30s. Data
is kept, so up restarts the same sandbox; --purge deletes it.

It says what it did on stderr; with --format json it also prints
{"dir", "stopped_nodes", "purged"} on stdout, for scripts.`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			if err := checkTableOrJSON(format); err != nil {
				return err
			}
			sb, err := openSandbox(topo)
			if err != nil {
				return err
			}
			// Finish even after Ctrl-C: a half-stopped sandbox helps nobody.
			ctx := context.WithoutCancel(c.Context())
			var running int
			if purge {
				// A workflow in progress dies with its sandbox (a new
				// sandbox in this dir must not resume it), and so does
				// the workflow lock's file, which the purge holds.
				err = reshard.Purge(sb.Dir, func() (err error) {
					running, err = sb.Down(ctx, true)
					return err
				})
			} else {
				running, err = sb.Down(ctx, false)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(stderr(c), "stopped %d node(s) in %s\n", running, sb.Dir)
			if purge {
				fmt.Fprintf(stderr(c), "deleted %s\n", sb.Dir)
			}
			if format == "json" {
				return json.NewEncoder(c.OutOrStdout()).Encode(struct {
					Dir     string `json:"dir"`
					Stopped int    `json:"stopped_nodes"`
					Purged  bool   `json:"purged"`
				}{sb.Dir, running, purge})
			}
			return nil
		},
	}
	addTopologyFlag(c, &topo)
	c.Flags().BoolVar(&purge, "purge", false, "also delete the sandbox dir and its data")
	c.Flags().StringVar(&format, "format", "table", "output format: table (a message on stderr only) or json (also a line on stdout)")
	return c
}
