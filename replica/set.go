package replica

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/topology"
)

// Defaults for Config fields.
const (
	DefaultMaxLag            = time.Second
	DefaultHeartbeatInterval = 100 * time.Millisecond
	DefaultShunAfter         = 3
	DefaultProbeInterval     = 250 * time.Millisecond
	DefaultProbeTimeout      = 500 * time.Millisecond
	DefaultMaxIdle           = 32

	// FallbackPrimary sends reads to the primary when no replica qualifies.
	FallbackPrimary = "primary"
	// FallbackFail fails such reads with ErrNoReplica.
	FallbackFail = "fail"

	// MetaDatabase is where the heartbeat table lives; `scalelab up`
	// creates it on every primary.
	MetaDatabase = "scalelab_meta"
)

// ErrNoReplica is returned by PickReplica when no replica is healthy and
// under MaxLag and Fallback is FallbackFail.
var ErrNoReplica = errors.New("replica: no healthy replica under the lag limit")

// PoolConfig sizes each node's connection pool (database/sql semantics).
type PoolConfig struct {
	// MaxOpen bounds open connections per node. Zero means unlimited.
	MaxOpen int
	// MaxIdle is how many idle connections a node keeps. Zero means
	// DefaultMaxIdle; negative means none.
	MaxIdle int
	// MaxLifetime and MaxIdleTime bound a connection's age and idle time.
	// Zero means forever.
	MaxLifetime time.Duration
	MaxIdleTime time.Duration
}

// Config tunes a Set. The zero value is usable.
type Config struct {
	Pool PoolConfig
	// Balancer is round-robin (default for ""), random or least-in-flight.
	Balancer string
	// MaxLag is the heartbeat lag above which a replica gets no reads. Zero
	// means DefaultMaxLag (1s); negative disables the check.
	MaxLag time.Duration
	// Fallback is what a read does when no replica qualifies: "primary"
	// (the default for "") or "fail".
	Fallback string
	// HeartbeatInterval is how often the primary's heartbeat row is written
	// and replicas' lag is read; it is also the lag figure's resolution.
	// Zero means DefaultHeartbeatInterval (100ms).
	HeartbeatInterval time.Duration
	// NoHeartbeatWriter turns off this Set's heartbeat writer, for when
	// another process writes the row. Lag is still read.
	NoHeartbeatWriter bool
	// ShunAfter is how many connection errors in a row shun a node. Zero
	// means DefaultShunAfter (3).
	ShunAfter int
	// ProbeInterval is how often shunned nodes are probed. Zero means
	// DefaultProbeInterval.
	ProbeInterval time.Duration
	// ProbeTimeout bounds one probe or lag read. Zero means
	// DefaultProbeTimeout.
	ProbeTimeout time.Duration
	// PrimaryWait, when above zero, ends the statements waiting on a
	// primary that its health check finds down once they have waited this
	// long: a write or commit among them fails as of unknown outcome,
	// where it waited for as long as the node did not answer (a network
	// cut off: until TCP gave up). Zero leaves them waiting. The router
	// sets it to its failover buffer, the time a write waits for a
	// primary.
	PrimaryWait time.Duration
	// BlockingIO makes the pools use blocking socket reads on Linux
	// (BlockingNet) instead of Go's netpoller. They cost a point select two
	// fewer system calls, but every blocked read holds an OS thread, and
	// once there are more busy connections than cores the threads' hand-offs
	// cost more than the calls saved. Measured through the router over 4
	// shards on 2 cores: blocking took 46 µs of client CPU a point select at
	// 1 client against 66 µs polled, but 69 against 62 at 4 clients, and 74
	// against 53 at 32; with the shards limited to a quarter of a core each,
	// polled reads doubled the QPS at 32 clients. So the default (false)
	// polls.
	BlockingIO bool
	// RawIO makes the pools' connections read and write their
	// non-blocking sockets with raw system calls (see internal/rawio),
	// waiting in Go's poller only when a socket is not ready: no processor
	// hand-off around each call. The proxy, on one processor, sets it.
	RawIO bool
	// TimesAsText returns DATE, DATETIME and TIMESTAMP values as the
	// server's text ([]byte) instead of time.Time. A proxy that passes
	// results on needs it: a time.Time cannot hold '0000-00-00' or
	// '2025-00-00', and loses a column's fractional digits. False (the
	// default) parses them, for callers that scan into time.Time.
	TimesAsText bool
}

func (c Config) withDefaults() (Config, error) {
	if c.MaxLag == 0 {
		c.MaxLag = DefaultMaxLag
	}
	if c.Fallback == "" {
		c.Fallback = FallbackPrimary
	}
	if c.Fallback != FallbackPrimary && c.Fallback != FallbackFail {
		return c, fmt.Errorf("replica: fallback %q: want %s or %s", c.Fallback, FallbackPrimary, FallbackFail)
	}
	if c.HeartbeatInterval == 0 {
		c.HeartbeatInterval = DefaultHeartbeatInterval
	}
	if c.HeartbeatInterval < time.Millisecond {
		return c, fmt.Errorf("replica: heartbeat interval %v is below 1ms", c.HeartbeatInterval)
	}
	if c.ShunAfter == 0 {
		c.ShunAfter = DefaultShunAfter
	}
	if c.ProbeInterval == 0 {
		c.ProbeInterval = DefaultProbeInterval
	}
	if c.ProbeTimeout == 0 {
		c.ProbeTimeout = DefaultProbeTimeout
	}
	if c.Pool.MaxIdle == 0 {
		c.Pool.MaxIdle = DefaultMaxIdle
	}
	if _, err := NewBalancer(c.Balancer); err != nil {
		return c, err
	}
	return c, nil
}

// Set is one shard's primary and replicas, each with its own pool, plus the
// background work that keeps lag and health current. Its methods are safe
// for concurrent use.
type Set struct {
	Shard string
	// cur is the nodes' current roles; Follow replaces it after a failover,
	// one call at a time (followMu).
	cur      atomic.Pointer[roles]
	followMu sync.Mutex
	all      []*Node
	flavor   flavor.Flavor
	cfg      Config
	balancer Balancer

	cancel    context.CancelFunc
	wg        sync.WaitGroup
	quietOnce sync.Once
}

// New builds the Set for shard s of t, connecting as the application user.
// It does no I/O; Open starts the heartbeat, lag and health work.
func New(t *topology.Topology, s topology.Shard, cfg Config) (*Set, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	f, err := flavor.Lookup(t.Flavor)
	if err != nil {
		return nil, err
	}
	b, _ := NewBalancer(cfg.Balancer)
	set := &Set{Shard: s.Name, flavor: f, cfg: cfg, balancer: b}
	var cur roles
	for _, n := range t.Nodes() {
		if n.Shard != s.Name {
			continue
		}
		mc := nodeConfig(t, n.Addr)
		mc.ParseTime = !cfg.TimesAsText
		if cfg.BlockingIO && mc.Net == "tcp" {
			mc.Net = BlockingNet
		}
		nd, err := newNode(n, mc, cfg.Pool, cfg.RawIO)
		if err != nil {
			set.Close() // the pools of the nodes made before it
			return nil, fmt.Errorf("replica: node %s: %w", n.Name, err)
		}
		// A node with a fraction of a core answers that much slower: it
		// gets that much longer before a probe calls it unresponsive.
		nd.probeTimeout = cfg.ProbeTimeout
		if cpu := t.Machine.Limits(n.Name).CPU; cpu > 0 && cpu < 1 {
			nd.probeTimeout = time.Duration(float64(cfg.ProbeTimeout) / cpu)
		}
		if n.Role == topology.Primary {
			cur.primary = nd
		} else {
			cur.replicas = append(cur.replicas, nd)
		}
		set.all = append(set.all, nd)
	}
	if cur.primary == nil {
		return nil, fmt.Errorf("replica: shard %s has no primary", s.Name)
	}
	cur.replaced = make(chan struct{})
	set.cur.Store(&cur)
	return set, nil
}

// roles is which node of a Set is the primary and which are replicas;
// replaced is closed when Follow replaces them.
type roles struct {
	primary  *Node
	replicas []*Node
	replaced chan struct{}
}

// RolesReplaced returns a channel that closes when Follow next gives the
// Set new roles: a router buffering writes during a failover waits on it.
func (s *Set) RolesReplaced() <-chan struct{} { return s.roles().replaced }

func (s *Set) roles() *roles { return s.cur.Load() }

// ErrNewNodes is returned by Follow when a shard's new topology names
// servers the Set has no pool for: the router must be opened again.
var ErrNewNodes = errors.New("replica: the shard's topology names new servers")

// Follow makes the Set follow sh, the same shard after a failover: the
// same servers, by address, in new roles. Reads and writes that start
// after it go to the new primary and replicas; pools, health and lag
// figures stay with their servers. It reports whether any role changed.
func (s *Set) Follow(sh topology.Shard) (bool, error) {
	s.followMu.Lock()
	defer s.followMu.Unlock()
	byAddr := map[string]*Node{}
	for _, n := range s.all {
		byAddr[n.Addr] = n
	}
	next := roles{replaced: make(chan struct{})}
	if next.primary = byAddr[sh.Primary.HostPort]; next.primary == nil {
		return false, fmt.Errorf("%w: primary %s of shard %s", ErrNewNodes, sh.Primary.HostPort, s.Shard)
	}
	for _, r := range sh.Replicas {
		n := byAddr[r.HostPort]
		if n == nil {
			return false, fmt.Errorf("%w: replica %s of shard %s", ErrNewNodes, r.HostPort, s.Shard)
		}
		next.replicas = append(next.replicas, n)
	}
	cur := s.roles()
	if cur.primary == next.primary && slices.Equal(cur.replicas, next.replicas) {
		return false, nil
	}
	next.primary.setRole(topology.Primary)
	for _, r := range next.replicas {
		r.setRole(topology.Replica)
	}
	s.cur.Store(&next)
	close(cur.replaced)
	if cur.primary != next.primary {
		cur.primary.endDemoted()
	}
	return true, nil
}

func nodeConfig(t *topology.Topology, addr string) *mysql.Config {
	c := t.MySQLConfig(addr, t.User)
	// Statements with arguments are interpolated on the client, as
	// mysqlslap and most ORMs send them: one round trip, not three.
	c.InterpolateParams = true
	// A pooled connection is checked on checkout (one non-blocking read)
	// so that one whose server died since is dropped before a statement is
	// sent on it: a write sent on a dead connection fails ambiguously (it
	// may have run), and can be neither retried nor buffered through a
	// failover, while one that finds no server to connect to never ran.
	c.CheckConnLiveness = true
	return c
}

// Open creates the heartbeat table on the primary, takes a first lag
// reading, and starts the heartbeat writer, lag monitor and health prober.
//
// A primary that does not answer does not stop Open: it is shunned, the
// shard's reads go to its replicas (PrimaryDown says why their lag is not
// known), its writes fail at once naming it, and it is probed until it
// comes back. Any other error from the primary fails Open.
func (s *Set) Open(ctx context.Context) error {
	octx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.createHeartbeat(octx); err != nil {
		if !IsConnError(err) {
			return fmt.Errorf("replica: shard %s: create heartbeat table on %s: %w", s.Shard, s.Primary().Name, err)
		}
		s.Primary().health.shun("down when the router opened: " + err.Error())
	} else if !s.cfg.NoHeartbeatWriter {
		if err := s.beat(octx); err != nil {
			return fmt.Errorf("replica: shard %s: write heartbeat on %s: %w", s.Shard, s.Primary().Name, err)
		}
	}
	s.measureLag(octx)
	bg, stop := context.WithCancel(context.Background())
	s.cancel = stop
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.run(bg)
	}()
	return nil
}

func (s *Set) run(ctx context.Context) {
	beat := time.NewTicker(s.cfg.HeartbeatInterval)
	defer beat.Stop()
	probe := time.NewTicker(s.cfg.ProbeInterval)
	defer probe.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-beat.C:
			if p := s.Primary(); !s.cfg.NoHeartbeatWriter && p.health.ok() {
				bctx, cancel := context.WithTimeout(ctx, p.probeTimeout)
				before := p.finished.Load()
				err := s.beat(bctx) // a failed beat shows up as lag
				cancel()
				if stalled(ctx, err) && frozen(p, before) {
					// A primary that does not answer a one-row write
					// within the probe timeout is down: writes fail fast
					// until a probe gets an answer.
					s.unresponsive(p, err)
				}
			}
			s.measureLag(ctx)
		case <-probe.C:
			s.probeShunned(ctx)
		}
	}
}

// Close stops the background work and closes every pool.
func (s *Set) Close() error {
	s.Quiet()
	var errs []error
	for _, n := range s.all {
		errs = append(errs, n.DB.Close())
		if n.checks != n.DB.DB {
			errs = append(errs, n.checks.Close())
		}
	}
	return errors.Join(errs...)
}

// Quiet stops the set's background work (heartbeat, lag and health
// checks) and leaves its pools open, for statements still running on a
// set that a router no longer plans over. Close closes it as well.
func (s *Set) Quiet() {
	s.quietOnce.Do(func() {
		if s.cancel != nil {
			s.cancel()
			s.wg.Wait()
		}
	})
}

// Flavor is the servers' flavor.
func (s *Set) Flavor() flavor.Flavor { return s.flavor }

// Config is the Set's effective configuration, defaults filled in.
func (s *Set) Config() Config { return s.cfg }

// Primary returns the primary.
func (s *Set) Primary() *Node { return s.roles().primary }

// PrimaryDown reports whether the primary is shunned: it stopped
// answering, and its replicas' lag cannot be measured.
func (s *Set) PrimaryDown() bool { return !s.roles().primary.health.ok() }

// PrimaryDowns counts the times the current primary was found down: one
// that was down and answers again between two looks at PrimaryDown has a
// count that moved.
func (s *Set) PrimaryDowns() uint64 { return s.roles().primary.health.downs.Load() }

// Healthy reports whether n is in service (not shunned).
func (s *Set) Healthy(n *Node) bool { return n.health.ok() }

// Replicas returns the replicas, healthy or not.
func (s *Set) Replicas() []*Node { return s.roles().replicas }

// HealthyReplica returns the first replica whose health check passes, to
// ask in the primary's stead a question any node of the shard answers
// alike while the primary is down (a column's type, a statement's
// columns), lag aside; nil when none is healthy.
func (s *Set) HealthyReplica() *Node {
	for _, n := range s.roles().replicas {
		if n.health.ok() {
			return n
		}
	}
	return nil
}

// Nodes returns every node: the current primary first, then the replicas,
// then any node the topology no longer lists.
func (s *Set) Nodes() []*Node {
	cur := s.roles()
	out := append([]*Node{cur.primary}, cur.replicas...)
	for _, n := range s.all {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// Node finds a node by name.
func (s *Set) Node(name string) *Node {
	for _, n := range s.all {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// Eligible reports whether replica n may serve reads now: healthy, and
// with a lag under MaxLag (or not measured yet). While the primary is
// down no heartbeat arrives and the lag is unknown: a healthy replica is
// then eligible, stale by an unknown amount (see PrimaryDown).
func (s *Set) Eligible(n *Node) bool {
	if !n.health.ok() || n.lagFailedNow() {
		return false
	}
	if s.cfg.MaxLag < 0 || s.PrimaryDown() {
		return true
	}
	lag, known := n.Lag()
	return !known || lag <= s.cfg.MaxLag
}

// WhyNotEligible says, for a read that found no replica, what kept each
// one out, with the lag limit: "lag limit 1s: 0/replica-1 is 2.3s behind,
// 0/replica-2 is shunned".
func (s *Set) WhyNotEligible() string {
	var parts []string
	for _, r := range s.roles().replicas {
		switch lag, known := r.Lag(); {
		case !r.health.ok():
			parts = append(parts, r.Name+" is shunned")
		case r.lagFailedNow():
			parts = append(parts, r.Name+" did not answer the lag probe")
		case known && s.cfg.MaxLag >= 0 && lag > s.cfg.MaxLag:
			parts = append(parts, fmt.Sprintf("%s is %v behind", r.Name, lag.Round(time.Millisecond)))
		default:
			parts = append(parts, r.Name+" is eligible")
		}
	}
	return fmt.Sprintf("lag limit %v: %s", s.cfg.MaxLag, strings.Join(parts, ", "))
}

// PickReplica chooses a replica for a read with the Set's balancer, skipping
// shunned and lagging replicas and any in exclude. When none qualifies it
// returns the primary with fallback true, or ErrNoReplica if Fallback is
// "fail".
func (s *Set) PickReplica(exclude ...*Node) (n *Node, fallback bool, err error) {
	cur := s.roles()
	var only *Node
	for _, r := range cur.replicas {
		if !s.Eligible(r) || contains(exclude, r) {
			continue
		}
		if only != nil {
			if n := s.pickAmong(cur.replicas, exclude); n != nil {
				return n, false, nil
			}
			only = nil // none is eligible any more
			break
		}
		only = r
	}
	if only != nil {
		// Every balancer picks the one candidate there is; without the
		// call, the candidates' slice, which the balancer's interface
		// makes escape, is not made either.
		return only, false, nil
	}
	if s.cfg.Fallback == FallbackFail {
		return nil, false, fmt.Errorf("%w (shard %s; %s)", ErrNoReplica, s.Shard, s.WhyNotEligible())
	}
	return cur.primary, true, nil
}

// pickAmong is the balancer's pick among the eligible replicas of
// replicas, not in exclude; nil when none is (any more).
func (s *Set) pickAmong(replicas, exclude []*Node) *Node {
	cands := make([]*Node, 0, len(replicas))
	for _, r := range replicas {
		if s.Eligible(r) && !contains(exclude, r) {
			cands = append(cands, r)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	return s.balancer.Pick(cands)
}

func contains(list []*Node, n *Node) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}

// NodeInfo is a snapshot of one node, for status output.
type NodeInfo struct {
	Name     string        `json:"name"`
	Role     topology.Role `json:"role"`
	Addr     string        `json:"address"`
	Health   string        `json:"health"`
	Eligible bool          `json:"eligible"`
	LagMs    float64       `json:"lag_ms"` // -1 when unknown
	InFlight int64         `json:"in_flight"`
	Served   uint64        `json:"served"`
	History  []Transition  `json:"transitions,omitempty"`
}

// Snapshot reports every node's state.
func (s *Set) Snapshot() []NodeInfo {
	out := make([]NodeInfo, 0, len(s.all))
	for _, n := range s.all {
		lag := -1.0
		if d, ok := n.Lag(); ok {
			lag = float64(d.Microseconds()) / 1000
		}
		out = append(out, NodeInfo{
			Name: n.Name, Role: n.Role(), Addr: n.Addr, Health: n.health.state(),
			Eligible: n.Role() == topology.Replica && s.Eligible(n), LagMs: lag,
			InFlight: n.InFlight(), Served: n.Served(), History: n.health.history(),
		})
	}
	return out
}
