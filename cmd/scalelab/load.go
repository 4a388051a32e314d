package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/scalelab/scalelab/schema"
	"github.com/spf13/cobra"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

func newLoadCmd() *cobra.Command {
	var topo string
	var cfg schema.LoadConfig
	c := &cobra.Command{
		Use:   "load",
		Short: "Create the sample tables on every shard and load generated rows into them",
		Long: `load creates the sample schema (users, images, likes) on every shard's primary
and fills it with rows from the deterministic generator: the same --seed and
counts always give the same rows, on any topology. Each row goes to the shard
that its shard key maps to (the topology's tables section, or users and
images by id and likes by image_id with the hash vindex); shards load in
parallel. The secondary indexes of --indexes are created after the rows are
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
			p := newLoadProgress(stderr(c))
			cfg.Progress = p.update
			res, err := schema.Load(c.Context(), cfg)
			p.finish()
			if err != nil {
				return err
			}
			fmt.Fprintf(stderr(c), "loaded %d rows into %d shard(s) of %s by %s in %s (%.0f rows/s); indexes %s in %s; total %s\n",
				res.Rows(), len(res.Shards), t.Name, res.Method, round(res.LoadTime), res.RowsPerSecond(),
				res.IndexSet, round(res.IndexTime), round(res.Elapsed))
			return printLoad(c.OutOrStdout(), res)
		},
	}
	addTopologyFlag(c, &topo)
	f := c.Flags()
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

// loadProgress shows the load's progress on stderr: a bar per table on a
// terminal, and a line per finished table otherwise.
type loadProgress struct {
	w       io.Writer
	p       *mpb.Progress // nil when w is not a terminal
	mu      sync.Mutex
	bars    map[string]*mpb.Bar
	started map[string]time.Time
}

func newLoadProgress(w io.Writer) *loadProgress {
	lp := &loadProgress{w: w, bars: map[string]*mpb.Bar{}, started: map[string]time.Time{}}
	if f, ok := w.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		lp.p = mpb.New(mpb.WithOutput(w), mpb.WithWidth(40))
	}
	return lp
}

// update is the loader's Progress callback.
func (lp *loadProgress) update(table string, done, total uint64) {
	lp.mu.Lock()
	defer lp.mu.Unlock()
	if _, ok := lp.started[table]; !ok {
		lp.started[table] = time.Now()
		if lp.p != nil {
			lp.bars[table] = lp.p.AddBar(int64(total),
				mpb.PrependDecorators(
					decor.Name(table, decor.WCSyncSpaceR),
					decor.CountersNoUnit("%d / %d rows", decor.WCSyncSpace),
				),
				mpb.AppendDecorators(
					decor.AverageSpeed(0, "%.0f rows/s", decor.WCSyncSpace),
					decor.OnComplete(decor.AverageETA(decor.ET_STYLE_GO, decor.WCSyncSpace), "done"),
				),
			)
		}
	}
	if bar := lp.bars[table]; bar != nil {
		bar.SetCurrent(int64(done))
		return
	}
	if lp.p == nil && done == total {
		d := time.Since(lp.started[table])
		fmt.Fprintf(lp.w, "%s: %d rows in %s (%.0f rows/s)\n", table, total, round(d), float64(total)/max(d.Seconds(), 1e-9))
	}
}

// finish stops the bars, marking the unfinished ones aborted, and waits
// until the last frame is drawn.
func (lp *loadProgress) finish() {
	if lp.p == nil {
		return
	}
	lp.mu.Lock()
	for _, bar := range lp.bars {
		if !bar.Completed() {
			bar.Abort(false)
		}
	}
	lp.mu.Unlock()
	lp.p.Wait()
}

// printLoad prints the rows of every table on every shard.
func printLoad(w io.Writer, res *schema.LoadResult) error {
	// Shard names such as -40 and c0- must print as they are.
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
	header := append([]string{"table"}, res.Shards...)
	t.Header(append(header, "total", "seconds", "rows/s"))
	for _, tl := range res.Tables {
		row := []string{tl.Table}
		for _, n := range tl.Rows {
			row = append(row, strconv.FormatUint(n, 10))
		}
		row = append(row, strconv.FormatUint(tl.Total(), 10), fmt.Sprintf("%.2f", tl.Elapsed.Seconds()), fmt.Sprintf("%.0f", tl.RowsPerSecond()))
		if err := t.Append(row); err != nil {
			return err
		}
	}
	return t.Render()
}

func round(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
