package main

import (
	"github.com/scalelab/scalelab/internal/resultset"
	"github.com/scalelab/scalelab/router"
	"github.com/spf13/cobra"
)

func newQueryCmd() *cobra.Command {
	var topo, consistency, format string
	var route, multiWrites bool
	c := &cobra.Command{
		Use:   "query [flags] SQL",
		Short: "Run one statement through the router and show where it went",
		Long: `query runs one SQL statement through scalelab's router: reads go to a healthy
replica under the lag limit, writes, DDL, locking reads and transactions go
to the primary. The result is printed as a table. With --route it also
shows the plan and which node served the statement and why, so you can
watch the read/write split (the X axis of the scale cube) and hash
sharding (the Z axis) happen:

  plan     single-shard (the shard key pins one shard), multi-shard (an IN
           list or multi-row INSERT split by shard), scatter (no key: every
           shard), or unsharded
  pushed   what each shard was asked (LIMIT count+offset, AVG as SUM and
           COUNT, only its own keys)
  merged   what the router did with the shards' rows (heap merge of sorted
           streams, combined aggregates, OFFSET/LIMIT)

Statements the router cannot run correctly across shards (cross-shard
joins, DISTINCT, HAVING, …) are refused with an error naming the shape.
UPDATE and DELETE without the shard key are refused unless
--allow-multi-shard-writes.`,
		Example: `  scalelab query "SELECT @@hostname, @@port"
  scalelab query --route "SELECT * FROM images ORDER BY dt DESC LIMIT 5"
  scalelab query --route --consistency strong "SELECT COUNT(*) FROM likes"`,
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			mode, err := router.ParseConsistency(consistency)
			if err != nil {
				return &usageError{err}
			}
			if err := checkTableOrJSON(format); err != nil {
				return err
			}
			t, err := loadTopology(c.ErrOrStderr(), topo)
			if err != nil {
				return err
			}
			r, err := router.Open(c.Context(), t, router.Config{Consistency: mode, AllowMultiShardWrites: multiWrites})
			if err != nil {
				return err
			}
			defer r.Close()
			set, err := resultset.Run(c.Context(), r, args[0])
			if err != nil {
				return err
			}
			if format == "json" {
				return set.WriteJSON(c.OutOrStdout(), route)
			}
			return set.Write(c.OutOrStdout(), stderr(c), route)
		},
	}
	addTopologyFlag(c, &topo)
	c.Flags().StringVar(&consistency, "consistency", string(router.Eventual), "eventual, read-your-writes or strong")
	c.Flags().BoolVar(&route, "route", false, "show which node served the statement and why")
	c.Flags().StringVar(&format, "format", "table", "output format: table or json")
	c.Flags().BoolVar(&multiWrites, "allow-multi-shard-writes", false, "let UPDATE/DELETE without the shard key run on every shard")
	return c
}
