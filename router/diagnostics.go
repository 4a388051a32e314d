package router

import (
	"context"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"vitess.io/vitess/go/vt/sqlparser"
)

// A server keeps the conditions of a connection's last statement that
// raised any, or that used a table, for SHOW WARNINGS, SHOW ERRORS, SHOW
// COUNT(*) WARNINGS and @@warning_count: a statement that uses no table
// and raises none (SELECT 1, BEGIN) leaves the list as it was, and so do
// those that read it. A session's statements run on pooled connections,
// where those statements would read another statement's list (another
// client's), so the session keeps the list itself, from its statements'
// answers, and answers them (Result.Diagnostics) as long as it knows it.
// It does not after a read merged over shards, whose answers' counts the
// router does not follow, a SET, or an error: they are then refused, as
// before.

// DiagnosticsAnswer is the session's answer to a statement that reads
// its list of conditions.
type DiagnosticsAnswer struct {
	// Columns and Counts are a count's one row (SHOW COUNT(*) WARNINGS,
	// SELECT @@warning_count, …): the columns' names, as the server
	// names them, and their values. Nil for a list.
	Columns []string
	Counts  []uint64
	// Conditions are a list's rows (SHOW WARNINGS, SHOW ERRORS), whose
	// columns are Level, Code and Message.
	Conditions []Condition
}

// diagnosticsRead is what a statement that reads the list asks for.
type diagnosticsRead struct {
	errors bool // SHOW ERRORS, or a count of errors: the list's errors only
	// count is set for SHOW COUNT(*) …, columns for SELECT @@….
	count   bool
	columns []string
	// offset and limit are a list's LIMIT; limit < 0 when it has none.
	offset, limit int64
}

// parseDiagnosticsRead reads text as one of the statements a session
// answers from its list: SHOW WARNINGS or SHOW ERRORS with an optional
// LIMIT [offset,] n (or LIMIT n OFFSET offset), SHOW COUNT(*) WARNINGS or
// ERRORS, or SELECT of @@warning_count and @@error_count (SESSION-scoped
// or unscoped, without aliases). Anything else reports false.
func parseDiagnosticsRead(text string) (diagnosticsRead, bool) {
	text = strings.TrimRight(strings.TrimSpace(withoutComments(text)), "; \t\r\n")
	fields := strings.Fields(strings.NewReplacer(",", " , ", "(", " ( ", ")", " ) ").Replace(text))
	if len(fields) < 2 {
		return diagnosticsRead{}, false
	}
	d := diagnosticsRead{limit: -1}
	switch strings.ToUpper(fields[0]) {
	case "SELECT":
		return selectCounts(text[len(fields[0]):])
	case "SHOW":
	default:
		return diagnosticsRead{}, false
	}
	upper := make([]string, len(fields)-1)
	for i, f := range fields[1:] {
		upper[i] = strings.ToUpper(f)
	}
	if len(upper) == 5 && strings.Join(upper[:4], " ") == "COUNT ( * )" {
		d.count = true
		upper = upper[4:]
	}
	switch upper[0] {
	case "WARNINGS":
	case "ERRORS":
		d.errors = true
	default:
		return diagnosticsRead{}, false
	}
	rest := upper[1:]
	if d.count || len(rest) == 0 {
		return d, len(rest) == 0
	}
	num := func(s string) (int64, bool) {
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil && n >= 0
	}
	var ok1, ok2 bool
	switch {
	case len(rest) == 2 && rest[0] == "LIMIT":
		d.limit, ok1 = num(rest[1])
		ok2 = true
	case len(rest) == 4 && rest[0] == "LIMIT" && rest[2] == ",":
		d.offset, ok1 = num(rest[1])
		d.limit, ok2 = num(rest[3])
	case len(rest) == 4 && rest[0] == "LIMIT" && rest[2] == "OFFSET":
		d.limit, ok1 = num(rest[1])
		d.offset, ok2 = num(rest[3])
	}
	return d, ok1 && ok2
}

// selectCounts reads list, a SELECT's list after SELECT, as one or more
// of @@warning_count and @@error_count, each @@ or @@session. scoped.
func selectCounts(list string) (diagnosticsRead, bool) {
	d := diagnosticsRead{count: true, limit: -1}
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		name := strings.ToLower(item)
		if !strings.HasPrefix(name, "@@") {
			return diagnosticsRead{}, false
		}
		name = strings.TrimPrefix(strings.TrimPrefix(name, "@@"), "session.")
		switch name {
		case "warning_count", "error_count":
		default:
			return diagnosticsRead{}, false
		}
		d.columns = append(d.columns, item)
	}
	return d, len(d.columns) > 0
}

// answerDiagnostics answers text, a statement that reads the session's
// list of conditions, when it is one the session answers and the session
// knows the list.
func (s *Session) answerDiagnostics(text string) (*DiagnosticsAnswer, bool) {
	if !s.condsKnown || s.pendingConds {
		return nil, false
	}
	d, ok := parseDiagnosticsRead(text)
	if !ok {
		return nil, false
	}
	var errs []Condition
	for _, c := range s.conds {
		if c.Level == "Error" {
			errs = append(errs, c)
		}
	}
	warnings, errCount := uint64(s.condsCount), uint64(len(errs))
	switch {
	case d.columns != nil:
		a := &DiagnosticsAnswer{Columns: d.columns}
		for _, c := range d.columns {
			n := warnings
			if strings.HasSuffix(strings.ToLower(c), "error_count") {
				n = errCount
			}
			a.Counts = append(a.Counts, n)
		}
		return a, true
	case d.count && d.errors:
		return &DiagnosticsAnswer{Columns: []string{"@@session.error_count"}, Counts: []uint64{errCount}}, true
	case d.count:
		return &DiagnosticsAnswer{Columns: []string{"@@session.warning_count"}, Counts: []uint64{warnings}}, true
	}
	list := s.conds
	if d.errors {
		list = errs
	}
	list = list[min(int64(len(list)), d.offset):]
	if d.limit >= 0 {
		list = list[:min(int64(len(list)), d.limit)]
	}
	return &DiagnosticsAnswer{Conditions: append([]Condition{}, list...)}, true
}

// noteConditions keeps the list of conditions as st, a statement that ran
// and raised d, leaves it.
func (s *Session) noteConditions(st *Statement, d diagnostics) {
	switch {
	case !d.listed:
		// Its conditions are not known: a count the answer did not
		// give, or conditions it did not list.
		s.forgetConditions()
	case d.count > 0:
		s.conds, s.condsCount, s.condsKnown = d.conds, d.count, true
	case usesTable(st):
		s.conds, s.condsCount, s.condsKnown = nil, 0, true
	case !selectsNoTable(st):
		// A SHOW, a CALL, DDL…: whether the server counts it as using
		// a table, which clears the list, or not, is not known here.
		s.forgetConditions()
	}
}

// usesTable reports whether st is a SELECT (or UNION), INSERT, REPLACE,
// UPDATE or DELETE that names a table (DUAL is none): one a server
// clears the list for.
func usesTable(st *Statement) bool {
	switch st.routedBy().AST.(type) {
	case *sqlparser.Select, *sqlparser.Union, *sqlparser.Insert, *sqlparser.Update, *sqlparser.Delete:
	default:
		return false
	}
	for _, t := range st.Tables {
		if t != "dual" {
			return true
		}
	}
	return false
}

// selectsNoTable reports whether st is a SELECT of no table at all (no
// FROM but DUAL, no subquery, derived table or table function, and no
// function a server may read a table for: a sequence's NEXTVAL, a stored
// function's body): one a server keeps the list over when it raises
// nothing. A table named `dual`, which the parser does not tell from
// DUAL, is taken for one.
func selectsNoTable(st *Statement) bool {
	sel, ok := st.AST.(*sqlparser.Select)
	if !ok || strings.Contains(strings.ToLower(st.Text), "`dual`") {
		return false
	}
	for _, t := range sel.From {
		a, ok := t.(*sqlparser.AliasedTableExpr)
		if !ok {
			return false
		}
		if n, ok := a.Expr.(sqlparser.TableName); !ok || !n.Qualifier.IsEmpty() || !strings.EqualFold(n.Name.String(), "dual") {
			return false
		}
	}
	return !anyNode(sel, func(n sqlparser.SQLNode) bool {
		switch n.(type) {
		case *sqlparser.Subquery, *sqlparser.DerivedTable, *sqlparser.JSONTableExpr, *sqlparser.FuncExpr:
			return true
		}
		return false
	})
}

// ForgetConditions tells the session that a statement it did not run
// changed the list of conditions, or may have: a prepare (which clears
// it, or lists its error), or a statement the caller answered itself.
func (s *Session) ForgetConditions() { s.forgetConditions() }

// forgetConditions marks the list of conditions as not known.
func (s *Session) forgetConditions() {
	s.conds, s.condsCount, s.condsKnown, s.pendingConds = nil, 0, false, false
	s.dropRead()
}

// dropRead forgets the last read's connection, giving it back to its
// pool if the read took it from there (see op.lent).
func (s *Session) dropRead() {
	if s.readLent != nil {
		s.readLent.release()
	}
	s.readOn, s.readSt, s.readLent, s.readEnd = nil, nil, nil, nil
}

// RowsDone tells the session that the rows of its last statement, a read
// that Run returned them for, were read to their end and closed. A read
// on one node then gets the warning count of its answer's last packet
// (Warnings), and, when it is not 0, the conditions, listed on the
// connection it ran on: one the session holds (a transaction's, or its
// own once it keeps state), or one the read took from the node's pool,
// which goes back to the pool now (or at the session's next statement or
// Close, if the caller never tells). Until the caller tells, or for a
// read merged over shards, the list is not known, and the count is 0.
//
// A CALL's answer ends in an OK packet after its result sets, which
// go-sql-driver reads past: RowsDone reads it off the connection, and
// the session's ROW_COUNT() becomes its rows affected, as on a server,
// and its LAST_INSERT_ID() the connection's (see Closing).
func (s *Session) RowsDone(ctx context.Context) {
	defer func() {
		if v := recover(); v != nil {
			s.abandon(s.r.recovered(v, nil, nil)) // its next statement tells
		}
	}()
	c, st, lent, end := s.readOn, s.readSt, s.readLent, s.readEnd
	s.readOn, s.readSt, s.readLent, s.readEnd = nil, nil, nil, nil
	if lent != nil {
		defer lent.release()
	}
	if c == nil && end == nil || !s.pendingConds {
		return
	}
	s.pendingConds = false
	if end == nil {
		end = readEnd(ctx, c)
	}
	if !end.ok {
		s.forgetConditions()
		return
	}
	s.warnings = end.d.count
	s.noteConditions(st, end.d)
	if st.IsCall() && end.a.IsOK {
		s.closing, s.closed = end.a, true
		s.rowCount = int64(end.a.Affected)
		if lent == nil {
			// (A pooled connection's LAST_INSERT_ID() may be another
			// client's statement's.)
			s.callEnded(ctx, c)
		}
	}
}

// Closing is the OK packet that ended the answer to the session's last
// statement, a CALL whose rows were read to their end (RowsDone): its
// rows affected and id, which a client of a server gets after the
// CALL's result sets. False when it is not known.
func (s *Session) Closing() (affected, insertID uint64, ok bool) {
	return s.closing.Affected, s.closing.InsertID, s.closed
}

// callEnded reads on c, the connection a CALL just ran on, the value of
// LAST_INSERT_ID() that the procedure's inserts left there, which the
// session then answers (the CALL's answer does not carry it). A read
// that fails leaves the session's value as it was.
func (s *Session) callEnded(ctx context.Context, c *sqlx.Conn) {
	if c == nil {
		return
	}
	var id uint64
	if err := c.QueryRowContext(ctx, "SELECT LAST_INSERT_ID()").Scan(&id); err == nil {
		s.lastInsertID, s.lastIDUnknown = id, false
	}
}

// RelayedConditions tells the session of the answer to st, the statement
// Relay just ran: its warning count, the conditions (nil when they were
// not listed), and failed when it was an error. Until the caller tells,
// the list of conditions is not known.
func (s *Session) RelayedConditions(st *Statement, warnings uint16, conds []Condition, failed bool) {
	if !s.pendingConds {
		return
	}
	s.pendingConds = false
	switch {
	case failed || st == nil:
		s.forgetConditions()
	default:
		s.noteConditions(st, diagnostics{count: warnings, conds: conds, listed: conds != nil || warnings == 0})
	}
}
