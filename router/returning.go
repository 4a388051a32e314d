package router

import (
	"context"
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// MariaDB's INSERT, REPLACE and DELETE take a RETURNING clause (10.5 on):
// the statement writes, and answers with a row per row it inserted or
// deleted. ORMs send it (Django on MariaDB: INSERT … RETURNING id). The
// parser does not read it, so such a statement is classified Unparsed,
// and runs on one primary, which answers its rows. Over a sharded table
// the router routes it by the statement without its clause (prefix),
// which the parser reads: when that statement's rows go to one shard,
// the whole text runs there (with ids the router's sequence gave, where
// the statement gives none); when they go to several, it is refused, as
// the rows' order is the statement's over one server and the parts'
// over several.

// returning is the RETURNING clause of a statement the parser does not
// read, and the statement without it.
type returning struct {
	// prefix is the classification of the text before the clause: an
	// INSERT, REPLACE or DELETE.
	prefix *Statement
	// clause is the text from RETURNING to the end.
	clause string
}

// returningOf finds a RETURNING clause at the top level of query, outside
// strings, quoted names and comments, after an INSERT, REPLACE or DELETE
// that the parser reads without it. The clause must hold no placeholder
// (its arguments would be the prefix's) and be one statement's (no
// semicolon): anything else is not read as such a clause.
func (c *classifier) returningOf(query string) *returning {
	at := returningAt(query)
	if at < 0 {
		return nil
	}
	clause := query[at:]
	for i := 0; i < len(clause); {
		end, comment := sqlToken(clause, i, true)
		if end < 0 {
			return nil
		}
		if !comment && end == i+1 && (clause[i] == '?' || clause[i] == ';') {
			return nil
		}
		i = end
	}
	prefix := c.classify(strings.TrimRight(query[:at], " \t\r\n"))
	switch prefix.AST.(type) {
	case *sqlparser.Insert, *sqlparser.Delete:
		if prefix.Kind == Write {
			return &returning{prefix: prefix, clause: clause}
		}
	}
	return nil
}

// returningAt is the index in query of the word RETURNING at the top
// level (outside parentheses, strings, quoted names and comments), or -1.
// A word that is a name's part (t.returning, @returning) does not count.
func returningAt(query string) int {
	depth := 0
	for i := 0; i < len(query); {
		c := query[i]
		if nameByte(c) {
			j := i
			for j < len(query) && nameByte(query[j]) {
				j++
			}
			if depth == 0 && j-i == len("RETURNING") && strings.EqualFold(query[i:j], "RETURNING") &&
				(i == 0 || query[i-1] != '.' && query[i-1] != '@') {
				return i
			}
			i = j
			continue
		}
		end, _ := sqlToken(query, i, true)
		if end < 0 {
			return -1
		}
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		}
		i = end
	}
	return -1
}

// planReturning plans a statement with a RETURNING clause over a sharded
// table by its prefix. A plan that gives ids from a sequence is the
// prefix's, which insertWithSequence and Tx fill and plan again (see
// fillSequence); any other must send the whole text, unchanged, to one
// shard.
func (r *Router) planReturning(st *Statement, args []any) (*plan, error) {
	p, err := r.planOnce(st.returning.prefix, args)
	switch {
	case err != nil:
		return nil, err
	case p.Sequence != "":
		return p, nil
	case len(p.Shards) != 1:
		return r.returningAcross(st, p)
	case p.Merge != nil:
		return nil, unsupported("RETURNING in a write whose rows the router would combine", "leave RETURNING out")
	case p.Queries != nil:
		// Rewritten for its shard (an INSERT without a column list gets
		// the table's): that text, with the clause.
		q := *p
		q.text, q.Queries = p.Queries[p.Shards[0]]+" "+st.returning.clause, nil
		return &q, nil
	}
	return p, nil
}

// returningAcross plans a statement with RETURNING whose rows are on
// several shards, from p, its prefix's plan: each shard's part with the
// clause, run as a write over shards (see execAcross), whose rows are
// then put in the order one server gives. That is the statement's order
// for an INSERT or REPLACE, whose every row returns one row: the parts'
// rows are taken back in it (plan.rowShards). IGNORE and ON DUPLICATE
// KEY UPDATE may return none or one for a row, which the router could not
// place, and are refused. A DELETE's rows come in no order the statement
// gives, but ORDER BY's, which is refused.
func (r *Router) returningAcross(st *Statement, p *plan) (*plan, error) {
	switch ast := st.returning.prefix.AST.(type) {
	case *sqlparser.Insert:
		if len(ast.OnDup) > 0 || bool(ast.Ignore) || p.rowShards == nil {
			return nil, unsupported("INSERT IGNORE or ON DUPLICATE KEY UPDATE with RETURNING, whose rows are on several shards",
				"the router cannot tell which rows each shard's answer stands for; write each shard's rows in a statement of their own, or leave RETURNING out")
		}
	case *sqlparser.Delete:
		if len(ast.OrderBy) > 0 {
			return nil, unsupported("DELETE … ORDER BY with RETURNING over several shards", "the rows would come in each shard's order; leave ORDER BY or RETURNING out")
		}
	}
	if p.Queries == nil {
		return nil, unsupported("RETURNING in this write over several shards", "write each shard's rows in a statement of their own, or leave RETURNING out")
	}
	q := *p
	q.Queries = make(map[int]string, len(p.Queries))
	for i, text := range p.Queries {
		q.Queries[i] = text + " " + st.returning.clause
	}
	return &q, nil
}

// returnedAcross makes o's rows from those the branches of a write over
// shards with RETURNING returned (see returningAcross): in the order of
// the statement's rows for an INSERT, else shard by shard.
func (r *Router) returnedAcross(ctx context.Context, p *plan, branches []*writeBranch, o *op) error {
	if o.kind == opExec {
		return nil // its answer is its count (o.res)
	}
	var all [][]any
	if p.rowShards != nil {
		of := make(map[int][][]any, len(branches))
		for _, b := range branches {
			of[b.shard] = b.returned
		}
		for _, i := range p.rowShards {
			all = append(all, of[i][0])
			of[i] = of[i][1:]
		}
	} else {
		for _, b := range branches {
			all = append(all, b.returned...)
		}
	}
	src := *branches[0].columns
	src.next = listed(all)
	rows, err := r.mergeDB.QueryContext(ctx, "merge", &mergeRows{src: &src})
	if err != nil {
		return err
	}
	return r.answerRows(ctx, o, rows)
}

// returnedID records on o the insert id of st, an INSERT … RETURNING
// whose rows got ids from sequences from first, for the session: first,
// unless a row may have met a duplicate (filledID), whose id is not
// known.
func returnedID(st *Statement, first uint64, o *op) {
	if ins, ok := st.returning.prefix.AST.(*sqlparser.Insert); ok && len(ins.OnDup) == 0 && !bool(ins.Ignore) {
		o.res = multiResult{lastID: int64(first)}
	}
}

// returned keeps the insert id of st, an INSERT, REPLACE or DELETE …
// RETURNING that ran as o: the first id a sequence gave (returnedID), or,
// for an INSERT of an unsharded table, none the session can see (its
// server may have generated one).
func (s *Session) returned(st *Statement, o *op) {
	switch _, insert := st.returning.prefix.AST.(*sqlparser.Insert); {
	case o.res != nil:
		if id, err := o.res.LastInsertId(); err == nil && id != 0 {
			s.lastInsertID, s.lastIDUnknown = uint64(id), false
		}
	case insert && s.r.argFree(st.returning.prefix):
		s.lastIDUnknown = true
	}
}
