package router

import (
	"sync"
	"sync/atomic"
)

// Route labels counted by Stats. primary, replica, fallback and unparsed
// partition the statements; retry counts retries on top of them.
const (
	RoutePrimary  = "primary"
	RouteReplica  = "replica"
	RouteFallback = "fallback"
	RouteUnparsed = "unparsed"
	RouteRetry    = "retry"
)

// Stats is a snapshot of the router's counters.
type Stats struct {
	// Routes counts statements per route label.
	Routes map[string]uint64 `json:"routes"`
	// Nodes counts statements per node name.
	Nodes map[string]uint64 `json:"nodes"`
	// Classified counts statement classifications, one per statement a
	// client sends; Parsed counts the texts the parser read (the others
	// came from the cache).
	Classified uint64 `json:"classified"`
	Parsed     uint64 `json:"parsed"`
	// Buffered counts statements that waited for a failover
	// (Config.FailoverBuffer) and then ran on the new primary.
	Buffered uint64 `json:"buffered"`
}

type counters struct {
	routes   sync.Map // string → *atomic.Uint64
	nodes    sync.Map
	buffered atomic.Uint64
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

func (c *counters) snapshot() Stats {
	s := Stats{Routes: map[string]uint64{}, Nodes: map[string]uint64{}}
	c.routes.Range(func(k, v any) bool { s.Routes[k.(string)] = v.(*atomic.Uint64).Load(); return true })
	c.nodes.Range(func(k, v any) bool { s.Nodes[k.(string)] = v.(*atomic.Uint64).Load(); return true })
	s.Buffered = c.buffered.Load()
	return s
}
