package router

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"vitess.io/vitess/go/vt/sqlparser"
)

func TestShapeOf(t *testing.T) {
	tests := []struct {
		q, shape string
		lits     []textLiteral // nil: no shape (ok false)
	}{
		{"SELECT c FROM sbtest1 WHERE id=5012", "SELECT c FROM sbtest1 WHERE id=?", []textLiteral{{typ: sqlparser.IntVal, val: "5012"}}},
		{"SELECT * FROM t WHERE name = 'ab c' AND id IN (1, 2)", "SELECT * FROM t WHERE name = ? AND id IN (?, ?)",
			[]textLiteral{{typ: sqlparser.StrVal, val: "ab c"}, {typ: sqlparser.IntVal, val: "1"}, {typ: sqlparser.IntVal, val: "2"}}},
		{"SELECT * FROM t2 WHERE id = -5 LIMIT 10", "SELECT * FROM t2 WHERE id = -5 LIMIT 10", []textLiteral{}},
		{"SELECT * FROM t WHERE x = 1.5 OR y = 0x1f OR z = 1e3 OR w = 5abc", "SELECT * FROM t WHERE x = 1.5 OR y = 0x1f OR z = 1e3 OR w = 5abc", []textLiteral{}},
		{"SELECT * FROM t WHERE s = 'it''s' OR s = 'a\\'b' OR s = _utf8mb4'x' OR s = \"q\"", "SELECT * FROM t WHERE s = 'it''s' OR s = 'a\\'b' OR s = _utf8mb4'x' OR s = \"q\"", []textLiteral{}},
		{"SELECT `a=1`, x FROM `t'5` WHERE d = DATE '2024-01-01' + INTERVAL 1 DAY", "SELECT `a=1`, x FROM `t'5` WHERE d = DATE '2024-01-01' + INTERVAL 1 DAY", []textLiteral{}},
		{"SELECT * FROM t WHERE a>=3 AND b<>'x'", "SELECT * FROM t WHERE a>=? AND b<>?", []textLiteral{{typ: sqlparser.IntVal, val: "3"}, {typ: sqlparser.StrVal, val: "x"}}},
		{"SELECT * FROM t WHERE id = ?", "", nil},
		{"SELECT /*+ x */ 1", "", nil},
		{"SELECT 1 -- c", "", nil},
		{"SELECT 1 # c", "", nil},
		{"SELECT @a := 1", "", nil},
		{"SELECT 'unclosed", "", nil},
		{"SELECT 1 // c", "", nil},
		{"SELECT * FROM t WHERE note = '/*!50700 x*/'", "", nil},
		{"SELECT * FROM t WHERE note = '/*M! x*/'", "", nil},
		{"SELECT * FROM t WHERE a = N'x' OR b = x'0a' OR c = b'01' OR d = _utf8mb4 'y' OR e = @'v'",
			"SELECT * FROM t WHERE a = N'x' OR b = x'0a' OR c = b'01' OR d = _utf8mb4 'y' OR e = @'v'", []textLiteral{}},
		{"SELECT a, 2 FROM t ORDER BY a, 2 LIMIT 5, 10", "SELECT a, ? FROM t ORDER BY a, ? LIMIT 5, ?",
			[]textLiteral{{typ: sqlparser.IntVal, val: "2"}, {typ: sqlparser.IntVal, val: "2"}, {typ: sqlparser.IntVal, val: "10"}}},
		{"SELECT CAST(x AS CHAR(10)) FROM t WHERE nom = 'é'", "SELECT CAST(x AS CHAR(?)) FROM t WHERE nom = ?",
			[]textLiteral{{typ: sqlparser.IntVal, val: "10"}, {typ: sqlparser.StrVal, val: "é"}}},
		{"UPDATE t SET a = 1 WHERE id = 2", "", nil},
	}
	for _, tc := range tests {
		b, lits, ok := shapeOf(tc.q, nil, nil)
		shape := string(b)
		if ok != (tc.lits != nil) {
			t.Errorf("%s: ok %v", tc.q, ok)
			continue
		}
		if !ok {
			continue
		}
		got := append([]textLiteral{}, lits...)
		if shape != tc.shape || !slices.Equal(got, tc.lits) {
			t.Errorf("%s:\n got  %q %v\n want %q %v", tc.q, shape, got, tc.shape, tc.lits)
		}
	}
}

// TestShapeRoutesAsText: every statement of the plan cases and of the
// differential corpora that has a shape is classified by it as by its
// text, and planned onto the same shards, over the golden topology and
// the fuzz topology's modulo vindex. The relay takes a statement by its
// shape only when it names no sharded table (Session.Relay); the sharded
// ones are held to their texts' plans too, so that a shape never routes
// apart from its text.
func TestShapeRoutesAsText(t *testing.T) {
	var queries []string
	for _, g := range planGroups {
		for _, c := range g.cases {
			if len(c.args) == 0 {
				queries = append(queries, c.sql)
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join("difftest", "testdata", "*.sql"))
	if len(files) == 0 {
		t.Fatal("no corpus in difftest/testdata")
	}
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "--") {
				continue
			}
			for strings.HasPrefix(line, "[") { // tags
				line = strings.TrimSpace(line[strings.IndexByte(line, ']')+1:])
			}
			queries = append(queries, strings.TrimSuffix(line, ";"))
		}
		f.Close()
	}
	for _, r := range []*Router{goldenRouter(t), fourShards(t)} {
		shapesRouteAsText(t, r, queries)
	}
}

func shapesRouteAsText(t *testing.T, r *Router, queries []string) {
	t.Helper()
	shaped, relayable := 0, 0
	for _, q := range queries {
		b, tl, ok := shapeOf(q, nil, nil)
		if !ok || len(tl) == 0 {
			continue
		}
		shape, lits := string(b), make([]any, len(tl))
		for i := range tl {
			lits[i] = &tl[i]
		}
		text, tmpl := r.cls.parse(q), r.cls.parse(shape)
		if tmpl.Kind == Unparsed {
			continue // the relay classifies the text then
		}
		shaped++
		if text.Kind != tmpl.Kind || !slices.Equal(text.Tables, tmpl.Tables) ||
			text.LastInsertID != tmpl.LastInsertID || text.RowCount != tmpl.RowCount || text.FoundRows != tmpl.FoundRows ||
			text.MariaDBComment != tmpl.MariaDBComment || text.VersionedComment != tmpl.VersionedComment || text.Assigns != tmpl.Assigns || text.Sticky != tmpl.Sticky || text.SetsLastInsertID != tmpl.SetsLastInsertID {
			t.Errorf("%s\n  shape %s\n  classified %v %v, its text %v %v", q, shape, tmpl.Kind, tmpl.Tables, text.Kind, text.Tables)
			continue
		}
		pt, errT := r.planStatement(tmpl, lits)
		pq, errQ := r.planStatement(text, nil)
		if errT != nil {
			continue // the relay declines; the text takes the full path
		}
		if errQ != nil {
			t.Errorf("%s\n  shape %s plans (%s %v), its text fails: %v", q, shape, pt.Type, pt.Shards, errQ)
			continue
		}
		if pt.Type != pq.Type || !slices.Equal(pt.Shards, pq.Shards) {
			t.Errorf("%s\n  shape %s plans %s %v, its text %s %v", q, shape, pt.Type, pt.Shards, pq.Type, pq.Shards)
		}
		if pt.Queries == nil && len(pt.Shards) == 1 {
			relayable++
		}
	}
	t.Logf("%d statements, %d with a shape that parses, %d of them one shard's", len(queries), shaped, relayable)
	if shaped < 100 || relayable < 20 {
		t.Errorf("only %d shaped and %d relayable statements: the corpus no longer exercises shapes", shaped, relayable)
	}
}
