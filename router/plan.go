package router

import (
	"errors"
	"fmt"
	"github.com/go-sql-driver/mysql"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/topology"
	"vitess.io/vitess/go/vt/sqlparser"
)

// Plan types, as `scalelab query --route` shows them and Stats counts them.
const (
	PlanUnsharded   = "unsharded"
	PlanSingleShard = "single-shard"
	PlanMultiShard  = "multi-shard"
	PlanScatter     = "scatter"
)

// ErrUnsupported is wrapped by every refusal of a statement the router
// cannot run correctly: over shards, or as the server reads it. The
// message names the shape, and says how to write it instead.
var ErrUnsupported = errors.New("router: unsupported")

// Refusals of texts the router cannot read as the server does (see
// Statement.refused): a read of the session's values in a text with a
// MariaDB executable comment or in a text the parser cannot read, a //
// the parser reads as a comment, a versioned comment whose end depends on
// the server's version or that the parser runs where MariaDB may skip it,
// a variable's name the parser ends elsewhere, a read of a sequence's last
// value, a text with a MariaDB comment the router cannot read to its end,
// and KILL.
var (
	errCommentReadsSession = unsupported("LAST_INSERT_ID(), ROW_COUNT(), FOUND_ROWS() or CONNECTION_ID() in a text with a MariaDB executable comment /*M! … */",
		"the router answers them from the session's own values by rewriting the statement from its syntax tree, which holds neither the comment nor its SQL; write the statement as plain SQL")
	errSlashSlash = unsupported("// outside a string or comment",
		"the parser reads it as a comment to the end of the line, MariaDB as a division and then the rest; write the division without a comment between its slashes")
	errVersionedUnread = unsupported("a versioned comment /*!NNNNN … */ holding */ in a string or comment of its own",
		"a server its version leaves out ends the comment at that */, and the router does not know the server's version; write it as plain SQL")
	errUnparsedReadsSession = unsupported("LAST_INSERT_ID(), ROW_COUNT(), FOUND_ROWS() or CONNECTION_ID() in a statement the router cannot parse",
		"the router answers them from the session's own values by rewriting the statement, which it cannot do without parsing it; select the value in a statement of its own")
	errVariableUnread = unsupported("a variable's name followed by a quote, or quoted with a byte that cannot be in an unquoted name (@a'x', @'a b')",
		"the parser reads the name, and what follows it, otherwise than MariaDB; put a space between the name and a string, or quote the name in backquotes")
	errVersionedReadsOtherwise = unsupported("a versioned comment /*!NNNNN … */ that MariaDB skips and the parser runs, or may run, changing how the statement routes",
		"MariaDB leaves MySQL's versions from 5.7 on to MySQL, and a six-digit version above its own; write it as plain SQL")
	errSequenceSession = unsupported("LASTVAL() or PREVIOUS VALUE FOR, the connection's last value of a sequence",
		"the router's pooled connections do not keep it; use the value NEXTVAL() returned")
	// SHOW WARNINGS and the like read the diagnostics of the statement
	// before on the connection that runs them, which was another
	// statement's (another client's): the router runs a client's
	// statements on pooled connections over several servers.
	errDiagnostics   = fmt.Errorf("%w: SHOW WARNINGS, SHOW ERRORS, GET DIAGNOSTICS, @@warning_count, @@error_count and @@last_gtid describe the statement (or the transaction) before on the connection that ran it, and the router runs each statement on whichever pooled connection of its server is free, so they would describe another statement (another client's); a session answers SHOW WARNINGS, SHOW ERRORS, SHOW COUNT(*) … and SELECT @@warning_count itself from the conditions its servers listed, after a write, a relayed read or a read in a transaction or a session with state, but it does not know them after a read merged over shards or one over the shared pool that the relay did not take, a SET or an error", ErrConnectionValue)
	errCommentUnread = unsupported("a MariaDB executable comment /*M! … */ in a text whose comment, string or quoted name does not end where the router reads it",
		"the router cannot tell what the comment runs; write it as plain SQL")
	// A KILL names a connection, or a user's connections, of one server,
	// and the router's connections are pooled over many: sent to a
	// primary as written, KILL 12 ended whatever connection that server
	// numbers 12 (another client's statement), and KILL USER the router's
	// own pooled connections. So is a statement that runs one (SET
	// STATEMENT … FOR KILL 12, BEGIN NOT ATOMIC … END, PREPARE … FROM).
	// SQL built at run time (PREPARE s FROM @q, EXECUTE IMMEDIATE
	// CONCAT(…)) may be a KILL, or anything else the router cannot see.
	errDynamicSQL = unsupported("SQL-level PREPARE from a variable, an expression or an introduced or hex string, or EXECUTE IMMEDIATE: a statement the router cannot read",
		"it may run anything, a KILL of another client's pooled connection included; use the protocol's prepared statements (any driver's Prepare), or PREPARE from a plain string")
	errKill = unsupported("KILL, or a statement that runs one",
		"a connection id names a connection of one server, and the router's connections are pooled over many; scalelab proxy answers a plain KILL [CONNECTION | QUERY] N itself, N being the id its login reported")
)

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
	// text, for a one-shard plan without Queries, is the statement to
	// send in place of the caller's (arguments bound): a statement with
	// RETURNING that the router rewrote for its shard (see
	// planReturning).
	text string
	// rowShards, for an INSERT split over shards, is the shard of each
	// of its rows, in the statement's order.
	rowShards []int
	// Merge says how the router combines the shards' rows; nil for a
	// single-shard plan.
	Merge *mergeSpec
	// PushedDown and Merged explain the plan in words.
	PushedDown string
	Merged     string
	// Sequence, for an INSERT that needs ids: the table whose sequence
	// fills the shard-key column.
	Sequence string
	// fills are the columns a Sequence plan's INSERT gets ids in, and
	// columns the table's columns, for an INSERT without a column list
	// that gets a column added.
	fills   []seqFill
	columns sqlparser.Columns
	// Table is the sharded table that decided the shards.
	Table string
	// keyMax is the largest key an INSERT gives its rows, as an unsigned
	// integer (0 for none), which the table's sequence then moves past
	// (see Router.pastKey); autoMax is the largest its AUTO_INCREMENT
	// column auto, when that is not the key, is given, which that
	// column's sequence moves past.
	keyMax, autoMax uint64
	auto            string
	// sets are the replica sets that Shards index: those of the schema
	// the plan was made over, even if a reshard replaced them since.
	sets []*replica.Set
	// lean, for a merge whose full form sends sort keys, is the form
	// without them, used once a run has shown it fits (see leanPlan).
	lean *leanPlan
	// keyTypesOf are the tables whose key columns' types, not read yet or
	// not lately, a key past 2^53 wanted (see Router.planTyped).
	keyTypesOf []string
	// pastDoubles is set when a key past 2^53 pinned or unpinned it by
	// its column's type, which may change: such a plan is not kept.
	pastDoubles bool
	// unpinned is the table whose key past 2^53 its column's type left
	// unpinned (see Router.pinExact), for the reason of a refusal.
	unpinned string
}

// leanPlan is a merge plan that asks the shards for only the sort keys
// its compared columns need. The full plan asks for the collation sort key
// (WEIGHT_STRING) and the pad of every ORDER BY, GROUP BY, MIN and MAX
// term, as the router cannot tell a text term from a number or a date
// before it sees the result's columns; for the others they cost the shards
// more than the rest of the query (ORDER BY dt DESC, id DESC LIMIT 10 took
// 430-470 µs on four shards against 310-350 without). The first run uses
// the full plan and learns each term's column type; the lean plan, built
// from them, keeps both keys for text, WEIGHT_STRING alone for a date read
// as a time.Time (whose value cannot tell '0000-00-00' from '0001-01-01'),
// and none for numbers, times and dates read as text. A lean run that finds
// a term's type changed (the schema did) runs the full plan again, and the
// lean plan stays off.
type leanPlan struct {
	// build plans the merge again with keyOf deciding each term's keys.
	build func(keyOf sortKeyFunc) (*mergeSpec, map[int]string, error)
	state atomic.Int32 // leanUnknown, leanBuilding, leanFit, leanUnfit
	// form is the lean plan, once state is leanFit.
	form atomic.Pointer[leanForm]
}

type leanForm struct {
	queries map[int]string
	merge   *mergeSpec
}

// sortKeyFunc returns the sort-key expressions of a compared term: key
// and pad (see sortKeyExprs), or a nil key for a term that needs none.
type sortKeyFunc func(sqlparser.Expr) (key, pad sqlparser.Expr, err error)

const (
	leanUnknown = iota
	leanBuilding
	leanFit
	leanUnfit
)

// learn builds the lean plan from the needs a full run found, by the text
// of each compared term.
func (l *leanPlan) learn(r *Router, needs map[string]keyNeed) {
	if !l.state.CompareAndSwap(leanUnknown, leanBuilding) {
		return
	}
	spec, queries, err := l.build(func(e sqlparser.Expr) (key, pad sqlparser.Expr, err error) {
		switch needs[sqlparser.String(e)] {
		case needNone:
			return nil, nil, nil
		case needWeight:
			key, _, err := r.sortKeyExprs(e)
			return key, sqlparser.NewStrLiteral(""), err
		}
		return r.sortKeyExprs(e)
	})
	if err != nil || !fewerKeys(needs) {
		l.state.Store(leanUnfit)
		return
	}
	spec.lean, spec.built = l, needs
	l.form.Store(&leanForm{queries: queries, merge: spec})
	l.state.Store(leanFit)
}

// planFresh plans st over one routing schema, even while Follow replaces
// it, without looking for or keeping a memo.
func (r *Router) planFresh(st *Statement, args []any) (*plan, error) {
	return r.vs.stable(func() (*plan, error) {
		p, err := r.planOnce(st, args)
		if p != nil {
			p.sets = r.vs.curSets()
		}
		return p, err
	})
}

// madeOver is what a plan kept on a statement was made over: the router,
// the version of its routing schema, and its topology.
type madeOver struct {
	r       *Router
	version uint64
	topo    *topology.Topology
}

// over reports whether the kept plan was made over r at version v of its
// schema and topology topo.
func (m madeOver) over(r *Router, v uint64, topo *topology.Topology) bool {
	return m.r == r && m.version == v && m.topo == topo
}

// memoPlan is a plan kept on its statement, with what it was made over.
type memoPlan struct {
	madeOver
	p *plan
}

// planStatement decides where a classified statement goes, over one
// routing schema even while Follow replaces it.
//
// A statement without arguments always gets the same plan over the same
// schema, as does one that names no sharded table whatever its arguments
// (argFree), and the classifier hands out one *Statement per text, so that
// plan is kept on the statement: a client that sends the same texts again
// (a bench, an application with inlined literals) plans each once. The
// plan is made again once the schema, its sets or the topology changed.
// Plans are never modified after planning.
func (r *Router) planStatement(st *Statement, args []any) (*plan, error) {
	// A text too long for the classifier's cache is classified anew each
	// time, so its statement is never seen again.
	v, topo := r.vs.version.Load(), r.topo.Load()
	memo := st.AST != nil && len(st.Text) <= maxCachedBytes && (len(args) == 0 || r.argFree(st))
	if memo && v%2 == 0 {
		if m := st.memo.Load(); m != nil && m.over(r, v, topo) {
			return m.p, nil
		}
	}
	keyed := !memo && st.AST != nil && len(st.Text) <= maxCachedBytes && len(args) > 0 && v%2 == 0
	if keyed {
		if rc := st.recipe.Load(); rc != nil && rc.over(r, v, topo) {
			if p := rc.plan(r, args); p != nil && r.vs.version.Load() == v {
				return p, nil
			}
			keyed = false // the recipe is current: a fresh plan changes nothing of it
		}
	}
	p, err := r.planFresh(st, args)
	if err == nil && memo && p.Sequence == "" && !p.pastDoubles && v%2 == 0 && r.vs.version.Load() == v && r.topo.Load() == topo {
		st.memo.Store(&memoPlan{madeOver{r, v, topo}, p})
	}
	if keyed && r.vs.version.Load() == v && r.topo.Load() == topo {
		rc := &recipe{madeOver: madeOver{r, v, topo}} // a refusal's: planned afresh
		if err == nil {
			rc = r.recipeFor(st, p, args, v, topo)
		}
		st.recipe.Store(rc)
	}
	return p, err
}

// recipe is the plan of a statement of one sharded table pinned to one
// shard by one placeholder (WHERE id = ?), kept on its statement: the
// plan is the same for every argument but for the shard, which the
// argument's key value decides. A prepared statement, or a relayed shape
// (see shapeOf) of such a text, is then planned by hashing one value,
// where planning it afresh (the analysis of its scopes and facts) took
// 2-5 µs a statement (2.4 µs for WHERE id = ?, BenchmarkRouteSingleShard).
// A recipe with no key placeholder (key nil) records that the statement
// has none, so that its plan is made afresh.
type recipe struct {
	madeOver
	args  int // how many arguments the statement takes
	key   *sqlparser.Argument
	rule  tableRule
	table string  // the sharded table, lower-cased
	plans []*plan // by shard index
}

// plan returns the plan of the recipe's statement with args, or nil when
// the recipe does not decide it: the key's argument is no single integer
// the shard key can equal (NULL, a fraction, an expression), which leaves
// the statement unpinned, or no shard takes it.
func (rc *recipe) plan(r *Router, args []any) *plan {
	if rc.key == nil || len(args) != rc.args {
		return nil
	}
	v, ok := keyValue(rc.key, args)
	if !ok {
		return nil
	}
	if beyondDoubles(v) && !r.keys.exactFresh(rc.table) {
		return nil // planned afresh (see pinExact)
	}
	i, err := r.vs.shardOf(rc.rule, v)
	if err != nil || i < 0 || i >= len(rc.plans) {
		return nil
	}
	return rc.plans[i]
}

// onePinned reports whether p sends its statement unchanged to one shard.
func onePinned(p *plan) bool {
	return p.Type == PlanSingleShard && p.Queries == nil && p.text == "" && p.Merge == nil && p.Sequence == "" && len(p.Shards) == 1
}

// keyedByArgument reports whether st has a recipe that plans it by one
// argument, or has not been planned with arguments over the routing
// schema and topology of now.
func (r *Router) keyedByArgument(st *Statement) bool {
	rc := st.recipe.Load()
	if rc == nil || !rc.over(r, r.vs.version.Load(), r.topo.Load()) {
		return true
	}
	return rc.key != nil
}

// recipeFor makes st's recipe from p, the plan made afresh with args. The
// statement qualifies when its analysis, made with every placeholder
// standing for a key value (so that no fact is missing for an argument
// that happened to be NULL), finds one table, sharded, no union, derived
// table or subquery, and one fact with values on it: its shard key equal
// to a placeholder. Every argument that is a key value then pins the
// statement to that value's shard, and to nothing else, and the plan
// (one shard, the statement unchanged) is p's with that shard; or, if
// args pinned nothing (the key's was NULL), the plan with the probe's.
func (r *Router) recipeFor(st *Statement, p *plan, args []any, v uint64, topo *topology.Topology) *recipe {
	rc := &recipe{madeOver: madeOver{r, v, topo}, args: len(args)}
	sel, ok := st.AST.(*sqlparser.Select)
	if !ok {
		return rc
	}
	probe := make([]any, len(args))
	for i := range probe {
		probe[i] = int64(i + 1)
	}
	a := r.analyze(sel, probe)
	if a.unions > 0 || a.derived > 0 || a.subqueries > 0 || len(a.refs) != 1 || !a.refs[0].sharded || a.refs[0].system {
		return rc
	}
	ref := a.refs[0]
	var key *fact
	for i, f := range ref.facts {
		switch {
		case f.values == nil:
			return rc // a column equal to another: leave it to the analysis
		case key != nil:
			return rc // two facts pin the key
		}
		key = &ref.facts[i]
	}
	if key == nil || key.arg == nil || len(key.values) != 1 || key.a != (colID{ref, ref.rule.Column}) {
		return rc
	}
	if !onePinned(p) {
		var err error
		if p, err = r.planFresh(st, probe); err != nil || !onePinned(p) {
			return rc
		}
	}
	rc.key, rc.rule, rc.table = key.arg, ref.rule, ref.name
	rc.plans = make([]*plan, len(p.sets))
	for i := range rc.plans {
		q := *p
		q.Shards = []int{i}
		rc.plans[i] = &q
	}
	return rc
}

// argFree reports whether st's plan cannot depend on its arguments: it
// names no sharded table (planOnce decides before it reads any), as a
// prepared statement or a relayed shape (see shapeOf) of an unsharded
// table does. Its plan is then kept as an argument-less statement's.
func (r *Router) argFree(st *Statement) bool {
	if !r.vs.sharded() {
		return true
	}
	for _, t := range st.Tables {
		if _, ok := r.vs.rule(t); ok {
			return false
		}
	}
	return true
}

func (r *Router) planOnce(st *Statement, args []any) (*plan, error) {
	home, err := r.vs.statementHome(r.keyspaceTables(st))
	if err != nil {
		return nil, err
	}
	if st.Assigns {
		// Refused in every topology: even with one shard, the statement
		// runs on one of many connections (a replica's, a pooled one),
		// the session's next statement reads the variable on another,
		// and the pooled connection keeps it for another client.
		return nil, unsupported("assignment to a user variable (:= or SELECT … INTO @v)", "it would set the variable on one pooled connection only; select the value, then SET @v to it, which the router keeps on every connection of the session")
	}
	if st.refused != nil {
		return nil, st.refused
	}
	if st.Kind == Unparsed && !st.Sticky && unparsedSet(st.Text) {
		// A SET the router cannot read would change one connection's
		// state and not the session's (SET @v := 0 is one). SET
		// STATEMENT … FOR sets nothing beyond its statement.
		return nil, unsupported("SET the router cannot read", "write it as SET @v = … or SET name = …; a session keeps the SETs it reads on every connection")
	}
	if st.MariaDBComment {
		switch st.AST.(type) {
		case nil, *sqlparser.CommentOnly, *sqlparser.OtherAdmin:
			// All the statement says is in the comment: it may SET or
			// lock on the pooled connection, over one shard too.
			return nil, unsupported("MariaDB executable comment /*M! … */ holding the whole statement", "the router cannot see the SQL it holds; write it as plain SQL")
		}
	}
	if !r.vs.sharded() {
		return &plan{Type: PlanUnsharded, Shards: []int{home}}, nil
	}
	if (st.returning != nil || st.setStatement != nil) && !st.MariaDBComment && !st.VersionedComment && r.namesShardedTable(st.Text) != "" {
		if st.setStatement != nil {
			return r.planSetStatement(st, args)
		}
		return r.planReturning(st, args)
	}
	if err := r.refuseOneShardOnly(st); err != nil {
		return nil, err
	}
	if st.Kind == Unparsed || st.AST == nil {
		return &plan{Type: PlanUnsharded, Shards: []int{home}}, nil
	}
	var sharded []string
	for _, t := range st.Tables {
		if _, ok := r.vs.rule(t); ok {
			sharded = append(sharded, t)
		}
	}
	if len(sharded) == 0 {
		return &plan{Type: PlanUnsharded, Shards: []int{home}}, nil
	}
	switch ast := st.AST.(type) {
	case *sqlparser.Select, *sqlparser.Union:
		p, err := r.planRead(ast.(sqlparser.TableStatement), st.Text, args)
		if err == nil && len(p.Shards) > 1 && st.NodeVariable {
			return nil, unsupported("a variable of the server that runs it (@@read_only, @@server_id, @@port, a GTID position…) in a query over several shards",
				"each shard's primary would answer its own; read it in a statement of its own, which the primary answers")
		}
		if err == nil && len(p.Shards) > 1 && primaryOnly(ast) {
			// Each shard would advance the sequence, or write the file.
			return nil, unsupported("NEXTVAL, SETVAL, NEXT VALUE FOR, INTO OUTFILE or INTO DUMPFILE in a query over several shards",
				"every shard would run it; take the sequence's value, or write the file, in a statement of its own")
		}
		return p, err
	case *sqlparser.Insert:
		return perShard(st, ast)(r.planInsert(ast, args))
	case *sqlparser.Update:
		if k := updatesKey(ast, r); k != "" {
			return nil, unsupported("UPDATE of the shard key "+k, "changing it moves the row to another shard: DELETE it and INSERT it again")
		}
		return perShard(st, ast)(r.planWrite(ast, args))
	case *sqlparser.Delete:
		return perShard(st, ast)(r.planWrite(ast, args))
	}
	switch st.Kind {
	case DDL:
		// Schema changes of a sharded table apply to every shard. An
		// unsharded table lives on the first shard only, so a statement
		// that also names one would fail, or half apply, on the others;
		// a sharded table renamed to a name the topology does not shard
		// would be read from one shard.
		for _, t := range st.Tables {
			if _, ok := r.vs.rule(t); !ok {
				return nil, unsupported(fmt.Sprintf("DDL naming sharded table %s and unsharded table %s", sharded[0], t), "run one statement per table; to rename a sharded table, change the topology's tables section too")
			}
		}
		p := &plan{Type: PlanScatter, Shards: r.vs.keyspaceShards(sharded[0]), Queries: map[int]string{}, PushedDown: "the DDL runs on every shard's primary"}
		for _, i := range p.Shards {
			p.Queries[i] = st.Text
		}
		if len(args) > 0 {
			return nil, unsupported("DDL with placeholders", "")
		}
		return p, nil
	case Read:
		// SHOW and EXPLAIN describe the first shard's copy of the schema.
		return &plan{Type: PlanUnsharded, Shards: []int{home}}, nil
	}
	return nil, unsupported(fmt.Sprintf("%s statement on sharded table %s", st.Kind, sharded[0]), "")
}

// unparsedSet reports whether text, a statement the parser cannot read,
// is a SET (its comments left out, SQL of executable ones kept) other than
// SET STATEMENT … FOR.
func unparsedSet(text string) bool {
	lead := leadingWords(withoutComments(text), 2)
	return lead == "SET" || strings.HasPrefix(lead, "SET ") && lead != "SET STATEMENT"
}

// refuseOneShardOnly refuses statements that the router cannot see into or
// cannot combine, and that would otherwise run silently on one shard:
// anything unparsed or administrative that names a sharded table, and
// SQL-level PREPARE of a statement on one (its EXECUTE would run on
// whichever connection holds it, over one shard's rows).
func (r *Router) refuseOneShardOnly(st *Statement) error {
	if st.MariaDBComment {
		// MariaDB runs the SQL in these comments; the parser skips it.
		return unsupported("MariaDB executable comment /*M! … */", "the router cannot see the SQL it holds; write it as plain SQL")
	}
	if st.VersionedComment {
		// /*!NNNNN … */ runs on servers of version NNNNN or later, and
		// MariaDB and MySQL number their versions differently: the parser
		// cannot know whether the server will run it.
		return unsupported("versioned executable comment /*!NNNNN … */", "the router cannot tell whether the server runs it; write it as plain SQL")
	}
	switch ast := st.AST.(type) {
	case nil, *sqlparser.OtherAdmin:
		// PREPARE and EXECUTE IMMEDIATE of a text the parser cannot read
		// were refused with the statement (errDynamicSQL).
		shape := statementShape(st.Text)
		if shape == "EXECUTE" {
			return unsupported("SQL-level EXECUTE of a statement the router cannot read",
				"use the protocol's prepared statements (any driver's Prepare) or plain queries")
		}
		if t := r.namesShardedTable(st.Text); t != "" {
			return unsupported(shape+" on sharded table "+t,
				"the router cannot run it on every shard and combine the answers; run it on each shard's nodes (scalelab status lists them)")
		}
	case *sqlparser.PrepareStmt:
		// One from anything but a plain string was refused with the
		// statement (errDynamicSQL, Statement.refused).
		lit, ok := ast.Statement.(*sqlparser.Literal)
		if !ok {
			return errDynamicSQL
		}
		inner := r.cls.Classify(lit.Val)
		if inner.MariaDBComment {
			return unsupported("SQL-level PREPARE of a statement with a MariaDB executable comment", "write it as plain SQL")
		}
		t := ""
		for _, name := range inner.Tables {
			if _, ok := r.vs.rule(name); ok {
				t = name
			}
		}
		if t == "" && inner.Kind == Unparsed {
			t = r.namesShardedTable(lit.Val)
		}
		if t != "" {
			return unsupported("SQL-level PREPARE of a statement on sharded table "+t,
				"its EXECUTE would run on one shard's connection; use the protocol's prepared statements (any driver's Prepare) or plain queries")
		}
	}
	return nil
}

// assignsVariable reports whether a statement assigns a user variable,
// with := or with SELECT … INTO @v.
func assignsVariable(ast sqlparser.Statement) bool {
	return anyNode(ast, func(n sqlparser.SQLNode) bool {
		switch x := n.(type) {
		case *sqlparser.AssignmentExpr:
			return true
		case *sqlparser.SelectInto:
			return len(x.VarList) > 0
		}
		return false
	})
}

// sessionCall names the call n is of a function without arguments whose
// value is the connection's: "last_insert_id", "row_count", "found_rows"
// or "connection_id"; "" for anything else.
func sessionCall(n sqlparser.SQLNode) string {
	if name, args := builtinCall(n); args == 0 {
		switch name {
		case "last_insert_id", "row_count", "found_rows", "connection_id":
			return name
		}
	}
	return ""
}

// sessionCalls reports which of the connection's values ast calls for.
func sessionCalls(ast sqlparser.Statement) (lastInsertID, rowCount, foundRows bool) {
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch sessionCall(n) {
		case "last_insert_id":
			lastInsertID = true
		case "row_count":
			rowCount = true
		case "found_rows":
			foundRows = true
		}
		return true, nil
	}, ast)
	return lastInsertID, rowCount, foundRows
}

// versionedComment reports whether text holds a /*!NNNNN comment with a
// version from 5.7 on: MariaDB skips those (its version numbers are
// 10.x), MySQL 8 runs those up to its own version, and the parser runs
// them as a MySQL 8.0.40 would. Older versions run everywhere.
func versionedComment(text string) bool {
	for i := strings.Index(text, "/*!"); i >= 0; i = strings.Index(text, "/*!") {
		if text = text[i+3:]; mariaDBMaySkip(text) {
			return true
		}
	}
	return false
}

// mariaDBMaySkip reports whether MariaDB may skip the versioned comment
// whose text after its /*! marker is body: its version, the first five or
// six digits, is from 50700 on (MySQL's 5.7 and later, which MariaDB
// leaves to MySQL, or a six-digit version, run only by a server at least
// that new).
func mariaDBMaySkip(body string) bool {
	n := 0
	for n < len(body) && n < 6 && body[n] >= '0' && body[n] <= '9' {
		n++
	}
	v, err := strconv.Atoi(body[:n])
	return err == nil && v >= 50700
}

// namesShardedTable returns a sharded table that text names as a word, or
// "". It is for statements the parser does not understand, so it errs on
// the side of finding one.
func (r *Router) namesShardedTable(text string) string {
	for _, w := range words(text) {
		if _, ok := r.vs.rule(w); ok {
			return w
		}
	}
	return ""
}

// statementShape names a statement in a refusal by its first words,
// upper-cased ("CHECKSUM TABLE", "EXECUTE IMMEDIATE"), after any leading
// comments.
func statementShape(text string) string {
	f := strings.Fields(leadingWords(text, 2))
	switch {
	case len(f) == 0:
		return ""
	case f[0] == "PREPARE":
		return "PREPARE"
	case f[0] == "EXECUTE" && (len(f) == 1 || f[1] != "IMMEDIATE"):
		return "EXECUTE"
	}
	return strings.Join(f, " ")
}

// perShard refuses the plan of a write over several shards whose values
// each shard would compute on its own where one server computes one: a
// seeded RAND(n), whose sequence starts again on each shard, ROWNUM(),
// and a variable of the server that runs it (@@port, @@server_id…), as
// a read over several shards refuses them.
func perShard(st *Statement, ast sqlparser.Statement) func(*plan, error) (*plan, error) {
	return func(p *plan, err error) (*plan, error) {
		if err != nil || len(p.Shards) < 2 {
			return p, err
		}
		return p, perShardValues(ast, st.Text, "a write over several shards", "compute the values first, or write to one shard", "read it first, then write the value")
	}
}

// perShardValues refuses node, a write over several shards or its
// RETURNING clause (where, with text, the node's text), when each shard's
// part would compute a value of its own where one server computes one:
// a sequence (ROWNUM(), a seeded RAND(n)), a variable of the server that
// runs it, or one of the transaction, which a branch of the write sees in
// the transaction the router opens on its shard. sequenceHint and
// variableHint say what to do instead.
func perShardValues(node sqlparser.SQLNode, text, where, sequenceHint, variableHint string) error {
	if f := sequential(node); f != "" {
		return unsupported(f+" in "+where, "each shard would start its own sequence; "+sequenceHint)
	}
	if !strings.Contains(text, "@@") {
		return nil
	}
	if v, _ := readsNodeVariable(node); v {
		return unsupported("a variable of the server that runs it (@@port, @@server_id, …) in "+where, "each shard would answer its own; "+variableHint)
	}
	if readsVariable(node, branchVariables...) {
		return unsupported("@@autocommit or @@in_transaction in "+where,
			"each shard's part runs in a transaction of the router's, where one server's statement runs alone; "+variableHint)
	}
	return nil
}

// branchVariables are the variables whose value a branch of a write over
// shards changes (see branchBegin).
var branchVariables = []string{"autocommit", "in_transaction"}

// readsVariable reports whether node reads one of the system variables
// names (@@name, @@session.name or @@global.name).
func readsVariable(node sqlparser.SQLNode, names ...string) bool {
	return anyNode(node, func(n sqlparser.SQLNode) bool {
		v, ok := n.(*sqlparser.Variable)
		return ok && v.Scope != sqlparser.VariableScope && slices.Contains(names, v.Name.Lowered())
	})
}

// leadingWords is up to n first words of text, upper-cased and joined by
// one space, after any leading comments.
func leadingWords(text string, n int) string {
	text = strings.TrimSpace(text)
	for strings.HasPrefix(text, "/*") || strings.HasPrefix(text, "#") || strings.HasPrefix(text, "-- ") {
		end, skip := strings.Index(text, "*/"), 2
		if !strings.HasPrefix(text, "/*") {
			end, skip = strings.IndexByte(text, '\n'), 1
		}
		if end < 0 {
			return ""
		}
		text = strings.TrimSpace(text[end+skip:])
	}
	f := strings.Fields(strings.ToUpper(text))
	if len(f) > n {
		f = f[:n]
	}
	return strings.Join(f, " ")
}

// pinned reports the one shard that every table reference of a statement
// is pinned to, if there is one. sharded is false when no reference is to
// a sharded table.
func (r *Router) pinned(a *analysis) (target int, ok, sharded bool, err error) {
	target, ok = -1, true
	for _, ref := range a.refs {
		var shard int
		switch {
		case ref.derived || ref.system:
			continue
		case !ref.sharded:
			shard = r.vs.home(ref.name) // unsharded tables live on their keyspace's first shard
		default:
			sharded = true
			vals := r.pinExact(a, ref)
			if vals == nil {
				ok = false
				continue
			}
			shards, _, err := r.shardsOf(ref.rule, vals)
			if err != nil {
				return 0, false, sharded, err
			}
			if len(shards) != 1 {
				ok = false
				continue
			}
			shard = shards[0]
		}
		if target >= 0 && shard != target {
			ok = false
		}
		target = shard
	}
	if target < 0 {
		target = 0
	}
	return target, ok, sharded, nil
}

// shardsOf maps shard-key values to their shards, and groups the values
// by shard.
func (r *Router) shardsOf(rule tableRule, values []any) ([]int, map[int][]any, error) {
	groups := map[int][]any{}
	for _, v := range values {
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

// refNames lists references for an error message: "images p, images c".
func refNames(refs []*tableRef) string {
	var out []string
	for _, ref := range refs {
		switch {
		case ref.derived:
			out = append(out, "derived table "+ref.alias)
		case ref.alias != ref.name && ref.alias != "":
			out = append(out, ref.name+" "+ref.alias)
		default:
			out = append(out, ref.name)
		}
	}
	return strings.Join(out, ", ")
}

func firstSharded(a *analysis) string {
	for _, ref := range a.refs {
		if ref.sharded {
			return ref.name
		}
	}
	return ""
}

// planRead plans a SELECT or UNION: on one shard when every table
// reference is pinned there; else, for one sharded table without
// subqueries, on its shards with a merge. Anything else is refused.
func (r *Router) planRead(stmt sqlparser.TableStatement, text string, args []any) (out *plan, err error) {
	a := r.analyze(stmt, args)
	defer func() { out, err = a.typed(out, err) }()
	target, ok, sharded, err := r.pinned(a)
	if err != nil {
		return nil, err
	}
	if !sharded {
		return &plan{Type: PlanUnsharded, Shards: []int{target}}, nil
	}
	if ok {
		return &plan{Type: PlanSingleShard, Shards: []int{target}, Table: firstSharded(a),
			PushedDown: "the whole statement, unchanged"}, nil
	}
	sel, isSelect := stmt.(*sqlparser.Select)
	switch {
	case !isSelect || a.unions > 0:
		return nil, unsupported("UNION over a scattered table ("+refNames(a.refs)+")", "pin every SELECT to one shard with its key, or run each SELECT on its own")
	case a.derived > 0:
		return nil, unsupported("derived table or CTE over a scattered table ("+refNames(a.refs)+")", "pin every sharded table in it to one shard with its key")
	case a.subqueries > 0:
		return nil, unsupported("subquery over a scattered table ("+refNames(a.refs)+")", "pin every sharded table to one shard with its key")
	case len(a.refs) > 1:
		return nil, unsupported("cross-shard join of "+refNames(a.refs),
			"joins run only when every joined sharded table is pinned to the same shard by its key, e.g. likes.image_id = images.id = ?")
	}
	ref := a.refs[0]
	boundSel, err := bindArgs(sel, args)
	if err != nil {
		return nil, err
	}
	named := boundSel.(*sqlparser.Select)
	r.keepNames(named, text)
	spec, bound, err := planMerge(named, r.sortKeyExprs)
	if err != nil {
		return nil, err
	}
	p := &plan{Merge: spec, Table: ref.name}
	if err := r.fanOut(p, bound, ref); err != nil {
		return nil, err
	}
	if spec.sortKeys() {
		p.lean = &leanPlan{build: func(keyOf sortKeyFunc) (*mergeSpec, map[int]string, error) {
			lspec, lbound, err := planMerge(named, keyOf)
			if err != nil {
				return nil, nil, err
			}
			lp := &plan{Merge: lspec, Table: ref.name}
			if err := r.fanOut(lp, lbound, ref); err != nil {
				return nil, nil, err
			}
			return lspec, lp.Queries, nil
		}}
		spec.sibling = p.lean
	}
	p.PushedDown, p.Merged = spec.explain()
	if p.Type == PlanMultiShard {
		p.PushedDown = strings.Replace(p.PushedDown, "the query", "the query with each shard's own keys in its IN list", 1)
	}
	return p, nil
}

// planWrite plans an UPDATE or DELETE: one table, on the shards its key
// pins it to, or on every shard as an explicit multi-shard write. A write
// that also reads other tables or subqueries runs only when all of them
// are pinned to the same shard.
func (r *Router) planWrite(stmt sqlparser.Statement, args []any) (out *plan, err error) {
	a := r.analyze(stmt, args)
	defer func() { out, err = a.typed(out, err) }()
	target, ok, _, err := r.pinned(a)
	if err != nil {
		return nil, err
	}
	if ok {
		return &plan{Type: PlanSingleShard, Shards: []int{target}, Table: firstSharded(a), PushedDown: "the whole statement, unchanged"}, nil
	}
	var sharded []*tableRef
	for _, ref := range a.refs {
		if ref.sharded {
			sharded = append(sharded, ref)
		}
	}
	switch {
	case len(sharded) != 1 || len(a.refs) > 1:
		return nil, unsupported("multi-table write over "+refNames(a.refs)+" across shards", "pin every table to one shard with its key")
	case a.subqueries > 0 || a.derived > 0:
		return nil, unsupported("write with a subquery over several shards ("+refNames(a.refs)+")", "pin the statement to one shard with its key")
	}
	ref := sharded[0]
	var limit *sqlparser.Limit
	switch s := stmt.(type) {
	case *sqlparser.Update:
		limit = s.Limit
	case *sqlparser.Delete:
		limit = s.Limit
	}
	if limit != nil {
		return nil, unsupported("write with LIMIT over several shards ("+ref.name+")", "each shard would apply the LIMIT to its own rows; pin the statement to one shard with its key")
	}
	bound, err := bindArgs(stmt, args)
	if err != nil {
		return nil, err
	}
	p := &plan{Table: ref.name}
	if err := r.fanOut(p, bound, ref); err != nil {
		return nil, err
	}
	p.PushedDown = "the statement with each shard's own keys in the IN list"
	if p.Type == PlanScatter {
		p.PushedDown = "the statement, to every shard (an explicit multi-shard write)"
	}
	return p, nil
}

// fanOut sets p's type, shards and per-shard statements for a statement
// over one sharded reference: the shards its key pins it to, each asked
// for its own keys (multi-shard), or every shard (scatter).
func (r *Router) fanOut(p *plan, bound sqlparser.Statement, ref *tableRef) error {
	p.Queries = map[int]string{}
	vals := ref.pin()
	if vals == nil {
		p.Type, p.Shards = PlanScatter, r.vs.keyspaceShards(ref.name)
		text := sqlparser.String(bound)
		for _, i := range p.Shards {
			p.Queries[i] = text
		}
		return nil
	}
	shards, _, err := r.shardsOf(ref.rule, vals)
	if err != nil {
		return err
	}
	p.Type, p.Shards = PlanMultiShard, shards
	for _, i := range shards {
		p.Queries[i] = r.rewriteIn(bound, ref, i)
	}
	return nil
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

func splitAnd(e sqlparser.Expr) []sqlparser.Expr {
	if a, ok := e.(*sqlparser.AndExpr); ok {
		return append(splitAnd(a.Left), splitAnd(a.Right)...)
	}
	return []sqlparser.Expr{e}
}

// rewriteIn returns the statement with the IN list on the reference's
// shard key cut to the items whose keys are shard's, so each shard is
// asked only for its own keys. The items are kept as the client wrote
// them: a key the router reads as a value ('7.00000000000000000001' as
// 7) is what the server compares otherwise (as no integer). It rewrites
// only when the WHERE clause has exactly one such IN list and no other
// comparison of the key, and every item's key is read; otherwise the
// statement goes unchanged, which is as correct (a shard holds only its
// own rows), just less selective.
func (r *Router) rewriteIn(bound sqlparser.Statement, ref *tableRef, shard int) string {
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
		return sqlparser.String(bound)
	}
	isKey := func(e sqlparser.Expr) bool {
		col, ok := e.(*sqlparser.ColName)
		return ok && strings.EqualFold(col.Name.String(), ref.rule.Column) &&
			(col.Qualifier.IsEmpty() || col.Qualifier.Name.String() == ref.alias)
	}
	var target *sqlparser.ComparisonExpr
	n := 0
	for _, e := range splitAnd(where.Expr) {
		cmp, ok := e.(*sqlparser.ComparisonExpr)
		if !ok || !(isKey(cmp.Left) || isKey(cmp.Right)) {
			continue
		}
		n++
		if cmp.Operator == sqlparser.InOp && isKey(cmp.Left) {
			target = cmp
		}
	}
	if n != 1 || target == nil {
		return sqlparser.String(bound)
	}
	items, ok := target.Right.(sqlparser.ValTuple)
	if !ok {
		return sqlparser.String(bound)
	}
	tuple := make(sqlparser.ValTuple, 0, len(items))
	for _, item := range items {
		v, ok := keyValue(item, nil)
		if !ok {
			return sqlparser.String(bound)
		}
		i, err := r.vs.shardOf(ref.rule, v)
		if err != nil {
			return sqlparser.String(bound)
		}
		if i == shard {
			tuple = append(tuple, item)
		}
	}
	if len(tuple) == 0 {
		return sqlparser.String(bound) // no item of the pin's reads as it did: leave it whole
	}
	target.Right = tuple
	return sqlparser.String(stmt)
}

// seqFill is a column of an INSERT's rows that a sequence of the
// keyspace fills: the shard key's, from the table's sequence (named as
// the table), or the table's AUTO_INCREMENT column's when it is not the
// key, from a sequence of its own (named table.column), where each
// shard's counter would hand out the same ids.
type seqFill struct {
	column string
	// at is the column's place in a row, counted from 1, whose rows with
	// a NULL or DEFAULT there get ids; 0 when the column list leaves it
	// out, and every row gets one.
	at int
	// auto is set for the table's AUTO_INCREMENT column, whose first id
	// is the INSERT's insert id; zero when a 0 there gets one too, as the
	// server's counter gives one (the key's 0 is refused: see checkKey).
	auto, zero bool
}

// wants reports whether a row whose value in f's column is e, with args,
// gets an id: a NULL or DEFAULT, or with zero a value stored as 0.
func (f seqFill) wants(e sqlparser.Expr, args []any) bool {
	if nullKey(e, args) {
		return true
	}
	zero, known := storesAsZero(e, args)
	return f.zero && zero && known
}

// sequencePlan is the plan of an INSERT into table, sharded by rule,
// whose rows get ids from sequences (fills); listed is the table's
// column list for one without its own (see planInsert).
func (r *Router) sequencePlan(table string, rule tableRule, fills []seqFill, listed sqlparser.Columns) *plan {
	_, home := r.sequenceHome()
	names := make([]string, len(fills))
	where := ""
	for i, f := range fills {
		names[i] = f.column
		if f.at > 0 {
			where = " where it is NULL or DEFAULT"
		}
	}
	from := " from the " + table + " sequence on "
	if len(fills) > 1 || !strings.EqualFold(fills[0].column, rule.Column) {
		from = " from sequences of " + table + " on "
	}
	return &plan{Type: PlanMultiShard, Table: table, Sequence: table, fills: fills, columns: listed,
		PushedDown: "each row to its shard, with " + strings.Join(names, " and ") + from + home + where}
}

// keyPlace is the index of the shard key in each of rows, the values of
// an INSERT into t (of table, sharded by rule) without a column list,
// and the table's columns an INSERT without one gives values for, by the
// table's columns as last read (see keyColumns); -1 and no columns when
// every row is empty, which gives every column its default. Rows of
// another length than the table's columns fail as the server fails them.
func (r *Router) keyPlace(t keyTable, table string, rule tableRule, rows sqlparser.Values) (int, sqlparser.Columns, error) {
	kc, _ := r.keys.get(t)
	switch {
	case kc.columns == 0:
		return 0, nil, unsupported("INSERT without a column list into sharded table "+table+", whose key column "+rule.Column+" the router found on no shard", "create the table, or name the columns")
	case len(rows) > 0 && len(rows[0]) == 0:
		for n, row := range rows {
			if len(row) != 0 {
				return 0, nil, errColumnCount(n + 1)
			}
		}
		return -1, nil, nil
	case kc.place == 0:
		return 0, nil, unsupported("INSERT without a column list into sharded table "+table+", whose key column "+rule.Column+" is invisible", "name the columns")
	}
	for n, row := range rows {
		if len(row) != kc.columns {
			return 0, nil, errColumnCount(n + 1)
		}
	}
	cols := make(sqlparser.Columns, 0, kc.columns)
	for name := range strings.SplitSeq(strings.TrimSuffix(kc.names, "\x00"), "\x00") {
		cols = append(cols, sqlparser.NewIdentifierCI(name))
	}
	return kc.place - 1, cols, nil
}

// errColumnCount is the server's error (ER_WRONG_VALUE_COUNT_ON_ROW) for
// row n of an INSERT whose values do not match its columns.
func errColumnCount(n int) error {
	return &mysql.MySQLError{Number: 1136, SQLState: [5]byte{'2', '1', 'S', '0', '1'},
		Message: fmt.Sprintf("Column count doesn't match value count at row %d", n)}
}

// unsignedKey is key v as an unsigned integer, if it is one.
func unsignedKey(v any) (uint64, bool) {
	switch x := v.(type) {
	case int64:
		return uint64(x), x >= 0
	case uint64:
		return x, true
	case string:
		n, err := strconv.ParseUint(x, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// nullKey reports whether e, with args, is a NULL or DEFAULT, which an
// INSERT gives a key the sequence fills in.
func nullKey(e sqlparser.Expr, args []any) bool {
	switch x := e.(type) {
	case *sqlparser.NullVal, *sqlparser.Default:
		return true
	case *sqlparser.Argument:
		v, err := argValue(x, args)
		if _, typed := v.(TypedNull); err == nil && (v == nil || typed) {
			return true
		}
	}
	return false
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

func (r *Router) planInsert(ins *sqlparser.Insert, args []any) (*plan, error) {
	tn, ok := ins.Table.Expr.(sqlparser.TableName)
	if !ok {
		return nil, unsupported("INSERT into a derived table", "")
	}
	table := strings.ToLower(tn.Name.String())
	rule, sharded := r.vs.rule(table)
	kind := "sharded table "
	if !sharded {
		kind = "table "
	}
	if a := r.analyze(ins, args); a.subqueries > 0 {
		return nil, unsupported("subquery in an INSERT into "+kind+table, "the row's shard would answer it from its own rows only; select the values first")
	}
	rows, ok := ins.Rows.(sqlparser.Values)
	if !ok {
		return nil, unsupported("INSERT … SELECT into "+kind+table, "select the rows, then insert them")
	}
	for _, ue := range ins.OnDup {
		if strings.EqualFold(ue.Name.Name.String(), rule.Column) {
			return nil, unsupported("ON DUPLICATE KEY UPDATE of the shard key "+table+"."+rule.Column, "changing it moves the row to another shard: DELETE it and INSERT it again")
		}
	}
	kt := keyTable{schema: tn.Qualifier.String(), name: tn.Name.String()}
	keyIdx := -1
	// listed is the column list written out for an INSERT without one:
	// the shards get the statement with it, so that a row's values go to
	// the columns the router routed it by, even if DDL it did not run
	// reordered them since it read them.
	var listed sqlparser.Columns
	if len(ins.Columns) == 0 {
		var err error
		if keyIdx, listed, err = r.keyPlace(kt, table, rule, rows); err != nil {
			return nil, err
		}
	}
	for i, c := range ins.Columns {
		if strings.EqualFold(c.String(), rule.Column) {
			keyIdx = i
		}
	}
	kc, _ := r.keys.get(kt)
	var fills []seqFill
	if keyIdx < 0 {
		// Ids come from the table's sequence; the executor fills them in.
		fills = append(fills, seqFill{column: rule.Column, auto: kc.autoIncrement})
	} else {
		for _, row := range rows {
			if keyIdx >= len(row) || !nullKey(row[keyIdx], args) {
				continue
			}
			if !kc.autoIncrement {
				return nil, unsupported("a NULL or DEFAULT shard key into "+table+"."+rule.Column+", which is not AUTO_INCREMENT",
					"the server would store NULL or the column's default, or refuse the row; give the key, or leave "+rule.Column+" out of the column list for an id from the table's sequence")
			}
			// A NULL or DEFAULT key of an AUTO_INCREMENT column is the
			// next id: the executor fills those rows' ids in from the
			// table's sequence, whose ids are the keyspace's, where each
			// shard's counter would hand out its own.
			fills = append(fills, seqFill{column: rule.Column, at: keyIdx + 1, auto: true})
			break
		}
	}
	// The table's AUTO_INCREMENT column, when it is not the key: each
	// shard's counter would give rows of several shards the same ids, so
	// its ids come from a sequence of the keyspace too (see seqFill).
	autoIdx := -1
	if kc.auto != "" {
		switch {
		case len(ins.Columns) > 0:
			for i, c := range ins.Columns {
				if strings.EqualFold(c.String(), kc.auto) {
					autoIdx = i
				}
			}
		case listed != nil:
			autoIdx = kc.autoPlace - 1 // -1: invisible, so left out
		}
		if autoIdx < 0 {
			fills = append(fills, seqFill{column: kc.auto, auto: true, zero: true})
		} else {
			f := seqFill{column: kc.auto, at: autoIdx + 1, auto: true, zero: true}
			for _, row := range rows {
				if autoIdx < len(row) && f.wants(row[autoIdx], args) {
					fills = append(fills, f)
					break
				}
			}
		}
	}
	if len(fills) > 0 {
		return r.sequencePlan(table, rule, fills, listed), nil
	}
	groups := map[int]sqlparser.Values{}
	var keyMax, autoMax uint64
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
		_, isString := v.(string)
		_, isBytes := v.([]byte)
		if err := r.checkKey(kt, rule.Column, v, (isString || isBytes) && !intLiteral(row[keyIdx], args)); err != nil {
			return nil, err
		}
		i, err := r.vs.shardOf(rule, v)
		if err != nil {
			return nil, err
		}
		groups[i] = append(groups[i], row)
		if n, ok := unsignedKey(v); ok {
			keyMax = max(keyMax, n)
		}
		if autoIdx >= 0 && autoIdx < len(row) {
			if a, isVal, _ := exprValue(row[autoIdx], args); isVal {
				if n, ok := unsignedKey(a); ok {
					autoMax = max(autoMax, n)
				}
			}
		}
	}
	shards := make([]int, 0, len(groups))
	for i := range groups {
		shards = append(shards, i)
	}
	sort.Ints(shards)
	if len(shards) == 1 && listed == nil {
		return &plan{Type: PlanSingleShard, Shards: shards, Table: table, PushedDown: "the whole statement, unchanged", keyMax: keyMax, auto: kc.auto, autoMax: autoMax}, nil
	}
	bound, err := bindArgs(ins, args)
	if err != nil {
		return nil, err
	}
	if listed != nil {
		bound.(*sqlparser.Insert).Columns = listed
		if len(shards) == 1 {
			return &plan{Type: PlanSingleShard, Shards: shards, Table: table, Queries: map[int]string{shards[0]: sqlparser.String(bound)},
				PushedDown: "the whole statement, with the table's column list written out", keyMax: keyMax, auto: kc.auto, autoMax: autoMax}, nil
		}
	}
	boundRows := bound.(*sqlparser.Insert).Rows.(sqlparser.Values)
	// Re-split the bound rows in the same order.
	p := &plan{Type: PlanMultiShard, Shards: shards, Table: table, Queries: map[int]string{}, keyMax: keyMax, auto: kc.auto, autoMax: autoMax,
		PushedDown: fmt.Sprintf("the INSERT split into %d statements, one per shard, each with its own rows", len(shards))}
	byShard := map[int]sqlparser.Values{}
	for n, row := range rows {
		v, _, _ := exprValue(row[keyIdx], args)
		i, _ := r.vs.shardOf(rule, v)
		byShard[i] = append(byShard[i], boundRows[n])
		p.rowShards = append(p.rowShards, i)
	}
	for _, i := range shards {
		part := sqlparser.CloneStatement(bound).(*sqlparser.Insert)
		part.Rows = byShard[i]
		p.Queries[i] = sqlparser.String(part)
	}
	return p, nil
}
