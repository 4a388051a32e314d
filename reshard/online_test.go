package reshard_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/reshard"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/topology"
)

// item is the state of one items row a client was told about.
type item struct {
	name string
	qty  int
}

// TestOnlineReshardUnderWrites reshards 2 → 4 shards online while a writer
// inserts, updates and deletes items through a router the whole time, and
// records every change the router acknowledged. The copy and the
// catch-ups run under the writes; once the writer stops, vdiff finds no
// difference, the switch goes through, and the new shards hold exactly the
// acknowledged rows: every one present with its last value, none twice.
func TestOnlineReshardUnderWrites(t *testing.T) {
	for _, tc := range []struct {
		vindex   string
		to, port int
	}{
		// Nested ranges: each old shard's servers keep rows of their own.
		{"hash", 4, 30600}, // BasePort: 30600
		// Modulo moves rows between any two shards, also onto the servers
		// that keep serving, which then log the copies in their binlog.
		{"modulo", 3, 30700}, // BasePort: 30700
	} {
		t.Run(fmt.Sprintf("%s 2→%d", tc.vindex, tc.to), func(t *testing.T) {
			onlineReshard(t, tc.vindex, tc.to, tc.port)
		})
	}
}

func onlineReshard(t *testing.T, vindex string, to, port int) {
	sb := startSandbox(t, 2, port, vindex)
	load(t, sb.Topology)
	ctx := context.Background()
	model := map[uint64]item{}
	for id := uint64(1); id <= rows; id++ {
		model[id] = item{fmt.Sprintf("item-%d", id), int(id % 17)}
	}
	r, err := router.Open(ctx, sb.Topology, router.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()

	var mu sync.Mutex
	stop := make(chan struct{})
	done := make(chan int)
	go func() {
		acked := 0
		for i := 1; ; i++ {
			select {
			case <-stop:
				done <- acked
				return
			default:
			}
			var err error
			var id uint64
			switch i % 3 {
			case 0:
				id = uint64(100000 + i)
				if i%5 == 0 {
					id = 1<<63 + uint64(i) // above BIGINT's signed range
				}
				_, err = r.ExecContext(ctx, "INSERT INTO items (id, name, qty) VALUES (?, ?, ?)", id, fmt.Sprintf("new-%d", i), i%100)
				if err == nil {
					mu.Lock()
					model[id] = item{fmt.Sprintf("new-%d", i), i % 100}
					mu.Unlock()
				}
			case 1:
				id = uint64(i*7%rows + 1)
				_, err = r.ExecContext(ctx, "UPDATE items SET qty = ? WHERE id = ?", 1000+i, id)
				mu.Lock()
				if it, ok := model[id]; ok && err == nil {
					it.qty = 1000 + i
					model[id] = it
				}
				mu.Unlock()
			case 2:
				id = uint64(i*13%rows + 1)
				_, err = r.ExecContext(ctx, "DELETE FROM items WHERE id = ?", id)
				if err == nil {
					mu.Lock()
					delete(model, id)
					mu.Unlock()
				}
			}
			if err != nil {
				t.Errorf("write %d (id %d): %v", i, id, err)
				done <- acked
				return
			}
			acked++
		}
	}()

	res, acked := switchUnderWrites(t, sb.Dir, reshard.Config{Shards: to}, func(run int) {
		if run > 0 {
			return
		}
		time.Sleep(300 * time.Millisecond)      // writes go on after the catch-up
		for _, sh := range sb.Topology.Shards { // the catch-up crosses into a new binlog file
			if _, err := dbtest.OpenAdmin(t, sb.Topology, sh.Primary.HostPort).ExecContext(ctx, "FLUSH BINARY LOGS"); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(100 * time.Millisecond)
	}, func() int { close(stop); return <-done })
	if acked < 100 {
		t.Fatalf("the writer made only %d changes during the reshard", acked)
	}
	if res.Switch == nil || *res.Switch <= 0 {
		t.Errorf("the switching run reports no switch window: %v", res.Switch)
	} else {
		t.Logf("switch window (last catch-up, verify, switch), writes paused: %v", res.Switch.D())
	}

	topo, err := topology.Load(sb.TopologyPath())
	if err != nil {
		t.Fatal(err)
	}
	if len(topo.Shards) != to {
		t.Fatalf("%d shards after the switch, want %d", len(topo.Shards), to)
	}
	got := selectAll[struct {
		ID   uint64 `db:"id"`
		Name string `db:"name"`
		Qty  int    `db:"qty"`
	}](t, topo, "SELECT id, name, qty FROM items")
	rowsByID := map[uint64][]item{}
	for _, g := range got {
		rowsByID[g.ID] = append(rowsByID[g.ID], item{g.Name, g.Qty})
	}
	checkAcked(t, "item", rowsByID, model)
	t.Logf("%d acknowledged writes during the reshard; %d items after it", acked, len(got))
}

// TestOnlineMoveTablesUnderWrites moves likes from keyspace users (one
// shard) to media (two) online while a writer inserts, updates and deletes
// likes through a router: after the writer stops, vdiff finds no
// difference, the switch goes through, and media holds exactly the
// acknowledged likes.
func TestOnlineMoveTablesUnderWrites(t *testing.T) {
	srv := dbtest.RequireServer(t)
	ctx := context.Background()
	rules := map[string]topology.Table{"likes": {Column: "image_id", Vindex: "hash"}}
	sb, err := sandbox.Start(ctx, sandbox.Config{Dir: t.TempDir(), BasePort: 30800, Server: srv,
		Keyspaces: []sandbox.KeyspaceConfig{{Name: "users", Shards: 1, Replicas: 1, Tables: rules}, {Name: "media", Shards: 2, Replicas: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Stop(context.Background()) })
	r, err := router.Open(ctx, sb.Topology, router.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	type like struct{ image, user uint64 }
	model := map[uint64]like{}
	if _, err := r.ExecContext(ctx, "CREATE TABLE likes (id BIGINT UNSIGNED PRIMARY KEY, image_id BIGINT UNSIGNED NOT NULL, user_id BIGINT UNSIGNED NOT NULL, KEY (image_id))"); err != nil {
		t.Fatal(err)
	}
	for id := uint64(1); id <= 2000; id++ {
		l := like{id%300 + 1, id%97 + 1}
		if _, err := r.ExecContext(ctx, "INSERT INTO likes VALUES (?, ?, ?)", id, l.image, l.user); err != nil {
			t.Fatal(err)
		}
		model[id] = l
	}

	var mu sync.Mutex
	stop, done := make(chan struct{}), make(chan int)
	go func() {
		acked := 0
		for i := 1; ; i++ {
			select {
			case <-stop:
				done <- acked
				return
			default:
			}
			var err error
			id := uint64(i*7%2000 + 1)
			switch i % 3 {
			case 0:
				id = uint64(10000 + i)
				l := like{uint64(i%300 + 1), uint64(i % 97)}
				if _, err = r.ExecContext(ctx, "INSERT INTO likes VALUES (?, ?, ?)", id, l.image, l.user); err == nil {
					mu.Lock()
					model[id] = l
					mu.Unlock()
				}
			case 1:
				if _, err = r.ExecContext(ctx, "UPDATE likes SET user_id = ? WHERE id = ?", 5000+i, id); err == nil {
					mu.Lock()
					if l, ok := model[id]; ok {
						l.user = uint64(5000 + i)
						model[id] = l
					}
					mu.Unlock()
				}
			case 2:
				id = uint64(i*13%2000 + 1)
				if _, err = r.ExecContext(ctx, "DELETE FROM likes WHERE id = ?", id); err == nil {
					mu.Lock()
					delete(model, id)
					mu.Unlock()
				}
			}
			if err != nil {
				t.Errorf("write %d: %v", i, err)
				done <- acked
				return
			}
			acked++
		}
	}()
	_, acked := switchUnderWrites(t, sb.Dir, reshard.Config{Tables: []string{"likes"}, ToKeyspace: "media"},
		func(int) { time.Sleep(200 * time.Millisecond) }, func() int { close(stop); return <-done })
	topo, err := topology.Load(sb.TopologyPath())
	if err != nil {
		t.Fatal(err)
	}
	if ks := topo.TableKeyspace("likes"); ks != "media" {
		t.Fatalf("likes is in %q after the move", ks)
	}
	got := selectAll[struct {
		ID    uint64 `db:"id"`
		Image uint64 `db:"image_id"`
		User  uint64 `db:"user_id"`
	}](t, topo, "SELECT id, image_id, user_id FROM likes")
	rowsByID := map[uint64][]like{}
	for _, g := range got {
		rowsByID[g.ID] = append(rowsByID[g.ID], like{g.Image, g.User})
	}
	checkAcked(t, "like", rowsByID, model)
	t.Logf("%d acknowledged writes during the move; %d likes after it", acked, len(got))
}

// checkAcked compares the rows read back after a switch, by id, with
// what the writer was told: every acknowledged row there once, with its
// last value, and no other.
func checkAcked[V comparable](t *testing.T, what string, got map[uint64][]V, model map[uint64]V) {
	t.Helper()
	for id, vs := range got {
		want, ok := model[id]
		switch {
		case len(vs) > 1:
			t.Errorf("%s %d is there %d times", what, id, len(vs))
		case !ok:
			t.Errorf("%s %d is there, but its delete was acknowledged (or it was never written)", what, id)
		case vs[0] != want:
			t.Errorf("%s %d: %+v, acknowledged %+v", what, id, vs[0], want)
		}
	}
	for id := range model {
		if _, ok := got[id]; !ok {
			t.Errorf("acknowledged %s %d is missing", what, id)
		}
	}
}

// switchUnderWrites runs cfg online on the sandbox in dir twice while a
// writer goes on, calling pause after each run; then stopWriter stops the
// writer and returns the writes it had acknowledged. One more online run
// catches up, vdiff must find no difference, and a run without --online
// switches. It returns the switching run's result and the writes.
func switchUnderWrites(t *testing.T, dir string, cfg reshard.Config, pause func(run int), stopWriter func() int) (*reshard.Result, int) {
	t.Helper()
	ctx := context.Background()
	run := func(online bool) (*reshard.Result, error) {
		s, err := sandbox.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		c := cfg
		c.Cluster, c.Online = s.Cluster(), online
		return reshard.Run(ctx, c)
	}
	for k := 0; k < 2; k++ {
		if _, err := run(true); !errors.Is(err, reshard.ErrStopped) {
			t.Fatalf("online run %d: %v, want it to stop caught up", k+1, err)
		}
		pause(k)
	}
	acked := stopWriter()
	// Writes paused: one more catch-up, then the target equals the source.
	if _, err := run(true); !errors.Is(err, reshard.ErrStopped) {
		t.Fatalf("last online run: %v", err)
	}
	s, err := sandbox.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	diff, err := reshard.VDiff(ctx, reshard.VDiffConfig{Cluster: s.Cluster()})
	if err != nil {
		t.Fatal(err)
	}
	if diff.Differences() != 0 {
		t.Fatalf("vdiff before the switch: %d differences: %+v", diff.Differences(), diff.Ranges)
	}
	res, err := run(false)
	if err != nil {
		t.Fatalf("switch: %v", err)
	}
	return res, acked
}

// selectAll reads query's rows through a router over topo, from the
// primaries.
func selectAll[T any](t *testing.T, topo *topology.Topology, query string) []T {
	t.Helper()
	ctx := context.Background()
	r, err := router.Open(ctx, topo, router.Config{Consistency: router.Strong})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var got []T
	if err := r.SelectContext(ctx, &got, query); err != nil {
		t.Fatal(err)
	}
	return got
}
