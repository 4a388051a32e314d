package router

import (
	"fmt"
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
	aggAvg // sent to shards as SUM, with a hidden COUNT column
)

var aggNames = [...]string{"", "COUNT", "SUM", "MIN", "MAX", "AVG"}

// outCol is one column of the merged result.
type outCol struct {
	agg aggKind
	// countIdx is, for AVG, the shard column holding the COUNT.
	countIdx int
}

// orderKey is one ORDER BY term resolved to a shard-result column.
type orderKey struct {
	idx  int    // column index, or -1 when name must be looked up at run time
	name string // column name, for SELECT * results
	desc bool
}

// mergeSpec is how the router combines per-shard results into one.
type mergeSpec struct {
	cols      []outCol // one per visible select expression; empty for SELECT *
	visible   int      // visible column count; -1 for SELECT * (all)
	star      bool
	aggs      bool
	groupBy   []int // column indexes forming the group key
	order     []orderKey
	limit     int64 // -1: none
	offset    int64
	pushLimit bool
}

func aggOf(e sqlparser.Expr) (aggKind, bool, sqlparser.Expr) {
	switch a := e.(type) {
	case *sqlparser.CountStar:
		return aggCount, false, nil
	case *sqlparser.Count:
		var arg sqlparser.Expr
		if len(a.Args) == 1 {
			arg = a.Args[0]
		}
		return aggCount, a.Distinct || a.OverClause != nil, arg
	case *sqlparser.Sum:
		return aggSum, a.Distinct || a.OverClause != nil, a.Arg
	case *sqlparser.Min:
		return aggMin, a.OverClause != nil, a.Arg
	case *sqlparser.Max:
		return aggMax, a.OverClause != nil, a.Arg
	case *sqlparser.Avg:
		return aggAvg, a.Distinct || a.OverClause != nil, a.Arg
	}
	return aggNone, false, nil
}

func containsAggregate(e sqlparser.SQLNode) bool {
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		if ex, ok := n.(sqlparser.Expr); ok {
			if k, _, _ := aggOf(ex); k != aggNone {
				found = true
			}
		}
		if _, ok := n.(*sqlparser.GroupConcatExpr); ok {
			found = true
		}
		return !found, nil
	}, e)
	return found
}

// planMerge checks that a scattered SELECT has a shape the router can merge
// exactly, and returns the merge spec and the statement to send to shards
// (with LIMIT pushed down as count+offset and AVG split into SUM and COUNT).
func planMerge(sel *sqlparser.Select) (*mergeSpec, sqlparser.Statement, error) {
	switch {
	case sel.Having != nil:
		return nil, nil, unsupported("HAVING across shards", "filter the grouped rows in the application")
	case sel.With != nil:
		return nil, nil, unsupported("WITH (common table expressions) across shards", "")
	case sel.Into != nil:
		return nil, nil, unsupported("SELECT … INTO across shards", "")
	case sel.GroupBy != nil && sel.GroupBy.WithRollup:
		return nil, nil, unsupported("GROUP BY … WITH ROLLUP across shards", "")
	case len(sel.Windows) > 0:
		return nil, nil, unsupported("window functions across shards", "")
	}
	out := sqlparser.CloneRefOfSelect(sel)
	spec := &mergeSpec{limit: -1}
	exprs := out.SelectExprs.Exprs
	var hidden []sqlparser.SelectExpr
	for i, se := range exprs {
		switch x := se.(type) {
		case *sqlparser.StarExpr:
			spec.star = true
			spec.cols = append(spec.cols, outCol{})
		case *sqlparser.AliasedExpr:
			k, distinct, arg := aggOf(x.Expr)
			if distinct {
				return nil, nil, unsupported("DISTINCT or windowed aggregate "+sqlparser.String(x.Expr)+" across shards", "a shard's distinct values may repeat on another shard")
			}
			if k == aggNone && containsAggregate(x.Expr) {
				return nil, nil, unsupported("expression over an aggregate "+sqlparser.String(x.Expr)+" across shards", "select the aggregate alone and compute in the application")
			}
			if _, ok := x.Expr.(*sqlparser.Subquery); ok {
				return nil, nil, unsupported("subquery in the select list across shards", "")
			}
			col := outCol{agg: k}
			if k == aggAvg {
				// Each shard returns SUM(x) here and COUNT(x) in a hidden
				// column; the router divides.
				if x.As.IsEmpty() {
					x.As = sqlparser.NewIdentifierCI(sqlparser.String(x.Expr))
				}
				x.Expr = &sqlparser.Sum{Arg: arg}
				col.countIdx = len(exprs) + len(hidden)
				hidden = append(hidden, &sqlparser.AliasedExpr{Expr: &sqlparser.Count{Args: []sqlparser.Expr{arg}}})
			}
			if k != aggNone {
				spec.aggs = true
			}
			spec.cols = append(spec.cols, col)
		default:
			return nil, nil, unsupported("select expression "+sqlparser.String(se)+" across shards", "")
		}
		_ = i
	}
	if spec.star && spec.aggs {
		return nil, nil, unsupported("SELECT * with aggregates across shards", "")
	}
	if sel.Distinct {
		// SELECT DISTINCT a, b is GROUP BY a, b: each shard removes its own
		// duplicates, the router those between shards.
		switch {
		case spec.star:
			return nil, nil, unsupported("SELECT DISTINCT * across shards", "name the columns")
		case spec.aggs || sel.GroupBy != nil:
			return nil, nil, unsupported("SELECT DISTINCT with aggregates or GROUP BY across shards", "")
		}
		spec.aggs = true
		for i := range exprs {
			spec.groupBy = append(spec.groupBy, i)
		}
	}
	spec.visible = len(exprs)
	// GROUP BY terms must be selected columns, so the router sees the keys.
	if sel.GroupBy != nil {
		if !spec.aggs && len(sel.GroupBy.Exprs) > 0 {
			spec.aggs = true
		}
		for _, g := range sel.GroupBy.Exprs {
			idx := findSelected(exprs, g)
			if idx < 0 || spec.cols[idx].agg != aggNone {
				return nil, nil, unsupported("GROUP BY "+sqlparser.String(g)+" that is not a selected column", "add it to the select list")
			}
			spec.groupBy = append(spec.groupBy, idx)
		}
	}
	if spec.aggs {
		for i, c := range spec.cols {
			if c.agg == aggNone && !contains(spec.groupBy, i) {
				return nil, nil, unsupported("column "+sqlparser.String(exprs[i])+" that is neither grouped nor aggregated, across shards", "")
			}
		}
	}
	// ORDER BY terms resolve to result columns (added hidden if needed).
	for _, o := range sel.OrderBy {
		if containsAggregate(o.Expr) && findSelected(exprs, o.Expr) < 0 {
			return nil, nil, unsupported("ORDER BY an aggregate that is not selected", "select it with an alias and order by the alias")
		}
		idx := findSelected(exprs, o.Expr)
		key := orderKey{idx: idx, desc: o.Direction == sqlparser.DescOrder}
		if idx < 0 {
			col, ok := o.Expr.(*sqlparser.ColName)
			switch {
			case !ok:
				return nil, nil, unsupported("ORDER BY expression "+sqlparser.String(o.Expr)+" that is not selected", "select it and order by its alias")
			case spec.star:
				key.name = col.Name.String()
			case spec.aggs:
				return nil, nil, unsupported("ORDER BY "+sqlparser.String(o.Expr)+", not selected, with GROUP BY", "")
			default:
				key.idx = len(exprs) + len(hidden)
				hidden = append(hidden, &sqlparser.AliasedExpr{Expr: col})
			}
		}
		spec.order = append(spec.order, key)
	}
	out.SelectExprs = &sqlparser.SelectExprs{Exprs: append(append([]sqlparser.SelectExpr{}, exprs...), hidden...)}
	if sel.Limit != nil {
		n, err := intLit(sel.Limit.Rowcount)
		if err != nil {
			return nil, nil, err
		}
		var off int64
		if sel.Limit.Offset != nil {
			if off, err = intLit(sel.Limit.Offset); err != nil {
				return nil, nil, err
			}
		}
		spec.limit, spec.offset = n, off
		if spec.aggs {
			out.Limit = nil // groups are complete only after merging
		} else {
			// Each shard returns its first count+offset rows; the router skips
			// offset rows of the merged stream.
			out.Limit = &sqlparser.Limit{Rowcount: sqlparser.NewIntLiteral(strconv.FormatInt(n+off, 10))}
			spec.pushLimit = true
		}
	}
	if spec.aggs {
		out.OrderBy = nil // the router orders the merged groups
	}
	return spec, out, nil
}

func contains(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// findSelected finds e among the select expressions, by equal expression
// or by alias.
func findSelected(exprs []sqlparser.SelectExpr, e sqlparser.Expr) int {
	for i, se := range exprs {
		ae, ok := se.(*sqlparser.AliasedExpr)
		if !ok {
			continue
		}
		if sqlparser.Equals.Expr(ae.Expr, e) {
			return i
		}
		if col, ok := e.(*sqlparser.ColName); ok && col.Qualifier.IsEmpty() && !ae.As.IsEmpty() && ae.As.EqualString(col.Name.String()) {
			return i
		}
		// A qualified column in the select list and an unqualified one in
		// ORDER BY (or the reverse) name the same column of a one-table query.
		if a, ok := ae.Expr.(*sqlparser.ColName); ok {
			if b, ok := e.(*sqlparser.ColName); ok && a.Name.Equal(b.Name) {
				return i
			}
		}
	}
	return -1
}

func intLit(e sqlparser.Expr) (int64, error) {
	lit, ok := e.(*sqlparser.Literal)
	if !ok || lit.Type != sqlparser.IntVal {
		return 0, unsupported("LIMIT "+sqlparser.String(e)+" that is not a number", "")
	}
	return strconv.ParseInt(lit.Val, 10, 64)
}

// explain describes what goes to the shards and what the router does.
func (m *mergeSpec) explain() (pushed, merged string) {
	var p, g []string
	p = append(p, "the query")
	if m.pushLimit {
		p = append(p, fmt.Sprintf("LIMIT %d (count+offset) per shard", m.limit+m.offset))
	}
	for _, c := range m.cols {
		if c.agg == aggAvg {
			p = append(p, "AVG as SUM and COUNT")
			break
		}
	}
	if len(m.order) > 0 && !m.aggs {
		p = append(p, "ORDER BY per shard")
		g = append(g, "heap merge of the sorted shard streams")
	}
	if m.aggs {
		var names []string
		for _, c := range m.cols {
			if c.agg != aggNone {
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
	if m.limit >= 0 {
		g = append(g, fmt.Sprintf("OFFSET %d LIMIT %d applied to the merged rows", m.offset, m.limit))
	}
	if len(g) == 0 {
		g = append(g, "the shard streams concatenated")
	}
	return strings.Join(p, "; "), strings.Join(g, "; ")
}
