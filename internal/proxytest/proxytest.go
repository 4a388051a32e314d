// Package proxytest serves scalelab's proxy over a router for tests, on a
// free port of 127.0.0.1, shut down when the test ends.
package proxytest

import (
	"context"
	"testing"
	"time"

	"github.com/scalelab/scalelab/proxy"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/topology"
)

// Serve starts a proxy over r that lets in the topology's application
// user, with its metrics on a free port too.
func Serve(t testing.TB, r *router.Router, user topology.Credentials) *proxy.Server {
	t.Helper()
	srv, err := proxy.New(r, proxy.Config{Listen: "127.0.0.1:0", Metrics: "127.0.0.1:0", Users: map[string]string{user.Name: user.Password}, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return srv
}
