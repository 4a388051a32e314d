package router_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/topology"
)

// TestWriteWhoseLoginWasCutWaitsForFailover: a write whose connection to
// the primary was cut during the login (the primary killed or shutting
// down between its greeting and the login's answer) never ran, so with a
// failover buffer it waits for the new primary and runs there, once. The
// primary that cuts logins is a socket that greets and closes, over TCP
// (dbtest.CutLogin); the router follows it as a failover's topology would
// name it, and then follows the real primary back, as the failover that
// replaces it would.
func TestWriteWhoseLoginWasCutWaitsForFailover(t *testing.T) {
	base, sb := openRouter(t, router.Config{Replica: quiet()})
	setupKV(t, base)
	fake, closed := dbtest.CutLogin(t, "tcp")
	// real lists the fake as one more replica, so that the router has a
	// node for it; failed names it the primary.
	real := withShard0(sb.Topology, func(s *topology.Shard) {
		s.Replicas = append(slices.Clone(s.Replicas), topology.Addr{HostPort: fake})
	})
	failed := withShard0(real, func(s *topology.Shard) {
		old := s.Primary
		s.Primary = topology.Addr{HostPort: fake}
		s.Replicas = append(slices.DeleteFunc(slices.Clone(s.Replicas), func(a topology.Addr) bool { return a.HostPort == fake }), old)
	})
	cfg := quiet()
	cfg.NoHeartbeatWriter = true // no statement but the test's reaches the fake
	r, err := router.Open(context.Background(), real, router.Config{Replica: cfg, FailoverBuffer: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if _, err := r.ExecContext(ctx, "DELETE FROM kv WHERE k = 4242"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Follow(failed); err != nil {
		t.Fatal(err)
	}
	// The router's first lag reading met the fake as a replica: only the
	// write's login counts from here.
	for len(closed) > 0 {
		<-closed
	}
	before := r.Stats().Buffered
	var tr router.Trace
	wrote := make(chan error, 1)
	go func() {
		_, err := r.ExecContext(router.WithTrace(ctx, &tr), "INSERT INTO kv VALUES (4242, 1)")
		wrote <- err
	}()
	select {
	case <-closed: // the write's login was cut
	case err := <-wrote:
		t.Fatalf("the write ended before its login was cut: %v", err)
	case <-ctx.Done():
		t.Fatal("the write never reached the primary that cuts logins")
	}
	// One cut login does not mark the primary down (that takes three
	// connection errors in a row): the write waits because it never ran.
	if r.Sets()[0].PrimaryDown() {
		t.Error("the primary was marked down: the write would wait on that, not on its cut login")
	}
	if _, err := r.Follow(real); err != nil {
		t.Fatal(err)
	}
	if err := <-wrote; err != nil {
		t.Fatalf("a write whose login was cut: %v (%T); want it held and run on the new primary", err, err)
	}
	if got := r.Stats().Buffered - before; got != 1 || tr.Buffered <= 0 || tr.Node != "0/primary" {
		t.Errorf("buffered %d time(s), trace waited %v ms, ran on %s; want once, then on 0/primary", got, tr.Buffered, tr.Node)
	}
	var n int
	if err := r.With(router.Strong).GetContext(ctx, &n, "SELECT COUNT(*) FROM kv WHERE k = 4242"); err != nil || n != 1 {
		t.Errorf("the held write's row: %d, %v; want 1", n, err)
	}
	// A statement that fails after its login is the server's answer,
	// and never a LoginError: it may have run.
	_, err = r.ExecContext(ctx, "INSERT INTO kv VALUES (4242, 1)")
	var le *replica.LoginError
	if err == nil || errors.As(err, &le) {
		t.Errorf("a duplicate key: %v; want the server's error, not a LoginError", err)
	}
}

// withShard0 is a copy of t with its first shard changed by edit.
func withShard0(t *topology.Topology, edit func(*topology.Shard)) *topology.Topology {
	c := *t
	c.Shards = slices.Clone(t.Shards)
	edit(&c.Shards[0])
	return &c
}
