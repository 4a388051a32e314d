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

// routedBy is the statement the router routes st by: the statement
// without its RETURNING clause, the one SET STATEMENT … FOR sets
// variables for, or st.
func (st *Statement) routedBy() *Statement {
	switch {
	case st.returning != nil:
		return st.returning.prefix
	case st.setStatement != nil:
		return st.setStatement.inner
	}
	return st
}

// returning is the RETURNING clause of a statement the parser does not
// read, and the statement without it.
type returning struct {
	// prefix is the classification of the text before the clause: an
	// INSERT, REPLACE or DELETE.
	prefix *Statement
	// clause is the text from RETURNING to the end (without trailing
	// semicolons), and list the clause read as SELECT's select list.
	clause string
	list   sqlparser.Statement
}

// returningOf finds a RETURNING clause at the top level of query, outside
// strings, quoted names and comments, after an INSERT, REPLACE or DELETE
// that the parser reads without it. The clause must read as a select
// list without a subquery (which one shard would answer from its own
// rows), without placeholders (its arguments would be the prefix's),
// and be the text's last statement (only semicolons may follow it);
// the text before it must end as MariaDB ends a statement there (not
// in a -- that the parser takes for a comment and MariaDB for two
// minus signs). Anything else is not read as such a clause.
func (c *classifier) returningOf(query string) *returning {
	at := returningAt(query)
	if at < 0 {
		return nil
	}
	clause := strings.TrimRight(query[at:], " \t\r\n\v\f;")
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
	text := strings.TrimRight(query[:at], " \t\r\n\v\f")
	if text == "" {
		return nil
	}
	if last := text[len(text)-1]; !nameByte(last) && !strings.ContainsRune(")'\"`/", rune(last)) {
		return nil
	}
	list, err := c.parser.Parse("SELECT" + clause[len("RETURNING"):])
	if err != nil || anyNode(list, func(n sqlparser.SQLNode) bool { _, ok := n.(*sqlparser.Subquery); return ok }) {
		return nil
	}
	prefix := c.classify(text)
	switch prefix.AST.(type) {
	case *sqlparser.Insert, *sqlparser.Delete:
		if prefix.Kind == Write {
			return &returning{prefix: prefix, clause: clause, list: list}
		}
	}
	return nil
}

// returningAt is the index in query of the word RETURNING at the top
// level (outside parentheses, strings, quoted names and comments), or -1.
// A word that is a name's part (t.returning, @returning) does not count.
func returningAt(query string) int {
	at := -1
	sqlTokens(query, func(t sqlTok) bool {
		if t.word && t.depth == 0 && t.end-t.start == len("RETURNING") && strings.EqualFold(query[t.start:t.end], "RETURNING") &&
			(t.start == 0 || query[t.start-1] != '.' && query[t.start-1] != '@') {
			at = t.start
			return false
		}
		return true
	})
	return at
}

// sqlTok is a token of a statement's text, as sqlTokens walks it: a word
// (a run of name bytes), or what sqlToken reads (a string, a quoted name,
// a comment, one other byte), with the depth of the parentheses it is in.
type sqlTok struct {
	start, end    int
	word, comment bool
	depth         int
}

// sqlTokens calls fn with each token of query in order, until fn returns
// false; it reports false when a string, quoted name or comment does not
// end.
func sqlTokens(query string, fn func(sqlTok) bool) bool {
	depth := 0
	for i := 0; i < len(query); {
		t := sqlTok{start: i, depth: depth}
		if nameByte(query[i]) {
			t.end, t.word = i, true
			for t.end < len(query) && nameByte(query[t.end]) {
				t.end++
			}
		} else if t.end, t.comment = sqlToken(query, i, true); t.end < 0 {
			return false
		}
		switch query[i] {
		case '(':
			depth++
		case ')':
			depth--
			t.depth = depth
		}
		if !fn(t) {
			return true
		}
		i = t.end
	}
	return true
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
	if err := perShardValues(st.returning.list, st.returning.clause, "RETURNING over several shards", "number the rows in the client, or write to one shard", "read it in a statement of its own"); err != nil {
		return nil, err
	}
	switch ast := st.returning.prefix.AST.(type) {
	case *sqlparser.Insert:
		if mayMeetDuplicate(st) || p.rowShards == nil {
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
	if _, ok := st.returning.prefix.AST.(*sqlparser.Insert); ok && !mayMeetDuplicate(st) {
		o.res = multiResult{lastID: int64(first)}
	}
}

// returned keeps the insert id of st, an INSERT, REPLACE or DELETE …
// RETURNING that ran as o: the first id a sequence gave (returnedID), or
// none the session can see: for an INSERT of an unsharded table, whose
// server may have generated one, and for INSERT IGNORE or ON DUPLICATE
// KEY UPDATE, whose row may have met a duplicate (see filledID).
func (s *Session) returned(st *Statement, o *op) {
	switch _, insert := st.returning.prefix.AST.(*sqlparser.Insert); {
	case o.res != nil:
		if id, err := o.res.LastInsertId(); err == nil && id != 0 {
			s.lastInsertID, s.lastIDUnknown = uint64(id), false
		}
	case insert && (s.r.argFree(st.returning.prefix) || mayMeetDuplicate(st)):
		s.lastIDUnknown = true
	}
}

// MariaDB's SET STATEMENT var = value [, …] FOR statement runs the
// statement with the variables set for it alone. The parser does not
// read it; over a sharded table the router routes it by the statement,
// and each shard runs its part with the same variables. Only variables
// that change how long or how the server works, not what the statement
// answers, are taken (see setStatementVars): a row limit, an SQL mode or
// a character set would make each shard's part answer otherwise than
// the router merges, or read its text otherwise than the router did.

// setStatement is the SET STATEMENT … FOR of a statement: the text up to
// the statement (lead), and the statement's classification.
type setStatement struct {
	lead  string
	inner *Statement
	// refused, when set, refuses it over a sharded table: it sets a
	// variable the router does not take there (see setStatementVars).
	refused error
}

// setStatementVars are the variables SET STATEMENT may set for a
// statement over a sharded table. max_join_size is not one: each shard
// weighs its own part's rows against it, so a read one server refuses
// (1104) would answer. max_statement_time bounds each part, which the
// README says.
var setStatementVars = map[string]bool{
	"max_statement_time": true, "lock_wait_timeout": true, "innodb_lock_wait_timeout": true,
	"long_query_time": true, "log_slow_query": true, "log_slow_query_time": true, "log_slow_verbosity": true,
	"optimizer_switch": true, "optimizer_search_depth": true, "optimizer_prune_level": true, "optimizer_use_condition_selectivity": true,
	"join_buffer_size": true, "join_cache_level": true, "sort_buffer_size": true, "read_buffer_size": true, "read_rnd_buffer_size": true,
	"tmp_table_size": true, "tmp_memory_table_size": true, "max_heap_table_size": true, "histogram_size": true,
	"use_stat_tables": true, "optimizer_max_sel_arg_weight": true, "max_seeks_for_key": true,
}

// errSetStatementVar refuses SET STATEMENT of another variable over a
// sharded table.
var errSetStatementVar = unsupported("SET STATEMENT of a variable that may change what a statement over a sharded table answers, or how its text reads",
	"the router takes max_statement_time, lock_wait_timeout, innodb_lock_wait_timeout, the optimizer's and the buffers' variables; SET the others for the session, which the router keeps on every connection")

// setStatementOf reads query, a text the parser does not read, as SET
// STATEMENT assignments FOR a read or a write the parser reads, or
// returns nil.
func (c *classifier) setStatementOf(query string) *setStatement {
	at, vars := setStatementFor(query)
	if at < 0 {
		return nil
	}
	inner := c.classify(strings.TrimSpace(query[at:]))
	switch inner.Kind {
	case Read, LockingRead, Write:
	default:
		return nil
	}
	s := &setStatement{lead: query[:at], inner: inner}
	for _, v := range vars {
		if !setStatementVars[v] {
			s.refused = errSetStatementVar
		}
	}
	return s
}

// setStatementFor is the index in query just past the FOR of SET
// STATEMENT … FOR, and the names of the variables it sets, lower-cased;
// -1 when query is not such a statement or its assignments cannot be
// read (a name in quotes, a comment among them).
func setStatementFor(query string) (int, []string) {
	var words []string // the top-level words and commas, upper-cased, in order
	var vars []string
	at := -1
	ended := sqlTokens(query, func(t sqlTok) bool {
		text := query[t.start:t.end]
		named := len(words) > 1 && (words[len(words)-1] == "STATEMENT" || words[len(words)-1] == ",") // a variable's name comes next
		switch {
		case t.comment && len(words) > 0, t.depth == 0 && named && text[0] == '`':
			vars = nil // a comment among the assignments, a name in quotes
			return false
		case !t.word:
			if t.depth == 0 && text == "," {
				words = append(words, ",")
			}
			return true
		case len(words) < 2:
			if w := strings.ToUpper(text); w != [...]string{"SET", "STATEMENT"}[len(words)] {
				return false
			}
		case t.depth == 0 && strings.EqualFold(text, "FOR"):
			at = t.end
			return false
		case t.depth == 0 && named:
			vars = append(vars, strings.ToLower(text))
		}
		words = append(words, strings.ToUpper(text))
		return true
	})
	if !ended || at < 0 || len(vars) == 0 {
		return -1, nil
	}
	return at, vars
}

// planSetStatement plans SET STATEMENT … FOR a statement over a sharded
// table by the statement: each text sent runs with the lead. A plan that
// sends the text unchanged sends the whole; a lean merge, whose shard
// texts are made at run time, is not used.
func (r *Router) planSetStatement(st *Statement, args []any) (*plan, error) {
	s := st.setStatement
	if s.refused != nil {
		return nil, s.refused
	}
	p, err := r.planOnce(s.inner, args)
	if err != nil || p.Sequence != "" || p.Queries == nil && p.text == "" {
		return p, err
	}
	q := *p
	q.lean = nil
	if p.text != "" {
		q.text = s.lead + " " + p.text
	}
	if p.Queries != nil {
		q.Queries = make(map[int]string, len(p.Queries))
		for i, text := range p.Queries {
			q.Queries[i] = s.lead + " " + text
		}
	}
	return &q, nil
}
