package router_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/router"
)

// boom is the mark of a statement that the tests' panic hook makes panic,
// as a bug would, once its shard's answer is in (Config.TestPanic).
const boom = "/* boom */"

// panicking is a router config whose statements marked boom panic, with
// nodes' pools of maxOpen connections, and the count of the panics' stacks
// the router logged.
func panicking(maxOpen int) (router.Config, func() int) {
	var mu sync.Mutex
	logged := 0
	cfg := router.Config{
		TestPanic: func(at, query string) {
			if strings.Contains(query, boom) {
				panic("boom at " + at)
			}
		},
		Logf: func(format string, args ...any) {
			if line := fmt.Sprintf(format, args...); strings.Contains(line, "panic: boom") && strings.Contains(line, "goroutine") {
				mu.Lock()
				logged++
				mu.Unlock()
			}
		},
	}
	cfg.Replica.Pool.MaxOpen = maxOpen
	return cfg, func() int {
		mu.Lock()
		defer mu.Unlock()
		return logged
	}
}

// caught runs fn as the proxy's protocol library runs a client's command:
// a panic that escapes it is recovered, and is the test's error. fn runs
// on a goroutine of its own, and caught gives up on it after a minute: a
// statement that waits for a connection of a pool whose connections
// leaked waits for good. (Its context is not cancellable, as the
// proxy's: database/sql would close the rows of a cancelled context
// itself.)
func caught(fn func() error) error {
	done := make(chan error, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- fmt.Errorf("a panic escaped the router: %v", v)
			}
		}()
		done <- fn()
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Minute):
		return errors.New("the statement did not end within a minute (a pool's connections leaked?)")
	}
}

// closed closes sess, and fails t if the close does not end (a
// connection held by a statement's open rows blocks it for good).
func closed(t *testing.T, sess *router.Session) {
	t.Helper()
	if err := caught(func() error { sess.Close(); return nil }); err != nil {
		t.Errorf("Session.Close after an internal error: %v", err)
	}
}

// waitPoolsIdle waits until no node's pool has a connection in use.
func waitPoolsIdle(t *testing.T, r *router.Router) {
	t.Helper()
	var busy []string
	waitFor(t, 30*time.Second, "every pool's connections back (none leaked)", func() bool {
		busy = busy[:0]
		for _, set := range r.Sets() {
			for _, n := range set.Nodes() {
				if k := n.DB.Stats().InUse; k > 0 {
					busy = append(busy, fmt.Sprintf("%s: %d", n.Name, k))
				}
			}
		}
		if len(busy) > 0 {
			t.Logf("in use: %s", strings.Join(busy, ", "))
		}
		return len(busy) == 0
	})
}

// TestPanicLeaksNothing: a statement that panics (a bug) fails with
// ErrInternal, its stack logged once, and the rows it had opened, and for
// a session its own connections, are closed: more panics than a node's
// pool has connections leave every later statement working, and no
// connection in use. The panic escaped the router, and each left its
// rows' pooled connection checked out for good: after MaxOpen of them,
// every statement hung.
func TestPanicLeaksNothing(t *testing.T) {
	const maxOpen, panics = 2, 5
	for _, tc := range []struct {
		name string
		// run runs query once, in a fresh session or not, as the
		// caller of that form does.
		run func(ctx context.Context, r *router.Router, query string) error
	}{
		{"session", func(ctx context.Context, r *router.Router, query string) error {
			sess := r.NewSession()
			defer closed(t, sess)
			rows, err := sess.QueryContext(ctx, query)
			if err == nil {
				rows.Close()
			}
			return err
		}},
		{"session with its own connections", func(ctx context.Context, r *router.Router, query string) error {
			sess := r.NewSession()
			defer closed(t, sess)
			if _, err := sess.ExecContext(ctx, "SET @panic_test = 1"); err != nil {
				return fmt.Errorf("SET: %w", err)
			}
			rows, err := sess.QueryContext(ctx, query)
			if err == nil {
				rows.Close()
			}
			if err != nil {
				// The session is closed: its next statement says so.
				if _, again := sess.ExecContext(ctx, "SELECT 1"); !errors.Is(again, router.ErrInternal) {
					return fmt.Errorf("the statement after the panic: %v, want ErrInternal", again)
				}
			}
			return err
		}},
		{"session Run", func(ctx context.Context, r *router.Router, query string) error {
			sess := r.NewSession()
			defer closed(t, sess)
			res, err := sess.Run(ctx, query)
			if err == nil && res.Rows != nil {
				res.Rows.Close()
			}
			return err
		}},
		{"router", func(ctx context.Context, r *router.Router, query string) error {
			rows, err := r.QueryContext(ctx, query)
			if err == nil {
				rows.Close()
			}
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, logged := panicking(maxOpen)
			r, _ := openRouter(t, cfg)
			ctx := context.Background()
			for i := range panics {
				err := caught(func() error { return tc.run(ctx, r, "SELECT 1 "+boom) })
				if !errors.Is(err, router.ErrInternal) {
					t.Fatalf("panic %d: %v, want ErrInternal", i+1, err)
				}
				if !strings.Contains(err.Error(), "a bug in scalelab") || !strings.Contains(err.Error(), "session is closed") {
					t.Fatalf("panic %d: %q does not say it is a bug and the session is closed", i+1, err)
				}
			}
			if got := logged(); got != panics {
				t.Errorf("the router logged %d panics' stacks, want %d", got, panics)
			}
			for i := range 2 * maxOpen {
				if err := caught(func() error { return tc.run(ctx, r, "SELECT 1") }); err != nil {
					t.Fatalf("statement %d after the panics: %v", i+1, err)
				}
			}
			waitPoolsIdle(t, r)
		})
	}
}

// TestPanicInTransactionFreesLocks: a statement that panics inside a
// session's transaction rolls it back, and the connection that held its
// row locks is closed: another client locks the row at once. The
// connection stayed checked out, in its transaction, and held the lock for
// good.
func TestPanicInTransactionFreesLocks(t *testing.T) {
	cfg, _ := panicking(0)
	r, sb := openRouter(t, cfg)
	primary := sb.Topology.Shards[0].Primary.HostPort
	admin := dbtest.OpenAdmin(t, sb.Topology, primary)
	db := sb.Topology.DatabaseName()
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS `" + db + "`.panic_locks (id INT PRIMARY KEY, v INT)",
		"REPLACE INTO `" + db + "`.panic_locks VALUES (1, 0)",
	} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	for _, tc := range []struct{ name, state string }{
		{"pooled", ""},
		{"its own connections", "SET @panic_test = 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sess := r.NewSession()
			defer closed(t, sess)
			for _, q := range []string{tc.state, "BEGIN", "UPDATE panic_locks SET v = v + 1 WHERE id = 1"} {
				if q == "" {
					continue
				}
				if _, err := sess.ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			err := caught(func() error {
				var v int
				return sess.GetContext(ctx, &v, "SELECT v FROM panic_locks WHERE id = 1 "+boom)
			})
			if !errors.Is(err, router.ErrInternal) {
				t.Fatalf("the statement that panicked: %v, want ErrInternal", err)
			}
			if sess.InTransaction() {
				t.Error("the session is still in its transaction after the internal error")
			}
			other, err := admin.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			if _, err := other.ExecContext(ctx, "SET SESSION innodb_lock_wait_timeout = 1"); err != nil {
				t.Fatal(err)
			}
			tx, err := other.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			var v int
			if err := tx.QueryRowContext(ctx, "SELECT v FROM `"+db+"`.panic_locks WHERE id = 1 FOR UPDATE").Scan(&v); err != nil {
				t.Fatalf("another client locking the row after the panic: %v", err)
			}
			if v != 0 {
				t.Errorf("v = %d, want 0: the panicked transaction's UPDATE was not rolled back", v)
			}
		})
	}
	waitPoolsIdle(t, r)
}
