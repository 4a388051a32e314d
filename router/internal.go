package router

import (
	"database/sql"
	"errors"
	"fmt"
	"log"
	"runtime/debug"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/scalelab/scalelab/replica"
)

// ErrInternal fails a statement during which the router panicked: a bug
// in scalelab, not in the statement nor in the servers. The panic is
// recovered where the statement entered the router (a Session's, a Tx's
// or the pooled Router's statement methods, Session.Relay), its stack
// goes to Config.Logf once, and what the statement held is closed: its
// rows, and for a Session its own connections and its transaction's,
// which are closed, not handed back to the pools, so that the servers
// roll back what they held and free its locks. The Session (or the Tx)
// is closed: its later statements fail with this error. The error wraps
// it, with the panic's value.
var ErrInternal = errors.New("router: internal error, a bug in scalelab: the statement failed and the session is closed (its transaction rolled back); reconnect, and report the bug with the stack the router logged")

// cleanupTimeout bounds the cleanup after a panic (closing the
// statement's rows, rolling back, closing connections): what a bug left
// half done on a connection could hold it for good, and the caller is
// told at the end of it.
const cleanupTimeout = 10 * time.Second

// shardPanic is a panic of a scatter's shard read on a worker goroutine,
// carried to the statement's own goroutine (see execShards), with the
// stack where it happened.
type shardPanic struct {
	value any
	stack []byte
}

func (p *shardPanic) Error() string { return fmt.Sprintf("panic in a shard read: %v", p.value) }

// recovered makes v, a panic recovered from statement o, its ErrInternal:
// it logs the stack, and closes o's rows, and then runs cleanup, if set,
// within cleanupTimeout. Called from the deferred function that
// recovered, so that the stack is still the panic's.
func (r *Router) recovered(v any, o *op, cleanup func()) error {
	stack := debug.Stack()
	if p, ok := v.(*shardPanic); ok {
		v, stack = p.value, p.stack
	}
	r.logf("router: internal error, a bug in scalelab: panic: %v\n%s", v, stack)
	var rows *sql.Rows
	if o != nil {
		rows, o.rows, o.res = o.rows, nil, nil
	}
	r.bounded("closing a panicked statement's rows", func() {
		if rows != nil {
			rows.Close()
		}
		if cleanup != nil {
			cleanup()
		}
	})
	return fmt.Errorf("%w (panic: %v)", ErrInternal, v)
}

// bounded runs fn, the cleanup after a panic, and waits for it at most
// cleanupTimeout: past it, it says so in the log and leaves fn to end on
// its own. Only a panic's path pays its goroutine.
func (r *Router) bounded(what string, fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	t := time.NewTimer(cleanupTimeout)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		r.logf("router: %s did not end within %v; left to end on its own", what, cleanupTimeout)
	}
}

// abandon breaks the session after err, an ErrInternal: its later
// statements fail with it, and its transaction is rolled back and its own
// connections are closed, never handed back to the pools (what the
// statement left on them is not known), within cleanupTimeout.
func (s *Session) abandon(err error) {
	s.broken = err
	s.connMu.Lock()
	tx, conns := s.tx, s.conns
	s.conns = map[*replica.Node]*sqlx.Conn{}
	s.connMu.Unlock()
	s.tx, s.implicitEnd = nil, false
	s.forgetConditions()
	s.r.bounded("closing the connections of a session after an internal error", func() {
		if tx != nil {
			tx.abandon()
		}
		for _, c := range conns {
			_ = discard(c)
		}
	})
}

// abandon rolls the transaction back after an internal error, and closes
// its connections but a session's own (which the session closes): none
// goes back to the pools.
func (t *Tx) abandon() {
	t.dirty = true
	t.abort()
}

// logf is Config.Logf, or the standard library's logger.
func (r *Router) logf(format string, args ...any) {
	if r.cfg.Logf != nil {
		r.cfg.Logf(format, args...)
		return
	}
	log.Printf(format, args...)
}
