package router

// A corpus of statements and arguments, from an independent review of the
// recipes (Router.recipeFor): every plan a recipe gives must be the plan
// made afresh, for any argument the statement's recipe was made with.

import (
	"context"
	"database/sql/driver"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/scalelab/scalelab/replica"
)

type valuer struct{ v driver.Value }

func (x valuer) Value() (driver.Value, error) { return x.v, nil }

type userID int64
type keyStr string

func corpusArgs() []any {
	return []any{
		int64(0), int64(1), int64(7), int64(-7), int64(1 << 40), int64(math.MaxInt64), int64(math.MinInt64),
		uint64(math.MaxUint64), uint64(1 << 63), int32(5), uint8(3), 5, int8(-1), uint(9),
		"5", "5abc", " 12", "+7", "-7", "abc", "", "1e3", "1e20", "5.0", "5.5", "0x1F", "9007199254740993", "-0", "007", "\t5", "18446744073709551615", "18446744073709551616", "-9223372036854775809",
		nil, 1.5, 2.0, -3.0, float32(3), math.NaN(), math.Inf(1), 1e300,
		[]byte("42"), []byte(nil), []byte("4x"), true, false, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), time.Time{},
		valuer{int64(7)}, valuer{"12"}, valuer{nil}, valuer{1.5}, userID(7), keyStr("7"), keyStr("7abc"),
		&textLiteral{typ: sqlparser.IntVal, val: "7"}, &textLiteral{typ: sqlparser.StrVal, val: "7"},
		&textLiteral{typ: sqlparser.IntVal, val: "18446744073709551616"}, &textLiteral{typ: sqlparser.StrVal, val: "7abc"},
		&textLiteral{typ: sqlparser.HexNum, val: "0x1F"}, &textLiteral{typ: sqlparser.HexVal, val: "1F"}, &textLiteral{typ: sqlparser.BitNum, val: "0b101"},
		&textLiteral{typ: sqlparser.DecimalVal, val: "5.0"}, &textLiteral{typ: sqlparser.FloatVal, val: "5e0"},
		&textLiteral{typ: sqlparser.DateVal, val: "2024-01-01"},
	}
}

func describe(p *plan, err error) string {
	if err != nil {
		return "error " + err.Error()
	}
	return fmt.Sprintf("%s %v table=%q pushed=%q queries=%v seq=%q merge=%v", p.Type, p.Shards, p.Table, p.PushedDown, p.Queries, p.Sequence, p.Merge != nil)
}

var corpusQueries = []string{
	"SELECT * FROM images WHERE id = ?",
	"SELECT * FROM images WHERE ? = id",
	"SELECT * FROM images i WHERE i.id = ?",
	"SELECT * FROM images WHERE images.id = ?",
	"SELECT * FROM images AS i WHERE id = ? FOR UPDATE",
	"SELECT * FROM images WHERE id = ? LOCK IN SHARE MODE",
	"SELECT * FROM users WHERE id = ?",
	"SELECT * FROM likes WHERE image_id = ? AND user_id = ?",
	"SELECT * FROM likes WHERE user_id = ? AND image_id = ?",
	"SELECT * FROM images WHERE id = ? AND name = ?",
	"SELECT * FROM images i WHERE i.id = ? AND i.name = ?",
	"SELECT * FROM images WHERE id = ? OR id = ?",
	"SELECT * FROM images WHERE NOT id = ?",
	"SELECT * FROM images WHERE (id = ?) = 1",
	"SELECT * FROM images WHERE CASE WHEN id = ? THEN 1 END",
	"SELECT * FROM images WHERE id = ? HAVING id = ?",
	"SELECT * FROM images WHERE id = ? AND id <> ?",
	"SELECT * FROM images WHERE id = ? AND id IN (?, ?)",
	"SELECT * FROM images WHERE id = ? AND id = NULL",
	"SELECT * FROM images WHERE id = ? AND id = 5.5",
	"SELECT * FROM images WHERE id = ? LIMIT ?",
	"SELECT ? FROM images WHERE id = ?",
	"SELECT * FROM images WHERE id = :v1",
	"SELECT * FROM images WHERE id = :v2 AND user_id = :v1",
	"SELECT * FROM images WHERE id = :v1 AND id = :v1",
	"SELECT * FROM images i WHERE i.id = :v1 AND i.user_id = :v1",
	"SELECT COUNT(*) FROM images WHERE id = ?",
	"SELECT * FROM images WHERE id = ? ORDER BY dt DESC LIMIT 3",
	"SELECT DISTINCT user_id FROM images WHERE id = ?",
	"SELECT * FROM images WHERE id = ? AND user_id IN (SELECT 1)",
	"SELECT * FROM images WHERE id = ? AND EXISTS (SELECT 1 FROM users WHERE users.id = ?)",
	"SELECT * FROM images JOIN users ON users.id = ? WHERE images.id = ?",
	"SELECT * FROM images LEFT JOIN users u ON u.id = images.user_id WHERE images.id = ?",
	"SELECT * FROM (SELECT * FROM images WHERE id = ?) d",
	"SELECT * FROM images WHERE id = ? UNION SELECT * FROM images WHERE id = ?",
	"SELECT * FROM images WHERE id = BINARY ?",
	"SELECT * FROM images WHERE id = (?)",
	"SELECT * FROM images WHERE id = -?",
	"SELECT * FROM images WHERE id IN (?)",
	"SELECT * FROM images WHERE id = ? AND 1 = 1",
	"SELECT NEXTVAL(images_seq) FROM images WHERE id = ?",
	"SELECT * FROM information_schema.tables, images WHERE images.id = ?",
	"SELECT * FROM other_table WHERE id = ?",
	"SELECT * FROM images WHERE id = ? AND id = ?",
	"SELECT * FROM images WHERE id <=> ?",
	"SELECT * FROM images WHERE id = ? COLLATE utf8mb4_bin",
	"SELECT * FROM images WHERE id = ? INTO OUTFILE '/tmp/x'",
	"SELECT * FROM images WHERE id = ? AND user_id = ?",
	"UPDATE images SET name = 'x' WHERE id = ?",
	"DELETE FROM images WHERE id = ?",
	"INSERT INTO images (id, name) VALUES (?, 'a')",
}

// TestRecipeCorpusAgainstFresh builds each query's recipe from one
// first argument of each kind in turn, then compares planStatement with
// planOnce over every argument.
func TestRecipeCorpusAgainstFresh(t *testing.T) {
	r := fourShards(t)
	args := corpusArgs()
	bad, recipes := 0, 0
	firsts := []any{int64(7), nil, "abc", "5abc", 1.5, []byte("42"), valuer{nil}, time.Time{},
		&textLiteral{typ: sqlparser.IntVal, val: "7"}, &textLiteral{typ: sqlparser.HexNum, val: "0x1F"}}
	for _, q := range corpusQueries {
		st := r.cls.Classify(q)
		n := 0
		if st.AST != nil {
			_ = sqlparser.Walk(func(node sqlparser.SQLNode) (bool, error) {
				if _, ok := node.(*sqlparser.Argument); ok {
					n++
				}
				return true, nil
			}, st.AST)
		}
		mk := func(first, v any) []any {
			a := make([]any, n)
			for i := range a {
				a[i] = v
			}
			if n > 0 {
				a[0] = first
			}
			return a
		}
		for _, first := range firsts {
			for _, second := range []any{int64(7), "x", nil} {
				st.recipe.Store(nil)
				_, _ = r.planStatement(st, mk(first, second))
				for _, v := range args {
					for _, w := range []any{v, int64(3), "abc", nil} {
						a := mk(v, w)
						got, gerr := r.planStatement(st, a)
						want, werr := r.planOnce(st, a)
						if describe(got, gerr) != describe(want, werr) {
							if bad < 40 {
								t.Errorf("%s first %#v args %#v:\n recipe %s\n fresh  %s", q, mk(first, second), a, describe(got, gerr), describe(want, werr))
							}
							bad++
						}
					}
				}
			}
		}
		if rc := st.recipe.Load(); rc != nil && rc.key != nil {
			recipes++
		}
	}
	if bad > 0 {
		t.Errorf("%d plans differ", bad)
	}
	if recipes == 0 {
		t.Errorf("no statement of the corpus got a recipe")
	}
}

// TestShapeRecipeAgainstText plans texts of sharded tables by their
// shapes, as Relay does, after the shape's recipe was made from each
// literal in turn, and compares with the text's own plan.
func TestShapeRecipeAgainstText(t *testing.T) {
	lits := []string{"0", "7", "007", "18446744073709551615", "18446744073709551616", "9223372036854775808", "99999999999999999999999",
		"'7'", "'007'", "'7abc'", "' 7'", "'+7'", "'-7'", "''", "'abc'", "'1e3'", "'1e300'", "'5.0'", "'5.5'", "'0x10'", "'9007199254740993'", "'-9223372036854775808'", "'18446744073709551615'",
		"-7", "1.5", "5.0", "1e3", "0x1F", "X'1F'", "b'101'", "0b101", "_utf8mb4'7'", "N'7'", "NULL", "TRUE", "DATE '2024-01-01'", "(7)", "('7')", "- 7", "+7", "7e0", "'7' '8'"}
	templates := []string{
		"SELECT c FROM images WHERE id = %s",
		"SELECT c FROM images WHERE id=%s",
		"SELECT c FROM images WHERE %s = id",
		"SELECT c FROM images i WHERE i.id = %s AND i.user_id > 3",
		"SELECT c FROM users WHERE id = %s",
		"SELECT c FROM likes WHERE image_id = %s AND user_id = 9",
		"SELECT c FROM images WHERE id = %s LIMIT 5",
		"SELECT c, 2 FROM images WHERE id = %s ORDER BY 1",
		"SELECT c FROM images WHERE id IN (%s)",
		"SELECT c FROM images WHERE id = %s OR id = 3",
		"SELECT c FROM images WHERE id = %s AND id = 3",
		"SELECT c FROM images WHERE id = %s FOR UPDATE",
		"SELECT COUNT(*) FROM images WHERE id = %s",
		"SELECT c FROM images WHERE id = %s AND name = 'x'",
	}
	r := fourShards(t)
	bad := 0
	for _, tmpl := range templates {
		for _, first := range lits {
			for _, lit := range lits {
				for n, text := range []string{fmt.Sprintf(tmpl, first), fmt.Sprintf(tmpl, lit)} {
					b, tl, ok := shapeOf(text, nil, nil)
					if !ok || len(tl) == 0 {
						continue
					}
					shape := r.cls.classifyShape(b)
					if n == 0 {
						shape.recipe.Store(nil)
					}
					if shape.Kind == Unparsed || !r.argFree(shape) && !r.keyedByArgument(shape) {
						continue
					}
					args := make([]any, len(tl))
					for i := range tl {
						args[i] = &tl[i]
					}
					got, gerr := r.planStatement(shape, args)
					want, werr := r.planStatement(r.cls.Classify(text), nil)
					relayable := func(p *plan, err error) string {
						if err != nil || p.Queries != nil || len(p.Shards) != 1 {
							return "declined"
						}
						return fmt.Sprint(p.Shards)
					}
					if g, w := relayable(got, gerr), relayable(want, werr); g != w && g != "declined" {
						if bad < 30 {
							t.Errorf("%s (shape %s, recipe from %s): shape relays to %s, text plans %s", text, b, first, g, describe(want, werr))
						}
						bad++
					}
				}
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d shapes relay to another shard than their text's plan", bad)
	}
}

// TestRecipeDuringAMove: while Follow moves likes between keyspaces (one
// unsharded, one sharded), plans from recipes made over either schema are
// one of the two schemas' plans, never a recipe of one used over the
// other.
func TestRecipeDuringAMove(t *testing.T) {
	a, b := keyspacedTopology(t, "users"), keyspacedTopology(t, "media")
	r, err := New(a, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rb, err := New(b, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer rb.Close()
	const q = "SELECT * FROM likes WHERE image_id = ?"
	want := map[int64]int{}
	for i := int64(0); i < 64; i++ {
		p, err := rb.planOnce(rb.cls.Classify(q), []any{i})
		if err != nil {
			t.Fatal(err)
		}
		want[i] = p.Shards[0]
	}
	stop := followInTurn(t, r, a, b)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := r.cls.Classify(q)
			for i := 0; i < 20000; i++ {
				k := int64(i % 64)
				p, err := r.planStatement(st, []any{k})
				if err != nil {
					t.Error(err)
					return
				}
				if !(p.Type == PlanUnsharded && p.Shards[0] == 0 || p.Type == PlanSingleShard && p.Shards[0] == want[k]) {
					t.Errorf("%d: plan %s %v, want unsharded [0] or single-shard [%d]", k, p.Type, p.Shards, want[k])
					return
				}
			}
		}()
	}
	wg.Wait()
	stop()
}

// TestRelayClassifiesShapeOnce: a relayed text of a sharded table that
// Relay declines is classified once, counting the caller's classification
// (the proxy's RunClassified classifies the text again when Relay hands
// back no statement of that text).
func TestRelayClassifiesShapeOnce(t *testing.T) {
	r := fourShards(t)
	s := r.NewSession()
	for _, q := range []string{
		"SELECT c FROM images WHERE id = 7 FOR UPDATE",        // a locking read: declined before planning
		"SELECT c FROM images WHERE id = 8 FOR UPDATE",        // the same shape again
		"SELECT c FROM images WHERE user_id = 5",              // a scatter: declined after planning
		"SELECT DISTINCT * FROM images WHERE user_id = 5",     // refused: declined, no recipe kept
		"SELECT DISTINCT * FROM images WHERE user_id = 6",     // the same shape again
		"SELECT c, LAST_INSERT_ID() FROM images WHERE id = 7", // a session value: declined before planning
	} {
		before := r.Stats().Classified
		st, ok, err := s.Relay(t.Context(), q, nil, func(context.Context, *replica.Node) error { return nil })
		if ok || err != nil {
			t.Fatalf("%s: relayed %v, %v", q, ok, err)
		}
		if st == nil || st.Text != q { // what RunClassified does with st
			r.Classify(q)
		}
		if n := r.Stats().Classified - before; n != 1 {
			t.Errorf("%s: classified %d times, want 1 (Relay handed back %v)", q, n, st != nil)
		}
	}
}

// TestRecipeAfterNullFirst: a first execution whose key argument pins
// nothing (NULL, 'abc', 1.5) still gets the statement its recipe, which
// is decided by an analysis with valid keys.
func TestRecipeAfterNullFirst(t *testing.T) {
	r := fourShards(t)
	for _, first := range []any{nil, "abc", 1.5} {
		st := r.cls.Classify("SELECT * FROM images WHERE id = ?")
		st.recipe.Store(nil)
		for _, v := range []any{first, int64(7), int64(8), int64(9)} {
			if _, err := r.planStatement(st, []any{v}); err != nil {
				t.Fatal(err)
			}
		}
		if rc := st.recipe.Load(); rc == nil || rc.key == nil {
			t.Errorf("first argument %#v: no recipe after three point selects by valid keys", first)
		}
	}
}
