package explain

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/scalelab/scalelab/internal/units"
	"io"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/internal/table"
	"vitess.io/vitess/go/vt/sqlparser"
)

// DefaultReplicationWait bounds how long Index waits for each replica
// to apply the CREATE INDEX before it explains again.
const DefaultReplicationWait = 30 * time.Second

var (
	// ErrWrite is returned (wrapped) by Explain when asked to execute a
	// statement that changes data, or that it cannot tell does not, without
	// Options.AllowWrites.
	ErrWrite = errors.New("explain: refusing to execute a write under ANALYZE")
	// ErrNotIndexDDL is returned (wrapped) by Index for DDL that is
	// not a single named CREATE INDEX / ALTER TABLE … ADD INDEX.
	ErrNotIndexDDL = errors.New("explain: not a CREATE INDEX statement")
)

// Conner hands out one dedicated connection. Explain needs one because
// session status counters (Handler_read_*) belong to a connection: the
// before and after readings must come from the connection that ran the
// statement. *sql.DB satisfies it.
type Conner interface {
	Conn(ctx context.Context) (*sql.Conn, error)
}

var _ Conner = (*sql.DB)(nil)

// Primary runs the index DDL and reports the GTID position that replicas
// must reach. *sql.DB satisfies it.
type Primary interface {
	flavor.Queryer
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Options change what Explain does. The zero value explains and
// executes read-only statements and refuses to execute writes.
type Options struct {
	// SkipAnalyze only explains: the statement is never executed, so
	// TablePlan.Real, RowsExamined and HandlerReads stay empty. Any
	// statement the server can EXPLAIN, writes included, may be explained
	// this way. Default false: execute.
	SkipAnalyze bool
	// AllowWrites lets Explain execute INSERT, REPLACE, UPDATE and DELETE
	// under ANALYZE, inside a transaction that it rolls back, so the change
	// does not stay (but locks are taken and AUTO_INCREMENT values are
	// spent). Default false: such statements fail with ErrWrite. Other
	// statements that are not reads (DDL, LOAD DATA, SET…) are never
	// executed: they would commit implicitly or cannot be analyzed.
	AllowWrites bool
}

// Plan is what the server says about one statement: the estimated plan
// (EXPLAIN and EXPLAIN FORMAT=JSON) and, unless analysis was skipped, the
// executed plan and the rows the storage engine really read.
type Plan struct {
	// Statement is the explained statement as given.
	Statement string `json:"statement"`
	// Flavor is "mariadb" or "mysql".
	Flavor string `json:"flavor"`
	// Tables is one entry per row of EXPLAIN, in EXPLAIN's order.
	Tables []TablePlan `json:"tables"`
	// JSONPlan is the output of EXPLAIN FORMAT=JSON, unchanged.
	JSONPlan json.RawMessage `json:"json_plan,omitempty"`
	// Analyzed reports whether the statement was executed.
	Analyzed bool `json:"analyzed"`
	// Executed is the output of the flavor's executing EXPLAIN, unchanged:
	// JSON from MariaDB's ANALYZE FORMAT=JSON, the tree text of MySQL's
	// EXPLAIN ANALYZE. Empty when not analyzed.
	Executed string `json:"executed,omitempty"`
	// RowsExamined is the sum of the connection's Handler_read_* status
	// counters over one execution of the statement: how many rows (and
	// index entries) the storage engine handed to the server. It is what
	// an index changes. Zero when not analyzed.
	RowsExamined int64 `json:"rows_examined"`
	// HandlerReads are the non-zero Handler_read_* deltas that make up
	// RowsExamined, by status variable name.
	HandlerReads map[string]int64 `json:"handler_reads,omitempty"`
	// RowsSent is how many rows the statement returned (or, for an allowed
	// write, changed).
	RowsSent int64 `json:"rows_sent"`
	// Elapsed is the client-side time of that execution, fetching every row.
	Elapsed units.Ms `json:"elapsed_ms"`
}

// TablePlan is one row of EXPLAIN, summarized, plus what execution showed.
type TablePlan struct {
	ID           string  `json:"id"`
	SelectType   string  `json:"select_type"`
	Table        string  `json:"table"`
	Type         string  `json:"type"`
	PossibleKeys string  `json:"possible_keys,omitempty"`
	Key          string  `json:"key,omitempty"`
	KeyLen       string  `json:"key_len,omitempty"`
	Ref          string  `json:"ref,omitempty"`
	Rows         int64   `json:"rows"`
	Filtered     float64 `json:"filtered,omitempty"`
	Extra        string  `json:"extra,omitempty"`
	// Filesort and Temporary come from Extra ("Using filesort", "Using
	// temporary"): the server sorts rows, or builds a temporary table.
	Filesort  bool `json:"filesort"`
	Temporary bool `json:"temporary"`
	// FullScan is true for access type ALL (every row of the table) and
	// index (every entry of an index), unless execution showed the scan
	// stopped early (Stopped).
	FullScan bool `json:"full_scan"`
	// Stopped is set when an ALL or index scan read far fewer rows than
	// the table holds (under half, per loop): a LIMIT, or an ORDER BY the
	// index serves, ended it. It is not a full scan then, whatever the
	// access type says.
	Stopped bool `json:"stopped_early"`
	// TableRows is the server's estimate of the table's rows
	// (information_schema), when it was read for an ALL or index scan.
	TableRows int64 `json:"table_rows,omitempty"`
	// Real is what execution measured for this table, nil when the
	// statement was not analyzed or the executed plan does not name it.
	Real *TableRun `json:"real,omitempty"`
}

// Scan names the kind of full scan: "table" for type ALL, "index" for type
// index, "stopped early" for either when execution read only part of the
// table (Stopped), and "no" otherwise.
func (t TablePlan) Scan() string {
	if t.Stopped {
		return "stopped early"
	}
	switch strings.ToUpper(t.Type) {
	case "ALL":
		return "table"
	case "INDEX":
		return "index"
	}
	return "no"
}

// TableRun is the executed plan's account of one table.
type TableRun struct {
	// Rows is the number of rows read from the table over all loops
	// (MariaDB: r_rows × r_loops; MySQL: rows × loops).
	Rows float64 `json:"rows"`
	// Loops is how many times the table was accessed.
	Loops float64 `json:"loops"`
	// TimeMS is the time spent reading the table, in milliseconds, when the
	// server reports it (MariaDB r_total_time_ms; MySQL actual time × loops).
	TimeMS float64 `json:"time_ms"`
}

// Explain explains stmt on db with the default Options: see
// RunWith.
func Run(ctx context.Context, db Conner, f flavor.Flavor, stmt string) (*Plan, error) {
	return RunWith(ctx, db, f, stmt, Options{})
}

// RunWith runs EXPLAIN and EXPLAIN FORMAT=JSON on stmt and, unless
// opts.SkipAnalyze, executes it twice on one connection of db: once under
// f.ExplainAnalyze for the executed plan, once plainly between two readings
// of SHOW SESSION STATUS LIKE 'Handler_read%' for the rows examined.
// A statement that is not a read fails with an error wrapping ErrWrite
// before anything is executed, unless opts allow it. Server errors are
// returned wrapped with the step that failed. Safe for concurrent use if db
// is.
func RunWith(ctx context.Context, db Conner, f flavor.Flavor, stmt string, opts Options) (*Plan, error) {
	kind := classify(stmt)
	if !opts.SkipAnalyze {
		switch {
		case kind == stmtOther:
			return nil, fmt.Errorf("%w: %s is neither a read nor INSERT/UPDATE/DELETE (or does not parse), so it cannot be analyzed; explain it without executing (--analyze=false)", ErrWrite, abbreviate(stmt))
		case kind == stmtDML && !opts.AllowWrites:
			return nil, fmt.Errorf("%w: %s changes data; explain it without executing (--analyze=false), or allow executing it in a rolled-back transaction (--allow-writes)", ErrWrite, abbreviate(stmt))
		}
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("explain: connect: %w", err)
	}
	defer conn.Close()

	p := &Plan{Statement: stmt, Flavor: f.Name()}
	if p.Tables, err = explainRows(ctx, conn, stmt); err != nil {
		return nil, err
	}
	var js string
	if err := conn.QueryRowContext(ctx, "EXPLAIN FORMAT=JSON "+stmt).Scan(&js); err != nil {
		return nil, fmt.Errorf("explain format=json: %w", err)
	}
	p.JSONPlan = rawJSON(js)
	if opts.SkipAnalyze {
		return p, nil
	}
	if kind == stmtDML {
		err = analyzeWrite(ctx, conn, f, p)
	} else {
		err = analyzeRead(ctx, conn, f, p)
	}
	if err != nil {
		return nil, err
	}
	p.Analyzed = true
	attachRuns(p.Tables, parseExecuted(p.Executed))
	markStopped(ctx, conn, stmt, p.Tables)
	return p, nil
}

// markStopped sets Stopped on the ALL and index scans that execution
// showed ended early: under half of the table's rows (the server's
// estimate) read per loop. A table whose size cannot be read keeps its
// access type's verdict.
func markStopped(ctx context.Context, conn *sql.Conn, stmt string, tables []TablePlan) {
	names := tableNames(stmt)
	for i := range tables {
		t := &tables[i]
		if t.Scan() == "no" || t.Real == nil || t.Real.Loops <= 0 {
			continue
		}
		name := t.Table
		if n, ok := names[name]; ok {
			name = n
		}
		var rows sql.NullInt64
		if err := conn.QueryRowContext(ctx, "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?", name).Scan(&rows); err != nil || !rows.Valid {
			continue
		}
		t.TableRows = rows.Int64
		if t.Real.Rows/t.Real.Loops < float64(rows.Int64)/2 {
			t.Stopped, t.FullScan = true, false
		}
	}
}

// parse parses one statement with the MySQL 8.0 grammar the explain
// package reads statements with.
func parse(stmt string) (sqlparser.Statement, error) {
	p, err := sqlparser.New(sqlparser.Options{MySQLServerVersion: "8.0.40"})
	if err != nil {
		return nil, err
	}
	return p.Parse(stmt)
}

// tableNames maps each alias in stmt to its table's name, as EXPLAIN names
// a table by its alias; nil when stmt does not parse.
func tableNames(stmt string) map[string]string {
	ast, err := parse(stmt)
	if err != nil {
		return nil
	}
	out := map[string]string{}
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if at, ok := n.(*sqlparser.AliasedTableExpr); ok {
			if tn, ok := at.Expr.(sqlparser.TableName); ok && !at.As.IsEmpty() {
				out[at.As.String()] = tn.Name.String()
			}
		}
		return true, nil
	}, ast)
	return out
}

// analyzeRead runs the executing EXPLAIN, then the statement itself between
// two Handler_read readings.
func analyzeRead(ctx context.Context, conn *sql.Conn, f flavor.Flavor, p *Plan) error {
	out, err := flavor.QueryText(ctx, conn, f.ExplainAnalyze(p.Statement))
	if err != nil {
		return fmt.Errorf("explain analyze: %w", err)
	}
	p.Executed = out
	return measure(ctx, conn, p, func() (int64, error) {
		rows, err := conn.QueryContext(ctx, p.Statement)
		if err != nil {
			return 0, err
		}
		return drain(rows)
	})
}

// analyzeWrite runs the executing EXPLAIN of a write inside a transaction
// and rolls it back. The write runs once only, so the Handler_read readings
// surround the analyzing statement itself.
func analyzeWrite(ctx context.Context, conn *sql.Conn, f flavor.Flavor, p *Plan) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("explain analyze: begin: %w", err)
	}
	defer tx.Rollback()
	err = measure(ctx, conn, p, func() (int64, error) {
		out, err := flavor.QueryText(ctx, tx, f.ExplainAnalyze(p.Statement))
		p.Executed = out
		return 0, err
	})
	if err != nil {
		return err
	}
	return tx.Rollback()
}

// measure runs exec between readings of the session's Handler_read_*
// counters. SHOW STATUS reads its own result through a handler too, so a
// first pair of readings with nothing between them measures that overhead,
// and it is subtracted.
func measure(ctx context.Context, conn *sql.Conn, p *Plan, exec func() (int64, error)) error {
	r0, err := handlerReads(ctx, conn)
	if err != nil {
		return err
	}
	r1, err := handlerReads(ctx, conn)
	if err != nil {
		return err
	}
	start := time.Now()
	sent, err := exec()
	if err != nil {
		return fmt.Errorf("execute: %w", err)
	}
	p.Elapsed = units.Ms(time.Since(start))
	p.RowsSent = sent
	r2, err := handlerReads(ctx, conn)
	if err != nil {
		return err
	}
	p.HandlerReads = map[string]int64{}
	for name, v := range r2 {
		d := v - r1[name] - (r1[name] - r0[name])
		if d > 0 {
			p.HandlerReads[name] = d
			p.RowsExamined += d
		}
	}
	return nil
}

func handlerReads(ctx context.Context, conn *sql.Conn) (map[string]int64, error) {
	rows, err := conn.QueryContext(ctx, "SHOW SESSION STATUS LIKE 'Handler_read%'")
	if err != nil {
		return nil, fmt.Errorf("read session status: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var name, val string
		if err := rows.Scan(&name, &val); err != nil {
			return nil, fmt.Errorf("read session status: %w", err)
		}
		n, _ := strconv.ParseInt(val, 10, 64)
		out[name] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read session status: %w", err)
	}
	return out, nil
}

// explainRows reads tabular EXPLAIN by column name: MariaDB and MySQL send
// different column sets (MySQL adds partitions and filtered).
func explainRows(ctx context.Context, conn *sql.Conn, stmt string) ([]TablePlan, error) {
	rows, err := conn.QueryContext(ctx, "EXPLAIN "+stmt)
	if err != nil {
		return nil, fmt.Errorf("explain: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, fmt.Errorf("explain: %w", err)
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var out []TablePlan
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("explain: %w", err)
		}
		row := make(map[string]string, len(cols))
		for i, c := range cols {
			row[strings.ToLower(c)] = vals[i].String
		}
		out = append(out, tablePlan(row))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("explain: %w", err)
	}
	return out, nil
}

func tablePlan(row map[string]string) TablePlan {
	t := TablePlan{
		ID:           row["id"],
		SelectType:   row["select_type"],
		Table:        row["table"],
		Type:         row["type"],
		PossibleKeys: row["possible_keys"],
		Key:          row["key"],
		KeyLen:       row["key_len"],
		Ref:          row["ref"],
		Extra:        row["extra"],
	}
	t.Rows, _ = strconv.ParseInt(row["rows"], 10, 64)
	t.Filtered, _ = strconv.ParseFloat(row["filtered"], 64)
	t.Filesort = strings.Contains(t.Extra, "filesort")
	t.Temporary = strings.Contains(t.Extra, "Using temporary")
	t.FullScan = t.Scan() != "no"
	return t
}

// namedRun is a TableRun with the table (alias) it belongs to.
type namedRun struct {
	table string
	run   TableRun
}

// parseExecuted extracts per-table runs from MariaDB's ANALYZE FORMAT=JSON
// or MySQL's EXPLAIN ANALYZE tree, whichever out is.
func parseExecuted(out string) []namedRun {
	var doc any
	if err := json.Unmarshal([]byte(out), &doc); err == nil {
		var runs []namedRun
		walkAnalyzeJSON(doc, &runs)
		return runs
	}
	return parseTree(out)
}

// walkAnalyzeJSON collects every "table" object of MariaDB's ANALYZE JSON,
// wherever it nests (nested_loop, filesort, subqueries), keys in sorted
// order so that the result is deterministic.
func walkAnalyzeJSON(v any, runs *[]namedRun) {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			walkAnalyzeJSON(e, runs)
		}
	case map[string]any:
		if t, ok := v["table"].(map[string]any); ok {
			// A const table is read while optimizing: it has no r_ fields.
			if name, ok := t["table_name"].(string); ok && t["r_loops"] != nil {
				r := TableRun{Rows: num(t["r_rows"]), Loops: num(t["r_loops"])}
				r.Rows *= max(r.Loops, 1)
				// MariaDB 11 splits r_total_time_ms into table and other time.
				r.TimeMS = num(t["r_total_time_ms"])
				if r.TimeMS == 0 {
					r.TimeMS = num(t["r_table_time_ms"]) + num(t["r_other_time_ms"])
				}
				*runs = append(*runs, namedRun{table: name, run: r})
			}
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			walkAnalyzeJSON(v[k], runs)
		}
	}
}

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

var (
	treeTableRE  = regexp.MustCompile(`\bon ([^\s(]+)`)
	treeActualRE = regexp.MustCompile(`\(actual time=[\d.]+\.\.([\d.]+) rows=([\d.]+) loops=([\d.]+)\)`)
)

// parseTree reads MySQL's EXPLAIN ANALYZE tree: every access line names its
// table after "on" ("Table scan on images", "Index scan on i using dt") and
// ends with "(actual time=first..last rows=R loops=L)".
func parseTree(out string) []namedRun {
	var runs []namedRun
	for _, line := range strings.Split(out, "\n") {
		t := treeTableRE.FindStringSubmatch(line)
		a := treeActualRE.FindStringSubmatch(line)
		if t == nil || a == nil {
			continue
		}
		last, _ := strconv.ParseFloat(a[1], 64)
		rows, _ := strconv.ParseFloat(a[2], 64)
		loops, _ := strconv.ParseFloat(a[3], 64)
		runs = append(runs, namedRun{table: t[1], run: TableRun{Rows: rows * loops, Loops: loops, TimeMS: last * loops}})
	}
	return runs
}

// attachRuns gives each EXPLAIN row the first unused run of the same table
// name, so that a table read twice (a self-join by alias, a subquery) pairs
// up in order.
func attachRuns(tables []TablePlan, runs []namedRun) {
	used := make([]bool, len(runs))
	for i := range tables {
		for j, r := range runs {
			if !used[j] && r.table == tables[i].Table {
				used[j] = true
				run := r.run
				tables[i].Real = &run
				break
			}
		}
	}
}

type stmtKind int

const (
	stmtRead stmtKind = iota
	stmtDML
	stmtOther
)

// classify tells reads, which are safe to execute, from DML, which may be
// executed in a rolled-back transaction, from everything else. A statement
// the parser does not understand is "other": when in doubt, do not execute.
func classify(stmt string) stmtKind {
	ast, err := parse(stmt)
	if err != nil {
		return stmtOther
	}
	switch s := ast.(type) {
	case *sqlparser.Select:
		if s.Into != nil { // SELECT … INTO OUTFILE / @var writes
			return stmtOther
		}
		return stmtRead
	case *sqlparser.Union:
		if s.Into != nil {
			return stmtOther
		}
		return stmtRead
	case *sqlparser.Insert, *sqlparser.Update, *sqlparser.Delete:
		return stmtDML
	}
	return stmtOther
}

// IndexConfig is one index experiment for Index: explain Statement
// on Node, create an index on Primary, wait for Replicas, explain again.
type IndexConfig struct {
	// Flavor is the servers' flavor. Required.
	Flavor flavor.Flavor
	// Statement is explained before and after. Required.
	Statement string
	// DDL creates one named index: CREATE INDEX name ON table (…), or ALTER
	// TABLE table ADD INDEX name (…). Required.
	DDL string
	// Keep leaves the index in place afterwards. Default false: the index
	// is dropped again, on the primary (replicas follow by replication).
	Keep bool
	// Node is where Statement is explained. Required.
	Node Conner
	// Primary runs DDL and reports the GTID position to wait for. Required.
	Primary Primary
	// Replicas are waited for, each until it has applied DDL, before the
	// second explain. Node may be one of them. Empty: nothing to wait for.
	Replicas []flavor.Queryer
	// WaitTimeout bounds each replica's wait. Zero means
	// DefaultReplicationWait.
	WaitTimeout time.Duration
	// Options apply to both explains.
	Options Options
}

// IndexResult is the outcome of Index.
type IndexResult struct {
	Before *Plan `json:"before"`
	After  *Plan `json:"after"`
	// DDL is the statement that created the index, Drop the one that drops
	// it, and Dropped whether Drop was run.
	DDL     string `json:"ddl"`
	Drop    string `json:"drop"`
	Dropped bool   `json:"dropped"`
	// Existed says that the index was there already (scalelab load
	// --indexes full makes the sample's): Before was then explained with
	// the index hidden from the optimizer (flavor.HideIndex), and the
	// index is kept as it was.
	Existed bool `json:"existed"`
}

// Index explains cfg.Statement, creates the index cfg.DDL on the
// primary, waits until every replica has it, explains again, and, unless
// cfg.Keep, drops the index again, also when the second explain failed.
// DDL that is not a single named index fails with ErrNotIndexDDL before
// anything runs. A replica that does not catch up within WaitTimeout is an
// error (the index is still dropped).
func Index(ctx context.Context, cfg IndexConfig) (res *IndexResult, err error) {
	switch {
	case cfg.Flavor == nil, cfg.Node == nil, cfg.Primary == nil, cfg.Statement == "":
		return nil, errors.New("explain: IndexConfig needs Flavor, Node, Primary and Statement")
	}
	if cfg.WaitTimeout == 0 {
		cfg.WaitTimeout = DefaultReplicationWait
	}
	table, name, err := indexOf(cfg.DDL)
	if err != nil {
		return nil, err
	}
	drop := "DROP INDEX " + name + " ON " + table
	res = &IndexResult{DDL: cfg.DDL, Drop: drop}
	if res.Before, err = RunWith(ctx, cfg.Node, cfg.Flavor, cfg.Statement, cfg.Options); err != nil {
		return nil, fmt.Errorf("before the index: %w", err)
	}
	if _, err = cfg.Primary.ExecContext(ctx, cfg.DDL); err != nil {
		var myErr *mysql.MySQLError
		if errors.As(err, &myErr) && myErr.Number == 1061 { // ER_DUP_KEYNAME
			return existing(ctx, cfg, res, table, name)
		}
		return nil, fmt.Errorf("create index on the primary: %w", err)
	}
	if !cfg.Keep {
		defer func() {
			// Drop even when ctx was canceled: the user asked not to keep it.
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			defer cancel()
			if _, derr := cfg.Primary.ExecContext(dctx, drop); derr != nil {
				err = errors.Join(err, fmt.Errorf("drop the index again (%s): %w", drop, derr))
				return
			}
			res.Dropped = true
		}()
	}
	if err = flavor.WaitCaughtUp(ctx, cfg.Flavor, cfg.Primary, cfg.Replicas, nil, cfg.WaitTimeout); err != nil {
		return res, err
	}
	if res.After, err = RunWith(ctx, cfg.Node, cfg.Flavor, cfg.Statement, cfg.Options); err != nil {
		return res, fmt.Errorf("after the index: %w", err)
	}
	return res, nil
}

// existing measures an index that was there before Index ran: the plan
// before is taken again with the index hidden from the optimizer, and the
// plan after with it in use again. Nothing is dropped; the index is left
// as it was, in use, also when a step fails.
func existing(ctx context.Context, cfg IndexConfig, res *IndexResult, table, name string) (_ *IndexResult, err error) {
	res.Existed = true
	hide, show := cfg.Flavor.HideIndex(table, name, true), cfg.Flavor.HideIndex(table, name, false)
	if _, err := cfg.Primary.ExecContext(ctx, hide); err != nil {
		return nil, fmt.Errorf("the index %s exists already, and hiding it to measure the plan without it failed (%s): %w", name, hide, err)
	}
	shown := false
	defer func() {
		if shown {
			return
		}
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if _, uerr := cfg.Primary.ExecContext(dctx, show); uerr != nil {
			err = errors.Join(err, fmt.Errorf("use the index %s again (%s): %w", name, show, uerr))
		}
	}()
	if err := flavor.WaitCaughtUp(ctx, cfg.Flavor, cfg.Primary, cfg.Replicas, nil, cfg.WaitTimeout); err != nil {
		return res, err
	}
	if res.Before, err = RunWith(ctx, cfg.Node, cfg.Flavor, cfg.Statement, cfg.Options); err != nil {
		return res, fmt.Errorf("with the index hidden: %w", err)
	}
	if _, err := cfg.Primary.ExecContext(ctx, show); err != nil {
		return res, fmt.Errorf("use the index %s again (%s): %w", name, show, err)
	}
	shown = true
	if err := flavor.WaitCaughtUp(ctx, cfg.Flavor, cfg.Primary, cfg.Replicas, nil, cfg.WaitTimeout); err != nil {
		return res, err
	}
	if res.After, err = RunWith(ctx, cfg.Node, cfg.Flavor, cfg.Statement, cfg.Options); err != nil {
		return res, fmt.Errorf("after the index: %w", err)
	}
	return res, nil
}

// DropIndexSQL returns the DROP INDEX statement that undoes ddl, a CREATE
// INDEX or ALTER TABLE … ADD INDEX of exactly one named index, or an error
// wrapping ErrNotIndexDDL.
func DropIndexSQL(ddl string) (string, error) {
	table, name, err := indexOf(ddl)
	if err != nil {
		return "", err
	}
	return "DROP INDEX " + name + " ON " + table, nil
}

// indexOf returns the table and the name, quoted, of the one named index
// ddl creates, or an error wrapping ErrNotIndexDDL.
func indexOf(ddl string) (table, name string, err error) {
	bad := fmt.Errorf("%w: %s: want CREATE INDEX name ON table (columns)", ErrNotIndexDDL, abbreviate(ddl))
	ast, err := parse(ddl)
	if err != nil {
		return "", "", fmt.Errorf("%w (%v)", bad, err)
	}
	alter, ok := ast.(*sqlparser.AlterTable)
	if !ok || len(alter.AlterOptions) != 1 {
		return "", "", bad
	}
	add, ok := alter.AlterOptions[0].(*sqlparser.AddIndexDefinition)
	if !ok || add.IndexDefinition.Info.Name.IsEmpty() || add.IndexDefinition.Info.Type == sqlparser.IndexTypePrimary {
		return "", "", bad
	}
	return sqlparser.String(alter.Table), sqlparser.String(add.IndexDefinition.Info.Name), nil
}

// drain reads every row of every result set and counts them.
func drain(rows *sql.Rows) (int64, error) {
	defer rows.Close()
	var n int64
	for {
		for rows.Next() {
			n++
		}
		if !rows.NextResultSet() {
			break
		}
	}
	return n, rows.Err()
}

func rawJSON(s string) json.RawMessage {
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(s)
	return b
}

func abbreviate(stmt string) string {
	s := strings.Join(strings.Fields(stmt), " ")
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return strconv.Quote(s)
}

// Change is one cell of a comparison: the value in plan A, in plan B, and
// whether they differ.
type Change struct {
	A       string `json:"a"`
	B       string `json:"b"`
	Changed bool   `json:"changed"`
}

func change(a, b string) Change { return Change{A: a, B: b, Changed: a != b} }

// String is "A → B" when the values differ and A otherwise.
func (c Change) String() string {
	if c.Changed {
		return c.A + " → " + c.B
	}
	return c.A
}

// TableChange compares one table's access between two plans. A table only
// one plan reads shows "-" on the other side.
type TableChange struct {
	Table     string `json:"table"`
	Type      Change `json:"type"`
	Key       Change `json:"key"`
	Rows      Change `json:"rows"`
	RealRows  Change `json:"real_rows"`
	Filesort  Change `json:"filesort"`
	Temporary Change `json:"temporary"`
	// FullScan is "table", "index" or "no" (see TablePlan.Scan).
	FullScan Change `json:"full_scan"`
}

// Comparison is two plans side by side.
type Comparison struct {
	LabelA string        `json:"label_a,omitempty"`
	LabelB string        `json:"label_b,omitempty"`
	Tables []TableChange `json:"tables"`
	// RowsExamined compares Plan.RowsExamined; "-" for a plan not analyzed.
	RowsExamined Change `json:"rows_examined"`
	// Factor is A's rows examined divided by B's (B's counted as at least
	// 1), so 600 means B reads 600 times fewer rows; 0 when either plan was
	// not analyzed.
	Factor float64 `json:"factor,omitempty"`
}

// Compare pairs the tables of a and b by name, in order of appearance
// (the first images of a with the first images of b, and so on), and
// compares access type, key, estimated and real rows, filesort, temporary
// tables and full scans. Tables only b reads come last.
func Compare(a, b *Plan) *Comparison {
	c := &Comparison{Tables: []TableChange{}}
	used := make([]bool, len(b.Tables))
	for _, ta := range a.Tables {
		tb := (*TablePlan)(nil)
		for j := range b.Tables {
			if !used[j] && b.Tables[j].Table == ta.Table {
				used[j] = true
				tb = &b.Tables[j]
				break
			}
		}
		c.Tables = append(c.Tables, compareTable(&ta, tb))
	}
	for j := range b.Tables {
		if !used[j] {
			c.Tables = append(c.Tables, compareTable(nil, &b.Tables[j]))
		}
	}
	c.RowsExamined = change(examined(a), examined(b))
	if a.Analyzed && b.Analyzed {
		c.Factor = float64(a.RowsExamined) / float64(max(b.RowsExamined, 1))
	}
	return c
}

func examined(p *Plan) string {
	if !p.Analyzed {
		return "-"
	}
	return strconv.FormatInt(p.RowsExamined, 10)
}

func compareTable(a, b *TablePlan) TableChange {
	va, vb := tableCells(a), tableCells(b)
	name := ""
	if a != nil {
		name = a.Table
	} else {
		name = b.Table
	}
	return TableChange{
		Table:     name,
		Type:      change(va[0], vb[0]),
		Key:       change(va[1], vb[1]),
		Rows:      change(va[2], vb[2]),
		RealRows:  change(va[3], vb[3]),
		Filesort:  change(va[4], vb[4]),
		Temporary: change(va[5], vb[5]),
		FullScan:  change(va[6], vb[6]),
	}
}

// tableCells renders the compared fields of t; all "-" for a missing table.
func tableCells(t *TablePlan) [7]string {
	if t == nil {
		return [7]string{"-", "-", "-", "-", "-", "-", "-"}
	}
	real := "-"
	if t.Real != nil {
		real = formatRows(t.Real.Rows)
	}
	return [7]string{orDash(t.Type), orDash(t.Key), strconv.FormatInt(t.Rows, 10), real, yesNo(t.Filesort), yesNo(t.Temporary), t.Scan()}
}

func formatRows(f float64) string {
	if f == math.Trunc(f) {
		return strconv.FormatFloat(f, 'f', 0, 64)
	}
	return strconv.FormatFloat(f, 'f', 1, 64)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// flagScan marks a full scan with ⚠ so that it stands out in a table.
func flagScan(s string) string {
	if s == "table" || s == "index" {
		return "⚠ " + s
	}
	return s
}

// WritePlan prints p as tables: EXPLAIN's rows, then, when p was analyzed,
// the executed plan per table and the rows examined.
func WritePlan(w io.Writer, p *Plan) error {
	fmt.Fprintf(w, "EXPLAIN %s\n", p.Statement)
	var rows [][]string
	for _, r := range p.Tables {
		filtered := "-"
		if r.Filtered != 0 {
			filtered = strconv.FormatFloat(r.Filtered, 'f', 2, 64)
		}
		rows = append(rows, []string{r.ID, r.SelectType, orDash(r.Table), orDash(r.Type), orDash(r.PossibleKeys), orDash(r.Key),
			orDash(r.KeyLen), orDash(r.Ref), strconv.FormatInt(r.Rows, 10), filtered, r.Extra})
	}
	if err := table.Write(w, []string{"id", "select_type", "table", "type", "possible_keys", "key", "key_len", "ref", "rows", "filtered", "extra"}, rows); err != nil {
		return err
	}
	if !p.Analyzed {
		fmt.Fprintln(w, "not executed: no real rows")
		return nil
	}
	fmt.Fprintln(w, "executed:")
	rows = rows[:0]
	for _, r := range p.Tables {
		real, loops, ms := "-", "-", "-"
		if r.Real != nil {
			real, loops = formatRows(r.Real.Rows), formatRows(r.Real.Loops)
			ms = strconv.FormatFloat(r.Real.TimeMS, 'f', 3, 64)
		}
		rows = append(rows, []string{orDash(r.Table), orDash(r.Type), orDash(r.Key), strconv.FormatInt(r.Rows, 10), real, loops, ms,
			yesNo(r.Filesort), yesNo(r.Temporary), flagScan(r.Scan())})
	}
	if err := table.Write(w, []string{"table", "type", "key", "est rows", "real rows", "loops", "time ms", "filesort", "temporary", "full scan"}, rows); err != nil {
		return err
	}
	fmt.Fprintf(w, "rows examined: %d (%s), rows sent: %d, took %v\n",
		p.RowsExamined, handlerSummary(p.HandlerReads), p.RowsSent, p.Elapsed.D().Round(time.Microsecond))
	return nil
}

func handlerSummary(m map[string]int64) string {
	if len(m) == 0 {
		return "no Handler_read"
	}
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s %d", n, m[n])
	}
	return strings.Join(parts, ", ")
}

// WriteComparison prints a and b side by side: one row per table, where a
// changed cell reads "A → B" and a full scan is flagged with ⚠, then the
// rows examined by each.
func WriteComparison(w io.Writer, a, b *Plan, labelA, labelB string) error {
	c := Compare(a, b)
	c.LabelA, c.LabelB = labelA, labelB
	return c.Write(w, a, b)
}

// Write prints c; a and b are the compared plans, for their statements.
func (c *Comparison) Write(w io.Writer, a, b *Plan) error {
	fmt.Fprintf(w, "A  %s: %s\n", orDash(c.LabelA), a.Statement)
	fmt.Fprintf(w, "B  %s: %s\n", orDash(c.LabelB), b.Statement)
	var rows [][]string
	for _, r := range c.Tables {
		scan := r.FullScan
		scan.A, scan.B = flagScan(scan.A), flagScan(scan.B)
		rows = append(rows, []string{r.Table, r.Type.String(), r.Key.String(), r.Rows.String(), r.RealRows.String(),
			r.Filesort.String(), r.Temporary.String(), scan.String()})
	}
	if err := table.Write(w, []string{"table", "type", "key", "est rows", "real rows", "filesort", "temporary", "full scan"}, rows); err != nil {
		return err
	}
	fmt.Fprintf(w, "rows examined (Handler_read_*): %s", c.RowsExamined)
	switch {
	case c.Factor == 0:
	case c.Factor == 1:
		fmt.Fprint(w, " (the same)")
	case c.Factor > 1:
		fmt.Fprintf(w, " (%s× fewer in B)", strconv.FormatFloat(c.Factor, 'f', 1, 64))
	default:
		fmt.Fprintf(w, " (%s× more in B)", strconv.FormatFloat(1/c.Factor, 'f', 1, 64))
	}
	fmt.Fprintln(w)
	return nil
}
