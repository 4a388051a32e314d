package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/explain"
	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/topology"
	"github.com/spf13/cobra"
)

func newExplainCmd() *cobra.Command {
	var topo, node, format, compare, compareIndex string
	var jsonPlan, keepIndex, analyze, allowWrites bool
	var opts explain.Options
	wait := explain.DefaultReplicationWait
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
			if format != "table" && format != "json" {
				return usagef("--format %q: want table or json", format)
			}
			if compare != "" && compareIndex != "" {
				return usagef("--compare and --compare-index exclude each other (see %s --help)", c.CommandPath())
			}
			if c.Flags().Changed("keep-index") && compareIndex == "" {
				return usagef("--keep-index needs --compare-index")
			}
			if compareIndex != "" {
				if _, err := explain.DropIndexSQL(compareIndex); err != nil {
					return &usageError{fmt.Errorf("--compare-index: %w", err)}
				}
			}
			opts.SkipAnalyze, opts.AllowWrites = !analyze, allowWrites
			t, err := loadTopology(c.ErrOrStderr(), topo)
			if err != nil {
				return err
			}
			f, err := flavor.Lookup(t.Flavor)
			if err != nil {
				return err
			}
			if node == "" {
				node = t.ShardNames()[0] + "/primary"
			}
			n, err := t.Node(node)
			if err != nil {
				return &usageError{err}
			}
			db, err := openNode(t, n.Addr, t.User)
			if err != nil {
				return err
			}
			defer db.Close()
			ctx, out := c.Context(), c.OutOrStdout()

			switch {
			case compareIndex != "":
				primary, err := openNode(t, nodeAddr(t, n.Shard+"/primary"), t.AdminCredentials())
				if err != nil {
					return err
				}
				defer primary.Close()
				var replicas []flavor.Queryer
				for _, r := range t.Nodes() {
					if r.Shard == n.Shard && r.Role == topology.Replica {
						rdb, err := openNode(t, r.Addr, t.AdminCredentials())
						if err != nil {
							return err
						}
						defer rdb.Close()
						replicas = append(replicas, rdb)
					}
				}
				res, err := explain.Index(ctx, explain.IndexConfig{
					Flavor: f, Statement: args[0], DDL: compareIndex, Keep: keepIndex,
					Node: db, Primary: primary, Replicas: replicas, WaitTimeout: wait, Options: opts,
				})
				if res != nil && res.Before != nil {
					if res.Dropped {
						fmt.Fprintf(stderr(c), "dropped the index again: %s\n", res.Drop)
					} else if keepIndex && res.After != nil {
						fmt.Fprintf(stderr(c), "kept the index; to drop it: %s\n", res.Drop)
					}
				}
				if err != nil {
					return err
				}
				cmp := explain.Compare(res.Before, res.After)
				cmp.LabelA, cmp.LabelB = "before", "after "+compareIndex
				if format == "json" {
					trimPlans(jsonPlan, res.Before, res.After)
					return writeJSON(out, struct {
						*explain.IndexResult
						Comparison *explain.Comparison `json:"comparison"`
					}{res, cmp})
				}
				return writeComparison(out, cmp, res.Before, res.After, jsonPlan)
			case compare != "":
				a, err := explain.RunWith(ctx, db, f, args[0], opts)
				if err != nil {
					return err
				}
				b, err := explain.RunWith(ctx, db, f, compare, opts)
				if err != nil {
					return err
				}
				cmp := explain.Compare(a, b)
				cmp.LabelA, cmp.LabelB = "SQL", "--compare"
				if format == "json" {
					trimPlans(jsonPlan, a, b)
					return writeJSON(out, map[string]any{"a": a, "b": b, "comparison": cmp})
				}
				return writeComparison(out, cmp, a, b, jsonPlan)
			}
			p, err := explain.RunWith(ctx, db, f, args[0], opts)
			if err != nil {
				return err
			}
			if format == "json" {
				trimPlans(jsonPlan, p)
				return writeJSON(out, p)
			}
			if err := explain.WritePlan(out, p); err != nil {
				return err
			}
			if jsonPlan {
				writeRawPlans(out, p)
			}
			return nil
		},
	}
	addTopologyFlag(c, &topo)
	c.Flags().StringVar(&node, "node", "", "node to explain on, e.g. 0/replica-1 (default: the first shard's primary)")
	c.Flags().StringVar(&format, "format", "table", "output format: table or json")
	c.Flags().BoolVar(&jsonPlan, "json-plan", false, "also show EXPLAIN FORMAT=JSON and the executed plan as the server sent them")
	c.Flags().StringVar(&compare, "compare", "", "a second statement to explain and compare with SQL side by side")
	c.Flags().StringVar(&compareIndex, "compare-index", "", `"CREATE INDEX name ON table (cols)": explain SQL before and after creating it`)
	c.Flags().BoolVar(&keepIndex, "keep-index", false, "keep the --compare-index index afterwards instead of dropping it")
	c.Flags().BoolVar(&analyze, "analyze", true, "execute the statement for real rows (false: only EXPLAIN)")
	c.Flags().BoolVar(&allowWrites, "allow-writes", false, "execute INSERT/UPDATE/DELETE under ANALYZE, in a transaction that is rolled back")
	c.Flags().DurationVar(&wait, "wait", wait, "how long --compare-index waits for each replica to apply the index")
	return c
}

// openNode returns a pool to addr as cred; it connects lazily, so a down
// node shows up on first use, with the driver's message.
func openNode(t *topology.Topology, addr string, cred topology.Credentials) (*sql.DB, error) {
	conn, err := mysql.NewConnector(t.MySQLConfig(addr, cred))
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	return sql.OpenDB(conn), nil
}

func nodeAddr(t *topology.Topology, name string) string {
	n, _ := t.Node(name) // every shard has a primary: topology.Validate checks it
	return n.Addr
}

// trimPlans drops the raw server output from JSON unless --json-plan.
func trimPlans(keep bool, plans ...*explain.Plan) {
	if keep {
		return
	}
	for _, p := range plans {
		p.JSONPlan, p.Executed = nil, ""
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func writeComparison(w io.Writer, cmp *explain.Comparison, a, b *explain.Plan, raw bool) error {
	if err := cmp.Write(w, a, b); err != nil {
		return err
	}
	if raw {
		fmt.Fprintf(w, "\nA  %s\n", cmp.LabelA)
		writeRawPlans(w, a)
		fmt.Fprintf(w, "\nB  %s\n", cmp.LabelB)
		writeRawPlans(w, b)
	}
	return nil
}

func writeRawPlans(w io.Writer, p *explain.Plan) {
	fmt.Fprintln(w, "EXPLAIN FORMAT=JSON:")
	fmt.Fprintln(w, indentJSON(p.JSONPlan))
	if p.Analyzed {
		fmt.Fprintln(w, "executed plan:")
		fmt.Fprintln(w, indentJSON([]byte(p.Executed)))
	}
}

// indentJSON indents JSON, and returns anything else (MySQL's EXPLAIN
// ANALYZE tree) unchanged.
func indentJSON(b []byte) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		return string(b)
	}
	return buf.String()
}
