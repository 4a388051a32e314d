package reshard

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/scalelab/scalelab/internal/units"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/shard"
	"github.com/scalelab/scalelab/topology"
)

// Defaults for the switch of an online workflow.
const (
	// DefaultSwitchTimeout bounds how long writes stay held while the
	// switch catches up, verifies and publishes (Vitess's SwitchTraffic
	// --timeout is 30s by default); past it, the holds are released and
	// the old shards go on serving.
	DefaultSwitchTimeout = 30 * time.Second
	// DefaultFollowTimeout bounds the wait for running routers to follow
	// the new topology before the holds on the servers that keep serving
	// are released.
	DefaultFollowTimeout = 5 * time.Second
)

// ErrSwitchTimeout is returned when a switch did not finish within
// Config.SwitchTimeout: the holds were released and nothing switched.
var ErrSwitchTimeout = errors.New("reshard: the switch did not finish in time; writes were released to the old shards, nothing switched")

// preSwitchPasses is how many catch-ups run while writes go on before a
// switch holds them, each with less to apply.
const preSwitchPasses = 3

// sourceAddrs are the primaries of the shards rows come from.
func (w *worker) sourceAddrs() []string {
	var out []string
	for _, s := range w.sources() {
		out = append(out, s.Primary.HostPort)
	}
	return out
}

// targetAddrs are the primaries of the shards rows go to.
func (w *worker) targetAddrs() []string {
	var out []string
	for i := range w.st.To {
		out = append(out, w.primary(i))
	}
	return out
}

// hold stops writes to the moving tables on the servers at addrs
// (shard.HoldStatements), recording them in the state first, so that a
// run killed while they hold releases them when it resumes.
func (w *worker) hold(ctx context.Context, addrs []string, why string) error {
	for _, a := range addrs {
		if !slices.Contains(w.st.Held, a) {
			w.st.Held = append(w.st.Held, a)
		}
	}
	if err := w.st.save(w.cluster); err != nil {
		return err
	}
	return w.onEach(ctx, addrs, func(q qualified) []string { return shard.HoldStatements(q.schema, q.table, why) })
}

// release drops the holds on the servers at addrs, first stopping any
// hold statement still waiting there.
func (w *worker) release(ctx context.Context, addrs []string) error {
	for _, a := range addrs {
		if err := w.killHolders(ctx, a); err != nil {
			return err
		}
	}
	if err := w.onEach(ctx, addrs, func(q qualified) []string { return shard.ReleaseStatements(q.schema, q.table) }); err != nil {
		return err
	}
	w.st.Held = slices.DeleteFunc(w.st.Held, func(a string) bool { return slices.Contains(addrs, a) })
	return w.st.save(w.cluster)
}

// onEach runs stmts of every moving table on each server at addrs, all
// servers at once, outside the binlog: a hold belongs to one server, not
// to its replicas or to the changes a catch-up reads.
func (w *worker) onEach(ctx context.Context, addrs []string, stmts func(qualified) []string) error {
	errs := make([]error, len(addrs))
	var wg sync.WaitGroup
	for n, addr := range addrs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[n] = w.onServer(ctx, addr, stmts)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (w *worker) onServer(ctx context.Context, addr string, stmts func(qualified) []string) error {
	db, err := w.open(addr)
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// A hold's CREATE TRIGGER waits for the transactions that use the
	// table, and every statement on it queues behind that wait: bound it.
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("SET SESSION sql_log_bin = 0, lock_wait_timeout = %d", holdLockWait)); err != nil {
		return fmt.Errorf("%s: %w", addr, err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SET SESSION sql_log_bin = 1")
	for _, t := range w.heldTables(addr) {
		for _, q := range stmts(t) {
			if _, err := conn.ExecContext(ctx, q); err != nil && !isNoTable(err) && !isErr(err, errNoDatabase) {
				if isErr(err, errLockWait) {
					err = fmt.Errorf("a transaction kept %s in use for %ds, so writes could not be held: %w", t, holdLockWait, err)
				}
				return fmt.Errorf("%s: %w", addr, err)
			}
		}
	}
	return nil
}

// holdLockWait bounds, in seconds, how long a hold waits for the
// transactions that use a table, as gh-ost bounds its cut-over lock.
const holdLockWait = 3

// killHolders stops the hold statements still running on the server at
// addr (those of a run killed while one waited for a table), so that a
// hold cannot appear after its release.
func (w *worker) killHolders(ctx context.Context, addr string) error {
	db, err := w.open(addr)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'CREATE TRIGGER IF NOT EXISTS %scalelab\\_hold\\_%' AND ID <> CONNECTION_ID()")
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if _, err := db.ExecContext(ctx, fmt.Sprintf("KILL QUERY %d", id)); err != nil && !isErr(err, errNoThread) {
			return err
		}
	}
	return nil
}

// preCatchUp catches up while the application writes, until a pass finds
// little left, so that the hold that follows is short.
func (w *worker) preCatchUp(ctx context.Context, catchUp func(context.Context) (int, error)) error {
	for pass := 0; pass < preSwitchPasses; pass++ {
		n, err := catchUp(ctx)
		if err != nil || n < 100 {
			return err
		}
	}
	return nil
}

// onlineSwitch switches an online workflow while the application writes,
// as Vitess's SwitchTraffic does:
//
//  1. holds writes to the moving tables on the sources (shard.IsHeld: a
//     router waits and retries them);
//  2. applies the sources' last changes, and checks the row counts;
//  3. records the targets' binlog positions, from which --reverse
//     replays the changes made after the switch onto the old shards;
//  4. publishes the new topology and waits until every running router
//     follows it (topology.WaitFollowers);
//  5. releases the holds on the servers that go on serving.
//
// The time from 1 to 5 is the switch window, in which writes to the moving
// tables wait. If 2 or 3 fails or passes Config.SwitchTimeout, the holds
// are released and nothing switched.
func (w *worker) onlineSwitch(ctx context.Context, res *Result) error {
	if err := w.preCatchUp(ctx, w.catchUpAll); err != nil {
		return err
	}
	start := time.Now()
	w.st.Switching = true
	if err := w.hold(ctx, w.sourceAddrs(), "a "+w.kind()+" is switching"); err != nil {
		return errors.Join(err, w.abandonSwitch(ctx))
	}
	w.say(fmt.Sprintf("holding writes to %s on the old shards' primaries", strings.Join(w.shardedTables(), ", ")))
	hctx, cancel := context.WithTimeout(ctx, w.cfg.SwitchTimeout)
	defer cancel()
	err := w.heldSwitch(hctx)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			err = fmt.Errorf("%w (%v): %w", ErrSwitchTimeout, w.cfg.SwitchTimeout, err)
		}
		return errors.Join(err, w.abandonSwitch(ctx))
	}
	if err := w.finishSwitch(ctx, w.newTopology()); err != nil {
		return err
	}
	d := units.Ms(time.Since(start))
	res.Switch = &d
	w.say(fmt.Sprintf("switched: writes to %s were held for %v", strings.Join(w.shardedTables(), ", "), d.Round(time.Millisecond)))
	return nil
}

// heldSwitch is the part of a switch that runs while the sources hold:
// the last catch-up, the verify, and the targets' positions for reverse
// replication. It saves the state as switched.
func (w *worker) heldSwitch(ctx context.Context) error {
	if err := w.checkPassengers(ctx); err != nil {
		return err
	}
	if _, err := w.catchUpAll(ctx); err != nil {
		return err
	}
	counts, err := w.countCheck(ctx, w.sourceAddrs(), w.targetAddrs(), "old", "new")
	if err != nil {
		return err
	}
	// The result's rows per new shard, as an offline verify counts them.
	for _, table := range w.shardedTables() {
		tr := w.st.Result[table]
		tr.PerShard = map[string]int64{}
		for i, name := range w.st.To {
			tr.PerShard[name] = counts[table][w.primary(i)]
		}
		w.st.Result[table] = tr
	}
	w.st.Reverse = map[int]BinlogPos{}
	for i, addr := range w.targetAddrs() {
		db, err := w.open(addr)
		if err != nil {
			return err
		}
		pos, err := binlogEnd(ctx, db)
		db.Close()
		if err != nil {
			return fmt.Errorf("shard %s: %w", w.st.To[i], err)
		}
		w.st.Reverse[i] = pos
	}
	nt := w.newTopology()
	if err := replica.WaitCaughtUp(ctx, nt, 0); err != nil {
		return fmt.Errorf("wait for the new shards' replicas: %w", err)
	}
	prev := w.st.Phase
	w.st.Phase = PhaseSwitched
	if err := w.st.save(w.cluster); err != nil {
		w.st.Phase = prev
		return err
	}
	return nil
}

// countCheck compares, while writes are held, each moving table's rows
// on the servers at from with those at to, and each passenger's on from[0]
// with to[0], by COUNT(*) on the servers: cheap enough for the switch
// window, where the row-by-row comparison of every key range would make
// the pause grow with the tables (run scalelab vdiff for that, before the
// switch or after it). A switch compares the old side with the new, its
// reversal the new with the old; fromSide and toSide name them in
// messages. It returns, by table, the rows on each server at to: an
// online workflow's targets hold their own key range's rows only, so
// these are the rows of each new shard.
func (w *worker) countCheck(ctx context.Context, from, to []string, fromSide, toSide string) (map[string]map[string]int64, error) {
	count := func(addrs []string, table string) (map[string]int64, int64, error) {
		each := map[string]int64{}
		var total int64
		// A server on both sides, or of two ranges, counts once.
		for _, a := range slices.Compact(slices.Sorted(slices.Values(addrs))) {
			db, err := w.open(a)
			if err != nil {
				return nil, 0, err
			}
			var n int64
			err = db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n)
			db.Close()
			if err != nil && !isNoTable(err) {
				return nil, 0, fmt.Errorf("%s: %w", a, err)
			}
			each[a] = n
			total += n
		}
		return each, total, nil
	}
	check := func(table string, from, to []string) (map[string]int64, error) {
		_, was, err := count(from, table)
		if err != nil {
			return nil, err
		}
		each, now, err := count(to, table)
		if err != nil {
			return nil, err
		}
		if was != now {
			return nil, fmt.Errorf("%w: table %s: %d rows on the %s shards, %d on the %s", ErrMismatch, table, was, fromSide, now, toSide)
		}
		return each, nil
	}
	counts := map[string]map[string]int64{}
	for _, table := range w.shardedTables() {
		each, err := check(ident(table), from, to)
		if err != nil {
			return nil, err
		}
		counts[table] = each
	}
	for _, p := range w.passengers() {
		if _, err := check(p.ident(), from[:1], to[:1]); err != nil {
			return nil, err
		}
	}
	w.say(fmt.Sprintf("%s: the %s and the %s shards hold as many rows", strings.Join(w.shardedTables(), ", "), fromSide, toSide))
	return counts, nil
}

// abandonSwitch releases the holds of a switch that did not happen.
func (w *worker) abandonSwitch(ctx context.Context) error {
	ctx = context.WithoutCancel(ctx)
	err := w.release(ctx, slices.Clone(w.st.Held))
	w.st.Switching = false
	return errors.Join(err, w.st.save(w.cluster))
}

// finishSwitch publishes nt, the topology after a switch (or after its
// reversal), waits for the running routers to follow it, and releases
// the holds on the servers nt serves the moving tables from. It may run
// again after a kill: each of its steps can be repeated.
func (w *worker) finishSwitch(ctx context.Context, nt *topology.Topology) error {
	for i, name := range w.st.To {
		if j := w.st.Reuse[i]; j >= 0 {
			from, to := w.st.From[j], name
			if w.st.Reversed {
				from, to = to, from
			}
			if from == to {
				continue
			}
			if err := w.cluster.RenameShard(from, to); err != nil {
				return err
			}
		}
	}
	if err := w.cluster.Publish(nt); err != nil {
		return err
	}
	b, err := os.ReadFile(w.cluster.TopologyPath())
	if err != nil {
		return err
	}
	w.say("published the new topology; waiting for the running routers to follow it")
	behind, err := topology.WaitFollowers(ctx, w.cluster.TopologyPath(), topology.Version(b), w.cfg.FollowTimeout)
	if err != nil {
		return err
	}
	if len(behind) > 0 {
		w.say(fmt.Sprintf("warning: router process(es) %v did not follow the new topology within %v; their writes to moved rows may land on the old shards: restart them", behind, w.cfg.FollowTimeout))
	}
	// The servers that serve the moving tables now take writes again; a
	// move's old keyspace keeps its hold, so that a router that did not
	// follow fails loudly instead of writing where no one reads.
	var serving []string
	for _, s := range nt.Shards {
		if slices.Contains(w.st.Held, s.Primary.HostPort) && w.servesMoving(nt, s.Name) {
			serving = append(serving, s.Primary.HostPort)
		}
	}
	if err := w.release(ctx, serving); err != nil {
		return err
	}
	w.st.Switching = false
	return w.st.save(w.cluster)
}

// servesMoving reports whether shard name of t serves the moving tables.
func (w *worker) servesMoving(t *topology.Topology, name string) bool {
	if w.st.Move == nil {
		return true
	}
	ks, _ := topology.SplitShard(name)
	return ks == t.TableKeyspace(w.st.Move.Tables[0])
}

// kind names the workflow in messages.
func (w *worker) kind() string {
	if w.st.Move != nil {
		return "table move"
	}
	return "reshard"
}

// reverseCatchUp applies, from each target's binlog, the changes made
// since the switch to the moving tables' rows that belong elsewhere in
// the old layout, onto the old shards, saving each target's position as
// it is reached.
func (w *worker) reverseCatchUp(ctx context.Context) (int, error) {
	var olds []*sql.DB
	defer func() { closeAll(olds) }()
	for _, addr := range w.sourceAddrs() {
		db, err := w.open(addr)
		if err != nil {
			return 0, err
		}
		olds = append(olds, db)
	}
	total := 0
	for i, addr := range w.targetAddrs() {
		tables, err := w.appliers(ctx, addr, i == 0, w.st.From, olds, func(j int) bool { return w.st.Reuse[i] == j })
		if err != nil {
			return total, err
		}
		n, end, err := w.streamChanges(ctx, topology.Addr{HostPort: addr}, w.st.Reverse[i], tables)
		if err != nil {
			return total, fmt.Errorf("reverse from shard %s: %w", w.st.To[i], err)
		}
		total += n
		w.st.Reverse[i] = end
		if err := w.st.save(w.cluster); err != nil {
			return total, err
		}
		w.say(fmt.Sprintf("reverse: applied %d row change(s) from shard %s to the old shards", n, w.st.To[i]))
	}
	return total, nil
}

// reverse switches a switched online workflow back, as Vitess's
// ReverseTraffic does: it replays onto the old shards the changes made on
// the new ones since the switch, holds writes on the new shards, replays
// the rest, checks that both sides hold as many rows (reverseCountCheck;
// if not, it releases the holds and the new shards serve on), publishes
// the old topology, waits for the routers and lets writes through to the
// old shards. Then it ends the workflow: it removes the added shards (a
// move drops the tables from the target keyspace) and forgets the state;
// their holds go with them. Nothing written before or during the
// reversal is lost. Killed after the last replay
// (st.Reversed), it only finishes.
func (w *worker) reverse(ctx context.Context, res *Result) error {
	if len(w.st.Reverse) != len(w.st.To) {
		return errors.New("reshard: this workflow recorded no positions to reverse from")
	}
	if !w.st.Reversed {
		if err := w.preCatchUp(ctx, w.reverseCatchUp); err != nil {
			return err
		}
	}
	start := time.Now()
	if !w.st.Reversed {
		w.st.Switching = true
		if err := w.hold(ctx, w.targetAddrs(), "a "+w.kind()+" is switching back"); err != nil {
			return errors.Join(err, w.abandonReverse(ctx))
		}
		w.say(fmt.Sprintf("holding writes to %s on the new shards' primaries", strings.Join(w.shardedTables(), ", ")))
		hctx, cancel := context.WithTimeout(ctx, w.cfg.SwitchTimeout)
		_, err := w.reverseCatchUp(hctx)
		if err == nil {
			err = replica.WaitCaughtUp(hctx, w.st.OldTop, 0)
		}
		if err == nil {
			err = w.reverseCountCheck(hctx)
		}
		cancel()
		if err != nil {
			return errors.Join(err, w.abandonReverse(ctx))
		}
		w.st.Reversed = true
		if err := w.st.save(w.cluster); err != nil {
			w.st.Reversed = false
			return errors.Join(err, w.abandonReverse(ctx))
		}
	}
	if err := w.finishSwitch(ctx, w.oldTopology()); err != nil {
		return err
	}
	d := units.Ms(time.Since(start))
	res.Switch = &d
	w.results(res)
	w.say(fmt.Sprintf("reversed: writes to %s were held for %v; the old shards serve again", strings.Join(w.shardedTables(), ", "), d.Round(time.Millisecond)))
	return w.dropTargets(ctx)
}

// reverseCountCheck is the switch's count check the other way, while the
// new shards hold: each moving table's rows on the new side against the
// old. A primary key that does not hold the shard key is unique per
// shard only, so rows of two new shards may share one; the catch-up
// REPLACEs them onto one old shard, where one overwrites the other, and
// switching back would lose it.
func (w *worker) reverseCountCheck(ctx context.Context) error {
	_, err := w.countCheck(ctx, w.targetAddrs(), w.sourceAddrs(), "new", "old")
	if errors.Is(err, ErrMismatch) {
		err = fmt.Errorf("%w; rows whose primary key repeats across the new shards overwrite each other on the old ones (a primary key without the shard key is unique per shard only), so switching back would lose rows: the reversal is refused, the new shards go on serving and nothing was dropped (scalelab vdiff compares the two sides; --complete ends the workflow on the new shards)", err)
	}
	return err
}

// abandonReverse releases the holds of a reversal that did not happen:
// on the new side, which goes on serving. The old side keeps its own.
func (w *worker) abandonReverse(ctx context.Context) error {
	ctx = context.WithoutCancel(ctx)
	err := w.release(ctx, w.targetAddrs())
	w.st.Switching = false
	return errors.Join(err, w.st.save(w.cluster))
}

// cancel ends a workflow that has not switched: the old shards serve on,
// and what it added goes (the added shards, the copies on servers that
// keep serving, a move's tables in the target keyspace).
func (w *worker) cancel(ctx context.Context) error {
	if err := w.dropTargets(ctx); err != nil {
		return err
	}
	w.say("canceled " + w.st.describe() + ": the old shards serve on, and what it added is gone")
	return nil
}

// oldTopology is the topology before the workflow, on the servers the
// topology names now.
func (w *worker) oldTopology() *topology.Topology {
	if w.st.Move == nil {
		return w.st.OldTop
	}
	t := *w.current()
	t.Keyspaces = slices.Clone(w.st.OldTop.Keyspaces)
	return &t
}

// dropTargets deletes what a reversed workflow put on the new side: the
// copies on servers that keep serving, the added shards, or a move's
// tables in the target keyspace.
func (w *worker) dropTargets(ctx context.Context) error {
	if w.st.Move != nil {
		if !done(w.st, PhaseSchema) {
			return nil // it created nothing there yet
		}
		for i, addr := range w.targetAddrs() {
			db, err := w.open(addr)
			if err != nil {
				return err
			}
			for _, table := range w.shardedTables() {
				if _, err = db.ExecContext(ctx, "DROP TABLE IF EXISTS "+ident(table)); err != nil {
					break
				}
			}
			db.Close()
			if err != nil {
				return fmt.Errorf("drop the moved tables from shard %s: %w", w.st.To[i], err)
			}
		}
		return nil
	}
	// The copies on servers that keep serving: only an offline reshard
	// puts any there (an online one reuses a server for its own range).
	if !w.st.Online && done(w.st, PhaseAdded) {
		if err := w.clearReused(ctx); err != nil {
			return err
		}
	}
	var added []string
	for i, name := range w.st.To {
		if w.st.Reuse[i] < 0 && w.cluster.HasShard(name) {
			added = append(added, name)
		}
	}
	if len(added) == 0 {
		return nil
	}
	return w.cluster.RemoveShards(ctx, added)
}
