package feed_test

import (
	"context"
	"errors"
	"net"
	"reflect"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/graph-gophers/dataloader/v7"
	"github.com/scalelab/scalelab/feed"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/schema"
	"github.com/scalelab/scalelab/topology"
	"github.com/scalelab/scalelab/vschema"
)

func newLoaders(t *testing.T, r *router.Router, cfg feed.Config) *feed.Loaders {
	t.Helper()
	l, err := feed.New(r, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// shardsOf returns the shard names the keys map to in table.
func shardsOf(t *testing.T, topo *topology.Topology, table string, keys []uint64) map[string]bool {
	t.Helper()
	vs, err := vschema.New(topo)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, k := range keys {
		i, err := vs.Locate(table, k)
		if err != nil {
			t.Fatal(err)
		}
		out[vs.Shards()[i]] = true
	}
	return out
}

// checkOneStatementPerShard checks, with the router's own counters, that a
// batch sent one single-shard statement to each shard it needed and nothing
// else.
func checkOneStatementPerShard(t *testing.T, tr feed.Traffic, shards map[string]bool) {
	t.Helper()
	n := uint64(len(shards))
	if n > 4 {
		t.Fatalf("keys on %d shards: the sandbox has 4", n)
	}
	if tr.Statements != n || tr.Routes[router.PlanSingleShard] != n || tr.Routes[router.PlanMultiShard] != 0 || tr.Routes[router.PlanScatter] != 0 {
		t.Errorf("got %d statements, routes %v, want %d single-shard statements, one per shard", tr.Statements, tr.Routes, n)
	}
	for node, c := range tr.Nodes {
		sh, _, _ := cut(node)
		if c != 1 || !shards[sh] {
			t.Errorf("node %s ran %d statements, want 1 (shards of the keys: %v)", node, c, shards)
		}
	}
}

func cut(node string) (shard, role string, ok bool) {
	for i := range node {
		if node[i] == '/' {
			return node[:i], node[i+1:], true
		}
	}
	return node, "", false
}

// concurrentLoads makes 100 goroutines Load one key each from ld, at once,
// and returns what each got. With flush, the batch is started by Flush once
// every key is queued; otherwise it must start itself when it fills up.
func concurrentLoads[V any](t *testing.T, ld *dataloader.Loader[uint64, V], keys []uint64, flush bool) []V {
	t.Helper()
	ctx := context.Background()
	got := make([]V, len(keys))
	errs := make([]error, len(keys))
	var queued, done sync.WaitGroup
	for i, k := range keys {
		queued.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			thunk := ld.Load(ctx, k)
			queued.Done()
			got[i], errs[i] = thunk()
		}()
	}
	queued.Wait()
	if flush {
		ld.Flush()
	}
	done.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Load(%d): %v", keys[i], err)
		}
	}
	return got
}

// TestConcurrentLoadsOneStatementPerShard is the batching contract: 100
// concurrent Load calls cost at most one statement per shard, counted by
// the router per route and per node, and each call gets its own row.
func TestConcurrentLoadsOneStatementPerShard(t *testing.T) {
	f := setup(t)
	ids := make([]uint64, 100)
	for i := range ids {
		ids[i] = uint64(i*2 + 1) // 1, 3, … 199: every one a user and an image
	}
	for _, tc := range []struct {
		name  string
		cfg   feed.Config
		flush bool
	}{
		// Wait is an hour, so only the trigger under test can start the
		// batch; a timing slip would hang the test, not pass it.
		{"batch fills", feed.Config{BatchCapacity: len(ids), Wait: time.Hour}, false},
		{"flush", feed.Config{Wait: time.Hour}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := openRouter(t, f.topo)
			t.Run("users", func(t *testing.T) {
				l := newLoaders(t, r, tc.cfg)
				before := r.Stats()
				got := concurrentLoads(t, l.Users, ids, tc.flush)
				checkOneStatementPerShard(t, feed.Diff(before, r.Stats()), shardsOf(t, f.topo, schema.TableUsers, ids))
				for i, id := range ids {
					if !reflect.DeepEqual(got[i], f.users[id]) {
						t.Errorf("user %d: got %+v, want %+v", id, got[i], f.users[id])
					}
				}
			})
			t.Run("images", func(t *testing.T) {
				l := newLoaders(t, r, tc.cfg)
				before := r.Stats()
				got := concurrentLoads(t, l.Images, ids, tc.flush)
				checkOneStatementPerShard(t, feed.Diff(before, r.Stats()), shardsOf(t, f.topo, schema.TableImages, ids))
				for i, id := range ids {
					if !reflect.DeepEqual(got[i], f.images[id]) {
						t.Errorf("image %d: got %+v, want %+v", id, got[i], f.images[id])
					}
				}
			})
			t.Run("likes by image", func(t *testing.T) {
				l := newLoaders(t, r, tc.cfg)
				before := r.Stats()
				got := concurrentLoads(t, l.LikesByImage, ids, tc.flush)
				checkOneStatementPerShard(t, feed.Diff(before, r.Stats()), shardsOf(t, f.topo, schema.TableLikes, ids))
				for i, id := range ids {
					if len(got[i]) != len(f.likes[id]) || len(got[i]) > 0 && !reflect.DeepEqual(got[i], f.likes[id]) {
						t.Errorf("likes of image %d: got %d %+v, want %d %+v", id, len(got[i]), got[i], len(f.likes[id]), f.likes[id])
					}
				}
			})
			t.Run("like counts", func(t *testing.T) {
				l := newLoaders(t, r, tc.cfg)
				before := r.Stats()
				got := concurrentLoads(t, l.LikeCounts, ids, tc.flush)
				checkOneStatementPerShard(t, feed.Diff(before, r.Stats()), shardsOf(t, f.topo, schema.TableLikes, ids))
				for i, id := range ids {
					if got[i] != int64(len(f.likes[id])) {
						t.Errorf("like count of image %d: got %d, want %d", id, got[i], len(f.likes[id]))
					}
				}
			})
		})
	}
}

// TestMissingKeys checks that keys with no row fail alone, with ErrNotFound,
// in a batch of present keys, with the default Config (the batch starts on
// its own after Wait).
func TestMissingKeys(t *testing.T) {
	f := setup(t)
	r := openRouter(t, f.topo)
	ctx := context.Background()
	keys := []uint64{1, 1_000_001, 2, 1_000_002, 200, 0, 1_000_003}
	missing := map[uint64]bool{1_000_001: true, 1_000_002: true, 0: true, 1_000_003: true}
	t.Run("users", func(t *testing.T) {
		l := newLoaders(t, r, feed.Config{})
		got, errs := l.Users.LoadMany(ctx, keys)()
		for i, k := range keys {
			var err error
			if errs != nil {
				err = errs[i]
			}
			if missing[k] {
				if !errors.Is(err, feed.ErrNotFound) {
					t.Errorf("user %d: got error %v, want ErrNotFound", k, err)
				}
				continue
			}
			if err != nil || !reflect.DeepEqual(got[i], f.users[k]) {
				t.Errorf("user %d: got %+v, %v, want %+v", k, got[i], err, f.users[k])
			}
		}
	})
	t.Run("images", func(t *testing.T) {
		l := newLoaders(t, r, feed.Config{})
		got, errs := l.Images.LoadMany(ctx, keys)()
		for i, k := range keys {
			var err error
			if errs != nil {
				err = errs[i]
			}
			if missing[k] {
				if !errors.Is(err, feed.ErrNotFound) {
					t.Errorf("image %d: got error %v, want ErrNotFound", k, err)
				}
				continue
			}
			if err != nil || !reflect.DeepEqual(got[i], f.images[k]) {
				t.Errorf("image %d: got %+v, %v, want %+v", k, got[i], err, f.images[k])
			}
		}
	})
	t.Run("likes of a missing image", func(t *testing.T) {
		l := newLoaders(t, r, feed.Config{})
		likes, err := l.LikesByImage.Load(ctx, 1_000_001)()
		n, err2 := l.LikeCounts.Load(ctx, 1_000_001)()
		if likes != nil || err != nil || n != 0 || err2 != nil {
			t.Errorf("got likes %v, %v and count %d, %v, want none and 0 without error", likes, err, n, err2)
		}
	})
}

// closedPorts returns n local ports that nothing listens on: connecting to
// them is refused at once.
func closedPorts(t *testing.T, n int) []string {
	t.Helper()
	var out []string
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		out = append(out, l.Addr().String())
	}
	for _, l := range ls {
		l.Close()
	}
	return out
}

// TestShardFailure breaks one shard for real (its primary and replica
// addresses point at closed ports) and checks that a batch over every
// shard fails only that shard's keys.
func TestShardFailure(t *testing.T) {
	f := setup(t)
	topo := *f.topo
	topo.Shards = append([]topology.Shard(nil), f.topo.Shards...)
	const dead = 1
	deadName := topo.Shards[dead].Name
	ports := closedPorts(t, 1+len(topo.Shards[dead].Replicas))
	topo.Shards[dead].Primary = topology.Addr{HostPort: ports[0]}
	topo.Shards[dead].Replicas = nil
	for _, p := range ports[1:] {
		topo.Shards[dead].Replicas = append(topo.Shards[dead].Replicas, topology.Addr{HostPort: p})
	}
	// router.Open would fail on the dead shard: open the others' sets only.
	r, err := router.New(&topo, router.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	for _, s := range r.Sets() {
		if s.Shard != deadName {
			if err := s.Open(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
	}

	ids := make([]uint64, 100)
	for i := range ids {
		ids[i] = uint64(i + 1)
	}
	l := newLoaders(t, r, feed.Config{Wait: time.Hour})
	// Load queues its key before it returns (LoadMany queues from
	// goroutines, too late for a Flush right after it).
	thunks := make([]dataloader.Thunk[schema.User], len(ids))
	for i, id := range ids {
		thunks[i] = l.Users.Load(context.Background(), id)
	}
	l.Users.Flush()
	got := make([]schema.User, len(ids))
	errs := make([]error, len(ids))
	for i, th := range thunks {
		got[i], errs[i] = th()
	}
	onDead := 0
	for i, id := range ids {
		err := errs[i]
		if shardsOf(t, &topo, schema.TableUsers, []uint64{id})[deadName] {
			onDead++
			var se *feed.ShardError
			if !errors.As(err, &se) || se.Shard != deadName || se.Table != schema.TableUsers || !errors.Is(err, syscall.ECONNREFUSED) {
				t.Errorf("user %d on dead shard %s: got error %v, want a *feed.ShardError for %s wrapping a refused connection", id, deadName, err, deadName)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got[i], f.users[id]) {
			t.Errorf("user %d on a live shard: got %+v, %v, want %+v", id, got[i], err, f.users[id])
		}
	}
	if onDead == 0 || onDead == len(ids) {
		t.Fatalf("%d of %d keys on the dead shard: the test needs some on it and some not", onDead, len(ids))
	}
	if t.Failed() {
		return
	}
	// A shard failure is not cached: the same Loaders asks the shard again.
	var deadKey uint64
	for i, id := range ids {
		if errs[i] != nil {
			deadKey = id
			break
		}
	}
	before := r.Stats()
	thunk := l.Users.Load(context.Background(), deadKey)
	l.Users.Flush()
	_, err = thunk()
	var se *feed.ShardError
	if tr := feed.Diff(before, r.Stats()); !errors.As(err, &se) || tr.Statements == 0 {
		t.Errorf("loading user %d again: got %v after %d statements, want a new try that fails again", deadKey, err, tr.Statements)
	}
	t.Logf("%d of %d keys were on dead shard %s; their error: %v", onDead, len(ids), deadName, err)
}

// TestRequestScoped checks that a Loaders caches for its own request only:
// after a row changes, the old Loaders still serves what it loaded, and a
// new one reads the change.
func TestRequestScoped(t *testing.T) {
	f := setup(t)
	// Read-your-writes makes the replica reads below wait for the UPDATE.
	r := openRouterWith(t, f.topo, router.Config{Consistency: router.ReadYourWrites})
	ctx := context.Background()
	const id = 42
	orig := f.users[id]
	t.Cleanup(func() {
		if _, err := r.ExecContext(ctx, "UPDATE users SET name = ? WHERE id = ?", orig.Name, id); err != nil {
			t.Errorf("restore user %d: %v", id, err)
		}
		wctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := waitReplicas(wctx, f.topo); err != nil {
			t.Error(err)
		}
	})

	first := newLoaders(t, r, feed.Config{})
	u, err := first.Users.Load(ctx, id)()
	if err != nil || u.Name != orig.Name {
		t.Fatalf("before the update: got %+v, %v, want name %q", u, err, orig.Name)
	}
	const renamed = "renamed-by-TestRequestScoped"
	if _, err := r.ExecContext(ctx, "UPDATE users SET name = ? WHERE id = ?", renamed, id); err != nil {
		t.Fatal(err)
	}
	before := r.Stats()
	u, err = first.Users.Load(ctx, id)()
	if err != nil || u.Name != orig.Name {
		t.Errorf("same request after the update: got %+v, %v, want the cached name %q", u, err, orig.Name)
	}
	if tr := feed.Diff(before, r.Stats()); tr.Statements != 0 {
		t.Errorf("a cached Load sent %d statements, want 0", tr.Statements)
	}
	second := newLoaders(t, r, feed.Config{})
	u, err = second.Users.Load(ctx, id)()
	if err != nil || u.Name != renamed {
		t.Errorf("next request: got %+v, %v, want name %q", u, err, renamed)
	}
}
