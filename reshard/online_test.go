package reshard_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/reshard"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/shard"
	"github.com/scalelab/scalelab/topology"
)

// item is the state of one items row a client was told about.
type item struct {
	name string
	qty  int
}

// TestOnlineReshardUnderWrites reshards 2 → N shards online while a writer
// inserts, updates and deletes items through a router that follows the
// topology file, and records every change the router acknowledged. The
// copy, the catch-ups and the switch run under the writes: held writes
// wait and run again on the new shards, so none fails. After the switch
// vdiff finds no difference, and the new shards hold exactly the
// acknowledged rows: every one present with its last value, none twice.
// Then, still under writes, the hash reshard is reversed (the old shards
// must hold every acknowledged row again) and the modulo one completed.
func TestOnlineReshardUnderWrites(t *testing.T) {
	for _, tc := range []struct {
		vindex   string
		to, port int
		reverse  bool
	}{
		// Nested ranges: each old shard's servers keep rows of their own.
		{"hash", 4, 30600, true}, // BasePort: 30600
		// Modulo moves rows between any two shards, also onto the servers
		// that keep serving, which then log the copies in their binlog.
		{"modulo", 3, 30700, false}, // BasePort: 30700
	} {
		t.Run(fmt.Sprintf("%s 2→%d", tc.vindex, tc.to), func(t *testing.T) {
			onlineReshard(t, tc.vindex, tc.to, tc.port, tc.reverse)
		})
	}
}

// execer runs a statement: a router, or a pool to a proxy.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// itemWriter changes items through r: an insert, an update or a delete
// per step, recorded in model when acknowledged.
func itemWriter(t testing.TB, r execer, model map[uint64]item, after *writer) *writer {
	ctx := context.Background()
	return startWriter(t, after, func(i int, mu *sync.Mutex) error {
		var err error
		switch i % 3 {
		case 0:
			// Given ids count down, so that the sequence's, which start
			// above every id in the table, never meet them.
			id := uint64(900000 - i)
			if i%5 == 0 {
				id = 1<<63 + 1e9 - uint64(i) // above BIGINT's signed range
			}
			if i%4 == 0 {
				// The id comes from the router's sequence, which lives on
				// the first shard (the topology has no main node): it
				// moves with the first key range, and its ids go on.
				var res sql.Result
				if res, err = r.ExecContext(ctx, "INSERT INTO items (name, qty) VALUES (?, ?)", fmt.Sprintf("new-%d", i), i%100); err == nil {
					var got int64
					got, err = res.LastInsertId()
					id = uint64(got)
				}
			} else {
				_, err = r.ExecContext(ctx, "INSERT INTO items (id, name, qty) VALUES (?, ?, ?)", id, fmt.Sprintf("new-%d", i), i%100)
			}
			if err == nil {
				mu.Lock()
				if _, dup := model[id]; dup {
					err = fmt.Errorf("the sequence gave id %d twice", id)
				}
				model[id] = item{fmt.Sprintf("new-%d", i), i % 100}
				mu.Unlock()
			}
		case 1:
			id := uint64(i*7%rows + 1)
			if _, err = r.ExecContext(ctx, "UPDATE items SET qty = ? WHERE id = ?", 1000+i, id); err == nil {
				mu.Lock()
				if it, ok := model[id]; ok {
					it.qty = 1000 + i
					model[id] = it
				}
				mu.Unlock()
			}
		case 2:
			id := uint64(i*13%rows + 1)
			if _, err = r.ExecContext(ctx, "DELETE FROM items WHERE id = ?", id); err == nil {
				mu.Lock()
				delete(model, id)
				mu.Unlock()
			}
		}
		if err == nil && i%7 == 0 {
			// The unsharded table moves with the first key range too.
			if _, err = r.ExecContext(ctx, "UPDATE settings SET value = ? WHERE name = 'theme'", fmt.Sprintf("v%d", i)); err == nil {
				mu.Lock()
				model[0] = item{fmt.Sprintf("v%d", i), 0}
				mu.Unlock()
			}
		}
		return err
	})
}

func onlineReshard(t *testing.T, vindex string, to, port int, reverse bool) {
	sb := startSandbox(t, 2, port, vindex)
	load(t, sb.Topology)
	ctx := context.Background()
	model := loadedItems()
	r := followingRouter(t, sb)
	w := itemWriter(t, r, model, nil)
	res := switchUnderWrites(t, sb.Dir, reshard.Config{Shards: to}, w, func(run int) {
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
	})
	topo := checkItems(t, sb.TopologyPath(), to, model)
	if st := r.Stats(); st.Reshapes != 1 {
		t.Errorf("the writer's router followed %d reshards, want 1", st.Reshapes)
	}
	t.Logf("switch window %v; the writer's longest write %v (%d held writes)", res.Switch.D(), w.longest, r.Stats().Held)

	// Back to the old shards, or forward to the end, while writes go on.
	w = itemWriter(t, r, model, w)
	time.Sleep(200 * time.Millisecond)
	last, err := runOn(t, sb.Dir, reshard.Config{Reverse: reverse, Complete: !reverse})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	w.halt()
	want, stage := to, reshard.StageDone
	if reverse {
		want, stage = 2, reshard.StageReversed
	}
	if last.Stage != stage {
		t.Errorf("stage %q after the last run, want %q", last.Stage, stage)
	}
	topo = checkItems(t, sb.TopologyPath(), want, model)
	if reverse {
		if !slices.Equal(topo.ShardNames(), sb.Topology.ShardNames()) {
			t.Errorf("shards %v after --reverse, want %v", topo.ShardNames(), sb.Topology.ShardNames())
		}
		t.Logf("reverse window %v; the writer's longest write %v", last.Switch.D(), w.longest)
	}
	// No hold is left on any server.
	for _, sh := range topo.Shards {
		var held string
		err := dbtest.OpenAdmin(t, topo, sh.Primary.HostPort).QueryRowContext(ctx, shard.HoldsQuery).Scan(&held)
		if err != sql.ErrNoRows {
			t.Errorf("shard %s still holds %q (%v)", sh.Name, held, err)
		}
	}
}

// loadedItems is what load wrote, by id.
func loadedItems() map[uint64]item {
	model := map[uint64]item{}
	for id := uint64(1); id <= rows; id++ {
		model[id] = item{fmt.Sprintf("item-%d", id), int(id % 17)}
	}
	return model
}

// followingRouter opens a router over sb that follows its topology file,
// closed when the test ends.
func followingRouter(t testing.TB, sb *sandbox.Sandbox) *router.Router {
	t.Helper()
	r, err := router.Open(context.Background(), sb.Topology, router.Config{TopologyPath: sb.TopologyPath()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// checkItems reads every item back through a new router over the
// topology file and compares them with model; the topology must have
// shards shards.
func checkItems(t testing.TB, path string, shards int, model map[uint64]item) *topology.Topology {
	t.Helper()
	topo, err := topology.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(topo.Shards) != shards {
		t.Fatalf("%d shards, want %d", len(topo.Shards), shards)
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
	// Item 0 stands for the settings row, whose value the writer sets.
	theme := selectAll[struct {
		Value string `db:"value"`
	}](t, topo, "SELECT value FROM settings WHERE name = 'theme'")
	for _, th := range theme {
		rowsByID[0] = append(rowsByID[0], item{th.Value, 0})
	}
	want := maps.Clone(model)
	if _, ok := want[0]; !ok {
		want[0] = item{"dark", 0}
	}
	checkAcked(t, "item", rowsByID, want)
	return topo
}

// TestOnlineMoveTablesUnderWrites moves likes from keyspace users (one
// shard) to media (two) online while a writer inserts, updates and deletes
// likes through a router that follows the topology file: the switch holds
// the writes and the router runs them again in media, vdiff finds no
// difference, media holds exactly the acknowledged likes, and --reverse,
// still under writes, brings them all back to users.
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
	r, err := router.Open(ctx, sb.Topology, router.Config{TopologyPath: sb.TopologyPath()})
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
	likeWriter := func(after *writer) *writer {
		return startWriter(t, after, func(i int, mu *sync.Mutex) error {
			var err error
			id := uint64(i*7%2000 + 1)
			switch i % 3 {
			case 0:
				id = uint64(10000 + i)
				l := like{uint64(i%300 + 1), uint64(i % 97)}
				if _, err = r.ExecContext(ctx, "INSERT INTO likes (id, image_id, user_id) VALUES (?, ?, ?)", id, l.image, l.user); err == nil {
					mu.Lock()
					model[id] = l
					mu.Unlock()
				}
			case 1:
				// In media, likes has two shards: a write names its key.
				mu.Lock()
				l, ok := model[id]
				mu.Unlock()
				if !ok {
					return nil
				}
				if _, err = r.ExecContext(ctx, "UPDATE likes SET user_id = ? WHERE id = ? AND image_id = ?", 5000+i, id, l.image); err == nil {
					mu.Lock()
					l.user = uint64(5000 + i)
					model[id] = l
					mu.Unlock()
				}
			case 2:
				id = uint64(i*13%2000 + 1)
				mu.Lock()
				l, ok := model[id]
				mu.Unlock()
				if !ok {
					return nil
				}
				if _, err = r.ExecContext(ctx, "DELETE FROM likes WHERE id = ? AND image_id = ?", id, l.image); err == nil {
					mu.Lock()
					delete(model, id)
					mu.Unlock()
				}
			}
			return err
		})
	}
	checkLikes := func(ks string) {
		t.Helper()
		topo, err := topology.Load(sb.TopologyPath())
		if err != nil {
			t.Fatal(err)
		}
		if got := topo.TableKeyspace("likes"); got != ks {
			t.Fatalf("likes is in %q, want %q", got, ks)
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
	}
	w := likeWriter(nil)
	res := switchUnderWrites(t, sb.Dir, reshard.Config{Tables: []string{"likes"}, ToKeyspace: "media"}, w,
		func(int) { time.Sleep(200 * time.Millisecond) })
	checkLikes("media")
	t.Logf("switch window %v; the writer's longest write %v", res.Switch.D(), w.longest)

	w = likeWriter(w)
	time.Sleep(200 * time.Millisecond)
	last, err := runOn(t, sb.Dir, reshard.Config{Reverse: true})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	w.halt()
	checkLikes("users")
	t.Logf("reverse window %v; the writer's longest write %v", last.Switch.D(), w.longest)
	// media no longer has the table.
	topo, err := topology.Load(sb.TopologyPath())
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range topo.KeyspaceShards("media") {
		var n int
		if err := dbtest.OpenAdmin(t, topo, topo.Shards[i].Primary.HostPort).QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'likes'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("shard %s still has likes after --reverse", topo.Shards[i].Name)
		}
	}
}

// checkAcked compares the rows read back after a switch, by id, with
// what the writer was told: every acknowledged row there once, with its
// last value, and no other.
func checkAcked[V comparable](t testing.TB, what string, got map[uint64][]V, model map[uint64]V) {
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

// writer runs one change after another until halted; each step records
// the change in the test's model under mu when it was acknowledged.
type writer struct {
	stop, done chan struct{}
	next       int // the step after the last one run
	// acked counts the acknowledged changes; longest is the longest any
	// one took, as the application saw it: a held write waits.
	acked   int
	longest time.Duration
}

// startWriter starts a writer, at the step after those of the writer
// after, if any.
func startWriter(t testing.TB, after *writer, step func(i int, mu *sync.Mutex) error) *writer {
	w := &writer{stop: make(chan struct{}), done: make(chan struct{}), next: 1}
	if after != nil {
		w.next = after.next
	}
	var mu sync.Mutex
	go func() {
		defer close(w.done)
		for i := w.next; ; i++ {
			w.next = i
			select {
			case <-w.stop:
				return
			default:
			}
			start := time.Now()
			if err := step(i, &mu); err != nil {
				t.Errorf("write %d: %v", i, err)
				return
			}
			w.longest = max(w.longest, time.Since(start))
			w.acked++
			time.Sleep(time.Millisecond) // a steady rate
		}
	}()
	return w
}

// halt stops the writer and waits for it.
func (w *writer) halt() {
	close(w.stop)
	<-w.done
}

// runOn runs cfg on the sandbox in dir.
func runOn(t testing.TB, dir string, cfg reshard.Config) (*reshard.Result, error) {
	t.Helper()
	s, err := sandbox.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Cluster = s.Cluster()
	return reshard.Run(context.Background(), cfg)
}

// switchUnderWrites runs cfg online on the sandbox in dir twice while w
// writes, calling pause after each run, and then switches, still under
// writes. The writes go on for a while on the new side; then w stops,
// and vdiff must find no difference. vdiff runs under the writes too,
// before the switch and after it, and must find none either: the rows
// the writes had not brought to both sides yet are in flight, not
// different. It returns the switching run's result.
func switchUnderWrites(t *testing.T, dir string, cfg reshard.Config, w *writer, pause func(run int)) *reshard.Result {
	t.Helper()
	for k := 0; k < 2; k++ {
		c := cfg
		c.Online = true
		if _, err := runOn(t, dir, c); !errors.Is(err, reshard.ErrStopped) {
			t.Fatalf("online run %d: %v, want it to stop caught up", k+1, err)
		}
		pause(k)
	}
	vdiffUnderWrites(t, dir, "before the switch")
	res, err := runOn(t, dir, reshard.Config{Switch: true})
	if err != nil {
		t.Fatalf("switch: %v", err)
	}
	if res.Stage != reshard.StageSwitched || res.Switch == nil || *res.Switch <= 0 {
		t.Fatalf("the switch reports stage %q, window %v", res.Stage, res.Switch)
	}
	vdiffUnderWrites(t, dir, "after the switch") // and writes on the new side
	w.halt()
	if w.acked < 100 {
		t.Fatalf("the writer made only %d changes", w.acked)
	}
	s, err := sandbox.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	diff, err := reshard.VDiff(context.Background(), reshard.VDiffConfig{Cluster: s.Cluster()})
	if err != nil {
		t.Fatal(err)
	}
	if diff.Differences() != 0 {
		t.Fatalf("vdiff after the switch: %d differences: %+v", diff.Differences(), diff.Ranges)
	}
	return res
}

// vdiffUnderWrites runs vdiff on the sandbox in dir while its writer
// writes: it must find no difference.
func vdiffUnderWrites(t *testing.T, dir, when string) {
	t.Helper()
	s, err := sandbox.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	diff, err := reshard.VDiff(context.Background(), reshard.VDiffConfig{Cluster: s.Cluster()})
	if err != nil {
		t.Fatalf("vdiff under writes %s: %v", when, err)
	}
	var inFlight int64
	for _, r := range diff.Ranges {
		inFlight += r.InFlight
	}
	t.Logf("vdiff under writes %s: %d rows in flight", when, inFlight)
	if diff.Differences() != 0 {
		t.Errorf("vdiff under writes %s: %d differences: %+v", when, diff.Differences(), diff.Ranges)
	}
}

// selectAll reads query's rows through a router over topo, from the
// primaries.
func selectAll[T any](t testing.TB, topo *topology.Topology, query string) []T {
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

// TestOnlineCancel cancels an online reshard that has copied and caught
// up: the old shards serve on with every row, the added shards' servers
// are gone, and the workflow is forgotten.
func TestOnlineCancel(t *testing.T) {
	sb := startSandbox(t, 2, 31200, "hash") // BasePort: 31200
	load(t, sb.Topology)
	if _, err := runOn(t, sb.Dir, reshard.Config{Shards: 4, Online: true}); !errors.Is(err, reshard.ErrStopped) {
		t.Fatalf("online run: %v, want it to stop caught up", err)
	}
	if _, err := runOn(t, sb.Dir, reshard.Config{Reverse: true}); err == nil {
		t.Error("--reverse before the switch: no error")
	}
	res, err := runOn(t, sb.Dir, reshard.Config{Cancel: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stage != reshard.StageCanceled {
		t.Errorf("stage %q, want %q", res.Stage, reshard.StageCanceled)
	}
	checkItems(t, sb.TopologyPath(), 2, loadedItems())
	s, err := sandbox.Open(sb.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.State.Nodes); n != 4 {
		t.Errorf("%d nodes after --cancel, want the old shards' 4", n)
	}
	if _, err := runOn(t, sb.Dir, reshard.Config{Cancel: true}); err == nil {
		t.Error("a second --cancel found a workflow to cancel")
	}
}
