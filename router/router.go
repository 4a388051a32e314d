package router

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	"github.com/jmoiron/sqlx/reflectx"
	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/internal/units"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/shard"
	"github.com/scalelab/scalelab/topology"
	"github.com/scalelab/scalelab/vschema"
)

// Defaults for Config fields.
const (
	DefaultConsistency     = Eventual
	DefaultGTIDWaitTimeout = time.Second
	DefaultSwitchBuffer    = 10 * time.Second
)

var (
	// ErrNeedsSession is returned for statements that change connection
	// state (BEGIN, SET, USE) when sent to the pooled Router: across a pool
	// they would change one random connection. Use a Session or BeginTx.
	ErrNeedsSession = errors.New("router: statement changes session state; run it on a router.Session (the proxy gives every client one) or use BeginTx")
	// ErrClosed is returned after Close.
	ErrClosed = errors.New("router: closed")
)

// Config tunes a Router. The zero value is usable.
type Config struct {
	// Replica configures every shard's replica set: pools, balancing,
	// MaxLag, fallback, heartbeat and health.
	Replica replica.Config
	// Consistency is the default mode for reads. Empty means eventual;
	// Router.With and Session.SetConsistency choose another.
	Consistency Consistency
	// GTIDWaitTimeout bounds a read-your-writes wait on a replica before
	// the read falls back to the primary. Zero means 1s.
	GTIDWaitTimeout time.Duration
	// CacheSize is how many statement texts keep their classification.
	// Zero means DefaultCacheSize.
	CacheSize int
	// AllowMultiShardWrites lets UPDATE and DELETE without the shard key run
	// on every shard. False (the default) refuses them with
	// ErrMultiShardWrite; AllowMultiShardWrites(ctx) allows one call.
	AllowMultiShardWrites bool
	// TopologyPath, if set, is the topology file the router watches (every
	// FollowInterval, default DefaultFollowInterval): when a failover
	// replaces it, the router follows the new primaries without a restart
	// (see Follow). OnFollow, if set, hears of each change followed (nil)
	// or refused (an error).
	TopologyPath   string
	FollowInterval time.Duration
	OnFollow       func(error)
	// FailoverBuffer, when above zero, makes a statement for a shard's
	// primary that could not run there (the primary is down, or refused it
	// as read-only, so it did not execute) wait up to this long for the
	// router to follow a failover, and then run on the new primary, as
	// vtgate buffers. Past it, the statement fails as it did. Statements
	// inside a transaction are never retried, but one that begins the
	// transaction's branch on a shard waits as an autocommit write does:
	// nothing ran there yet. Zero means no buffering.
	FailoverBuffer time.Duration
	// SwitchBuffer is how long a write that a reshard's switch held (see
	// shard.IsHeld: the statement changed nothing) waits, planned again
	// and retried every few milliseconds, for the switch to end; the
	// router follows the new topology meanwhile when it watches
	// TopologyPath. Statements inside a transaction, and writes that a
	// hold stopped after other shards took them, are not retried. Zero
	// means DefaultSwitchBuffer; below zero, held writes fail at once.
	SwitchBuffer time.Duration
	// Logf receives what the router has to tell beyond a statement's
	// error: the stack of a statement that panicked (ErrInternal). Nil
	// means the standard library's log package (stderr).
	Logf func(format string, args ...any)
	// TestPanic is for tests only, and nil everywhere else: when set, it
	// is called with a place and the statement's text where a statement
	// holds its shard results ("single-shard" once its one shard's
	// answer is in, "scatter" once every shard's is), so that a test can
	// make the statement panic there, as a bug would, and check that
	// nothing it held leaks (see ErrInternal).
	TestPanic func(at, query string)
}

// Router routes SQL over a topology: reads to replicas, writes, DDL,
// locking reads and transactions to the primary. Its methods are safe for
// concurrent use; they behave like one sql.DB over the whole topology.
type Router struct {
	// statements gives the Router ExecContext, QueryContext, GetContext
	// and SelectContext, in the router's own consistency mode.
	statements
	topo     atomic.Pointer[topology.Topology] // replaced by Follow
	followMu sync.Mutex
	cfg      Config
	// retired are the replica sets of the shards before a reshard
	// (Follow); statements planned before it may still run on them, so
	// they close with the router.
	retired []*replica.Set
	cls     *classifier
	// stopFollow ends the topology file watch, which closes followDone;
	// followNow asks the watch to look at the file at once (a write was
	// held by a switch).
	stopFollow, followDone chan struct{}
	followNow              chan struct{}
	// follower records the topology version the router routes by, for a
	// reshard's switch to wait on; failedAt is the time of the file's
	// version that the router last failed to follow (reported once).
	follower *topology.Follower
	failedAt time.Time
	stats    counters
	gtids    gtids // read-your-writes positions of router-level calls
	vs       routing
	// sortKeys caches parsed sort-key expressions by the text they sort.
	sortKeys struct {
		sync.Mutex
		m map[string][2]sqlparser.Expr
	}

	mergeDB *sql.DB // hands merged scatter results back as *sql.Rows
	// mapper maps struct fields to columns when scatter results are scanned
	// (sqlx's own rules: the db tag, else the lower-cased name). It caches
	// each type's fields, so it is made once, not per query.
	mapper *reflectx.Mapper
	seqMu  sync.Mutex
	seqs   map[string]*shard.Sequence
	// keys are the types of the sharded tables' key columns, as read
	// for their INSERTs (see keyColumns).
	keys keyColumns
	// autos are the AUTO_INCREMENT columns of the tables inserted into
	// (see Session.generated).
	autos autoColumns
	// mainDB is the topology's main node, which holds the sequences when
	// the topology names one; nil means they live on the first shard.
	mainDB *sql.DB
}

// New builds a Router over t. It validates cfg and creates the pools but
// does no I/O; call Open before use.
func New(t *topology.Topology, cfg Config) (*Router, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if cfg.Consistency == "" {
		cfg.Consistency = DefaultConsistency
	}
	if _, err := ParseConsistency(string(cfg.Consistency)); err != nil {
		return nil, err
	}
	if cfg.GTIDWaitTimeout == 0 {
		cfg.GTIDWaitTimeout = DefaultGTIDWaitTimeout
	}
	if cfg.SwitchBuffer == 0 {
		cfg.SwitchBuffer = DefaultSwitchBuffer
	}
	cls, err := newClassifier(cfg.CacheSize)
	if err != nil {
		return nil, fmt.Errorf("router: parser: %w", err)
	}
	vs, err := newSchema(t)
	if err != nil {
		return nil, err
	}
	if cfg.Replica.PrimaryWait == 0 {
		// A write sent to a primary that stopped answering waits as
		// long as one that waits for it.
		cfg.Replica.PrimaryWait = cfg.FailoverBuffer
	}
	r := &Router{cfg: cfg, cls: cls, mergeDB: newMergeDB(), mapper: reflectx.NewMapperFunc("db", strings.ToLower), followNow: make(chan struct{}, 1)}
	r.topo.Store(t)
	r.statements = r.With(cfg.Consistency).statements
	sets, err := newSets(t, cfg.Replica)
	if err != nil {
		return nil, err
	}
	r.vs.replace(vs, sets)
	if t.Main != nil {
		mc := t.MySQLConfig(t.Main.HostPort, t.User)
		mc.DBName = "" // the sequences name their own database
		conn, err := mysql.NewConnector(mc)
		if err != nil {
			r.closeSets()
			return nil, fmt.Errorf("router: main node %s: %w", t.Main, err)
		}
		r.mainDB = sql.OpenDB(conn)
	}
	return r, nil
}

// Open starts every replica set's heartbeat, lag and health work, and the
// watch of Config.TopologyPath.
func (r *Router) Open(ctx context.Context) error {
	for _, s := range r.Sets() {
		if err := s.Open(ctx); err != nil {
			return err
		}
	}
	if err := r.checkLexing(ctx); err != nil {
		return err
	}
	if r.cfg.TopologyPath != "" && r.stopFollow == nil {
		every := r.cfg.FollowInterval
		if every <= 0 {
			every = DefaultFollowInterval
		}
		f, err := topology.NewFollower(r.cfg.TopologyPath)
		if err != nil {
			return err
		}
		r.follower = f
		last := r.followFile(r.cfg.TopologyPath, time.Time{})
		r.stopFollow, r.followDone = make(chan struct{}), make(chan struct{})
		go r.follow(r.cfg.TopologyPath, every, last)
	}
	return nil
}

// Open is New followed by (*Router).Open.
func Open(ctx context.Context, t *topology.Topology, cfg Config) (*Router, error) {
	r, err := New(t, cfg)
	if err != nil {
		return nil, err
	}
	if err := r.Open(ctx); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// Close stops background work and closes every pool.
func (r *Router) Close() error { return r.closeSets() }

func (r *Router) closeSets() error {
	if r.stopFollow != nil {
		close(r.stopFollow)
		<-r.followDone
		r.stopFollow = nil
	}
	if r.follower != nil {
		_ = r.follower.Close()
		r.follower = nil
	}
	var errs []error
	if r.vs.sets.Load() != nil {
		r.followMu.Lock()
		for _, s := range append(r.Sets(), r.retired...) {
			errs = append(errs, s.Close())
		}
		r.followMu.Unlock()
	}
	if r.mergeDB != nil {
		errs = append(errs, r.mergeDB.Close())
	}
	if r.mainDB != nil {
		errs = append(errs, r.mainDB.Close())
	}
	return errors.Join(errs...)
}

// Sets returns the replica set of every shard, in topology order.
func (r *Router) Sets() []*replica.Set { return r.vs.curSets() }

// newSets makes a replica set for every shard of t.
func newSets(t *topology.Topology, cfg replica.Config) ([]*replica.Set, error) {
	var sets []*replica.Set
	for _, s := range t.Shards {
		set, err := replica.New(t, s, cfg)
		if err != nil {
			for _, s := range sets {
				s.Close()
			}
			return nil, err
		}
		sets = append(sets, set)
	}
	return sets, nil
}

// VSchema returns the routing schema: where every row lives.
func (r *Router) VSchema() *vschema.Schema { return r.vs.cur() }

// Topology returns the topology the router serves.
func (r *Router) Topology() *topology.Topology { return r.topo.Load() }

// Stats returns a snapshot of the per-route and per-node counters.
func (r *Router) Stats() Stats {
	s := r.stats.snapshot()
	s.Classified, s.Parsed = r.cls.classified.Load(), r.cls.parsed.Load()
	return s
}

// Classify returns the router's classification of query (cached).
func (r *Router) Classify(query string) *Statement { return r.cls.Classify(query) }

// Home is the index in Sets of the shard where a statement runs when no
// shard key picks another: its tables' keyspace's first shard. It refuses
// tables of two keyspaces, as planning does.
func (r *Router) Home(st *Statement) (int, error) { return r.vs.statementHome(r.keyspaceTables(st)) }

// queryer is what a statement runs on: a node's pool or one connection.
type queryer interface {
	sqlx.QueryerContext
	sqlx.ExecerContext
}

// via returns what a statement on node runs on: the node's pool, or a
// session's own connection to it.
type via func(ctx context.Context, node *replica.Node) (q queryer, pinned bool, err error)

func pooled(_ context.Context, node *replica.Node) (queryer, bool, error) { return node.DB, false, nil }

// call is one classified statement on one shard's set, for one caller.
type call struct {
	set *replica.Set
	st  *Statement
	e   *env
	fn  func(context.Context, queryer) error
}

// runOn routes one classified statement within one shard's set.
func (r *Router) runOn(ctx context.Context, c call) error {
	tr := traceFrom(ctx)
	var start time.Time // for a trace's duration only: a clock read a statement
	if tr != nil {
		start = time.Now()
	}
	set, st, mode, g := c.set, c.st, c.e.mode, c.e.g
	replaced := set.RolesReplaced()
	node, route, reason := r.pick(ctx, set, st, mode, g, tr)
	if tr != nil {
		tr.Kind, tr.Tables, tr.Shard = st.Kind.String(), st.Tables, set.Shard
	}
	if node == set.Primary() && set.PrimaryDown() {
		if ctx, ok := r.buffered(ctx, set, replaced, tr); ok {
			return r.runOn(ctx, c) // on the new primary, or the same one back
		}
		// Fail at once, naming the node, rather than wait on a dead one.
		if reason == "" { // pick tells the why of a write only for a trace
			reason = onPrimary(st.Kind)
		}
		if tr != nil {
			tr.Node, tr.Route, tr.Reason = node.Name, route, reason+"; the primary is down"
		}
		return fmt.Errorf("%w: shard %s, %s (%s): %s", ErrPrimaryDown, set.Shard, node.Name, node.Addr, reason)
	}
	// The role the node had when the statement was sent: a failover may
	// demote a primary while a write waits on it, and a write that may
	// have run is never sent again; one that never ran there waits for
	// the new primary, or finds it at once if the failover is done.
	role := node.Role()
	sentToReplica := role == topology.Replica
	err := r.runNode(ctx, c, node, true)
	if err != nil && role == topology.Primary && notExecuted(err) {
		if ctx, ok := r.buffered(ctx, set, replaced, tr); ok {
			return r.runOn(ctx, c) // on the new primary, or the same one back
		}
	}
	if role == topology.Primary && isWrite(st.Kind) {
		err = replacedWrite(set, node, err)
		if !c.e.branch && replica.IsConnError(err) && !notExecuted(err) && !errors.Is(err, driver.ErrBadConn) && !errors.Is(err, ErrPrimaryReplaced) {
			// Sent, and cut off before its answer (database/sql sends
			// one that found its connection closed again, on another).
			err = fmt.Errorf("%w: shard %s, %s: %w", ErrOutcomeUnknown, set.Shard, node.Name, err)
		}
	}
	if err != nil && sentToReplica && st.Kind == Read && replica.IsConnError(err) && ctx.Err() == nil {
		// The replica failed under us: one retry elsewhere. A
		// read-your-writes read retries on the primary, which needs no wait.
		set.Fail(ctx, node, err)
		r.stats.retries.Add(1)
		failed := node
		if mode == ReadYourWrites && g.get(set.Shard) != "" {
			node, route, reason = set.Primary(), RouteFallback, "retry after "+failed.Name+" failed: "+err.Error()
		} else {
			var fb bool
			node, fb, err = set.PickReplica(failed)
			if err != nil {
				return err
			}
			route, reason = RouteReplica, "retry after "+failed.Name+" failed"
			if fb {
				route = RouteFallback
			}
		}
		if tr != nil {
			tr.Retried = failed.Name
		}
		err = r.runNode(ctx, c, node, false)
		if err != nil && node != set.Primary() && replica.IsConnError(err) && ctx.Err() == nil && !set.PrimaryDown() {
			// The other replica failed too (both froze, a host of
			// both went down): the primary answers, as it answers a
			// shard's reads when no replica is eligible. There is no
			// further retry.
			set.Fail(ctx, node, err)
			r.stats.retries.Add(1)
			if tr != nil {
				tr.Retried = failed.Name + ", " + node.Name
			}
			reason = "retry after " + failed.Name + " and " + node.Name + " failed"
			node, route = set.Primary(), RouteFallback
			err = r.runNode(ctx, c, node, false)
		}
	}
	r.stats.route(route)
	r.stats.node(node.Name)
	if tr != nil {
		tr.Node, tr.Route, tr.Reason, tr.Duration = node.Name, route, reason, units.Ms(time.Since(start))
	}
	return err
}

// runNode runs fn on node, keeping the node's health and in-flight count,
// and captures the write's GTID when reads of this router must see it.
// With watch, a read on a replica that was ended because the replica
// stopped answering fails with replica.ErrUnresponsive.
func (r *Router) runNode(ctx context.Context, c call, node *replica.Node, watch bool) error {
	set, st, mode, g, fn := c.set, c.st, c.e.mode, c.e.g, c.fn
	node.Start()
	defer node.Finish()
	q, pinned, err := c.e.on(ctx, node)
	switch {
	case err != nil:
	case isWrite(st.Kind) && mode == ReadYourWrites && !pinned:
		err = r.writeCapturingGTID(ctx, set, node, g, fn)
	case isWrite(st.Kind) && mode == ReadYourWrites:
		if err = fn(ctx, q); err == nil {
			err = captureGTID(ctx, set, node, q, g)
		}
	case watch && node.Role() == topology.Replica && !pinned:
		// A read on a replica found frozen while it waits is ended (its
		// connection closed), and then retried elsewhere (runOn). The
		// error says why: the node's count of ended statements moved, and
		// the error is the connection's, not the server's.
		stuck := node.Stuck()
		err = fn(ctx, q)
		if err != nil && node.Stuck() != stuck && replica.IsConnError(err) {
			err = fmt.Errorf("%w: %w", replica.ErrUnresponsive, err)
		}
	default:
		err = fn(ctx, q)
		if err == nil && mayWrite(st, node) && g != nil && g != &r.gtids {
			// (A session's: the router's own positions, which every
			// View shares, would send every View's read-your-writes
			// reads to the primary after any other View's write.)
			g.wroteUntracked(set.Shard)
		}
	}
	if err == nil {
		set.Succeed(node)
	} else {
		sentCut := replica.IsConnError(err) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
		if mayWrite(st, node) && sentCut && !notExecuted(err) && g != nil && g != &r.gtids {
			// Cut off after it was sent (its connection failed, or its
			// caller gave up): it may have committed, with no position
			// kept, and a read-your-writes read that looks for it must
			// find it.
			g.wroteUntracked(set.Shard)
		}
		set.Fail(ctx, node, err) // (not when the caller's own context ended it)
		if pinned && c.e.lost != nil && replica.IsConnError(err) {
			if lerr := c.e.lost(node); lerr != nil {
				err = lerr
			}
		}
	}
	return err
}

// writeCapturingGTID runs a write and reads, on the same connection, the
// GTID it produced, so later reads can wait for exactly that position.
func (r *Router) writeCapturingGTID(ctx context.Context, set *replica.Set, node *replica.Node, g *gtids, fn func(context.Context, queryer) error) error {
	conn, err := node.DB.Connx(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := fn(ctx, rowsRead{conn, r}); err != nil {
		return err
	}
	return captureGTID(ctx, set, node, conn, g)
}

// rowsRead is a connection whose QueryContext reads the rows a statement
// returns (a CALL's, an INSERT … RETURNING's, a DO's under autocommit
// off) to their end before it returns them, from memory: the GTID is read
// on the connection after the statement, and a connection cannot be
// handed back while its rows are open (writeCapturingGTID waited forever
// on it).
type rowsRead struct {
	*sqlx.Conn
	r *Router
}

func (c rowsRead) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := c.Conn.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	src, err := readRows(rows)
	if err != nil {
		return nil, err
	}
	return c.r.mergeDB.QueryContext(ctx, "merge", &mergeRows{src: src})
}

// readRows reads rows to their end and closes them, and returns them as a
// source of driver rows, with their columns. A second result set with
// columns (a CALL of a procedure that returns several) is refused: it
// would be lost.
func readRows(rows *sql.Rows) (*mergeSource, error) {
	src, all, err := readAll(rows)
	if err != nil {
		return nil, err
	}
	src.next = listed(all)
	return src, nil
}

// readAll is readRows's reading: the source without its rows, and the
// rows.
func readAll(rows *sql.Rows) (*mergeSource, [][]any, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, nil, err
	}
	types, _ := rows.ColumnTypes()
	src := &mergeSource{cols: cols, types: types, defs: ColumnDefs(rows), close: func() error { return nil }}
	var all [][]any
	for rows.Next() {
		row := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, err
		}
		all = append(all, row)
	}
	for rows.NextResultSet() {
		if more, _ := rows.Columns(); len(more) > 0 {
			return nil, nil, unsupported("a statement that returns several result sets under read-your-writes", "read its rows in another consistency mode, or run it in a transaction")
		}
		for rows.Next() {
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	return src, all, nil
}

// listed is a merge source's next over rows held in memory.
func listed(all [][]any) func(dest []driver.Value) error {
	return func(dest []driver.Value) error {
		if len(all) == 0 {
			return io.EOF
		}
		for i := range dest {
			dest[i] = all[0][i]
		}
		all = all[1:]
		return nil
	}
}

// captureGTID reads the GTID of the session's last write on q, which must be
// the connection that wrote.
func captureGTID(ctx context.Context, set *replica.Set, node *replica.Node, q queryer, g *gtids) error {
	var gtid sql.NullString
	if err := q.QueryRowxContext(ctx, set.Flavor().LastGTIDQuery()).Scan(&gtid); err != nil {
		return fmt.Errorf("router: capture GTID after write on %s: %w", node.Name, err)
	}
	if gtid.Valid && gtid.String != "" {
		g.advance(set.Shard, gtid.String)
	}
	return nil
}

func isWrite(k Kind) bool { return k == Write || k == DDL || k == Other || k == Unparsed }

// mayWrite reports whether st, run on node, may have written there: a
// write, or a statement of another kind that calls a function (a stored
// one may write) on a primary. (On a replica, which is read-only, such a
// write fails.)
func mayWrite(st *Statement, node *replica.Node) bool {
	return isWrite(st.Kind) || st.CallsFunction && node.Role() == topology.Primary
}

// pick chooses the node for a statement and says why. The why is for a
// trace and for the error of a primary that is down: without a trace, a
// read on a replica, every statement a proxy relays, and a write are not
// told why, a string built for nothing (runOn builds a write's for its
// error).
func (r *Router) pick(ctx context.Context, set *replica.Set, st *Statement, mode Consistency, g *gtids, tr *Trace) (*replica.Node, string, string) {
	primary := set.Primary()
	switch st.Kind {
	case Unparsed:
		return primary, RouteUnparsed, "the parser could not parse it, so it may write: " + firstLine(st.Err)
	case LockingRead:
		return primary, RoutePrimary, "a locking read (FOR UPDATE, LOCK IN SHARE MODE or a lock function) must run on the primary"
	case Read:
		if st.RoleVariable {
			return primary, RoutePrimary, "it reads a variable that tells the server's role (@@read_only, a GTID position, SHOW VARIABLES): the primary's, as one server answers its own"
		}
	default:
		if tr == nil {
			return primary, RoutePrimary, "" // runOn tells it if the primary is down
		}
		return primary, RoutePrimary, onPrimary(st.Kind)
	}
	if mode == Strong {
		return primary, RoutePrimary, "consistency strong reads from the primary"
	}
	node, fallback, err := set.PickReplica()
	if err != nil || fallback {
		why := "no healthy replica under the lag limit (" + set.WhyNotEligible() + ")"
		if len(set.Replicas()) == 0 {
			why = "the shard has no replicas"
		}
		return primary, RouteFallback, why
	}
	reason := ""
	if tr != nil {
		reason = "a read goes to a replica (" + set.Config().Balancer + balancerSuffix(set) + ")"
		if set.PrimaryDown() {
			reason += "; the primary is down, so how stale the replica is cannot be measured"
		}
	}
	if mode != ReadYourWrites {
		return node, RouteReplica, reason
	}
	if g.isUntracked(set.Shard) {
		return primary, RoutePrimary, "read-your-writes after a write whose GTID was not kept (made in another consistency mode): the primary has it"
	}
	want := g.get(set.Shard)
	if want == "" {
		if tr != nil {
			reason += "; no earlier write to wait for"
		}
		return node, RouteReplica, reason
	}
	start := time.Now()
	ok, err := r.waitGTID(ctx, set, node, want)
	if tr != nil {
		tr.Waited, tr.GTID = units.Ms(time.Since(start)), want
	}
	if !ok {
		why := fmt.Sprintf("replica %s did not reach GTID %s within %v", node.Name, want, r.cfg.GTIDWaitTimeout)
		if err != nil {
			set.Fail(ctx, node, err)
			why = fmt.Sprintf("waiting on replica %s failed: %v", node.Name, err)
		}
		return primary, RouteFallback, why
	}
	if tr != nil {
		reason += "; waited for GTID " + want
	}
	return node, RouteReplica, reason
}

// onPrimary is the why of a statement of kind k on the primary.
func onPrimary(k Kind) string { return k.String() + " statements run on the primary" }

func balancerSuffix(set *replica.Set) string {
	if set.Config().Balancer == "" {
		return replica.RoundRobin
	}
	return ""
}

// waitGTID blocks on node until it has applied gtid or the timeout passes.
func (r *Router) waitGTID(ctx context.Context, set *replica.Set, node *replica.Node, gtid string) (bool, error) {
	return flavor.WaitApplied(ctx, node.DB, set.Flavor(), gtid, r.cfg.GTIDWaitTimeout)
}

func firstLine(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}
