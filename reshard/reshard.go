package reshard

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/scalelab/scalelab/internal/units"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/shard"
	"github.com/scalelab/scalelab/topology"
	"github.com/scalelab/scalelab/vschema"
	"vitess.io/vitess/go/vt/sqlparser"
)

// Phases, in order. The state file records the last one completed.
const (
	PhasePlanned  = "planned"
	PhaseAdded    = "shards-added"
	PhaseSchema   = "schema-copied"
	PhaseCopied   = "rows-copied"
	PhaseCaughtUp = "caught-up"
	PhaseVerified = "verified"
	PhaseSwitched = "switched"
	PhaseCleaned  = "cleaned"
)

var phases = []string{PhasePlanned, PhaseAdded, PhaseSchema, PhaseCopied, PhaseCaughtUp, PhaseVerified, PhaseSwitched, PhaseCleaned}

// Phases lists the phases, in order.
func Phases() []string { return slices.Clone(phases) }

// DefaultBatchRows is how many rows one copy INSERT or cleanup DELETE
// carries.
const DefaultBatchRows = 1000

const stateFile = "reshard.json"

var (
	// ErrStopped is returned when Config.StopAfter ended the run early, the
	// way a kill would; running again resumes.
	ErrStopped = errors.New("reshard: stopped")
	// ErrMismatch means verification found a key range whose rows differ
	// between the old and new layout; the topology was not switched (by a
	// --reverse: not switched back, and the new shards serve on).
	ErrMismatch = errors.New("reshard: verification failed")
)

// Cluster is what resharding needs from the servers it runs on. A sandbox
// is one (sandbox.Sandbox.Cluster); the caller wires it in.
type Cluster interface {
	// Topology is the topology in use.
	Topology() *topology.Topology
	// StateDir is where the workflow keeps its state file.
	StateDir() string
	// TopologyPath is the topology file that Publish writes and that
	// routers follow (router.Config.TopologyPath).
	TopologyPath() string
	// AddShards starts new shards, each a primary and replicas replicas
	// replicating from it, and returns their topology entries without
	// publishing them; say gets a line per step.
	AddShards(ctx context.Context, names []string, replicas int, say func(string)) ([]topology.Shard, error)
	// HasShard reports whether any server serves the named shard.
	HasShard(name string) bool
	// RemoveShards stops and deletes the servers of the named shards.
	RemoveShards(ctx context.Context, names []string) error
	// RenameShard records that shard from's servers now serve shard to.
	RenameShard(from, to string) error
	// Publish makes t the topology that every later reader sees.
	Publish(t *topology.Topology) error
}

// Config describes one resharding.
type Config struct {
	// Cluster is the running servers to reshard. Required.
	Cluster Cluster
	// Shards splits the keyspace into this many equal ranges (more than
	// now). Split instead names one range to split in two. Exactly one of
	// them is set, unless a resumed run's state already says.
	Shards int
	Split  string
	// BatchRows is the rows per copy INSERT and cleanup DELETE. Zero means
	// DefaultBatchRows.
	BatchRows int
	// Progress, if set, receives one line per step.
	Progress func(string)
	// Online copies while the application writes: each source's rows from
	// one consistent snapshot, then the changes logged after it, read from
	// the source's binlog and applied to the targets (phase caught-up), and
	// the run stops there. Run it again, online to catch up once more, or
	// plainly once writes are paused: it catches up the rest, verifies and
	// switches. MariaDB only.
	Online bool
	// Tables and ToKeyspace, when set, move those tables to another
	// keyspace instead (scalelab movetables): the same phases over the
	// keyspaces' own shards, with no shards added; the switch lists the
	// tables in keyspace ToKeyspace, and the cleanup drops them from
	// their old keyspace's shards. Shards and Split are then unused.
	Tables     []string
	ToKeyspace string
	// StopAfter ends the run with ErrStopped right after the named phase,
	// as if the process had been killed there. For tests and demos.
	StopAfter string
	// Switch switches an online workflow while the application writes
	// (with Online: copy, catch up and switch in one run). Writes to the
	// moving tables are held on the sources for the switch window, while
	// the last changes are applied and verified and every running router
	// follows the new topology; the old shards keep their rows, and
	// reverse replication is recorded, until Complete. See onlineSwitch.
	Switch bool
	// Reverse switches a switched online workflow back to the old shards
	// and ends it; Complete ends it the other way: it deletes the rows or
	// tables left on the old side. Cancel ends a workflow that has not
	// switched: it deletes what it added and forgets it. None takes other
	// options.
	Reverse, Complete, Cancel bool
	// SwitchTimeout bounds a switch's hold: past it the switch is
	// abandoned and writes go on to the old shards. Zero means
	// DefaultSwitchTimeout. FollowTimeout bounds the wait for running
	// routers to follow the new topology; zero means DefaultFollowTimeout.
	SwitchTimeout, FollowTimeout time.Duration
	// Rows, if set, hears how far the copy of each table is: done of
	// about total rows read on the sources (total is counted when the
	// copy starts; an online copy's sources change meanwhile). The last
	// call for a table has done == total. It suits progress.Bars.Update.
	Rows func(table string, done, total uint64)
	// ThrottleLag makes the copy wait while a replica of a source or
	// target shard lags more than this behind its primary. Zero means
	// DefaultThrottleLag; below zero, the copy never waits.
	ThrottleLag time.Duration
}

// TableResult is one table's movement.
type TableResult struct {
	Table string `json:"table"`
	Total int64  `json:"rows_total"`
	Moved int64  `json:"rows_moved"`
	// PerShard is the verified row count of each new shard: by the verify
	// of an offline run, by the switch's count check of an online one.
	PerShard map[string]int64 `json:"rows_per_shard"`
}

// Result is what a run did.
type Result struct {
	// Move is set for a move of tables between keyspaces.
	Move    *Move         `json:"move,omitempty"`
	From    []string      `json:"from"`
	To      []string      `json:"to"`
	Tables  []TableResult `json:"tables"`
	Resumed string        `json:"resumed_after,omitempty"`
	Elapsed units.Ms      `json:"elapsed_ms"`
	// Switch, for an online workflow's switch or reversal, is how long
	// writes to the moving tables were held: from the holds on the
	// sources until every running router followed the new topology and
	// the servers that serve were released. Null otherwise.
	Switch *units.Ms `json:"switch_window_ms"`
	// Stage is where the workflow stands after the run: StageDone (it
	// ended), StageSwitched (the new side serves; --complete or
	// --reverse ends it), StageReversed (the old side serves again, and
	// the workflow ended) or StageCanceled (it ended before a switch).
	Stage string `json:"stage"`
}

// Stages of a Result.
const (
	StageDone     = "done"
	StageSwitched = "switched"
	StageReversed = "reversed"
	StageCanceled = "canceled"
)

// Moved and Total sum the tables.
func (r *Result) Moved() (n int64) {
	for _, t := range r.Tables {
		n += t.Moved
	}
	return n
}

// Total is the number of rows in the sharded tables.
func (r *Result) Total() (n int64) {
	for _, t := range r.Tables {
		n += t.Total
	}
	return n
}

// state is the resumable record of a run.
type state struct {
	Phase  string                 `json:"phase"`
	From   []string               `json:"from"`
	To     []string               `json:"to"`
	Reuse  []int                  `json:"reuse"`
	Added  []topology.Shard       `json:"added"` // the new shards' servers
	OldTop *topology.Topology     `json:"old_topology"`
	Result map[string]TableResult `json:"result"`
	// ID tells one run from another of the same shards (vdiff keys its
	// record by it).
	ID string `json:"id,omitempty"`
	// Online says that the copy records each source's binlog position and
	// the changes after it are applied (catch-up) before the verify.
	// Positions are those positions, by source index, as applied so far.
	Online    bool              `json:"online,omitempty"`
	Positions map[int]BinlogPos `json:"positions,omitempty"`
	// Move, when set, is a move of tables between keyspaces: From are the
	// source keyspace's shards, To the target's, and Reuse is all -1.
	Move *Move `json:"move,omitempty"`
	// Held are the servers whose moving tables hold writes (shard
	// HoldStatements); Switching says a switch (or its reversal) is under
	// way. Reverse is, by target index, the targets' binlog positions
	// from which the changes made after the switch are replayed onto the
	// old shards; Reversed says the reversal has replayed them all.
	Held      []string          `json:"held,omitempty"`
	Switching bool              `json:"switching,omitempty"`
	Reverse   map[int]BinlogPos `json:"reverse,omitempty"`
	Reversed  bool              `json:"reversed,omitempty"`
	// Passengers are the unsharded tables (schema.table) that move with
	// the first key range to its new servers (see onlineReuse).
	Passengers []string `json:"passengers,omitempty"`
	// CaughtUpAt is, by source index, when the last catch-up reached the
	// position the source had then: what the targets lack is at most
	// that old.
	CaughtUpAt map[int]time.Time `json:"caught_up_at,omitempty"`
}

// Move is a move of tables from one keyspace to another.
type Move struct {
	Tables []string `json:"tables"`
	From   string   `json:"from_keyspace"`
	To     string   `json:"to_keyspace"`
}

func statePath(c Cluster) string { return filepath.Join(c.StateDir(), stateFile) }

func loadState(sb Cluster) (*state, error) {
	b, err := os.ReadFile(statePath(sb))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("reshard: %s: %w", statePath(sb), err)
	}
	return &st, nil
}

func (st *state) save(sb Cluster) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp := statePath(sb) + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, statePath(sb))
}

func done(st *state, phase string) bool {
	return slices.Index(phases, st.Phase) >= slices.Index(phases, phase)
}

// Run reshards cfg.Sandbox, resuming an interrupted run if its state file
// exists. It holds the sandbox's workflow lock while it runs, and returns
// an error wrapping ErrBusy, having done nothing, if another workflow
// command holds it (see LockDir).
func Run(ctx context.Context, cfg Config) (*Result, error) {
	start := time.Now()
	sb := cfg.Cluster
	if sb == nil || sb.Topology() == nil {
		return nil, errors.New("reshard: no sandbox (start one with scalelab up)")
	}
	lock, err := LockDir(sb.StateDir())
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	if cfg.BatchRows == 0 {
		cfg.BatchRows = DefaultBatchRows
	}
	if cfg.SwitchTimeout <= 0 {
		cfg.SwitchTimeout = DefaultSwitchTimeout
	}
	if cfg.FollowTimeout <= 0 {
		cfg.FollowTimeout = DefaultFollowTimeout
	}
	if cfg.ThrottleLag == 0 {
		cfg.ThrottleLag = DefaultThrottleLag
	}
	say := cfg.Progress
	if say == nil {
		say = func(string) {}
	}
	st, err := loadState(sb)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	if (cfg.Reverse || cfg.Complete) && (st == nil || !st.Online || !done(st, PhaseSwitched) || cfg.Reverse && cfg.Complete) {
		return nil, errors.New("reshard: --reverse and --complete end an online workflow that has switched (run with --switch), and only one of them at a time")
	}
	if cfg.Complete && st.Reversed {
		return nil, errors.New("reshard: this workflow is being reversed (a --reverse was interrupted): run it again with --reverse to finish that")
	}
	if cfg.Cancel && (st == nil || done(st, PhaseSwitched)) {
		return nil, errors.New("reshard: --cancel ends a workflow that has not switched; after a switch, --reverse switches back")
	}
	if st != nil {
		res.Resumed = st.Phase
		say(fmt.Sprintf("resuming %s after phase %q", st.describe(), st.Phase))
		if err := st.resumes(cfg); err != nil {
			return nil, err
		}
	} else {
		st, err = newState(sb.Topology(), cfg)
		if err != nil {
			return nil, err
		}
		if cfg.Switch && !cfg.Online {
			return nil, errors.New("reshard: no online workflow to switch: start one with --online, or switch in the same run with --online --switch")
		}
		st.ID = strconv.FormatInt(time.Now().UnixNano(), 36)
		st.Online = cfg.Online
		// A vdiff record of an earlier run of these shards is not this one's.
		if err := os.Remove(filepath.Join(sb.StateDir(), vdiffFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		switch {
		case st.Move != nil:
		case st.Online:
			st.Reuse = onlineReuse(st)
		default:
			if err := survey(ctx, st); err != nil {
				return nil, err
			}
		}
		if err := st.save(sb); err != nil {
			return nil, err
		}
		say("planned " + st.describe())
	}
	res.From, res.To, res.Move = st.From, st.To, st.Move
	w := &worker{cfg: cfg, cluster: sb, st: st, say: say}
	if st.Switching && !done(st, PhaseSwitched) {
		// A switch was killed before it switched: the old shards serve on.
		say("releasing the holds of a switch that was interrupted before it switched")
		if err := w.abandonSwitch(ctx); err != nil {
			return res, err
		}
	}
	if cfg.Cancel {
		if err := w.cancel(ctx); err != nil {
			return res, fmt.Errorf("reshard: cancel: %w", err)
		}
		err := w.forget(start, res)
		res.Stage = StageCanceled
		return res, err
	}
	if st.Reversed || cfg.Reverse {
		// A reversal, or the rest of one that was killed after it had
		// replayed everything: it is finished, whatever else was asked.
		if err := w.reverse(ctx, res); err != nil {
			return res, fmt.Errorf("reshard: reverse: %w", err)
		}
		err := w.forget(start, res)
		res.Stage = StageReversed
		return res, err
	}
	if st.Switching {
		// A switch was killed after it switched: publish again, and
		// release the holds once the routers follow.
		say("finishing a switch that was interrupted after it switched")
		if err := w.finishSwitch(ctx, w.newTopology()); err != nil {
			return res, err
		}
	}
	if st.Online && done(st, PhaseSwitched) && !cfg.Complete {
		// Switched already: say so (--complete or --reverse go on).
		w.results(res)
		res.Elapsed, res.Stage = units.Ms(time.Since(start)), StageSwitched
		return res, nil
	}
	if cfg.Online && !cfg.Switch {
		// An online run stops caught up, unless it switches.
		if cfg.StopAfter != "" && slices.Index(phases, cfg.StopAfter) > slices.Index(phases, PhaseCaughtUp) {
			return res, fmt.Errorf("reshard: an online run stops caught up, before %q: pause writes and run it without --online to verify and switch", cfg.StopAfter)
		}
		if cfg.StopAfter == "" {
			cfg.StopAfter = PhaseCaughtUp
		}
	}
	if cfg.StopAfter != "" && done(st, cfg.StopAfter) && !(st.Online && !done(st, PhaseSwitched) && (cfg.StopAfter == PhaseCaughtUp || cfg.StopAfter == PhaseVerified)) {
		return res, fmt.Errorf("%w: %s is past phase %q already (after %q): run again without --stop-after to go on", ErrStopped, st.describe(), cfg.StopAfter, st.Phase)
	}
	step := func(phase string, fn func() error) error {
		// Until an online workflow has switched, every run catches up and
		// verifies again: the application may have written since.
		again := st.Online && !done(st, PhaseSwitched) && (phase == PhaseCaughtUp || phase == PhaseVerified)
		if done(st, phase) && !again {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(); err != nil {
			return fmt.Errorf("reshard: %s: %w", phase, err)
		}
		st.Phase = phase
		if err := st.save(sb); err != nil {
			return err
		}
		say("done: " + phase)
		if cfg.StopAfter == phase {
			return fmt.Errorf("%w after phase %q: run again to resume", ErrStopped, phase)
		}
		return nil
	}
	for _, s := range []struct {
		phase string
		fn    func() error
	}{
		{PhaseAdded, func() error { return w.addShards(ctx) }},
		{PhaseSchema, func() error { return w.copySchema(ctx) }},
		{PhaseCopied, func() error {
			w.throttle = w.newThrottle()
			defer w.throttle.close()
			if err := w.countCopy(ctx); err != nil {
				return err
			}
			copy := w.copyRows
			if st.Online {
				copy = w.onlineCopy
			}
			if err := copy(ctx); err != nil {
				return err
			}
			for _, table := range w.shardedTables() {
				w.copyProgress(table, true)
			}
			return nil
		}},
		{PhaseCaughtUp, func() error {
			if st.Online {
				return w.catchUp(ctx)
			}
			return nil // offline: writes were paused for the copy
		}},
		{PhaseVerified, func() error {
			if st.Online {
				return nil // the switch verifies, while writes are held
			}
			return w.verify(ctx)
		}},
		{PhaseSwitched, func() error {
			if st.Online {
				return w.onlineSwitch(ctx, res)
			}
			return w.switchTopology(ctx)
		}},
		{PhaseCleaned, func() error { return w.cleanup(ctx) }},
	} {
		if s.phase == PhaseCleaned && st.Online && !cfg.Complete {
			// Until --complete, the old shards keep their rows, for
			// --reverse.
			w.results(res)
			res.Elapsed, res.Stage = units.Ms(time.Since(start)), StageSwitched
			return res, nil
		}
		// The holds left on the old side (the servers removed or the
		// tables dropped by the cleanup) go with them: released first,
		// they would let a router that never followed write there.
		if err := step(s.phase, s.fn); err != nil {
			return res, err
		}
	}
	return res, w.forget(start, res)
}

// Forget deletes the record of any workflow kept in the sandbox dir dir
// (its state and its vdiff's), for a sandbox that is purged. It holds
// the workflow lock while it does, and returns an error wrapping ErrBusy
// if a workflow command holds it: that command would go on writing the
// state.
func Forget(dir string) error {
	lock, err := LockDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil // no dir, no record
	}
	if err != nil {
		return err
	}
	defer lock.Release()
	return forgetIn(dir)
}

// forgetIn deletes the workflow's records in dir, under a lock held.
func forgetIn(dir string) error {
	for _, f := range []string{stateFile, vdiffFile} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// results fills res's tables from the state.
func (w *worker) results(res *Result) {
	res.Tables = nil
	for _, name := range sortedKeys(w.st.Result) {
		res.Tables = append(res.Tables, w.st.Result[name])
	}
}

// forget ends the workflow: it removes its state and vdiff record.
func (w *worker) forget(start time.Time, res *Result) error {
	if res.Tables == nil {
		w.results(res)
	}
	res.Elapsed, res.Stage = units.Ms(time.Since(start)), StageDone
	return forgetIn(w.cluster.StateDir())
}

func mustSplit(names []string, target string) []string {
	out, _ := shard.SplitName(names, target)
	return out
}

// describe names the run: a reshard's shards, or a move's tables.
func (st *state) describe() string {
	if m := st.Move; m != nil {
		return fmt.Sprintf("a move of %s from keyspace %s to %s", strings.Join(m.Tables, ", "), m.From, m.To)
	}
	return fmt.Sprintf("a reshard %v → %v", st.From, st.To)
}

// resumes checks that cfg asks for the interrupted run, or for nothing.
func (st *state) resumes(cfg Config) error {
	var other bool
	if m := st.Move; m != nil {
		other = cfg.Shards != 0 || cfg.Split != "" || (cfg.ToKeyspace != "" && (cfg.ToKeyspace != m.To || !slices.Equal(sortedSet(cfg.Tables), m.Tables)))
	} else {
		other = cfg.ToKeyspace != "" || (cfg.Shards != 0 && cfg.Shards != len(st.To)) || (cfg.Split != "" && !slices.Equal(mustSplit(st.From, cfg.Split), st.To))
	}
	if other {
		return fmt.Errorf("reshard: %s was interrupted and is in progress; run it again without other arguments to finish it", st.describe())
	}
	if (cfg.Online || cfg.Switch) && !st.Online {
		return fmt.Errorf("reshard: %s in progress copies offline, with writes paused; run it again without --online or --switch", st.describe())
	}
	return nil
}

func sortedSet(names []string) []string {
	out := slices.Clone(names)
	slices.Sort(out)
	return slices.Compact(out)
}

// newMove plans a move of cfg.Tables to keyspace cfg.ToKeyspace.
func newMove(t *topology.Topology, cfg Config) (*state, error) {
	if cfg.Shards != 0 || cfg.Split != "" {
		return nil, errors.New("reshard: move tables or reshard, not both")
	}
	if len(t.Keyspaces) == 0 {
		return nil, fmt.Errorf("reshard: topology %s has one keyspace: start a sandbox with keyspaces (scalelab up --keyspace …) to move tables between them", t.Name)
	}
	if !slices.Contains(t.KeyspaceNames(), cfg.ToKeyspace) {
		return nil, fmt.Errorf("reshard: no keyspace %s: the keyspaces are %s", cfg.ToKeyspace, strings.Join(t.KeyspaceNames(), ", "))
	}
	tables := sortedSet(cfg.Tables)
	if len(tables) == 0 {
		return nil, errors.New("reshard: name the tables to move")
	}
	rules := t.ShardedTables()
	from := ""
	for _, table := range tables {
		ks := t.TableKeyspace(table)
		switch {
		case ks == cfg.ToKeyspace:
			return nil, fmt.Errorf("reshard: table %s is in keyspace %s already", table, ks)
		case from != "" && ks != from:
			return nil, fmt.Errorf("reshard: tables %s and %s are in keyspaces %s and %s: move the tables of one keyspace at a time", tables[0], table, from, ks)
		case rules[table].Column == "":
			return nil, fmt.Errorf("reshard: table %s has no shard key in topology %s: list it in its keyspace with a column and a vindex, which the copy and the target keyspace need", table, t.Name)
		}
		from = ks
	}
	names := func(ks string) []string {
		var out []string
		for _, i := range t.KeyspaceShards(ks) {
			out = append(out, t.Shards[i].Name)
		}
		return out
	}
	old := *t
	st := &state{Phase: PhasePlanned, From: names(from), To: names(cfg.ToKeyspace), OldTop: &old, Result: map[string]TableResult{},
		Move: &Move{Tables: tables, From: from, To: cfg.ToKeyspace}}
	st.Reuse = make([]int, len(st.To))
	for i := range st.Reuse {
		st.Reuse[i] = -1 // the keyspaces share no servers: every row is copied
	}
	return st, nil
}

func newState(t *topology.Topology, cfg Config) (*state, error) {
	if cfg.ToKeyspace != "" || len(cfg.Tables) > 0 {
		return newMove(t, cfg)
	}
	if len(t.Keyspaces) > 0 {
		return nil, fmt.Errorf("reshard: topology %s has keyspaces (%s), and resharding one keyspace among several is not supported yet; move tables between keyspaces with scalelab movetables", t.Name, strings.Join(t.KeyspaceNames(), ", "))
	}
	from := t.ShardNames()
	var to []string
	var err error
	switch {
	case cfg.Shards > 0 && cfg.Split != "":
		return nil, errors.New("reshard: give --shards or --split, not both")
	case cfg.Shards > 0 && cfg.Shards == len(from):
		return nil, fmt.Errorf("reshard: topology %s has %d shards already: nothing to do (a run killed after its switch was finished by the run before this one)", t.Name, len(from))
	case cfg.Shards > 0:
		to, err = shard.GenerateNames(cfg.Shards)
	case cfg.Split != "":
		to, err = shard.SplitName(from, cfg.Split)
	default:
		return nil, errors.New("reshard: say how: --shards N or --split RANGE")
	}
	if err != nil {
		return nil, err
	}
	if len(t.Tables) == 0 {
		return nil, errors.New("reshard: the topology shards no tables: nothing to move (add a tables section)")
	}
	p, err := shard.PlanReshard(from, to)
	if err != nil {
		return nil, err
	}
	old := *t
	return &state{Phase: PhasePlanned, From: from, To: to, Reuse: p.Reuse, OldTop: &old, Result: map[string]TableResult{}}, nil
}

// survey counts, for every old shard, how many of its rows each new shard
// would own, and gives each old shard's servers to the new shard that keeps
// most of them in place.
func survey(ctx context.Context, st *state) error {
	w := &worker{st: st}
	stay := make([][]int64, len(st.From))
	for j := range stay {
		stay[j] = make([]int64, len(st.To))
	}
	for _, table := range w.shardedTables() {
		to, err := w.layout(table, st.To)
		if err != nil {
			return err
		}
		for j, old := range st.OldTop.Shards {
			db, err := w.open(old.Primary.HostPort)
			if err != nil {
				return err
			}
			err = scanKeys(ctx, db, table, to.key, func(k string) error {
				i, err := to.shardOf(k)
				stay[j][i]++
				return err
			})
			db.Close()
			if err != nil {
				return fmt.Errorf("reshard: survey %s on shard %s: %w", table, old.Name, err)
			}
		}
	}
	p := &shard.ReshardPlan{From: st.From, To: st.To, Reuse: st.Reuse}
	p.AssignByRows(stay)
	st.Reuse = p.Reuse
	return nil
}

// scanKeys streams a table's shard-key values.
func scanKeys(ctx context.Context, db *sql.DB, table, key string, fn func(string) error) error {
	rows, err := db.QueryContext(ctx, "SELECT CAST("+ident(key)+" AS CHAR) FROM "+ident(table))
	if err != nil {
		if isNoTable(err) {
			return nil
		}
		return err
	}
	defer rows.Close()
	var k string
	for rows.Next() {
		if err := rows.Scan(&k); err != nil {
			return err
		}
		if err := fn(k); err != nil {
			return err
		}
	}
	return rows.Err()
}

// worker carries one run's context.
type worker struct {
	cfg     Config
	cluster Cluster
	st      *state
	say     func(string)
	// throttle holds the copy back while replicas lag (nil: no check).
	throttle *throttle
	// copied and toCopy are, by table, the rows the copy has read and
	// about how many it will (Config.Rows).
	copied, toCopy map[string]uint64
}

// newTopology is the topology after the switch: new shard names, each on
// its reused or added servers.
func (w *worker) newTopology() *topology.Topology {
	t := *w.st.OldTop
	if m := w.st.Move; m != nil {
		// The same shards, on the servers the topology names now (a
		// failover since the move began may have replaced a primary); the
		// tables listed in their new keyspace.
		t = *w.current()
		rules := w.st.OldTop.ShardedTables()
		t.Keyspaces = slices.Clone(t.Keyspaces)
		for k := range t.Keyspaces {
			ks := &t.Keyspaces[k]
			tables := map[string]topology.Table{}
			for name, tb := range ks.Tables {
				if !slices.Contains(m.Tables, name) {
					tables[name] = tb
				}
			}
			if ks.Name == m.To {
				for _, name := range m.Tables {
					tables[name] = rules[name]
				}
			}
			ks.Tables = tables
		}
		return &t
	}
	t.Shards = nil
	added := map[string]topology.Shard{}
	for _, s := range w.st.Added {
		added[s.Name] = s
	}
	for i, name := range w.st.To {
		var sh topology.Shard
		if j := w.st.Reuse[i]; j >= 0 {
			sh = w.st.OldTop.Shards[j]
		} else {
			sh = added[name]
		}
		sh.Name = name
		t.Shards = append(t.Shards, sh)
	}
	return &t
}

// primary is the primary of new shard i.
func (w *worker) primary(i int) string {
	if w.st.Move != nil { // a move keeps the shards: find the target among them
		for _, s := range w.current().Shards {
			if s.Name == w.st.To[i] {
				return s.Primary.HostPort
			}
		}
	}
	return w.newTopology().Shards[i].Primary.HostPort
}

// current is the topology in use now: the cluster's, else the one the run
// began with.
func (w *worker) current() *topology.Topology {
	if w.cluster != nil && w.cluster.Topology() != nil {
		return w.cluster.Topology()
	}
	return w.st.OldTop
}

// sources are the shards the rows come from: every old shard, or the
// source keyspace's.
func (w *worker) sources() []topology.Shard {
	if w.st.Move == nil {
		return w.st.OldTop.Shards
	}
	var out []topology.Shard
	for _, s := range w.st.OldTop.Shards {
		if slices.Contains(w.st.From, s.Name) {
			out = append(out, s)
		}
	}
	return out
}

// open returns a pool to the server at addr whose sessions write through
// a switch's holds (shard.HoldBypass): the copy, the catch-up and the
// cleanup are the reshard's own writes.
func (w *worker) open(addr string) (*sql.DB, error) {
	t := w.st.OldTop
	cfg := t.MySQLConfig(addr, t.AdminCredentials())
	cfg.InterpolateParams = true
	cfg.Params = map[string]string{shard.HoldBypass: "1"}
	c, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	db := sql.OpenDB(c)
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	return db, nil
}

func (w *worker) addShards(ctx context.Context) error {
	if w.st.Move != nil {
		return nil // the target keyspace's shards run already
	}
	var names []string
	for i, name := range w.st.To {
		if w.st.Reuse[i] < 0 {
			names = append(names, name)
		}
	}
	// A resumed run may find some of them added already.
	have := map[string]bool{}
	for _, s := range w.st.Added {
		have[s.Name] = true
	}
	var missing []string
	for _, n := range names {
		if !have[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	// A run killed while adding them left some of their nodes behind,
	// maybe half-initialized and still running: start those over.
	if err := w.removeHalfAdded(ctx, missing); err != nil {
		return err
	}
	replicas := len(w.st.OldTop.Shards[0].Replicas)
	added, err := w.cluster.AddShards(ctx, missing, replicas, w.say)
	if err != nil {
		return err
	}
	w.st.Added = append(w.st.Added, added...)
	return nil
}

// removeHalfAdded stops and deletes the sandbox's nodes of the named new
// shards, if an interrupted run added any.
func (w *worker) removeHalfAdded(ctx context.Context, names []string) error {
	var found []string
	for _, name := range names {
		if w.cluster.HasShard(name) {
			found = append(found, name)
		}
	}
	if len(found) == 0 {
		return nil
	}
	w.say(fmt.Sprintf("removing the half-added shards %v of the interrupted run", found))
	return w.cluster.RemoveShards(ctx, found)
}

// shardedTables lists the tables that move: the topology's sharded
// tables, or the tables of a move.
func (w *worker) shardedTables() []string {
	if w.st.Move != nil {
		return w.st.Move.Tables
	}
	return sortedKeys(w.st.OldTop.Tables)
}

func (w *worker) copySchema(ctx context.Context) error {
	src, err := w.open(w.sources()[0].Primary.HostPort)
	if err != nil {
		return err
	}
	defer src.Close()
	targets := w.st.Added
	if w.st.Move != nil {
		for i, name := range w.st.To {
			targets = append(targets, topology.Shard{Name: name, Primary: topology.Addr{HostPort: w.primary(i)}})
		}
	}
	if w.st.Move != nil {
		if err := w.targetsEmpty(ctx, targets); err != nil {
			return err
		}
	}
	if err := w.findPassengers(ctx, src); err != nil {
		return err
	}
	for _, add := range targets {
		dst, err := w.open(add.Primary.HostPort)
		if err != nil {
			return err
		}
		for _, table := range w.shardedTables() {
			var name, ddl string
			err := src.QueryRowContext(ctx, "SHOW CREATE TABLE "+ident(table)).Scan(&name, &ddl)
			if isNoTable(err) {
				continue // listed in the topology but never created
			}
			if err != nil {
				dst.Close()
				return fmt.Errorf("read schema of %s: %w", table, err)
			}
			ddl = strings.Replace(ddl, "CREATE TABLE", "CREATE TABLE IF NOT EXISTS", 1)
			if _, err := dst.ExecContext(ctx, ddl); err != nil {
				dst.Close()
				return fmt.Errorf("create %s on shard %s: %w", table, add.Name, err)
			}
		}
		err = nil
		if add.Name == w.st.To[0] {
			err = w.copyPassengerSchema(ctx, src, dst)
		}
		dst.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// scan streams (key, row checksum, row values) of a table on one server.
func scan(ctx context.Context, db dbQuerier, table, key string, withValues bool, fn func(key string, crc uint32, cols []string, vals []any) error) error {
	return scanFrom(ctx, db, ident(table), ident(key), withValues, fn)
}

// scanAll streams the row checksums of a table named by a quoted,
// possibly qualified name.
func scanAll(ctx context.Context, db dbQuerier, from string, fn func(crc uint32)) error {
	return scanFrom(ctx, db, from, "1", false, func(_ string, crc uint32, _ []string, _ []any) error {
		fn(crc)
		return nil
	})
}

// scanFrom is scan over table from (quoted), with keyExpr as the key.
func scanFrom(ctx context.Context, db dbQuerier, from, keyExpr string, withValues bool, fn func(key string, crc uint32, cols []string, vals []any) error) error {
	colRows, err := db.QueryContext(ctx, "SELECT * FROM "+from+" LIMIT 0")
	if err != nil {
		if isNoTable(err) {
			return nil
		}
		return err
	}
	cols, _ := colRows.Columns()
	colRows.Close()
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = ident(c)
	}
	// The same row checksum as schema.ChecksumSQL: CRC32 of the columns
	// joined with '#', computed by the server.
	q := "SELECT CAST(" + keyExpr + " AS CHAR), CRC32(CONCAT_WS('#', " + strings.Join(quoted, ", ") + "))"
	if withValues {
		q += ", " + strings.Join(quoted, ", ")
	}
	q += " FROM " + from
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	n := 2
	if withValues {
		n += len(cols)
	}
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		k := text(vals[0])
		crc, _ := strconv.ParseUint(text(vals[1]), 10, 32)
		var rowVals []any
		if withValues {
			rowVals = append([]any(nil), vals[2:]...)
		}
		if err := fn(k, uint32(crc), cols, rowVals); err != nil {
			return err
		}
	}
	return rows.Err()
}

// text is a scanned value as text: the driver gives text columns as bytes
// and may give numbers as integers.
func text(v any) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return fmt.Sprint(v)
}

// layout is where a table's rows live in one set of shards: its shard-key
// column, and the routing schema of the table over those shards.
type layout struct {
	key string
	vs  *vschema.Schema
	tb  vschema.Table
	// sharded is false on a keyspace's one shard: every key maps to 0.
	sharded bool
	// index, when set, maps the routing schema's shard indexes (all the
	// topology's shards) to the layout's (one keyspace's).
	index map[int]int
}

// layout builds the table's layout over the shards named names.
func (w *worker) layout(table string, names []string) (layout, error) {
	if w.st.Move != nil {
		return w.moveLayout(table, names)
	}
	vs, err := vschema.Over(w.st.OldTop, names)
	if err != nil {
		return layout{}, err
	}
	tb, ok := vs.Table(table)
	if !ok {
		return layout{}, fmt.Errorf("reshard: table %s is not sharded in topology %s", table, w.st.OldTop.Name)
	}
	return layout{key: tb.Column, vs: vs, tb: tb, sharded: true}, nil
}

// moveLayout is a moved table's layout over one keyspace's shards, named
// names (the move's From or To): the routing schema of the topology in
// which the table lives there.
func (w *worker) moveLayout(table string, names []string) (layout, error) {
	t := w.st.OldTop
	if slices.Equal(names, w.st.To) {
		t = w.newTopology()
	}
	vs, err := vschema.New(t)
	if err != nil {
		return layout{}, err
	}
	l := layout{key: t.ShardedTables()[table].Column, vs: vs, index: map[int]int{}}
	for i, name := range names {
		l.index[slices.Index(t.ShardNames(), name)] = i
	}
	l.tb, l.sharded = vs.Table(table) // not on a keyspace's one shard
	return l, nil
}

// shardOf maps a key to its shard's index.
func (l layout) shardOf(key string) (int, error) {
	if !l.sharded {
		return 0, nil
	}
	i, err := l.vs.ShardOf(l.tb, key)
	if l.index != nil {
		i = l.index[i]
	}
	return i, err
}

// origin tells whether a row on old shard j belongs there in the old
// layout. Rows copied onto a reused server during this run do not, so a
// resumed or repeated scan never counts or copies them twice.
func (w *worker) origin(table string) (func(key string, j int) (bool, error), error) {
	from, err := w.layout(table, w.st.From)
	if err != nil {
		return nil, err
	}
	return func(key string, j int) (bool, error) {
		i, err := from.shardOf(key)
		return i == j, err
	}, nil
}

// moving returns the table's layout over the new shards, and whether a row
// on old shard j belongs there in the old layout (see origin).
func (w *worker) moving(table string) (layout, func(key string, j int) (bool, error), error) {
	to, err := w.layout(table, w.st.To)
	if err != nil {
		return layout{}, nil, err
	}
	belongs, err := w.origin(table)
	return to, belongs, err
}

func (w *worker) copyRows(ctx context.Context) error {
	dsts, err := w.openTargets()
	if err != nil {
		return err
	}
	defer closeAll(dsts)
	for _, table := range w.shardedTables() {
		to, belongs, err := w.moving(table)
		if err != nil {
			return err
		}
		tr := TableResult{Table: table, PerShard: map[string]int64{}}
		for j, old := range w.sources() {
			src, err := w.open(old.Primary.HostPort)
			if err != nil {
				return err
			}
			err = w.copyFrom(ctx, src, table, j, to, belongs, dsts, &tr)
			src.Close()
			if err != nil {
				return err
			}
		}
		w.st.Result[table] = tr
		w.say(fmt.Sprintf("%s: copied %d of %d rows", table, tr.Moved, tr.Total))
	}
	return nil
}

// openTargets opens a pool to every target shard's primary.
func (w *worker) openTargets() ([]*sql.DB, error) {
	dsts := make([]*sql.DB, len(w.st.To))
	for i := range w.st.To {
		var err error
		if dsts[i], err = w.open(w.primary(i)); err != nil {
			closeAll(dsts[:i])
			return nil, err
		}
	}
	return dsts, nil
}

func closeAll(dbs []*sql.DB) {
	for _, db := range dbs {
		db.Close()
	}
}

// copyFrom copies the rows of table on source j (read through q) that
// belong there to their target shards, in batches of BatchRows; rows whose
// target is source j's own servers stay where they are. tr counts them.
func (w *worker) copyFrom(ctx context.Context, q dbQuerier, table string, j int, to layout, belongs func(string, int) (bool, error), dsts []*sql.DB, tr *TableResult) error {
	batches := map[int][][]any{}
	var cols []string
	flush := func(i int) error {
		if len(batches[i]) == 0 {
			return nil
		}
		err := insertIgnore(ctx, dsts[i], table, cols, batches[i])
		n := len(batches[i])
		batches[i] = batches[i][:0]
		if err != nil {
			return fmt.Errorf("copy %s into shard %s: %w", table, w.st.To[i], err)
		}
		if err := w.throttle.wait(ctx); err != nil {
			return err
		}
		w.say(fmt.Sprintf("%s: %d rows into shard %s", table, n, w.st.To[i]))
		return nil
	}
	err := scan(ctx, q, table, to.key, true, func(k string, _ uint32, c []string, vals []any) error {
		cols = c
		if ok, err := belongs(k, j); !ok || err != nil {
			return err
		}
		tr.Total++
		w.copyProgress(table, false)
		i, err := to.shardOf(k)
		if err != nil || w.st.Reuse[i] == j {
			return err // stays on the same servers
		}
		tr.Moved++
		batches[i] = append(batches[i], vals)
		if len(batches[i]) >= w.cfg.BatchRows {
			return flush(i)
		}
		return nil
	})
	for i := range batches {
		if err == nil {
			err = flush(i)
		}
	}
	return err
}

// countCopy counts, for Config.Rows, the rows each table has on the
// sources.
func (w *worker) countCopy(ctx context.Context) error {
	w.copied, w.toCopy = map[string]uint64{}, map[string]uint64{}
	if w.cfg.Rows == nil {
		return nil
	}
	for _, old := range w.sources() {
		db, err := w.open(old.Primary.HostPort)
		if err != nil {
			return err
		}
		for _, table := range w.shardedTables() {
			var n uint64
			err = db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+ident(table)).Scan(&n)
			if isNoTable(err) {
				err = nil
			}
			if err != nil {
				break
			}
			w.toCopy[table] += n
		}
		db.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// copyProgress counts one more row of table read (or, when last, that
// the table's copy is done) and tells Config.Rows every few hundred.
func (w *worker) copyProgress(table string, last bool) {
	if w.cfg.Rows == nil || w.copied == nil {
		return
	}
	if last {
		w.cfg.Rows(table, w.copied[table], w.copied[table])
		return
	}
	w.copied[table]++
	if n := w.copied[table]; n == 1 || n%500 == 0 {
		w.cfg.Rows(table, n, max(w.toCopy[table], n+1))
	}
}

// insertIgnore writes rows, skipping ones already there, so that a resumed
// copy does not fail or duplicate.
func insertIgnore(ctx context.Context, db *sql.DB, table string, cols []string, rows [][]any) error {
	return insertInto(ctx, db, "INSERT IGNORE", ident(table), cols, rows)
}

// insertInto writes rows into table (quoted) with verb: INSERT IGNORE or
// REPLACE.
func insertInto(ctx context.Context, db *sql.DB, verb, table string, cols []string, rows [][]any) error {
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = ident(c)
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	var b strings.Builder
	b.WriteString(verb + " INTO " + table + " (" + strings.Join(quoted, ", ") + ") VALUES ")
	args := make([]any, 0, len(rows)*len(cols))
	for n, r := range rows {
		if n > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
		args = append(args, r...)
	}
	_, err := db.ExecContext(ctx, b.String(), args...)
	return err
}

// sum is a key range's row count and XOR of row checksums.
type sum struct {
	n   int64
	crc uint32
}

func (w *worker) verify(ctx context.Context) error {
	for _, table := range w.shardedTables() {
		to, belongs, err := w.moving(table)
		if err != nil {
			return err
		}
		key := to.key
		want := make([]sum, len(w.st.To))
		for j, old := range w.sources() {
			src, err := w.open(old.Primary.HostPort)
			if err != nil {
				return err
			}
			err = scan(ctx, src, table, key, false, func(k string, crc uint32, _ []string, _ []any) error {
				if ok, err := belongs(k, j); !ok || err != nil {
					return err
				}
				i, err := to.shardOf(k)
				if err != nil {
					return err
				}
				want[i].n++
				want[i].crc ^= crc
				return nil
			})
			src.Close()
			if err != nil {
				return err
			}
		}
		tr := w.st.Result[table]
		if tr.PerShard == nil {
			tr.PerShard = map[string]int64{}
		}
		for i, name := range w.st.To {
			dst, err := w.open(w.primary(i))
			if err != nil {
				return err
			}
			var got sum
			stray := int64(0)
			err = scan(ctx, dst, table, key, false, func(k string, crc uint32, _ []string, _ []any) error {
				t, err := to.shardOf(k)
				if err != nil || t != i {
					if w.st.Move != nil && err == nil {
						stray++ // a move's target holds only its own rows
					}
					return err // rows that will leave this shard are not its
				}
				got.n++
				got.crc ^= crc
				return nil
			})
			dst.Close()
			if err != nil {
				return err
			}
			if stray > 0 {
				return fmt.Errorf("%w: table %s, key range %s: %d rows of other key ranges on the target shard; they would stay where no lookup finds them", ErrMismatch, table, name, stray)
			}
			if got != want[i] {
				return fmt.Errorf("%w: table %s, key range %s: %d rows (checksum %08x) on the new shard, %d rows (checksum %08x) expected",
					ErrMismatch, table, name, got.n, got.crc, want[i].n, want[i].crc)
			}
			tr.PerShard[name] = got.n
		}
		w.st.Result[table] = tr
		w.say(fmt.Sprintf("%s: every key range verified (count and BIT_XOR of CRC32)", table))
	}
	return nil
}

func (w *worker) switchTopology(ctx context.Context) error {
	nt := w.newTopology()
	// Reads go to replicas: every target replica holds the copied rows
	// before any read is routed there.
	if err := replica.WaitCaughtUp(ctx, nt, 0); err != nil {
		return fmt.Errorf("wait for the new shards' replicas: %w", err)
	}
	for i, name := range w.st.To {
		if j := w.st.Reuse[i]; j >= 0 {
			if err := w.cluster.RenameShard(w.st.From[j], name); err != nil {
				return err
			}
		}
	}
	return w.cluster.Publish(nt)
}

func (w *worker) cleanup(ctx context.Context) error {
	if w.st.Move != nil {
		return w.dropMoved(ctx)
	}
	for _, table := range w.shardedTables() {
		to, err := w.layout(table, w.st.To)
		if err != nil {
			return err
		}
		key := to.key
		var deleted int64
		for i := range w.st.To {
			if w.st.Reuse[i] < 0 {
				continue // new servers hold only their own rows
			}
			db, err := w.open(w.primary(i))
			if err != nil {
				return err
			}
			n, err := w.deleteKeys(ctx, db, table, key, func(k string) (bool, error) {
				t, err := to.shardOf(k)
				return t == i, err
			})
			db.Close()
			if err != nil {
				return fmt.Errorf("delete moved %s rows from shard %s: %w", table, w.st.To[i], err)
			}
			deleted += n
		}
		w.say(fmt.Sprintf("%s: deleted %d moved rows from their old shards", table, deleted))
	}
	return w.removeOld(ctx)
}

// targetsEmpty refuses a move onto shards that hold rows of a moving
// table already: they did not come from this move, and would be mixed
// with its copy.
func (w *worker) targetsEmpty(ctx context.Context, targets []topology.Shard) error {
	for _, sh := range targets {
		db, err := w.open(sh.Primary.HostPort)
		if err != nil {
			return err
		}
		for _, table := range w.shardedTables() {
			var one int
			err = db.QueryRowContext(ctx, "SELECT 1 FROM "+ident(table)+" LIMIT 1").Scan(&one)
			switch {
			case errors.Is(err, sql.ErrNoRows), isNoTable(err):
				err = nil
			case err == nil:
				err = fmt.Errorf("table %s holds rows on shard %s of keyspace %s already: drop it there first (it is not the table being moved)", table, sh.Name, w.st.Move.To)
			}
			if err != nil {
				break
			}
		}
		db.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// deleteKeys deletes from table on db, in batches of BatchRows, the rows
// whose shard key keep refuses, and returns how many keys it deleted.
func (w *worker) deleteKeys(ctx context.Context, db *sql.DB, table, key string, keep func(k string) (bool, error)) (int64, error) {
	var gone []string
	err := scan(ctx, db, table, key, false, func(k string, _ uint32, _ []string, _ []any) error {
		ok, err := keep(k)
		if err == nil && !ok {
			gone = append(gone, k)
		}
		return err
	})
	for start := 0; err == nil && start < len(gone); start += w.cfg.BatchRows {
		end := min(start+w.cfg.BatchRows, len(gone))
		args := make([]any, end-start)
		for n, k := range gone[start:end] {
			args[n] = k
		}
		_, err = db.ExecContext(ctx, "DELETE FROM "+ident(table)+" WHERE "+ident(key)+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")+")", args...)
	}
	return int64(len(gone)), err
}

// Server errors the workflow expects to meet.
const (
	errNoDatabase = 1049 // unknown database
	errNoThread   = 1094 // unknown thread id: the statement to kill ended
	errLockWait   = 1205 // lock wait timeout
	errNoTable    = 1146 // table doesn't exist
)

// isErr reports whether err is the server's error number n.
func isErr(err error, n uint16) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == n
}

// isNoTable reports whether err is the server's "table doesn't exist".
func isNoTable(err error) bool { return isErr(err, errNoTable) }

// dropMoved drops the moved tables from their old keyspace's shards,
// after the switch: the routing no longer sends anything there.
func (w *worker) dropMoved(ctx context.Context) error {
	for _, sh := range w.sources() {
		db, err := w.open(sh.Primary.HostPort)
		if err != nil {
			return err
		}
		for _, table := range w.shardedTables() {
			if _, err = db.ExecContext(ctx, "DROP TABLE IF EXISTS "+ident(table)); err != nil {
				err = fmt.Errorf("drop %s from shard %s: %w", table, sh.Name, err)
				break
			}
		}
		db.Close()
		if err != nil {
			return err
		}
	}
	w.say(fmt.Sprintf("dropped %s from keyspace %s", strings.Join(w.shardedTables(), ", "), w.st.Move.From))
	return nil
}

func ident(name string) string { return sqlparser.String(sqlparser.NewIdentifierCS(name)) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
