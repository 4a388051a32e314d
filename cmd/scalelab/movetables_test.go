package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/reshard"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/schema"
	"github.com/scalelab/scalelab/topology"
	"github.com/scalelab/scalelab/vschema"
)

// TestMoveTablesSurvivesSIGKILL moves the likes table from keyspace users
// (one shard) to keyspace media (two), killing `scalelab movetables` with
// SIGKILL after every phase and in the middle of the copy, each next run
// resuming the last. The table's checksum is the same before and after,
// every row is on the media shard its key names and nowhere else, the
// source copy is dropped, and a router that was running all along (one
// that follows the topology file, as the proxy does) reads likes from its
// new home.
func TestMoveTablesSurvivesSIGKILL(t *testing.T) {
	rules := schema.ShardedTables()
	sb := startSandbox(t, sandbox.Config{BasePort: 30300, Name: "cmdmove", Keyspaces: sandbox.PlaceTables([]sandbox.KeyspaceConfig{
		{Name: "users", Shards: 1, Replicas: 1},
		{Name: "media", Shards: 2, Replicas: 1, Tables: map[string]topology.Table{"images": rules["images"]}},
	}, rules)})
	ctx := context.Background()
	gen := schema.Config{Seed: 3, Users: 50, Images: 200, Likes: 2500}
	if _, err := schema.Load(ctx, schema.LoadConfig{Topology: sb.Topology, Generator: gen}); err != nil {
		t.Fatal(err)
	}
	before, err := schema.Checksums(ctx, sb.Topology)
	if err != nil {
		t.Fatal(err)
	}
	r, err := router.Open(ctx, sb.Topology, router.Config{Consistency: router.Strong, TopologyPath: sb.TopologyPath(), FollowInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	likesOn := func() []string {
		tr, err := r.Route("SELECT COUNT(*) FROM likes")
		if err != nil {
			t.Fatal(err)
		}
		return append([]string{tr.Shard}, tr.Shards...)
	}
	if got := likesOn(); !slices.Contains(got, "users/0") {
		t.Fatalf("before the move likes is read from %v, want users/0", got)
	}

	// A kill lands a moment after the line that asks for it, and a move
	// of this size is quick: a run may pass the next kill point before
	// the signal arrives. Each kill point the workflow has not passed yet
	// gets its run; the ones it has are skipped, and the test requires
	// that most landed.
	args := []string{"movetables", "likes", "--to", "media", "--topology", sb.TopologyPath()}
	kills := []struct{ at, phase string }{
		{"planned", ""}, {"done: shards-added", "planned"}, {"done: schema-copied", "shards-added"},
		{"rows into shard", "schema-copied"}, {"done: rows-copied", "schema-copied"},
		{"done: caught-up", "rows-copied"}, {"done: verified", "caught-up"}, {"done: switched", "verified"},
	}
	landed := 0
	for _, k := range kills {
		phase, inProgress := movePhase(t, sb.Dir)
		if landed > 0 && (!inProgress || phaseAfter(phase, k.phase)) {
			continue // the last run got past this point before its kill
		}
		if _, killed, err := runUntil(t, k.at, args...); killed {
			landed++
		} else if err != nil {
			t.Fatalf("a run meant to be killed at %q failed: %v", k.at, err)
		}
	}
	t.Logf("%d of %d kills landed before the move finished", landed, len(kills))
	if landed < 4 {
		t.Errorf("only %d of %d kills landed before the move finished", landed, len(kills))
	}
	if _, inProgress := movePhase(t, sb.Dir); inProgress {
		stdout, stderr, err := runCommand(t, args...)
		if err != nil {
			t.Fatalf("final run: %v\n%s", err, stderr)
		}
		if !strings.Contains(stderr, "resuming a move of likes") || !strings.Contains(stdout, "keyspace users → keyspace media") {
			t.Errorf("final run: want it to resume and say what moved; got\n%s%s", stderr, stdout)
		}
	}
	if _, err := os.Stat(filepath.Join(sb.Dir, "reshard.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("reshard.json after the final run: %v, want it gone", err)
	}

	topo, err := topology.Load(sb.TopologyPath())
	if err != nil {
		t.Fatal(err)
	}
	if ks := topo.TableKeyspace("likes"); ks != "media" {
		t.Fatalf("likes is in keyspace %q after the move, want media", ks)
	}
	after, err := schema.Checksums(ctx, topo)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range schema.Tables() {
		if after[table] != before[table] {
			t.Errorf("%s: checksum %+v after the move, %+v before", table, after[table], before[table])
		}
	}
	// Every like is on the media shard its image_id names, once.
	vs, err := vschema.New(topo)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range topo.KeyspaceShards("media") {
		s := topo.Shards[i]
		db := dbtest.OpenAdmin(t, topo, s.Primary.HostPort)
		rows, err := db.QueryContext(ctx, "SELECT image_id FROM likes")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id uint64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			if at, _ := vs.Locate("likes", id); at != i {
				t.Fatalf("a like of image %d is on %s, its key names %s", id, s.Name, topo.Shards[at].Name)
			}
		}
		rows.Close()
	}
	old := dbtest.OpenAdmin(t, topo, topo.Shards[topo.KeyspaceShards("users")[0]].Primary.HostPort)
	var n int
	if err := old.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'likes'", topo.DatabaseName()).Scan(&n); err != nil || n != 0 {
		t.Errorf("likes on users/0 after the move: %d tables, %v; want it dropped", n, err)
	}

	// The router that ran all along follows the file to the new home.
	deadline := time.Now().Add(10 * time.Second)
	for got := likesOn(); slices.Contains(got, "users/0"); got = likesOn() {
		if time.Now().After(deadline) {
			t.Fatalf("a running router still reads likes from %v", got)
		}
		time.Sleep(20 * time.Millisecond)
	}
	var count int
	if err := r.GetContext(ctx, &count, "SELECT COUNT(*) FROM likes"); err != nil || count != gen.Likes {
		t.Errorf("likes through the running router: %d, %v, want %d", count, err, gen.Likes)
	}
	if procs, ok := processesUnder(sb.Dir); ok && procs != len(sb.State.Nodes) {
		t.Errorf("%d live processes under the sandbox dir, want its %d nodes", procs, len(sb.State.Nodes))
	}
}

// movePhase is the phase the workflow in dir last finished, and whether
// one is in progress.
func movePhase(t *testing.T, dir string) (string, bool) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "reshard.json"))
	if errors.Is(err, os.ErrNotExist) {
		return "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Phase string `json:"phase"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	return st.Phase, true
}

// phaseAfter reports whether phase a comes after phase b.
func phaseAfter(a, b string) bool {
	return slices.Index(reshard.Phases(), a) > slices.Index(reshard.Phases(), b)
}
