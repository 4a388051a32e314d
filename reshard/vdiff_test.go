package reshard_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/reshard"
	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/topology"
)

// TestVDiff stops a 2 → 4 reshard after its copy, and compares source and
// target row by row: no difference; then, after a row is deleted, one
// changed and one added on the new shards, exactly those three, by kind
// and primary key. A vdiff interrupted after its first range resumes
// with the others.
func TestVDiff(t *testing.T) {
	sb := startSandbox(t, 2, 30500, "hash") // BasePort: 30500
	load(t, sb.Topology)
	ctx := context.Background()
	if _, err := reshard.Run(ctx, reshard.Config{Cluster: sb.Cluster(), Shards: 4, StopAfter: reshard.PhaseCopied}); !errors.Is(err, reshard.ErrStopped) {
		t.Fatalf("stop after the copy: %v", err)
	}
	res, err := reshard.VDiff(ctx, reshard.VDiffConfig{Cluster: sb.Cluster()})
	if err != nil {
		t.Fatal(err)
	}
	var source int64
	for _, d := range res.Ranges {
		source += d.Source
	}
	if len(res.Ranges) != 4 || res.Differences() != 0 || source != rows {
		t.Fatalf("after the copy: %d ranges, %d differences, %d source rows; want 4, 0, %d", len(res.Ranges), res.Differences(), source, rows)
	}

	// Change the target: the new shards' primaries, as the plan placed
	// them (a new shard's rows are all its own).
	st, err := sandbox.Open(sb.Dir)
	if err != nil {
		t.Fatal(err)
	}
	var newPrimary string
	for _, n := range st.State.Nodes {
		if n.Role == topology.Primary && !slices.Contains(sb.Topology.ShardNames(), n.Shard) {
			newPrimary = n.Addr()
		}
	}
	if newPrimary == "" {
		t.Fatalf("no new shard primary in %v", st.State.Nodes)
	}
	db := dbtest.OpenAdmin(t, sb.Topology, newPrimary)
	var first, second int64
	if err := db.QueryRowContext(ctx, "SELECT MIN(id), MAX(id) FROM items").Scan(&first, &second); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"DELETE FROM items WHERE id = " + itoa(first),
		"UPDATE items SET name = 'changed' WHERE id = " + itoa(second),
		"INSERT INTO items (id, name) VALUES (900001, 'stray')",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}

	// Interrupted after its first range, then resumed.
	ictx, cancel := context.WithCancel(ctx)
	_, err = reshard.VDiff(ictx, reshard.VDiffConfig{Cluster: sb.Cluster(), Progress: func(string) { cancel() }})
	cancel()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted vdiff: got %v, want context.Canceled", err)
	}
	res, err = reshard.VDiff(ctx, reshard.VDiffConfig{Cluster: sb.Cluster()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Resumed != 1 || len(res.Ranges) != 4 {
		t.Errorf("resumed with %d ranges compared of %d, want 1 of 4", res.Resumed, len(res.Ranges))
	}
	got := map[string]string{}
	for _, d := range res.Ranges {
		for _, s := range d.Samples {
			got[s.Key] = s.Kind
		}
	}
	want := map[string]string{itoa(first): "missing", itoa(second): "different", "900001": "extra"}
	if res.Differences() != 3 || len(got) != 3 || got[itoa(first)] != "missing" || got[itoa(second)] != "different" || got["900001"] != "extra" {
		t.Errorf("got %d differences %v, want %v", res.Differences(), got, want)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
