package replica

import (
	"fmt"
	"math/rand/v2"
	"sync/atomic"
)

// Balancer names.
const (
	RoundRobin    = "round-robin"
	Random        = "random"
	LeastInFlight = "least-in-flight"
)

// Balancer picks one node from a non-empty list of eligible replicas.
// Implementations are safe for concurrent use.
type Balancer interface {
	Pick(nodes []*Node) *Node
}

// NewBalancer returns the named balancer: round-robin (the default for an
// empty name), random or least-in-flight.
func NewBalancer(name string) (Balancer, error) {
	switch name {
	case "", RoundRobin:
		return &roundRobin{}, nil
	case Random:
		return random{}, nil
	case LeastInFlight:
		return leastInFlight{}, nil
	}
	return nil, fmt.Errorf("replica: unknown balancer %q: want %s, %s or %s", name, RoundRobin, Random, LeastInFlight)
}

type roundRobin struct{ next atomic.Uint64 }

func (r *roundRobin) Pick(nodes []*Node) *Node {
	if len(nodes) == 1 {
		return nodes[0] // no shared counter to touch, no division
	}
	return nodes[(r.next.Add(1)-1)%uint64(len(nodes))]
}

type random struct{}

func (random) Pick(nodes []*Node) *Node { return nodes[rand.IntN(len(nodes))] }

// leastInFlight picks the node running the fewest statements, breaking ties
// at random so that an idle set still spreads load.
type leastInFlight struct{}

func (leastInFlight) Pick(nodes []*Node) *Node {
	best, ties := nodes[0], 1
	min := best.InFlight()
	for _, n := range nodes[1:] {
		switch f := n.InFlight(); {
		case f < min:
			best, min, ties = n, f, 1
		case f == min:
			ties++
			if rand.IntN(ties) == 0 {
				best = n
			}
		}
	}
	return best
}
