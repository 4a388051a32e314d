package proxy_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scalelab/scalelab/proxy"
	"github.com/scalelab/scalelab/router"
)

// boom marks the statements that the tests' panic hook makes panic, as a
// bug would, once their shards' answers are in (router.Config.TestPanic).
const boom = "/* boom */"

// panicking gives rcfg the hook that makes statements marked boom panic,
// and a Logf that counts the panics' stacks the router logs.
func panicking(rcfg router.Config) (router.Config, func() int) {
	var mu sync.Mutex
	logged := 0
	rcfg.TestPanic = func(at, query string) {
		if strings.Contains(query, boom) {
			panic("boom at " + at)
		}
	}
	rcfg.Logf = func(format string, args ...any) {
		if line := fmt.Sprintf(format, args...); strings.Contains(line, "panic: boom") && strings.Contains(line, "goroutine") {
			mu.Lock()
			logged++
			mu.Unlock()
		}
	}
	return rcfg, func() int {
		mu.Lock()
		defer mu.Unlock()
		return logged
	}
}

// within runs fn and gives up on it after a minute: a client of a proxy
// whose pools' connections leaked waits for good.
func within(fn func() error) error {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Minute):
		return errors.New("no answer within a minute (the pools' connections leaked?)")
	}
}

// TestPanicClosesItsConnection: a statement during which the router
// panics (a bug) gets error 1105, which names the internal error, and its
// client's connection is closed; the shard rows it held go back to the
// pools, a transaction's row lock is freed, and the proxy goes on serving
// its other clients, past more panics than a node's pool has connections.
// The panic's stack is logged once, and scalelab_proxy_internal_errors_total
// counts it. The protocol library recovered the panic and closed the
// connection without a word, and each panic kept a connection of every
// shard it read: after 64 of them every client of the proxy hung.
func TestPanicClosesItsConnection(t *testing.T) {
	const maxOpen, panics = 2, 5
	rcfg, logged := panicking(quiet())
	rcfg.Replica.Pool.MaxOpen = maxOpen
	f := startProxy(t, proxy.Config{}, rcfg)
	ctx := context.Background()
	other := f.open(t, nil)
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS panics (id BIGINT PRIMARY KEY, v INT)",
		"REPLACE INTO panics VALUES (1, 0), (2, 0), (3, 0), (4, 0)",
	} {
		if _, err := other.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db := f.open(t, nil)
	total := 0
	for _, tc := range []struct {
		name   string
		before []string
		query  string
	}{
		{"scatter", nil, "SELECT id FROM panics ORDER BY id LIMIT 2 " + boom},
		{"single shard", nil, "SELECT v FROM panics WHERE id = 1 " + boom},
		{"in a transaction", []string{"BEGIN", "UPDATE panics SET v = v + 1 WHERE id = 1"}, "SELECT v FROM panics WHERE id = 1 " + boom},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i := range panics {
				conn, err := db.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				for _, q := range tc.before {
					if _, err := conn.ExecContext(ctx, q); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
				err = within(func() error {
					rows, err := conn.QueryContext(ctx, tc.query)
					if err == nil {
						rows.Close()
					}
					return err
				})
				total++
				// (Errors, not fatal: the checks of what leaked follow.)
				if mysqlErrNum(err) != 1105 || !strings.Contains(err.Error(), "internal error, a bug in scalelab") {
					t.Errorf("panic %d: %v, want error 1105 naming the internal error", i+1, err)
				}
				if err := within(func() error { return conn.PingContext(ctx) }); err == nil {
					t.Errorf("panic %d: the connection still answers after the internal error", i+1)
				}
			}
			// The proxy serves its other clients, on every shard.
			var n int
			if err := within(func() error { return other.QueryRowContext(ctx, "SELECT COUNT(*) FROM panics").Scan(&n) }); err != nil || n != 4 {
				t.Fatalf("another client's scatter after the panics: %d, %v; want 4", n, err)
			}
			// The row the transactions locked is free, and unchanged. (A
			// client of its own: its SET keeps a connection of its
			// session's until it leaves.)
			locker := f.open(t, nil)
			lock, err := locker.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			err = within(func() error {
				for _, q := range []string{"SET SESSION innodb_lock_wait_timeout = 1", "BEGIN"} {
					if _, err := lock.ExecContext(ctx, q); err != nil {
						return fmt.Errorf("%s: %w", q, err)
					}
				}
				defer lock.ExecContext(ctx, "ROLLBACK")
				return lock.QueryRowContext(ctx, "SELECT v FROM panics WHERE id = 1 FOR UPDATE").Scan(&n)
			})
			if err != nil || n != 0 {
				t.Fatalf("locking row 1 after the panics: v = %d, %v; want 0, and the lock at once", n, err)
			}
			lock.Close()
			locker.Close()
			waitPoolsIdle(t, f.r)
		})
	}
	if got := logged(); got != total {
		t.Errorf("the router logged %d panics' stacks, want %d", got, total)
	}
	m := scrape(t, "http://"+f.srv.MetricsAddr().String()+"/metrics")
	if n := m["scalelab_proxy_internal_errors_total"]; n != float64(total) {
		t.Errorf("scalelab_proxy_internal_errors_total = %v, want %d", n, total)
	}
}

// TestPanicAfterRelayedAnswer: a relayed read whose answer went out before
// the router panicked closes its client's connection after the answer
// (its session is closed), and counts as an internal error; the proxy
// serves other clients.
func TestPanicAfterRelayedAnswer(t *testing.T) {
	rcfg, logged := panicking(quiet())
	f := startProxy(t, proxy.Config{}, rcfg)
	ctx := context.Background()
	db := f.open(t, nil)
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	before := scrape(t, "http://"+f.srv.MetricsAddr().String()+"/metrics")["scalelab_proxy_relayed_total"]
	var n int
	if err := within(func() error { return conn.QueryRowContext(ctx, "SELECT 7 "+boom).Scan(&n) }); err != nil || n != 7 {
		t.Fatalf("the relayed read: %d, %v; want its answer, 7", n, err)
	}
	if err := within(func() error { return conn.PingContext(ctx) }); err == nil {
		t.Fatal("the connection still answers after the internal error")
	}
	m := scrape(t, "http://"+f.srv.MetricsAddr().String()+"/metrics")
	if m["scalelab_proxy_relayed_total"] == before {
		t.Fatal("the read was not relayed")
	}
	if got := m["scalelab_proxy_internal_errors_total"]; got != 1 {
		t.Errorf("scalelab_proxy_internal_errors_total = %v, want 1", got)
	}
	if got := logged(); got != 1 {
		t.Errorf("the router logged %d panics' stacks, want 1", got)
	}
	other := f.open(t, nil)
	if err := within(func() error { return other.QueryRowContext(ctx, "SELECT 8").Scan(&n) }); err != nil || n != 8 {
		t.Fatalf("another client after the panic: %d, %v", n, err)
	}
}

// waitPoolsIdle waits until no node's pool has a connection in use.
func waitPoolsIdle(t *testing.T, r *router.Router) {
	t.Helper()
	waitFor(t, "every pool's connections back (none leaked)", 30*time.Second, func() bool {
		for _, set := range r.Sets() {
			for _, n := range set.Nodes() {
				if n.DB.Stats().InUse > 0 {
					return false
				}
			}
		}
		return true
	})
}
