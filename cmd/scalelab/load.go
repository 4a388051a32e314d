package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/scalelab/scalelab/internal/progress"
	"github.com/scalelab/scalelab/schema"
	"github.com/spf13/cobra"
)

func newLoadCmd() *cobra.Command {
	var topo, format string
	var cfg schema.LoadConfig
	c := &cobra.Command{
		Use:   "load",
		Short: "Create the sample tables on every shard and load generated rows into them",
		Long: `load creates the sample schema (users, images, likes) on every shard's primary
and fills it with rows from the deterministic generator: the same --seed and
counts always give the same rows, on any topology. Each row goes to the shard
that its shard key maps to in the topology's tables section, as the router
reads it (scalelab up writes users and images by id and likes by image_id,
with the hash vindex); a table the section does not list goes to the first
shard. Shards load in parallel. The secondary indexes of --indexes are created after the rows are
in, which is faster than maintaining them row by row.

Two methods load the rows:
  infile  LOAD DATA LOCAL INFILE, streaming tab-separated rows (the default:
          the fastest, since the server parses no SQL per row)
  insert  multi-row INSERT statements of --batch-rows rows each

Without --drop, existing tables are kept and a second load of the same rows
fails on the first duplicate id. Progress goes to stderr (a bar on a
terminal, a line per table otherwise); the rows per table and shard go to
stdout. Ctrl-C stops the load; the tables then hold part of the data.`,
		Example: `  scalelab load --drop                              # 10k users, 100k images, 1M likes
  scalelab load --drop --users 1000 --images 10000 --likes 100000 --seed 2
  scalelab load --drop --method insert --indexes none`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			if err := checkTableOrJSON(format); err != nil {
				return err
			}
			if !slices.Contains(schema.Methods(), cfg.Method) {
				return usagef("--method %q: want %s", cfg.Method, strings.Join(schema.Methods(), " or "))
			}
			if !slices.Contains(schema.IndexSets(), cfg.IndexSet) {
				return usagef("--indexes %q: want %s", cfg.IndexSet, strings.Join(schema.IndexSets(), ", "))
			}
			for _, f := range []struct {
				name string
				n    int
			}{{"users", cfg.Generator.Users}, {"images", cfg.Generator.Images}, {"likes", cfg.Generator.Likes}, {"batch-rows", cfg.BatchRows}, {"workers", cfg.Workers}} {
				if f.n < 1 {
					return usagef("--%s %d: want 1 or more", f.name, f.n)
				}
			}
			t, err := loadTopology(c.ErrOrStderr(), topo)
			if err != nil {
				return err
			}
			cfg.Topology = t
			p := progress.NewBars(stderr(c))
			cfg.Progress = p.Update
			res, err := schema.Load(c.Context(), cfg)
			p.Finish()
			if err != nil {
				return err
			}
			fmt.Fprintln(stderr(c), res.Summary(t.Name))
			if format == "json" {
				return res.WriteJSON(c.OutOrStdout())
			}
			return res.WriteTable(c.OutOrStdout())
		},
	}
	addTopologyFlag(c, &topo)
	f := c.Flags()
	f.StringVar(&format, "format", "table", "output format: table or json")
	f.IntVar(&cfg.Generator.Users, "users", schema.DefaultUsers, "rows of users")
	f.IntVar(&cfg.Generator.Images, "images", schema.DefaultImages, "rows of images")
	f.IntVar(&cfg.Generator.Likes, "likes", schema.DefaultLikes, "rows of likes")
	f.Int64Var(&cfg.Generator.Seed, "seed", 1, "data set seed: the same seed and counts give the same rows")
	f.StringVar(&cfg.IndexSet, "indexes", schema.DefaultIndexSet, "secondary indexes to create after loading: "+strings.Join(schema.IndexSets(), ", "))
	f.BoolVar(&cfg.Drop, "drop", false, "drop the tables first, to start from empty tables")
	f.StringVar(&cfg.Method, "method", schema.DefaultMethod, "how to load: "+strings.Join(schema.Methods(), " or "))
	f.IntVar(&cfg.BatchRows, "batch-rows", schema.DefaultBatchRows, "rows per INSERT (or per write to a LOAD DATA stream)")
	f.IntVar(&cfg.Workers, "workers", schema.DefaultWorkers, "connections loading into each shard at once")
	return c
}
