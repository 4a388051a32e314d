// Package failover moves a shard's primary to one of its replicas: a planned
// switchover while the primary is alive, or an emergency reparent when it is
// not, as VTOrc, orchestrator and MaxScale's mariadbmon do. A former primary
// is fenced (read-only, and listed as a replica that does not replicate)
// until Rejoin checks it for errant transactions and points it at the new
// primary.
//
// It depends on a Cluster, which a sandbox provides (sandbox.Cluster), and
// on the flavor's statements; it does not start or stop servers.
package failover

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/scalelab/scalelab/internal/units"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/topology"
)

// Cluster is what failover needs: the topology in use, and a way to
// publish the next one (atomically) for every later command.
type Cluster interface {
	Topology() *topology.Topology
	Publish(t *topology.Topology) error
}

// reloader is a Cluster that other processes change too (a sandbox whose
// files another scalelab command writes): it reads them again.
type reloader interface{ Reload() error }

// current is the cluster's topology as it is now: read again when the
// cluster can be, so that a failover acts on, and publishes over, what
// another process published since (a failover of another shard), never
// an old copy. (A failed read keeps the last.)
func current(c Cluster) *topology.Topology {
	if r, ok := c.(reloader); ok {
		_ = r.Reload()
	}
	return c.Topology()
}

// Errors, wrapped by Run and Rejoin.
var (
	// ErrNoCandidate: no replica of the shard can be promoted.
	ErrNoCandidate = errors.New("failover: no replica can be promoted")
	// ErrPrimaryAlive: an emergency reparent was asked for a primary that
	// answers; a switchover is the safe way then.
	ErrPrimaryAlive = errors.New("failover: the primary answers")
	// ErrErrant: a former primary holds transactions the new primary does
	// not; it must not replicate them into the shard.
	ErrErrant = errors.New("failover: errant transactions")
	// ErrNotCaughtUp: the target did not apply the old primary's position
	// in time; the old primary is writable again.
	ErrNotCaughtUp = errors.New("failover: the target did not catch up")
)

// Kinds of Result.Kind.
const (
	Planned   = "planned"
	Emergency = "emergency"
)

// DefaultTimeout bounds waiting for a replica to apply what it must.
const DefaultTimeout = 30 * time.Second

// Config says which shard fails over, and to where.
type Config struct {
	Cluster Cluster
	// Shard is the shard's name, such as "0" or "-80".
	Shard string
	// To names the replica to promote (a node name from status, such as
	// "0/replica-2"). Empty means the most advanced replica.
	To string
	// Emergency reparents without the old primary, which must not answer.
	// Without it, Run makes a planned switchover if the primary answers and
	// an emergency reparent if it does not.
	Emergency bool
	// Timeout bounds each wait for replicas to apply; zero means
	// DefaultTimeout. ProbeTimeout bounds the check that the primary is
	// reachable; zero means 2 s.
	Timeout, ProbeTimeout time.Duration
	// Progress, if set, receives a line per step.
	Progress func(string)
}

// Result is what a failover did.
type Result struct {
	Shard string `json:"shard"`
	Kind  string `json:"kind"`
	// OldPrimary and Promoted are the nodes' names before the failover;
	// node names follow roles, so afterwards Promoted is NewPrimary (the
	// shard's primary) and the old primary is named in Fenced or Repointed.
	OldPrimary string `json:"old_primary"`
	Promoted   string `json:"promoted"`
	NewPrimary string `json:"new_primary"`
	// Position is the GTID position the new primary had applied when it
	// was promoted.
	Position string `json:"position"`
	// Repointed are the replicas that now replicate from the new primary;
	// Fenced is the old primary when it was not repointed (an emergency).
	// Both use the names the nodes have after the failover.
	Repointed []string `json:"repointed"`
	Fenced    string   `json:"fenced,omitempty"`
	// ReadOnly is how long the shard had no writable primary: from making
	// the old primary read-only (or, in an emergency, from the start) to
	// making the new one writable.
	ReadOnly units.Ms `json:"read_only_ms"`
	Took     units.Ms `json:"took_ms"`
}

// member is one node of the shard, with an admin connection, the
// credentials replicas use to connect to it, and whether the shard runs
// semi-sync.
type member struct {
	node     topology.Node
	db       *sql.DB
	repl     topology.Credentials
	semiSync bool
	// topo is the topology the member was opened from: it knows the link
	// a replica dials its source through under netsim.
	topo *topology.Topology
}

// Run fails the shard over and publishes the new topology: the promoted
// replica as the primary, the others after it, and the old primary last
// (replicating in a switchover, fenced in an emergency).
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Cluster == nil {
		return nil, errors.New("failover: Config.Cluster is nil")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.ProbeTimeout <= 0 {
		cfg.ProbeTimeout = 2 * time.Second
	}
	t := current(cfg.Cluster)
	f, err := flavor.Lookup(t.Flavor)
	if err != nil {
		return nil, err
	}
	idx := slices.IndexFunc(t.Shards, func(s topology.Shard) bool { return s.Name == cfg.Shard })
	if idx < 0 {
		return nil, fmt.Errorf("failover: no shard %q in topology %s", cfg.Shard, t.Name)
	}
	primary, replicas, closeAll, err := open(t, idx)
	if err != nil {
		return nil, err
	}
	defer closeAll()
	if len(replicas) == 0 {
		return nil, fmt.Errorf("%w: shard %s has none", ErrNoCandidate, cfg.Shard)
	}
	if cfg.To != "" && !slices.ContainsFunc(replicas, func(m member) bool { return m.node.Name == cfg.To }) {
		return nil, fmt.Errorf("%w: %s is not a replica of shard %s", ErrNoCandidate, cfg.To, cfg.Shard)
	}
	say := func(format string, args ...any) {
		if cfg.Progress != nil {
			cfg.Progress(fmt.Sprintf(format, args...))
		}
	}
	pctx, cancel := context.WithTimeout(ctx, cfg.ProbeTimeout)
	alive := primary.db.PingContext(pctx) == nil
	cancel()
	start := time.Now()
	res := &Result{Shard: cfg.Shard, OldPrimary: primary.node.Name}
	var promoted member
	var others []member
	switch {
	case cfg.Emergency && alive:
		return nil, fmt.Errorf("%w: %s; use a planned switchover (without --emergency)", ErrPrimaryAlive, primary.node.Name)
	case alive:
		res.Kind = Planned
		promoted, others, err = switchover(ctx, f, primary, replicas, cfg, res, say)
	default:
		res.Kind = Emergency
		say("%s does not answer: emergency reparent", primary.node.Name)
		promoted, others, err = reparent(ctx, f, replicas, cfg, res, say)
	}
	if err != nil {
		return nil, err
	}
	// The old primary goes last: in a switchover it replicates from the new
	// one; in an emergency it is fenced until Rejoin. The rest is the
	// topology as it is now: another process may have failed over another
	// shard while this one ran.
	latest := current(cfg.Cluster)
	if i := slices.IndexFunc(latest.Shards, func(s topology.Shard) bool { return s.Name == cfg.Shard }); i >= 0 && latest.Shards[i].Primary == t.Shards[idx].Primary {
		t, idx = latest, i
	}
	next := *t
	next.Shards = slices.Clone(t.Shards)
	sh := &next.Shards[idx]
	sh.Primary = topology.Addr{HostPort: promoted.node.Addr}
	sh.Replicas = nil
	for _, o := range others {
		sh.Replicas = append(sh.Replicas, topology.Addr{HostPort: o.node.Addr})
	}
	sh.Replicas = append(sh.Replicas, topology.Addr{HostPort: primary.node.Addr})
	if err := cfg.Cluster.Publish(&next); err != nil {
		return nil, fmt.Errorf("failover: publish the topology: %w", err)
	}
	renamed := map[string]string{} // old name → name after the failover
	for _, n := range t.Nodes() {
		for _, m := range next.Nodes() {
			if m.Addr == n.Addr {
				renamed[n.Name] = m.Name
			}
		}
	}
	res.Promoted, res.NewPrimary = promoted.node.Name, renamed[promoted.node.Name]
	for i, r := range res.Repointed {
		res.Repointed[i] = renamed[r]
	}
	if res.Fenced != "" {
		res.Fenced = renamed[res.Fenced]
	}
	res.Took = units.Ms(time.Since(start))
	say("published: %s is the primary of shard %s", promoted.node.Addr, cfg.Shard)
	if res.Kind == Emergency && Fence(ctx, f, primary.db, cfg.ProbeTimeout) == nil {
		// Not down, only cut off from here: whoever still reaches it
		// could write to it, so it is made read-only at once.
		say("%s answers again: made read-only", primary.node.Name)
	}
	return res, nil
}

// open connects to the shard's nodes as the admin user; closeAll closes
// the connections (on an error, open has closed those it made).
func open(t *topology.Topology, idx int) (primary member, replicas []member, closeAll func(), err error) {
	closeAll = func() {
		if primary.db != nil {
			primary.db.Close()
		}
		for _, r := range replicas {
			r.db.Close()
		}
	}
	for _, n := range t.Nodes() {
		if n.Shard != t.Shards[idx].Name {
			continue
		}
		db, err := t.OpenDB(n.Addr, t.AdminCredentials(), 2)
		if err != nil {
			closeAll()
			return member{}, nil, nil, fmt.Errorf("failover: %s: %w", n.Name, err)
		}
		m := member{node: n, db: db, repl: t.Replication, semiSync: t.SemiSync, topo: t}
		if n.Role == topology.Primary {
			primary = m
		} else {
			replicas = append(replicas, m)
		}
	}
	return primary, replicas, closeAll, nil
}

// switchover: the old primary stops taking writes, the target applies all
// it wrote, the target is promoted, and everyone else, the old primary
// included, replicates from it.
func switchover(ctx context.Context, f flavor.Flavor, old member, replicas []member, cfg Config, res *Result, say func(string, ...any)) (member, []member, error) {
	target := pick(replicas, cfg.To, nil)
	if err := execAll(ctx, old.db, f.SetReadOnly(true)...); err != nil {
		return member{}, nil, fmt.Errorf("failover: make %s read-only: %w", old.node.Name, err)
	}
	fenced := time.Now()
	say("%s is read-only", old.node.Name)
	pos, err := flavor.Position(ctx, old.db, f)
	if err != nil {
		return member{}, nil, unfence(ctx, f, old, fmt.Errorf("failover: %s: %w", old.node.Name, err))
	}
	ok, err := flavor.WaitApplied(ctx, target.db, f, pos, cfg.Timeout)
	if err == nil && !ok {
		err = fmt.Errorf("%w: %s has not applied %s after %v", ErrNotCaughtUp, target.node.Name, pos, cfg.Timeout)
	}
	if err != nil {
		return member{}, nil, unfence(ctx, f, old, err)
	}
	say("%s applied %s", target.node.Name, pos)
	if err := promote(ctx, f, target); err != nil {
		return member{}, nil, err
	}
	var others []member
	for _, r := range replicas {
		if r.node.Name != target.node.Name {
			others = append(others, r)
		}
	}
	for _, r := range others {
		if err := repoint(ctx, f, r, target, nil); err != nil {
			return member{}, nil, err
		}
		res.Repointed = append(res.Repointed, r.node.Name)
	}
	if err := repoint(ctx, f, old, target, f.PrepareRejoin()); err != nil {
		return member{}, nil, err
	}
	res.Repointed = append(res.Repointed, old.node.Name)
	if err := openWrites(ctx, f, target, len(res.Repointed)); err != nil {
		return member{}, nil, err
	}
	res.ReadOnly, res.Position = units.Ms(time.Since(fenced)), pos
	say("%s is the primary (writes paused %v)", target.node.Name, res.ReadOnly.Round(time.Millisecond))
	say("repointed %d replica(s), the old primary among them", len(res.Repointed))
	return target, others, nil
}

// Fence makes a former primary read-only, waiting at most timeout for it
// to answer. A primary that an emergency reparent replaced may be alive,
// cut off by a partition; once the partition heals, it must not take a
// write, so whoever watches fences it as soon as it answers.
func Fence(ctx context.Context, f flavor.Flavor, db *sql.DB, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return execAll(ctx, db, f.SetReadOnly(true)...)
}

// unfence makes the old primary writable again after a switchover that
// could not finish, and returns cause.
func unfence(ctx context.Context, f flavor.Flavor, old member, cause error) error {
	if err := execAll(ctx, old.db, f.SetReadOnly(false)...); err != nil {
		return fmt.Errorf("%w; and %s could not be made writable again: %v", cause, old.node.Name, err)
	}
	return fmt.Errorf("%w (%s is writable again)", cause, old.node.Name)
}

// reparent: without the primary, every replica stops receiving and applies
// what it received; the most advanced one (or cfg.To, if it is as
// advanced) is promoted and the others replicate from it.
func reparent(ctx context.Context, f flavor.Flavor, replicas []member, cfg Config, res *Result, say func(string, ...any)) (member, []member, error) {
	start := time.Now()
	positions := map[string]string{}
	var reachable []member
	for _, r := range replicas {
		pctx, cancel := context.WithTimeout(ctx, cfg.ProbeTimeout)
		err := r.db.PingContext(pctx)
		cancel()
		if err != nil {
			say("%s does not answer either: left out", r.node.Name)
			continue
		}
		if st, err := flavor.ReadReplicaStatus(ctx, r.db, f); err == nil && !st.Configured {
			// A fenced former primary (or a rebuilt node): it holds
			// none of the writes since it stopped, however its position
			// compares, and promoting it would lose them.
			say("%s replicates from no one (a fenced former primary?): left out", r.node.Name)
			continue
		}
		if _, err := r.db.ExecContext(ctx, f.StopIOThread()); err != nil {
			return member{}, nil, fmt.Errorf("failover: %s: stop receiving: %w", r.node.Name, err)
		}
		st, err := flavor.ReadReplicaStatus(ctx, r.db, f)
		if err != nil {
			return member{}, nil, fmt.Errorf("failover: %s: %w", r.node.Name, err)
		}
		if st.Received != "" {
			if ok, err := flavor.WaitApplied(ctx, r.db, f, st.Received, cfg.Timeout); err != nil || !ok {
				return member{}, nil, fmt.Errorf("%w: %s has not applied its relay log (%s) after %v (%v)", ErrNotCaughtUp, r.node.Name, st.Received, cfg.Timeout, err)
			}
		}
		pos, err := flavor.Position(ctx, r.db, f)
		if err != nil {
			return member{}, nil, fmt.Errorf("failover: %s: %w", r.node.Name, err)
		}
		positions[r.node.Name] = pos
		reachable = append(reachable, r)
		say("%s applied its relay log: %s", r.node.Name, pos)
	}
	if len(reachable) == 0 {
		return member{}, nil, fmt.Errorf("%w: no replica of shard %s answers", ErrNoCandidate, cfg.Shard)
	}
	target := pick(reachable, cfg.To, positions)
	if cfg.To != "" && target.node.Name != cfg.To {
		say("%s is behind %s: promoting %s instead, so that no write it has is lost", cfg.To, target.node.Name, target.node.Name)
	}
	if err := promote(ctx, f, target); err != nil {
		return member{}, nil, err
	}
	var others []member
	for _, r := range reachable {
		if r.node.Name == target.node.Name {
			continue
		}
		if err := repoint(ctx, f, r, target, nil); err != nil {
			return member{}, nil, err
		}
		others = append(others, r)
		res.Repointed = append(res.Repointed, r.node.Name)
	}
	if err := openWrites(ctx, f, target, len(others)); err != nil {
		return member{}, nil, err
	}
	res.ReadOnly, res.Position = units.Ms(time.Since(start)), positions[target.node.Name]
	say("%s is the primary", target.node.Name)
	for _, r := range replicas {
		if !slices.ContainsFunc(reachable, func(m member) bool { return m.node.Name == r.node.Name }) {
			others = append(others, r) // still listed; it rejoins when it answers
		}
	}
	res.Fenced = res.OldPrimary
	return target, others, nil
}

// pick returns the replica to promote: the most advanced by GTID position
// (when positions are known), else the named one, else the first.
func pick(replicas []member, to string, positions map[string]string) member {
	best := replicas[0]
	if i := slices.IndexFunc(replicas, func(m member) bool { return m.node.Name == to }); i >= 0 {
		best = replicas[i]
	}
	for _, r := range replicas {
		if positions != nil && flavor.NewerGTID(positions[r.node.Name], positions[best.node.Name]) {
			best = r
		}
	}
	return best
}

// promote makes a replica a primary with no source, still read-only:
// openWrites makes it writable once its replicas follow it.
func promote(ctx context.Context, f flavor.Flavor, m member) error {
	stmts := []string{f.StopReplica(), f.ResetReplica()}
	if m.semiSync {
		stmts = append(stmts, f.SemiSyncSource(true))
	}
	if err := execAll(ctx, m.db, stmts...); err != nil {
		return fmt.Errorf("failover: promote %s: %w", m.node.Name, err)
	}
	return nil
}

// semiSyncWait bounds how long a new semi-sync primary waits for a replica
// to connect before it takes writes.
const semiSyncWait = 5 * time.Second

// openWrites makes the new primary writable. With semi-sync and replicas
// repointed to it, it first waits (at most semiSyncWait) until one of them
// acknowledges as a semi-sync replica: a commit before that would wait out
// the server's semi-sync timeout, then be acknowledged asynchronously.
func openWrites(ctx context.Context, f flavor.Flavor, m member, replicas int) error {
	if m.semiSync && replicas > 0 {
		deadline := time.Now().Add(semiSyncWait)
		for time.Now().Before(deadline) {
			var name string
			var n int
			if err := m.db.QueryRowContext(ctx, f.SemiSyncClientsQuery()).Scan(&name, &n); err == nil && n > 0 {
				break
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
	if err := execAll(ctx, m.db, f.SetReadOnly(false)...); err != nil {
		return fmt.Errorf("failover: open writes on %s: %w", m.node.Name, err)
	}
	return nil
}

// repoint makes m replicate from primary with GTID auto-positioning, after
// running prepare.
func repoint(ctx context.Context, f flavor.Flavor, m, primary member, prepare []string) error {
	addr := topology.Addr{HostPort: m.topo.SourceAddr(m.node.Addr, primary.node.Addr)}
	host, port := addr.Host(), addr.Port()
	if port == 0 {
		return fmt.Errorf("failover: address %q: want host:port", addr)
	}
	if err := execAll(ctx, m.db, f.StopReplica()); err != nil {
		return fmt.Errorf("failover: repoint %s: %w", m.node.Name, err)
	}
	if err := execAll(ctx, m.db, f.SetReadOnly(true)...); err != nil {
		return fmt.Errorf("failover: repoint %s: %w", m.node.Name, err)
	}
	if m.semiSync {
		// A replica waits for no acknowledgement of its own commits.
		prepare = append([]string{f.SemiSyncSource(false)}, prepare...)
	}
	if err := execAll(ctx, m.db, prepare...); err != nil {
		return fmt.Errorf("failover: repoint %s: %w", m.node.Name, err)
	}
	q, args := f.ChangeSource(flavor.Source{Host: host, Port: port, User: primary.repl.Name, Password: primary.repl.Password})
	if _, err := m.db.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("failover: repoint %s at %s: %w", m.node.Name, primary.node.Name, err)
	}
	if err := execAll(ctx, m.db, f.StartReplica()); err != nil {
		return fmt.Errorf("failover: repoint %s: %w", m.node.Name, err)
	}
	return nil
}

func execAll(ctx context.Context, db *sql.DB, stmts ...string) error {
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// RejoinConfig says which former primary rejoins its shard.
type RejoinConfig struct {
	Cluster Cluster
	// Node is the node's name (a replica of its shard in the topology, as
	// a failover lists the old primary).
	Node     string
	Progress func(string)
}

// Rejoin makes a fenced former primary a replica of its shard's primary,
// after checking that it holds no transaction the primary lacks. A node
// with errant transactions is refused with ErrErrant, naming them: writes
// it acknowledged that never reached a replica were lost by the failover,
// and replicating them now would put them back into a history that has
// moved on without them.
func Rejoin(ctx context.Context, cfg RejoinConfig) error {
	t := current(cfg.Cluster)
	f, err := flavor.Lookup(t.Flavor)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(t.Nodes(), func(n topology.Node) bool { return n.Name == cfg.Node })
	if i < 0 {
		return fmt.Errorf("failover: no node %q in topology %s", cfg.Node, t.Name)
	}
	node := t.Nodes()[i]
	if node.Role != topology.Replica {
		return fmt.Errorf("failover: %s is its shard's primary: only a replica rejoins", node.Name)
	}
	idx := slices.IndexFunc(t.Shards, func(s topology.Shard) bool { return s.Name == node.Shard })
	primary, replicas, closeAll, err := open(t, idx)
	if err != nil {
		return err
	}
	defer closeAll()
	m := replicas[slices.IndexFunc(replicas, func(r member) bool { return r.node.Name == node.Name })]
	if err := execAll(ctx, m.db, f.SetReadOnly(true)...); err != nil {
		return fmt.Errorf("failover: fence %s: %w", m.node.Name, err)
	}
	mine, err := flavor.QueryText(ctx, m.db, f.GTIDStateQuery())
	if err != nil {
		return fmt.Errorf("failover: %s: %w", m.node.Name, err)
	}
	theirs, err := flavor.QueryText(ctx, primary.db, f.GTIDStateQuery())
	if err != nil {
		return fmt.Errorf("failover: %s: %w", primary.node.Name, err)
	}
	errant, err := flavor.Errant(ctx, primary.db, f, mine, theirs)
	if err != nil {
		return err
	}
	if errant != "" {
		return fmt.Errorf("%w: %s holds %s, which the primary %s does not: writes lost by the failover. It stays fenced (read-only, not replicating); rebuild it from the primary to bring it back", ErrErrant, m.node.Name, errant, primary.node.Name)
	}
	if cfg.Progress != nil {
		cfg.Progress(m.node.Name + " holds no errant transaction")
	}
	return repoint(ctx, f, m, primary, f.PrepareRejoin())
}

// WriteText prints what the failover did, a line each.
func (r *Result) WriteText(w io.Writer) error {
	_, err := fmt.Fprintf(w, "%s failover of shard %s in %v: %s is the primary (it was %s); no writable primary for %v\nposition: %s\nreplicating from it: %s\n",
		r.Kind, r.Shard, r.Took.Round(time.Millisecond), r.NewPrimary, r.Promoted, r.ReadOnly.Round(time.Millisecond), r.Position, strings.Join(r.Repointed, ", "))
	if err == nil && r.Fenced != "" {
		_, err = fmt.Fprintf(w, "fenced: %s, the old primary (%s): read-only when it starts; bring it back with scalelab failover --rejoin %s\n", r.Fenced, r.OldPrimary, r.Fenced)
	}
	return err
}
