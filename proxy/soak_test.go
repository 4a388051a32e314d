package proxy_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scalelab/scalelab/proxy"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
)

// EnvSoak sets the soak's duration (default 10s); the 60s run is
// SCALELAB_PROXY_SOAK=60s go test -run TestSoak ./proxy.
const EnvSoak = "SCALELAB_PROXY_SOAK"

func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	return len(ents)
}

// TestSoak holds 500 client connections busy for a while, then checks
// that goroutines and file descriptors return to their baseline.
func TestSoak(t *testing.T) {
	d := 10 * time.Second
	if v := os.Getenv(EnvSoak); v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			t.Fatalf("%s=%q: %v", EnvSoak, v, err)
		}
	}
	const clients, maxIdle = 500, 4
	rcfg := router.Config{Replica: replica.Config{Pool: replica.PoolConfig{MaxOpen: 64, MaxIdle: maxIdle}}}
	f := startProxy(t, proxy.Config{}, rcfg)
	healthy(t, f)
	runtime.GC()
	baseG, baseFD := runtime.NumGoroutine(), openFDs(t)

	ctx := context.Background()
	db := f.open(t, nil)
	db.SetMaxOpenConns(clients)
	db.SetMaxIdleConns(clients)
	var wg sync.WaitGroup
	var queries, failures atomic.Int64
	var firstErr atomic.Value
	stop := time.Now().Add(d)
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			conn, err := db.Conn(ctx)
			if err != nil {
				failures.Add(1)
				firstErr.CompareAndSwap(nil, err)
				return
			}
			defer conn.Close()
			for time.Now().Before(stop) {
				var n int
				if err := conn.QueryRowContext(ctx, "SELECT ? + 1", i).Scan(&n); err != nil {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, err)
					return
				}
				queries.Add(1)
			}
		}(i)
	}
	waitFor(t, "500 open connections", 60*time.Second, func() bool { return f.srv.Connections() >= clients || failures.Load() > 0 })
	wg.Wait()
	if failures.Load() > 0 {
		t.Fatalf("%d client(s) failed; first: %v", failures.Load(), firstErr.Load())
	}
	t.Logf("%d connections ran %d queries in %v", clients, queries.Load(), d)

	// The metrics saw them.
	resp, err := http.Get("http://" + f.srv.MetricsAddr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`scalelab_router_statements_total{route="replica"}`, `scalelab_router_node_statements_total{node="-80/replica-1"}`,
		"scalelab_proxy_statement_duration_seconds_bucket", "scalelab_proxy_connections_open 500"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	db.Close()
	waitFor(t, "client connections to close", 30*time.Second, func() bool { return f.srv.Connections() == 0 })
	// Pools may keep up to maxIdle connections per node beyond the baseline.
	// The router's pools may keep up to maxIdle more backend connections
	// per node than at the baseline: one descriptor and one driver
	// goroutine each.
	pooled := maxIdle * len(f.topo.Nodes())
	slackFD, slackG := pooled+4, pooled+5
	deadline := time.Now().Add(30 * time.Second)
	for {
		runtime.GC()
		g, fds := runtime.NumGoroutine(), openFDs(t)
		if g <= baseG+slackG && fds <= baseFD+slackFD {
			break
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Fatalf("goroutines %d (baseline %d, slack %d), fds %d (baseline %d, slack %d)\n%s", g, baseG, slackG, fds, baseFD, slackFD, buf[:min(n, 8000)])
		}
		time.Sleep(50 * time.Millisecond) // polling interval, not a wait for an event
	}
	t.Logf("goroutines %d → %d, fds %d → %d", baseG, runtime.NumGoroutine(), baseFD, openFDs(t))
}
