package proxy

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/scalelab/scalelab/router"
	vtmysql "vitess.io/vitess/go/mysql"
	"vitess.io/vitess/go/mysql/collations"
	"vitess.io/vitess/go/mysql/replication"
	"vitess.io/vitess/go/mysql/sqlerror"
	"vitess.io/vitess/go/sqltypes"
	querypb "vitess.io/vitess/go/vt/proto/query"
	"vitess.io/vitess/go/vt/sqlparser"
	"vitess.io/vitess/go/vt/vtenv"
)

// handler serves the commands of every client connection. The protocol
// library calls it for one connection at a time, so the per-connection
// state in Conn.ClientData needs no lock.
type handler struct {
	s   *Server
	env *vtenv.Environment
}

var _ vtmysql.Handler = (*handler)(nil)

// client is one connection's state: its own router session, and what the
// status flags of its responses say.
type client struct {
	sess *router.Session
	// names is the SET NAMES that gave the session the character set of
	// the client's login, for a reset to give it again, and the collation
	// of its results; zero for the pools' own.
	names loginSet
	// results is the collation the server names in the text columns of
	// the session's results: the login's (names.results) until the
	// client sets another character set of results (SET NAMES, SET
	// character_set_results…); zero for the pools' own.
	results uint32
	// warnings is the warning count of the statement running, once it
	// has run (0 before). endWarnings, when endPending, is that of the
	// last statement that returned rows, for the packet that ends them,
	// which the protocol library writes after the statement (and, in a
	// text of several statements, once the next one answers): see
	// WarningCount.
	warnings, endWarnings uint16
	endPending            bool
}

// rowsEnded keeps the warning count of the statement whose rows were
// just sent, for the packet that ends them.
func (cl *client) rowsEnded(warnings uint16) {
	cl.endWarnings, cl.endPending = warnings, true
}

func (h *handler) client(c *vtmysql.Conn) *client { return c.ClientData.(*client) }

func (h *handler) NewConnection(c *vtmysql.Conn) {
	// Before the handshake, which tells the client its id.
	c.ConnectionID += ConnectionIDBase
	c.ClientData = &client{sess: h.s.r.NewSession()}
	c.StatusFlags |= vtmysql.ServerStatusAutocommit
	if cc, ok := c.GetRawConn().(*clientConn); ok {
		cc.vc = c
		cc.sniff.longData = cc.dropResetParams
	}
}

// ConnectionReady lifts the login timeout of a client that has logged in,
// and gives its session the login's CLIENT_FOUND_ROWS.
func (h *handler) ConnectionReady(c *vtmysql.Conn) {
	if cc, ok := c.GetRawConn().(*clientConn); ok {
		cc.loggedIn.Store(true)
	}
	h.client(c).sess.SetFoundRows(foundRows(c))
}

// newSession is a new session for client c, after its login.
func (s *Server) newSession(c *vtmysql.Conn) *router.Session {
	sess := s.r.NewSession()
	sess.SetFoundRows(foundRows(c))
	return sess
}

// foundRows reports whether client c logged in with CLIENT_FOUND_ROWS:
// its writes report the rows they matched, not only those they changed.
func foundRows(c *vtmysql.Conn) bool {
	return c.Capabilities&vtmysql.CapabilityClientFoundRows != 0
}

// ConnectionClosed rolls back an open transaction and releases the
// session's pinned connections, whatever way the client left.
func (h *handler) ConnectionClosed(c *vtmysql.Conn) {
	if cl, ok := c.ClientData.(*client); ok {
		h.endSession(c, cl)
	}
}

// endSession closes the client's router session. The session hands its
// pinned connections back to the shared pools as they are, so a client
// that changed database first gets the topology's database back on them.
//
// It waits for the close at most sessionCloseTimeout, and then says so in
// the log and leaves it to end on its own: a connection that a statement
// left in use (a bug) would hold it for good, and with it the client's
// goroutine, which the protocol library closes the socket of only after.
func (h *handler) endSession(c *vtmysql.Conn, cl *client) {
	sess, id := cl.sess, c.ConnectionID
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.closeSession(sess, id)
	}()
	t := time.NewTimer(sessionCloseTimeout)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		h.s.cfg.Logf("proxy: closing the session of connection %d did not end within %v; left to end on its own", id, sessionCloseTimeout)
	}
}

// sessionCloseTimeout bounds the wait for a session's close (endSession).
const sessionCloseTimeout = 30 * time.Second

// closeSession is endSession's close of sess, connection id's session.
func (h *handler) closeSession(sess *router.Session, id uint32) {
	if db := h.s.r.Topology().DatabaseName(); sess.Database() != "" && sess.Database() != db {
		if sess.InTransaction() {
			sess.ExecContext(h.s.ctx, "ROLLBACK")
		}
		if _, err := sess.ExecContext(h.s.ctx, useStatement(db)); err != nil && !errors.Is(err, router.ErrInternal) {
			h.s.cfg.Logf("proxy: restore database of connection %d: %v", id, err)
		}
	}
	if err := sess.Close(); err != nil {
		h.s.cfg.Logf("proxy: close session of connection %d: %v", id, err)
	}
}

// use makes db the client's session's database.
func (h *handler) use(cl *client, db string) error {
	_, err := cl.sess.ExecContext(h.s.ctx, useStatement(db))
	return err
}

// useStatement is USE of db, its name quoted as it needs.
func useStatement(db string) string {
	return "USE " + sqlparser.String(sqlparser.NewIdentifierCS(db))
}

// ComResetConnection starts the client over with a fresh session: the
// transaction rolls back, and session variables and consistency mode are
// dropped. The database in use stays, as the server keeps it: a client
// whose pool resets its connection on every checkout went on reading and
// writing the topology's database's tables. So do the positions of the
// client's writes, which its read-your-writes reads wait for.
func (h *handler) ComResetConnection(c *vtmysql.Conn) {
	h.startOver(c, h.client(c), c.CharacterSet)
	c.StatusFlags = c.StatusFlags&^(vtmysql.ServerStatusInTrans|vtmysql.ServerStatusInTransReadonly) | vtmysql.ServerStatusAutocommit
}

// startOver ends cl's session and gives it a fresh one in the same
// database, in the character set of collation id, as a login of it: the
// login's, for a reset.
func (h *handler) startOver(c *vtmysql.Conn, cl *client, id collations.ID) {
	db, prev := cl.sess.Database(), cl.sess
	h.endSession(c, cl)
	cl.sess = h.s.newSession(c)
	cl.sess.KeepPositions(prev) // the client's writes are its own still
	if db != "" {
		if err := h.use(cl, db); err != nil {
			h.s.cfg.Logf("proxy: keep database %s of connection %d over its reset: %v", db, c.ConnectionID, err)
		}
	}
	cl.names, cl.results = loginSet{}, 0
	if err := h.s.loginNamesOf(cl, id); err != nil {
		h.s.cfg.Logf("proxy: the character set of connection %d over its reset: %v", c.ConnectionID, err)
	}
	c.CharacterSet = id
}

// resetConnection answers COM_RESET_CONNECTION as the protocol library
// does, with the fresh session's status flags in its OK (autocommit on,
// no transaction), as the server's has: the library's OK had none, and a
// driver that reads its session's state from them (MariaDB Connector/J's
// getAutoCommit) took the session for one with autocommit off. The
// session starts over (ComResetConnection), and the statements the client
// prepared go, the library's record of them and the sniffer's.
func (c *clientConn) resetConnection() error {
	s := c.l.s
	(&handler{s: s, env: s.env}).ComResetConnection(c.vc)
	c.freshState()
	_, err := c.Write(okPacket(c.vc.StatusFlags, 1))
	return err
}

// tooLarge refuses, and counts, a COM_QUERY longer than MaxQueryBytes.
func (h *handler) tooLarge(query string) error {
	if max := h.s.cfg.MaxQueryBytes; max > 0 && len(query) > max {
		h.s.metrics.errors.WithLabelValues("1153").Inc()
		return errQueryTooLarge(len(query), max)
	}
	return nil
}

func (h *handler) ComQuery(c *vtmysql.Conn, query string, cb func(*sqltypes.Result) error) error {
	if err := h.tooLarge(query); err != nil {
		return err
	}
	return h.run(c, query, nil, false, cb, nil)
}

// ComPrepare counts the placeholders and describes the result columns
// (see describer), after a node has prepared the text once, which gives
// the client the server's error for a text the server refuses (see
// describer.check). Nothing stays prepared on a backend: the statement is
// routed and run at each COM_STMT_EXECUTE, with its parameters.
func (h *handler) ComPrepare(c *vtmysql.Conn, query string) ([]*querypb.Field, uint16, error) {
	if max := h.s.cfg.MaxQueryBytes; max > 0 && len(query) > max {
		return nil, 0, errQueryTooLarge(len(query), max)
	}
	n := countParams(query)
	if n > 1<<16-1 {
		return nil, 0, sqlerror.NewSQLError(erPSManyParam, sqlerror.SSUnknownSQLState, "Prepared statement contains too many placeholders")
	}
	st := h.s.r.Classify(query)
	cl := h.client(c)
	// A server's prepare clears the list of conditions, or lists its
	// error; this one's is not known.
	cl.sess.ForgetConditions()
	if _, own := routeTarget(query); !own && !router.KillText(query) {
		// (What the proxy answers itself, SHOW scalelab_route and KILL,
		// no node is asked to prepare.)
		if err := h.s.describe.check(h.s.ctx, st, query, cl.sess.Database(), cl.sess.KeepsState()); err != nil {
			return nil, 0, err
		}
	}
	fields := h.s.describe.columns(h.s.ctx, st, query, cl.sess.Database(), n)
	if coll := cl.results; coll != 0 {
		// The describer's fields are shared: relabel a copy.
		own := make([]*querypb.Field, len(fields))
		for i, f := range fields {
			own[i] = f.CloneVT()
		}
		relabel(own, coll)
		fields = own
	}
	return fields, uint16(n), nil
}

func (h *handler) ComStmtExecute(c *vtmysql.Conn, p *vtmysql.PrepareData, cb func(*sqltypes.Result) error) error {
	args, err := bindArgs(p)
	if err != nil {
		return sqlerror.NewSQLError(sqlerror.ERWrongArguments, sqlerror.SSUnknownSQLState, err.Error())
	}
	if cc, ok := c.GetRawConn().(*clientConn); ok {
		types, nulls := cc.sniff.lastTypes(p.StatementID, len(args))
		for i, w := range unsignedWidths(types) {
			if v, ok := args[i].(int64); ok && w > 0 {
				args[i] = asUnsigned(v, w) // the library read it as signed
			}
		}
		for i, n := range typedNulls(types, nulls) {
			if args[i] == nil && n != 0 {
				args[i] = n // the library read it as a NULL of no type
			}
		}
		for i, b := range binaryParams(types) {
			switch x := args[i].(type) {
			case string:
				if b {
					args[i] = router.Binary(x) // the library read it as text
				}
			case []byte:
				if b {
					args[i] = router.Binary(x)
				}
			}
		}
		// The library writes a write's OK packet with 0 warnings: the
		// session's count goes into it as it is written.
		inner, cl := cb, h.client(c)
		cb = func(r *sqltypes.Result) error {
			if len(r.Fields) == 0 {
				cc.okWarnings = cl.warnings
			}
			return inner(r)
		}
	}
	timed := cb
	cb = func(r *sqltypes.Result) error {
		shortTimes(r)
		return timed(r)
	}
	return h.run(c, p.PrepareStmt, args, true, cb, nil)
}

// shortTimes writes the DATETIME and TIMESTAMP values of a result for the
// binary protocol as the server does: without a fraction that is all
// zeros, and without a time of midnight, so that the library encodes
// them in 7 or 4 bytes, not 11. A client that prints a value by its
// length (mysql2 with dateStrings) shows 2024-01-01 00:00:00 as the
// server's answer does, not 2024-01-01 00:00:00.000000.
func shortTimes(r *sqltypes.Result) {
	for i, f := range r.Fields {
		if f.Type != sqltypes.Datetime && f.Type != sqltypes.Timestamp {
			continue
		}
		for _, row := range r.Rows {
			if i >= len(row) || row[i].IsNull() {
				continue
			}
			raw := row[i].Raw()
			n := len(raw)
			if n > 20 && raw[19] == '.' && strings.Trim(string(raw[20:]), "0") == "" {
				n = 19
			}
			if n == 19 && string(raw[10:19]) == " 00:00:00" {
				n = 10
			}
			if n != len(raw) {
				row[i] = sqltypes.MakeTrusted(f.Type, raw[:n])
			}
		}
	}
}

// run executes one statement in the client's session and streams its
// result through cb.
// binary is true for a prepared statement's execution, whose rows go to
// the client in the binary protocol.
func (h *handler) run(c *vtmysql.Conn, query string, args []any, binary bool, cb func(*sqltypes.Result) error, sets func(*sqltypes.Result, bool) error) error {
	start := time.Now()
	cl := h.client(c)
	if coll := cl.results; coll != 0 {
		inner, innerSets := cb, sets
		cb = func(r *sqltypes.Result) error { relabel(r.Fields, coll); return inner(r) }
		if innerSets != nil {
			sets = func(r *sqltypes.Result, more bool) error { relabel(r.Fields, coll); return innerSets(r, more) }
		}
	}
	kind, err := h.exec(c, cl, query, args, binary, cb, sets)
	if obs, ok := h.s.metrics.byKind[kind]; ok {
		obs.Observe(time.Since(start).Seconds())
	}
	if err == nil {
		return nil
	}
	if errors.Is(err, router.ErrInternal) {
		if cc, ok := c.GetRawConn().(*clientConn); ok {
			cc.internalError()
		}
	}
	se := toSQLError(err)
	h.s.metrics.errors.WithLabelValues(strconv.Itoa(int(se.Num))).Inc()
	return se
}

// internalError counts a statement that failed with router.ErrInternal (a
// panic in the router: a bug), whose session the router closed, and ends
// the connection once the error is sent: the client's next read finds it
// closed, as after a KILL of its own. A client whose session is gone
// would get the same error for every statement, and a pool would keep
// handing the connection out.
func (c *clientConn) internalError() {
	c.l.s.metrics.internal.Inc()
	c.killed.Store(true)
}

// runSets is run for a text statement whose every result set goes to
// emit (see streamAll).
func (h *handler) runSets(c *vtmysql.Conn, query string, emit func(*sqltypes.Result, bool) error) error {
	return h.run(c, query, nil, false, func(r *sqltypes.Result) error { return emit(r, true) }, emit)
}

func (h *handler) exec(c *vtmysql.Conn, cl *client, query string, args []any, binary bool, cb func(*sqltypes.Result) error, sets func(*sqltypes.Result, bool) error) (string, error) {
	// Statements run to completion even when the server shuts down (a drain
	// waits for them, and a hard close cuts the client's connection
	// instead). A context that cannot be cancelled also spares every
	// statement two goroutine hand-offs in database/sql and the driver.
	ctx := h.s.stmtCtx
	if cc, ok := c.GetRawConn().(*clientConn); ok {
		// A write that waits for a failover is dropped if its client
		// leaves meanwhile (see router.WithCallerGone); the context that
		// tells it is made once a connection, not once a statement.
		if cc.stmtCtx == nil {
			cc.stmtCtx = router.WithCallerGone(ctx, cc.gone)
		}
		ctx = cc.stmtCtx
	}
	if binary && !h.s.describe.textExact(cl.sess.Database(), query) {
		// Its rows are read from the servers in the binary protocol,
		// whose FLOATs and DOUBLEs the text's rounding would change
		// (one whose columns have none is read in text: one round trip,
		// where a prepare and an execution are two).
		var done func()
		ctx, done = router.WithBinaryRows(ctx)
		defer done()
	}
	cl.warnings = 0
	// The hint holds for this statement, and for the statement that
	// SHOW scalelab_route traces: it answers where that would go.
	mode, hinted, err := router.ConsistencyHint(query)
	if err != nil {
		return router.Unparsed.String(), err
	}
	if hinted {
		prev := cl.sess.Consistency()
		cl.sess.SetConsistency(mode)
		defer cl.sess.SetConsistency(prev)
	}
	if target, ok := routeTarget(query); ok {
		cl.sess.ForgetConditions() // answered here, not by a server
		res, err := introspect(ctx, cl.sess, h.s.r, target, args, h.s.cfg.RowBatch)
		if err != nil {
			return kindIntrospect, err
		}
		if err := cb(res); err != nil {
			return kindIntrospect, err
		}
		cl.rowsEnded(0)
		return kindIntrospect, nil
	}
	if router.KillText(query) {
		cl.sess.ForgetConditions() // answered here, not by a server
		if err := h.kill(c, query); err != nil {
			return router.Other.String(), err
		}
		return router.Other.String(), cb(&sqltypes.Result{})
	}
	var st *router.Statement
	if cc, ok := c.GetRawConn().(*clientConn); ok {
		st, cc.declined = cc.declined, nil
		if st != nil && st.Text != query {
			st = nil // declined by the relay, then refused before it ran
		}
	}
	res, err := cl.sess.RunClassified(ctx, st, query, args...)
	cl.warnings = cl.sess.Warnings()
	kind := res.Statement.Kind.String()
	if err == nil && res.Statement.Kind == router.SessionState {
		if sets, _ := setsResults(res.Statement.AST); sets {
			h.s.followResults(c, cl)
		}
	}
	if res.Statement.Kind == router.DDL {
		h.s.describe.forget()
	}
	h.track(c, cl)
	switch {
	case err != nil:
		return kind, err
	case res.Diagnostics != nil:
		if err := cb(diagnosticsResult(res.Diagnostics, charWidth(cl.results))); err != nil {
			return kind, err
		}
		cl.rowsEnded(0)
		return kind, nil
	case res.Rows != nil:
		// A CALL's answer ends in an OK of its own, after its result
		// sets, which the driver reads past, and which is its only
		// answer when it returns none: its numbers are known once its
		// rows are read (RowsDone), so an answer of no result set waits.
		call, bare := res.Statement.IsCall(), false
		one, all := cb, sets
		if call {
			// held holds back r when it is an answer of no result set.
			held := func(r *sqltypes.Result) bool {
				none := r.Fields == nil && len(r.Rows) == 0
				bare = bare || none
				return none
			}
			one = func(r *sqltypes.Result) error {
				if held(r) {
					return nil
				}
				return cb(r)
			}
			if sets != nil {
				all = func(r *sqltypes.Result, first bool) error {
					if held(r) {
						return nil
					}
					return sets(r, first)
				}
			}
		}
		if sets != nil {
			err = streamAll(res.Rows, h.s.cfg.RowBatch, binary, all)
		} else {
			err = stream(res.Rows, h.s.cfg.RowBatch, binary, one)
		}
		if err != nil {
			return kind, err
		}
		// The end of the rows carries the answer's warning count.
		cl.sess.RowsDone(ctx)
		cl.warnings = cl.sess.Warnings()
		cl.rowsEnded(cl.warnings)
		if call {
			affected, id, _ := cl.sess.Closing()
			closing := &sqltypes.Result{RowsAffected: affected, InsertID: id}
			switch {
			case bare:
				return kind, cb(closing)
			case sets != nil:
				// (A prepared CALL's execution sends one result set.)
				return kind, sets(closing, true)
			}
		}
		return kind, nil
	}
	if cc, ok := c.GetRawConn().(*clientConn); ok {
		// The library writes an OK packet without info: the server's
		// goes into it as it is written.
		cc.okInfo = res.Info
	}
	return kind, cb(&sqltypes.Result{RowsAffected: uint64(res.Affected), InsertID: uint64(res.LastInsertID)})
}

// track keeps the status flags of the client's next packets true: in a
// transaction, a read-only one, and autocommit.
func (h *handler) track(c *vtmysql.Conn, cl *client) {
	c.StatusFlags &^= vtmysql.ServerStatusInTrans | vtmysql.ServerStatusInTransReadonly | vtmysql.ServerStatusAutocommit
	if cl.sess.InTransaction() {
		c.StatusFlags |= vtmysql.ServerStatusInTrans
	}
	if cl.sess.ReadOnlyTransaction() {
		c.StatusFlags |= vtmysql.ServerStatusInTransReadonly
	}
	if cl.sess.Autocommit() {
		c.StatusFlags |= vtmysql.ServerStatusAutocommit
	}
}

// WarningCount is the warning count of the answer the protocol library
// is ending: as the servers the statement ran on counted them (see
// router.Session.Warnings). The library asks for the packet that ends a
// statement's rows after the statement, or, in a text of several
// statements, once the next one answers, before it asks for that one's
// OK packet: the count of the rows' statement is kept for that one ask
// (rowsEnded).
func (h *handler) WarningCount(c *vtmysql.Conn) uint16 {
	cl, ok := c.ClientData.(*client)
	switch {
	case !ok:
		return 0
	case cl.endPending:
		cl.endPending = false
		return cl.endWarnings
	}
	return cl.warnings
}

func (h *handler) Env() *vtenv.Environment { return h.env }

var errNotSupported = errors.New("not supported by the scalelab proxy")

func notSupported(what string) error {
	return sqlerror.NewSQLErrorf(sqlerror.ERNotSupportedYet, "42000", "%s is %v", what, errNotSupported)
}

// ComQueryMulti runs a COM_QUERY: each statement of a multi-statement
// text in turn (when the client allows them), and every result set of
// each, so that a CALL of a procedure with two SELECTs sends both, then
// its OK. The first error ends the text, as on a server.
func (h *handler) ComQueryMulti(c *vtmysql.Conn, query string, cb func(sqltypes.QueryResponse, bool, bool) error) error {
	if err := h.tooLarge(query); err != nil {
		return err
	}
	queries := []string{query}
	if c.Capabilities&vtmysql.CapabilityClientMultiStatements != 0 {
		var err error
		if queries, err = h.env.Parser().SplitStatementToPieces(query); err != nil {
			return err
		}
	}
	if len(queries) == 0 {
		return sqlerror.NewSQLError(sqlerror.EREmptyQuery, sqlerror.SSUnknownSQLState, "Query was empty")
	}
	for i, q := range queries {
		more := i < len(queries)-1
		sent := false
		err := h.runSets(c, q, func(r *sqltypes.Result, first bool) error {
			sent = true
			return cb(sqltypes.QueryResponse{QueryResult: r}, more, first)
		})
		if err != nil {
			// An error after part of the statement's answer (a shard
			// that failed or was cut off while its rows streamed) takes
			// the place of the end of the result set in progress, as on
			// a server: sent as a new result instead, after an end packet
			// that says more follow, it made the rows a whole answer and
			// the error the answer to the client's next statement.
			return cb(sqltypes.QueryResponse{QueryError: err}, false, !sent)
		}
	}
	return nil
}

func (h *handler) ComRegisterReplica(*vtmysql.Conn, string, uint16, string, string) error {
	return notSupported("replication (COM_REGISTER_SLAVE)")
}

func (h *handler) ComBinlogDump(*vtmysql.Conn, string, uint32) error {
	return notSupported("replication (COM_BINLOG_DUMP)")
}

func (h *handler) ComBinlogDumpGTID(*vtmysql.Conn, string, uint64, replication.GTIDSet, uint16) error {
	return notSupported("replication (COM_BINLOG_DUMP_GTID)")
}

// erPSManyParam is ER_PS_MANY_PARAM.
const erPSManyParam = sqlerror.ErrorCode(1390)
