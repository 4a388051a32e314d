package router

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/jmoiron/sqlx"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/topology"
	"vitess.io/vitess/go/vt/sqlparser"
)

// ConsistencyVariable is the session variable a client sets to choose its
// consistency mode: SET scalelab_consistency = 'read-your-writes'.
const ConsistencyVariable = "scalelab_consistency"

// Session is one client's view of the router, like one MySQL connection:
// it has its own transaction (BEGIN … COMMIT as statements), autocommit,
// current database, session variables, consistency mode and
// read-your-writes position. While it has session state (SET or USE), it
// keeps its own connection to each node it uses and replays that state on
// it, so state never leaks into the shared pools. A Session is not safe for
// concurrent use; Close it when done.
type Session struct {
	// statements gives the Session ExecContext, QueryContext (nil rows
	// for statements it handles itself: SET, USE, BEGIN…), GetContext and
	// SelectContext.
	statements
	r          *Router
	g          gtids
	mode       Consistency
	autocommit bool
	vars       []string // SET statements, replayed on every pinned connection
	db         string
	tx         *Tx
	conns      map[*replica.Node]*sqlx.Conn
	connMu     sync.Mutex // guards conns while a scatter opens them at once
}

// NewSession starts a session. It does no I/O.
func (r *Router) NewSession() *Session {
	s := &Session{r: r, autocommit: true, conns: map[*replica.Node]*sqlx.Conn{}}
	s.statements = statements{do: s.do}
	return s
}

// Consistency is the session's mode ("" means the router's default).
func (s *Session) Consistency() Consistency { return s.mode }

// SetConsistency sets the session's mode.
func (s *Session) SetConsistency(c Consistency) { s.mode = c }

// InTransaction reports whether a transaction is open.
func (s *Session) InTransaction() bool { return s.tx != nil }

// Database is the session's current database ("" for the topology's).
func (s *Session) Database() string { return s.db }

// Autocommit reports whether the session commits each statement on its own
// (SET autocommit = 1, the default).
func (s *Session) Autocommit() bool { return s.autocommit }

// mode is the session's effective consistency mode.
func (s *Session) effectiveMode() Consistency {
	if s.mode != "" {
		return s.mode
	}
	return s.r.cfg.Consistency
}

// Result is what one statement run with Session.Run gives: its rows, when
// the statement returns rows, else its counts.
type Result struct {
	// Statement is the statement's classification, made once by Run.
	Statement *Statement
	// Rows holds the statement's rows; read and close them. Nil for a
	// statement that returns none, and for one the session handles
	// itself (SET, USE, BEGIN…).
	Rows         *sql.Rows
	Affected     int64
	LastInsertID int64
}

// Run classifies query once and runs it in the session: a statement that
// may return rows (a read, SHOW, CALL, anything unparsed) is queried, and
// its rows returned; any other statement is executed, and its counts
// returned. This is the session's one entry point for clients that do not
// know in advance what a statement returns, such as the proxy and
// scalelab query.
func (s *Session) Run(ctx context.Context, query string, args ...any) (*Result, error) {
	return s.RunClassified(ctx, nil, query, args...)
}

// RunClassified is Run for a query already classified as st (by Relay,
// which declined it); a nil st, or one of another text, is ignored.
func (s *Session) RunClassified(ctx context.Context, st *Statement, query string, args ...any) (*Result, error) {
	o := &op{kind: opQuery, query: query, args: args}
	if st != nil && st.Text == query {
		o.st = st
	}
	st = s.r.classified(o)
	res := &Result{Statement: st}
	if !st.Kind.ReturnsRows() {
		o.kind = opExec
	}
	err := s.do(ctx, o)
	res.Rows = o.rows
	if o.res != nil {
		res.Affected, _ = o.res.RowsAffected()
		res.LastInsertID, _ = o.res.LastInsertId()
	}
	return res, err
}

// Relay offers query, a statement, to fn; args are the parameters of a
// prepared statement's execution, by which it is routed. When the session
// has no state of its own (no transaction, autocommit on, no SET or USE)
// and the statement is a read that goes unchanged to one node, fn runs it
// on that node (the one Run would pick, with the same retry on a failed
// replica, counts and trace) and Relay reports true. fn must return an error that
// replica.IsConnError holds for only if the statement may be tried again
// elsewhere. Otherwise Relay reports false and runs nothing; the caller
// runs the statement with Run. st is the statement's classification, or
// nil.
//
// The proxy relays such reads byte for byte, which spares it decoding and
// encoding every row.
func (s *Session) Relay(ctx context.Context, query string, args []any, fn func(ctx context.Context, node *replica.Node) error) (st *Statement, ok bool, err error) {
	if s.tx != nil || !s.autocommit || len(s.vars) > 0 || s.db != "" {
		return nil, false, nil
	}
	o := &op{kind: opRelay, query: query, args: args, relay: fn}
	st = s.r.classified(o)
	if st.Kind != Read || st.AST == nil {
		return st, false, nil
	}
	p, err := s.r.planStatement(st, args)
	if err != nil || p.Queries != nil || p.Sequence != "" || len(p.Shards) != 1 {
		return st, false, nil // Run reports the error
	}
	err = s.r.run(ctx, &env{g: &s.g, on: relayVia, lost: s.lost, mode: s.effectiveMode()}, o)
	if errors.Is(err, errNotRelayable) {
		return st, false, nil
	}
	return st, true, err
}

// errNotRelayable is a relayed read whose plan no longer sends it
// unchanged to one node.
var errNotRelayable = errors.New("router: the statement is no longer one node's")

// relayNode is what a relayed read runs on: the node itself. Its
// statement methods are the node pool's; it is one pointer, so that making
// a queryer of it allocates nothing.
type relayNode struct{ node *replica.Node }

func (q relayNode) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return q.node.DB.QueryContext(ctx, query, args...)
}

func (q relayNode) QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error) {
	return q.node.DB.QueryxContext(ctx, query, args...)
}

func (q relayNode) QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row {
	return q.node.DB.QueryRowxContext(ctx, query, args...)
}

func (q relayNode) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return q.node.DB.ExecContext(ctx, query, args...)
}

func relayVia(_ context.Context, node *replica.Node) (queryer, bool, error) {
	return relayNode{node}, false, nil
}

func (s *Session) do(ctx context.Context, o *op) error {
	st := s.r.classified(o)
	switch st.Kind {
	case Begin:
		if err := s.endTx(true); err != nil { // BEGIN commits an open transaction, as MySQL does
			return err
		}
		s.tx = s.newTx()
		return nil
	case Commit:
		return s.endTx(true)
	case Rollback:
		return s.endTx(false)
	case SessionState:
		return s.session(ctx, st, o.query)
	}
	if s.tx == nil && !s.autocommit {
		s.tx = s.newTx()
	}
	if s.tx != nil {
		err := s.tx.run(ctx, o)
		if errors.Is(err, ErrCrossShardTx) {
			s.tx = nil // it was rolled back
		}
		return err
	}
	if st.Kind == TxOther {
		return fmt.Errorf("router: %.40s outside a transaction", o.query)
	}
	return s.r.run(ctx, &env{g: &s.g, on: s.via, lost: s.lost, mode: s.effectiveMode()}, o)
}

func (s *Session) newTx() *Tx {
	tx, _ := s.r.BeginTx(context.Background(), nil)
	tx.g = &s.g
	tx.mode = s.effectiveMode()
	tx.replay = s.replayList
	return tx
}

func (s *Session) endTx(commit bool) error {
	if s.tx == nil {
		return nil
	}
	tx := s.tx
	s.tx = nil
	if commit {
		return tx.Commit()
	}
	return tx.Rollback()
}

// session handles SET and USE.
func (s *Session) session(ctx context.Context, st *Statement, query string) error {
	// scalelab's own variable and autocommit are the session's state, in
	// or out of a transaction, wherever they stand in a SET.
	var own []func() error
	if set, ok := st.AST.(*sqlparser.Set); ok {
		var rest sqlparser.SetExprs
		for _, e := range set.Exprs {
			apply, err := s.ownVariable(e)
			if err != nil {
				return err
			}
			if apply == nil {
				rest = append(rest, e)
				continue
			}
			own = append(own, apply)
		}
		if len(rest) == 0 {
			return runAll(own)
		}
		if len(own) > 0 {
			// The other assignments go to the servers, as their own SET.
			query = sqlparser.String(&sqlparser.Set{Exprs: rest})
			st = s.r.cls.Classify(query)
		}
	}
	if err := s.sessionState(ctx, st, query); err != nil {
		return err
	}
	return runAll(own)
}

// runAll runs fns in order and stops at the first error.
func runAll(fns []func() error) error {
	for _, fn := range fns {
		if err := fn(); err != nil {
			return err
		}
	}
	return nil
}

// ownVariable returns, for an assignment to a variable the session keeps
// itself (scalelab_consistency, the session's autocommit), the function
// that applies it once the whole SET is known to be good; nil for any
// other assignment.
func (s *Session) ownVariable(e *sqlparser.SetExpr) (func() error, error) {
	if e.Var.Scope != sqlparser.NoScope && e.Var.Scope != sqlparser.SessionScope {
		return nil, nil // @user variables, GLOBAL and the like go to the servers
	}
	val := strings.Trim(sqlparser.String(e.Expr), "'\"`")
	switch strings.ToLower(e.Var.Name.String()) {
	case ConsistencyVariable:
		c, err := ParseConsistency(val)
		if err != nil {
			return nil, err
		}
		return func() error { s.mode = c; return nil }, nil
	case "autocommit":
		on, err := parseBool(val)
		if err != nil {
			return nil, fmt.Errorf("router: SET autocommit = %s: %w", val, err)
		}
		return func() error {
			if on && s.tx != nil {
				// Turning autocommit on commits the open transaction, as in MySQL.
				if err := s.endTx(true); err != nil {
					return err
				}
			}
			s.autocommit = on
			return nil
		}, nil
	}
	return nil, nil
}

// sessionState handles SET of server variables, and USE.
func (s *Session) sessionState(ctx context.Context, st *Statement, query string) error {
	if err := s.r.refuseSessionState(st); err != nil {
		return err
	}
	prevDB, prevVars := s.db, s.vars
	if use, ok := st.AST.(*sqlparser.Use); ok {
		if s.db == "" && use.DBName.String() == s.r.Topology().DatabaseName() {
			// The pools already connect to the topology's database: a
			// client that names it (sysbench does, on connecting) keeps
			// sharing them instead of getting connections of its own.
			return nil
		}
		s.db = use.DBName.String()
	} else {
		s.vars = append(s.vars[:len(s.vars):len(s.vars)], query)
	}
	err := s.applyAll(ctx, query)
	if err == nil {
		// Run it on the primary even if no connection was pinned yet, so a
		// bad SET or a missing database fails now, as on a direct
		// connection.
		_, _, err = s.via(ctx, s.r.Sets()[0].Primary())
	}
	if err == nil && s.tx != nil {
		// The transaction's branches see it too, and those to come
		// replay it.
		err = s.tx.applyAll(ctx, query)
	}
	if err != nil {
		s.db, s.vars = prevDB, prevVars
	}
	return err
}

// replayList is the session state a new connection gets: USE, then the
// SET statements in order.
func (s *Session) replayList() []string {
	replay := s.vars
	if s.db != "" {
		replay = append([]string{"USE " + sqlparser.String(sqlparser.NewIdentifierCS(s.db))}, replay...)
	}
	return replay
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "on", "true":
		return true, nil
	case "0", "off", "false":
		return false, nil
	}
	if n, err := strconv.Atoi(v); err == nil {
		return n != 0, nil
	}
	return false, errors.New("want 0 or 1")
}

// applyAll runs a session statement on every pinned connection.
func (s *Session) applyAll(ctx context.Context, query string) error {
	for node, c := range s.conns {
		if _, err := c.ExecContext(ctx, query); err != nil {
			return fmt.Errorf("router: %.40s on %s: %w", query, node.Name, err)
		}
	}
	return nil
}

// via gives the session's statements the shared pool while it has no
// session state, and its own connection, with the state replayed, after.
//
// A scattered read calls via from one goroutine per shard at once.
func (s *Session) via(ctx context.Context, node *replica.Node) (queryer, bool, error) {
	if len(s.vars) == 0 && s.db == "" {
		return node.DB, false, nil
	}
	s.connMu.Lock()
	defer s.connMu.Unlock()
	if c, ok := s.conns[node]; ok {
		return c, true, nil
	}
	c, err := node.DB.Connx(ctx)
	if err != nil {
		return nil, false, err
	}
	if err := replay(ctx, c, node, s.replayList()); err != nil {
		return nil, false, err
	}
	s.conns[node] = c
	return c, true, nil
}

// lost drops the session's pinned connection to a replica whose statement
// failed on the connection (the replica went away, or the read stuck on it
// was ended because it froze): the session's next statement there gets a
// new connection, with the session's state. One to a primary stays, and
// the session's next statement on it fails, so that a client never loses
// a lock or a temporary table without being told.
func (s *Session) lost(node *replica.Node) {
	if node.Role() != topology.Replica {
		return
	}
	s.connMu.Lock()
	c, ok := s.conns[node]
	delete(s.conns, node)
	s.connMu.Unlock()
	if ok {
		discard(c)
	}
}

// discard closes c and marks it bad, so that the pool closes it rather than
// hand its session state to another client.
func discard(c *sqlx.Conn) error {
	_ = c.Raw(func(any) error { return driver.ErrBadConn })
	return c.Close()
}

// replay runs a session's state on a new connection c to node. On
// failure c is closed and marked bad, so the half-replayed connection
// never returns to the pool.
func replay(ctx context.Context, c *sqlx.Conn, node *replica.Node, state []string) error {
	for _, q := range state {
		if _, err := c.ExecContext(ctx, q); err != nil {
			discard(c)
			return fmt.Errorf("router: replay %.40s on %s: %w", q, node.Name, err)
		}
	}
	return nil
}

// Close rolls back an open transaction and discards the session's pinned
// connections: they carry its USE and SET state, which must never reach
// another client through the shared pools.
func (s *Session) Close() error {
	err := s.endTx(false)
	for n, c := range s.conns {
		err = errors.Join(err, discard(c))
		delete(s.conns, n)
	}
	return err
}

// parseModes are sql_mode flags that change how statements parse: the
// router parses in the default mode, so with them it would read a
// statement differently from the servers.
var parseModes = []string{"ANSI", "ANSI_QUOTES", "NO_BACKSLASH_ESCAPES", "PIPES_AS_CONCAT", "ORACLE", "MSSQL", "DB2", "POSTGRESQL", "MAXDB", "MYSQL323", "MYSQL40", "HIGH_NOT_PRECEDENCE", "IGNORE_SPACE"}

// refuseSessionState refuses, over shards, the session statements whose
// effect the router cannot keep true across several connections: a
// sql_mode that changes parsing, sql_select_limit (each shard would apply
// it), and a SET whose value a subquery over a sharded table computes
// (on one shard's rows).
func (r *Router) refuseSessionState(st *Statement) error {
	set, ok := st.AST.(*sqlparser.Set)
	if !ok || !r.vs.sharded() {
		return nil
	}
	for _, e := range set.Exprs {
		name := strings.ToLower(e.Var.Name.String())
		val := strings.ToUpper(sqlparser.String(e.Expr))
		_, literal := e.Expr.(*sqlparser.Literal)
		if added, ok := appendedModes(e.Expr); ok && name == "sql_mode" {
			val, literal = added, true // only the appended modes can change parsing
		}
		isDefault := val == "DEFAULT"
		switch {
		case name == "sql_select_limit" && !isDefault && val != "18446744073709551615":
			return unsupported("SET sql_select_limit across shards", "every shard would apply it to its own rows; put a LIMIT in the statement")
		case name == "sql_mode" && !literal && !isDefault:
			return unsupported("SET sql_mode to a computed value across shards", "the router must know the modes to parse as the servers do; set it to a literal list")
		case name == "sql_mode":
			for _, m := range strings.Split(strings.Trim(val, "'\""), ",") {
				if slices.Contains(parseModes, strings.TrimSpace(m)) {
					return unsupported("SET sql_mode with "+strings.TrimSpace(m)+" across shards", "the router parses statements in the default mode, and would read them differently from the servers")
				}
			}
		}
		if hasShardedSubquery(r, e.Expr) {
			return unsupported("SET from a subquery over a sharded table", "the subquery would run on one shard's rows; select the value first, then SET it")
		}
	}
	return nil
}

// appendedModes reads CONCAT(@@sql_mode, ',MODE', …), the form drivers
// use to add modes to the session's own (MariaDB Connector/J adds
// STRICT_TRANS_TABLES this way at login): the appended text, upper-cased.
func appendedModes(e sqlparser.Expr) (string, bool) {
	f, ok := e.(*sqlparser.FuncExpr)
	if !ok || !f.Name.EqualString("concat") || len(f.Exprs) < 2 {
		return "", false
	}
	if v, ok := f.Exprs[0].(*sqlparser.Variable); !ok || v.Scope == sqlparser.GlobalScope || !v.Name.EqualString("sql_mode") {
		return "", false
	}
	var added strings.Builder
	for _, a := range f.Exprs[1:] {
		l, ok := a.(*sqlparser.Literal)
		if !ok || l.Type != sqlparser.StrVal {
			return "", false
		}
		added.WriteString(l.Val)
	}
	return strings.ToUpper(added.String()), true
}

func hasShardedSubquery(r *Router, e sqlparser.Expr) bool {
	return anyNode(e, func(n sqlparser.SQLNode) bool {
		sq, ok := n.(*sqlparser.Subquery)
		return ok && slices.ContainsFunc(tablesOf(sq.Select), func(t string) bool {
			_, ok := r.vs.rule(t)
			return ok
		})
	})
}
