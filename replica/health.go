package replica

import (
	"context"
	"sync"
	"time"
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
type health struct {
	mu          sync.Mutex
	shunned     bool
	errs        int
	transitions []Transition
}

func (h *health) ok() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return !h.shunned
}

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
	h.errs++
	if !h.shunned && h.errs >= limit {
		h.shunned = true
		h.record(Healthy, Shunned, err.Error())
	}
}

// shun takes the node out of service now, whatever its error count.
func (h *health) shun(reason string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.shunned {
		h.shunned = true
		h.record(Healthy, Shunned, reason)
	}
}

// succeed resets the error count of a healthy node.
func (h *health) succeed() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.shunned {
		h.errs = 0
	}
}

// readmit returns a shunned node to service after a probe answered.
func (h *health) readmit() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.shunned {
		h.shunned, h.errs = false, 0
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

// Fail records a connection error on n. Callers report errors for which
// IsConnError is true; after Config.ShunAfter in a row the node is shunned
// until a probe gets an answer.
func (s *Set) Fail(n *Node, err error) {
	if IsConnError(err) {
		n.health.fail(s.cfg.ShunAfter, err)
	}
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
		err := n.DB.PingContext(pctx)
		cancel()
		if err == nil {
			n.health.readmit()
			continue
		}
		// Still silent: the statements stuck on it since before the
		// probe timeout give up and retry elsewhere.
		n.endStuck(n.probeTimeout)
	}
}
