package difftest

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

var (
	flagQueries = flag.Int("queries", 3000, "random statements TestDifferentialRandom generates")
	flagSeed    = flag.Uint64("seed", 1, "seed of TestDifferentialRandom's statements")
)

// column is one column of the sample schema as the generator sees it.
type column struct {
	name string
	kind byte // 'i' integer, 's' string, 't' datetime
	// small integers stay exact as doubles when summed (user ids do not).
	small bool
}

type table struct {
	name string
	key  string
	cols []column
}

var tables = []table{
	{"users", "id", []column{{"id", 'i', true}, {"name", 's', false}, {"email", 's', false}, {"created_at", 't', false}}},
	{"images", "id", []column{{"id", 'i', true}, {"user_id", 'i', false}, {"parent_id", 'i', true}, {"name", 's', false}, {"path", 's', false}, {"dt", 't', false}}},
	{"likes", "image_id", []column{{"id", 'i', true}, {"image_id", 'i', true}, {"user_id", 'i', false}, {"dt", 't', false}}},
}

// gen makes random SELECTs over the sample schema, in the manner of
// SQLancer: expressions, predicates, joins, subqueries, aggregates, GROUP
// BY, ORDER BY with LIMIT, and string comparisons. Each statement comes
// with how its answer must compare: in order only when the ORDER BY fully
// determines it, by collation sort key where the server may pick any of
// several equal strings.
type gen struct {
	rnd  *rand.Rand
	opts cmpOpts
	kind string // the statement's family, for the report
}

func newGen(seed uint64) *gen {
	return &gen{rnd: rand.New(rand.NewPCG(seed, seed*0x9e3779b97f4a7c15+1))}
}

func (g *gen) n(k int) int             { return g.rnd.IntN(k) }
func (g *gen) chance(p int) bool       { return g.rnd.IntN(100) < p }
func (g *gen) pick(s ...string) string { return s[g.rnd.IntN(len(s))] }

// keyValue is a shard-key value that exists, is missing, or is spelled
// oddly.
func (g *gen) keyValue(t table) string {
	switch g.n(10) {
	case 0:
		return fmt.Sprintf("'%d%s'", 1+g.n(90), g.pick("abc", "", " ", ".0x"))
	case 1:
		return g.pick("18446744073709551615", "9223372036854775808", "4294967296", "0", "99999")
	}
	if t.name == "users" {
		return fmt.Sprint(1 + g.n(95))
	}
	return fmt.Sprint(1 + g.n(420))
}

func (g *gen) col(t table, alias string, kind byte) string {
	var cs []column
	for _, c := range t.cols {
		if kind == 0 || c.kind == kind {
			cs = append(cs, c)
		}
	}
	if len(cs) == 0 {
		// likes has no text column: a string made from its id.
		return "CONCAT('u', " + g.col(t, alias, 'i') + ")"
	}
	c := cs[g.n(len(cs))]
	if alias != "" {
		return alias + "." + c.name
	}
	return c.name
}

var words = []string{"Alice", "alice", "bob", "bob ", "a-b", "a_b", "x3@", "x342@", "Émile", "emile", "Zoë", "zoe", "", "img010", "img05", "lead", " lead", "zzz", "日本", "O'Brien"}

func (g *gen) strLit() string {
	return quote(words[g.n(len(words))])
}

// intExpr is an integer-valued expression (exact).
func (g *gen) intExpr(t table, alias string) string {
	c := g.col(t, alias, 'i')
	switch g.n(9) {
	case 0:
		return c + " + " + fmt.Sprint(g.n(10))
	case 1:
		return c + " % " + fmt.Sprint(2+g.n(7))
	case 2:
		return "COALESCE(" + c + ", " + fmt.Sprint(g.n(3)) + ")"
	case 3:
		return c + " DIV " + fmt.Sprint(2+g.n(9))
	case 4:
		return "LENGTH(" + g.col(t, alias, 's') + ")"
	}
	return c
}

// expr is an expression of any type, as a select-list item.
func (g *gen) expr(t table, alias string) (string, byte) {
	switch g.n(16) {
	case 0:
		return g.col(t, alias, 'i') + " * 1.5", 'd'
	case 1:
		return g.col(t, alias, 'i') + " / 7", 'd'
	case 2:
		for {
			c := t.cols[g.n(len(t.cols))]
			if c.kind == 'i' && c.small {
				name := c.name
				if alias != "" {
					name = alias + "." + name
				}
				return name + " * 1e0", 'f'
			}
		}
	case 3:
		return g.pick("LOWER", "UPPER", "TRIM", "REVERSE") + "(" + g.col(t, alias, 's') + ")", 's'
	case 4:
		return "CONCAT(" + g.col(t, alias, 's') + ", " + g.strLit() + ")", 's'
	case 5:
		return g.col(t, alias, 's') + " COLLATE utf8mb4_bin", 's'
	case 6:
		return "SUBSTRING(" + g.col(t, alias, 's') + ", 1, " + fmt.Sprint(1+g.n(4)) + ")", 's'
	case 7:
		return g.pick("DATE", "CAST") + "(" + g.col(t, alias, 't') + g.pick(") ", " AS DATETIME) ", " AS DATETIME(3)) ", " AS DATE) "), 't'
	case 8:
		return g.intExpr(t, alias), 'i'
	case 9:
		return "CASE WHEN " + g.pred(t, alias, 1) + " THEN " + g.col(t, alias, 's') + " ELSE " + g.strLit() + " END", 's'
	}
	c := t.cols[g.n(len(t.cols))]
	if alias != "" {
		return alias + "." + c.name, c.kind
	}
	return c.name, c.kind
}

// pred is a predicate over t; depth bounds AND/OR/NOT nesting.
func (g *gen) pred(t table, alias string, depth int) string {
	if depth > 0 && g.chance(30) {
		l, r := g.pred(t, alias, depth-1), g.pred(t, alias, depth-1)
		switch g.n(3) {
		case 0:
			return "(" + l + " AND " + r + ")"
		case 1:
			return "(" + l + " OR " + r + ")"
		default:
			return "NOT (" + l + ")"
		}
	}
	switch g.n(9) {
	case 0:
		return g.col(t, alias, 's') + " " + g.pick("=", "<", ">", "<=", ">=", "<>") + " " + g.strLit()
	case 1:
		return g.col(t, alias, 's') + " LIKE " + quote(g.pick("a%", "A%", "%b%", "x3%", "_ob%", "%e", "é%"))
	case 2:
		return g.col(t, alias, 's') + " IN (" + g.strLit() + ", " + g.strLit() + ")"
	case 3:
		return g.col(t, alias, 'i') + " IS " + g.pick("", "NOT ") + "NULL"
	case 4:
		return g.col(t, alias, 't') + " " + g.pick("<", ">=") + " '2025-03-0" + fmt.Sprint(1+g.n(3)) + " 0" + fmt.Sprint(g.n(10)) + ":00:00'"
	case 5:
		lo := g.n(200)
		return g.intExpr(t, alias) + " BETWEEN " + fmt.Sprint(lo) + " AND " + fmt.Sprint(lo+g.n(150))
	case 6:
		return g.col(t, alias, 'i') + " " + g.pick("<", ">", "=", "<=>") + " " + fmt.Sprint(g.n(300))
	}
	return g.intExpr(t, alias) + " " + g.pick("<", ">", "<>") + " " + fmt.Sprint(g.n(400))
}

// aggregate is an aggregate call over t; text tells whether its value is
// a string the server may pick among collation-equal ones.
func (g *gen) aggregate(t table) (string, bool) {
	switch g.n(14) {
	case 0, 1:
		return "COUNT(*)", false
	case 2:
		return "COUNT(" + g.col(t, "", 0) + ")", false
	case 3:
		return "SUM(" + g.intExpr(t, "") + ")", false
	case 4:
		return "AVG(" + g.intExpr(t, "") + ")", false
	case 5:
		e, k := g.expr(t, "")
		return g.pick("MIN", "MAX") + "(" + e + ")", k == 's'
	case 6:
		return g.pick("MIN", "MAX") + "(" + g.col(t, "", 's') + ")", true
	case 7:
		return g.pick("BIT_XOR", "BIT_AND", "BIT_OR") + "(" + g.col(t, "", 'i') + ")", false
	case 8:
		return "AVG(" + g.col(t, "", 'i') + " * 1.5)", false
	case 9:
		return g.pick("SUM", "AVG") + "(id * 1e0)", false
	case 10:
		// Shapes the router must refuse.
		return g.pick("STD(id)", "VARIANCE(id)", "GROUP_CONCAT(id)", "COUNT(DISTINCT id)", "SUM(DISTINCT id)", "AVG(id / 3)", "JSON_ARRAYAGG(id)"), false
	case 11:
		return "COUNT(*) + 1", false
	}
	c := t.cols[g.n(len(t.cols))]
	return g.pick("MIN", "MAX") + "(" + c.name + ")", c.kind == 's'
}

// next returns one random statement.
func (g *gen) next() string {
	g.opts = cmpOpts{}
	switch r := g.n(100); {
	case r < 45:
		g.kind = "scatter"
		return g.single(tables[g.n(len(tables))])
	case r < 60:
		g.kind = "grouped"
		return g.grouped(tables[g.n(len(tables))])
	case r < 75:
		g.kind = "join"
		return g.join()
	case r < 88:
		g.kind = "subquery"
		return g.subquery()
	case r < 94:
		g.kind = "derived/union"
		return g.derived()
	default:
		g.kind = "window"
		t := tables[g.n(len(tables))]
		return "SELECT " + t.key + ", " + g.pick("ROW_NUMBER()", "RANK()", "LAG(id)", "SUM(id)") + " OVER (ORDER BY id) FROM " + t.name
	}
}

// where is an optional WHERE clause for a one-table statement, sometimes
// pinned to a key or an IN list of keys.
func (g *gen) where(t table, alias string) string {
	key := t.key
	if alias != "" {
		key = alias + "." + key
	}
	switch g.n(10) {
	case 0, 1:
		return ""
	case 2:
		return " WHERE " + key + " = " + g.keyValue(t)
	case 3:
		return " WHERE " + key + " IN (" + g.keyValue(t) + ", " + g.keyValue(t) + ", " + g.keyValue(t) + ")" + g.and(t, alias)
	case 4:
		return " WHERE " + key + " = " + g.keyValue(t) + g.and(t, alias)
	}
	return " WHERE " + g.pred(t, alias, 2)
}

func (g *gen) and(t table, alias string) string {
	if g.chance(50) {
		return " AND " + g.pred(t, alias, 1)
	}
	return ""
}

// single is a one-table SELECT: plain columns and expressions, ordered
// and limited or not, or DISTINCT.
func (g *gen) single(t table) string {
	alias := ""
	from := t.name
	if g.chance(30) {
		alias = t.name[:1]
		from += " " + alias
	}
	id := "id"
	if alias != "" {
		id = alias + ".id"
	}
	var items []string
	textSel := false
	switch {
	case g.chance(10):
		items = append(items, "*")
	case g.chance(10) && alias != "":
		items = append(items, alias+".*")
	default:
		for i := 0; i < 1+g.n(4); i++ {
			e, k := g.expr(t, alias)
			if g.chance(25) {
				e += " AS c" + fmt.Sprint(i)
			}
			textSel = textSel || k == 's'
			items = append(items, e)
		}
	}
	distinct := g.chance(12) && items[0] != "*" && !strings.HasSuffix(items[0], ".*")
	q := "SELECT "
	if distinct {
		q += "DISTINCT "
		g.opts.collation = textSel
	}
	q += strings.Join(items, ", ") + " FROM " + from + g.where(t, alias)
	if distinct {
		if g.chance(50) {
			q += " ORDER BY 1"
		}
		return q
	}
	if g.chance(60) {
		var keys []string
		for i := 0; i < g.n(3); i++ {
			switch g.n(4) {
			case 0:
				keys = append(keys, fmt.Sprint(1+g.n(len(items))))
				if items[0] == "*" || strings.HasSuffix(items[0], ".*") {
					keys[len(keys)-1] = id
				}
			default:
				e, _ := g.expr(t, alias)
				keys = append(keys, e)
			}
			keys[len(keys)-1] += g.pick("", " DESC", " ASC")
		}
		keys = append(keys, id+g.pick("", " DESC"))
		q += " ORDER BY " + strings.Join(keys, ", ")
		g.opts.ordered = true
		if g.chance(60) {
			q += " LIMIT " + g.pick("0", "1", "5", "17", "100", "3, 4", "50, 18446744073709551615", "1000 OFFSET 2")
		}
	}
	return q
}

// grouped is an aggregate SELECT, with or without GROUP BY.
func (g *gen) grouped(t table) string {
	var items, groups []string
	textKey := false
	if g.chance(70) {
		for i := 0; i < 1+g.n(2); i++ {
			e, k := g.expr(t, "")
			if strings.Contains(e, "CASE") {
				c := t.cols[g.n(len(t.cols))]
				e, k = c.name, c.kind
			}
			groups = append(groups, e)
			textKey = textKey || k == 's'
		}
		items = append(items, groups...)
	}
	for i := 0; i < 1+g.n(3); i++ {
		a, text := g.aggregate(t)
		g.opts.collation = g.opts.collation || text
		if g.chance(20) {
			a += " AS a" + fmt.Sprint(i)
		}
		items = append(items, a)
	}
	g.opts.collation = g.opts.collation || textKey
	q := "SELECT " + strings.Join(items, ", ") + " FROM " + t.name + g.where(t, "")
	if len(groups) > 0 {
		q += " GROUP BY " + strings.Join(groups, ", ")
		if g.chance(8) {
			q += " HAVING COUNT(*) > 1"
		}
		if g.chance(50) {
			// Ordering by every group key fully determines the order.
			keys := append([]string(nil), groups...)
			g.rnd.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
			if g.chance(40) {
				keys = append([]string{fmt.Sprint(len(groups) + 1)}, keys...)
			}
			for i := range keys {
				keys[i] += g.pick("", " DESC")
			}
			q += " ORDER BY " + strings.Join(keys, ", ")
			g.opts.ordered = true
			if g.chance(50) {
				q += " LIMIT " + g.pick("1", "3", "2, 5", "10")
			}
		}
	}
	return q
}

// ref is one table reference of a generated statement.
type ref struct {
	t     table
	alias string
}

func (r ref) col(name string) string { return r.alias + "." + name }

// intCol is a random integer column of r, qualified.
func (g *gen) intCol(r ref) string { return g.col(r.t, r.alias, 'i') }

// pin equates a reference's shard key with a value, or with another
// reference's integer column.
func (g *gen) pin(r ref, others []ref) string {
	if len(others) > 0 && g.chance(40) {
		o := others[g.n(len(others))]
		return r.col(r.t.key) + " = " + g.intCol(o)
	}
	if g.chance(15) {
		return r.col(r.t.key) + " IN (" + g.keyValue(r.t) + ", " + g.keyValue(r.t) + ")"
	}
	return r.col(r.t.key) + " = " + g.keyValue(r.t)
}

// conds is a random conjunction over refs: key pins, column equalities
// and predicates; at least one term.
func (g *gen) conds(refs []ref) string {
	var terms []string
	for len(terms) == 0 || g.chance(45) {
		r := refs[g.n(len(refs))]
		switch g.n(4) {
		case 0, 1:
			terms = append(terms, g.pin(r, refs))
		case 2:
			o := refs[g.n(len(refs))]
			terms = append(terms, g.intCol(r)+" = "+g.intCol(o))
		default:
			terms = append(terms, g.pred(r.t, r.alias, 1))
		}
	}
	return strings.Join(terms, " AND ")
}

func (g *gen) refs(n int, prefix string) []ref {
	out := make([]ref, n)
	for i := range out {
		out[i] = ref{t: tables[g.n(len(tables))], alias: fmt.Sprintf("%s%d", prefix, i)}
	}
	return out
}

// join joins two or three table references with random join types and
// conditions: pinned to one shard by chance, often not.
func (g *gen) join() string {
	refs := g.refs(2+g.n(2), "t")
	from := refs[0].t.name + " " + refs[0].alias
	var cross []string
	for i := 1; i < len(refs); i++ {
		r := refs[i]
		if g.chance(10) {
			// A comma join, with its condition in WHERE.
			from += ", " + r.t.name + " " + r.alias
			cross = append(cross, g.intCol(r)+" = "+g.intCol(refs[g.n(i)]))
			continue
		}
		from += " " + g.pick("JOIN", "LEFT JOIN", "RIGHT JOIN", "INNER JOIN", "STRAIGHT_JOIN") + " " + r.t.name + " " + r.alias
		// An equality with an earlier reference keeps the join small.
		prev := refs[g.n(i)]
		on := g.intCol(r) + " = " + g.intCol(prev)
		if g.chance(60) {
			// Key to key: pinned wherever the other is.
			on = r.col(r.t.key) + " = " + prev.col(prev.t.key)
		}
		if g.chance(50) {
			on += " AND " + g.conds(refs[:i+1])
		}
		from += " ON " + on
	}
	var items, ids []string
	for _, r := range refs {
		ids = append(ids, r.col("id"))
		if g.chance(60) {
			items = append(items, r.col("id"))
		}
		if g.chance(40) {
			e, _ := g.expr(r.t, r.alias)
			items = append(items, e)
		}
	}
	q := "SELECT "
	if len(items) == 0 || g.chance(10) {
		q += "COUNT(*)"
	} else {
		q += strings.Join(items, ", ")
	}
	q += " FROM " + from
	if g.chance(85) {
		cross = append(cross, g.conds(refs))
	}
	if len(cross) > 0 {
		q += " WHERE " + strings.Join(cross, " AND ")
	}
	if !strings.HasPrefix(q, "SELECT COUNT(*)") && g.chance(50) {
		q += " ORDER BY " + strings.Join(ids, ", ")
		g.opts.ordered = true
		if g.chance(50) {
			q += " LIMIT " + g.pick("1", "4", "2, 3")
		}
	}
	return q
}

// subquery puts a subquery, correlated or not, pinned or not, in the
// select list or the WHERE clause of a one-table SELECT, pinned or not.
func (g *gen) subquery() string {
	outer := ref{t: tables[g.n(len(tables))], alias: "o"}
	inner := ref{t: tables[g.n(len(tables))], alias: "s"}
	var where []string
	if g.chance(75) {
		where = append(where, g.pin(outer, nil))
	}
	// The subquery's own conditions: a correlation, a pin, a predicate.
	var sw []string
	switch g.n(5) {
	case 0, 1:
		sw = append(sw, inner.col(inner.t.key)+" = "+outer.col(outer.t.key))
	case 2:
		sw = append(sw, g.intCol(inner)+" = "+g.intCol(outer))
	}
	if g.chance(50) {
		sw = append(sw, g.pin(inner, []ref{outer}))
	}
	if g.chance(40) || len(sw) == 0 {
		sw = append(sw, g.pred(inner.t, inner.alias, 1))
	}
	sub := " FROM " + inner.t.name + " " + inner.alias + " WHERE " + strings.Join(sw, " AND ")
	items := []string{outer.col("id")}
	switch g.n(4) {
	case 0:
		a, _ := g.aggregate(inner.t)
		if strings.Contains(a, "(") && !strings.HasPrefix(a, "COUNT(*) +") {
			a = strings.Replace(a, "(", "("+inner.alias+".", 1)
			a = strings.Replace(a, "("+inner.alias+".*)", "(*)", 1)
			a = strings.Replace(a, "("+inner.alias+".DISTINCT ", "(DISTINCT "+inner.alias+".", 1)
		}
		items = append(items, "(SELECT "+a+sub+")")
	case 1:
		where = append(where, g.intCol(outer)+" IN (SELECT "+g.intCol(inner)+sub+")")
	case 2:
		where = append(where, g.pick("", "NOT ")+"EXISTS (SELECT 1"+sub+")")
	default:
		where = append(where, g.intCol(outer)+" "+g.pick("=", ">", "<")+" (SELECT "+g.pick("MAX", "MIN", "COUNT")+"("+g.intCol(inner)+")"+sub+")")
	}
	q := "SELECT " + strings.Join(items, ", ") + " FROM " + outer.t.name + " " + outer.alias
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	return q
}

// derived uses a derived table, a CTE or a UNION.
func (g *gen) derived() string {
	inner := ref{t: tables[g.n(len(tables))], alias: "s"}
	sub := "SELECT " + inner.col(inner.t.key) + " AS k, " + g.intCol(inner) + " AS v FROM " + inner.t.name + " " + inner.alias
	if g.chance(60) {
		sub += " WHERE " + g.conds([]ref{inner})
	}
	switch g.n(4) {
	case 0:
		return "SELECT COUNT(*), SUM(d.v) FROM (" + sub + ") d WHERE d." + g.pick("k", "v") + " = " + g.keyValue(inner.t)
	case 1:
		return "WITH d AS (" + sub + ") SELECT d.k, d.v FROM d WHERE d.k " + g.pick("=", ">") + " " + g.keyValue(inner.t)
	case 2:
		other := ref{t: tables[g.n(len(tables))], alias: "u"}
		return sub + " UNION " + g.pick("", "ALL ") + "SELECT " + other.col(other.t.key) + ", " + g.intCol(other) + " FROM " + other.t.name + " " + other.alias + " WHERE " + g.conds([]ref{other})
	}
	return "SELECT d.k FROM (" + sub + ") d JOIN " + inner.t.name + " x ON x." + inner.t.key + " = d.k WHERE x." + inner.t.key + " = " + g.keyValue(inner.t)
}

// TestDifferentialRandom runs -queries random statements (-seed) on four
// shards and on one server, and fails on any different answer. Refusals
// are allowed and counted; each must name its shape.
func TestDifferentialRandom(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	g := newGen(*flagSeed)
	type tally struct{ same, refused, invalid, differ, dataError int }
	byKind := map[string]*tally{}
	var total tally
	start := time.Now()
	failures := 0
	for i := 0; i < *flagQueries; i++ {
		q := g.next()
		v, detail := e.check(ctx, q, g.opts)
		k := byKind[g.kind]
		if k == nil {
			k = &tally{}
			byKind[g.kind] = k
		}
		switch v {
		case same:
			k.same++
			total.same++
		case refused:
			k.refused++
			total.refused++
		case invalid:
			k.invalid++
			total.invalid++
		case dataError:
			k.dataError++
			total.dataError++
		case differ:
			k.differ++
			total.differ++
			failures++
			t.Errorf("statement %d of seed %d (%+v): DIFFERENT RESULT: %s\n  %s", i, *flagSeed, g.opts, detail, q)
			if failures >= 20 {
				t.Fatalf("stopping after %d different results", failures)
			}
		}
		if (i+1)%10000 == 0 {
			t.Logf("%d statements, %d different (%.0f/s)", i+1, total.differ, float64(i+1)/time.Since(start).Seconds())
		}
	}
	for kind, k := range byKind {
		t.Logf("%-14s same %7d  refused %7d  invalid %6d  data error %4d  different %d", kind, k.same, k.refused, k.invalid, k.dataError, k.differ)
	}
	t.Logf("seed %d: %d statements in %v: %d same, %d refused, %d invalid, %d data errors, %d different",
		*flagSeed, *flagQueries, time.Since(start).Round(time.Second), total.same, total.refused, total.invalid, total.dataError, total.differ)
	if total.invalid > *flagQueries/5 {
		t.Errorf("%d of %d statements were invalid on the unsharded server: the generator is broken", total.invalid, *flagQueries)
	}
	if total.same < *flagQueries/3 {
		t.Errorf("only %d of %d statements ran and compared: the generator tests too little", total.same, *flagQueries)
	}
}
