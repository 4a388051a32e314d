package router

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"github.com/go-sql-driver/mysql"
	"slices"
	"sort"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/jmoiron/sqlx"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/shard"
	"github.com/scalelab/scalelab/topology"
)

// ErrTxDone is returned for statements on a finished transaction.
var ErrTxDone = errors.New("router: transaction already committed or rolled back")

// Tx is a transaction. On each shard it touches, its statements run on one
// connection to that shard's primary from the first statement until Commit
// or Rollback, as ProxySQL's transaction_persistent promises.
//
// A transaction may read from several shards (each shard's reads share that
// shard's transaction, as in Vitess's multi-shard mode), but it writes to
// one shard only: a write to a second shard, or a write that spans shards,
// is refused with ErrCrossShardTx before it runs, since scalelab does not
// offer atomic commits across shards. The transaction goes on, as on a
// server after a statement it refused: a client that rolls back on an
// error undoes what the transaction wrote, and one that goes on finds its
// statements still in the transaction (before, the refusal rolled it back
// and the client's later statements ran in autocommit, committed at once,
// out of reach of its ROLLBACK). A Tx is not safe for concurrent use.
type Tx struct {
	// statements gives the Tx ExecContext, QueryContext, GetContext and
	// SelectContext.
	statements
	r   *Router
	ctx context.Context // the BeginTx context: it bounds the transaction
	// mode is the consistency mode of the caller: under read-your-writes
	// the commit's GTID is kept for later reads.
	mode Consistency
	opts *sql.TxOptions
	g    *gtids

	// sets are the shards the transaction's shard indexes name: those of
	// its first statement's plan. A reshard after it ends the transaction.
	sets   []*replica.Set
	parts  map[int]*txPart // by shard index
	order  []int           // shards in the order the transaction reached them
	writer int             // the shard that was written, or -1
	// called holds the shards where a statement that calls a function ran
	// (a stored function may write, unseen by writer): a commit marks
	// them written for read-your-writes.
	called map[int]bool
	done   bool
	// pin, in a Session, gives the session's own connection to a node
	// while it keeps them (nil when it does not): a branch begins on it
	// and leaves it to the session at the end.
	pin func(ctx context.Context, node *replica.Node) (*sqlx.Conn, error)
	// dirty is set once a statement of the Tx itself set connection
	// state (SET, or a Sticky one): its branches' connections are closed
	// at the end, never handed back to the pools with that state.
	dirty bool
	// savepoints are the transaction's savepoints, oldest first.
	savepoints []string
	// lostErr is the ErrTxLost of a branch whose connection broke during
	// the statement running (another shard's error may be the one its
	// caller sees), and lostOn the node of a session's own connection
	// that broke, which the session drops.
	lostErr error
	lostOn  *replica.Node
}

// txPart is the transaction's branch on one shard.
type txPart struct {
	set     *replica.Set
	node    *replica.Node // the primary it began on
	conn    *sqlx.Conn
	tx      *sqlx.Tx
	release func()
	// pinned is true when conn is a Session's own (Tx.pin): the end of
	// the transaction leaves it open. dirty is true when conn carries
	// session state but is not the session's: the end closes it.
	pinned, dirty bool
	// since is how many of the transaction's savepoints existed when the
	// branch began: it holds only the later ones.
	since int
}

// BeginTx starts a transaction. The server transactions begin with the
// statements that need them, on the primaries those statements route to.
func (r *Router) BeginTx(ctx context.Context, opts *sql.TxOptions) (*Tx, error) {
	t := &Tx{r: r, ctx: ctx, opts: opts, g: &r.gtids, mode: r.cfg.Consistency, parts: map[int]*txPart{}, writer: -1}
	t.statements = statements{do: t.run}
	return t, nil
}

// part returns the transaction's branch on shard i, beginning it. A
// branch whose primary is down, or cannot be reached, waits for it as an
// autocommit write does (Config.FailoverBuffer): nothing has run there.
func (t *Tx) part(ctx context.Context, i int) (*txPart, error) {
	if p, ok := t.parts[i]; ok {
		return p, nil
	}
	set := t.sets[i]
	for {
		replaced := set.RolesReplaced()
		var p *txPart
		err := fmt.Errorf("%w: shard %s, %s (%s): %s", ErrPrimaryDown, set.Shard, set.Primary().Name, set.Primary().Addr, "a transaction begins there")
		if !set.PrimaryDown() {
			if p, err = t.begin(set); err == nil {
				t.parts[i] = p
				t.order = append(t.order, i)
				return p, nil
			}
			if !notExecuted(err) {
				return nil, err
			}
		}
		var ok bool
		if ctx, ok = t.r.buffered(ctx, set, replaced, nil); !ok {
			return nil, err
		}
	}
}

// begin begins a branch on set's primary.
func (t *Tx) begin(set *replica.Set) (*txPart, error) {
	node := set.Primary()
	var conn *sqlx.Conn
	var err error
	if t.pin != nil {
		conn, err = t.pin(t.ctx, node)
	}
	pinned := conn != nil
	if !pinned && err == nil {
		conn, err = node.DB.Connx(t.ctx)
	}
	if err != nil {
		set.Fail(t.ctx, node, err)
		return nil, fmt.Errorf("router: begin on %s: %w", node.Name, err)
	}
	tx, err := conn.BeginTxx(t.ctx, t.opts)
	if err != nil {
		if !pinned {
			conn.Close()
		}
		set.Fail(t.ctx, node, err)
		return nil, fmt.Errorf("router: begin on %s: %w", node.Name, err)
	}
	return &txPart{set: set, node: node, conn: conn, tx: tx, release: node.Acquire(), since: len(t.savepoints), pinned: pinned}, nil
}

// home is the shard for statements that name no table: the one written,
// else the first reached, else the first shard.
func (t *Tx) home() int {
	switch {
	case t.writer >= 0:
		return t.writer
	case len(t.order) > 0:
		return t.order[0]
	}
	return 0
}

// run runs one statement inside the transaction.
func (t *Tx) run(ctx context.Context, o *op) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = t.r.recovered(v, o, t.abandon)
		}
	}()
	if t.done {
		return ErrTxDone
	}
	st := t.r.classified(o)
	switch st.Kind {
	case Begin, Commit, Rollback:
		return fmt.Errorf("router: %s inside Tx: use Tx.Commit or Tx.Rollback", st.Kind)
	}
	if err := t.r.learnKeyColumn(ctx, st); err != nil {
		return err
	}
	if st.Kind == DDL {
		defer t.r.forgetKeyColumns()
	}
	p, err := t.r.planTyped(ctx, st, o.args)
	if err != nil {
		return err
	}
	var firstID uint64
	if p.Sequence != "" {
		var text string
		if text, st, p, firstID, err = t.r.fillSequence(ctx, st, p, o.args); err != nil {
			return err
		}
		o.query, o.args = text, nil
	}
	if st.Kind == TxOther {
		return t.savepoint(ctx, st)
	}
	if st.Kind == SessionState {
		// A Tx outside a Session (a Session handles SET and USE itself):
		// the state holds on every branch, whose connections it keeps
		// from the pools.
		t.dirty = true
		return t.applyAll(ctx, o.query)
	}
	if st.Sticky && t.pin == nil {
		// A lock or temporary table of the Tx's connection lasts as long
		// as the Tx: the connection is closed at its end.
		t.dirty = true
	}
	switch {
	case t.sets == nil:
		t.sets = p.sets
	case !slices.Equal(t.sets, p.sets):
		t.abort()
		return ErrTxResharded
	}
	if len(st.Tables) == 0 {
		// No table decides the shard: stay on the transaction's own.
		p = &plan{Type: PlanUnsharded, Shards: []int{t.home()}, sets: t.sets}
	}
	if isWrite(st.Kind) && (t.opts == nil || !t.opts.ReadOnly) {
		// (In a read-only transaction the servers refuse the write, and
		// the transaction goes on, as on one server: it is no writer.)
		switch {
		case len(p.Shards) != 1:
			if p.unpinned != "" {
				return fmt.Errorf("%w: a write that spans shards %v: %s", ErrCrossShardTx, shardNames(p, p.Shards), pastDoublesReason(p.unpinned))
			}
			return fmt.Errorf("%w: a write that spans shards %v", ErrCrossShardTx, shardNames(p, p.Shards))
		case t.writer >= 0 && t.writer != p.Shards[0]:
			first, next := t.sets[t.writer].Shard, t.sets[p.Shards[0]].Shard
			if ks1, _ := topology.SplitShard(first); ks1 != "" {
				if ks2, _ := topology.SplitShard(next); ks2 != ks1 {
					return fmt.Errorf("%w: a transaction that writes %w %s (shard %s) and %s (shard %s)", ErrCrossShardTx, ErrCrossKeyspace, ks1, first, ks2, next)
				}
			}
			return fmt.Errorf("%w: it wrote to shard %s and this statement writes to shard %s", ErrCrossShardTx, first, next)
		}
		t.writer = p.Shards[0]
	}
	if st.CallsFunction && !isWrite(st.Kind) && (t.opts == nil || !t.opts.ReadOnly) {
		if t.called == nil {
			t.called = map[int]bool{}
		}
		for _, i := range p.Shards {
			t.called[i] = true
		}
	}
	e := &env{g: t.g, shard: t.onShard, mode: t.mode}
	err = t.r.execPlan(ctx, e, st, p, o)
	if t.lostErr != nil {
		// (Also when another shard's error is the statement's.)
		t.abort()
		return t.lostErr
	}
	if shard.IsHeld(err) {
		// A reshard's switch holds the table's writes: once it is over,
		// the rows live on other shards, and the transaction cannot go
		// on where it began. It is rolled back, and the client told to
		// run it again (1213), as at a reshard its next statement sees;
		// the hold's own error told it to retry the statement alone.
		t.abort()
		return fmt.Errorf("%w (%v)", ErrTxResharded, err)
	}
	if err == nil && firstID > 0 && st.returning != nil && o.kind != opExec {
		returnedID(st, firstID, o)
	}
	if err == nil && firstID > 0 && o.kind == opExec {
		n, _ := o.res.RowsAffected()
		o.res = multiResult{affected: n, lastID: filledID(st, firstID, o.res), diag: diagnosticsOf(o.res), info: infoOf(o.res)}
	}
	return err
}

// onShard runs fn in the transaction's branch on shard i. The first
// statement of a branch that its primary refused as read-only (a planned
// failover made it so and has not yet named the new one) ran nowhere: the
// branch is rolled back, and the statement waits for the new primary
// (Config.FailoverBuffer) in a new branch, as a branch that cannot begin
// does.
func (t *Tx) onShard(ctx context.Context, i int, st *Statement, fn func(context.Context, queryer) error) error {
	for {
		_, had := t.parts[i]
		replaced := t.sets[i].RolesReplaced()
		p, err := t.part(ctx, i)
		if err != nil {
			return err
		}
		node := p.set.Primary()
		t.r.stats.route(RoutePrimary)
		t.r.stats.node(node.Name)
		if tr := traceFrom(ctx); tr != nil {
			tr.Kind, tr.Tables, tr.Shard, tr.Node, tr.Route = st.Kind.String(), st.Tables, p.set.Shard, node.Name, RoutePrimary
			tr.Reason = "inside a transaction: statements stay on the primary's connection"
		}
		err = fn(ctx, txQueryer{p.tx, p.conn})
		if err == nil {
			return nil
		}
		p.set.Fail(ctx, node, err)
		if replica.IsConnError(err) && !notExecuted(err) {
			// The server rolled the branch back as its connection ended;
			// run rolls back the rest once the statement is done.
			t.lostErr = fmt.Errorf("%w: shard %s, %s: %w", ErrTxLost, p.set.Shard, node.Name, err)
			if p.pinned {
				t.lostOn = node
			}
			return t.lostErr
		}
		if had || !notExecuted(err) {
			return err
		}
		t.drop(i)
		var ok bool
		if ctx, ok = t.r.buffered(ctx, p.set, replaced, nil); !ok {
			return err
		}
	}
}

// drop rolls back the branch on shard i, which nothing has run in, and
// forgets it.
func (t *Tx) drop(i int) {
	p := t.parts[i]
	_ = p.tx.Rollback()
	t.leave(p)
	delete(t.parts, i)
	t.order = slices.DeleteFunc(t.order, func(j int) bool { return j == i })
}

// abort rolls back after a refusal.
func (t *Tx) abort() {
	if !t.done {
		_ = t.finish(false)
	}
}

// Commit commits the transaction on every shard it reached; under
// read-your-writes the written shard's GTID is kept so that the next read
// waits for it.
func (t *Tx) Commit() error { return t.finish(true) }

// Rollback aborts the transaction. It is safe to call after Commit.
func (t *Tx) Rollback() error {
	if t.done {
		return nil
	}
	return t.finish(false)
}

func (t *Tx) finish(commit bool) error {
	if t.done {
		return ErrTxDone
	}
	t.done = true
	// Read-only branches first, the written one last: if a read-only
	// branch fails to commit, nothing written is lost by rolling back.
	idx := append([]int(nil), t.order...)
	sort.SliceStable(idx, func(a, b int) bool { return idx[b] == t.writer && idx[a] != t.writer })
	var errs []error
	failed := false
	for _, i := range idx {
		p := t.parts[i]
		var err error
		sent := commit && !failed // a COMMIT went out
		if sent {
			err = p.tx.Commit()
			if i == t.writer {
				err = replacedWrite(p.set, p.node, err)
			}
			if replica.IsConnError(err) && !errors.Is(err, ErrPrimaryReplaced) {
				// The written branch commits last: a branch before it
				// that failed leaves nothing committed.
				lost := ErrTxLost
				if i == t.writer && !errors.Is(err, driver.ErrBadConn) {
					// (The driver says ErrBadConn only of a COMMIT it
					// did not send.)
					lost = ErrOutcomeUnknown
				}
				err = fmt.Errorf("%w: shard %s, %s: %w", lost, p.set.Shard, p.node.Name, err)
				if p.pinned {
					t.lostOn = p.node
				}
			}
			failed = err != nil
		} else {
			err = p.tx.Rollback()
		}
		switch {
		case err == nil && sent && i == t.writer && t.mode == ReadYourWrites:
			err = captureGTID(t.ctx, p.set, p.set.Primary(), p.conn, t.g)
		case sent && (i == t.writer || t.called[i]) && (err == nil || errors.Is(err, ErrOutcomeUnknown) || errors.Is(err, ErrPrimaryReplaced)) && t.g != nil && t.g != &t.r.gtids:
			// Committed with no position kept, or perhaps committed; or
			// a function called there may have written.
			t.g.wroteUntracked(p.set.Shard)
		}
		errs = append(errs, err)
		t.leave(p)
	}
	return errors.Join(errs...)
}

// leave ends branch p's hold on its connection: a Session's own stays
// open for the session, one with state of the transaction's is closed,
// and the rest go back to the pool.
func (t *Tx) leave(p *txPart) {
	switch {
	case p.pinned:
	case p.dirty || t.dirty:
		discard(p.conn)
	default:
		p.conn.Close()
	}
	p.release()
}

// applyAll runs a session statement on every branch.
func (t *Tx) applyAll(ctx context.Context, query string) error {
	for _, i := range t.order {
		if _, err := t.parts[i].tx.ExecContext(ctx, query); err != nil {
			return fmt.Errorf("router: %.40s on shard %s: %w", query, t.parts[i].set.Shard, err)
		}
	}
	return nil
}

// errNoSavepoint is the server's error (ER_SP_DOES_NOT_EXIST) for a
// savepoint the transaction does not hold, which a client handles by its
// number.
func errNoSavepoint(name string) error {
	return &mysql.MySQLError{Number: 1305, SQLState: [5]byte{'4', '2', '0', '0', '0'}, Message: fmt.Sprintf("SAVEPOINT %s does not exist", name)}
}

// savepointOutside answers a savepoint statement st outside a
// transaction, under autocommit, as the server does: each statement is a
// transaction of its own, so a SAVEPOINT is set and gone with it (OK),
// and none exists to roll back to or release.
func savepointOutside(st *Statement) error {
	switch s := st.AST.(type) {
	case *sqlparser.Savepoint:
		return nil
	case *sqlparser.SRollback:
		return errNoSavepoint(s.Name.String())
	case *sqlparser.Release:
		return errNoSavepoint(s.Name.String())
	}
	return fmt.Errorf("router: %.40s outside a transaction", st.Text)
}

// savepoint runs SAVEPOINT, ROLLBACK TO SAVEPOINT and RELEASE SAVEPOINT
// on every branch. A branch that began after the savepoint holds none of
// its work from before it: rolling back to the savepoint rolls that
// branch back whole.
func (t *Tx) savepoint(ctx context.Context, st *Statement) error {
	var name string
	switch s := st.AST.(type) {
	case *sqlparser.Savepoint:
		name = s.Name.String()
		for _, i := range t.order {
			if _, err := t.parts[i].tx.ExecContext(ctx, st.Text); err != nil {
				return fmt.Errorf("router: %s on shard %s: %w", st.Text, t.parts[i].set.Shard, err)
			}
		}
		t.savepoints = append(t.savepoints, name)
		return nil
	case *sqlparser.SRollback:
		name = s.Name.String()
	case *sqlparser.Release:
		name = s.Name.String()
	default:
		return fmt.Errorf("router: %.40s: not a savepoint statement", st.Text)
	}
	at := -1
	for k, sp := range t.savepoints {
		if strings.EqualFold(sp, name) {
			at = k
		}
	}
	if at < 0 {
		return errNoSavepoint(name)
	}
	_, rollback := st.AST.(*sqlparser.SRollback)
	for _, i := range append([]int(nil), t.order...) {
		p := t.parts[i]
		switch {
		case p.since <= at:
			if _, err := p.tx.ExecContext(ctx, st.Text); err != nil {
				return fmt.Errorf("router: %s on shard %s: %w", st.Text, p.set.Shard, err)
			}
		case rollback:
			// Everything this branch did came after the savepoint.
			if err := p.tx.Rollback(); err != nil {
				return fmt.Errorf("router: %s on shard %s: %w", st.Text, p.set.Shard, err)
			}
			t.leave(p)
			delete(t.parts, i)
			t.order = slices.DeleteFunc(t.order, func(x int) bool { return x == i })
			if t.writer == i {
				t.writer = -1
			}
		}
	}
	if rollback {
		t.savepoints = t.savepoints[:at+1] // later ones are gone, as on a server
	} else {
		t.savepoints = t.savepoints[:at]
		for _, p := range t.parts {
			p.since = min(p.since, at) // it holds the savepoints from here on
		}
	}
	return nil
}
