package bench

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/router"
)

// Targets of Options.Target.
const (
	TargetDirect = "direct" // one server: Options.DSN or Options.Node
	TargetRouter = "router" // scalelab's router over a topology
)

// Options are scalelab bench's command-line options as the user gave them:
// mysqlslap's (--concurrency=1,10,100, --query, --auto-generate-sql,
// --csv, …) and sysbench's (--duration, --warmup, --rate), with lists
// unparsed and files unread. Resolve checks them together and turns them
// into the Configs of a run. Its errors name the options, since they go
// to the user who gave them.
type Options struct {
	// Target is TargetDirect, TargetRouter, or empty: direct when DSN or
	// Node is set, else the router.
	Target string
	// DSN (a Go MySQL DSN) or Node names a direct target's server; see
	// TargetConfig, as for CreateSchema, BlockingIO and Driver.
	DSN, Node, CreateSchema string
	BlockingIO, Driver      bool
	// Consistency names the router's read consistency.
	Consistency string
	// Concurrency is a comma-separated list of client counts (see
	// ParseConcurrency).
	Concurrency string
	// Query, PreQuery and PostQuery are statements separated by ';',
	// "@FILE", or the path of a file of them (see ReadStatements).
	Query, PreQuery, PostQuery string
	// Delimiter separates the statements of Query, PreQuery and PostQuery,
	// as mysqlslap's --delimiter. Empty means ";".
	Delimiter string
	// AutoGenerate generates the workload instead of Query (see
	// AutoGenerate), from AutoGen and the load type LoadType; NoDrop
	// keeps its table t1 after the last run.
	AutoGenerate, NoDrop bool
	AutoGen              AutoGenConfig
	LoadType             string
	// Format names the report's format.
	Format string
	// CSV is empty, "-" for mysqlslap's CSV lines on the output instead of
	// the report, or a file to append them to.
	CSV string
	// Out is a file to write the JSON report to.
	Out string
	// Run holds the run's numbers as given: Iterations, NumberOfQueries,
	// Duration, Warmup, Rate and Seed.
	Run Config
	// Given reports whether the user gave the option of that name, such
	// as "format": a plain --csv excludes --format, and
	// --auto-generate-sql-load-type needs --auto-generate-sql. Nil means
	// none was given.
	Given func(option string) bool
}

// Plan is what Options resolve to: a run, where it goes, and how it is
// reported.
type Plan struct {
	Run Config
	// Target leaves Topology to the caller, who reads the topology file
	// unless Target.DSN is set.
	Target TargetConfig
	Report ReportConfig
}

// Resolve checks o and returns the Plan it asks for, reading the
// statement files. Every error is the user's to fix.
func (o Options) Resolve() (*Plan, error) {
	p := &Plan{Run: o.Run}
	conc, err := ParseConcurrency(o.Concurrency)
	if err != nil {
		return nil, fmt.Errorf("--concurrency %q: want a comma-separated list of client counts of 1 or more, such as 1,10,100", o.Concurrency)
	}
	p.Run.Concurrency = conc
	if !slices.Contains(Formats(), Format(o.Format)) {
		return nil, fmt.Errorf("--format %q: want %s", o.Format, joinNames(Formats()))
	}
	if o.CSV == "-" && o.given("format") {
		return nil, errors.New("plain --csv replaces the report on stdout; use --csv=FILE together with --format")
	}
	direct := o.DSN != "" || o.Node != ""
	switch {
	case o.DSN != "" && o.Node != "":
		return nil, errors.New("--dsn and --node both name a server: give one")
	case o.Target == "":
	case o.Target == TargetRouter && direct:
		return nil, errors.New("--dsn and --node are for --target direct; the router target uses --topology")
	case o.Target != TargetDirect && o.Target != TargetRouter:
		return nil, fmt.Errorf("--target %q: want direct or router", o.Target)
	}
	consistency, err := router.ParseConsistency(o.Consistency)
	if err != nil {
		return nil, err
	}
	for _, n := range []struct {
		flag string
		v    int
	}{{"iterations", o.Run.Iterations}, {"number-of-queries", o.Run.NumberOfQueries},
		{"auto-generate-sql-write-number", o.AutoGen.Rows}, {"auto-generate-sql-unique-query-number", o.AutoGen.UniqueQueries},
		{"number-int-cols", o.AutoGen.IntCols}, {"number-char-cols", o.AutoGen.CharCols}} {
		if n.v < 0 && n.flag == "iterations" {
			return nil, fmt.Errorf("--iterations %d: want 1 or more runs of each level", n.v)
		}
		if n.v < 0 {
			return nil, fmt.Errorf("--%s %d: want 0 or more", n.flag, n.v)
		}
	}
	if o.given("iterations") && o.Run.Iterations == 0 {
		return nil, errors.New("--iterations 0: want 1 or more runs of each level")
	}
	if o.Run.Duration < 0 || o.Run.Warmup < 0 || o.Run.Rate < 0 {
		return nil, errors.New("--duration, --warmup and --rate must not be negative")
	}
	if math.IsNaN(o.Run.Rate) || math.IsInf(o.Run.Rate, 0) {
		return nil, fmt.Errorf("--rate %v: want a number of queries per second, or 0 for a closed loop", o.Run.Rate)
	}
	if p.Run.PreQuery, err = readOption("pre-query", o.PreQuery, o.Delimiter); err != nil {
		return nil, err
	}
	if p.Run.PostQuery, err = readOption("post-query", o.PostQuery, o.Delimiter); err != nil {
		return nil, err
	}
	p.Report = ReportConfig{Format: Format(o.Format), SlapCSV: o.CSV == "-", JSONFile: o.Out}
	if o.CSV != "-" {
		p.Report.CSVFile = o.CSV
	}
	if err := o.workload(p); err != nil {
		return nil, err
	}
	p.Target = TargetConfig{
		Router: o.Target == TargetRouter || (o.Target == "" && !direct), Node: o.Node, CreateSchema: o.CreateSchema,
		Consistency: consistency, BlockingIO: o.BlockingIO, Driver: o.Driver, Clients: slices.Max(p.Run.Concurrency),
	}
	if o.Run.Prepared && p.Target.Router {
		return nil, errors.New("--prepared needs a direct target (--node or --dsn): the router runs text statements")
	}
	if o.Run.ReportInterval < 0 {
		return nil, errors.New("--report-interval must not be negative")
	}
	if o.DSN != "" {
		if p.Target.DSN, err = mysql.ParseDSN(o.DSN); err != nil {
			return nil, fmt.Errorf("--dsn: %v (want user:pass@tcp(host:port)/db)", err)
		}
	}
	return p, nil
}

func (o Options) given(option string) bool { return o.Given != nil && o.Given(option) }

// workload sets p's statements: Query, or a generated workload whose
// setup runs before PreQuery and whose cleanup runs after PostQuery.
func (o Options) workload(p *Plan) error {
	switch {
	case o.AutoGenerate && o.Query != "":
		return errors.New("--query and --auto-generate-sql both give the workload: use one")
	case o.AutoGenerate:
		gen := o.AutoGen
		gen.LoadType, gen.Seed = LoadType(o.LoadType), o.Run.Seed
		w, err := AutoGenerate(gen)
		if err != nil {
			return err
		}
		p.Run.Queries = w.Queries
		p.Run.PreQuery = append(w.Setup, p.Run.PreQuery...)
		if !o.NoDrop {
			p.Run.PostQuery = append(p.Run.PostQuery, w.Cleanup...)
		}
		p.Report.LoadType = gen.LoadType
		return nil
	case o.Query == "":
		return errors.New("no workload: give --query or --auto-generate-sql (see scalelab bench --help)")
	case o.given("auto-generate-sql-load-type"):
		return errors.New("--auto-generate-sql-load-type needs --auto-generate-sql")
	}
	var err error
	if p.Run.Queries, err = readOption("query", o.Query, o.Delimiter); err != nil {
		return err
	}
	if len(p.Run.Queries) == 0 {
		return fmt.Errorf("--query %q holds no statement", o.Query)
	}
	if o.Run.Prepared {
		templates, err := parseAll("query", p.Run.Queries, true)
		if err != nil {
			return err
		}
		return preparable(templates)
	}
	return nil
}

// readOption reads the statements of option flag (see ReadStatements).
func readOption(flag, v, delim string) ([]string, error) {
	stmts, err := ReadStatementsBy(v, delim)
	if err != nil {
		return nil, fmt.Errorf("--%s: %v", flag, err)
	}
	return stmts, nil
}

// joinNames joins names with ", ", for messages and flag help.
func joinNames[T ~string](names []T) string {
	s := make([]string, len(names))
	for i, n := range names {
		s[i] = string(n)
	}
	return strings.Join(s, ", ")
}
