package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
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
			if format != "table" && format != "json" {
				return usagef("--format %q: want table or json", format)
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
			var tr router.Trace
			ctx := router.WithTrace(c.Context(), &tr)
			out := c.OutOrStdout()
			sess := r.NewSession()
			defer sess.Close()
			result, err := sess.Run(ctx, args[0])
			if err != nil {
				return err
			}
			res := queryResult{Affected: result.Affected}
			if result.Rows != nil {
				if res, err = readRows(result.Rows); err != nil {
					return err
				}
			}
			if format == "json" {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				v := map[string]any{"columns": res.Columns, "rows": res.Rows, "rows_affected": res.Affected}
				if route {
					v["route"] = tr
				}
				return enc.Encode(v)
			}
			if res.Columns != nil {
				if err := printRows(out, res); err != nil {
					return err
				}
				fmt.Fprintf(stderr(c), "%d row(s)\n", len(res.Rows))
			} else {
				fmt.Fprintf(stderr(c), "%d row(s) affected\n", res.Affected)
			}
			if route {
				printTrace(out, tr)
			}
			return nil
		},
	}
	addTopologyFlag(c, &topo)
	c.Flags().StringVar(&consistency, "consistency", string(router.Eventual), "eventual, read-your-writes or strong")
	c.Flags().BoolVar(&route, "route", false, "show which node served the statement and why")
	c.Flags().StringVar(&format, "format", "table", "output format: table or json")
	c.Flags().BoolVar(&multiWrites, "allow-multi-shard-writes", false, "let UPDATE/DELETE without the shard key run on every shard")
	return c
}

type queryResult struct {
	Columns  []string
	Rows     [][]string
	Affected int64
}

func readRows(rows *sql.Rows) (queryResult, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return queryResult{}, err
	}
	res := queryResult{Columns: cols, Rows: [][]string{}}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return res, err
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = "NULL"
			if v.Valid {
				row[i] = v.String
			}
		}
		res.Rows = append(res.Rows, row)
	}
	return res, rows.Err()
}

func printRows(w io.Writer, res queryResult) error {
	// Column names are data here: print them as the server sent them.
	table := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
	hdr := make([]any, len(res.Columns))
	for i, c := range res.Columns {
		hdr[i] = c
	}
	table.Header(hdr...)
	for _, r := range res.Rows {
		row := make([]any, len(r))
		for i, v := range r {
			row[i] = v
		}
		if err := table.Append(row...); err != nil {
			return err
		}
	}
	return table.Render()
}

func printTrace(w io.Writer, tr router.Trace) {
	if tr.Plan != "" {
		fmt.Fprintf(w, "plan:    %s\n", tr.Plan)
	}
	fmt.Fprintf(w, "route:   %s (%s)\n", tr.Route, tr.Kind)
	if len(tr.Tables) > 0 {
		fmt.Fprintf(w, "tables:  %s\n", strings.Join(tr.Tables, ", "))
	}
	if len(tr.Shards) > 1 {
		fmt.Fprintf(w, "shards:  %s\n", strings.Join(tr.Shards, ", "))
		fmt.Fprintf(w, "nodes:   %s\n", strings.Join(tr.Nodes, ", "))
	} else {
		fmt.Fprintf(w, "shard:   %s\n", tr.Shard)
		fmt.Fprintf(w, "node:    %s\n", tr.Node)
	}
	if tr.PushedDown != "" {
		fmt.Fprintf(w, "pushed:  %s\n", tr.PushedDown)
	}
	if tr.Merged != "" {
		fmt.Fprintf(w, "merged:  %s\n", tr.Merged)
	}
	fmt.Fprintf(w, "why:     %s\n", tr.Reason)
	if tr.GTID != "" {
		fmt.Fprintf(w, "waited:  %v for GTID %s\n", tr.Waited, tr.GTID)
	}
	if tr.Retried != "" {
		fmt.Fprintf(w, "retried: after %s failed\n", tr.Retried)
	}
	fmt.Fprintf(w, "took:    %v\n", tr.Duration)
}
