package router

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/jmoiron/sqlx/reflectx"
	"github.com/scalelab/scalelab/internal/units"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/shard"
	"github.com/scalelab/scalelab/topology"
	"vitess.io/vitess/go/vt/sqlparser"
)

var (
	// ErrPrimaryDown is returned (wrapped, naming the shard and node) for
	// a statement that must run on a primary that is down: a write, a
	// locking or strong read, or a read no replica can serve. It fails at
	// once; the primary is probed and used again when it answers.
	ErrPrimaryDown = errors.New("router: the shard's primary is down; writes and reads that need it fail until it answers again")
	// ErrPrimaryReplaced fails a write that a shard's primary
	// acknowledged after a failover had replaced it (a primary that hung
	// while a COMMIT ran, and woke up), or that the failover ended while
	// it waited there: the new primary may not have it, and what it holds
	// is the shard's (see replacedWrite).
	ErrPrimaryReplaced = errors.New("router: a failover replaced the shard's primary while the write ran on it; the new one may not have it: its outcome is unknown, check before you run it again")
	// ErrMultiShardWrite refuses an UPDATE or DELETE without the shard key,
	// which would touch every shard, unless the caller allows it.
	ErrMultiShardWrite = errors.New("router: write without the shard key would touch every shard")
	// ErrCrossShardTx refuses a transaction's write on a second shard:
	// scalelab does not do distributed transactions. The statement is
	// refused before it runs, and the transaction goes on, as after a
	// statement a server refuses: its ROLLBACK undoes what it wrote, its
	// COMMIT commits it. (A reshard during the transaction rolls it back:
	// ErrTxResharded.)
	ErrCrossShardTx = errors.New("router: transaction writes to a second shard; the statement was refused and the transaction goes on (scalelab writes a transaction on one shard only)")
	// ErrTxResharded ends a transaction whose shards were resharded since
	// it began: it was rolled back, and may be run again.
	ErrTxResharded = errors.New("router: the shards were resharded during the transaction; it was rolled back: run it again")
	// ErrTxLost ends a transaction whose connection to a shard's primary
	// failed (the server crashed, was killed or cut off): the server
	// rolled its branch back, and the router rolls back the others. The
	// session is out of the transaction, as after a deadlock: a COMMIT
	// that follows commits nothing.
	ErrTxLost = errors.New("router: the transaction's connection to a shard's primary failed, and the server rolled the transaction back there; it was rolled back on every shard: run it again from BEGIN")
	// ErrOutcomeUnknown fails a write or a COMMIT whose connection to the
	// primary failed after it was sent: the server may have applied it
	// before it failed, or not.
	ErrOutcomeUnknown = errors.New("router: the connection to the shard's primary failed while the write or COMMIT ran: whether it was applied is unknown; check before you run it again")
	// ErrPartialWrite fails a write over several shards that some shards
	// committed and one failed to (scalelab has no two-phase commit): it
	// is written in part, and must not simply run again.
	ErrPartialWrite = errors.New("router: the write over several shards was applied in part: check which rows it wrote before you run it again")
)

type multiShardWritesKey struct{}

// AllowMultiShardWrites lets UPDATE and DELETE without the shard key run on
// every shard for calls made with the returned context.
func AllowMultiShardWrites(ctx context.Context) context.Context {
	return context.WithValue(ctx, multiShardWritesKey{}, true)
}

func multiShardWritesAllowed(ctx context.Context, def bool) bool {
	v, _ := ctx.Value(multiShardWritesKey{}).(bool)
	return v || def
}

// opKind is which database/sql call a statement came through.
type opKind int

const (
	opExec opKind = iota
	opQuery
	opGet
	opSelect
	// opRelay hands the node a read goes to to op.relay, which runs the
	// statement there itself (see Session.Relay).
	opRelay
)

// op is one call: its statement, arguments and results.
type op struct {
	kind  opKind
	query string
	// st is the statement's classification, made once where it entered
	// the router (see classified).
	st   *Statement
	args []any
	dest any
	// destLen is 1 + the length of the slice dest points to before the
	// first try (0 before it): a retry on another node scans into dest
	// from there, not after the rows the failed try appended.
	destLen int
	res     sql.Result
	rows    *sql.Rows
	relay   func(ctx context.Context, node *replica.Node) error
	// call, for a relayed statement, is fn's function, made once a
	// session (it reads only the op, which the session reuses): fn would
	// make a closure a statement.
	call func(ctx context.Context, q queryer) error
	// found is how a write's affected rows are counted: for a session of
	// CLIENT_FOUND_ROWS, the rows it matched (see foundRows).
	found foundRows
	// diag is the session's answer to a statement that reads its list
	// of conditions (see Result.Diagnostics), for a caller that takes
	// it (takesDiag: Run's; the database/sql methods' callers cannot).
	diag      *DiagnosticsAnswer
	takesDiag bool
	// readOn is the connection a read's rows came from, or a write ran
	// on, when the session holds it (its own, or its transaction's, or
	// lent): once the rows are read, the answer's warnings are read off
	// it (RowsDone), and a CALL's LAST_INSERT_ID() (callEnded).
	readOn *sqlx.Conn
	// lent, for Run's read over a node's pool (takesDiag), is the pool's
	// connection its rows came from, which the read took for itself so
	// that the end of its answer can be read there (RowsDone): it goes
	// back to the pool then. readOn is its connection.
	lent *lentConn
	// answer, for Run's read whose rows were read to their end before
	// the statement returned them (rowsRead: a write's RETURNING rows
	// under read-your-writes, whose connection then reads the GTID), is
	// the end of its answer, read there first.
	answer *endOfAnswer
	// planned, when set, is the statement's plan that Relay made to
	// decide, which run takes instead of planning again while the
	// routing schema and topology are still those it was made over.
	planned planned
}

// planned is a plan with what it was made over.
type planned struct {
	p       *plan
	version uint64
	topo    *topology.Topology
}

// planFor plans st with o's arguments, and keeps the plan in o for run.
func (r *Router) planFor(o *op, st *Statement) (*plan, error) {
	v, topo := r.vs.version.Load(), r.topo.Load()
	p, err := r.planStatement(st, o.args)
	if err == nil && v%2 == 0 {
		o.planned = planned{p: p, version: v, topo: topo}
	}
	return p, err
}

// take returns the plan kept in o if the routing schema and topology are
// still those it was made over, and forgets it: a retry plans anew.
func (r *Router) take(o *op) *plan {
	k := o.planned
	o.planned = planned{}
	if k.p == nil || r.vs.version.Load() != k.version || r.topo.Load() != k.topo {
		return nil
	}
	return k.p
}

// statements gives a type the database/sql and sqlx statement methods,
// all through one function that runs an op.
type statements struct {
	do func(ctx context.Context, o *op) error
}

// okResult is the result of statements that change nothing, such as those
// a session handles itself.
type okResult struct{}

func (okResult) LastInsertId() (int64, error) { return 0, nil }
func (okResult) RowsAffected() (int64, error) { return 0, nil }

// ExecContext runs a statement that returns no rows.
func (x statements) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	o := &op{kind: opExec, query: query, args: args}
	err := x.do(ctx, o)
	if o.res == nil {
		o.res = okResult{}
	}
	return o.res, err
}

// QueryContext runs a statement that returns rows; the caller closes them.
// A scatter query's rows are merged by the router as they stream in.
func (x statements) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	o := &op{kind: opQuery, query: query, args: args}
	err := x.do(ctx, o)
	return o.rows, err
}

// GetContext scans one row into dest, as sqlx.GetContext does.
func (x statements) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	return x.do(ctx, &op{kind: opGet, query: query, args: args, dest: dest})
}

// SelectContext scans all rows into dest, as sqlx.SelectContext does.
func (x statements) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	return x.do(ctx, &op{kind: opSelect, query: query, args: args, dest: dest})
}

// env is who is calling: the router's pools, or a session with its own
// GTID position and connections.
type env struct {
	g  *gtids
	on via
	// branch is set for a part of a write over several shards, which
	// runs in a transaction of its own (execAcross): cut off, it was not
	// committed, and its outcome is known.
	branch bool
	// lost, when set, is told that the connection on gave for node
	// failed: a session drops its pinned connection to a replica then,
	// and gets a new one, with its state, at its next statement there.
	// It returns the error the statement fails with instead of the
	// connection's, if any (the session's state was lost with it).
	lost func(node *replica.Node) error
	// mode is the caller's consistency mode.
	mode Consistency
	// shard, when set, runs fn on shard i instead of routing it there
	// (a transaction runs it on its own connection to the primary).
	shard func(ctx context.Context, i int, st *Statement, fn func(context.Context, queryer) error) error
}

// onShard runs fn on shard i of plan p for the caller e.
func (r *Router) onShard(ctx context.Context, e *env, p *plan, i int, st *Statement, fn func(context.Context, queryer) error) error {
	if e.shard != nil {
		return e.shard(ctx, i, st, fn)
	}
	return r.runOn(ctx, call{set: p.sets[i], st: st, e: e, fn: fn})
}

// fn runs o unchanged on one queryer.
func (o *op) fn(query string, args []any) func(context.Context, queryer) error {
	if o.call != nil {
		return o.call
	}
	return func(ctx context.Context, q queryer) (err error) {
		switch o.kind {
		case opExec:
			o.res, err = execAnswered(ctx, q, query, args, o.found)
			o.readOn = heldConn(q)
		case opQuery:
			if o.lent != nil {
				o.lent.release() // a try's that failed after it ran
			}
			o.readOn, o.lent, o.answer = nil, nil, nil
			if db, ok := q.(*sqlx.DB); ok && o.takesDiag {
				o.rows, o.lent, err = queryLent(ctx, db, query, args)
				if o.lent != nil {
					o.readOn = o.lent.conn
				}
				break
			}
			o.rows, err = queryRows(ctx, q, query, args)
			o.readOn = heldConn(q)
			if rr, ok := q.(rowsRead); ok && err == nil && o.takesDiag {
				o.answer = readEnd(ctx, rr.Conn)
			}
		case opGet:
			err = sqlx.GetContext(ctx, q, o.dest, query, args...)
		case opSelect:
			o.rewindDest()
			err = sqlx.SelectContext(ctx, q, o.dest, query, args...)
		case opRelay:
			err = o.relay(ctx, q.(relayNode).node)
		}
		return err
	}
}

// replacedWrite is err, the outcome of a write sent to node as set's
// primary, or ErrPrimaryReplaced when a failover has made another node
// the primary since and the write succeeded (acknowledged by the old
// primary) or lost its connection (ended by the failover, Set.Follow):
// either way the new primary may not have it.
func replacedWrite(set *replica.Set, node *replica.Node, err error) error {
	switch {
	case set.Primary() == node:
	case err == nil:
		return fmt.Errorf("%w: shard %s, %s, replaced by %s, acknowledged it", ErrPrimaryReplaced, set.Shard, node.Name, set.Primary().Name)
	case replica.IsConnError(err):
		return fmt.Errorf("%w: shard %s, %s, replaced by %s, did not answer (%v)", ErrPrimaryReplaced, set.Shard, node.Name, set.Primary().Name, err)
	}
	return err
}

// heldConn is the connection q is when the session holds it (its own, or
// its transaction's), nil for a pool.
func heldConn(q queryer) *sqlx.Conn {
	switch c := q.(type) {
	case *sqlx.Conn:
		return c
	case txQueryer:
		return c.conn
	}
	return nil
}

// rewindDest gives a select's dest back the length it had before the
// first try. Anything but a pointer to a slice is left for sqlx to refuse.
func (o *op) rewindDest() {
	v := reflect.ValueOf(o.dest)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Slice {
		return
	}
	if o.destLen == 0 {
		o.destLen = v.Elem().Len() + 1
		return
	}
	v.Elem().SetLen(o.destLen - 1)
}

// classified returns o's classification, classifying it the first time.
func (r *Router) classified(o *op) *Statement {
	if o.st == nil {
		o.st = r.cls.Classify(o.query)
	}
	return o.st
}

// run classifies, plans and executes one statement.
func (r *Router) run(ctx context.Context, e *env, o *op) error {
	st := r.classified(o)
	switch st.Kind {
	case Begin, Commit, Rollback, TxOther, SessionState:
		return fmt.Errorf("%w: %.60s", ErrNeedsSession, o.query)
	}
	if err := r.learnKeyColumn(ctx, st); err != nil {
		return err
	}
	if st.Kind == DDL {
		defer r.forgetKeyColumns()
	}
	var until time.Time
	for {
		p, err := r.take(o), error(nil)
		if p == nil {
			p, err = r.planTyped(ctx, st, o.args)
		}
		if err != nil {
			return err
		}
		if p.Sequence != "" {
			err = r.insertWithSequence(ctx, e, st, p, o)
		} else {
			err = r.execPlan(ctx, e, st, p, o)
		}
		if !r.held(ctx, st, err, &until, traceFrom(ctx)) {
			return err
		}
	}
}

// execPlan runs a planned statement.
func (r *Router) execPlan(ctx context.Context, e *env, st *Statement, p *plan, o *op) error {
	err := r.execShards(ctx, e, st, p, o)
	if err == nil && p.keyMax > 0 {
		r.pastKey(ctx, p.Table, p.keyMax)
	}
	if err == nil && p.autoMax > 0 {
		r.pastKey(ctx, p.Table+"."+p.auto, p.autoMax)
	}
	return err
}

// pastKey moves the sequence called name (see sequence), if the router
// hands out its ids, past key, an id an INSERT gave a row: as a server's
// AUTO_INCREMENT counter moves past an id given explicitly, so that the
// sequence never hands it out again. A sequence the router has not begun
// starts past the column's largest value anyway (see sequence).
func (r *Router) pastKey(ctx context.Context, name string, key uint64) {
	r.seqMu.Lock()
	seq := r.seqs[name]
	r.seqMu.Unlock()
	if seq != nil {
		// The INSERT succeeded: a sequence row that cannot be moved now
		// leaves its next block where it was, as before.
		seq.Past(ctx, key)
	}
}

// execShards runs plan p of st.
func (r *Router) execShards(ctx context.Context, e *env, st *Statement, p *plan, o *op) error {
	if p.Type != PlanUnsharded {
		r.stats.shape(p.Type)
	}
	tr := traceFrom(ctx)
	if p.Queries == nil {
		query, args := o.query, o.args
		if p.text != "" {
			query, args = p.text, nil
		}
		if len(args) > 0 && st.AST != nil && o.kind != opRelay && bindsItself(st, args) {
			bound, err := bindArgs(st.AST, args)
			if err != nil {
				return err
			}
			if sel, ok := bound.(*sqlparser.Select); ok {
				// Re-rendered text must keep the columns' names.
				r.keepNames(sel, st.Text)
			}
			query, args = sqlparser.String(bound), nil
		}
		err := r.onShard(ctx, e, p, p.Shards[0], st, o.fn(query, args))
		if h := r.cfg.TestPanic; h != nil {
			h("single-shard", o.query)
		}
		if tr != nil {
			tr.Plan, tr.PushedDown = p.Type, p.PushedDown
			tr.Shards, tr.Nodes = []string{tr.Shard}, []string{tr.Node}
		}
		return err
	}
	if o.kind == opRelay {
		// The plan changed since Relay looked (a reshard's switch): the
		// caller runs the statement the full way.
		return errNotRelayable
	}
	if isWrite(st.Kind) && st.Kind != DDL && p.Type == PlanScatter && !multiShardWritesAllowed(ctx, r.cfg.AllowMultiShardWrites) {
		rule, _ := r.vs.rule(p.Table)
		if p.unpinned != "" {
			return fmt.Errorf("%w: %s; allow multi-shard writes: scalelab query or scalelab proxy --allow-multi-shard-writes (router.Config.AllowMultiShardWrites)", ErrMultiShardWrite, pastDoublesReason(p.unpinned))
		}
		return fmt.Errorf("%w: add WHERE %s = … (or IN (…)) to target shards, or allow multi-shard writes: scalelab query or scalelab proxy --allow-multi-shard-writes (router.Config.AllowMultiShardWrites)", ErrMultiShardWrite, rule.Column)
	}
	subs := make([]Trace, len(p.Shards))
	start := time.Now()
	leanRun := false // the reads below use the lean plan (see leanPlan)
	defer func() {
		if tr == nil {
			return
		}
		tr.Duration = units.Ms(time.Since(start))
		tr.Plan, tr.Kind, tr.Tables, tr.PushedDown, tr.Merged = p.Type, st.Kind.String(), st.Tables, p.PushedDown, p.Merged
		if leanRun {
			tr.PushedDown = strings.Replace(tr.PushedDown, "the collation's sort keys (WEIGHT_STRING) of compared text", "sort keys only where the first run found them needed", 1)
		}
		tr.Shards, tr.Nodes, tr.Shard, tr.Node = nil, nil, "", ""
		for _, s := range subs {
			tr.Shards = append(tr.Shards, s.Shard)
			tr.Nodes = append(tr.Nodes, s.Node)
			if tr.Route == "" || s.Route != RouteReplica {
				tr.Route, tr.Reason = s.Route, s.Reason
			}
		}
	}()
	if (o.kind == opExec && st.Kind == Write || st.returning != nil) && e.shard == nil && len(p.Shards) > 1 {
		return r.execAcross(ctx, e, st, p, o, subs)
	}
	if o.kind == opExec {
		// DDL and the other statements that may write go shard by shard,
		// each committed as it runs (a DDL statement commits itself); a
		// failure stops the rest and names the shard. (A transaction's
		// write runs on its one shard.)
		var total, lastID int64
		var d diagnostics
		var info string
		for n, i := range p.Shards {
			sub := &op{kind: opExec, found: o.found}
			if err := r.onShard(WithTrace(ctx, &subs[n]), e, p, i, st, sub.fn(p.Queries[i], nil)); err != nil {
				err = fmt.Errorf("router: shard %s: %w", p.sets[i].Shard, err)
				if n > 0 {
					err = &partialWrite{committed: shardNames(p, p.Shards[:n]), shardByShard: true, error: err}
				}
				return err
			}
			if n, err := sub.res.RowsAffected(); err == nil {
				total += n
			}
			if id, err := sub.res.LastInsertId(); err == nil {
				lastID = max(lastID, id)
			}
			if n == 0 {
				info = infoOf(sub.res)
			} else {
				info = addInfo(info, infoOf(sub.res))
			}
			switch e := diagnosticsOf(sub.res); {
			case n == 0:
				d = e
			case st.Kind != DDL:
				d = d.add(e)
			case e.count > d.count:
				// Every shard warns of the same (a DROP TABLE IF
				// EXISTS of no table): once, as one server.
				d = e
			}
		}
		// The insert id: a server's is the id it gave or was given; over
		// shards, the largest of theirs.
		o.res = multiResult{affected: total, lastID: lastID, diag: d, info: splitInsertInfo(st, info, total, d)}
		return nil
	}
	if p.Merge == nil {
		return unsupported(fmt.Sprintf("%s statement that returns rows from several shards", st.Kind), "")
	}
	// Reads go to every target shard at once (inside a transaction, one
	// after another: its branches are opened on the caller's goroutine).
	// The last shard's read runs on the caller's goroutine, which would
	// only wait: a new goroutine's stack grows through database/sql and
	// the driver on every scatter (12% of a scatter's CPU in a profile).
	queries, spec := p.Queries, p.Merge
	if l := p.lean; l != nil && l.state.Load() == leanFit {
		f := l.form.Load()
		queries, spec, leanRun = f.queries, f.merge, true
	}
	results := make([]*sql.Rows, len(p.Shards))
	errs := make([]error, len(p.Shards))
	var wg sync.WaitGroup
	// The shard results are the statement's until the merged rows hold
	// them (merged): a panic before (a bug) closes them, once every read
	// is done, so that their connections go back to the pools.
	merged := false
	defer func() {
		if !merged {
			wg.Wait()
			closeRows(results)
		}
	}()
	for n, i := range p.Shards {
		read := func() {
			sub := &op{kind: opQuery}
			errs[n] = r.onShard(WithTrace(ctx, &subs[n]), e, p, i, st, sub.fn(queries[i], nil))
			results[n] = sub.rows
		}
		if e.shard != nil || n == len(p.Shards)-1 {
			read()
			continue
		}
		wg.Add(1)
		readers.run(func() {
			defer wg.Done()
			// A panic on the worker would end the process: it is the
			// statement's, carried to its goroutine (below).
			defer func() {
				if v := recover(); v != nil {
					errs[n] = &shardPanic{value: v, stack: debug.Stack()}
				}
			}()
			read()
		})
	}
	wg.Wait()
	if err := firstShardError(p, errs); err != nil {
		merged = true
		closeRows(results)
		for _, err := range errs {
			if sp, ok := err.(*shardPanic); ok {
				panic(sp) // recovered where the statement entered (ErrInternal)
			}
		}
		return err
	}
	if h := r.cfg.TestPanic; h != nil {
		h("scatter", o.query)
	}
	src, err := newMerge(spec, results)
	if errors.Is(err, errLeanUnfit) {
		leanRun = false
		return r.execPlan(ctx, e, st, p, o) // with the full plan, now that the lean one is off
	}
	if err != nil {
		return err
	}
	if src.needs != nil && p.lean != nil {
		p.lean.learn(r, src.needs)
	}
	rows, err := r.mergeDB.QueryContext(ctx, "merge", &mergeRows{src: src})
	if err != nil {
		src.close()
		return err
	}
	merged = true
	return r.answerRows(ctx, o, rows)
}

// answerRows gives o the merged rows: as rows, or scanned into its dest.
func (r *Router) answerRows(ctx context.Context, o *op, rows *sql.Rows) error {
	switch o.kind {
	case opQuery:
		o.rows = rows
		return nil
	case opSelect:
		return sqlx.SelectContext(ctx, mergedRows{rows, r.mapper}, o.dest, "")
	default: // opGet: select into a one-element slice of dest's type
		dv := reflect.ValueOf(o.dest)
		if dv.Kind() != reflect.Pointer || dv.IsNil() {
			rows.Close()
			return errors.New("router: GetContext needs a non-nil pointer")
		}
		slice := reflect.New(reflect.SliceOf(dv.Elem().Type()))
		if err := sqlx.SelectContext(ctx, mergedRows{rows, r.mapper}, slice.Interface(), ""); err != nil {
			return err
		}
		if slice.Elem().Len() == 0 {
			return sql.ErrNoRows
		}
		dv.Elem().Set(slice.Elem().Index(0))
		return nil
	}
}

// workers run functions on goroutines that outlive them: a scatter's
// shard reads run there, on stacks already grown through database/sql and
// the driver, where a new goroutine grows its stack on every read (12% of
// a scatter's CPU). A worker idle for workerIdle ends.
type workers struct{ tasks chan func() }

// readers are the scatters' shard-read workers, shared by every router.
var readers = workers{tasks: make(chan func())}

const workerIdle = 5 * time.Second

// run hands f to an idle worker, or starts one.
func (w workers) run(f func()) {
	select {
	case w.tasks <- f:
	default:
		go w.work(f)
	}
}

func (w workers) work(f func()) {
	f()
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		select {
		case f := <-w.tasks:
			f()
			idle.Reset(workerIdle)
		case <-idle.C:
			return
		}
	}
}

// mergedRows lets sqlx scan an already running merged result: it is a
// queryer whose only query returns those rows.
type mergedRows struct {
	rows   *sql.Rows
	mapper *reflectx.Mapper
}

func (m mergedRows) QueryContext(context.Context, string, ...any) (*sql.Rows, error) {
	return m.rows, nil
}

func (m mergedRows) QueryxContext(context.Context, string, ...any) (*sqlx.Rows, error) {
	return &sqlx.Rows{Rows: m.rows, Mapper: m.mapper}, nil
}

func (m mergedRows) QueryRowxContext(context.Context, string, ...any) *sqlx.Row {
	panic("router: mergedRows supports Select only")
}

// closeRows closes every shard result that is there.
func closeRows(results []*sql.Rows) {
	for _, rows := range results {
		if rows != nil {
			rows.Close()
		}
	}
}

func firstShardError(p *plan, errs []error) error {
	for n, err := range errs {
		if err != nil {
			return fmt.Errorf("router: shard %s: %w", p.sets[p.Shards[n]].Shard, err)
		}
	}
	return nil
}

// multiResult sums the rows affected on several shards.
type multiResult struct {
	affected int64
	lastID   int64
	diag     diagnostics
	info     string
}

func (m multiResult) LastInsertId() (int64, error) { return m.lastID, nil }
func (m multiResult) RowsAffected() (int64, error) { return m.affected, nil }
func (m multiResult) diagnostics() diagnostics     { return m.diag }
func (m multiResult) answerInfo() string           { return m.info }

// sequenceHome is the node that holds the sequences: the topology's main
// node, or the first shard's primary when there is none. It returns a pool
// to it and its description for route plans.
func (r *Router) sequenceHome() (*sql.DB, string) {
	_, desc := r.vs.cur().SequenceHome()
	if r.mainDB != nil {
		return r.mainDB, desc
	}
	return r.Sets()[0].Primary().DB.DB, desc
}

// sequence returns the id sequence of column of a sharded table, creating
// it on its home (sequenceHome): the table's own (named as the table) for
// its shard key, one named table.column for another. A new sequence
// starts above the column's largest value already in the table on any
// shard, so rows loaded without the sequence are never overwritten.
func (r *Router) sequence(ctx context.Context, table, column string) (*shard.Sequence, error) {
	rule, _ := r.vs.rule(table)
	name := table
	if !strings.EqualFold(column, rule.Column) {
		name = table + "." + column
	}
	r.seqMu.Lock()
	defer r.seqMu.Unlock()
	if s, ok := r.seqs[name]; ok {
		return s, nil
	}
	var maxID uint64
	schema, sets := r.vs.snapshot()
	for _, i := range schema.KeyspaceShards(table) {
		set := sets[i]
		var m sql.Null[uint64] // BIGINT UNSIGNED ids may pass 2^63
		q := "SELECT MAX(" + sqlparser.String(sqlparser.NewIdentifierCI(column)) + ") FROM " + sqlparser.String(sqlparser.NewIdentifierCS(table))
		if err := set.Primary().DB.QueryRowContext(ctx, q).Scan(&m); err != nil {
			return nil, fmt.Errorf("router: start sequence %s: shard %s: %w", name, set.Shard, err)
		}
		if m.Valid && m.V > maxID {
			maxID = m.V
		}
	}
	home, _ := r.sequenceHome()
	s, err := shard.NewSequence(home, shard.SequenceConfig{Name: name, Start: maxID + 1})
	if err != nil {
		return nil, err
	}
	if r.seqs == nil {
		r.seqs = map[string]*shard.Sequence{}
	}
	r.seqs[name] = s
	return s, nil
}

// fillSequence binds an INSERT's arguments and gives its rows ids from
// sequences (plan.fills), and plans the result: a column the column list
// leaves out is added, with an id in every row; one given as NULL or
// DEFAULT is replaced by one. first is the insert id: the first id of
// the AUTO_INCREMENT column, or else of the key.
func (r *Router) fillSequence(ctx context.Context, st *Statement, p *plan, args []any) (text string, st2 *Statement, p2 *plan, first uint64, err error) {
	ast := st.routedBy().AST
	bound, err := bindArgs(ast, args)
	if err != nil {
		return "", nil, nil, 0, err
	}
	ins := bound.(*sqlparser.Insert)
	rows := ins.Rows.(sqlparser.Values)
	// The rows that get ids (read off the statement as written, with its
	// arguments).
	written := ast.(*sqlparser.Insert).Rows.(sqlparser.Values)
	for n, f := range p.fills {
		need := make([]int, 0, len(rows))
		var given uint64 // the largest id the other rows give
		for i := range rows {
			switch {
			case f.at == 0 || f.wants(written[i][f.at-1], args):
				need = append(need, i)
			default:
				if v, isVal, _ := exprValue(written[i][f.at-1], args); isVal {
					if id, ok := unsignedKey(v); ok {
						given = max(given, id)
					}
				}
			}
		}
		if len(need) == 0 {
			continue
		}
		seq, err := r.sequence(ctx, p.Sequence, f.column)
		if err != nil {
			return "", nil, nil, 0, err
		}
		if given > 0 {
			// The ids handed out now come past those the statement
			// gives, as a server's counter moves past them row by row.
			if err := seq.Past(ctx, given); err != nil {
				return "", nil, nil, 0, fmt.Errorf("router: ids for %s.%s: %w", p.Sequence, f.column, err)
			}
		}
		id, err := seq.NextN(ctx, len(need))
		if err != nil {
			return "", nil, nil, 0, fmt.Errorf("router: ids for %s.%s: %w", p.Sequence, f.column, err)
		}
		if f.auto || n == 0 && first == 0 {
			first = id
		}
		if f.at == 0 {
			if len(ins.Columns) == 0 && len(rows[0]) > 0 {
				ins.Columns = append(sqlparser.Columns{}, p.columns...)
			}
			ins.Columns = append(ins.Columns, sqlparser.NewIdentifierCI(f.column))
		}
		for k, i := range need {
			v := sqlparser.NewIntLiteral(strconv.FormatUint(id+uint64(k), 10))
			if f.at > 0 {
				rows[i][f.at-1] = v
			} else {
				rows[i] = append(rows[i], v)
			}
		}
	}
	text = sqlparser.String(ins)
	switch {
	case st.returning != nil:
		text += " " + st.returning.clause
	case st.setStatement != nil:
		text = st.setStatement.lead + " " + text
	}
	st2 = r.cls.Classify(text)
	// The text holds new ids every time: a plan kept on it would never be
	// used again, so it is planned fresh, and is this insert's own.
	p2, err = r.planFresh(st2, nil)
	if err != nil {
		return "", nil, nil, 0, err
	}
	p2.PushedDown = p.PushedDown
	return text, st2, p2, first, nil
}

// insertWithSequence fills the shard-key column of an INSERT from the
// table's sequence, then routes each row to its shard.
func (r *Router) insertWithSequence(ctx context.Context, e *env, st *Statement, p *plan, o *op) error {
	text, st2, p2, first, err := r.fillSequence(ctx, st, p, o.args)
	if err != nil {
		return err
	}
	if st.returning != nil && o.kind != opExec {
		// The rows it returns are the answer, as the shards give them
		// (o is left as it came, for a run again after a hold).
		query, classified, args := o.query, o.st, o.args
		o.query, o.st, o.args = text, st2, nil
		err := r.execPlan(ctx, e, st2, p2, o)
		o.query, o.st, o.args = query, classified, args
		if err == nil {
			returnedID(st, first, o)
		}
		return err
	}
	sub := &op{kind: opExec, found: o.found, query: text}
	if err := r.execPlan(ctx, e, st2, p2, sub); err != nil {
		return err
	}
	affected, _ := sub.res.RowsAffected()
	o.res = multiResult{affected: affected, lastID: filledID(st, first, sub.res), diag: diagnosticsOf(sub.res), info: infoOf(sub.res)}
	return nil
}

// mayMeetDuplicate reports whether st is an INSERT whose rows may meet a
// duplicate key and not be inserted: ON DUPLICATE KEY UPDATE, IGNORE.
func mayMeetDuplicate(st *Statement) bool {
	ins, ok := st.routedBy().AST.(*sqlparser.Insert)
	return ok && (len(ins.OnDup) > 0 || bool(ins.Ignore))
}

// filledID is the insert id of st, whose rows got ids from sequences
// starting at first, and which res answered: first, unless a row may
// have met a duplicate (ON DUPLICATE KEY UPDATE, IGNORE), whose server's
// insert id is then its own (the existing row's, with id =
// LAST_INSERT_ID(id), or 0 for a row ignored), not an id no row holds.
func filledID(st *Statement, first uint64, res sql.Result) int64 {
	if mayMeetDuplicate(st) {
		id, _ := res.LastInsertId()
		return id
	}
	return int64(first)
}

// shardNames lists the names of plan p's shards idx.
func shardNames(p *plan, idx []int) []string {
	out := make([]string, len(idx))
	for i, n := range idx {
		out[i] = p.sets[n].Shard
	}
	sort.Strings(out)
	return out
}

// Route plans query without running it and reports the plan: its type,
// shards, and what is pushed down and merged. Node choice happens at run
// time; use WithTrace for that.
func (r *Router) Route(query string, args ...any) (Trace, error) {
	st := r.cls.Classify(query)
	tr := Trace{Kind: st.Kind.String(), Tables: st.Tables}
	// An INSERT's key column, and a key past 2^53, may need the column's
	// type and place read, as a run does; a column that cannot be read is
	// planned as unknown, where a run would fail.
	ctx, cancel := context.WithTimeout(context.Background(), typeReadTimeout)
	defer cancel()
	r.learnKeyColumn(ctx, st)
	p, err := r.planTyped(ctx, st, args)
	if err != nil {
		return tr, err
	}
	tr.Plan, tr.PushedDown, tr.Merged = p.Type, p.PushedDown, p.Merged
	if p.Sequence != "" {
		tr.Shards = []string{"(by sequence id)"}
	} else {
		tr.Shards = shardNames(p, p.Shards)
	}
	return tr, nil
}
