package router

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/scalelab/scalelab/schema"
	"github.com/scalelab/scalelab/topology"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden plans in testdata/plans")

// planCase is one statement to plan, with its arguments.
type planCase struct {
	name string
	sql  string
	args []any
}

// planGroups are the golden cases, one file of testdata/plans per group.
// The topology is goldenRouter's: four hash shards, the sample tables
// sharded as the default topology shards them, and tags unsharded.
//
// Two statements are left out until the planner handles them, so that no
// golden file blesses a wrong plan: INSERT … ON DUPLICATE KEY UPDATE that
// assigns the shard key (planned onto the row's old shard, where the new
// key does not belong), and DROP TABLE naming a sharded and an unsharded
// table (sent to every shard, where the unsharded one exists on the first
// only).
var planGroups = []struct {
	file  string
	cases []planCase
}{
	{"point", []planCase{
		{"pinned by equality", "SELECT * FROM users WHERE id = 1", nil},
		{"pinned on another shard", "SELECT id, name FROM images WHERE id = 4", nil},
		{"placeholder", "SELECT * FROM images WHERE id = ?", []any{int64(42)}},
		{"string key", "SELECT * FROM images WHERE id = '5'", nil},
		{"string key with a numeric prefix", "SELECT * FROM images WHERE id = '5abc'", nil},
		{"string placeholder", "SELECT * FROM images WHERE id = ?", []any{"12"}},
		{"non-numeric string key scatters", "SELECT * FROM users WHERE id = 'abc'", nil},
		{"largest unsigned key", "SELECT * FROM users WHERE id = 18446744073709551615", nil},
		{"shard key of likes", "SELECT * FROM likes WHERE image_id = 3 AND user_id = 9", nil},
		{"IN list split per shard", "SELECT * FROM images WHERE id IN (1, 2, 3, 4, 5, 6, 7, 8)", nil},
		{"IN list of placeholders", "SELECT id, name FROM images WHERE id IN (?, ?, ?)", []any{int64(3), int64(4), int64(5)}},
		{"IN list on one shard", "SELECT * FROM images WHERE id IN (1, 2)", nil},
		// Each shard gets the items as written: the router reads
		// '3.00000000000000000001' as 3 (its double), the server compares
		// it with an integer key as no integer.
		{"IN list keeps the items as written", "SELECT * FROM images WHERE id IN ('3.00000000000000000001', 4, ?, 0x05)", []any{"+3"}},
		{"IN list write keeps the items as written", "DELETE FROM images WHERE id IN ('3.00000000000000000001', 4)", nil},
		{"IN list with ORDER BY and LIMIT", "SELECT id, dt FROM images WHERE id IN (3, 5, 4) ORDER BY dt DESC LIMIT 2", nil},
		{"equality and IN on the key", "SELECT * FROM images WHERE id = 3 AND id IN (3, 4)", nil},
		{"OR of keys scatters", "SELECT * FROM users WHERE id = 1 OR id = 4", nil},
		{"IN list of huge keys", "SELECT id FROM users WHERE id IN (18446744073709551610, 1)", nil},
		{"NOT IN scatters", "SELECT * FROM images WHERE id NOT IN (1, 4)", nil},
		{"IN list with NULL scatters", "SELECT * FROM images WHERE id IN (1, NULL, 4)", nil},
	}},
	{"scatter", []planCase{
		{"whole table", "SELECT * FROM images", nil},
		{"ORDER BY with LIMIT", "SELECT id, name FROM images ORDER BY dt DESC LIMIT 5", nil},
		{"LIMIT with OFFSET", "SELECT id FROM images ORDER BY id LIMIT 10 OFFSET 20", nil},
		{"LIMIT offset, count", "SELECT id FROM images ORDER BY id LIMIT 20, 10", nil},
		{"LIMIT without ORDER BY", "SELECT id FROM images LIMIT 3", nil},
		{"ORDER BY position with placeholder LIMIT", "SELECT id, user_id FROM images ORDER BY 1 DESC LIMIT ?", []any{int64(5)}},
		{"two sort columns", "SELECT id, user_id FROM images WHERE user_id = 9 ORDER BY user_id, id DESC", nil},
		{"star ordered by a column", "SELECT * FROM images ORDER BY dt DESC LIMIT 5", nil},
		{"ORDER BY a column not selected", "SELECT id FROM users ORDER BY created_at", nil},
		{"ORDER BY an alias", "SELECT id AS n FROM users ORDER BY n DESC LIMIT 3", nil},
		{"ORDER BY NULL", "SELECT id FROM images ORDER BY NULL", nil},
		{"DISTINCT", "SELECT DISTINCT user_id FROM images", nil},
		{"LIMIT count+offset past the largest", "SELECT id FROM images ORDER BY id LIMIT 5, 18446744073709551615", nil},
		{"locking read", "SELECT id FROM images WHERE user_id = 3 FOR UPDATE", nil},
		{"DISTINCT with LIMIT", "SELECT DISTINCT user_id FROM images ORDER BY user_id DESC LIMIT 4 OFFSET 2", nil},
	}},
	{"aggregate", []planCase{
		{"COUNT(*)", "SELECT COUNT(*) FROM likes", nil},
		{"every combinable aggregate", "SELECT COUNT(*), SUM(user_id), MIN(id), MAX(dt), AVG(user_id) FROM images", nil},
		{"GROUP BY", "SELECT user_id, COUNT(*) FROM images GROUP BY user_id", nil},
		{"GROUP BY ordered by an aggregate with LIMIT", "SELECT user_id, COUNT(*) AS n FROM images GROUP BY user_id ORDER BY n DESC LIMIT 10", nil},
		{"GROUP BY with LIMIT and OFFSET", "SELECT user_id, MAX(id) FROM images GROUP BY user_id ORDER BY user_id LIMIT 5 OFFSET 5", nil},
		{"GROUP BY position", "SELECT user_id, COUNT(*) FROM images GROUP BY 1", nil},
		{"ORDER BY aggregates not selected", "SELECT user_id FROM images GROUP BY user_id ORDER BY COUNT(*) DESC, AVG(id)", nil},
		{"GROUP BY a column not selected", "SELECT COUNT(*) FROM images GROUP BY user_id", nil},
		{"GROUP BY over an IN list", "SELECT image_id, COUNT(*) FROM likes WHERE image_id IN (1, 3, 4) GROUP BY image_id", nil},
		{"BIT aggregates", "SELECT BIT_AND(id), BIT_OR(id), BIT_XOR(id) FROM users", nil},
		{"AVG alone", "SELECT AVG(id) FROM likes WHERE user_id = 3", nil},
		{"aliased aggregates", "SELECT SUM(id) AS total, COUNT(id) AS n FROM users", nil},
	}},
	{"sortkey", []planCase{
		{"ORDER BY text", "SELECT name FROM users ORDER BY name LIMIT 10", nil},
		{"two text sort columns", "SELECT name, email FROM users ORDER BY name DESC, email", nil},
		{"MIN and MAX of text", "SELECT MIN(name), MAX(email) FROM users", nil},
		{"GROUP BY text", "SELECT name, COUNT(*) FROM users GROUP BY name", nil},
		{"DISTINCT text", "SELECT DISTINCT name FROM images", nil},
		{"ORDER BY an expression not selected", "SELECT id FROM users ORDER BY LOWER(name)", nil},
	}},
	{"join", []planCase{
		{"inner join pinned through ON", "SELECT i.id, l.user_id FROM images i JOIN likes l ON l.image_id = i.id WHERE i.id = 7", nil},
		{"inner join pinned on both sides", "SELECT * FROM images i JOIN likes l ON l.image_id = i.id WHERE i.id = 7 AND l.image_id = 7", nil},
		{"join pinned by placeholder", "SELECT l.user_id FROM likes l JOIN images i ON i.id = l.image_id WHERE l.image_id = ?", []any{int64(4)}},
		{"LEFT JOIN pinned", "SELECT i.id, l.id FROM images i LEFT JOIN likes l ON l.image_id = i.id WHERE i.id = 3", nil},
		{"subquery pinned by the outer WHERE", "SELECT * FROM images i WHERE i.id = 4 AND EXISTS (SELECT 1 FROM likes l WHERE l.image_id = i.id)", nil},
		{"derived table pinned inside", "SELECT t.id FROM (SELECT id FROM images WHERE id = 1) AS t", nil},
		{"UPDATE with a join pinned", "UPDATE images i JOIN likes l ON l.image_id = i.id SET i.name = 'x' WHERE i.id = 3", nil},
		{"unsharded table with a key on the first shard", "SELECT * FROM images i JOIN tags t ON t.id = i.user_id WHERE i.id = 1", nil},
	}},
	{"insert", []planCase{
		{"single row", "INSERT INTO images (id, user_id, name) VALUES (1, 9, 'a')", nil},
		{"rows on one shard", "INSERT INTO images (id, name) VALUES (1, 'a'), (2, 'b')", nil},
		{"rows across shards", "INSERT INTO images (id, name) VALUES (1, 'a'), (3, 'b'), (2, 'c'), (4, 'd')", nil},
		{"placeholders across shards", "INSERT INTO likes (id, image_id, user_id) VALUES (?, ?, ?), (?, ?, ?)", []any{int64(10), int64(3), int64(1), int64(11), int64(4), int64(1)}},
		{"string keys across shards", "INSERT INTO users (id, name) VALUES ('1', 'a'), ('4', 'b')", nil},
		{"ON DUPLICATE KEY UPDATE across shards", "INSERT INTO images (id, name) VALUES (1, 'a'), (4, 'b') ON DUPLICATE KEY UPDATE name = VALUES(name)", nil},
		{"REPLACE across shards", "REPLACE INTO users (id, name) VALUES (1, 'a'), (4, 'b')", nil},
		{"INSERT … SET", "INSERT INTO images SET id = 4, name = 'x'", nil},
		{"without the key uses the sequence", "INSERT INTO images (user_id, name) VALUES (9, 'x'), (9, 'y')", nil},
		{"without a column list", "INSERT INTO images VALUES (1, 2, NULL, 'a', 'p', NOW()), (4, 2, NULL, 'b', 'p', NOW())", nil},
		{"without a column list, placeholders", "INSERT INTO images VALUES (?, ?, NULL, ?, 'p', NOW())", []any{int64(3), int64(2), "c"}},
		{"NULL key uses the sequence", "INSERT INTO images VALUES (NULL, 2, NULL, 'a', 'p', NOW())", nil},
		{"DEFAULT key uses the sequence", "INSERT INTO images (id, name) VALUES (DEFAULT, 'a'), (7, 'b')", nil},
		{"NULL placeholder key uses the sequence", "INSERT INTO images (id, name) VALUES (?, 'a')", []any{nil}},
		{"empty rows use the sequence", "INSERT INTO images VALUES (), ()", nil},
	}},
	{"write", []planCase{
		{"UPDATE pinned", "UPDATE images SET name = 'x' WHERE id = 3", nil},
		{"UPDATE with placeholders", "UPDATE images SET name = ? WHERE id = ?", []any{"x", int64(4)}},
		{"UPDATE over an IN list", "UPDATE images SET name = 'x' WHERE id IN (1, 3, 4)", nil},
		{"UPDATE scattered", "UPDATE users SET name = 'x'", nil},
		{"DELETE pinned", "DELETE FROM likes WHERE image_id = 5 AND user_id = 2", nil},
		{"DELETE over an IN list", "DELETE FROM likes WHERE image_id IN (1, 4) AND user_id = 2", nil},
		{"DELETE scattered", "DELETE FROM images WHERE user_id = 3", nil},
	}},
	{"ddl", []planCase{
		{"ALTER sharded table", "ALTER TABLE images ADD INDEX by_user (user_id)", nil},
		{"CREATE INDEX on sharded table", "CREATE INDEX by_dt ON likes (dt)", nil},
		{"DROP sharded table", "DROP TABLE users", nil},
		{"TRUNCATE sharded table", "TRUNCATE TABLE likes", nil},
		{"CREATE unsharded table", "CREATE TABLE tags (id BIGINT PRIMARY KEY, name VARCHAR(64))", nil},
	}},
	{"unsharded", []planCase{
		{"SELECT", "SELECT * FROM tags WHERE id = 1", nil},
		{"aggregate", "SELECT name, COUNT(*) FROM tags GROUP BY name HAVING COUNT(*) > 1", nil},
		{"INSERT", "INSERT INTO tags (id, name) VALUES (1, 'a'), (2, 'b')", nil},
		{"UPDATE", "UPDATE tags SET name = 'x'", nil},
		{"no table", "SELECT 1 + 1", nil},
	}},
	{"refused", []planCase{
		{"cross-shard join", "SELECT * FROM images i JOIN likes l ON l.image_id = i.id", nil},
		{"ON DUPLICATE KEY UPDATE of the shard key", "INSERT INTO images (id, name) VALUES (1, 'a') ON DUPLICATE KEY UPDATE id = 100", nil},
		{"DROP of a sharded and an unsharded table", "DROP TABLE users, tags", nil},
		{"RENAME of a sharded table to an unsharded name", "RENAME TABLE users TO users_old", nil},
		{"ALTER TABLE RENAME of a sharded table", "ALTER TABLE users RENAME TO users_old", nil},
		{"RENAME of an unsharded table to a sharded name", "RENAME TABLE tags TO users", nil},
		{"self-join with one side pinned", "SELECT * FROM images a JOIN images b ON b.id = a.parent_id WHERE a.id = 1", nil},
		{"unsharded table joined off the first shard", "SELECT * FROM images i JOIN tags t ON t.id = i.user_id WHERE i.id = 3", nil},
		{"HAVING", "SELECT user_id, COUNT(*) FROM images GROUP BY user_id HAVING COUNT(*) > 1", nil},
		{"COUNT(DISTINCT)", "SELECT COUNT(DISTINCT user_id) FROM images", nil},
		{"window function", "SELECT id, ROW_NUMBER() OVER (ORDER BY id) FROM images", nil},
		{"GROUP_CONCAT", "SELECT GROUP_CONCAT(name) FROM users", nil},
		{"expression over an aggregate", "SELECT COUNT(*) + 1 FROM images", nil},
		{"SUM of a division", "SELECT SUM(id / 2) FROM images", nil},
		{"column neither grouped nor aggregated", "SELECT user_id, name, COUNT(*) FROM images GROUP BY user_id", nil},
		{"UNION", "SELECT id FROM images UNION SELECT id FROM users", nil},
		{"subquery", "SELECT * FROM images WHERE user_id IN (SELECT id FROM users WHERE name = 'x')", nil},
		{"derived table", "SELECT * FROM (SELECT id FROM images) AS t", nil},
		{"SQL_CALC_FOUND_ROWS", "SELECT SQL_CALC_FOUND_ROWS id FROM images LIMIT 1", nil},
		{"SELECT DISTINCT *", "SELECT DISTINCT * FROM images", nil},
		{"UPDATE of the shard key", "UPDATE images SET id = 5 WHERE id = 3", nil},
		{"sequence advanced over shards", "SELECT id, NEXTVAL(s) FROM images", nil},
		{"file written over shards", "SELECT * FROM images INTO OUTFILE '/tmp/images.txt'", nil},
		{"UPDATE of the qualified shard key", "UPDATE likes l SET l.image_id = 5 WHERE l.image_id = 3", nil},
		{"write with LIMIT across shards", "DELETE FROM images WHERE user_id = 3 LIMIT 10", nil},
		{"write with a subquery across shards", "DELETE FROM images WHERE id IN (SELECT image_id FROM likes)", nil},
		{"INSERT without a column list, columns not read", "INSERT INTO likes VALUES (1, 2, 3)", nil},
		{"INSERT without a column list, too few values", "INSERT INTO images VALUES (1, 2, NULL, 'a', 'p', NOW()), (4, 2)", nil},
		{"INSERT without a column list, empty and full rows", "INSERT INTO images VALUES (), (4, 2, NULL, 'b', 'p', NOW())", nil},
		{"NULL key not AUTO_INCREMENT", "INSERT INTO users (id, name) VALUES (NULL, 'a')", nil},
		{"INSERT … SELECT", "INSERT INTO images (id, name) SELECT id, name FROM users", nil},
		{"INSERT with a computed key", "INSERT INTO images (id, name) VALUES (1 + 1, 'x')", nil},
		{"DDL with a placeholder", "ALTER TABLE images ALTER COLUMN name SET DEFAULT ?", []any{"x"}},
		{"seeded RAND in a write over shards", "UPDATE images SET name = RAND(3) WHERE user_id = 1", nil},
		{"a node's variable in a write over shards", "UPDATE images SET name = @@port WHERE id IN (1, 2, 3, 4)", nil},
		{"a node's variable in a multi-row INSERT over shards", "INSERT INTO images (id, name) VALUES (1, @@server_id), (3, @@server_id)", nil},
	}},
}

// goldenHeader opens every golden file.
const goldenHeader = `# Golden plans of router.planStatement; the cases are in plan_golden_test.go.
# go test ./router -run TestPlanGolden -update rewrites this file: review the diff by hand.
# "to <shards>:" is the statement those shards are sent; "merge:" is the mergeSpec, whose
# #n are positions in the shard statement's select list.
`

// goldenRouter is a router over four hash shards that is never connected
// to: planning does no I/O.
func goldenRouter(t *testing.T) *Router {
	t.Helper()
	topo := &topology.Topology{
		Name: "golden", Flavor: "mariadb",
		User:        topology.Credentials{Name: "app"},
		Replication: topology.Credentials{Name: "repl"},
		Tables:      schema.ShardedTables(),
	}
	for i, name := range []string{"-40", "40-80", "80-c0", "c0-"} {
		topo.Shards = append(topo.Shards, topology.Shard{Name: name, Primary: topology.Addr{HostPort: fmt.Sprintf("127.0.0.1:%d", 1+i)}})
	}
	r, err := New(topo, Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	// The key columns' types, as a run reads them from the servers (the
	// sample schema's BIGINT UNSIGNED): keys past 2^53 then pin.
	for table := range topo.Tables {
		kc := columnKind("bigint", true, 20, 0, -1, false)
		if table == "images" {
			// images' columns, as the schema orders them, for an INSERT
			// without a column list; likes' are left unread. Its id is
			// AUTO_INCREMENT here, for NULL and DEFAULT keys.
			kc.place, kc.columns, kc.names = 1, 6, "id\x00user_id\x00parent_id\x00name\x00path\x00dt\x00"
			kc.autoIncrement = true
		}
		r.keys.set(keyTable{name: table}, kc, r.keys.generation())
	}
	return r
}

// TestPlanGolden plans every case of planGroups and compares the plan,
// described by describePlan, with testdata/plans/<group>.golden. Run
//
//	go test ./router -run TestPlanGolden -update
//
// to rewrite the files, and review their diff by hand before committing:
// a golden plan is only as right as the person who read it.
func TestPlanGolden(t *testing.T) {
	r := goldenRouter(t)
	parser, err := sqlparser.New(sqlparser.Options{MySQLServerVersion: "8.0.40"})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range planGroups {
		t.Run(g.file, func(t *testing.T) {
			path := filepath.Join("testdata", "plans", g.file+".golden")
			var want map[string]string
			if !*updateGolden {
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("read golden plans: %v (run go test ./router -run TestPlanGolden -update to create them)", err)
				}
				if want, err = parseGolden(string(b)); err != nil {
					t.Fatalf("%s: %v", path, err)
				}
			}
			var file strings.Builder
			file.WriteString(goldenHeader)
			seen := map[string]bool{}
			for _, tc := range g.cases {
				if seen[tc.name] {
					t.Fatalf("case %q is listed twice", tc.name)
				}
				seen[tc.name] = true
				got := describePlan(r, parser, tc)
				fmt.Fprintf(&file, "\n=== %s\n%s", tc.name, got)
				t.Run(tc.name, func(t *testing.T) {
					if *updateGolden {
						return
					}
					w, ok := want[tc.name]
					if !ok {
						t.Fatalf("no golden plan in %s (run go test ./router -run TestPlanGolden -update to add it)", path)
					}
					if got != w {
						t.Errorf("plan changed (- want, + got; run go test ./router -run TestPlanGolden -update if that is intended):\n%s", lineDiff(w, got))
					}
				})
			}
			var stale []string
			for name := range want {
				if !seen[name] {
					stale = append(stale, name)
				}
			}
			sort.Strings(stale)
			for _, name := range stale {
				t.Errorf("%s has a plan for %q, which is no longer a case (run -update to remove it)", path, name)
			}
			if *updateGolden {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(file.String()), 0o644); err != nil {
					t.Fatalf("update golden plans: %v", err)
				}
			}
		})
	}
}

// parseGolden splits a golden file into its cases: each starts with a
// line "=== name" and runs to the next one. Lines before the first case
// are comments.
func parseGolden(text string) (map[string]string, error) {
	out := map[string]string{}
	name, body := "", []string(nil)
	flush := func() error {
		if name == "" {
			return nil
		}
		if _, dup := out[name]; dup {
			return fmt.Errorf("case %q appears twice", name)
		}
		out[name] = strings.Join(body, "")
		return nil
	}
	for _, line := range strings.SplitAfter(text, "\n") {
		if rest, ok := strings.CutPrefix(line, "=== "); ok {
			if err := flush(); err != nil {
				return nil, err
			}
			name, body = strings.TrimSuffix(rest, "\n"), nil
			continue
		}
		if name == "" {
			continue
		}
		body = append(body, line)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	// A blank line separates cases; it belongs to no case.
	for k, v := range out {
		out[k] = strings.TrimRight(v, "\n") + "\n"
	}
	return out, nil
}

// describePlan plans one case and describes the plan in a fixed layout:
// the route, the target shards, the statement each shard is sent, and the
// merge. A refusal is described by its error.
func describePlan(r *Router, parser *sqlparser.Parser, tc planCase) string {
	var b strings.Builder
	line := func(key, format string, a ...any) {
		fmt.Fprintf(&b, "%-9s %s\n", key+":", fmt.Sprintf(format, a...))
	}
	line("sql", "%s", tc.sql)
	if len(tc.args) > 0 {
		line("args", "%s", formatArgs(tc.args))
	}
	st := r.Classify(tc.sql)
	line("kind", "%s", st.Kind)
	p, err := r.planStatement(st, tc.args)
	if err != nil {
		line("error", "%v", err)
		return b.String()
	}
	line("type", "%s", p.Type)
	if p.Table != "" {
		line("table", "%s", p.Table)
	}
	shardName := func(i int) string { return r.Topology().Shards[i].Name }
	names := make([]string, len(p.Shards))
	for i, s := range p.Shards {
		names[i] = shardName(s)
	}
	if p.Sequence != "" && len(p.Shards) == 0 {
		line("shards", "(those of the ids the %s sequence hands out at run time)", p.Sequence)
	} else {
		line("shards", "%s", strings.Join(names, " "))
	}
	if p.PushedDown != "" {
		line("pushed", "%s", p.PushedDown)
	}
	if p.Merged != "" {
		line("merged", "%s", p.Merged)
	}
	// What each target shard is sent, one line per distinct statement
	// with the shards that get it.
	var texts []string
	to := map[string][]string{}
	for _, s := range p.Shards {
		q, ok := p.Queries[s]
		switch {
		case p.Queries == nil:
			q = "(unchanged) " + tc.sql
		case !ok:
			q = "(MISSING: no statement for a target shard)"
		}
		if _, seen := to[q]; !seen {
			texts = append(texts, q)
		}
		to[q] = append(to[q], shardName(s))
	}
	for _, q := range texts {
		line("to "+strings.Join(to[q], " "), "%s", q)
	}
	for s := range p.Queries {
		if !containsInt(p.Shards, s) {
			line("extra", "statement for shard %d, which is not a target: %s", s, p.Queries[s])
		}
	}
	if p.Merge != nil {
		b.WriteString(describeMerge(p.Merge, shardSelectList(parser, p)))
	}
	return b.String()
}

func containsInt(s []int, x int) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

func formatArgs(args []any) string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = fmt.Sprintf("%T(%#v)", a, a)
	}
	return strings.Join(out, ", ")
}

// shardSelectList returns the select expressions of the statement sent to
// the first target shard (the others differ at most in their IN list),
// which name the merge's column positions.
func shardSelectList(parser *sqlparser.Parser, p *plan) []string {
	if len(p.Shards) == 0 || p.Queries == nil {
		return nil
	}
	stmt, err := parser.Parse(p.Queries[p.Shards[0]])
	if err != nil {
		return nil
	}
	sel, ok := stmt.(*sqlparser.Select)
	if !ok {
		return nil
	}
	var out []string
	for _, se := range sel.SelectExprs.Exprs {
		out = append(out, sqlparser.String(se))
	}
	return out
}

// describeMerge prints a mergeSpec field by field, naming each column
// position by the shard query's select expression at that position.
func describeMerge(m *mergeSpec, exprs []string) string {
	var b strings.Builder
	b.WriteString("merge:\n")
	if len(exprs) != len(m.cols) {
		fmt.Fprintf(&b, "  MISMATCH: %d merge columns, %d select expressions in the shard query\n", len(m.cols), len(exprs))
	}
	star := "none"
	if m.star >= 0 {
		star = fmt.Sprintf("#%d", m.star)
	}
	fmt.Fprintf(&b, "  visible:    %d of %d columns; * at %s\n", m.visible, len(m.cols), star)
	for i, c := range m.cols {
		expr := "?"
		if i < len(exprs) {
			expr = exprs[i]
		}
		var notes []string
		if i >= m.visible {
			notes = append(notes, "hidden")
		}
		if c.agg != aggNone {
			notes = append(notes, aggNames[c.agg])
		}
		if c.agg == aggAvg {
			notes = append(notes, fmt.Sprintf("sum #%d, count #%d, type #%d", c.sum, c.count, c.typ))
		}
		if c.weight >= 0 || c.pad >= 0 {
			notes = append(notes, fmt.Sprintf("sort key #%d, pad #%d", c.weight, c.pad))
		}
		fmt.Fprintf(&b, "  #%d %s", i, expr)
		if len(notes) > 0 {
			fmt.Fprintf(&b, "  [%s]", strings.Join(notes, "; "))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "  aggregate:  %t\n", m.aggs)
	fmt.Fprintf(&b, "  group by:   %s\n", sortCols(m.groupBy))
	fmt.Fprintf(&b, "  order by:   %s\n", sortCols(m.order))
	switch {
	case !m.hasLimit:
		b.WriteString("  limit:      none\n")
	case m.pushLimit:
		fmt.Fprintf(&b, "  limit:      %d offset %d, pushed down\n", m.limit, m.offset)
	default:
		fmt.Fprintf(&b, "  limit:      %d offset %d, after the merge only\n", m.limit, m.offset)
	}
	return b.String()
}

func sortCols(cols []sortCol) string {
	if len(cols) == 0 {
		return "none"
	}
	out := make([]string, len(cols))
	for i, s := range cols {
		out[i] = fmt.Sprintf("#%d", s.col)
		if s.desc {
			out[i] += " desc"
		} else {
			out[i] += " asc"
		}
		if s.weight >= 0 || s.pad >= 0 {
			out[i] += fmt.Sprintf(" (sort key #%d, pad #%d)", s.weight, s.pad)
		}
	}
	return strings.Join(out, ", ")
}

// lineDiff is a line diff of want and got: unchanged lines start with two
// spaces, removed ones with "- ", added ones with "+ ". The texts are a
// few dozen lines, so the quadratic longest common subsequence is fine.
func lineDiff(want, got string) string {
	a := strings.Split(strings.TrimSuffix(want, "\n"), "\n")
	bl := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	// lcs[i][j] is the length of the longest common subsequence of a[i:]
	// and bl[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(bl)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(bl) - 1; j >= 0; j-- {
			if a[i] == bl[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	i, j := 0, 0
	for i < len(a) || j < len(bl) {
		switch {
		case i < len(a) && j < len(bl) && a[i] == bl[j]:
			out.WriteString("  " + a[i] + "\n")
			i, j = i+1, j+1
		case i < len(a) && (j == len(bl) || lcs[i+1][j] >= lcs[i][j+1]):
			out.WriteString("- " + a[i] + "\n")
			i++
		default:
			out.WriteString("+ " + bl[j] + "\n")
			j++
		}
	}
	return out.String()
}
