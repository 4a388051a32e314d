package router

import (
	"fmt"
	"github.com/scalelab/scalelab/internal/sqltext"
	"math"
	"strconv"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// aggKind is an aggregate the router can combine across shards.
type aggKind int

const (
	aggNone aggKind = iota
	aggCount
	aggSum
	aggMin
	aggMax
	aggAvg // shards also return SUM and COUNT in hidden columns
	aggBitAnd
	aggBitOr
	aggBitXor
)

var aggNames = [...]string{"", "COUNT", "SUM", "MIN", "MAX", "AVG", "BIT_AND", "BIT_OR", "BIT_XOR"}

// outCol is one select-list column of the shard query: visible, or hidden
// (added for the merge and cut before the client sees the row).
type outCol struct {
	agg aggKind
	// sum and count are, for AVG, the hidden columns with SUM and COUNT;
	// typ, for AVG and for SUM of a column, one whose type is the
	// argument's (MIN of it), 0 when there is none (hidden columns follow
	// the visible ones).
	sum, count, typ int
	// overflow is, for SUM, the hidden column of its overflowFlag, 0
	// for none.
	overflow int
	// weight is the hidden column with the sort key of this column's
	// value (see sortKeyExprs), or -1; pad the one that says how the
	// collation pads.
	weight, pad int
	// computed is true when the value may hold more than it prints (see
	// mayHoldMore).
	computed bool
	// inexact is true for a SUM or AVG whose argument may hold more
	// than it prints (see exactDouble).
	inexact bool
}

// sortCol is a column the merge compares: an ORDER BY term or a GROUP BY
// key. Columns are select-list positions (see mergeSpec.at).
type sortCol struct {
	col         int
	weight, pad int // its sort-key columns, or -1
	desc        bool
	// whole is set on a group of a computed value that the server
	// compares whole, not as it prints it: under SQL_BIG_RESULT MariaDB
	// groups by sorting and compares each row's value, a quotient's
	// hidden digits included, where a temporary table keeps the rounded
	// value that the shards send.
	whole bool
}

// mergeSpec is how the router combines per-shard results into one.
type mergeSpec struct {
	// lean, on the spec of a plan's lean variant, is that variant; sibling,
	// on the full spec, is the plan's lean variant if it has one.
	lean, sibling *leanPlan
	// built, on a lean spec, is the need each term was planned for.
	built map[string]keyNeed
	// terms holds the text of each column's expression ("" for *), by
	// which a full run tells the lean plan what each term needs.
	terms   []string
	cols    []outCol // visible select expressions, then hidden ones
	visible int      // how many of cols are visible
	star    int      // the position of the one *, or -1
	aggs    bool
	groupBy []sortCol
	order   []sortCol
	limit   uint64 // meaningful when hasLimit
	offset  uint64
	// hasLimit is false when the statement has no LIMIT.
	hasLimit  bool
	pushLimit bool
}

// maxLimit is MySQL's largest LIMIT, "all rows".
const maxLimit = math.MaxUint64

// aggOf returns the kind of a top-level aggregate, aggNone for anything
// else, or a refusal for an aggregate the router cannot combine exactly.
func aggOf(e sqlparser.Expr) (aggKind, error) {
	af, ok := e.(sqlparser.AggrFunc)
	if !ok {
		return aggNone, nil
	}
	distinct := false
	var k aggKind
	switch a := e.(type) {
	case *sqlparser.CountStar:
		k = aggCount
	case *sqlparser.Count:
		k, distinct = aggCount, a.Distinct
	case *sqlparser.Sum:
		k, distinct = aggSum, a.Distinct
	case *sqlparser.Avg:
		k, distinct = aggAvg, a.Distinct
	case *sqlparser.Min:
		k = aggMin // MIN(DISTINCT x) is MIN(x)
	case *sqlparser.Max:
		k = aggMax
	case *sqlparser.BitAnd:
		k = aggBitAnd
	case *sqlparser.BitOr:
		k = aggBitOr
	case *sqlparser.BitXor:
		k = aggBitXor
	default:
		return aggNone, unsupported("aggregate "+strings.ToUpper(af.AggrName())+" across shards",
			"only COUNT, SUM, MIN, MAX, AVG, BIT_AND, BIT_OR and BIT_XOR combine exactly from per-shard results; pin the query to one shard with its key")
	}
	if distinct {
		return aggNone, unsupported("DISTINCT aggregate "+sqlparser.String(e)+" across shards", "a shard's distinct values may repeat on another shard")
	}
	if (k == aggSum || k == aggAvg) && hasDivision(af.GetArg()) {
		return aggNone, unsupported(aggNames[k]+" over a division "+sqlparser.String(e)+" across shards",
			"MySQL carries more digits of a quotient than it shows, so per-shard partial sums would round differently")
	}
	return k, nil
}

func hasDivision(e sqlparser.Expr) bool {
	return anyNode(e, func(n sqlparser.SQLNode) bool {
		b, ok := n.(*sqlparser.BinaryExpr)
		return ok && b.Operator == sqlparser.DivOp
	})
}

func containsAggregate(e sqlparser.SQLNode) bool {
	return anyNode(e, func(n sqlparser.SQLNode) bool {
		_, ok := n.(sqlparser.AggrFunc)
		return ok
	})
}

// windowed finds a window function anywhere in the statement.
func windowed(sel *sqlparser.Select) string {
	name := ""
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch x := n.(type) {
		case *sqlparser.OverClause, *sqlparser.WindowDefinition:
			if name == "" {
				name = "OVER"
			}
		case sqlparser.Expr:
			if name == "" && windowFunc(x) {
				name = sqlparser.String(x)
			}
		}
		return name == "", nil
	}, sel)
	return name
}

// sequential finds a function whose value depends on how many rows the
// server read before this one: MariaDB's ROWNUM(), and RAND with a seed,
// whose sequence restarts with each statement (unseeded, RAND draws
// anything anyway).
func sequential(sel sqlparser.SQLNode) string {
	name := ""
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if f, ok := n.(*sqlparser.FuncExpr); ok && name == "" {
			switch f.Name.Lowered() {
			case "rownum":
				name = sqlparser.String(f)
			case "rand":
				if len(f.Exprs) > 0 {
					name = sqlparser.String(f)
				}
			}
		}
		return name == "", nil
	}, sel)
	return name
}

func windowFunc(e sqlparser.Expr) bool {
	switch x := e.(type) {
	case *sqlparser.ArgumentLessWindowExpr, *sqlparser.FirstOrLastValueExpr, *sqlparser.NtileExpr,
		*sqlparser.NTHValueExpr, *sqlparser.LagLeadExpr:
		return true
	case sqlparser.WindowFunc:
		return x.GetOverClause() != nil
	}
	return false
}

// mergePlanner builds a mergeSpec and the shard query's select list.
type mergePlanner struct {
	spec    *mergeSpec
	exprs   []sqlparser.Expr // select-list expressions by position; nil for *
	hidden  []sqlparser.SelectExpr
	sortKey sortKeyFunc
}

// add appends a hidden select expression and returns its position.
func (m *mergePlanner) add(e sqlparser.Expr, c outCol) int {
	c.computed = mayHoldMore(e)
	m.hidden = append(m.hidden, &sqlparser.AliasedExpr{Expr: e})
	m.exprs = append(m.exprs, e)
	m.spec.cols = append(m.spec.cols, c)
	return len(m.exprs) - 1
}

// mayHoldMore says whether the value of e may be finer than the server
// prints it. Date and time arithmetic with an INTERVAL (`dt + INTERVAL x
// SECOND`, DATE_ADD, DATE_SUB, TIMESTAMPADD) keeps every microsecond of a
// fractional x, while the result's decimals follow x's: 1/3 of a second is
// kept as .333333 and printed .3333, and the server orders and groups by
// the microseconds. Functions that build a time (SEC_TO_TIME, ADDTIME,
// MAKETIME, TIME) round to their decimals, and a CAST holds what it prints;
// an expression that passes an INTERVAL's result through them is still
// counted, to be safe.
func mayHoldMore(e sqlparser.Expr) bool {
	switch e.(type) {
	case *sqlparser.CastExpr, *sqlparser.ConvertExpr:
		return false
	}
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if _, ok := n.(*sqlparser.IntervalDateExpr); ok {
			found = true
		}
		return !found, nil
	}, e)
	return found
}

// exactDouble says whether e, if it is a DOUBLE printed with fixed
// decimals, holds no more than it prints: a column (a DOUBLE(M,D) is stored
// rounded), a literal, a CAST, or ROUND or TRUNCATE to those decimals. A
// product such as id * PI() is printed with PI()'s 6 decimals but holds
// every digit, and the server sums whole values where each shard would
// send its sum rounded.
func exactDouble(e sqlparser.Expr) bool {
	switch x := e.(type) {
	case *sqlparser.ColName, *sqlparser.Literal, *sqlparser.NullVal, sqlparser.BoolVal,
		*sqlparser.CastExpr, *sqlparser.ConvertExpr:
		return true
	case *sqlparser.FuncExpr:
		name := x.Name.Lowered()
		return name == "round" || name == "truncate"
	}
	return false
}

// overflowFlag is a shard query's hidden column for a SUM: the sum of
// its argument's absolute values, capped at the largest DOUBLE. Summed
// over the shards, it bounds every partial sum the server may have met,
// in whatever order it added the rows: a DOUBLE sum whose bound passes
// the type's range may have overflowed on the server (whose answer then
// hangs on that order) or on a shard (which sends an infinite sum as 0).
func overflowFlag(sum *sqlparser.Sum) sqlparser.Expr {
	// (+ 0e0: ABS of the smallest BIGINT is out of BIGINT's range.)
	double := &sqlparser.BinaryExpr{Operator: sqlparser.PlusOp, Left: sum.Arg, Right: sqlparser.NewFloatLiteral("0e0")}
	abs := &sqlparser.FuncExpr{Name: sqlparser.NewIdentifierCI("abs"), Exprs: []sqlparser.Expr{double}}
	return &sqlparser.FuncExpr{Name: sqlparser.NewIdentifierCI("least"), Exprs: []sqlparser.Expr{&sqlparser.Sum{Arg: abs}, sqlparser.NewFloatLiteral(maxDoubleText)}}
}

// maxDoubleText is the largest DOUBLE.
const maxDoubleText = "1.7976931348623157e308"

// column describes an expression as an output column, adding the hidden
// columns its merge needs (SUM and COUNT for AVG, the sort key for MIN
// and MAX).
func (m *mergePlanner) column(e sqlparser.Expr) (outCol, error) {
	k, err := aggOf(e)
	if err != nil {
		return outCol{}, err
	}
	if k == aggNone && containsAggregate(e) {
		return outCol{}, unsupported("expression over an aggregate "+sqlparser.String(e)+" across shards", "select the aggregate alone and compute in the application")
	}
	c := outCol{agg: k, weight: -1, pad: -1, computed: mayHoldMore(e)}
	switch k {
	case aggSum:
		sum := e.(*sqlparser.Sum)
		arg := sum.Arg
		c.overflow = m.add(overflowFlag(sum), outCol{weight: -1, pad: -1})
		c.inexact = !exactDouble(arg)
		if !c.inexact {
			// A FLOAT column holds more than it prints: checkKinds asks
			// the argument's type.
			c.typ = m.add(&sqlparser.Min{Arg: arg}, outCol{weight: -1, pad: -1})
		}
	case aggAvg:
		arg := e.(*sqlparser.Avg).Arg
		c.inexact = !exactDouble(arg)
		sum := &sqlparser.Sum{Arg: arg}
		c.sum = m.add(sum, outCol{agg: aggSum, weight: -1, pad: -1, overflow: m.add(overflowFlag(sum), outCol{weight: -1, pad: -1})})
		c.count = m.add(&sqlparser.Count{Args: []sqlparser.Expr{arg}}, outCol{agg: aggCount, weight: -1, pad: -1})
		c.typ = m.add(&sqlparser.Min{Arg: arg}, outCol{weight: -1, pad: -1})
	case aggMin, aggMax:
		w, pad, err := m.sortKey(e)
		if err != nil {
			return c, err
		}
		if w == nil {
			break // no key: the lean plan's number or time (see leanPlan)
		}
		// The sort key travels with the value: the merge keeps the winner's.
		c.weight = m.add(w, outCol{weight: -1, pad: -1})
		c.pad = m.add(pad, outCol{weight: -1, pad: -1})
	}
	if k != aggNone {
		m.spec.aggs = true
	}
	return c, nil
}

// sortCol returns the sort column of position i, adding its sort-key
// columns if needed; none for aggregates whose value is a number.
func (m *mergePlanner) sortCol(i int, desc bool) (sortCol, error) {
	c := m.spec.cols[i]
	sc := sortCol{col: i, weight: c.weight, pad: c.pad, desc: desc}
	if c.weight >= 0 || c.agg != aggNone || m.exprs[i] == nil {
		return sc, nil
	}
	if lit, ok := m.exprs[i].(*sqlparser.Literal); ok && lit.Type != sqlparser.StrVal {
		return sc, nil
	}
	w, pad, err := m.sortKey(m.exprs[i])
	if err != nil || w == nil {
		return sc, err // no key: the lean plan's number or time (see leanPlan)
	}
	sc.weight = m.add(w, outCol{weight: -1, pad: -1})
	sc.pad = m.add(pad, outCol{weight: -1, pad: -1})
	m.spec.cols[i].weight, m.spec.cols[i].pad = sc.weight, sc.pad
	return sc, nil
}

// visibleMatch finds e among the visible select expressions: by position
// (ORDER BY 2), by alias when aliases count, or as an equal expression.
func (m *mergePlanner) visibleMatch(e sqlparser.Expr, sel *sqlparser.Select, byAlias bool) (int, error) {
	if b, ok := e.(sqlparser.BoolVal); ok {
		// TRUE and FALSE are 1 and 0: ORDER BY TRUE is ORDER BY 1.
		lit := "0"
		if b {
			lit = "1"
		}
		e = sqlparser.NewIntLiteral(lit)
	}
	if lit, ok := e.(*sqlparser.Literal); ok && lit.Type == sqlparser.IntVal {
		n, err := strconv.Atoi(lit.Val)
		if err != nil || n < 1 || n > m.spec.visible {
			return -1, unsupported("position "+lit.Val+" that is not a select-list column", "")
		}
		if m.spec.star >= 0 {
			return -1, unsupported("a column position with SELECT * across shards", "name the column")
		}
		return n - 1, nil
	}
	exprs := sel.SelectExprs.Exprs
	if col, ok := e.(*sqlparser.ColName); ok && byAlias && col.Qualifier.IsEmpty() {
		if i := aliasIndex(col.Name.String(), exprs); i >= 0 {
			return i, nil
		}
	}
	for i, se := range exprs {
		if ae, ok := se.(*sqlparser.AliasedExpr); ok && sqlparser.Equals.Expr(ae.Expr, e) {
			return i, nil
		}
	}
	if byAlias {
		// MariaDB matches an ORDER BY term to a select-list item that
		// differs only in the precision of a temporal or DECIMAL cast,
		// and sorts by that item: ORDER BY CAST(dt AS DATETIME) next to
		// SELECT CAST(dt AS DATETIME(3)) sorts by the milliseconds.
		loose := withoutCastPrecision(e)
		for i, se := range exprs {
			if ae, ok := se.(*sqlparser.AliasedExpr); ok && sqlparser.Equals.Expr(withoutCastPrecision(ae.Expr), loose) {
				return i, nil
			}
		}
	}
	return -1, nil
}

// aliasOf returns the expression a select alias names, or nil. Column
// aliases are case-insensitive.
func aliasOf(name string, exprs []sqlparser.SelectExpr) sqlparser.Expr {
	if i := aliasIndex(name, exprs); i >= 0 {
		return exprs[i].(*sqlparser.AliasedExpr).Expr
	}
	return nil
}

// aliasIndex is the position of the select expression aliased name, or -1.
func aliasIndex(name string, exprs []sqlparser.SelectExpr) int {
	for i, se := range exprs {
		// The server drops an alias's leading spaces (warning 1466).
		if ae, ok := se.(*sqlparser.AliasedExpr); ok && !ae.As.IsEmpty() && strings.EqualFold(strings.TrimLeft(ae.As.String(), " "), name) {
			return i
		}
	}
	return -1
}

// aliasIn returns an unqualified name in e that is also a select alias,
// or "".
func aliasIn(e sqlparser.Expr, exprs []sqlparser.SelectExpr) string {
	found := ""
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		col, ok := n.(*sqlparser.ColName)
		if !ok || !col.Qualifier.IsEmpty() {
			return true, nil
		}
		// An alias of the column of the same name means one thing.
		if a := aliasOf(col.Name.String(), exprs); a != nil {
			if same, ok := a.(*sqlparser.ColName); !ok || !same.Name.Equal(col.Name) {
				found = col.Name.String()
			}
		}
		return found == "", nil
	}, e)
	return found
}

// asResolved returns a copy of e with each unqualified name in it that is
// also a select alias (other than a column's alias of its own name)
// written as a subquery of it alone, (SELECT name FROM dual). In the select list,
// where the shards compute a hidden column, a name is only a table's
// column; in a subquery there it is the table's column when the table
// has one, and the select alias when not: as a GROUP BY resolves a name,
// and an ORDER BY a name inside an expression. So each shard's hidden
// column holds what the shard grouped or ordered by, whichever the name
// is, which the router cannot tell without the table's columns.
func asResolved(e sqlparser.Expr, exprs []sqlparser.SelectExpr) sqlparser.Expr {
	out := sqlparser.Rewrite(sqlparser.CloneExpr(e), func(c *sqlparser.Cursor) bool {
		switch n := c.Node().(type) {
		case *sqlparser.Subquery:
			return false // its names are resolved in its own scope
		case *sqlparser.ColName:
			if !n.Qualifier.IsEmpty() || aliasIn(n, exprs) == "" {
				return true
			}
			one := &sqlparser.SelectExprs{Exprs: []sqlparser.SelectExpr{&sqlparser.AliasedExpr{Expr: n}}}
			dual := []sqlparser.TableExpr{&sqlparser.AliasedTableExpr{Expr: sqlparser.NewTableName("dual")}}
			c.Replace(&sqlparser.Subquery{Select: &sqlparser.Select{SelectExprs: one, From: dual}})
			return false
		}
		return true
	}, nil)
	return out.(sqlparser.Expr)
}

// withoutCastPrecision returns a copy of e with the length and scale of
// its DATETIME, TIME, TIMESTAMP and DECIMAL casts removed.
func withoutCastPrecision(e sqlparser.Expr) sqlparser.Expr {
	out := sqlparser.CloneExpr(e)
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if ct, ok := n.(*sqlparser.ConvertType); ok {
			switch strings.ToLower(ct.Type) {
			case "datetime", "time", "timestamp", "decimal":
				ct.Length, ct.Scale = nil, nil
			}
		}
		return true, nil
	}, out)
	return out
}

// planMerge checks that a scattered SELECT (arguments bound) has a shape
// the router can merge exactly, and returns the merge spec and the
// statement to send to the shards: LIMIT pushed down as count+offset, and
// hidden columns for the merge (the sort keys of text, SUM and COUNT for
// AVG, ORDER BY terms that are not selected).
func planMerge(sel *sqlparser.Select, sortKey sortKeyFunc) (*mergeSpec, sqlparser.Statement, error) {
	switch {
	case sel.Having != nil:
		return nil, nil, unsupported("HAVING across shards", "filter the grouped rows in the application")
	case sel.Into != nil:
		return nil, nil, unsupported("SELECT … INTO across shards", "")
	case sel.GroupBy != nil && sel.GroupBy.WithRollup:
		return nil, nil, unsupported("GROUP BY … WITH ROLLUP across shards", "")
	case sel.SQLCalcFoundRows:
		return nil, nil, unsupported("SQL_CALC_FOUND_ROWS across shards", "FOUND_ROWS() would count one shard; run a COUNT(*) instead")
	}
	if w := windowed(sel); w != "" {
		return nil, nil, unsupported("window function "+w+" across shards", "each shard would number and rank only its own rows")
	}
	if f := sequential(sel); f != "" {
		return nil, nil, unsupported(f+" across shards", "its value depends on the row's place among all the rows one server reads, and each shard would start over")
	}
	out := sqlparser.CloneRefOfSelect(sel)
	spec := &mergeSpec{star: -1}
	m := &mergePlanner{spec: spec, sortKey: sortKey}
	exprs := out.SelectExprs.Exprs
	spec.visible = len(exprs)
	// Visible columns come first, so hidden ones are added after them.
	m.exprs = make([]sqlparser.Expr, len(exprs))
	spec.cols = make([]outCol, len(exprs))
	for i, se := range exprs {
		switch x := se.(type) {
		case *sqlparser.StarExpr:
			if spec.star >= 0 {
				return nil, nil, unsupported("more than one * across shards", "name the columns")
			}
			spec.star = i
			spec.cols[i] = outCol{weight: -1, pad: -1}
		case *sqlparser.AliasedExpr:
			m.exprs[i] = x.Expr
			c, err := m.column(x.Expr)
			if err != nil {
				return nil, nil, err
			}
			spec.cols[i] = c
		default:
			return nil, nil, unsupported("select expression "+sqlparser.String(se)+" across shards", "")
		}
	}
	if spec.star >= 0 && spec.aggs {
		return nil, nil, unsupported("SELECT * with aggregates across shards", "")
	}
	// aliased are the expressions of the select aliases that GROUP BY
	// names (see asResolved).
	var groupExprs, aliased []sqlparser.Expr
	if sel.Distinct {
		// SELECT DISTINCT a, b is GROUP BY a, b: each shard removes its own
		// duplicates, the router those between shards.
		switch {
		case spec.star >= 0:
			return nil, nil, unsupported("SELECT DISTINCT * across shards", "name the columns")
		case spec.aggs || sel.GroupBy != nil:
			return nil, nil, unsupported("SELECT DISTINCT with aggregates or GROUP BY across shards", "")
		}
		spec.aggs = true
		for i := 0; i < spec.visible; i++ {
			groupExprs = append(groupExprs, m.exprs[i])
			spec.groupBy = append(spec.groupBy, sortCol{col: i})
		}
	}
	if sel.GroupBy != nil {
		for _, g := range sel.GroupBy.Exprs {
			// GROUP BY looks at the table's columns before select aliases,
			// so only an equal expression or a position matches here;
			// anything else is computed by the shards in a hidden column.
			i, err := m.visibleMatch(g, sel, false)
			if err != nil {
				return nil, nil, err
			}
			if i < 0 {
				if containsAggregate(g) {
					return nil, nil, unsupported("GROUP BY an aggregate", "")
				}
				if col, ok := g.(*sqlparser.ColName); ok && col.Qualifier.IsEmpty() {
					if a := aliasOf(col.Name.String(), exprs); a != nil {
						// A table's column of the name, or else the alias:
						// each shard groups by whichever it is, and the
						// hidden column resolves the name as it does
						// (asResolved). The alias's own column is then
						// grouped, or (under a column of the name) any
						// row's value, as on one server.
						aliased = append(aliased, a)
						g = asResolved(g, exprs)
					}
				}
				i = m.add(g, outCol{weight: -1, pad: -1})
			} else if spec.cols[i].agg != aggNone {
				return nil, nil, unsupported("GROUP BY an aggregate", "")
			}
			groupExprs = append(groupExprs, m.exprs[i])
			spec.groupBy = append(spec.groupBy, sortCol{col: i})
		}
		spec.aggs = true
	}
	for i, a := range groupExprs {
		for _, b := range groupExprs[:i] {
			if !sqlparser.Equals.Expr(a, b) && sqlparser.Equals.Expr(withoutCastPrecision(a), withoutCastPrecision(b)) {
				// MariaDB takes them for one expression and groups by the
				// first alone; the other's value is any row's.
				return nil, nil, unsupported("GROUP BY "+sqlparser.String(b)+" and "+sqlparser.String(a)+", which differ only in a cast's precision, across shards", "group by one of them")
			}
		}
	}
	for i := range spec.groupBy {
		g, err := m.sortCol(spec.groupBy[i].col, false)
		if err != nil {
			return nil, nil, err
		}
		g.whole = sel.SQLBigResult && !exactDouble(groupExprs[i])
		spec.groupBy[i] = g
	}
	grouped := func(e sqlparser.Expr) bool {
		for _, g := range append(groupExprs, aliased...) {
			if sqlparser.Equals.Expr(g, e) {
				return true
			}
		}
		return false
	}
	if spec.aggs {
		for i := 0; i < spec.visible; i++ {
			if spec.cols[i].agg == aggNone && !grouped(m.exprs[i]) {
				return nil, nil, unsupported("column "+sqlparser.String(exprs[i])+" that is neither grouped nor aggregated, across shards",
					"each shard would pick its own value for the group")
			}
		}
	}
	for k, o := range sel.OrderBy {
		if _, ok := o.Expr.(*sqlparser.NullVal); ok {
			continue // ORDER BY NULL: no order
		}
		for _, prev := range sel.OrderBy[:k] {
			if !sqlparser.Equals.Expr(prev.Expr, o.Expr) && sqlparser.Equals.Expr(withoutCastPrecision(prev.Expr), withoutCastPrecision(o.Expr)) {
				// MariaDB takes them for one term and drops the second.
				return nil, nil, unsupported("ORDER BY "+sqlparser.String(prev.Expr)+" and "+sqlparser.String(o.Expr)+", which differ only in a cast's precision, across shards", "order by one of them")
			}
		}
		i, err := m.visibleMatch(o.Expr, sel, true)
		if err != nil {
			return nil, nil, err
		}
		if i < 0 {
			switch {
			case sel.Distinct:
				return nil, nil, unsupported("SELECT DISTINCT ordered by "+sqlparser.String(o.Expr)+", which is not selected, across shards", "select it")
			case spec.aggs && !containsAggregate(o.Expr) && !grouped(o.Expr):
				return nil, nil, unsupported("ORDER BY "+sqlparser.String(o.Expr)+", neither grouped nor aggregated, across shards", "")
			case !spec.aggs && containsAggregate(o.Expr):
				return nil, nil, unsupported("ORDER BY an aggregate in a query without GROUP BY across shards", "")
			}
			// The shards compute the term in a hidden column. Inside an
			// ORDER BY expression a name is a table column first and an
			// alias only if the table has no such column, as the hidden
			// column resolves it (asResolved). Of an aggregate's alias,
			// the term would be each shard's and not the merged value.
			e := o.Expr
			if a := aliasIn(e, exprs); a != "" {
				if spec.aggs {
					return nil, nil, unsupported("ORDER BY expression "+sqlparser.String(e)+" naming "+a+", a select alias or a column, in a grouped query across shards",
						"write the expression out")
				}
				e = asResolved(e, exprs)
			}
			c, err := m.column(e)
			if err != nil {
				return nil, nil, err
			}
			i = m.add(e, c)
		}
		sc, err := m.sortCol(i, o.Direction == sqlparser.DescOrder)
		if err != nil {
			return nil, nil, err
		}
		spec.order = append(spec.order, sc)
	}
	visible := append([]sqlparser.SelectExpr{}, exprs...)
	out.SelectExprs = &sqlparser.SelectExprs{Exprs: append(visible, m.hidden...)}
	spec.terms = make([]string, len(m.exprs))
	for i, e := range m.exprs {
		if e != nil {
			spec.terms[i] = sqlparser.String(e)
		}
	}
	if sel.Limit != nil {
		n, err := limitValue(sel.Limit.Rowcount)
		if err != nil {
			return nil, nil, err
		}
		var off uint64
		if sel.Limit.Offset != nil {
			if off, err = limitValue(sel.Limit.Offset); err != nil {
				return nil, nil, err
			}
		}
		spec.hasLimit, spec.limit, spec.offset = true, n, off
		if spec.aggs {
			out.Limit = nil // groups are complete only after merging
		} else {
			// Each shard returns its first count+offset rows; the router
			// skips offset rows of the merged stream.
			push := n + off
			if push < n {
				push = maxLimit
			}
			out.Limit = &sqlparser.Limit{Rowcount: sqlparser.NewIntLiteral(strconv.FormatUint(push, 10))}
			spec.pushLimit = true
		}
	}
	if spec.aggs {
		out.OrderBy = nil // the router orders the merged groups
	}
	return spec, out, nil
}

// sortKeys reports whether the shards compute sort keys for the merge.
func (m *mergeSpec) sortKeys() bool {
	for _, c := range m.cols {
		if c.weight >= 0 {
			return true
		}
	}
	return false
}

// fewerKeys reports whether a lean spec built from needs asks for fewer
// sort keys than the full one did: some term needs less than both.
func fewerKeys(needs map[string]keyNeed) bool {
	for _, n := range needs {
		if n != needBoth {
			return true
		}
	}
	return false
}

// keyNeed is what a compared term needs from the shards to be merged as
// the server orders it.
type keyNeed int

const (
	needBoth   keyNeed = iota // text: the collation's sort key and pad
	needWeight                // a date read as a time.Time: WEIGHT_STRING
	needNone                  // a number, a time, a date read as text
)

// limitValue reads a LIMIT or OFFSET number.
func limitValue(e sqlparser.Expr) (uint64, error) {
	lit, ok := e.(*sqlparser.Literal)
	if !ok || lit.Type != sqlparser.IntVal {
		return 0, unsupported("LIMIT "+sqlparser.String(e)+" that is not a number", "")
	}
	n, err := strconv.ParseUint(lit.Val, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("router: LIMIT %s: out of range (at most %d)", lit.Val, uint64(maxLimit))
	}
	return n, nil
}

// explain describes what goes to the shards and what the router does.
func (m *mergeSpec) explain() (pushed, merged string) {
	var p, g []string
	p = append(p, "the query")
	if m.pushLimit {
		push := m.limit + m.offset
		if push < m.limit {
			push = maxLimit
		}
		p = append(p, fmt.Sprintf("LIMIT %d (count+offset) per shard", push))
	}
	for _, c := range m.cols {
		if c.agg == aggAvg {
			p = append(p, "AVG with its SUM and COUNT")
			break
		}
	}
	for _, c := range m.cols {
		if c.weight >= 0 {
			p = append(p, "the collation's sort keys (WEIGHT_STRING) of compared text")
			break
		}
	}
	if len(m.order) > 0 && !m.aggs {
		p = append(p, "ORDER BY per shard")
		g = append(g, "heap merge of the sorted shard streams")
	}
	if m.aggs {
		var names []string
		for i, c := range m.cols {
			if c.agg != aggNone && i < m.visible {
				names = append(names, aggNames[c.agg])
			}
		}
		if len(m.groupBy) > 0 {
			g = append(g, "GROUP BY merged by key")
		}
		if len(names) > 0 {
			g = append(g, "combined "+strings.Join(names, ", ")+" (COUNT→SUM of counts, AVG→SUM/COUNT)")
		}
		if len(m.order) > 0 {
			g = append(g, "ORDER BY over the merged groups")
		}
	}
	if m.hasLimit {
		g = append(g, fmt.Sprintf("OFFSET %d LIMIT %d applied to the merged rows", m.offset, m.limit))
	}
	if len(g) == 0 {
		g = append(g, "the shard streams concatenated")
	}
	return strings.Join(p, "; "), strings.Join(g, "; ")
}

// sortKeyExprs returns the two expressions that let the router compare
// values of the string expression e exactly as the server's collation
// does, as Vitess does with WEIGHT_STRING: key, the value's sort key; and
// pad, the sort key of one space in e's collation when the collation pads
// with spaces ('a' = 'a ', and 'a' sorts after 'a\t'), or ” when it does
// not (NO PAD collations, binary strings). Both derive e's collation from
// LEFT(e, 0), so nothing here names a collation or a server flavor.
//
// The pad also says, after the collation's name, when the key cannot be
// merged on: flagBinaryForm for a value the server compares by a binary
// form that is not its text (MariaDB's INET6, INET4 and UUID, whose HEX
// is that form and whose WEIGHT_STRING is the text), and flagLevels for a
// collation whose keys hold several levels one after the other (accent
// and case, as utf8mb4_thai_520_w2 or utf8mb4_uca1400_as_cs), where the
// sort key of two spaces is not twice a space's: a key's trailing spaces
// are then not at its end, and the pad cannot be stripped or compared.
//
// The parsed expressions are cached by text (they are never modified), so
// planning a repeated scatter query parses nothing.
func (r *Router) sortKeyExprs(e sqlparser.Expr) (key, pad sqlparser.Expr, err error) {
	text := sqlparser.String(e)
	r.sortKeys.Lock()
	defer r.sortKeys.Unlock()
	if k, ok := r.sortKeys.m[text]; ok {
		return k[0], k[1], nil
	}
	empty := "LEFT(" + text + ", 0)"
	space := "CONCAT(" + empty + ", ' ')"
	spaces := "CONCAT(" + empty + ", '  ')"
	if key, err = r.cls.parser.ParseExpr("WEIGHT_STRING(" + text + ")"); err == nil {
		pad, err = r.cls.parser.ParseExpr("CONCAT(COLLATION(" + text + "), " +
			"IF(HEX(" + text + ") <=> HEX(CONCAT(" + text + ")), '', '" + flagBinaryForm + "'), " +
			"IF(WEIGHT_STRING(" + spaces + ") <=> CONCAT(WEIGHT_STRING(" + space + "), WEIGHT_STRING(" + space + ")), '', '" + flagLevels + "'), " +
			"':', IF(" + space + " = " + empty + ", WEIGHT_STRING(" + space + "), ''))")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("router: sort key of %s: %w", text, err)
	}
	bareGetFormat(key) // parsed from text: GET_FORMAT's DATE is a column again
	bareGetFormat(pad)
	if r.sortKeys.m == nil || len(r.sortKeys.m) >= DefaultCacheSize {
		r.sortKeys.m = map[string][2]sqlparser.Expr{}
	}
	r.sortKeys.m[text] = [2]sqlparser.Expr{key, pad}
	return key, pad, nil
}

// selectModifiers may follow SELECT before the first select expression.
var selectModifiers = map[string]bool{
	"DISTINCT": true, "DISTINCTROW": true, "ALL": true, "HIGH_PRIORITY": true, "STRAIGHT_JOIN": true,
	"SQL_SMALL_RESULT": true, "SQL_BIG_RESULT": true, "SQL_BUFFER_RESULT": true, "SQL_NO_CACHE": true,
	"SQL_CACHE": true, "SQL_CALC_FOUND_ROWS": true,
}

// selectTexts returns the text of each of the n top-level select
// expressions of a SELECT as the client wrote it, or nil if it cannot
// tell. The server names an unaliased computed column by that text
// (`SELECT Max(id)` gives a column "Max(id)"), and the router's rewritten
// shard query must keep the name.
func (r *Router) selectTexts(text string, n int) []string {
	tkn := r.cls.parser.NewStringTokenizer(text)
	depth, start := 0, -1
	var out []string
	first := true
	for {
		typ, val := tkn.Scan()
		switch {
		case typ == 0 || typ == sqlparser.LEX_ERROR:
			return nil
		case start < 0:
			if typ == sqlparser.SELECT {
				start = tkn.Pos
			}
			continue
		case first && selectModifiers[strings.ToUpper(val)]:
			start = tkn.Pos
			continue
		}
		first = false
		switch {
		case typ == '(':
			depth++
		case typ == ')':
			depth--
		case depth == 0 && typ == ',':
			out = append(out, columnName(text[start:tkn.Pos-1], len(out) == 0))
			start = tkn.Pos
		case depth == 0 && (typ == sqlparser.FROM || typ == sqlparser.INTO):
			out = append(out, columnName(text[start:tkn.Pos-len(val)], len(out) == 0))
			if len(out) != n {
				return nil
			}
			return out
		}
	}
}

// columnName returns the name the server gives an unaliased select
// expression written as s: its text up to its last token, comments inside
// kept as written (`id /* c */ + 1`), spaces around it and comments after
// it left out, and the markers of an executable comment dropped (`1 /*!+
// 1*/` is named "1 + 1"). Comments before it are left out of the first
// expression's name (after SELECT or DISTINCT) and kept in the others'
// (`SELECT a, /* c */ a + 1` names "/* c */ a + 1"). A character outside
// the Basic Multilingual Plane is named '?', as the server's names hold
// none. It returns "" when it cannot tell: an unclosed quote or comment,
// or an executable comment gated on a version the backend may not have.
func columnName(s string, first bool) string {
	var b strings.Builder
	end := -1 // b's length after the last token byte; -1 before the first
	started := false
	exec := false
	for i := 0; i < len(s); {
		c := s[i]
		rest := s[i:]
		switch {
		case c == '\'' || c == '"' || c == '`':
			j := sqltext.QuoteEnd(s, i) + 1
			if j > len(s) {
				return "" // not closed
			}
			b.WriteString(s[i:j])
			end, i, started = b.Len(), j, true
		case strings.HasPrefix(rest, "/*!") || strings.HasPrefix(rest, "/*M!"):
			if exec {
				return ""
			}
			i += strings.IndexByte(rest, '!') + 1
			if digits(s[i:]) >= 5 {
				return "" // /*!50700 …*/: kept or dropped by the backend's version
			}
			exec = true
		case exec && strings.HasPrefix(rest, "*/"):
			exec = false
			i += 2
		case strings.HasPrefix(rest, "/*"):
			j := strings.Index(rest[2:], "*/")
			if j < 0 {
				return ""
			}
			if end >= 0 || !first {
				b.WriteString(rest[:j+4])
				started = true
			}
			i += j + 4
		case c == '#' || strings.HasPrefix(rest, "--") && (len(rest) == 2 || isSpace(rest[2])):
			j := strings.IndexByte(rest, '\n')
			if j < 0 {
				j = len(rest)
			}
			if end >= 0 || !first {
				b.WriteString(rest[:j])
				started = true
			}
			i += j
		case isSpace(c):
			if started {
				b.WriteByte(c)
			}
			i++
		default:
			b.WriteByte(c)
			end, started = b.Len(), true
			i++
		}
	}
	if exec || end < 0 {
		return ""
	}
	return strings.Map(func(r rune) rune {
		if r > 0xffff {
			return '?'
		}
		return r
	}, b.String()[:end])
}

func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// keepNames aliases each unaliased computed select expression with the
// text the client wrote, so the shards name the column as the server
// would have; columns and literals already name themselves.
//
// text is the statement as the client sent it, whose select list sel
// (a rewritten copy) must keep the names of.
func (r *Router) keepNames(sel *sqlparser.Select, text string) {
	texts := r.selectTexts(text, len(sel.SelectExprs.Exprs))
	for i, se := range sel.SelectExprs.Exprs {
		ae, ok := se.(*sqlparser.AliasedExpr)
		if !ok || !ae.As.IsEmpty() || i >= len(texts) {
			continue
		}
		// The parser drops a unary plus and parentheses, which the
		// server does not name either way: `+ (id)` is "id", `(1)` is
		// "1" and `(NULL)` is "NULL".
		switch x := ae.Expr.(type) {
		case *sqlparser.IntroducerExpr:
			if lit, ok := x.Expr.(*sqlparser.Literal); ok && lit.Type == sqlparser.StrVal {
				continue // _utf8mb4'x' is named x; _binary b'1' by its text
			}
		case *sqlparser.ColName, *sqlparser.NullVal, sqlparser.BoolVal:
			continue // named by the column, NULL, TRUE or FALSE
		case *sqlparser.Literal:
			switch x.Type {
			case sqlparser.StrVal, sqlparser.IntVal, sqlparser.DecimalVal, sqlparser.FloatVal:
				continue // named by its value, or by the number as written
			}
		case *sqlparser.UnaryExpr:
			if strings.HasPrefix(sqlparser.String(x), "N'") {
				continue // N'x' is named x
			}
		}
		if texts[i] != "" {
			ae.As = sqlparser.NewIdentifierCI(texts[i])
		}
	}
}
