package router

import (
	"sync"
	"sync/atomic"
)

// Route labels counted by Stats.Routes. They partition the statements the
// router sent to nodes: each is counted once, under one of them.
const (
	RoutePrimary  = "primary"
	RouteReplica  = "replica"
	RouteFallback = "fallback"
	RouteUnparsed = "unparsed"
)

// Stats is a snapshot of the router's counters.
type Stats struct {
	// Routes counts the statements sent to nodes by route label: a
	// scattered statement counts once per shard it ran on, a retried read
	// once, under the node that answered. They sum to the sum of Nodes.
	Routes map[string]uint64 `json:"routes"`
	// Nodes counts the statements sent to each node, by name.
	Nodes map[string]uint64 `json:"nodes"`
	// Shapes counts the statements on sharded tables by plan type
	// (PlanSingleShard, PlanMultiShard, PlanScatter), once per statement.
	Shapes map[string]uint64 `json:"shapes"`
	// Retries counts reads that failed on a replica and ran again on
	// another node (counted in Routes and Nodes under that node).
	Retries uint64 `json:"retries"`
	// Classified counts statement classifications, one per statement a
	// client sends; Parsed counts the texts the parser read (the others
	// came from the cache).
	Classified uint64 `json:"classified"`
	Parsed     uint64 `json:"parsed"`
	// Buffered counts statements that waited for a failover
	// (Config.FailoverBuffer) and then ran on the new primary.
	Buffered uint64 `json:"buffered"`
	// Buffering is how many statements wait now, for a failover or for
	// their primary to answer again.
	Buffering int64 `json:"buffering"`
	// Held counts statements that a reshard's switch held (the source
	// refused writes to a moving table) and that then ran again, planned
	// anew; Reshapes counts the reshards the router followed.
	Held     uint64 `json:"held"`
	Reshapes uint64 `json:"reshapes"`
	// Sticky counts the sessions that began to keep their own
	// connections and read on the primaries, after a statement that
	// makes state of its connection or calls CONNECTION_ID(): each one
	// gave up its read scaling, as a ProxySQL client whose multiplexing
	// is turned off.
	Sticky uint64 `json:"sticky"`
}

type counters struct {
	routes    sync.Map // string → *atomic.Uint64
	nodes     sync.Map
	shapes    sync.Map
	retries   atomic.Uint64
	buffered  atomic.Uint64
	buffering atomic.Int64
	held      atomic.Uint64
	reshapes  atomic.Uint64
	sticky    atomic.Uint64
}

func (c *counters) add(m *sync.Map, key string) {
	v, ok := m.Load(key)
	if !ok {
		v, _ = m.LoadOrStore(key, new(atomic.Uint64))
	}
	v.(*atomic.Uint64).Add(1)
}

func (c *counters) route(label string) { c.add(&c.routes, label) }
func (c *counters) node(name string)   { c.add(&c.nodes, name) }
func (c *counters) shape(plan string)  { c.add(&c.shapes, plan) }

func (c *counters) snapshot() Stats {
	s := Stats{Routes: map[string]uint64{}, Nodes: map[string]uint64{}, Shapes: map[string]uint64{}}
	for _, m := range []struct {
		from *sync.Map
		to   map[string]uint64
	}{{&c.routes, s.Routes}, {&c.nodes, s.Nodes}, {&c.shapes, s.Shapes}} {
		m.from.Range(func(k, v any) bool { m.to[k.(string)] = v.(*atomic.Uint64).Load(); return true })
	}
	s.Retries, s.Buffered, s.Held, s.Reshapes = c.retries.Load(), c.buffered.Load(), c.held.Load(), c.reshapes.Load()
	s.Buffering = c.buffering.Load()
	s.Sticky = c.sticky.Load()
	return s
}
