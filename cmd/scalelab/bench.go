package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/mattn/go-isatty"
	"github.com/scalelab/scalelab/bench"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
	"github.com/spf13/cobra"
)

// Targets of scalelab bench.
const (
	targetDirect = "direct"
	targetRouter = "router"
)

// progressAfter is how long a run goes before it shows a progress line.
const progressAfter = 2 * time.Second

type benchOptions struct {
	topo, target, dsn, node, consistency string
	concurrency                          string
	query, preQuery, postQuery           string
	createSchema                         string
	autoGenerate, noDrop                 bool
	blockingIO                           bool
	loadType                             string
	autoGen                              bench.AutoGenConfig
	csv, format, out, cpuProfile         string
	cfg                                  bench.Config
}

func newBenchCmd() *cobra.Command {
	var o benchOptions
	c := &cobra.Command{
		Use:   "bench",
		Short: "Run a SQL workload at several concurrencies and report QPS and latency percentiles",
		Long: `bench is mysqlslap with sysbench's measurements: it sends a workload from
--concurrency concurrent clients, level after level, --iterations times
each, and reports queries per second, errors by kind and latency
percentiles (p50 to p99.9, from an HDR histogram), followed by mysqlslap's
own "Benchmark" summary.

The workload is --query (statements separated by ';', or @FILE, or the path
of a file) or --auto-generate-sql (mysqlslap's table t1 with a load type).
Query text may hold placeholders that are drawn anew for every execution,
from a random stream per client fixed by --seed:
  {id:uniform(1,100000)}     an integer in [1, 100000]
  {id:zipf(1,100000,1.1)}    Zipf-skewed: 1 most often, then 2, ...
  {id:seq(1)}                1, 2, 3, ... shared by all clients
  {id}                       the value drawn for id earlier in the statement

mysqlslap's flags mean what they mean there:
  --concurrency=1,10,100   one level per value, one after another
  --iterations             runs per level; the summary's average, minimum
                           and maximum are over them
  --number-of-queries      total queries of one run, split across the
                           clients (100 over 3 clients is 34/33/33); without
                           it (and without --duration) every client runs
                           every statement once
  --pre-query/--post-query untimed statements before/after every run
  --create-schema          create the database if missing and use it
  --csv[=FILE]             mysqlslap's CSV lines, on stdout or appended to FILE
sysbench's: --duration bounds each run by time, --warmup discards its first
seconds, --rate makes an open loop at a fixed total rate (latency counts from
each query's scheduled start, so queueing shows instead of hiding).

Targets:
  direct  one server: --dsn user:pass@tcp(host:port)/db, or --node NAME of
          the topology (connecting as its application user); the default
          when --dsn or --node is given
  router  scalelab's router over --topology: reads to replicas, writes to
          primaries; the default otherwise

A SELECT is timed until its last row is read. Failed queries do not stop
the run: they are counted by server error ("1146 ER_NO_SUCH_TABLE").
Reports go to stdout (--format table, markdown, csv or json; json is the
only thing on stdout then); progress goes to stderr, as a live line on a
terminal for runs longer than 2s. Ctrl-C stops the run and prints what was
measured, marked partial.`,
		Example: `  # mysqlslap's classic: 1, 10 and 100 clients, 3 runs each, 10000 queries a run
  scalelab bench --concurrency 1,10,100 --iterations 3 --number-of-queries 10000 \
    --query "SELECT * FROM users WHERE id = {id:uniform(1,10000)}"

  # 30s at 16 clients against one server, as JSON, also saved to a file
  scalelab bench --target direct --dsn 'app:secret@tcp(127.0.0.1:3306)/shop' \
    --concurrency 16 --duration 30s --warmup 2s --format json --out results.json \
    --query 'SELECT c FROM sbtest1 WHERE id={id:uniform(1,100000)}'

  # the same reads through the router (to the replicas), then on the primary only
  scalelab bench --concurrency 8 --duration 10s --query @reads.sql
  scalelab bench --node 0/primary --concurrency 8 --duration 10s --query @reads.sql

  # mysqlslap --auto-generate-sql, in its own schema, as mysqlslap's CSV
  scalelab bench --node 0/primary --create-schema slap --auto-generate-sql \
    --auto-generate-sql-load-type=key --concurrency 1,4 --iterations 5 --csv

  # an open loop at 500 queries/s, with setup and cleanup around every run
  scalelab bench --rate 500 --duration 20s --concurrency 32 \
    --pre-query "CREATE TABLE IF NOT EXISTS kv (k INT PRIMARY KEY, v INT)" \
    --query "REPLACE INTO kv VALUES ({k:uniform(1,1000)}, {v:uniform(1,9)})" \
    --post-query "DROP TABLE kv"`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error { return runBench(c, &o) },
	}
	addTopologyFlag(c, &o.topo)
	f := c.Flags()
	f.StringVar(&o.target, "target", "", "where queries go: direct or router (default direct with --dsn or --node, else router)")
	f.StringVar(&o.dsn, "dsn", "", "direct target: a Go MySQL DSN, user:pass@tcp(host:port)/db")
	f.BoolVar(&o.blockingIO, "blocking-io", blockingDefault, "direct target: blocking socket reads, as sysbench's clients use (one system call per reply instead of Go's poll-and-retry)")
	f.StringVar(&o.node, "node", "", "direct target: a node of the topology, such as 0/primary or -80/replica-1")
	f.StringVar(&o.consistency, "consistency", string(router.Eventual), "router target: read consistency, eventual, read-your-writes or strong")
	f.StringVar(&o.concurrency, "concurrency", "1", "comma-separated numbers of concurrent clients, one level each: 1,10,100")
	f.IntVar(&o.cfg.Iterations, "iterations", bench.DefaultIterations, "runs of each concurrency level")
	f.IntVar(&o.cfg.NumberOfQueries, "number-of-queries", 0, "total queries of one run, split across the clients (0: each client runs each statement once, or no limit with --duration)")
	f.StringVar(&o.query, "query", "", "statements separated by ';', or @FILE, or the path of a file of them")
	f.StringVar(&o.preQuery, "pre-query", "", "statements run before every run, untimed (text, @FILE or a path)")
	f.StringVar(&o.postQuery, "post-query", "", "statements run after every run, untimed (text, @FILE or a path)")
	f.StringVar(&o.createSchema, "create-schema", "", "database to create if missing and run in")
	f.BoolVar(&o.autoGenerate, "auto-generate-sql", false, "generate the workload: mysqlslap's table t1, recreated and filled before every run")
	f.StringVar(&o.loadType, "auto-generate-sql-load-type", string(bench.DefaultLoadType), "generated statements: read (scans), write (inserts), key (point reads), update or mixed (inserts and scans)")
	f.IntVar(&o.autoGen.Rows, "auto-generate-sql-write-number", bench.DefaultAutoRows, "rows inserted into t1 before every run")
	f.IntVar(&o.autoGen.UniqueQueries, "auto-generate-sql-unique-query-number", bench.DefaultUniqueQueries, "distinct generated statements")
	f.IntVar(&o.autoGen.IntCols, "number-int-cols", bench.DefaultIntCols, "INT columns of t1")
	f.IntVar(&o.autoGen.CharCols, "number-char-cols", bench.DefaultCharCols, "VARCHAR(128) columns of t1")
	f.BoolVar(&o.noDrop, "no-drop", false, "keep t1 after the last run of --auto-generate-sql")
	f.StringVar(&o.csv, "csv", "", "write mysqlslap's CSV lines to FILE (appending), or, as plain --csv, to stdout instead of the report")
	f.Lookup("csv").NoOptDefVal = "-"
	f.DurationVar(&o.cfg.Duration, "duration", 0, "stop each run after this long (0: no time limit)")
	f.DurationVar(&o.cfg.Warmup, "warmup", 0, "run this long at the start of each run and discard the results")
	f.Float64Var(&o.cfg.Rate, "rate", 0, "open loop at this many queries per second in total (0: closed loop, as fast as the clients go)")
	f.Uint64Var(&o.cfg.Seed, "seed", 0, "seed of the placeholder values and generated data: the same seed draws the same values")
	f.StringVar(&o.format, "format", string(bench.FormatTable), "report format: "+joinFormats(bench.Formats()))
	f.StringVar(&o.out, "out", "", "also write the JSON report to this file")
	f.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of scalelab itself to this file (for go tool pprof)")
	_ = f.MarkHidden("cpuprofile")
	return c
}

func joinFormats(fs []bench.Format) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = string(f)
	}
	return strings.Join(s, ", ")
}

func runBench(c *cobra.Command, o *benchOptions) error {
	if err := o.parse(c); err != nil {
		return err
	}
	ctx := c.Context()
	target, describe, closeTarget, err := o.openTarget(ctx)
	if err != nil {
		return err
	}
	defer closeTarget()

	p := newBenchProgress(stderr(c))
	if p.tty {
		o.cfg.Progress = p.update
	}
	fmt.Fprintf(stderr(c), "bench: %d statement(s) against %s; concurrency %s, %d iteration(s)\n",
		len(o.cfg.Queries), describe, o.concurrency, o.cfg.Iterations)
	if o.cpuProfile != "" {
		stop, err := startCPUProfile(o.cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	res, runErr := bench.Run(ctx, target, o.cfg)
	p.finish()
	if res == nil {
		return runErr
	}
	if err := o.report(c, res); err != nil {
		return err
	}
	if res.Partial {
		fmt.Fprintln(stderr(c), "bench: interrupted: the results are partial")
	}
	for _, l := range res.Levels {
		if l.Total.Errors > 0 {
			fmt.Fprintf(stderr(c), "bench: %d of %d queries failed at concurrency %d (see the errors by kind)\n",
				l.Total.Errors, l.Total.Errors+l.Total.Count, l.Concurrency)
		}
	}
	return runErr
}

// parse checks the flags and fills o.cfg; every error is a usage error.
func (o *benchOptions) parse(c *cobra.Command) error {
	conc, err := parseConcurrency(o.concurrency)
	if err != nil {
		return err
	}
	o.cfg.Concurrency = conc
	if !slices.Contains(bench.Formats(), bench.Format(o.format)) {
		return usagef("--format %q: want %s", o.format, joinFormats(bench.Formats()))
	}
	if o.csv == "-" && c.Flags().Changed("format") {
		return usagef("plain --csv replaces the report on stdout; use --csv=FILE together with --format")
	}
	switch {
	case o.dsn != "" && o.node != "":
		return usagef("--dsn and --node both name a server: give one")
	case o.target == "":
		o.target = targetRouter
		if o.dsn != "" || o.node != "" {
			o.target = targetDirect
		}
	case o.target == targetRouter && (o.dsn != "" || o.node != ""):
		return usagef("--dsn and --node are for --target direct; the router target uses --topology")
	case o.target != targetDirect && o.target != targetRouter:
		return usagef("--target %q: want direct or router", o.target)
	}
	if _, err := router.ParseConsistency(o.consistency); err != nil {
		return &usageError{err}
	}
	for _, n := range []struct {
		flag string
		v    int
	}{{"iterations", o.cfg.Iterations}, {"number-of-queries", o.cfg.NumberOfQueries},
		{"auto-generate-sql-write-number", o.autoGen.Rows}, {"auto-generate-sql-unique-query-number", o.autoGen.UniqueQueries},
		{"number-int-cols", o.autoGen.IntCols}, {"number-char-cols", o.autoGen.CharCols}} {
		if n.v < 0 {
			return usagef("--%s %d: want 0 or more", n.flag, n.v)
		}
	}
	if o.cfg.Duration < 0 || o.cfg.Warmup < 0 || o.cfg.Rate < 0 {
		return usagef("--duration, --warmup and --rate must not be negative")
	}
	if o.cfg.PreQuery, err = readStatements("pre-query", o.preQuery); err != nil {
		return err
	}
	if o.cfg.PostQuery, err = readStatements("post-query", o.postQuery); err != nil {
		return err
	}
	switch {
	case o.autoGenerate && o.query != "":
		return usagef("--query and --auto-generate-sql both give the workload: use one")
	case o.autoGenerate:
		o.autoGen.LoadType = bench.LoadType(o.loadType)
		o.autoGen.Seed = o.cfg.Seed
		w, err := bench.AutoGenerate(o.autoGen)
		if err != nil {
			return &usageError{err}
		}
		o.cfg.Queries = w.Queries
		o.cfg.PreQuery = append(w.Setup, o.cfg.PreQuery...)
		if !o.noDrop {
			o.cfg.PostQuery = append(o.cfg.PostQuery, w.Cleanup...)
		}
	case o.query == "":
		return usagef("no workload: give --query or --auto-generate-sql (see %s --help)", c.CommandPath())
	default:
		if c.Flags().Changed("auto-generate-sql-load-type") {
			return usagef("--auto-generate-sql-load-type needs --auto-generate-sql")
		}
		if o.cfg.Queries, err = readStatements("query", o.query); err != nil {
			return err
		}
		if len(o.cfg.Queries) == 0 {
			return usagef("--query %q holds no statement", o.query)
		}
	}
	return nil
}

func parseConcurrency(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, usagef("--concurrency %q: want a comma-separated list of client counts of 1 or more, such as 1,10,100", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// readStatements reads a statement flag: @FILE or the path of an existing
// file is read, anything else is SQL text; both are split at ';'.
func readStatements(flag, v string) ([]string, error) {
	if v == "" {
		return nil, nil
	}
	path := ""
	if strings.HasPrefix(v, "@") {
		path = v[1:]
	} else if st, err := os.Stat(v); err == nil && st.Mode().IsRegular() {
		path = v
	}
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, usagef("--%s: %v", flag, err)
		}
		v = string(b)
	}
	return bench.SplitStatements(v), nil
}

func (o *benchOptions) maxConcurrency() int { return slices.Max(o.cfg.Concurrency) }

// openTarget connects to the target, creating --create-schema first, and
// returns it with a description for the log and a func that closes it.
func (o *benchOptions) openTarget(ctx context.Context) (bench.Target, string, func(), error) {
	if o.target == targetRouter {
		return o.openRouter(ctx)
	}
	var cfg *mysql.Config
	if o.dsn != "" {
		var err error
		if cfg, err = mysql.ParseDSN(o.dsn); err != nil {
			return nil, "", nil, usagef("--dsn: %v (want user:pass@tcp(host:port)/db)", err)
		}
		if o.createSchema != "" {
			if err := createSchemaOn(ctx, cfg, o.createSchema, nil); err != nil {
				return nil, "", nil, err
			}
		}
	} else {
		t, err := loadTopology(os.Stderr, o.topo)
		if err != nil {
			return nil, "", nil, err
		}
		name := o.node
		if name == "" {
			name = t.Nodes()[0].Name
		}
		n, err := t.Node(name)
		if err != nil {
			return nil, "", nil, &usageError{err}
		}
		cfg = t.MySQLConfig(n.Addr, t.User)
		if o.createSchema != "" {
			// The admin user creates it and grants the application user.
			if err := createSchemaOn(ctx, t.MySQLConfig(n.Addr, t.AdminCredentials()), o.createSchema, t.GrantApp); err != nil {
				return nil, "", nil, err
			}
		}
	}
	if o.createSchema != "" {
		cfg.DBName = o.createSchema
	}
	if cfg.Net == "tcp" && o.blockingIO {
		cfg.Net = replica.BlockingNet
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, "", nil, fmt.Errorf("connector for %s: %w", cfg.Addr, err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(o.maxConcurrency())
	db.SetMaxIdleConns(o.maxConcurrency())
	if err := bench.Connect(ctx, db, o.maxConcurrency()); err != nil {
		db.Close()
		return nil, "", nil, fmt.Errorf("connect %d client(s) to %s as %s: %w", o.maxConcurrency(), cfg.Addr, cfg.User, err)
	}
	return db, fmt.Sprintf("%s/%s as %s (direct)", cfg.Addr, cfg.DBName, cfg.User), func() { db.Close() }, nil
}

func (o *benchOptions) openRouter(ctx context.Context) (bench.Target, string, func(), error) {
	t, err := loadTopology(os.Stderr, o.topo)
	if err != nil {
		return nil, "", nil, err
	}
	if o.createSchema != "" {
		// Created on every primary, from where it replicates.
		for _, s := range t.Shards {
			if err := createSchemaOn(ctx, t.MySQLConfig(s.Primary.HostPort, t.AdminCredentials()), o.createSchema, t.GrantApp); err != nil {
				return nil, "", nil, err
			}
		}
		t.Database = o.createSchema
	}
	r, err := router.Open(ctx, t, router.Config{
		Consistency: router.Consistency(o.consistency),
		Replica:     replica.Config{Pool: replica.PoolConfig{MaxIdle: o.maxConcurrency()}},
	})
	if err != nil {
		return nil, "", nil, err
	}
	return r, fmt.Sprintf("topology %s, database %s (router, %s reads)", t.Name, t.DatabaseName(), o.consistency), func() { r.Close() }, nil
}

// createSchemaOn creates database name on the server of cfg, connecting
// without a current database, and runs grant's statement for it when
// grant is set.
func createSchemaOn(ctx context.Context, cfg *mysql.Config, name string, grant func(string) (string, []any)) error {
	admin := cfg.Clone()
	admin.DBName = ""
	conn, err := mysql.NewConnector(admin)
	if err != nil {
		return fmt.Errorf("connector for %s: %w", admin.Addr, err)
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	if err := bench.CreateSchema(ctx, db, name, grant); err != nil {
		return fmt.Errorf("on %s: %w", admin.Addr, err)
	}
	return nil
}

// report prints res in the chosen format, and writes --csv and --out.
func (o *benchOptions) report(c *cobra.Command, res *bench.Result) error {
	out := c.OutOrStdout()
	load := bench.LoadMixed
	if o.autoGenerate {
		load = bench.LoadType(o.loadType)
	}
	var err error
	switch f := bench.Format(o.format); {
	case o.csv == "-":
		err = bench.WriteSlapCSVLoad(out, res, "", load)
	case f == bench.FormatTable:
		if err = bench.WriteTable(out, res); err == nil {
			_, err = fmt.Fprintln(out)
		}
		if err == nil {
			err = bench.WriteSlapSummary(out, res)
		}
	case f == bench.FormatMarkdown:
		if err = bench.WriteMarkdown(out, res); err == nil {
			_, err = fmt.Fprint(out, "\n```text\n")
		}
		if err == nil {
			err = bench.WriteSlapSummary(out, res)
		}
		if err == nil {
			_, err = fmt.Fprint(out, "```\n")
		}
	default:
		err = bench.Write(out, f, res)
	}
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if o.csv != "" && o.csv != "-" {
		if err := appendFile(o.csv, func(w io.Writer) error { return bench.WriteSlapCSVLoad(w, res, "", load) }); err != nil {
			return err
		}
	}
	if o.out != "" {
		if err := writeFile(o.out, func(w io.Writer) error { return bench.WriteJSON(w, res) }); err != nil {
			return err
		}
	}
	return nil
}

func appendFile(path string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open --csv file: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create --out file: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// benchProgress draws one live line on a terminal's stderr, once a run has
// gone on for progressAfter; elsewhere it draws nothing, so pipes and logs
// get only the report.
type benchProgress struct {
	w     io.Writer
	tty   bool
	mu    sync.Mutex
	shown bool
	last  time.Duration
	done  int64
}

func newBenchProgress(w io.Writer) *benchProgress {
	f, ok := w.(*os.File)
	return &benchProgress{w: w, tty: ok && isatty.IsTerminal(f.Fd())}
}

// update is the bench.Config.Progress callback.
func (p *benchProgress) update(done, total int64, elapsed time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if elapsed < progressAfter {
		p.last, p.done = elapsed, done
		return
	}
	qps := 0.0
	if dt := (elapsed - p.last).Seconds(); dt > 0 {
		qps = float64(done-p.done) / dt
	}
	p.last, p.done = elapsed, done
	line := fmt.Sprintf("\r[%6.1fs] %d queries", elapsed.Seconds(), done)
	if total > 0 {
		line += fmt.Sprintf(" of %d (%.0f%%)", total, 100*float64(done)/float64(total))
	}
	fmt.Fprintf(p.w, "%s, %.0f qps\x1b[K", line, qps)
	p.shown = true
}

// finish erases the line.
func (p *benchProgress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}
