package schema

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/topology"
	"github.com/scalelab/scalelab/vschema"
)

// Load methods accepted by LoadConfig.Method.
const (
	// MethodInsert sends multi-row INSERT statements of BatchRows rows.
	MethodInsert = "insert"
	// MethodInfile streams rows as tab-separated text through LOAD DATA
	// LOCAL INFILE, one statement per worker and table.
	MethodInfile = "infile"
)

// Defaults for the zero fields of LoadConfig.
const (
	// DefaultMethod is MethodInfile: loading 1M likes into a 4-shard
	// MariaDB 10.11 sandbox on 2 cores, it ran at 163k-176k rows/s against
	// MethodInsert's 88k-107k, 1.6 to 1.85 times as fast (measured with
	// scripts/bench-load.sh), since the server parses no SQL per row.
	DefaultMethod = MethodInfile
	// DefaultIndexSet is the index set created after the rows are loaded.
	DefaultIndexSet = IndexSetFull
	// DefaultBatchRows is how many rows one INSERT carries, and how many
	// rows go down a LOAD DATA stream at a time.
	DefaultBatchRows = 1000
	// DefaultWorkers is how many connections load into each shard at once.
	DefaultWorkers = 2
)

// maxBatchRows keeps one INSERT of the widest table well under the
// servers' default max_allowed_packet of 16 MiB (MariaDB) and 64 MiB (MySQL).
const maxBatchRows = 20_000

// maxWorkers bounds the connections a load opens to one shard.
const maxWorkers = 64

// chunkRows is how many consecutive ids a generating goroutine takes at a
// time: large enough to amortize the shared counter, small enough to keep
// every goroutine busy until the end of a table.
const chunkRows = 4096

var (
	// ErrInterrupted is returned (wrapped, together with the context's
	// error) by Load when its context is cancelled before the load ends.
	ErrInterrupted = errors.New("schema: load interrupted")
	// ErrAlreadyLoaded is returned (wrapped) by Load when a row's id is
	// already in its table: the tables hold an earlier load.
	ErrAlreadyLoaded = errors.New("schema: rows already loaded")
)

// Methods returns the load method names: insert, infile.
func Methods() []string { return []string{MethodInsert, MethodInfile} }

// LoadConfig says what Load loads and where.
type LoadConfig struct {
	// Topology is where to load: every shard's primary, as the application
	// user, into the topology's database. Its tables section says how each
	// table is sharded; a table it does not list is unsharded and goes to
	// the first shard, as the router expects.
	// Required.
	Topology *topology.Topology
	// Generator is the data set; its zero fields mean the generator's
	// defaults (DefaultUsers, DefaultImages, DefaultLikes, ...).
	Generator Config
	// IndexSet names the secondary indexes created after the rows are in
	// (faster than maintaining them row by row): none, fk or full. Indexes
	// of the set that a table already has are left alone. Empty means
	// DefaultIndexSet.
	IndexSet string
	// Drop drops the tables before creating them, so that the load starts
	// from empty tables. Without it, tables that exist are kept, and a row
	// that is already there fails the load with ErrAlreadyLoaded.
	Drop bool
	// Method is MethodInsert or MethodInfile. Empty means DefaultMethod.
	Method string
	// BatchRows is the number of rows per INSERT statement (MethodInsert)
	// or per write to a LOAD DATA stream (MethodInfile). Zero means
	// DefaultBatchRows; at most 20000.
	BatchRows int
	// Workers is the number of connections that load into each shard at
	// once. Zero means DefaultWorkers; at most 64.
	Workers int
	// Progress, if not nil, is called with a table's rows loaded so far and
	// its total: once with done 0 when the table starts, then as batches
	// are sent, and once with done == total when every shard has committed
	// the table. Calls are serialized and done never decreases, but
	// Progress runs on a loading goroutine, so it must return quickly.
	Progress func(table string, done, total uint64)
}

// LoadResult reports what Load loaded.
type LoadResult struct {
	// Method and IndexSet are the ones used, with defaults filled in.
	Method   string
	IndexSet string
	// Shards are the topology's shard names, in file order.
	Shards []string
	// Tables has one entry per table, in the order of Tables().
	Tables []TableLoad
	// LoadTime is the time spent loading rows; IndexTime the time spent
	// creating the index set afterwards; Elapsed the whole Load, with
	// connecting and DDL.
	LoadTime  time.Duration
	IndexTime time.Duration
	Elapsed   time.Duration
}

// TableLoad is one table's part of a LoadResult.
type TableLoad struct {
	Table string
	// Rows[i] is the number of rows the server reported loaded into shard
	// Shards[i] of the LoadResult.
	Rows    []uint64
	Elapsed time.Duration
	// Absent, when set, marks the shards that do not hold the table: those
	// of other keyspaces.
	Absent []bool
}

// on reports whether shard i holds the table.
func (t TableLoad) on(i int) bool { return i >= len(t.Absent) || !t.Absent[i] }

// Total returns the table's rows over all shards.
func (t TableLoad) Total() uint64 {
	var n uint64
	for _, r := range t.Rows {
		n += r
	}
	return n
}

// RowsPerSecond returns the table's rows divided by its load time.
func (t TableLoad) RowsPerSecond() float64 { return perSecond(t.Total(), t.Elapsed) }

// Rows returns the rows loaded over all tables and shards.
func (r *LoadResult) Rows() uint64 {
	var n uint64
	for _, t := range r.Tables {
		n += t.Total()
	}
	return n
}

// RowsPerSecond returns Rows divided by LoadTime: the loading rate, without
// DDL and index creation.
func (r *LoadResult) RowsPerSecond() float64 { return perSecond(r.Rows(), r.LoadTime) }

func perSecond(n uint64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// loader is one run of Load: the validated config and the open pools.
type loader struct {
	cfg     LoadConfig
	gen     *Generator
	indexes []Index
	flavor  flavor.Flavor
	shards  []string
	dbs     []*sql.DB
	routes  map[string]route

	progressMu  sync.Mutex
	done, total uint64 // the current table's progress
}

// Load creates the sample tables on every shard of cfg.Topology, loads the
// rows of cfg.Generator into them, each row on the shard its shard key maps
// to, and then creates the secondary indexes of cfg.IndexSet. Shards load
// in parallel, with cfg.Workers connections each; tables load one after
// another, in the order of Tables().
//
// Errors name the shard and table. A duplicate id wraps ErrAlreadyLoaded:
// load with Drop to start over. If ctx is cancelled, Load stops its
// statements and returns an error wrapping ErrInterrupted and ctx's error;
// the tables then hold part of the data. A bad cfg returns an error
// wrapping ErrInvalidConfig before any I/O.
func Load(ctx context.Context, cfg LoadConfig) (*LoadResult, error) {
	started := time.Now()
	l, err := newLoader(cfg)
	if err != nil {
		return nil, err
	}
	defer l.close()
	res, err := l.run(ctx)
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%w: %w: the tables may hold part of the data; run scalelab load --drop to start over",
			ErrInterrupted, context.Cause(ctx))
	}
	if err != nil {
		return nil, err
	}
	res.Elapsed = time.Since(started)
	return res, nil
}

func newLoader(cfg LoadConfig) (*loader, error) {
	if cfg.Topology == nil {
		return nil, fmt.Errorf("%w: Topology is nil: load a topology file with topology.Load", ErrInvalidConfig)
	}
	if cfg.IndexSet == "" {
		cfg.IndexSet = DefaultIndexSet
	}
	indexes, err := IndexSet(cfg.IndexSet)
	if err != nil {
		return nil, fmt.Errorf("%w: IndexSet: %w", ErrInvalidConfig, err)
	}
	switch cfg.Method {
	case "":
		cfg.Method = DefaultMethod
	case MethodInsert, MethodInfile:
	default:
		return nil, fmt.Errorf("%w: Method %q: want %s", ErrInvalidConfig, cfg.Method, strings.Join(Methods(), " or "))
	}
	for _, f := range []struct {
		name     string
		n        *int
		def, max int
	}{
		{"BatchRows", &cfg.BatchRows, DefaultBatchRows, maxBatchRows},
		{"Workers", &cfg.Workers, DefaultWorkers, maxWorkers},
	} {
		switch {
		case *f.n == 0:
			*f.n = f.def
		case *f.n < 0 || *f.n > f.max:
			return nil, fmt.Errorf("%w: %s is %d: want 1 to %d, or 0 for the default %d", ErrInvalidConfig, f.name, *f.n, f.max, f.def)
		}
	}
	gen, err := NewGenerator(cfg.Generator)
	if err != nil {
		return nil, err
	}
	f, err := flavor.Lookup(cfg.Topology.Flavor)
	if err != nil {
		return nil, fmt.Errorf("%w: topology %s: %w", ErrInvalidConfig, cfg.Topology.Name, err)
	}
	l := &loader{
		cfg:     cfg,
		gen:     gen,
		indexes: indexes,
		flavor:  f,
		shards:  cfg.Topology.ShardNames(),
	}
	l.routes, err = routes(cfg.Topology)
	if err != nil {
		return nil, err
	}
	return l, nil
}

func (l *loader) close() {
	for _, db := range l.dbs {
		db.Close()
	}
}

func (l *loader) run(ctx context.Context) (*LoadResult, error) {
	var err error
	// A worker holds one connection; checking a table's result, one more.
	l.dbs, err = openPrimaries(ctx, l.cfg.Topology, l.cfg.Workers+1)
	if err != nil {
		return nil, err
	}
	if err := l.createTables(ctx); err != nil {
		return nil, err
	}
	// A load into tables that hold rows would fail on the first duplicate
	// id, after other workers had written rows of their own: find out
	// before writing anything.
	if err := l.checkEmpty(ctx); err != nil {
		return nil, err
	}
	res := &LoadResult{Method: l.cfg.Method, IndexSet: l.cfg.IndexSet, Shards: l.shards}
	loadStart := time.Now()
	for _, table := range Tables() {
		start := time.Now()
		rows, err := l.loadTable(ctx, table)
		if err != nil {
			return nil, err
		}
		tl := TableLoad{Table: table, Rows: rows, Elapsed: time.Since(start)}
		if len(l.routes[table].on) < len(l.shards) {
			tl.Absent = make([]bool, len(l.shards))
			for i := range tl.Absent {
				tl.Absent[i] = !l.routes[table].on[i]
			}
		}
		res.Tables = append(res.Tables, tl)
	}
	res.LoadTime = time.Since(loadStart)
	indexStart := time.Now()
	if err := l.createIndexes(ctx); err != nil {
		return nil, err
	}
	res.IndexTime = time.Since(indexStart)
	return res, nil
}

// openPrimaries opens a pool to every shard's primary as the application
// user, and checks that each one answers. The pools are in shard order.
func openPrimaries(ctx context.Context, t *topology.Topology, maxConns int) ([]*sql.DB, error) {
	dbs := make([]*sql.DB, 0, len(t.Shards))
	fail := func(err error) ([]*sql.DB, error) {
		for _, db := range dbs {
			db.Close()
		}
		return nil, err
	}
	for _, s := range t.Shards {
		// Arguments are interpolated: one round trip per INSERT, instead
		// of a prepare, an execute and a close; every value is a number,
		// ASCII text or a time.
		db, err := t.OpenDB(s.Primary.HostPort, t.User, maxConns)
		if err != nil {
			return fail(fmt.Errorf("shard %s primary: %w", s.Name, err))
		}
		dbs = append(dbs, db)
		if err := db.PingContext(ctx); err != nil {
			return fail(fmt.Errorf("connect to shard %s primary %s as %s: %w", s.Name, s.Primary, t.User.Name, err))
		}
	}
	return dbs, nil
}

// eachShard runs fn for every shard at once and returns the first error.
func (l *loader) eachShard(ctx context.Context, fn func(ctx context.Context, i int) error) error {
	return eachShard(ctx, len(l.shards), fn)
}

func eachShard(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := fn(ctx, i); err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

// createTables drops the tables first if asked to, and creates the ones
// that are missing. Keeping existing tables is what makes a second load
// without Drop fail on the first duplicate id, which names the table.
func (l *loader) createTables(ctx context.Context) error {
	var stmts []string
	if l.cfg.Drop {
		stmts = DropTables()
	}
	return l.eachShard(ctx, func(ctx context.Context, i int) error {
		stmts := slices.Clone(stmts) // each shard its own
		for _, t := range tables {
			if l.routes[t.name].on[i] { // in its keyspace only
				stmts = append(stmts, "CREATE TABLE IF NOT EXISTS"+strings.TrimPrefix(t.createSQL(l.flavor), "CREATE TABLE"))
			}
		}
		for _, q := range stmts {
			if _, err := l.dbs[i].ExecContext(ctx, q); err != nil {
				return fmt.Errorf("create tables on shard %s: %s: %w", l.shards[i], firstLine(q), err)
			}
		}
		return nil
	})
}

// checkEmpty returns an error wrapping ErrAlreadyLoaded, naming the shard
// and table, when any sample table holds a row.
func (l *loader) checkEmpty(ctx context.Context) error {
	return l.eachShard(ctx, func(ctx context.Context, i int) error {
		for _, t := range Tables() {
			if !l.routes[t].on[i] {
				continue
			}
			var one int
			err := l.dbs[i].QueryRowContext(ctx, "SELECT 1 FROM `"+t+"` LIMIT 1").Scan(&one)
			switch {
			case err == nil:
				return fmt.Errorf("%w: table %s on shard %s holds rows of an earlier load; nothing was written: run scalelab load --drop to replace them",
					ErrAlreadyLoaded, t, l.shards[i])
			case !errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("check table %s on shard %s: %w", t, l.shards[i], err)
			}
		}
		return nil
	})
}

// createIndexes adds the indexes of the set that each shard's tables lack.
func (l *loader) createIndexes(ctx context.Context) error {
	if len(l.indexes) == 0 {
		return nil
	}
	return l.eachShard(ctx, func(ctx context.Context, i int) error {
		have, err := existingIndexes(ctx, l.dbs[i])
		if err != nil {
			return fmt.Errorf("list indexes on shard %s: %w", l.shards[i], err)
		}
		for _, ix := range l.indexes {
			if have[ix.Table+"."+ix.Name] || !l.routes[ix.Table].on[i] {
				continue
			}
			if _, err := l.dbs[i].ExecContext(ctx, ix.CreateSQL()); err != nil {
				return fmt.Errorf("create index %s on shard %s: %w", ix, l.shards[i], err)
			}
		}
		return nil
	})
}

// existingIndexes returns the set of "table.index" names in the current
// database.
func existingIndexes(ctx context.Context, db *sql.DB) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx,
		"SELECT DISTINCT TABLE_NAME, INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var table, index string
		if err := rows.Scan(&table, &index); err != nil {
			return nil, err
		}
		have[table+"."+index] = true
	}
	return have, rows.Err()
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// route says where a table's rows go.
type route struct {
	vs      *vschema.Schema
	tb      vschema.Table
	sharded bool // false: every row goes to shard home
	home    int
	col     int // the shard key's position in the row's Values
	// on holds the shards of the table's keyspace: where it is created.
	on map[int]bool
}

// shard returns the index of the shard that owns a row with values vals.
func (r route) shard(vals []any) (int, error) {
	if !r.sharded {
		return r.home, nil
	}
	return r.vs.ShardOf(r.tb, vals[r.col])
}

// routes builds every sample table's route from the routing schema of t,
// the one the router uses, so that every row is where the router looks.
func routes(t *topology.Topology) (map[string]route, error) {
	vs, err := vschema.New(t)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	out := make(map[string]route, len(tables))
	for _, tb := range tables {
		r := route{vs: vs, home: vs.Home(tb.name), on: map[int]bool{}}
		for _, i := range vs.KeyspaceShards(tb.name) {
			r.on[i] = true
		}
		r.tb, r.sharded = vs.Table(tb.name)
		if !r.sharded || len(r.on) < 2 {
			r.sharded = false
			out[tb.name] = r
			continue
		}
		r.col = -1
		for i, c := range tb.columns {
			if c.name == r.tb.Column {
				r.col = i
			}
		}
		if r.col < 0 {
			return nil, fmt.Errorf("%w: topology %s: table %s: no column %q to shard by: use one of %s",
				ErrInvalidConfig, t.Name, tb.name, r.tb.Column, strings.Join(tb.columnNames(), ", "))
		}
		out[tb.name] = r
	}
	return out, nil
}

// translate turns a duplicate-key error into ErrAlreadyLoaded.
func translate(err error) error {
	var me *mysql.MySQLError
	if errors.As(err, &me) && me.Number == erDupEntry {
		return alreadyLoaded(err)
	}
	return err
}

func alreadyLoaded(err error) error {
	return fmt.Errorf("%w (%w): the table holds an earlier load; run scalelab load --drop to empty it first", ErrAlreadyLoaded, err)
}

// erDupEntry is the server's ER_DUP_ENTRY, the same on MariaDB and MySQL.
const erDupEntry = 1062
