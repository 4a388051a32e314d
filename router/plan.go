package router

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// Plan types, as `scalelab query --route` shows them and Stats counts them.
const (
	PlanUnsharded   = "unsharded"
	PlanSingleShard = "single-shard"
	PlanMultiShard  = "multi-shard"
	PlanScatter     = "scatter"
)

// ErrUnsupported is wrapped by every refusal of a statement shape the
// router cannot run correctly over shards. The message names the shape.
var ErrUnsupported = errors.New("router: unsupported across shards")

func unsupported(shape, hint string) error {
	if hint != "" {
		return fmt.Errorf("%w: %s (%s)", ErrUnsupported, shape, hint)
	}
	return fmt.Errorf("%w: %s", ErrUnsupported, shape)
}

// plan is how one statement runs over the shards.
type plan struct {
	Type   string
	Shards []int // target shard indexes, ascending
	// Queries holds a rewritten statement (arguments bound) per shard; when
	// nil, every target shard gets the original text and arguments.
	Queries map[int]string
	// Merge says how the router combines the shards' rows; nil for a
	// single-shard plan.
	Merge *mergeSpec
	// PushedDown and Merged explain the plan in words.
	PushedDown string
	Merged     string
	// Sequence, for an INSERT that needs ids: the table whose sequence
	// fills the shard-key column.
	Sequence string
	// Table is the sharded table that decided the shards.
	Table string
}

// keyConstraint is what the WHERE clause pins a sharded table's key to.
type keyConstraint struct {
	values []any // nil: unconstrained
	in     bool  // from an IN list (the rewrite target)
}

// planStatement decides where a classified statement goes.
func (r *Router) planStatement(st *Statement, args []any) (*plan, error) {
	if st.Kind == Unparsed || st.AST == nil {
		return &plan{Type: PlanUnsharded, Shards: []int{0}}, nil
	}
	var sharded []string
	for _, t := range st.Tables {
		if _, ok := r.vs.rule(t); ok {
			sharded = append(sharded, t)
		}
	}
	if len(sharded) == 0 || !r.vs.sharded() {
		return &plan{Type: PlanUnsharded, Shards: []int{0}}, nil
	}
	switch ast := st.AST.(type) {
	case *sqlparser.Select:
		return r.planSelect(ast, st, args, sharded)
	case *sqlparser.Insert:
		return r.planInsert(ast, args)
	case *sqlparser.Update:
		return r.planUpdateDelete(ast, ast.Where, args, sharded, updatesKey(ast, r))
	case *sqlparser.Delete:
		return r.planUpdateDelete(ast, ast.Where, args, sharded, "")
	case *sqlparser.Union:
		return nil, unsupported("UNION over a sharded table", "run each SELECT on its own")
	}
	switch st.Kind {
	case DDL:
		// Schema changes of a sharded table apply to every shard.
		p := &plan{Type: PlanScatter, Shards: r.allShards(), Queries: map[int]string{}, PushedDown: "the DDL runs on every shard's primary"}
		for _, i := range p.Shards {
			p.Queries[i] = st.Text
		}
		if len(args) > 0 {
			return nil, unsupported("DDL with placeholders", "")
		}
		return p, nil
	case Read:
		return &plan{Type: PlanUnsharded, Shards: []int{0}}, nil
	}
	return nil, unsupported(fmt.Sprintf("%s statement on sharded table %s", st.Kind, sharded[0]), "")
}

func (r *Router) allShards() []int {
	out := make([]int, r.vs.smap.Len())
	for i := range out {
		out[i] = i
	}
	return out
}

// aliases maps every alias and table name in FROM to its table.
func aliases(from []sqlparser.TableExpr) map[string]string {
	m := map[string]string{}
	for _, te := range from {
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			switch x := n.(type) {
			case *sqlparser.AliasedTableExpr:
				if tn, ok := x.Expr.(sqlparser.TableName); ok {
					name := strings.ToLower(tn.Name.String())
					m[name] = name
					if !x.As.IsEmpty() {
						m[strings.ToLower(x.As.String())] = name
					}
				}
				return false, nil
			}
			return true, nil
		}, te)
	}
	return m
}

// constraints finds, for each sharded table, the values its key column is
// pinned to by the AND-ed equalities and IN lists of the WHERE and ON
// clauses, following column = column equalities across joined tables.
func (r *Router) constraints(exprs []sqlparser.Expr, al map[string]string, tables []string, args []any) (map[string]keyConstraint, error) {
	// Union-find over "table.column" names.
	parent := map[string]string{}
	var find func(string) string
	find = func(x string) string {
		if p, ok := parent[x]; ok && p != x {
			root := find(p)
			parent[x] = root
			return root
		}
		return x
	}
	union := func(a, b string) { parent[find(a)] = find(b) }
	type pin struct {
		col string
		p   keyConstraint
	}
	vals := map[string]keyConstraint{} // column → values (resolved through find at the end)
	var pendingVals []pin
	resolve := func(c *sqlparser.ColName) (string, bool) {
		col := strings.ToLower(c.Name.String())
		if !c.Qualifier.IsEmpty() {
			t, ok := al[strings.ToLower(c.Qualifier.Name.String())]
			if !ok {
				return "", false
			}
			return t + "." + col, true
		}
		// Unqualified: it belongs to the one sharded table keyed by that
		// column name, or, with one table in FROM, to that table.
		var owner string
		for _, t := range tables {
			if rule, ok := r.vs.rule(t); ok && rule.Column == col {
				if owner != "" {
					return "", false
				}
				owner = t
			}
		}
		if owner == "" && len(al) > 0 {
			distinct := map[string]bool{}
			for _, t := range al {
				distinct[t] = true
			}
			if len(distinct) == 1 {
				for t := range distinct {
					owner = t
				}
			}
		}
		if owner == "" {
			return "", false
		}
		return owner + "." + col, true
	}
	var conjuncts []sqlparser.Expr
	for _, e := range exprs {
		conjuncts = append(conjuncts, splitAnd(e)...)
	}
	for _, e := range conjuncts {
		cmp, ok := e.(*sqlparser.ComparisonExpr)
		if !ok {
			continue
		}
		switch cmp.Operator {
		case sqlparser.EqualOp:
			lc, lok := cmp.Left.(*sqlparser.ColName)
			rc, rok := cmp.Right.(*sqlparser.ColName)
			switch {
			case lok && rok:
				a, ok1 := resolve(lc)
				b, ok2 := resolve(rc)
				if ok1 && ok2 {
					union(a, b)
				}
			case lok || rok:
				col, other := lc, cmp.Right
				if !lok {
					col, other = rc, cmp.Left
				}
				name, ok := resolve(col)
				if !ok {
					continue
				}
				v, isVal, err := exprValue(other, args)
				if err != nil {
					return nil, err
				}
				if isVal {
					pendingVals = append(pendingVals, pin{name, keyConstraint{values: []any{v}}})
				}
			}
		case sqlparser.InOp:
			col, ok := cmp.Left.(*sqlparser.ColName)
			tuple, ok2 := cmp.Right.(sqlparser.ValTuple)
			if !ok || !ok2 {
				continue
			}
			name, ok := resolve(col)
			if !ok {
				continue
			}
			var list []any
			all := true
			for _, item := range tuple {
				v, isVal, err := exprValue(item, args)
				if err != nil {
					return nil, err
				}
				if !isVal {
					all = false
					break
				}
				list = append(list, v)
			}
			if all {
				pendingVals = append(pendingVals, pin{name, keyConstraint{values: list, in: true}})
			}
		}
	}
	for _, pv := range pendingVals {
		root := find(pv.col)
		if prev, ok := vals[root]; ok && len(prev.values) <= len(pv.p.values) {
			continue // the tighter constraint wins
		}
		vals[root] = pv.p
	}
	out := map[string]keyConstraint{}
	for _, t := range tables {
		rule, ok := r.vs.rule(t)
		if !ok {
			continue
		}
		out[t] = vals[find(t+"."+rule.Column)] // the zero value: unconstrained
	}
	return out, nil
}

func splitAnd(e sqlparser.Expr) []sqlparser.Expr {
	if a, ok := e.(*sqlparser.AndExpr); ok {
		return append(splitAnd(a.Left), splitAnd(a.Right)...)
	}
	return []sqlparser.Expr{e}
}

// shardsFor maps constrained key values to their shards, and groups the
// values by shard.
func (r *Router) shardsFor(table string, kc keyConstraint) ([]int, map[int][]any, error) {
	if kc.values == nil {
		return r.allShards(), nil, nil
	}
	rule, _ := r.vs.rule(table)
	groups := map[int][]any{}
	for _, v := range kc.values {
		i, err := r.vs.shardOf(rule, v)
		if err != nil {
			return nil, nil, err
		}
		groups[i] = append(groups[i], v)
	}
	shards := make([]int, 0, len(groups))
	for i := range groups {
		shards = append(shards, i)
	}
	sort.Ints(shards)
	return shards, groups, nil
}

// joinExprs collects the ON conditions of every join in FROM.
func joinExprs(from []sqlparser.TableExpr) []sqlparser.Expr {
	var out []sqlparser.Expr
	for _, te := range from {
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			if j, ok := n.(*sqlparser.JoinTableExpr); ok && j.Condition != nil && j.Condition.On != nil {
				out = append(out, j.Condition.On)
			}
			return true, nil
		}, te)
	}
	return out
}

func hasSubquery(n sqlparser.SQLNode) bool {
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n.(type) {
		case *sqlparser.Subquery, *sqlparser.DerivedTable:
			found = true
		}
		return !found, nil
	}, n)
	return found
}

func (r *Router) planSelect(sel *sqlparser.Select, st *Statement, args []any, sharded []string) (*plan, error) {
	al := aliases(sel.From)
	exprs := joinExprs(sel.From)
	if sel.Where != nil {
		exprs = append(exprs, sel.Where.Expr)
	}
	kcs, err := r.constraints(exprs, al, st.Tables, args)
	if err != nil {
		return nil, err
	}
	unshardedTables := len(st.Tables) - len(sharded)
	// Every sharded table pinned to the same single shard: the whole
	// statement (joins and subqueries included) runs there unchanged.
	target := -1
	allPinned := true
	for _, t := range sharded {
		shards, _, err := r.shardsFor(t, kcs[t])
		if err != nil {
			return nil, err
		}
		if len(shards) != 1 || (target >= 0 && shards[0] != target) {
			allPinned = false
			break
		}
		target = shards[0]
	}
	if allPinned && (unshardedTables == 0 || target == 0) {
		return &plan{Type: PlanSingleShard, Shards: []int{target}, Table: sharded[0],
			PushedDown: "the whole statement, unchanged"}, nil
	}
	if len(st.Tables) > 1 {
		if hasSubquery(sel) {
			return nil, unsupported("subquery over a scattered table", "pin every sharded table to one shard with its key")
		}
		return nil, unsupported("cross-shard join of "+strings.Join(st.Tables, ", "),
			"joins run only when every joined sharded table is pinned to the same shard by its key, e.g. likes.image_id = images.id = ?")
	}
	if hasSubquery(sel) {
		return nil, unsupported("subquery over a scattered table", "")
	}
	table := sharded[0]
	shards, groups, err := r.shardsFor(table, kcs[table])
	if err != nil {
		return nil, err
	}
	spec, shardAST, err := planMerge(sel)
	if err != nil {
		return nil, err
	}
	p := &plan{Type: PlanScatter, Shards: shards, Merge: spec, Table: table}
	bound, err := bindArgs(shardAST, args)
	if err != nil {
		return nil, err
	}
	if kcs[table].in && groups != nil {
		p.Type = PlanMultiShard
		p.Queries = map[int]string{}
		rule, _ := r.vs.rule(table)
		for _, i := range shards {
			q, err := rewriteIn(bound, al, table, rule.Column, groups[i])
			if err != nil {
				return nil, err
			}
			p.Queries[i] = q
		}
	} else {
		text := sqlparser.String(bound)
		p.Queries = map[int]string{}
		for _, i := range shards {
			p.Queries[i] = text
		}
	}
	p.PushedDown, p.Merged = spec.explain()
	return p, nil
}

// rewriteIn returns the statement with the IN list on table.column cut to
// keep, so each shard is asked only for its own keys.
func rewriteIn(bound sqlparser.Statement, al map[string]string, table, column string, keep []any) (string, error) {
	stmt := sqlparser.CloneStatement(bound)
	var where *sqlparser.Where
	switch s := stmt.(type) {
	case *sqlparser.Select:
		where = s.Where
	case *sqlparser.Update:
		where = s.Where
	case *sqlparser.Delete:
		where = s.Where
	}
	if where == nil {
		return "", errors.New("router: IN rewrite without WHERE")
	}
	tuple := make(sqlparser.ValTuple, 0, len(keep))
	for _, v := range keep {
		lit, err := literal(v)
		if err != nil {
			return "", err
		}
		tuple = append(tuple, lit)
	}
	done := false
	for _, e := range splitAnd(where.Expr) {
		cmp, ok := e.(*sqlparser.ComparisonExpr)
		if !ok || cmp.Operator != sqlparser.InOp {
			continue
		}
		col, ok := cmp.Left.(*sqlparser.ColName)
		if !ok || !strings.EqualFold(col.Name.String(), column) {
			continue
		}
		if !col.Qualifier.IsEmpty() && al[strings.ToLower(col.Qualifier.Name.String())] != table {
			continue
		}
		cmp.Right = tuple
		done = true
		break
	}
	if !done {
		return "", errors.New("router: IN list on the shard key not found for rewrite")
	}
	return sqlparser.String(stmt), nil
}

// updatesKey names the shard-key column an UPDATE assigns, if any.
func updatesKey(u *sqlparser.Update, r *Router) string {
	for _, te := range u.TableExprs {
		for _, t := range aliases([]sqlparser.TableExpr{te}) {
			rule, ok := r.vs.rule(t)
			if !ok {
				continue
			}
			for _, ue := range u.Exprs {
				if strings.EqualFold(ue.Name.Name.String(), rule.Column) {
					return t + "." + rule.Column
				}
			}
		}
	}
	return ""
}

func (r *Router) planUpdateDelete(stmt sqlparser.Statement, where *sqlparser.Where, args []any, sharded []string, keyUpdate string) (*plan, error) {
	if keyUpdate != "" {
		return nil, unsupported("UPDATE of the shard key "+keyUpdate, "changing it moves the row to another shard: DELETE it and INSERT it again")
	}
	if len(sharded) > 1 {
		return nil, unsupported("multi-table "+fmt.Sprint(sharded)+" write", "")
	}
	table := sharded[0]
	var tables []string
	var from []sqlparser.TableExpr
	switch s := stmt.(type) {
	case *sqlparser.Update:
		from = s.TableExprs
	case *sqlparser.Delete:
		from = s.TableExprs
	}
	al := aliases(from)
	for _, t := range al {
		tables = append(tables, t)
	}
	var exprs []sqlparser.Expr
	if where != nil {
		exprs = append(exprs, where.Expr)
	}
	kcs, err := r.constraints(exprs, al, tables, args)
	if err != nil {
		return nil, err
	}
	shards, groups, err := r.shardsFor(table, kcs[table])
	if err != nil {
		return nil, err
	}
	if len(shards) == 1 {
		return &plan{Type: PlanSingleShard, Shards: shards, Table: table, PushedDown: "the whole statement, unchanged"}, nil
	}
	p := &plan{Type: PlanMultiShard, Shards: shards, Table: table, Queries: map[int]string{}}
	bound, err := bindArgs(stmt, args)
	if err != nil {
		return nil, err
	}
	if kcs[table].values == nil {
		p.Type = PlanScatter
		text := sqlparser.String(bound)
		for _, i := range shards {
			p.Queries[i] = text
		}
		p.PushedDown = "the statement, to every shard (an explicit multi-shard write)"
		return p, nil
	}
	rule, _ := r.vs.rule(table)
	for _, i := range shards {
		q, err := rewriteIn(bound, al, table, rule.Column, groups[i])
		if err != nil {
			return nil, err
		}
		p.Queries[i] = q
	}
	p.PushedDown = "the statement with each shard's own keys in the IN list"
	return p, nil
}

func (r *Router) planInsert(ins *sqlparser.Insert, args []any) (*plan, error) {
	tn, ok := ins.Table.Expr.(sqlparser.TableName)
	if !ok {
		return nil, unsupported("INSERT into a derived table", "")
	}
	table := strings.ToLower(tn.Name.String())
	rule, _ := r.vs.rule(table)
	rows, ok := ins.Rows.(sqlparser.Values)
	if !ok {
		return nil, unsupported("INSERT … SELECT into sharded table "+table, "select the rows, then insert them")
	}
	if len(ins.Columns) == 0 {
		return nil, unsupported("INSERT without a column list into sharded table "+table, "name the columns so the router can find "+rule.Column)
	}
	keyIdx := -1
	for i, c := range ins.Columns {
		if strings.EqualFold(c.String(), rule.Column) {
			keyIdx = i
		}
	}
	if keyIdx < 0 {
		// Ids come from the table's sequence; the executor fills them in.
		_, home := r.sequenceHome()
		return &plan{Type: PlanMultiShard, Table: table, Sequence: table,
			PushedDown: "each row to its shard, with " + rule.Column + " from the " + table + " sequence on " + home}, nil
	}
	groups := map[int]sqlparser.Values{}
	for _, row := range rows {
		if keyIdx >= len(row) {
			return nil, fmt.Errorf("router: INSERT row has %d values for %d columns", len(row), len(ins.Columns))
		}
		v, isVal, err := exprValue(row[keyIdx], args)
		if err != nil {
			return nil, err
		}
		if !isVal {
			return nil, unsupported("INSERT with a computed shard key "+sqlparser.String(row[keyIdx]), "give "+rule.Column+" as a value")
		}
		i, err := r.vs.shardOf(rule, v)
		if err != nil {
			return nil, err
		}
		groups[i] = append(groups[i], row)
	}
	shards := make([]int, 0, len(groups))
	for i := range groups {
		shards = append(shards, i)
	}
	sort.Ints(shards)
	if len(shards) == 1 {
		return &plan{Type: PlanSingleShard, Shards: shards, Table: table, PushedDown: "the whole statement, unchanged"}, nil
	}
	bound, err := bindArgs(ins, args)
	if err != nil {
		return nil, err
	}
	boundRows := bound.(*sqlparser.Insert).Rows.(sqlparser.Values)
	// Re-split the bound rows in the same order.
	p := &plan{Type: PlanMultiShard, Shards: shards, Table: table, Queries: map[int]string{},
		PushedDown: fmt.Sprintf("the INSERT split into %d statements, one per shard, each with its own rows", len(shards))}
	byShard := map[int]sqlparser.Values{}
	for n, row := range rows {
		v, _, _ := exprValue(row[keyIdx], args)
		i, _ := r.vs.shardOf(rule, v)
		byShard[i] = append(byShard[i], boundRows[n])
	}
	for _, i := range shards {
		part := sqlparser.CloneStatement(bound).(*sqlparser.Insert)
		part.Rows = byShard[i]
		p.Queries[i] = sqlparser.String(part)
	}
	return p, nil
}
