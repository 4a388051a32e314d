package router

import (
	"context"
	"errors"
	"fmt"
	"github.com/scalelab/scalelab/internal/units"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/shard"
	"github.com/scalelab/scalelab/topology"
)

// DefaultFollowInterval is how often a router with Config.TopologyPath
// looks at its topology file for a failover.
const DefaultFollowInterval = 250 * time.Millisecond

// Follow makes the router follow t, its topology after failovers (new
// primaries), after tables moved between keyspaces (scalelab movetables),
// and after a reshard (other shards). Statements planned after it go to
// the new primaries, keyspaces and shards; statements already planned
// finish where they were planned. It reports whether anything changed.
func (r *Router) Follow(t *topology.Topology) (bool, error) {
	r.followMu.Lock() // the file watch and a failover watcher may both call it
	defer r.followMu.Unlock()
	sets := r.Sets()
	if !slices.EqualFunc(t.Shards, sets, func(s topology.Shard, set *replica.Set) bool { return s.Name == set.Shard }) {
		return true, r.reshape(t)
	}
	changed := false
	for i, s := range t.Shards {
		c, err := sets[i].Follow(s)
		if err != nil {
			return changed, err
		}
		changed = changed || c
	}
	if old := r.Topology(); !sameKeyspaces(t.Keyspaces, old.Keyspaces) || !sameTables(t.Tables, old.Tables) {
		// (A table added to the topology's tables section, or taken
		// out, is sharded, or not, from the next statement on.)
		vs, err := newSchema(t)
		if err != nil {
			return changed, err
		}
		r.vs.replace(vs, nil)
		changed = true
	}
	r.topo.Store(t)
	return changed, nil
}

// retireGrace is how long the replica sets of the shards before a reshard
// stay open for the statements planned over them.
const retireGrace = 10 * time.Second

// reshape follows a topology whose shards are not the router's: it opens
// replica sets for t's shards and replaces the routing schema and the sets
// at once, so that no plan mixes the two. The old sets stay open for the
// statements planned over them for retireGrace, or until the router
// closes.
func (r *Router) reshape(t *topology.Topology) error {
	if err := t.Validate(); err != nil {
		return err
	}
	vs, err := newSchema(t)
	if err != nil {
		return err
	}
	sets, err := newSets(t, r.cfg.Replica)
	if err != nil {
		return err
	}
	for _, s := range sets {
		if err := s.Open(context.Background()); err != nil {
			for _, s := range sets {
				s.Close()
			}
			return fmt.Errorf("router: follow the reshard: %w", err)
		}
	}
	old := r.Sets()
	r.retired = append(r.retired, old...)
	r.vs.replace(vs, sets)
	for _, s := range old {
		s.Quiet()
	}
	// Statements planned over the old sets finish on them; after that
	// their pools and health checks only cost (and their servers may be
	// removed), so they close after a grace period.
	time.AfterFunc(retireGrace, func() {
		r.followMu.Lock()
		defer r.followMu.Unlock()
		for _, s := range old {
			if i := slices.Index(r.retired, s); i >= 0 {
				r.retired = slices.Delete(r.retired, i, i+1)
				s.Close()
			}
		}
	})
	r.topo.Store(t)
	// The sequences may live on another first shard now (a reshard moves
	// them there with their rows): reserve the next blocks there.
	r.seqMu.Lock()
	r.seqs = nil
	r.seqMu.Unlock()
	r.stats.reshapes.Add(1)
	return nil
}

// follow watches the topology file and follows it whenever it changes,
// until Close. A file that cannot be read or followed is reported once per
// change through Config.OnFollow.
func (r *Router) follow(path string, every time.Duration, last time.Time) {
	defer close(r.followDone)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-r.stopFollow:
			return
		case <-tick.C:
		case <-r.followNow:
		}
		last = r.followFile(path, last)
	}
}

// followFile follows the topology file at path if it changed since last,
// records the version it now routes by with the file's other followers,
// and returns the file's time.
func (r *Router) followFile(path string, last time.Time) time.Time {
	fi, err := os.Stat(path)
	if err != nil || fi.ModTime().Equal(last) {
		return last
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return last
	}
	t, err := topology.Parse(b)
	var changed bool
	if err == nil {
		changed, err = r.Follow(t)
	}
	if err == nil && r.follower != nil {
		err = r.follower.Report(topology.Version(b))
	}
	if r.cfg.OnFollow != nil && (changed || err != nil && !fi.ModTime().Equal(r.failedAt)) {
		r.cfg.OnFollow(err)
	}
	if err != nil {
		// Try again at the next look (a new primary that did not answer
		// yet, say), reporting the failure once per version of the file.
		r.failedAt = fi.ModTime()
		return last
	}
	return fi.ModTime()
}

// held reports whether a statement that failed with err should run again,
// planned anew, because a reshard's switch held it; it waits a little
// first, and asks the topology watch to look at the file. until is the
// end of the statement's buffer, set at its first hold.
//
// Only INSERT, UPDATE, DELETE and REPLACE run again: a hold refuses them
// whole, while a CALL or a statement the router could not parse may have
// changed other tables before the hold stopped it.
func (r *Router) held(ctx context.Context, st *Statement, err error, until *time.Time, tr *Trace) bool {
	if err == nil || st.Kind != Write || r.cfg.SwitchBuffer < 0 || !shard.IsHeld(err) || errors.As(err, new(*partialWrite)) {
		return false
	}
	now := time.Now()
	if until.IsZero() {
		*until = now.Add(r.cfg.SwitchBuffer)
		r.stats.held.Add(1)
	}
	if now.After(*until) {
		return false
	}
	select {
	case r.followNow <- struct{}{}:
	default:
	}
	wait := min(holdRetry, until.Sub(now))
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
		return false
	}
	if tr != nil {
		tr.Buffered += units.Ms(time.Since(now))
	}
	return true
}

// holdRetry is how often a held write tries again.
const holdRetry = 10 * time.Millisecond

// partialWrite is a multi-shard write that failed on one shard after
// others took it: it must not run again. It is an ErrPartialWrite, and
// names the shards that took their part, when it knows them.
type partialWrite struct {
	committed []string
	// shardByShard is a statement that runs, and commits itself, shard
	// by shard (DDL): it is no ErrPartialWrite, and keeps its server's
	// error (1050, a table that exists), which migration tools look for.
	shardByShard bool
	error
}

func (p *partialWrite) Unwrap() error { return p.error }

func (p *partialWrite) Is(target error) bool { return target == ErrPartialWrite && !p.shardByShard }

func (p *partialWrite) Error() string {
	if p.shardByShard {
		return fmt.Sprintf("router: the statement ran on shards %s, and failed on the next: %v", strings.Join(p.committed, ", "), p.error)
	}
	return fmt.Sprintf("%v (shards %s committed their part): %v", ErrPartialWrite, strings.Join(p.committed, ", "), p.error)
}

// buffered waits, for at most Config.FailoverBuffer from the statement's
// first wait, until the shard's roles are replaced (the router followed a
// failover) or its primary, which its health check saw down, answers
// again (a restart), and reports whether either came. With no buffer it
// returns false at once. The statement goes on with the context it
// returns, which carries the deadline.
func (r *Router) buffered(ctx context.Context, set *replica.Set, replaced <-chan struct{}, tr *Trace) (context.Context, bool) {
	if r.cfg.FailoverBuffer <= 0 {
		return ctx, false
	}
	// One deadline for the statement, however often its primary comes
	// back and fails again.
	deadline, ok := ctx.Value(bufferDeadlineKey{}).(time.Time)
	if !ok {
		deadline = time.Now().Add(r.cfg.FailoverBuffer)
		ctx = context.WithValue(ctx, bufferDeadlineKey{}, deadline)
	}
	r.stats.buffering.Add(1)
	defer r.stats.buffering.Add(-1)
	start := time.Now()
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	poll := time.NewTicker(bufferPoll)
	defer poll.Stop()
	sawDown, downs := set.PrimaryDown(), set.PrimaryDowns()
	for {
		select {
		case <-replaced:
		case <-poll.C:
			if callerGone(ctx) {
				return ctx, false
			}
			// The same primary back (a restart, no failover): its
			// health check saw it down, and now sees it answer (the
			// count of its outages moved, for one shorter than a poll).
			down := set.PrimaryDown()
			sawDown = sawDown || set.PrimaryDowns() != downs
			if !sawDown || down {
				sawDown = sawDown || down
				continue
			}
		case <-timer.C:
			return ctx, false
		case <-ctx.Done():
			return ctx, false
		}
		if callerGone(ctx) {
			return ctx, false
		}
		r.stats.buffered.Add(1)
		if tr != nil {
			tr.Buffered += units.Ms(time.Since(start))
		}
		return ctx, true
	}
}

// bufferDeadlineKey carries, in a buffered statement's context, when its
// buffering ends.
type bufferDeadlineKey struct{}

// callerGoneKey carries, in a statement's context, the function that
// tells whether its caller has left (see WithCallerGone).
type callerGoneKey struct{}

// WithCallerGone returns ctx for a statement whose caller may leave
// while it waits for a failover (Config.FailoverBuffer) without
// cancelling ctx, as a proxy's client that closes its connection: gone
// reports it, and a write that waits, never sent, is then dropped.
func WithCallerGone(ctx context.Context, gone func() bool) context.Context {
	return context.WithValue(ctx, callerGoneKey{}, gone)
}

// callerGone reports whether the caller of the statement of ctx has left
// (see WithCallerGone): its write, never sent, is dropped, as a server
// that was down never ran it, where it ran on the new primary unasked,
// and again when the client retried it.
func callerGone(ctx context.Context) bool {
	gone, ok := ctx.Value(callerGoneKey{}).(func() bool)
	return ok && gone()
}

// bufferPoll is how often a buffered write looks at its primary's health.
const bufferPoll = 50 * time.Millisecond

// notExecuted reports whether err says that a statement never ran: the
// server refused it as read-only, or no connection could be made or
// logged in (the server refused it, went away before the login's answer,
// or answered that it is shutting down). Only such a statement may run
// again elsewhere. A login the server answered with another error of its
// own (a bad password, too many connections) is no failover's sign: it
// fails at once.
func notExecuted(err error) bool {
	var le *replica.LoginError
	login := errors.As(err, &le)
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		// ER_OPTION_PREVENTS_STATEMENT, ER_READ_ONLY_MODE; and at the
		// login, ER_SERVER_SHUTDOWN.
		// A 1290 for another option (--secure-file-priv) is the
		// statement's own.
		readOnly := me.Number == 1290 && strings.Contains(strings.ToLower(me.Message), "read-only") || me.Number == 1836
		return readOnly || login && me.Number == 1053
	}
	return login || replica.Refused(err)
}

// sameKeyspaces reports whether a and b list the same keyspaces with the
// same tables, split the same way.
func sameKeyspaces(a, b []topology.Keyspace) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || !sameTables(a[i].Tables, b[i].Tables) {
			return false
		}
	}
	return true
}

// sameTables reports whether two tables sections shard the same tables
// by the same keys and vindexes.
func sameTables(a, b map[string]topology.Table) bool {
	if len(a) != len(b) {
		return false
	}
	for name, tb := range a {
		if o, ok := b[name]; !ok || o.Column != tb.Column || o.Vindex != tb.Vindex {
			return false
		}
	}
	return true
}
