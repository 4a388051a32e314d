package reshard_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/reshard"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/shard"
	"github.com/scalelab/scalelab/topology"
)

// TestReverseRefusesRepeatedKeys splits 80- online and switches, for
// likes, whose primary key (id) does not hold its shard key (image_id):
// its ids are unique per shard only. After the switch a like is written
// on new shard 80-c0 with the id of a like on c0-, both acknowledged. On
// the one old shard 80- they would overwrite each other, so --reverse
// must refuse with ErrMismatch, leave the new shards serving with their
// holds released, and keep both likes.
func TestReverseRefusesRepeatedKeys(t *testing.T) {
	srv := dbtest.RequireServer(t)
	ctx := context.Background()
	sb, err := sandbox.Start(ctx, sandbox.Config{Dir: t.TempDir(), Shards: 2, Replicas: 1, BasePort: 25600, Server: srv,
		Tables: map[string]topology.Table{"likes": {Column: "image_id", Vindex: "hash"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		now := sb
		if opened, err := sandbox.Open(sb.Dir); err == nil {
			now = opened // with the shards the split added
		}
		now.Stop(context.Background())
	})
	// Two images of old shard 80-: one in each of its halves.
	var low, high uint64
	for img := uint64(97000000); low == 0 || high == 0; img++ {
		switch ksid := shard.NewHash().Sum(img); {
		case ksid[0] >= 0x80 && ksid[0] < 0xc0 && low == 0:
			low = img
		case ksid[0] >= 0xc0 && high == 0:
			high = img
		}
	}
	const id = 777000001
	exec := func(topo *topology.Topology, q string, args ...any) {
		t.Helper()
		r, err := router.Open(ctx, topo, router.Config{})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if _, err := r.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(sb.Topology, "CREATE TABLE likes (id BIGINT UNSIGNED PRIMARY KEY, image_id BIGINT UNSIGNED NOT NULL, user_id BIGINT UNSIGNED NOT NULL, KEY (image_id))")
	for n := uint64(1); n <= 200; n++ {
		exec(sb.Topology, "INSERT INTO likes VALUES (?, ?, ?)", n, n%50+1, n%7)
	}
	exec(sb.Topology, "INSERT INTO likes VALUES (?, ?, 1)", id, low)
	res, err := runOn(t, sb.Dir, reshard.Config{Split: "80-", Online: true, Switch: true})
	if err != nil {
		t.Fatalf("split 80- online: %v", err)
	}
	// The switch counts each new shard's rows, as an offline verify does.
	if len(res.Tables) != 1 || len(res.Tables[0].PerShard) != 3 {
		t.Fatalf("the switch's result: %+v, want likes' rows on each of 3 new shards", res.Tables)
	}
	var sum int64
	for name, n := range res.Tables[0].PerShard {
		if n == 0 {
			t.Errorf("the switch counts no likes on new shard %s", name)
		}
		sum += n
	}
	if sum != 201 {
		t.Errorf("the switch counts %d likes on the new shards (%v), want 201", sum, res.Tables[0].PerShard)
	}
	switched, err := topology.Load(sb.TopologyPath())
	if err != nil {
		t.Fatal(err)
	}
	exec(switched, "INSERT INTO likes VALUES (?, ?, 2)", id, high)

	_, err = runOn(t, sb.Dir, reshard.Config{Reverse: true})
	if !errors.Is(err, reshard.ErrMismatch) {
		t.Fatalf("--reverse with like %d on both new halves: got %v, want ErrMismatch", id, err)
	}
	t.Logf("--reverse: %v", err)
	topo, err := topology.Load(sb.TopologyPath())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := topo.ShardNames(), []string{"-80", "80-c0", "c0-"}; !slices.Equal(got, want) {
		t.Fatalf("shards %v after the refused --reverse, want the new ones %v", got, want)
	}
	got := selectAll[struct {
		Image uint64 `db:"image_id"`
		User  uint64 `db:"user_id"`
	}](t, topo, "SELECT image_id, user_id FROM likes WHERE id = 777000001 ORDER BY user_id")
	if len(got) != 2 || got[0].Image != low || got[1].Image != high {
		t.Errorf("like %d after the refused --reverse: %+v, want it on images %d and %d", id, got, low, high)
	}
	// The workflow stays switched, for --complete.
	if res, err := runOn(t, sb.Dir, reshard.Config{}); err != nil {
		t.Errorf("a plain run after the refused --reverse: %v", err)
	} else if res.Stage != reshard.StageSwitched {
		t.Errorf("a plain run after the refused --reverse: stage %q, want %q", res.Stage, reshard.StageSwitched)
	}
	// The new shards take writes again: the holds were released.
	exec(topo, "INSERT INTO likes VALUES (?, ?, 3)", id+1, high)
	for _, sh := range topo.Shards {
		var held string
		if err := dbtest.OpenAdmin(t, topo, sh.Primary.HostPort).QueryRowContext(ctx, shard.HoldsQuery).Scan(&held); err == nil {
			t.Errorf("shard %s still holds %s", sh.Name, held)
		}
	}
}
