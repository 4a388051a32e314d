package main

import (
	"fmt"

	"github.com/scalelab/scalelab/reshard"
	"github.com/spf13/cobra"
)

func newVDiffCmd() *cobra.Command {
	var topo, format string
	c := &cobra.Command{
		Use:   "vdiff",
		Short: "Compare a reshard's or a table move's source and target, row by row",
		Long: `vdiff compares the source and the target of the reshard or movetables in
progress, as Vitess VDiff does: for every moving table and every target key
range, the rows the source holds for that range against the rows on the
target shard, by primary key and a CRC32 of the whole row. It reports, per
range, the rows missing from the target, the extra rows there, and the rows
that differ, with the primary keys of the first few.

Run it between the copy and the cleanup; stop a workflow there with
--stop-after verified, and run the workflow again to go on:

  scalelab movetables likes --to media --stop-after verified
  scalelab vdiff
  scalelab movetables likes --to media      # switches, then cleans up

Each key range is recorded as it finishes (<dir>/vdiff.json): a vdiff
killed part way resumes with the ranges it has not compared.

It exits with status 1 when any row differs, and at once, changing
nothing, while another workflow command (reshard, movetables) runs on the
sandbox: after a switch it applies the reverse replication first.`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			if err := checkTableOrJSON(format); err != nil {
				return err
			}
			sb, err := openSandbox(topo)
			if err != nil {
				return err
			}
			res, err := reshard.VDiff(c.Context(), reshard.VDiffConfig{Cluster: sb.Cluster(),
				Progress: func(s string) { fmt.Fprintln(stderr(c), s) }})
			if err != nil {
				return err
			}
			if format == "json" {
				err = res.WriteJSON(c.OutOrStdout())
			} else {
				err = res.WriteTable(c.OutOrStdout())
			}
			if err == nil && res.Differences() > 0 {
				err = fmt.Errorf("vdiff: %d row(s) differ between source and target", res.Differences())
			}
			return err
		},
	}
	addTopologyFlag(c, &topo)
	c.Flags().StringVar(&format, "format", "table", "output format: table or json")
	return c
}
