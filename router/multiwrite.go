package router

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	"github.com/scalelab/scalelab/replica"
)

// A write that spans shards outside a transaction (a multi-row INSERT
// whose rows hash to several shards, an UPDATE or DELETE of an IN list,
// or one without its key where multi-shard writes are allowed) runs, on
// each shard, in a transaction of its own on one connection to the
// primary, as Vitess's multi-shard autocommit does. The branches are
// committed once every shard has run its part, in shard order; when a
// shard refuses its part (a duplicate key, a value out of range, a lock
// wait timeout), every branch is rolled back, and nothing is written, as
// a single server rolls back the statement. Only a commit that fails
// after another shard committed, or whose outcome is unknown (the
// connection was cut while it ran), may leave the write in part
// (partialWrite): scalelab has no two-phase commit. The commits, and
// the cleanup of every branch, run to their end even when the caller's
// context ends, each statement bounded by branchTimeout: a deadline
// that fell between two commits would leave the write in part.
//
// A branch is opened with SET autocommit = 0, not START TRANSACTION,
// and ended with COMMIT (or ROLLBACK) AND NO CHAIN NO RELEASE, then SET
// autocommit = 1: on a session's own connection, START TRANSACTION would
// release the session's LOCK TABLES, and a plain COMMIT would follow the
// session's completion_type (CHAIN opens a transaction the session does
// not know of, RELEASE drops the connection).

// Statements of a branch.
const (
	branchBegin    = "SET autocommit = 0"
	branchCommit   = "COMMIT AND NO CHAIN NO RELEASE"
	branchRollback = "ROLLBACK AND NO CHAIN NO RELEASE"
	branchEnd      = "SET autocommit = 1"
	// branchTimeout bounds each commit and cleanup statement, which
	// run whatever the caller's context: a frozen primary cuts its
	// connection at the end of it (the server rolls back what is open).
	branchTimeout = 30 * time.Second
)

// branchCtx is the context of a branch's commit or cleanup statement.
func branchCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), branchTimeout)
}

// writeBranch is a multi-shard write's part on one shard, not committed
// yet.
type writeBranch struct {
	set *replica.Set
	// node is the primary the branch runs on.
	node *replica.Node
	conn *sqlx.Conn
	// own is set when conn was taken from the node's pool for the
	// branch, and goes back to it at the end (a session's own connection
	// stays the session's).
	own  bool
	open bool // the branch's transaction is neither committed nor rolled back
	// lost tells a session that its own connection failed (env.lost).
	lost func()
	// replaced is the set's signal of a failover, taken before the
	// branch ran.
	replaced <-chan struct{}
	// timed is set when the branch's connection runs with the
	// statement's time (SET timestamp), which its end sets back.
	timed bool
	// shard is the branch's shard, an index of the plan's.
	shard    int
	affected int64
	lastID   int64
	diag     diagnostics
	info     string
	// returned, for a statement with RETURNING, are the rows its part
	// returned, and columns their columns (a source without rows).
	returned [][]any
	columns  *mergeSource
}

// commit commits the branch.
func (b *writeBranch) commit(ctx context.Context) error {
	if err := b.exec(ctx, branchCommit); err != nil {
		return err
	}
	b.open = false
	return nil
}

// exec runs a commit or cleanup statement of the branch.
func (b *writeBranch) exec(ctx context.Context, query string) error {
	ctx, cancel := branchCtx(ctx)
	defer cancel()
	_, err := b.conn.ExecContext(ctx, query)
	return err
}

// end rolls back what is not committed, turns autocommit back on, and
// ends the branch's hold on its connection: one from the pool goes back
// to it, or is dropped when autocommit could not be turned on again. A
// session's own connection that could not be brought back is dropped
// too: the session is told (lost), and one that keeps state there
// (a lock, a temporary table) fails its next statement on it, never
// running it with autocommit off.
func (b *writeBranch) end(ctx context.Context) {
	var err error
	if b.open {
		if err = b.exec(ctx, branchRollback); err == nil {
			b.open = false
		}
	}
	if err == nil {
		end := branchEnd
		if b.timed {
			end += ", timestamp = DEFAULT"
		}
		err = b.exec(ctx, end)
	}
	switch {
	case err == nil && b.own:
		b.conn.Close()
	case err == nil:
	default:
		if !b.own && b.lost != nil {
			b.lost()
		}
		_ = discard(b.conn)
	}
}

// committedShards names the shards of branches, which committed.
func committedShards(branches []*writeBranch) []string {
	out := make([]string, len(branches))
	for i, b := range branches {
		out[i] = b.set.Shard
	}
	return out
}

// execAcross runs write st of plan p (over several shards, outside a
// transaction) shard by shard, each part in a transaction of its own,
// and commits them all once every part ran, or rolls them all back when
// one failed. subs are the shards' traces.
func (r *Router) execAcross(ctx context.Context, e *env, st *Statement, p *plan, o *op, subs []Trace) error {
	branches := make([]*writeBranch, 0, len(p.Shards))
	// stamp is the statement's time, which its parts on pooled
	// connections run with: the router's clock, to the microsecond.
	now := time.Now()
	stamp := fmt.Sprintf("%d.%06d", now.Unix(), now.Nanosecond()/1000)
	defer func() {
		// The cleanup runs even when ctx was cancelled (branchCtx): a
		// pooled connection is never handed back with autocommit off.
		for _, b := range branches {
			if b != nil {
				b.end(ctx)
			}
		}
	}()
	// again runs the statement again, whole, once set's new primary is
	// known (Config.FailoverBuffer), when nothing of it was written: its
	// branches end first, as their row locks would hold the second run.
	again := func(set *replica.Set, replaced <-chan struct{}) (bool, error) {
		for _, b := range branches {
			b.end(ctx)
		}
		branches = nil
		if ctx, ok := r.buffered(ctx, set, replaced, traceFrom(ctx)); ok {
			return true, r.execAcross(ctx, e, st, p, o, subs)
		}
		return false, nil
	}
	// runPart runs shard i's part in a branch of its own; n is its place
	// among the shards, for its trace.
	runPart := func(n, i int) (*writeBranch, error) {
		query, set := p.Queries[i], p.sets[i]
		replaced := set.RolesReplaced()
		// The parts run as a write without read-your-writes: a write's
		// GTID is read after the commits, below, not after its part.
		// on notes the node the part runs on.
		part := *e
		part.mode, part.branch = Eventual, true
		var node *replica.Node
		part.on = func(ctx context.Context, n *replica.Node) (queryer, bool, error) {
			node = n
			return e.on(ctx, n)
		}
		var ran *writeBranch
		fn := func(ctx context.Context, q queryer) error {
			b := &writeBranch{set: set, node: node, replaced: replaced, shard: i}
			// A part that did not run ends here, after an error or a
			// panic (a bug): its connection never stays out of the pool,
			// nor holds its rows' locks, with autocommit off.
			defer func() {
				if ran != b && b.conn != nil {
					b.end(ctx)
				}
			}()
			if e.lost != nil {
				b.lost = func() { _ = e.lost(node) }
			}
			switch c := q.(type) {
			case *sqlx.Conn:
				b.conn = c
			case *sqlx.DB:
				conn, err := c.Connx(ctx)
				if err != nil {
					return err
				}
				b.conn, b.own = conn, true
			default:
				return fmt.Errorf("router: a write across shards cannot run on %T", q)
			}
			begin := branchBegin
			if b.own {
				// One time for the statement on every shard, as one
				// server's NOW(), CURRENT_TIMESTAMP and DEFAULT
				// CURRENT_TIMESTAMP give every row of a statement. (A
				// session's own connection keeps the session's time,
				// which it may have SET.)
				begin += ", timestamp = " + stamp
				b.timed = true
			}
			if _, err := b.conn.ExecContext(ctx, begin); err != nil {
				return err
			}
			b.open = true
			if st.returning != nil {
				if err := b.runReturning(ctx, query, p, i); err != nil {
					return err
				}
				ran = b
				return nil
			}
			res, err := execAnswered(ctx, b.conn, query, nil, o.found)
			if err == nil {
				b.affected, err = res.RowsAffected()
				b.diag, b.info = diagnosticsOf(res), infoOf(res)
				b.lastID, _ = res.LastInsertId()
			}
			if err != nil {
				return err
			}
			ran = b
			return nil
		}
		if err := r.onShard(WithTrace(ctx, &subs[n]), &part, p, i, st, fn); err != nil {
			return nil, err
		}
		return ran, nil
	}
	for n, i := range p.Shards {
		set := p.sets[i]
		replaced := set.RolesReplaced()
		b, err := runPart(n, i)
		if err != nil {
			// Every branch before it is rolled back (the deferred end):
			// nothing of the statement is written.
			if errors.Is(err, ErrPrimaryReplaced) || replica.IsConnError(err) && !notExecuted(err) {
				// Its part ran in a transaction of its own that a
				// failover, or the connection's failure, ended
				// uncommitted: the statement is not of unknown outcome
				// but unwritten. After a failover, or with its primary
				// down, it runs again on the new primary.
				if errors.Is(err, ErrPrimaryReplaced) || set.PrimaryDown() {
					if ok, err := again(set, replaced); ok {
						return err
					}
				}
				if errors.Is(err, ErrPrimaryReplaced) {
					return fmt.Errorf("%w: shard %s: its part of the statement was cut off uncommitted by a failover, and nothing of the statement was written", ErrPrimaryDown, set.Shard)
				}
				return fmt.Errorf("router: shard %s: its part of the statement was cut off uncommitted, and nothing of the statement was written: %w", set.Shard, err)
			}
			return fmt.Errorf("router: shard %s: %w", set.Shard, err)
		}
		branches = append(branches, b)
	}
	var total, lastID int64
	var d diagnostics
	var info string
	for n, b := range branches {
		err := b.commit(ctx)
		if err != nil && n > 0 && notExecuted(err) {
			// Refused as read-only (a planned failover made the primary
			// so) after the shards before it committed: its part, which
			// did not, runs again alone, in a branch of its own, on the
			// new primary, which it waits for as a write of one shard
			// does; the shards after it hold their parts meanwhile.
			b.set.Fail(context.WithoutCancel(ctx), b.node, err) // commits run whatever the caller's context
			b.end(ctx)
			branches[n] = nil // ended (the deferred cleanup skips it)
			nb, rerr := runPart(n, b.shard)
			if rerr != nil {
				err = &partialWrite{committed: committedShards(branches[:n]), error: fmt.Errorf("router: shard %s: its part, refused at commit as read-only, did not run again: %w", b.set.Shard, rerr)}
				return err
			}
			branches[n], b = nb, nb
			err = b.commit(ctx)
		}
		if err != nil {
			// The shards after it are rolled back (the deferred end), the
			// ones before it stay committed. A commit the server refused
			// did not commit; one cut off may have.
			b.set.Fail(context.WithoutCancel(ctx), b.node, err)
			if n == 0 && notExecuted(err) {
				// The first commit, refused as read-only: nothing is
				// written, and the statement runs again on the new
				// primary, as a write of one shard does.
				if ok, err := again(b.set, b.replaced); ok {
					return err
				}
			}
			err = fmt.Errorf("router: shard %s: commit: %w", b.set.Shard, err)
			me := (*mysql.MySQLError)(nil)
			switch {
			case n > 0:
				err = &partialWrite{committed: committedShards(branches[:n]), error: err}
			case !errors.As(err, &me):
				// The first commit cut off: it may have committed, or
				// not; no other shard did.
				err = fmt.Errorf("%w: the first shard's commit of a write over several shards: %w", ErrOutcomeUnknown, err)
			}
			return err
		}
		total += b.affected
		lastID = max(lastID, b.lastID)
		if n == 0 {
			d, info = b.diag, b.info
		} else {
			d, info = d.add(b.diag), addInfo(info, b.info)
		}
	}
	if e.mode == ReadYourWrites {
		// Each branch's connection still holds its commit's GTID.
		var errs []error
		for _, b := range branches {
			gctx, cancel := branchCtx(ctx)
			if err := captureGTID(gctx, b.set, b.node, b.conn, e.g); err != nil {
				errs = append(errs, err)
			}
			cancel()
		}
		if len(errs) > 0 {
			return fmt.Errorf("router: the write committed on every shard, but a later read may not see it: %w", errors.Join(errs...))
		}
	}
	o.res = multiResult{affected: total, lastID: lastID, diag: d, info: splitInsertInfo(st, info, total, d)}
	if st.returning != nil {
		return r.returnedAcross(ctx, p, branches, o)
	}
	return nil
}

// runReturning runs query, shard i's part of a statement with RETURNING,
// in the branch, and reads the rows it returns. An INSERT's part must
// return one row for each of its rows, which returnedAcross puts back in
// the statement's order: a part that does not fails, before anything is
// committed.
func (b *writeBranch) runReturning(ctx context.Context, query string, p *plan, i int) error {
	rows, err := b.conn.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	if b.columns, b.returned, err = readAll(rows); err != nil {
		return err
	}
	b.affected = int64(len(b.returned))
	if p.rowShards == nil {
		return nil
	}
	want := 0
	for _, s := range p.rowShards {
		if s == i {
			want++
		}
	}
	if len(b.returned) != want {
		return fmt.Errorf("router: shard %s returned %d rows for the %d rows of its part of the INSERT … RETURNING, which the router cannot put in the statement's order", b.set.Shard, len(b.returned), want)
	}
	return nil
}
