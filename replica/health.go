package replica

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scalelab/scalelab/topology"
)

// Health states of a node.
const (
	Healthy = "healthy"
	Shunned = "shunned"
)

// Transition is one change of a node's health state.
type Transition struct {
	At     time.Time `json:"at"`
	From   string    `json:"from"`
	To     string    `json:"to"`
	Reason string    `json:"reason"`
}

// maxTransitions bounds the history kept per node.
const maxTransitions = 32

// health tracks one node's consecutive connection errors and its state.
// Every statement reads the state (ok) and reports its success (succeed),
// so those two take no lock in the common case: the state and the error
// count are atomics, changed under mu and read without it.
type health struct {
	mu      sync.Mutex
	shunned atomic.Bool
	errs    atomic.Int64
	// downs counts the times the node was shunned: a waiter that looks
	// now and then sees by it an outage shorter than its look's period.
	downs       atomic.Uint64
	transitions []Transition
}

func (h *health) ok() bool { return !h.shunned.Load() }

func (h *health) state() string {
	if h.ok() {
		return Healthy
	}
	return Shunned
}

// fail records a connection error; after limit in a row the node is shunned.
func (h *health) fail(limit int, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if errs := h.errs.Add(1); !h.shunned.Load() && errs >= int64(limit) {
		h.downs.Add(1)
		h.shunned.Store(true)
		h.record(Healthy, Shunned, err.Error())
	}
}

// shun takes the node out of service now, whatever its error count.
func (h *health) shun(reason string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.shunned.Load() {
		h.downs.Add(1)
		h.shunned.Store(true)
		h.record(Healthy, Shunned, reason)
	}
}

// succeed resets the error count of a healthy node. With no errors
// counted (nearly always) there is nothing to reset, and no lock is taken.
func (h *health) succeed() {
	if h.errs.Load() == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.shunned.Load() {
		h.errs.Store(0)
	}
}

// readmit returns a shunned node to service after a probe answered.
func (h *health) readmit() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.shunned.Load() {
		h.errs.Store(0)
		h.shunned.Store(false)
		h.record(Shunned, Healthy, "probe answered")
	}
}

func (h *health) record(from, to, reason string) {
	h.transitions = append(h.transitions, Transition{At: time.Now(), From: from, To: to, Reason: reason})
	if len(h.transitions) > maxTransitions {
		h.transitions = h.transitions[len(h.transitions)-maxTransitions:]
	}
}

func (h *health) history() []Transition {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Transition(nil), h.transitions...)
}

// Fail records a connection error on n of a statement run under ctx.
// Callers report errors for which IsConnError is true; after
// Config.ShunAfter in a row the node is shunned until a probe gets an
// answer. An error after the caller gave up (ctx ended) is the caller's,
// not the node's: a connection its deadline cut, a dial it did not wait
// for, a query the driver cancelled by closing its connection. Counted,
// such errors shunned a healthy primary under a burst of short
// deadlines, and every other client's writes failed. An unresponsive
// node (ErrUnresponsive, which the node's own silence decides) counts
// all the same.
func (s *Set) Fail(ctx context.Context, n *Node, err error) {
	if IsConnError(err) && (!CallerGone(ctx) || errors.Is(err, ErrUnresponsive)) {
		n.health.fail(s.cfg.ShunAfter, err)
	}
}

// CallerGone reports whether ctx ended: cancelled, or past its deadline,
// which a socket's timeout may reach a moment before ctx.Err() says so
// (the dialer and the driver set the deadline on the socket itself).
func CallerGone(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	d, ok := ctx.Deadline()
	return ok && !time.Now().Before(d)
}

// Succeed records that n answered.
func (s *Set) Succeed(n *Node) { n.health.succeed() }

// probeShunned pings every shunned node and re-admits those that answer.
func (s *Set) probeShunned(ctx context.Context) {
	for _, n := range s.all {
		if n.health.ok() {
			continue
		}
		pctx, cancel := context.WithTimeout(ctx, n.probeTimeout)
		err := n.checks.PingContext(pctx)
		cancel()
		if err == nil {
			n.health.readmit()
			continue
		}
		// Still silent: the statements stuck on it since before the
		// probe timeout give up and retry elsewhere; on a primary, those
		// that waited out Config.PrimaryWait fail.
		n.endStuck(n.probeTimeout)
		if s.cfg.PrimaryWait > 0 && n.Role() != topology.Replica {
			n.stuck.end(s.cfg.PrimaryWait, 0)
		}
	}
}
