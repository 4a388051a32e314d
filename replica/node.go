package replica

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	"github.com/scalelab/scalelab/internal/rawio"
	"github.com/scalelab/scalelab/topology"
)

// Node is one server of a Set with its own connection pool. Its methods are
// safe for concurrent use.
type Node struct {
	// Name is the node's name when the Set was made; after a failover that
	// the Set follows, the name may be another role's (see Role).
	Name string
	Addr string
	// role is the node's current role (a topology.Role).
	role atomic.Value
	// DB is the node's pool. Use it through the Set's choices, so that the
	// in-flight count and health stay true.
	DB *sqlx.DB
	// checks is what the Set's health checks (the heartbeat, lag
	// readings, probes of a shunned node) run on: with a bounded pool
	// (PoolConfig.MaxOpen), a small pool of their own, so that clients'
	// statements that fill the node's pool (idle transactions, say) do not
	// make a node that answers look down; otherwise the node's pool.
	checks *sql.DB

	inFlight atomic.Int64
	served   atomic.Uint64
	// finished counts statements that ended: a node that finishes some
	// while a probe of it times out is busy, not frozen.
	finished atomic.Uint64
	// probeTimeout is how long a probe of the node waits for an answer:
	// Config.ProbeTimeout, longer for a node with a fraction of a core.
	probeTimeout time.Duration
	lagMicro     atomic.Int64 // heartbeat lag in µs; lagUnknown, lagFailed
	health       health

	// stuck tracks the node's connections; a finding that the node
	// stopped answering closes those stuck in a read or a write.
	stuck stuckConns
	// cfg is the driver configuration the pool connects with (see
	// DialRaw), and pool the pool's bounds.
	cfg  *mysql.Config
	pool PoolConfig
	// replicaSince is when the node last became a replica (a sinceEpoch
	// time; 0 if it was one from the start): connections made before,
	// while it was a primary, are never ended, whatever they wait for (a
	// write in flight, or a transaction's COMMIT sent after the demotion).
	replicaSince atomic.Int64
}

// Lag sentinels: not measured yet (a new replica serves reads), and the
// last reading failed (it serves none until one succeeds).
const (
	lagUnknown = -1
	lagFailed  = -2
)

// ErrUnresponsive marks the error of a statement ended because its node
// stopped answering (a frozen or partitioned server; see Node.Stuck);
// IsConnError holds for it, so a read retries elsewhere.
var ErrUnresponsive = errors.New("replica: node stopped answering")

// Stuck counts the times statements stuck on the node were ended because
// it stopped answering (their connections closed, when a replica did not
// answer a probe and finished no statement for the probe's timeout). A
// statement that failed while the count moved was most likely one of
// them: compare a reading taken before it with one after.
func (n *Node) Stuck() uint64 { return n.stuck.ended.Load() }

// endStuck ends the statements that have waited on a replica for at least
// minAge, stuck ones, not those just sent (a slow answer is not a frozen
// node): their reads fail with a connection error, and the router retries
// them elsewhere. Those on a primary, or on a connection made while this
// node was one, are left to wait: a write or a commit that may have run
// must not fail ambiguously (until Config.PrimaryWait: see probeShunned).
func (n *Node) endStuck(minAge time.Duration) {
	if n.Role() == topology.Replica {
		n.stuck.end(minAge, n.replicaSince.Load())
	}
}

// endDemoted ends every statement waiting on the node, a primary that a
// failover replaced: a write there can no longer be acknowledged as the
// shard's (the new primary may not have it), and on a hung or cut-off
// node it would wait for good. Their callers learn that the outcome is
// unknown.
func (n *Node) endDemoted() { n.stuck.end(0, 0) }

func newNode(n topology.Node, cfg *mysql.Config, pool PoolConfig, raw bool) (*Node, error) {
	nd := &Node{Name: n.Name, Addr: n.Addr}
	nd.stuck.retireBefore = nd.replicaSince.Load
	nd.stuck.raw = raw
	cfg = cfg.Clone()
	cfg.DialFunc = nd.stuck.dial
	nd.cfg, nd.pool = cfg, pool
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(loginConnector{conn})
	db.SetMaxOpenConns(pool.MaxOpen)
	db.SetMaxIdleConns(pool.MaxIdle)
	db.SetConnMaxLifetime(pool.MaxLifetime)
	db.SetConnMaxIdleTime(pool.MaxIdleTime)
	nd.DB = sqlx.NewDb(db, "mysql")
	nd.checks = db
	if pool.MaxOpen > 0 {
		// Two at most: the heartbeat or a probe, and a lag reading.
		nd.checks = sql.OpenDB(loginConnector{conn})
		nd.checks.SetMaxOpenConns(2)
		nd.checks.SetMaxIdleConns(2)
		nd.checks.SetConnMaxLifetime(pool.MaxLifetime)
	}
	nd.setRole(n.Role)
	nd.lagMicro.Store(lagUnknown)
	return nd, nil
}

// Pool returns the bounds of the node's pool, for a caller that keeps
// connections of its own to it (see DialRaw).
func (n *Node) Pool() PoolConfig { return n.pool }

// DialRaw opens a connection to the node as its pool would, tracked like
// the pool's (a statement stuck on it is ended when the node stops
// answering), and returns it with the driver configuration it is for, for
// a caller that speaks the protocol itself (the proxy's relay). The
// caller logs in and closes it.
func (n *Node) DialRaw(ctx context.Context) (net.Conn, *mysql.Config, error) {
	c, err := n.stuck.dial(ctx, n.cfg.Net, n.cfg.Addr)
	if err != nil {
		return nil, n.cfg, err
	}
	// Its reads and writes are raw system calls (see rawio), as the
	// caller's hot path does no other work between them.
	if tc := c.(interface{ tracked() *trackedConn }).tracked(); !tc.hasRaw {
		tc.raw, tc.hasRaw = rawio.New(tc.Conn)
	}
	return c, n.cfg, nil
}

// Role is the node's current role: its topology role, or the one a
// failover gave it (Set.Follow).
func (n *Node) Role() topology.Role { return n.role.Load().(topology.Role) }

func (n *Node) setRole(r topology.Role) {
	if old, _ := n.role.Load().(topology.Role); old != "" && old != r && r == topology.Replica {
		// A demoted primary's connections may carry writes or
		// transactions that may have run: they wait for their answer,
		// however long, rather than fail ambiguously.
		n.replicaSince.Store(sinceEpoch())
	}
	n.role.Store(r)
}

// Acquire marks the start of a statement on the node and returns the
// function that marks its end, which may be called more than once;
// least-in-flight balancing reads the count.
func (n *Node) Acquire() (release func()) {
	n.Start()
	var once sync.Once
	return func() { once.Do(n.Finish) }
}

// Start marks the start of a statement on the node, and Finish its end,
// once: Acquire without the function to make (a statement's allocation,
// on the router's way of every statement).
func (n *Node) Start() {
	n.inFlight.Add(1)
	n.served.Add(1)
}

// Finish marks the end of a statement Start began.
func (n *Node) Finish() {
	n.inFlight.Add(-1)
	n.finished.Add(1)
}

// InFlight is the number of statements running on the node now.
func (n *Node) InFlight() int64 { return n.inFlight.Load() }

// Served is the number of statements routed to the node so far.
func (n *Node) Served() uint64 { return n.served.Load() }

// Lag is the node's heartbeat lag, and false when it is not known yet (or
// the node is a primary).
func (n *Node) Lag() (time.Duration, bool) {
	us := n.lagMicro.Load()
	if us < 0 {
		return 0, false
	}
	return time.Duration(us) * time.Microsecond, true
}

// lagFailedNow reports whether the last lag reading failed.
func (n *Node) lagFailedNow() bool { return n.lagMicro.Load() == lagFailed }

// badConnNoWriteText is the text of go-sql-driver's error for a connection
// that failed before it sent anything. The driver turns it into
// driver.ErrBadConn for a statement, but a login that a server cuts short
// after its greeting (one killed, or shutting down) returns it as it is,
// and the driver does not export it.
const badConnNoWriteText = "bad connection"

// LoginCutShort reports whether err, or an error it wraps, is that one:
// the server went away between its greeting and the login's answer, so
// no statement was sent on the connection.
func LoginCutShort(err error) bool {
	for err != nil {
		if err.Error() == badConnNoWriteText {
			return true
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			return slices.ContainsFunc(u.Unwrap(), LoginCutShort)
		default:
			return false
		}
	}
	return false
}

// DialFailed reports whether err is a failure to make a new connection:
// refused, unreachable, or out of the dialer's time.
func DialFailed(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial" && !errors.Is(err, context.Canceled)
}

// IsConnError reports whether err means the connection to a server failed
// (refused, reset, closed), as opposed to an error the server returned for
// the statement. Only connection errors count against a node's health and
// allow a read to be retried elsewhere.
func IsConnError(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrUnresponsive) {
		return true
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		// Server shutdown in progress, and too many connections.
		return me.Number == 1053 || me.Number == 1040 || me.Number == 1927
	}
	if errors.Is(err, context.Canceled) {
		return false // the caller gave up; the server may be fine
	}
	// A new connection that could not be made in the dialer's time (the
	// DSN's timeout) is the node's failure, though Go's timeout error says
	// it is context.DeadlineExceeded too. A caller that reads it as its
	// own deadline checks its context (a read is retried only while the
	// caller waits).
	if DialFailed(err) {
		return true
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ne net.Error
	// driver.ErrBadConn reaches the caller when database/sql ran out of
	// connections to retry on: the node's were all dead (killed), and the
	// new one failed too.
	return errors.Is(err, mysql.ErrInvalidConn) ||
		errors.Is(err, driver.ErrBadConn) ||
		LoginCutShort(err) ||
		errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		Refused(err) ||
		errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) ||
		errors.As(err, &ne)
}
