package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/topology"
)

// TestOnlineReshardSurvivesSIGKILL reshards 2 → 4 shards online with
// scalelab reshard --online --switch while a writer changes items through
// a router that follows the topology file, and kills the command with
// SIGKILL during the copy, during the catch-up, while the switch holds
// writes, and after it published the new topology; each next run resumes.
// The writer never sees an error (held writes wait, and a resumed run
// releases or finishes the holds), vdiff finds no difference, and after
// --complete the new shards hold exactly the acknowledged rows.
func TestOnlineReshardSurvivesSIGKILL(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{
		Shards: 2, Replicas: 1, BasePort: 30900, Name: "cmdonline",
		Tables: map[string]topology.Table{"items": {Column: "id", Vindex: "hash"}},
	})
	loadItems(t, sb.Topology)
	ctx := context.Background()
	type item struct {
		name string
		qty  int
	}
	model := map[uint64]item{}
	for id := uint64(1); id <= reshardRows; id++ {
		model[id] = item{fmt.Sprintf("item-%d", id), int(id % 17)}
	}
	r, err := router.Open(ctx, sb.Topology, router.Config{TopologyPath: sb.TopologyPath()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var mu sync.Mutex
	stop, done := make(chan struct{}), make(chan struct{})
	var acked int
	var longest time.Duration
	go func() {
		defer close(done)
		for i := 1; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			start := time.Now()
			var err error
			switch id := uint64(i*7%reshardRows + 1); i % 3 {
			case 0:
				id = uint64(100000 + i)
				if _, err = r.ExecContext(ctx, "INSERT INTO items (id, name, qty) VALUES (?, ?, ?)", id, fmt.Sprintf("new-%d", i), i%100); err == nil {
					mu.Lock()
					model[id] = item{fmt.Sprintf("new-%d", i), i % 100}
					mu.Unlock()
				}
			case 1:
				if _, err = r.ExecContext(ctx, "UPDATE items SET qty = ? WHERE id = ?", 1000+i, id); err == nil {
					mu.Lock()
					if it, ok := model[id]; ok {
						it.qty = 1000 + i
						model[id] = it
					}
					mu.Unlock()
				}
			case 2:
				id = uint64(i*13%reshardRows + 1)
				if _, err = r.ExecContext(ctx, "DELETE FROM items WHERE id = ?", id); err == nil {
					mu.Lock()
					delete(model, id)
					mu.Unlock()
				}
			}
			if err != nil {
				t.Errorf("write %d: %v", i, err)
				return
			}
			longest = max(longest, time.Since(start))
			acked++
			time.Sleep(time.Millisecond) // a steady rate, and CPU for the runs
		}
	}()

	args := []string{"reshard", "--topology", sb.TopologyPath(), "--shards", "4", "--online", "--switch"}
	for _, at := range []string{"rows into shard", "caught up from shard", "holding writes", "published the new topology"} {
		runKilled(t, at, args...)
	}
	stdout, stderr, err := runCommand(t, args...)
	if err != nil {
		t.Fatalf("final run: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "switched: the new shards serve") {
		t.Errorf("final run: want it to report the switch; got\n%s%s", stderr, stdout)
	}
	time.Sleep(200 * time.Millisecond) // writes on the new shards
	close(stop)
	<-done
	t.Logf("%d acknowledged writes; the longest took %v", acked, longest)
	if _, stderr, err := runCommand(t, "vdiff", "--topology", sb.TopologyPath()); err != nil {
		t.Fatalf("vdiff after the switch: %v\n%s", err, stderr)
	}
	if _, stderr, err := runCommand(t, "reshard", "--topology", sb.TopologyPath(), "--complete"); err != nil {
		t.Fatalf("--complete: %v\n%s", err, stderr)
	}

	topo, err := topology.Load(sb.TopologyPath())
	if err != nil {
		t.Fatal(err)
	}
	if len(topo.Shards) != 4 {
		t.Fatalf("%d shards after the switch, want 4", len(topo.Shards))
	}
	rr, err := router.Open(ctx, topo, router.Config{Consistency: router.Strong})
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Close()
	var got []struct {
		ID   uint64 `db:"id"`
		Name string `db:"name"`
		Qty  int    `db:"qty"`
	}
	if err := rr.SelectContext(ctx, &got, "SELECT id, name, qty FROM items"); err != nil {
		t.Fatal(err)
	}
	seen := map[uint64]bool{}
	for _, g := range got {
		want, ok := model[g.ID]
		switch {
		case seen[g.ID]:
			t.Errorf("item %d is there twice", g.ID)
		case !ok:
			t.Errorf("item %d is there, but its delete was acknowledged", g.ID)
		case want != item{g.Name, g.Qty}:
			t.Errorf("item %d: %q %d, acknowledged %+v", g.ID, g.Name, g.Qty, want)
		}
		seen[g.ID] = true
	}
	for id := range model {
		if !seen[id] {
			t.Errorf("acknowledged item %d is missing", id)
		}
	}
	final, err := sandbox.Open(sb.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if procs, ok := processesUnder(sb.Dir); ok && procs != len(final.State.Nodes) {
		t.Errorf("%d live processes under the sandbox dir, want its %d nodes", procs, len(final.State.Nodes))
	}
	if len(final.State.Nodes) != 8 {
		t.Errorf("%d nodes after --complete, want the 4 new shards' 8", len(final.State.Nodes))
	}
}
