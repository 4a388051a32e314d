package main

import (
	"fmt"

	"github.com/scalelab/scalelab/explain"
	"github.com/spf13/cobra"
)

func newExplainCmd() *cobra.Command {
	var topo, format string
	var jsonPlan, analyze bool
	cfg := explain.TopologyConfig{WaitTimeout: explain.DefaultReplicationWait}
	c := &cobra.Command{
		Use:   "explain [flags] SQL",
		Short: "Show a statement's plan, its executed plan and the rows it really examined",
		Long: `explain shows how the server runs one statement: EXPLAIN's rows (access type,
key, estimated rows, filesort, temporary table), then, by executing it, the
real rows per table (ANALYZE FORMAT=JSON on MariaDB, EXPLAIN ANALYZE on
MySQL) and the rows the storage engine handed over (the Handler_read_*
session counters around one execution). Full scans (type ALL or index) are
flagged with ⚠.

--compare SQL2 explains a second statement and shows both side by side;
--compare-index "CREATE INDEX …" explains SQL, creates the index on the
primary, waits until the shard's replicas have it, explains SQL again, shows
before and after side by side, and drops the index again unless
--keep-index. A changed cell reads "before → after".

Only reads are executed. A write is refused unless --allow-writes, which
executes it inside a transaction that is rolled back; --analyze=false only
explains, and works for writes too.

The statement runs on --node, by default the first shard's primary: every
node of a shard holds the same data (replicas apply the primary's changes),
so the plan is the same there, and the primary is the one node that
--compare-index changes first.

This explains one statement on one node; how the router would send it to
shards and replicas is not shown here (route: see scalelab query --route).`,
		Example: `  scalelab explain "SELECT * FROM images ORDER BY dt DESC LIMIT 5"
  scalelab explain --compare-index "CREATE INDEX idx_images_dt ON images (dt)" \
    "SELECT * FROM images ORDER BY dt DESC LIMIT 5"
  scalelab explain --compare "SELECT * FROM images WHERE user_id = 7" \
    "SELECT * FROM images WHERE id IN (SELECT image_id FROM likes WHERE user_id = 7)"
  scalelab explain --format json --json-plan --node 0/replica-1 "SELECT COUNT(*) FROM likes"`,
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkTableOrJSON(format); err != nil {
				return err
			}
			if cfg.Compare != "" && cfg.Index != "" {
				return usagef("--compare and --compare-index exclude each other (see %s --help)", c.CommandPath())
			}
			if c.Flags().Changed("keep-index") && cfg.Index == "" {
				return usagef("--keep-index needs --compare-index")
			}
			if cfg.Index != "" {
				if _, err := explain.DropIndexSQL(cfg.Index); err != nil {
					return &usageError{fmt.Errorf("--compare-index: %w", err)}
				}
			}
			cfg.Options.SkipAnalyze, cfg.Statement = !analyze, args[0]
			var err error
			if cfg.Topology, err = loadTopology(c.ErrOrStderr(), topo); err != nil {
				return err
			}
			rep, err := explain.OnTopology(c.Context(), cfg)
			rep.WriteIndexNote(stderr(c))
			if err != nil {
				return noNodeIsUsage(err)
			}
			if format == "json" {
				return rep.WriteJSON(c.OutOrStdout(), jsonPlan)
			}
			return rep.Write(c.OutOrStdout(), jsonPlan)
		},
	}
	addTopologyFlag(c, &topo)
	c.Flags().StringVar(&cfg.Node, "node", "", "node to explain on, e.g. 0/replica-1 (default: the first shard's primary)")
	c.Flags().StringVar(&format, "format", "table", "output format: table or json")
	c.Flags().BoolVar(&jsonPlan, "json-plan", false, "also show EXPLAIN FORMAT=JSON and the executed plan as the server sent them")
	c.Flags().StringVar(&cfg.Compare, "compare", "", "a second statement to explain and compare with SQL side by side")
	c.Flags().StringVar(&cfg.Index, "compare-index", "", `"CREATE INDEX name ON table (cols)": explain SQL before and after creating it`)
	c.Flags().BoolVar(&cfg.KeepIndex, "keep-index", false, "keep the --compare-index index afterwards instead of dropping it")
	c.Flags().BoolVar(&analyze, "analyze", true, "execute the statement for real rows (false: only EXPLAIN)")
	c.Flags().BoolVar(&cfg.Options.AllowWrites, "allow-writes", false, "execute INSERT/UPDATE/DELETE under ANALYZE, in a transaction that is rolled back")
	c.Flags().DurationVar(&cfg.WaitTimeout, "wait", cfg.WaitTimeout, "how long --compare-index waits for each replica to apply the index")
	return c
}
