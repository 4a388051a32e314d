package router

import (
	"math"
	"strconv"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// The router runs a statement on fewer than all shards only when it can
// prove that the rows the statement reads live there: Vitess's rule. The
// proof works on table references, not table names, so that two aliases of
// one table (a self-join) are two references, each of which must be pinned
// on its own.
//
// A reference is pinned when the conjuncts that every row it contributes
// must satisfy equate its shard key with literal values. Which conjuncts
// those are depends on where the reference sits:
//
//   - the WHERE conjuncts of its own SELECT bind every reference in it;
//   - the ON conjuncts of an inner join bind both sides;
//   - the ON conjuncts of a LEFT JOIN bind only its right side (the left
//     side's rows come back whether or not they match), and those of a
//     RIGHT JOIN only its left side;
//   - a subquery inherits the WHERE conjuncts of the SELECTs around it,
//     since its value matters only for rows that pass them;
//   - a derived table inherits nothing: its rows are computed before the
//     outer WHERE applies, and it may rename any column to the key's name.
//
// Only equalities count, and only columns whose owner is certain: a
// qualified column, or the shard key of the single table in a scope. An
// unprovable fact is dropped, which can only make the plan wider, never
// wrong.

// tableRef is one occurrence of a table in a statement.
type tableRef struct {
	name    string // base table, lower-cased; empty for a derived table or CTE
	alias   string // the name the statement refers to it by, as written
	derived bool   // a derived table, a CTE reference or a JSON_TABLE
	system  bool   // a table of another schema (information_schema, mysql…)
	rule    tableRule
	sharded bool
	// facts are the conjuncts (resolved) that every row of this reference
	// that reaches the result satisfies.
	facts []fact
	// pinned caches pin's answer once the analysis is complete.
	pinned   []any
	pinnedOK bool
}

// colID names one column of one table reference.
type colID struct {
	ref *tableRef
	col string
}

// fact is an equality: a = b between columns, or a = one of values.
type fact struct {
	a, b   colID
	values []any // nil for a column = column fact
	// arg is the placeholder of a column = placeholder fact.
	arg *sqlparser.Argument
}

// scope is one SELECT: its table references and the facts that hold for
// every row it produces.
type scope struct {
	parent *scope // the SELECT a correlated column may refer to
	refs   []*tableRef
	// where holds the resolved WHERE facts of this scope and every
	// enclosing one.
	where []fact
}

// analysis is every table reference of one statement, with the shapes the
// scatter merge cares about.
type analysis struct {
	refs       []*tableRef
	subqueries int // scalar, EXISTS and IN subqueries
	derived    int // derived tables and CTEs
	unions     int
	// keyTypesOf are the sharded tables whose key columns' types, not
	// read yet or not lately, decide whether a key pins them (see
	// Router.pinExact).
	keyTypesOf []string
	// pastDoubles is set when a key past 2^53 pinned or unpinned a
	// reference by its column's type.
	pastDoubles bool
	// unpinned names a table whose key past 2^53 its column's type left
	// unpinned, for a refusal's reason.
	unpinned string
}

// analyze finds every table reference of stmt and the facts that pin it.
func (r *Router) analyze(stmt sqlparser.Statement, args []any) *analysis {
	a := &analysis{}
	z := &analyzer{r: r, args: args, a: a, ctes: map[string]int{}}
	switch s := stmt.(type) {
	case sqlparser.TableStatement:
		z.tableStatement(s, nil)
	case *sqlparser.Update:
		z.with(s.With, func() {
			z.dml(s.TableExprs, s.Where, func(sc *scope) {
				for _, ue := range s.Exprs {
					z.subqueries(ue.Expr, sc)
				}
				z.subqueries(s.OrderBy, sc)
				z.subqueries(s.Limit, sc)
			})
		})
	case *sqlparser.Delete:
		z.with(s.With, func() {
			z.dml(s.TableExprs, s.Where, func(sc *scope) {
				z.subqueries(s.OrderBy, sc)
				z.subqueries(s.Limit, sc)
			})
		})
	case *sqlparser.Insert:
		z.subqueries(s, &scope{})
	}
	return a
}

type analyzer struct {
	r    *Router
	args []any
	a    *analysis
	ctes map[string]int // CTE names in scope, and how many times
}

// with analyzes the CTEs of w, then body, with the CTE names visible
// where SQL makes them visible: a CTE's own body sees the CTEs before it
// (and itself, if RECURSIVE); body sees them all; nothing outside does.
func (z *analyzer) with(w *sqlparser.With, body func()) {
	if w == nil {
		body()
		return
	}
	var added []string
	for _, cte := range w.CTEs {
		name := cte.ID.String()
		if w.Recursive {
			z.ctes[name]++
			added = append(added, name)
		}
		z.a.derived++
		z.tableStatement(cte.Subquery, nil)
		if !w.Recursive {
			z.ctes[name]++
			added = append(added, name)
		}
	}
	body()
	for _, name := range added {
		z.ctes[name]--
	}
}

func (z *analyzer) tableStatement(ts sqlparser.TableStatement, parent *scope) {
	switch s := ts.(type) {
	case *sqlparser.Select:
		z.selectScope(s, parent)
	case *sqlparser.Union:
		z.with(s.With, func() {
			z.a.unions++
			z.tableStatement(s.Left, parent)
			z.tableStatement(s.Right, parent)
			z.subqueries(s.OrderBy, parent)
			z.subqueries(s.Limit, parent)
		})
	}
}

// scopeOf makes the scope of one FROM clause and its WHERE: its
// references, with the facts that bind them, and the subqueries of its
// join conditions.
func (z *analyzer) scopeOf(from []sqlparser.TableExpr, where *sqlparser.Where, parent *scope) *scope {
	sc := &scope{parent: parent}
	var ons []onClause
	for _, te := range from {
		ons = append(ons, z.tableExpr(te, sc)...)
	}
	z.bind(sc, where, ons)
	for _, on := range ons {
		z.subqueries(on.expr, sc)
	}
	return sc
}

// dml analyzes the single scope of an UPDATE or DELETE.
func (z *analyzer) dml(from []sqlparser.TableExpr, where *sqlparser.Where, rest func(*scope)) {
	sc := z.scopeOf(from, where, nil)
	if where != nil {
		z.subqueries(where.Expr, sc)
	}
	rest(sc)
}

func (z *analyzer) selectScope(sel *sqlparser.Select, parent *scope) {
	z.with(sel.With, func() {
		sc := z.scopeOf(sel.From, sel.Where, parent)
		// Subqueries anywhere else in the SELECT (the select list, WHERE,
		// GROUP BY, HAVING, named windows, ORDER BY, LIMIT) see this
		// scope's facts: walk it all but FROM and WITH, done above.
		rest := *sel
		rest.From, rest.With = nil, nil
		z.subqueries(&rest, sc)
	})
}

// onClause is a join condition and the references it binds.
type onClause struct {
	expr  sqlparser.Expr
	binds []*tableRef
	using []sqlparser.IdentifierCI
	left  []*tableRef // for USING: the join's two sides
	right []*tableRef
}

// tableExpr adds the references of te to sc and returns its join
// conditions with the references each binds.
func (z *analyzer) tableExpr(te sqlparser.TableExpr, sc *scope) []onClause {
	switch t := te.(type) {
	case *sqlparser.AliasedTableExpr:
		ref := &tableRef{alias: t.As.String()}
		switch e := t.Expr.(type) {
		case sqlparser.TableName:
			name := strings.ToLower(e.Name.String())
			if ref.alias == "" {
				ref.alias = e.Name.String()
			}
			switch {
			case e.Qualifier.IsEmpty() && z.ctes[e.Name.String()] > 0:
				ref.derived = true
			case !e.Qualifier.IsEmpty() && !strings.EqualFold(e.Qualifier.String(), z.r.Topology().DatabaseName()):
				ref.system = true
				ref.name = name
			default:
				ref.name = name
				ref.rule, ref.sharded = z.r.vs.rule(name)
			}
		case *sqlparser.DerivedTable:
			ref.derived = true
			z.a.derived++
			var parent *scope
			if e.Lateral {
				parent = sc
			}
			z.tableStatement(e.Select, parent)
		}
		sc.refs = append(sc.refs, ref)
		z.a.refs = append(z.a.refs, ref)
		return nil
	case *sqlparser.JSONTableExpr:
		z.subqueries(t.Expr, sc)
		ref := &tableRef{alias: t.Alias.String(), derived: true}
		sc.refs = append(sc.refs, ref)
		z.a.refs = append(z.a.refs, ref)
		return nil
	case *sqlparser.ParenTableExpr:
		var ons []onClause
		for _, e := range t.Exprs {
			ons = append(ons, z.tableExpr(e, sc)...)
		}
		return ons
	case *sqlparser.JoinTableExpr:
		before := len(sc.refs)
		ons := z.tableExpr(t.LeftExpr, sc)
		mid := len(sc.refs)
		ons = append(ons, z.tableExpr(t.RightExpr, sc)...)
		left := append([]*tableRef(nil), sc.refs[before:mid]...)
		right := append([]*tableRef(nil), sc.refs[mid:]...)
		// The condition of an outer join binds only the side whose rows
		// it filters; an inner join's binds both.
		var binds []*tableRef
		switch t.Join {
		case sqlparser.LeftJoinType, sqlparser.NaturalLeftJoinType:
			binds = right
		case sqlparser.RightJoinType, sqlparser.NaturalRightJoinType:
			binds = left
		default:
			binds = append(append(binds, left...), right...)
		}
		if t.Condition != nil && (t.Condition.On != nil || len(t.Condition.Using) > 0) {
			ons = append(ons, onClause{expr: t.Condition.On, binds: binds, using: t.Condition.Using, left: left, right: right})
		}
		// Conditions inside a side bind only what they bound; an outer
		// join does not widen them.
		return ons
	}
	return nil
}

// bind resolves the WHERE and ON conjuncts of sc and gives every reference
// the facts that hold for its rows.
func (z *analyzer) bind(sc *scope, where *sqlparser.Where, ons []onClause) {
	if sc.parent != nil {
		sc.where = append(sc.where, sc.parent.where...)
	}
	if where != nil {
		for _, e := range splitAnd(where.Expr) {
			sc.where = append(sc.where, z.facts(e, sc)...)
		}
	}
	for _, ref := range sc.refs {
		ref.facts = append(ref.facts, sc.where...)
	}
	for _, on := range ons {
		var fs []fact
		if on.expr != nil {
			for _, e := range splitAnd(on.expr) {
				fs = append(fs, z.facts(e, sc)...)
			}
		}
		// USING (c) equates c of the two sides; only an unambiguous
		// one-table side can be named.
		if len(on.using) > 0 && len(on.left) == 1 && len(on.right) == 1 {
			for _, c := range on.using {
				col := strings.ToLower(c.String())
				fs = append(fs, fact{a: colID{on.left[0], col}, b: colID{on.right[0], col}})
			}
		}
		for _, ref := range on.binds {
			ref.facts = append(ref.facts, fs...)
		}
	}
}

// facts turns one conjunct into the equalities it states, if any.
func (z *analyzer) facts(e sqlparser.Expr, sc *scope) []fact {
	cmp, ok := e.(*sqlparser.ComparisonExpr)
	if !ok {
		return nil
	}
	switch cmp.Operator {
	case sqlparser.EqualOp:
		lc, lok := cmp.Left.(*sqlparser.ColName)
		rc, rok := cmp.Right.(*sqlparser.ColName)
		switch {
		case lok && rok:
			a, ok1 := z.resolve(lc, sc)
			b, ok2 := z.resolve(rc, sc)
			if ok1 && ok2 {
				return []fact{{a: a, b: b}}
			}
		case lok || rok:
			col, other := lc, cmp.Right
			if !lok {
				col, other = rc, cmp.Left
			}
			id, ok := z.resolve(col, sc)
			if !ok {
				return nil
			}
			if v, ok := keyValue(other, z.args); ok {
				arg, _ := other.(*sqlparser.Argument)
				return []fact{{a: id, values: []any{v}, arg: arg}}
			}
		}
	case sqlparser.InOp:
		col, ok := cmp.Left.(*sqlparser.ColName)
		tuple, ok2 := cmp.Right.(sqlparser.ValTuple)
		if !ok || !ok2 {
			return nil
		}
		id, ok := z.resolve(col, sc)
		if !ok {
			return nil
		}
		list := make([]any, 0, len(tuple))
		for _, item := range tuple {
			v, ok := keyValue(item, z.args)
			if !ok {
				return nil
			}
			list = append(list, v)
		}
		return []fact{{a: id, values: list}}
	}
	return nil
}

// resolve finds the reference a column belongs to: by its qualifier, in
// this scope or an enclosing one; unqualified, only the shard key of the
// one table of its scope, which that table certainly has.
func (z *analyzer) resolve(c *sqlparser.ColName, sc *scope) (colID, bool) {
	col := strings.ToLower(c.Name.String())
	if c.Qualifier.IsEmpty() {
		if len(sc.refs) == 1 && sc.refs[0].sharded && sc.refs[0].rule.Column == col {
			return colID{sc.refs[0], col}, true
		}
		return colID{}, false
	}
	// Table aliases are case-sensitive (as on every Unix server); where
	// the server is not, an unmatched qualifier only drops a fact.
	q := c.Qualifier.Name.String()
	for s := sc; s != nil; s = s.parent {
		var found *tableRef
		for _, ref := range s.refs {
			if ref.alias == q {
				if found != nil {
					return colID{}, false
				}
				found = ref
			}
		}
		if found != nil {
			return colID{found, col}, true
		}
	}
	return colID{}, false
}

// subqueries analyzes every subquery in n that is not inside another
// subquery, with sc as its enclosing scope.
func (z *analyzer) subqueries(n sqlparser.SQLNode, sc *scope) {
	if n == nil {
		return
	}
	_ = sqlparser.Walk(func(node sqlparser.SQLNode) (bool, error) {
		if sq, ok := node.(*sqlparser.Subquery); ok {
			z.a.subqueries++
			z.tableStatement(sq.Select, sc)
			return false, nil
		}
		return true, nil
	}, n)
}

// pin returns the values a reference's shard key is pinned to, or nil.
// Call it only once the analysis is complete: the answer is kept.
func (ref *tableRef) pin() []any {
	if !ref.sharded {
		return nil
	}
	if !ref.pinnedOK {
		ref.pinned, ref.pinnedOK = ref.findPin(), true
	}
	return ref.pinned
}

func (ref *tableRef) findPin() []any {
	parent := map[colID]colID{}
	var find func(colID) colID
	find = func(x colID) colID {
		if p, ok := parent[x]; ok && p != x {
			root := find(p)
			parent[x] = root
			return root
		}
		return x
	}
	for _, f := range ref.facts {
		if f.values == nil {
			parent[find(f.a)] = find(f.b)
		}
	}
	key := find(colID{ref, ref.rule.Column})
	var best []any
	for _, f := range ref.facts {
		if f.values != nil && find(f.a) == key && (best == nil || len(f.values) < len(best)) {
			best = f.values
		}
	}
	return best
}

// keyValue is the shard-key value a literal or placeholder stands for, as
// MySQL compares it with an integer column. A string converts through its
// numeric prefix ('5abc' equals 5). ok is false when no single integer is
// certain (NULL, a non-integral or out-of-range number, an expression):
// the statement then cannot be pinned by this equality.
func keyValue(e sqlparser.Expr, args []any) (any, bool) {
	v, isVal, err := exprValue(e, args)
	if err != nil || !isVal || v == nil {
		return nil, false
	}
	if intLiteral(e, args) {
		// Integers compare as integers; one beyond 64 bits as a decimal
		// that no key equals.
		val := v.(string)
		if _, err := strconv.ParseUint(val, 10, 64); err != nil {
			if _, err := strconv.ParseInt(val, 10, 64); err != nil {
				return nil, false
			}
		}
		return val, true
	}
	var s string
	switch x := v.(type) {
	case bool:
		if x {
			return "1", true
		}
		return "0", true
	case string:
		s = x
	case []byte:
		s = string(x)
	case float32:
		return floatKeyValue(float64(x))
	case float64:
		// A DOUBLE parameter (Node.js's mysql2 sends every number as
		// one) compares with an integer column as doubles, as a string
		// does below.
		return floatKeyValue(x)
	default:
		return v, true
	}
	// MySQL compares an integer column with a string as doubles: the
	// string's longest numeric prefix, after leading spaces. Above 2^53
	// several integers share one double, and may live on several shards.
	if i, err := strconv.ParseInt(s, 10, 64); err == nil && !beyondDoubles(i) {
		return strconv.FormatInt(i, 10), true // '+7' is 7
	}
	f, ok := numericPrefix(s)
	if !ok {
		return nil, false
	}
	return floatKeyValue(f)
}

// floatKeyValue is keyValue of a DOUBLE: the integer it equals, below
// 2^53, where one double names one integer.
func floatKeyValue(f float64) (any, bool) {
	if f != math.Trunc(f) || math.Abs(f) >= 1<<53 {
		return nil, false
	}
	return strconv.FormatInt(int64(f), 10), true
}

// numericPrefix parses the longest prefix of s that MySQL reads as a
// number: spaces, a sign, digits, a fraction and an exponent.
//
// ok is false when s has no digits after its spaces and sign: MySQL reads
// that as 0, but which characters it skips as spaces depends on the
// character set, so the router does not guess.
func numericPrefix(s string) (float64, bool) {
	s = strings.TrimLeft(s, " ")
	end := 0
	if end < len(s) && (s[end] == '+' || s[end] == '-') {
		end++
	}
	digits := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
		digits++
	}
	if end < len(s) && s[end] == '.' {
		end++
		for end < len(s) && s[end] >= '0' && s[end] <= '9' {
			end++
			digits++
		}
	}
	if digits == 0 {
		return 0, false
	}
	if end < len(s) && (s[end] == 'e' || s[end] == 'E') {
		exp := end + 1
		if exp < len(s) && (s[exp] == '+' || s[exp] == '-') {
			exp++
		}
		if exp < len(s) && s[exp] >= '0' && s[exp] <= '9' {
			end = exp
			for end < len(s) && s[end] >= '0' && s[end] <= '9' {
				end++
			}
		}
	}
	f, err := strconv.ParseFloat(s[:end], 64)
	if err != nil {
		return 0, false
	}
	return f, true
}
