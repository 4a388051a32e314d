package proxy_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scalelab/scalelab/proxy"
	"github.com/scalelab/scalelab/router"
)

// TestServe: Serve listens, answers clients, and drains when its context
// ends, saying so.
func TestServe(t *testing.T) {
	topo := shardedTopology(t)
	r, err := router.Open(context.Background(), topo, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var mu sync.Mutex
	var logged []string
	srv, err := proxy.New(r, proxy.Config{
		Listen: "127.0.0.1:0", Metrics: "-", DrainTimeout: 5 * time.Second,
		Users: map[string]string{topo.User.Name: topo.User.Password},
		Logf: func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			logged = append(logged, fmt.Sprintf(format, args...))
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	listening := make(chan struct{})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, func() { close(listening) }) }()
	select {
	case <-listening:
	case err := <-served:
		t.Fatalf("Serve returned %v before listening", err)
	}
	host, port := splitAddr(t, srv.Addr().String())
	f := &fixture{srv: srv, r: r, topo: topo, host: host, port: port}
	var one int
	if err := f.open(t, nil).QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 through Serve: %d, %v", one, err)
	}
	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve returned %v, want nil after a drain", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(logged) == 0 || !strings.HasPrefix(logged[0], "shutting down: draining ") || !strings.HasSuffix(logged[0], "at most 5s") {
		t.Errorf("got log %q, want it to start with the drain of at most 5s", logged)
	}
}
