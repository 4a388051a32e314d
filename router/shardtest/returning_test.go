package shardtest

import (
	"context"
	"testing"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/topology"
)

// TestReturningThroughTheAPI: a sharded INSERT … RETURNING through the
// router's own methods: Select takes its rows (in the statement's order,
// over shards), Exec the sequence's first id, and a
// transaction's rows are its own.
func TestReturningThroughTheAPI(t *testing.T) {
	sb := dbtest.Sandbox(t)
	ctx := context.Background()
	topo := shardedTopology(t, sb, map[string]topology.Table{"retd": {Column: "id", Vindex: "hash"}})
	r := openRouter(t, topo, router.Config{})
	exec(t, r, "DROP TABLE IF EXISTS retd")
	exec(t, r, "CREATE TABLE retd (id BIGINT UNSIGNED PRIMARY KEY, v VARCHAR(10) NOT NULL)")

	type row struct {
		ID uint64 `db:"id"`
		V  string `db:"v"`
	}
	var got []row
	if err := r.SelectContext(ctx, &got, "INSERT INTO retd (v) VALUES ('a'), ('b'), ('c'), ('d'), ('e'), ('f') RETURNING id, v"); err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 {
		t.Fatalf("6 rows inserted, %d returned: %v", len(got), got)
	}
	for n, w := range []string{"a", "b", "c", "d", "e", "f"} {
		if got[n].V != w || got[n].ID != got[0].ID+uint64(n) {
			t.Errorf("row %d: %+v, want %s with id %d (in the statement's order): %v", n, got[n], w, got[0].ID+uint64(n), got)
		}
	}
	holding := 0
	for _, n := range countPerShard(t, topo, "retd") {
		if n > 0 {
			holding++
		}
	}
	if holding < 2 {
		t.Errorf("the six rows are on %d shard(s); the test wants them over several", holding)
	}

	res, err := r.ExecContext(ctx, "INSERT INTO retd (v) VALUES ('x'), ('y') RETURNING id")
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := res.LastInsertId(); uint64(id) <= got[5].ID {
		t.Errorf("Exec of INSERT … RETURNING: insert id %d, want the sequence's next, past %d", id, got[5].ID)
	}

	tx, err := r.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var id uint64
	if err := tx.GetContext(ctx, &id, "INSERT INTO retd (v) VALUES ('tx') RETURNING id"); err != nil || id == 0 {
		t.Fatalf("in a transaction: %d, %v", id, err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := r.With(router.Strong).GetContext(ctx, &n, "SELECT COUNT(*) FROM retd WHERE v = 'tx'"); err != nil || n != 0 {
		t.Errorf("after the rollback: %d rows, %v; want 0", n, err)
	}
}
