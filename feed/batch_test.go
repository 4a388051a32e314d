package feed

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/schema"
	"github.com/scalelab/scalelab/shard"
	"github.com/scalelab/scalelab/topology"
	"github.com/scalelab/scalelab/vschema"
)

// testTopology is a topology of n shards whose addresses are never dialed:
// router.New and Route do no I/O.
func testTopology(t *testing.T, n int, tables map[string]topology.Table) *topology.Topology {
	t.Helper()
	names, err := shard.GenerateNames(n)
	if err != nil {
		t.Fatal(err)
	}
	topo := &topology.Topology{
		Name: "unit", Flavor: "mariadb",
		User: topology.Credentials{Name: "app"}, Replication: topology.Credentials{Name: "repl"},
		Tables: tables,
	}
	for i, name := range names {
		topo.Shards = append(topo.Shards, topology.Shard{Name: name, Primary: topology.Addr{HostPort: fmt.Sprintf("127.0.0.1:%d", 1000+i)}})
	}
	return topo
}

func mustVSchema(t *testing.T, topo *topology.Topology) *vschema.Schema {
	t.Helper()
	vs, err := vschema.New(topo)
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func sampleTables(vindex string) map[string]topology.Table {
	out := map[string]topology.Table{}
	for table, key := range schema.Sharding() {
		out[table] = topology.Table{Column: key.Column, Vindex: vindex}
	}
	return out
}

// TestGroupsRouteSingleShard checks that the loader splits keys the way the
// router does: every group's IN list plans as a single-shard statement on
// the group's shard, so a batch costs one statement per shard.
func TestGroupsRouteSingleShard(t *testing.T) {
	keys := make([]uint64, 300)
	for i := range keys {
		keys[i] = uint64(i*7919 + 1)
	}
	for _, tc := range []struct {
		name   string
		shards int
		vindex string
	}{
		{"hash 4 shards", 4, "hash"},
		{"hash 8 shards", 8, "hash"},
		{"xxhash 4 shards", 4, "xxhash"},
		{"modulo 4 shards", 4, "modulo"},
		{"hash 2 shards", 2, "hash"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			topo := testTopology(t, tc.shards, sampleTables(tc.vindex))
			r, err := router.New(topo, router.Config{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			for _, tab := range []struct{ table, column, prefix string }{
				{schema.TableUsers, "id", usersByID},
				{schema.TableImages, "id", imagesByID},
				{schema.TableLikes, "image_id", likesByImageID},
			} {
				s := newSplit(r.VSchema(), tab.table, tab.column)
				groups, err := s.groups(keys)
				if err != nil {
					t.Fatal(err)
				}
				if len(groups) != tc.shards {
					t.Errorf("%s: got %d groups, want one per shard (%d)", tab.table, len(groups), tc.shards)
				}
				seen := 0
				for _, g := range groups {
					seen += len(g.keys)
					for n, p := range g.pos {
						if keys[p] != g.keys[n] {
							t.Fatalf("%s: group %s: position %d holds key %d, want %d", tab.table, g.shard, p, g.keys[n], keys[p])
						}
					}
					q, args := inQuery(tab.prefix, g.keys, "")
					tr, err := r.Route(q, args...)
					if err != nil {
						t.Fatal(err)
					}
					if tr.Plan != router.PlanSingleShard || !slices.Equal(tr.Shards, []string{g.shard}) {
						t.Errorf("%s: group %s of %d keys: got plan %s on %v, want %s on [%s]", tab.table, g.shard, len(g.keys), tr.Plan, tr.Shards, router.PlanSingleShard, g.shard)
					}
				}
				if seen != len(keys) {
					t.Errorf("%s: groups hold %d keys, want %d", tab.table, seen, len(keys))
				}
			}
		})
	}
}

// TestGroupsUnsplit covers tables the loader cannot split by its key: they
// go in one group, and the router picks the shards.
func TestGroupsUnsplit(t *testing.T) {
	keys := []uint64{1, 2, 3}
	for _, tc := range []struct {
		name   string
		shards int
		tables map[string]topology.Table
		want   string
	}{
		{"no tables section", 4, nil, "-40"},
		{"one shard", 1, sampleTables("hash"), "0"},
		{"sharded by another column", 4, map[string]topology.Table{"users": {Column: "email", Vindex: "hash"}}, "*"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			topo := testTopology(t, tc.shards, tc.tables)
			s := newSplit(mustVSchema(t, topo), schema.TableUsers, "id")
			groups, err := s.groups(keys)
			if err != nil {
				t.Fatal(err)
			}
			if len(groups) != 1 || groups[0].shard != tc.want || !slices.Equal(groups[0].keys, keys) {
				t.Errorf("got %+v, want one group on %s with every key", groups, tc.want)
			}
		})
	}
}

// TestBatchFuncAlignsResults checks the batch function's contract with
// dataloader: one result per key, in the keys' order; a missing key gets
// missing's result; a failed shard fails its own keys only, uncached.
func TestBatchFuncAlignsResults(t *testing.T) {
	topo := testTopology(t, 4, sampleTables("hash"))
	s := newSplit(mustVSchema(t, topo), schema.TableUsers, "id")
	keys := []uint64{5, 1, 40, 3, 17, 2, 99, 8, 12}
	groups, _ := s.groups(keys)
	failing := groups[0].shard
	boom := errors.New("connection refused")
	// The fetch stands in for the router: it knows ids below 20, and fails
	// for the keys of one shard.
	fetch := func(_ context.Context, ks []uint64) (map[uint64]uint64, error) {
		g, _ := s.groups(ks)
		if len(g) != 1 {
			t.Errorf("fetch got keys of %d shards, want 1", len(g))
		}
		if g[0].shard == failing {
			return nil, boom
		}
		m := map[uint64]uint64{}
		for _, k := range ks {
			if k < 20 {
				m[k] = k * 10
			}
		}
		return m, nil
	}
	var mu sync.Mutex // the shards' fetches run at once
	forgot := map[uint64]bool{}
	fn := batchFunc(s, fetch, notFoundResult[uint64]("users", "id"), func(_ context.Context, k uint64) {
		mu.Lock()
		defer mu.Unlock()
		forgot[k] = true
	})
	res := fn(context.Background(), keys)
	if len(res) != len(keys) {
		t.Fatalf("got %d results, want %d", len(res), len(keys))
	}
	onFailing := map[uint64]bool{}
	for _, k := range groups[0].keys {
		onFailing[k] = true
	}
	for i, k := range keys {
		r := res[i]
		var se *ShardError
		switch {
		case onFailing[k]:
			if !errors.As(r.Error, &se) || se.Shard != failing || !errors.Is(r.Error, boom) || !forgot[k] {
				t.Errorf("key %d on failed shard %s: got %v (forgotten: %v), want a forgotten *ShardError for %s wrapping %v", k, failing, r.Error, forgot[k], failing, boom)
			}
		case forgot[k]:
			t.Errorf("key %d, of a shard that answered, was forgotten", k)
		case k >= 20:
			if !errors.Is(r.Error, ErrNotFound) {
				t.Errorf("missing key %d: got error %v, want ErrNotFound", k, r.Error)
			}
		default:
			if r.Error != nil || r.Data != k*10 {
				t.Errorf("key %d: got %d, %v, want %d, nil", k, r.Data, r.Error, k*10)
			}
		}
	}
}

func TestConfigDefaults(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     Config
		want    Config
		wantErr bool
	}{
		{"zero", Config{}, Config{BatchCapacity: DefaultBatchCapacity, Wait: DefaultWait}, false},
		{"set", Config{BatchCapacity: 7, Wait: 3}, Config{BatchCapacity: 7, Wait: 3}, false},
		{"negative capacity", Config{BatchCapacity: -1}, Config{}, true},
		{"negative wait", Config{Wait: -1}, Config{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.cfg.withDefaults()
			if tc.wantErr {
				if !errors.Is(err, ErrInvalidConfig) {
					t.Errorf("got error %v, want ErrInvalidConfig", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %+v, %v, want %+v, nil", got, err, tc.want)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	before := router.Stats{
		Routes: map[string]uint64{"replica": 10},
		Nodes:  map[string]uint64{"-80/replica-1": 5, "80-/replica-1": 5},
		Shapes: map[string]uint64{"scatter": 2},
	}
	after := router.Stats{
		Routes: map[string]uint64{"replica": 14},
		Nodes:  map[string]uint64{"-80/replica-1": 8, "80-/replica-1": 6},
		Shapes: map[string]uint64{"scatter": 3, "single-shard": 2},
	}
	got := Diff(before, after)
	want := Traffic{
		Statements: 4,
		Routes:     map[string]uint64{"scatter": 1, "replica": 4, "single-shard": 2},
		Nodes:      map[string]uint64{"-80/replica-1": 3, "80-/replica-1": 1},
	}
	if got.Statements != want.Statements || fmt.Sprint(got.Routes) != fmt.Sprint(want.Routes) || fmt.Sprint(got.Nodes) != fmt.Sprint(want.Nodes) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// TestBatchFuncShardPanics: a fetch that panics on a shard's goroutine
// fails that shard's keys, and the others get their rows, where the
// panic ended the process.
func TestBatchFuncShardPanics(t *testing.T) {
	topo := testTopology(t, 4, sampleTables("hash"))
	s := newSplit(mustVSchema(t, topo), schema.TableUsers, "id")
	keys := []uint64{5, 1, 40, 3, 17, 2, 99, 8, 12}
	groups, _ := s.groups(keys)
	if len(groups) < 2 {
		t.Fatalf("the keys are on %d shard(s), want several", len(groups))
	}
	bad := groups[len(groups)-1].shard // not the first: that one runs on the batch's goroutine
	fetch := func(_ context.Context, ks []uint64) (map[uint64]uint64, error) {
		if g, _ := s.groups(ks); g[0].shard == bad {
			panic("a bug")
		}
		m := map[uint64]uint64{}
		for _, k := range ks {
			m[k] = k
		}
		return m, nil
	}
	res := batchFunc(s, fetch, notFoundResult[uint64]("users", "id"), func(context.Context, uint64) {})(context.Background(), keys)
	onBad := map[uint64]bool{}
	for _, k := range groups[len(groups)-1].keys {
		onBad[k] = true
	}
	for i, k := range keys {
		var se *ShardError
		switch r := res[i]; {
		case onBad[k]:
			if !errors.As(r.Error, &se) || se.Shard != bad || !errors.Is(r.Error, errFetchPanic) {
				t.Errorf("key %d on the shard whose fetch panicked: %v, want a *ShardError wrapping errFetchPanic", k, r.Error)
			}
		case r.Error != nil || r.Data != k:
			t.Errorf("key %d: %d, %v; want %d", k, r.Data, r.Error, k)
		}
	}
}

// TestLoaderForgetsFailedShard: a key whose shard failed is loaded again
// by a later Load, though the Load that failed was never read (its
// caller gave up): the loader's SkipCacheError forgot a key only when
// its thunk was read, and every later Load got the old error.
func TestLoaderForgetsFailedShard(t *testing.T) {
	topo := testTopology(t, 4, sampleTables("hash"))
	s := newSplit(mustVSchema(t, topo), schema.TableUsers, "id")
	var failing atomic.Bool
	failing.Store(true)
	fetch := func(ctx context.Context, ks []uint64) (map[uint64]uint64, error) {
		if failing.Load() {
			return nil, context.Canceled
		}
		m := map[uint64]uint64{}
		for _, k := range ks {
			m[k] = k * 10
		}
		return m, nil
	}
	l := newLoader(Config{}, s, fetch, notFoundResult[uint64]("users", "id"))
	_ = l.Load(context.Background(), 7) // its caller gives up: never read
	other := l.Load(context.Background(), 8)
	l.Flush()
	// Key 8's answer comes with the whole batch's.
	if _, err := other(); !errors.Is(err, context.Canceled) {
		t.Fatalf("key 8 of the failed batch: %v, want the fetch's error", err)
	}
	failing.Store(false)
	later := l.Load(context.Background(), 7)
	l.Flush()
	if v, err := later(); err != nil || v != 70 {
		t.Errorf("a later Load of key 7, whose shard failed: %d, %v; want it loaded again (70)", v, err)
	}
}
