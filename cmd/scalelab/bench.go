package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os/user"
	"strconv"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/bench"
	"github.com/scalelab/scalelab/internal/profile"
	"github.com/scalelab/scalelab/internal/progress"
	"github.com/scalelab/scalelab/machine"
	"github.com/scalelab/scalelab/router"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func newBenchCmd() *cobra.Command {
	var o bench.Options
	var topo, cpuProfile, clientCPUs string
	var events, executeNumber, verbose int
	var autoIncrement, onlyPrint, silent bool
	var conn slapConn
	var maxErrorRate float64
	var reconnects int
	var histogram bool
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
  -c -i -q -a -x -y -F -e  --concurrency --iterations --query
                           --auto-generate-sql --number-char-cols
                           --number-int-cols --delimiter --engine
  -h -P -u -p -S           --host --port --user --password --socket: a
                           direct target, as --dsn
  --only-print             print the statements, send nothing
  -s, -v                   --silent, --verbose
  --auto-generate-sql-secondary-indexes, -add-autoincrement, -execute-number
A schema that --create-schema created is dropped after the run, as
mysqlslap drops it, unless --no-drop; one that existed is kept.
sysbench's: --duration bounds each run by time, --warmup discards its first
seconds, --rate makes an open loop at a fixed total rate (latency counts from
each query's scheduled start, so queueing shows instead of hiding),
--events is --number-of-queries with sysbench's meaning, --report-interval
prints a line every N seconds while a run goes (QPS, the --percentile
latency, errors and reconnections per second; lines of the --warmup count
its queries, which the report leaves out, and end in "(warmup)"), --histogram prints the latency distribution
after each level, and --prepared sends every statement as a server-side
prepared statement with the binary protocol, its placeholders as parameters
(sysbench's default --db-ps-mode=auto; a direct target only), prepared by
each client before the clock starts and once per connection, as sysbench
does, so that only executions are timed. A placeholder inside a quoted
string or identifier cannot be a parameter: --prepared refuses it.
--events is one count that every client takes its next query from, as
sysbench's threads take events, where --number-of-queries is split over
the clients as mysqlslap splits it: with it a client slower than the
others leaves a tail in which they are idle.

Besides the workload, each client of a direct target sends an untimed
"SELECT 1 /*scalelab-bench-claim:N*/" per run (it finds the client's
socket), and the command one "SELECT VERSION()": the server's Com_select
and Questions count them, and the bench does not.

Targets:
  direct  one server: --dsn user:pass@tcp(host:port)/db, or --node NAME of
          the topology (connecting as its application user); the default
          when --dsn or --node is given
  router  scalelab's router over --topology: reads to replicas, writes to
          primaries; the default otherwise

A SELECT is timed until its last row is read. Failed queries do not stop
the run: they are counted by server error ("1146 ER_NO_SUCH_TABLE"), and
the message of each kind's first error is printed under the report. A
client whose connection is lost (the server killed or restarted, the
connection killed) counts its failed query once, sends nothing more on it,
and connects again, up to --reconnect-attempts times (waiting 10ms, then
twice as long each time up to 1s, while the run lasts), then goes on where
it was; a client that cannot reconnect stops. The report says how many
connections were lost and reconnected, and the interval lines show
reconn/s, as sysbench's do.
Reports go to stdout (--format table, markdown, csv or json; json is the
only thing on stdout then); progress goes to stderr, as a live line on a
terminal for runs longer than 2s. Ctrl-C stops the run, queries in flight
included (their sockets are closed, so a hung server cannot hold it), prints
what was measured, marked partial, and exits with status 130.`,
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
		RunE: func(c *cobra.Command, _ []string) error {
			o.Given = c.Flags().Changed
			if c.Flags().Changed("events") {
				switch {
				case c.Flags().Changed("number-of-queries"):
					return usagef("--events and --number-of-queries both set the number of queries of a run (shared, or split over the clients): give one")
				case events < 0:
					return usagef("--events %d: want 0 (no limit, with --duration) or more", events)
				case events == 0 && o.Run.Duration == 0:
					// sysbench's --events=0 is no limit, and its --time
					// bounds the run; here nothing would.
					return usagef("--events 0 is no limit on the number of queries, as in sysbench: give --duration to bound the run")
				}
				o.Run.NumberOfQueries = events
				o.Run.SharedCount = true // sysbench's one count
			}
			if o.Run.Percentile <= 0 || o.Run.Percentile > 100 {
				return usagef("--percentile %g: want a percentile above 0, up to 100", o.Run.Percentile)
			}
			if histogram && o.Format != string(bench.FormatTable) && o.Format != string(bench.FormatMarkdown) {
				return usagef("--histogram prints text: it goes with --format table or markdown")
			}
			if err := conn.apply(c, &o); err != nil {
				return err
			}
			if c.Flags().Changed("auto-generate-sql-execute-number") {
				if c.Flags().Changed("number-of-queries") || c.Flags().Changed("events") {
					return usagef("--auto-generate-sql-execute-number gives the number of queries per client: leave out --number-of-queries")
				}
				if executeNumber < 1 {
					return usagef("--auto-generate-sql-execute-number %d: want 1 or more", executeNumber)
				}
			}
			if reconnects < 0 {
				return usagef("--reconnect-attempts %d: want 0 (a client whose connection is lost stops) or more", reconnects)
			}
			o.Run.ReconnectAttempts = reconnects
			if reconnects == 0 {
				o.Run.ReconnectAttempts = -1 // bench.Config's "none"
			}
			if maxErrorRate < 0 || maxErrorRate > 1 {
				return usagef("--max-error-rate %g: want a share from 0 (no failed query allowed) to 1 (any)", maxErrorRate)
			}
			return runBench(c, o, topo, benchFlags{cpuProfile: cpuProfile, clientCPUs: clientCPUs, histogram: histogram, maxErrorRate: maxErrorRate,
				executeNumber: executeNumber, onlyPrint: onlyPrint, silent: silent, verbose: verbose})
		},
	}
	addTopologyFlag(c, &topo)
	f := c.Flags()
	f.StringVar(&o.Target, "target", "", "where queries go: direct or router (default direct with --dsn or --node, else router)")
	f.StringVar(&o.DSN, "dsn", "", "direct target: a Go MySQL DSN, user:pass@tcp(host:port)/db")
	f.BoolVar(&o.BlockingIO, "blocking-io", bench.DefaultBlockingIO, "direct target: blocking socket calls, as sysbench's clients make, raw and on a thread per client (one system call per reply, and no scheduler hand-off, instead of Go's poll-and-retry)")
	f.BoolVar(&o.Driver, "driver", false, "direct target: send every query through go-sql-driver instead of scalelab's own protocol loop (to compare the two: the loop skips the driver's allocations and row decoding, which shows most with many clients)")
	f.StringVar(&o.Node, "node", "", "direct target: a node of the topology, such as 0/primary or -80/replica-1")
	f.StringVar(&o.Consistency, "consistency", string(router.Eventual), "router target: read consistency, eventual, read-your-writes or strong")
	f.StringVarP(&o.Concurrency, "concurrency", "c", "1", "comma-separated numbers of concurrent clients, one level each: 1,10,100")
	f.IntVarP(&o.Run.Iterations, "iterations", "i", bench.DefaultIterations, "runs of each concurrency level")
	f.IntVar(&o.Run.NumberOfQueries, "number-of-queries", 0, "total queries of one run, split across the clients (0: each client runs each statement once, or no limit with --duration)")
	f.StringVarP(&o.Query, "query", "q", "", "statements separated by ';', or @FILE, or the path of a file of them")
	f.StringVar(&o.PreQuery, "pre-query", "", "statements run before every run, untimed (text, @FILE or a path)")
	f.StringVar(&o.PostQuery, "post-query", "", "statements run after every run, untimed (text, @FILE or a path)")
	f.StringVar(&o.CreateSchema, "create-schema", "", "database to create if missing and run in")
	f.BoolVarP(&o.AutoGenerate, "auto-generate-sql", "a", false, "generate the workload: mysqlslap's table t1, recreated and filled before every run")
	f.StringVar(&o.LoadType, "auto-generate-sql-load-type", string(bench.DefaultLoadType), "generated statements: read (scans), write (inserts), key (point reads), update or mixed (inserts and scans)")
	f.IntVar(&o.AutoGen.Rows, "auto-generate-sql-write-number", bench.DefaultAutoRows, "rows inserted into t1 before every run")
	f.IntVar(&o.AutoGen.UniqueQueries, "auto-generate-sql-unique-query-number", bench.DefaultUniqueQueries, "distinct generated statements")
	f.IntVarP(&o.AutoGen.IntCols, "number-int-cols", "y", bench.DefaultIntCols, "INT columns of t1")
	f.IntVarP(&o.AutoGen.CharCols, "number-char-cols", "x", bench.DefaultCharCols, "VARCHAR(128) columns of t1")
	f.BoolVar(&o.NoDrop, "no-drop", false, "keep t1 after the last run of --auto-generate-sql")
	f.StringVar(&o.CSV, "csv", "", "write mysqlslap's CSV lines to FILE (appending), or, as plain --csv, to stdout instead of the report")
	f.Lookup("csv").NoOptDefVal = "-"
	f.Var((*seconds)(&o.Run.Duration), "duration", "stop each run after this many seconds, or a duration such as 1m (0: no time limit)")
	f.Var((*seconds)(&o.Run.Warmup), "warmup", "run this many seconds (or a duration such as 500ms) at the start of each run and discard the results")
	f.Float64Var(&o.Run.Rate, "rate", 0, "open loop at this many queries per second in total (0: closed loop, as fast as the clients go)")
	f.IntVar(&events, "events", 0, "total queries of one run, as sysbench's: one count that every client takes from, where --number-of-queries is split over the clients (0: no limit, with --duration, as in sysbench)")
	f.BoolVar(&o.Run.Prepared, "prepared", false, "server-side prepared statements with the binary protocol, placeholders sent as parameters (direct target)")
	f.Var((*seconds)(&o.Run.ReportInterval), "report-interval", "print QPS, latency and errors every N seconds (or a duration such as 500ms) while a run goes; 0: never")
	f.Float64Var(&o.Run.Percentile, "percentile", bench.DefaultPercentile, "latency percentile (above 0, up to 100) of --report-interval lines, of --histogram's summary, and of the report: a pN_ms column of its own unless it is 50, 90, 95, 99 or 99.9, and percentile_ms in JSON")
	f.Float64Var(&maxErrorRate, "max-error-rate", 0, "exit with status 1 when more than this share of queries failed (0: any failure, as mysqlslap; 0.01: 1%)")
	f.IntVar(&reconnects, "reconnect-attempts", bench.DefaultReconnectAttempts, "times a client whose connection was lost tries to connect again before it stops (0: it stops at once, as mysqlslap)")
	f.BoolVar(&histogram, "histogram", false, "print the latency histogram of each level after the report")
	f.Uint64Var(&o.Run.Seed, "seed", 0, "seed of the placeholder values and generated data: the same seed draws the same values")
	f.StringVar(&o.Format, "format", string(bench.FormatTable), "report format: "+joinNames(bench.Formats()))
	f.StringVar(&o.Out, "out", "", "also write the JSON report to this file")
	// mysqlslap's connection flags, for a direct target. -h is --host, as in
	// mysqlslap, so help is --help only.
	f.Bool("help", false, "help for bench")
	f.StringVarP(&conn.host, "host", "h", "127.0.0.1", "mysqlslap: server host, for a direct target (as --dsn)")
	f.IntVarP(&conn.port, "port", "P", 3306, "mysqlslap: server port")
	f.StringVarP(&conn.user, "user", "u", "", "mysqlslap: user (default: your login name)")
	f.StringVarP(&conn.password, "password", "p", "", "mysqlslap: password")
	f.StringVarP(&conn.socket, "socket", "S", "", "mysqlslap: unix socket, instead of --host and --port")
	f.StringVarP(&o.Delimiter, "delimiter", "F", ";", "mysqlslap: what separates the statements of --query, --pre-query and --post-query; unlike mysqlslap, whose default is a newline and which sends what lies between two delimiters as one query (several statements in it run as a multi-statement query), the default is ';' and each query holds one statement")
	f.StringVarP(&o.AutoGen.Engine, "engine", "e", "", "mysqlslap: storage engine of --auto-generate-sql's table t1")
	f.IntVar(&o.AutoGen.SecondaryIndexes, "auto-generate-sql-secondary-indexes", 0, "mysqlslap: secondary indexes on t1 (on its INT columns)")
	f.BoolVar(&autoIncrement, "auto-generate-sql-add-autoincrement", false, "mysqlslap: t1 keyed by an AUTO_INCREMENT column (t1 always is)")
	f.IntVar(&executeNumber, "auto-generate-sql-execute-number", 0, "mysqlslap: queries each client runs (--number-of-queries is this times the clients)")
	f.BoolVar(&onlyPrint, "only-print", false, "mysqlslap: print the statements a run would send, and send nothing")
	f.BoolVarP(&silent, "silent", "s", false, "mysqlslap: no progress and no header on stderr")
	f.CountVarP(&verbose, "verbose", "v", "mysqlslap: more on stderr (the statements, with -v -v)")
	f.StringVar(&clientCPUs, "client-cpus", machine.AutoClient, "the host's CPUs the bench runs on, such as 0 or 0-1; auto: those the topology's nodes do not run on (up --node-cpus), else any; \"\": any (nodes on another host)")
	f.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of scalelab itself to this file (for go tool pprof)")
	_ = f.MarkHidden("cpuprofile")
	return c
}

// benchFlags are the command's flags that bench.Options does not hold.
type benchFlags struct {
	cpuProfile        string
	clientCPUs        string
	histogram         bool
	maxErrorRate      float64
	executeNumber     int // queries per client, mysqlslap's --auto-generate-sql-execute-number
	onlyPrint, silent bool
	verbose           int
}

// pinClient runs this process on the CPUs --client-cpus names (by
// default those the topology's nodes leave), with as many Go processors
// unless $GOMAXPROCS says otherwise, and returns what undoes it.
func pinClient(c *cobra.Command, spec, nodeCPUs string) (restore func(), err error) {
	cpus, err := machine.ClientCPUs(spec, nodeCPUs)
	if err != nil {
		return nil, &usageError{fmt.Errorf("--client-cpus: %w", err)}
	}
	if len(cpus) == 0 {
		return func() {}, nil
	}
	undo, err := machine.Client(cpus, len(cpus))
	if err != nil {
		return nil, &usageError{fmt.Errorf("--client-cpus: %w", err)}
	}
	if nodeCPUs != "" {
		nodes, _ := machine.ParseCPUs(nodeCPUs)
		fmt.Fprintf(stderr(c), "bench: runs on %s; the topology's nodes run on %s\n", cpus.Text(), nodes.Text())
	}
	return func() {
		if err := undo(); err != nil {
			fmt.Fprintln(stderr(c), "bench:", err)
		}
	}, nil
}

func runBench(c *cobra.Command, o bench.Options, topo string, bf benchFlags) error {
	plan, err := o.Resolve()
	if err != nil {
		return &usageError{err}
	}
	if bf.onlyPrint {
		return printStatements(c.OutOrStdout(), plan, o.Delimiter)
	}
	if bf.executeNumber > 0 && len(plan.Run.Concurrency) > 1 {
		return usagef("--auto-generate-sql-execute-number with several --concurrency levels: run one level at a time")
	}
	if bf.executeNumber > 0 {
		plan.Run.NumberOfQueries = bf.executeNumber * plan.Run.Concurrency[0]
	}
	if bf.silent {
		c.SetErr(io.Discard)
	}
	if plan.Target.DSN == nil {
		plan.Target.TopologyPath = topo
		if plan.Target.Topology, err = loadTopology(stderr(c), topo); err != nil {
			return err
		}
	}
	nodeCPUs := ""
	if t := plan.Target.Topology; t != nil && t.Machine != nil {
		nodeCPUs = t.Machine.CPUs
	}
	restore, err := pinClient(c, bf.clientCPUs, nodeCPUs)
	if err != nil {
		return err
	}
	defer restore()
	ctx := c.Context()
	target, err := bench.OpenTarget(ctx, plan.Target)
	if err != nil {
		return noNodeIsUsage(err)
	}
	defer target.Close()
	plan.Run.ThreadPerClient = target.ThreadPerClient

	p := progress.NewCounter(stderr(c))
	if p.Live() && plan.Run.ReportInterval == 0 {
		plan.Run.Progress = p.Update
	}
	// In Markdown, the interval lines and the histogram are text blocks.
	var text io.Writer = c.OutOrStdout()
	fence := &bench.Fence{W: c.OutOrStdout()}
	if plan.Report.Format == bench.FormatMarkdown {
		text = fence
	}
	if plan.Run.ReportInterval > 0 {
		// sysbench prints its interval lines with the report; with a
		// machine format on stdout they go to stderr.
		w := text
		if plan.Report.Format.Machine() || plan.Report.SlapCSV {
			w = stderr(c)
		}
		plan.Run.Interval = func(st bench.IntervalStats) { bench.WriteInterval(w, st) }
	}
	fmt.Fprintf(stderr(c), "bench: %d statement(s) against %s; concurrency %s, %d iteration(s)\n",
		len(plan.Run.Queries), target.Description, o.Concurrency, plan.Run.Iterations)
	if bf.verbose > 1 {
		for _, q := range plan.Run.Queries {
			fmt.Fprintln(stderr(c), "bench: statement:", q)
		}
	}
	stop, err := profile.StartCPU(bf.cpuProfile)
	if err != nil {
		return err
	}
	defer stop()
	meta := &bench.Meta{Queries: plan.Run.Queries, Target: target.Description, Args: flagArgs(c), Server: serverVersion(ctx, target.Target), Started: time.Now().UTC()}
	res, runErr := bench.Run(ctx, target.Target, plan.Run)
	p.Finish()
	if err := fence.Close(); err != nil {
		return err
	}
	if res == nil {
		var te *bench.TemplateError
		if errors.As(runErr, &te) {
			return &usageError{runErr}
		}
		return runErr
	}
	res.Meta = meta
	if err := bench.WriteReport(c.OutOrStdout(), res, plan.Report); err != nil {
		return err
	}
	if bf.histogram {
		if err := bench.WriteHistograms(text, res, plan.Run.Percentile); err != nil {
			return err
		}
		if err := fence.Close(); err != nil {
			return err
		}
	}
	for _, w := range res.Warnings() {
		fmt.Fprintln(stderr(c), "bench:", w)
	}
	if target.DropSchema != nil && !o.NoDrop {
		// As mysqlslap, which drops its schema after the run; only one
		// this run created.
		if err := target.DropSchema(context.WithoutCancel(ctx)); err != nil {
			fmt.Fprintln(stderr(c), "bench:", err)
		} else if bf.verbose > 0 {
			fmt.Fprintf(stderr(c), "bench: dropped schema %s, created for this run (--no-drop keeps it)\n", o.CreateSchema)
		}
	}
	if runErr != nil {
		return runErr
	}
	if res.Partial {
		return &interruptedError{errors.New("bench: interrupted: the report shows what was measured until then, marked partial")}
	}
	return res.CheckErrors(bf.maxErrorRate)
}

// seconds is a duration flag that also takes sysbench's plain number of
// seconds: --report-interval 1 is --report-interval 1s.
type seconds time.Duration

func (s *seconds) String() string { return time.Duration(*s).String() }

func (s *seconds) Set(v string) error {
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		*s = seconds(n * float64(time.Second))
	} else if d, err := time.ParseDuration(v); err == nil {
		*s = seconds(d)
	} else {
		return fmt.Errorf("%q: want seconds, such as 1, or a duration, such as 500ms", v)
	}
	if *s < 0 {
		return fmt.Errorf("%q: want 0 or more", v)
	}
	return nil
}

func (s *seconds) Type() string { return "seconds" }

// slapConn is mysqlslap's connection flags.
type slapConn struct {
	host, user, password, socket string
	port                         int
}

// apply turns the connection flags, when any is given, into o.DSN.
func (sc slapConn) apply(c *cobra.Command, o *bench.Options) error {
	given := false
	for _, name := range []string{"host", "port", "user", "password", "socket"} {
		given = given || c.Flags().Changed(name)
	}
	if !given {
		return nil
	}
	if o.DSN != "" || o.Node != "" {
		return usagef("--host, --port, --user, --password and --socket name the server, as --dsn and --node do: give one way")
	}
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd = sc.user, sc.password
	if cfg.User == "" {
		if u, err := user.Current(); err == nil {
			cfg.User = u.Username
		}
	}
	if sc.socket != "" {
		cfg.Net, cfg.Addr = "unix", sc.socket
	} else {
		cfg.Net, cfg.Addr = "tcp", net.JoinHostPort(sc.host, strconv.Itoa(sc.port))
	}
	o.DSN = cfg.FormatDSN()
	return nil
}

// printStatements writes what a run would send, as mysqlslap's
// --only-print: the setup, the workload and the cleanup, each statement
// ended by the delimiter, and nothing is sent.
func printStatements(w io.Writer, plan *bench.Plan, delim string) error {
	if delim == "" {
		delim = ";"
	}
	// The workload's placeholders get the values a first client would
	// draw (--seed).
	rend := bench.NewRenderer(plan.Run.Seed, 0)
	for i, part := range [][]string{plan.Run.PreQuery, plan.Run.Queries, plan.Run.PostQuery} {
		for _, q := range part {
			if i == 1 {
				t, err := bench.ParseTemplate(q)
				if err != nil {
					return &usageError{err}
				}
				q = rend.Render(t)
			}
			if _, err := fmt.Fprintln(w, q+delim); err != nil {
				return err
			}
		}
	}
	return nil
}

// flagArgs lists the flags given on c's command line, as --name=value,
// with passwords (--password, a --dsn's) replaced by "xxx".
func flagArgs(c *cobra.Command) []string {
	var out []string
	c.Flags().Visit(func(f *pflag.Flag) {
		v := f.Value.String()
		switch f.Name {
		case "password":
			v = "xxx"
		case "dsn":
			if cfg, err := mysql.ParseDSN(v); err == nil && cfg.Passwd != "" {
				cfg.Passwd = "xxx"
				v = cfg.FormatDSN()
			}
		}
		out = append(out, "--"+f.Name+"="+v)
	})
	return out
}

// serverVersion is the target server's VERSION(), or "" when it does not
// say.
func serverVersion(ctx context.Context, t bench.Target) string {
	rows, err := t.QueryContext(ctx, "SELECT VERSION()")
	if err != nil {
		return ""
	}
	defer rows.Close()
	var v string
	if rows.Next() && rows.Scan(&v) == nil {
		return v
	}
	return ""
}
