package router

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/scalelab/scalelab/topology"
)

// fourShards is a topology that is never connected to: planning does no
// I/O, so routing can be fuzzed without servers.
func fourShards(t testing.TB) *Router {
	t.Helper()
	topo := &topology.Topology{
		Name: "fuzz", Flavor: "mariadb",
		User:        topology.Credentials{Name: "app"},
		Replication: topology.Credentials{Name: "repl"},
		Tables: map[string]topology.Table{
			"images": {Column: "id", Vindex: "hash"},
			"likes":  {Column: "image_id", Vindex: "hash"},
			"users":  {Column: "id", Vindex: "modulo"},
		},
	}
	for i, name := range []string{"-40", "40-80", "80-c0", "c0-"} {
		topo.Shards = append(topo.Shards, topology.Shard{Name: name, Primary: topology.Addr{HostPort: fmt.Sprintf("127.0.0.1:%d", 1+i)}})
	}
	r, err := New(topo, Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestRoutePlans(t *testing.T) {
	r := fourShards(t)
	tests := []struct {
		q      string
		args   []any
		plan   string
		shards int
		err    error
	}{
		{"SELECT * FROM images WHERE id = 1", nil, PlanSingleShard, 1, nil},
		{"SELECT * FROM images WHERE id = ?", []any{1}, PlanSingleShard, 1, nil},
		// A DOUBLE key (Node.js's mysql2 sends every number as one) pins
		// as the integer it equals below 2^53, reads and writes alike.
		{"SELECT * FROM images WHERE id = ?", []any{float64(1)}, PlanSingleShard, 1, nil},
		{"UPDATE images SET name = 'x' WHERE id = ?", []any{float64(3)}, PlanSingleShard, 1, nil},
		{"DELETE FROM images WHERE id IN (?, ?)", []any{float32(3), float64(4)}, PlanMultiShard, 2, nil},
		{"SELECT * FROM images WHERE id = ?", []any{1.5}, PlanScatter, 4, nil},
		{"SELECT * FROM images WHERE id = ?", []any{float64(1 << 53)}, PlanScatter, 4, nil},
		{"SELECT * FROM images WHERE id IN (1, 2, 3, 4, 5, 6, 7, 8)", nil, PlanMultiShard, 3, nil}, // ids 1-8 hash onto three of the four shards
		{"SELECT * FROM images ORDER BY dt DESC LIMIT 5", nil, PlanScatter, 4, nil},
		{"SELECT COUNT(*) FROM likes", nil, PlanScatter, 4, nil},
		{"SELECT * FROM likes l JOIN images i ON l.image_id = i.id WHERE i.id = 7", nil, PlanSingleShard, 1, nil},
		{"SELECT * FROM likes l JOIN images i ON l.image_id = i.id", nil, "", 0, ErrUnsupported},
		{"INSERT INTO images (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')", nil, PlanMultiShard, 0, nil},
		{"INSERT INTO images (name) VALUES ('a')", nil, PlanMultiShard, 0, nil},
		{"UPDATE images SET name = 'x' WHERE id = 3", nil, PlanSingleShard, 1, nil},
		{"DELETE FROM images WHERE user_id = 3", nil, PlanScatter, 4, nil},
		{"SELECT * FROM other_table", nil, PlanUnsharded, 1, nil},
		{"SELECT DISTINCT user_id FROM images", nil, PlanScatter, 4, nil},
		{"SELECT DISTINCT * FROM images", nil, "", 0, ErrUnsupported},
		{"SELECT COUNT(DISTINCT user_id) FROM images", nil, "", 0, ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			tr, err := r.Route(tc.q, tc.args...)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("got %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tr.Plan != tc.plan {
				t.Errorf("got plan %s, want %s", tr.Plan, tc.plan)
			}
			if tc.shards > 0 && len(tr.Shards) != tc.shards {
				t.Errorf("got shards %v, want %d of them", tr.Shards, tc.shards)
			}
		})
	}
}

// FuzzRoute: no statement text, with or without arguments, panics the
// planner.
func FuzzRoute(f *testing.F) {
	for _, s := range []string{
		"SELECT * FROM images WHERE id = ?",
		"SELECT a, COUNT(*) FROM likes WHERE image_id IN (1, ?, 3) GROUP BY a ORDER BY 2 LIMIT ?, 3",
		"INSERT INTO images (id, name) VALUES (?, ?), (5, 'x')",
		"UPDATE images SET id = 1",
		"INSERT INTO images (name) VALUES ('a'), (?) RETURNING id, name",
		"DELETE FROM images WHERE id IN (1, ?) RETURNING *",
		"SET STATEMENT max_statement_time=1 FOR SELECT * FROM images ORDER BY dt LIMIT ?",
		"SET STATEMENT max_statement_time=1 FOR INSERT INTO images (name) VALUES (?)",
		"SET STATEMENT sql_mode='' FOR UPDATE images SET name = ? WHERE id = 3",
		"SELECT AVG(x), MIN(y) FROM images i JOIN likes l ON l.image_id = i.id WHERE i.id = 1",
		"SELECT * FROM images WHERE id IN (SELECT image_id FROM likes)",
		"select 1",
	} {
		f.Add(s, int64(7))
	}
	r := fourShards(f)
	f.Fuzz(func(t *testing.T, q string, arg int64) {
		_, _ = r.Route(q, arg, "s", nil)
		_, _ = r.Route(q)
	})
}

func BenchmarkRouteSingleShard(b *testing.B) {
	r := fourShards(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := r.planStatement(r.cls.Classify("SELECT * FROM images WHERE id = ?"), []any{int64(i)}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRouteScatterMerge plans a scattered ORDER BY … LIMIT, whose
// merge adds a sort-key column: planned afresh each time, and then kept on
// the statement (the memo that a statement without arguments gets).
func BenchmarkRouteScatterMerge(b *testing.B) {
	r := fourShards(b)
	st := r.cls.Classify("SELECT * FROM images ORDER BY dt DESC LIMIT 10")
	b.Run("plan", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := r.planOnce(st, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("memo", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := r.planStatement(st, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestPlanMemo: a statement without arguments is planned once per routing
// schema; one with arguments, or after the schema or the topology changed,
// is planned again, and the new plan follows the new schema.
func TestPlanMemo(t *testing.T) {
	r := fourShards(t)
	plan := func(q string, args ...any) *plan {
		t.Helper()
		p, err := r.planStatement(r.cls.Classify(q), args)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	const q = "SELECT * FROM users WHERE id = 6"
	first := plan(q)
	if again := plan(q); again != first {
		t.Errorf("the same text without arguments was planned again")
	}
	// One whose shard its argument decides is planned from its recipe
	// (TestRecipeMatchesFreshPlan), which is made over one schema too.
	const keyed = "SELECT * FROM users WHERE id = ?"
	if a, b := plan(keyed, 6), plan(keyed, 6); a == b || r.cls.Classify(keyed).recipe.Load().key == nil {
		t.Errorf("the first plan of a statement with arguments was not fresh, or made no recipe")
	}
	// users moves from modulo to hash: id 6 lives on another shard.
	topo := *r.Topology()
	topo.Tables = map[string]topology.Table{"users": {Column: "id", Vindex: "hash"}, "images": topo.Tables["images"], "likes": topo.Tables["likes"]}
	vs, err := newSchema(&topo)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := vs.Locate("users", 6)
	if old, _ := r.vs.cur().Locate("users", 6); old == want {
		t.Fatalf("the test needs id 6 to move: shard %d before and after", old)
	}
	r.vs.replace(vs, nil)
	after := plan(q)
	if after == first || after.Shards[0] != want {
		t.Errorf("after the schema changed: plan on shard %v (the same plan: %t), want shard %d", after.Shards, after == first, want)
	}
	for range 2 {
		if p := plan(keyed, 6); p.Shards[0] != want {
			t.Errorf("after the schema changed: %s planned on shard %v, want shard %d", keyed, p.Shards, want)
		}
	}
	r.topo.Store(&topo)
	if plan(q) == after {
		t.Errorf("after the topology changed: the plan was reused")
	}
	// An insert that draws ids from a sequence is never kept.
	ins := "INSERT INTO images (user_id, path) VALUES (1, 'a')"
	p := plan(ins)
	if p.Sequence == "" {
		t.Fatalf("%s: no sequence in its plan", ins)
	}
	if plan(ins) == p {
		t.Errorf("a sequence insert reused its plan")
	}
}

// TestRecipeMatchesFreshPlan: a statement whose shard one placeholder
// decides is planned from its recipe once planned with arguments, and
// the recipe's plan is the fresh plan, for every argument: integers of
// every size and sign, strings with a numeric prefix, NULL, fractions,
// bytes, booleans, and the literals of a relayed shape. Statements the
// recipe must leave to the analysis (two facts, an IN list, a join, a
// subquery, a key equal to an expression) are planned afresh each time,
// and agree too.
func TestRecipeMatchesFreshPlan(t *testing.T) {
	r := fourShards(t)
	values := []any{
		int64(0), int64(1), int64(7), int64(-7), int64(1 << 40), int64(math.MaxInt64), int64(math.MinInt64),
		uint64(math.MaxUint64), int32(5), uint8(3), 5, "5", "5abc", " 12", "+7", "abc", "", "1e3", "9007199254740993",
		nil, 1.5, 2.0, float32(3), []byte("42"), true, false, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC),
	}
	for _, tc := range []struct {
		q      string
		keyed  bool // planned from a recipe
		others []any
	}{
		{"SELECT * FROM images WHERE id = ?", true, nil},
		{"SELECT name FROM images WHERE ? = id AND name <> 'x' ORDER BY dt LIMIT ?", true, []any{3}},
		{"SELECT i.name FROM images i WHERE i.id = ? FOR UPDATE", true, nil},
		{"SELECT * FROM users WHERE id = ?", true, nil}, // modulo
		{"SELECT * FROM likes WHERE image_id = ? AND user_id = ?", true, []any{9}},
		{"SELECT * FROM images WHERE id = ? AND id = ?", false, []any{7}},
		{"SELECT * FROM images WHERE id = ? AND id = 5", false, nil},
		{"SELECT * FROM images WHERE id IN (?)", false, nil},
		{"SELECT * FROM images WHERE id = ? + 0", false, nil},
		{"SELECT * FROM images WHERE id = ? OR id = 3", false, nil},
		{"SELECT * FROM images i JOIN likes l ON l.image_id = i.id WHERE i.id = ?", false, nil},
		{"SELECT * FROM images WHERE id = ? AND user_id IN (SELECT id FROM users WHERE id = 3)", false, nil},
		{"SELECT * FROM images i WHERE i.id = ? AND i.user_id = 3", false, nil},
		{"SELECT * FROM other_table WHERE id = ?", false, nil},
		{"UPDATE images SET name = 'x' WHERE id = ?", false, nil},
	} {
		st := r.cls.Classify(tc.q)
		for _, v := range values {
			args := append([]any{v}, tc.others...)
			if strings.HasPrefix(tc.q, "SELECT * FROM images WHERE id = ? AND id = ?") {
				args = []any{v, v} // the same value twice: the rows of one shard
			}
			got, gerr := r.planStatement(st, args)
			want, werr := r.planOnce(st, args)
			if (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
				t.Errorf("%s %#v: error %v, fresh %v", tc.q, args, gerr, werr)
				continue
			}
			if gerr != nil {
				continue
			}
			if got.Type != want.Type || fmt.Sprint(got.Shards) != fmt.Sprint(want.Shards) || got.Table != want.Table || got.PushedDown != want.PushedDown || fmt.Sprint(got.Queries) != fmt.Sprint(want.Queries) {
				t.Errorf("%s %#v: plan %s %v %q %q, fresh %s %v %q %q", tc.q, args, got.Type, got.Shards, got.Table, got.PushedDown, want.Type, want.Shards, want.Table, want.PushedDown)
			}
		}
		rc := st.recipe.Load()
		if keyed := rc != nil && rc.key != nil; keyed != tc.keyed {
			t.Errorf("%s: planned from a recipe %v, want %v", tc.q, keyed, tc.keyed)
		}
	}

	// A relayed shape: the text's literals are its arguments.
	for _, text := range []string{"SELECT c FROM images WHERE id = 7", "SELECT c FROM images WHERE id = '7'", "SELECT c FROM images WHERE id = 18446744073709551616", "SELECT c FROM images WHERE id = 0x1F", "SELECT c FROM images WHERE id = 7.5", "SELECT c FROM images WHERE id = -7", "SELECT c FROM images WHERE id = 'x7'", "SELECT c FROM images WHERE id = NULL"} {
		shape, lits, ok := shapeOf(text, nil, nil)
		if !ok {
			continue
		}
		st := r.cls.classifyShape(shape)
		args := make([]any, len(lits))
		for i := range lits {
			args[i] = &lits[i]
		}
		for range 2 { // the first plan makes the recipe, the second uses it
			got, gerr := r.planStatement(st, args)
			want, werr := r.planStatement(r.cls.Classify(text), nil)
			if (gerr == nil) != (werr == nil) || gerr == nil && (got.Type != want.Type || fmt.Sprint(got.Shards) != fmt.Sprint(want.Shards)) {
				t.Errorf("%s as shape %s: %v %v, as text %v %v", text, shape, got, gerr, want, werr)
			}
		}
	}
}
