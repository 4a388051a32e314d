package router

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/jmoiron/sqlx"
	"github.com/scalelab/scalelab/replica"
	"vitess.io/vitess/go/vt/sqlparser"
)

// A write's answer carries the server's count of its warnings (a row
// INSERT IGNORE skipped, a value a session without strict mode cut), and
// an UPDATE's or an upsert's its info ("Rows matched: 2  Changed: 1
// Warnings: 0"), which go-sql-driver drops: the router reads them off the
// connection the write ran on (replica.LastOK) and carries them in the
// write's result, summed over the shards a write ran on, so that a client
// of the proxy gets the warnings in its OK packet, and a client that
// logged in with CLIENT_FOUND_ROWS the rows its write matched, as from a
// server (the pools' connections log in without it).

// Condition is one condition a statement raised (a note, a warning or an
// error), as SHOW WARNINGS lists it.
type Condition struct {
	Level   string // Note, Warning or Error
	Code    uint16
	Message string
}

// diagnostics is what a write's answers said of the conditions it
// raised: their count and, when listed, the conditions themselves, read
// off the connection it ran on when the count was not 0.
type diagnostics struct {
	count uint16
	conds []Condition
	// listed is set when conds is the statement's list (none, for a
	// count of 0): unset, the session does not know it (an answer whose
	// last packet was not read, or a listing that failed).
	listed bool
}

// add is d and e, the diagnostics of one statement's parts (its shards).
// Their conditions are not a list one server would give: a server lists
// a statement's conditions row after row, each numbered in the statement
// ("at row 4"), and each shard ran its own rows, numbered its own way, so
// a statement over shards that raised any has no list the session knows
// (only its count); nor has one whose part's conditions are not known.
func (d diagnostics) add(e diagnostics) diagnostics {
	d.count = addWarnings(d.count, e.count)
	d.conds = nil
	d.listed = d.count == 0 && d.listed && e.listed
	return d
}

// diagnoser is a result that knows its diagnostics.
type diagnoser interface{ diagnostics() diagnostics }

// diagnosticsOf is res's diagnostics: a result that does not know them is
// a driver's, which withAnswer passes on for an answer without
// conditions.
func diagnosticsOf(res sql.Result) diagnostics {
	if d, ok := res.(diagnoser); ok {
		return d.diagnostics()
	}
	return diagnostics{listed: true}
}

// answered is a driver's result with what the answer said beyond it.
type answered struct {
	sql.Result
	diag diagnostics
	// affected, when set, is the rows the write matched, in place of
	// the rows it changed (see foundRows).
	affected    int64
	hasAffected bool
	// info is the answer's info (see replica.OK).
	info string
}

func (a answered) diagnostics() diagnostics { return a.diag }
func (a answered) answerInfo() string       { return a.info }

// informer is a result that knows its answer's info.
type informer interface{ answerInfo() string }

// infoOf is res's info: "" for a result that does not know it.
func infoOf(res sql.Result) string {
	if i, ok := res.(informer); ok {
		return i.answerInfo()
	}
	return ""
}

// addInfo is the info of a statement whose parts (its shards) answered
// a and b: an UPDATE's "Rows matched: M  Changed: C  Warnings: W" of each
// shard add up to the statement's, number by number, as do the "Records:
// R  Duplicates: D  Warnings: W" of several rows inserted on each; parts
// that do not read alike have no sum, nor does a part without info (one
// row inserted, whose server says none).
func addInfo(a, b string) string {
	na, nb := infoNumbers(a), infoNumbers(b)
	if a == "" || len(na) == 0 || len(na) != len(nb) || infoWords(a) != infoWords(b) {
		return ""
	}
	var out []byte
	k := 0
	for i := 0; i < len(a); {
		if a[i] < '0' || a[i] > '9' {
			out = append(out, a[i])
			i++
			continue
		}
		for i < len(a) && a[i] >= '0' && a[i] <= '9' {
			i++
		}
		out = strconv.AppendInt(out, na[k]+nb[k], 10)
		k++
	}
	return string(out)
}

// splitInsertInfo is the info of st, an INSERT or REPLACE of several
// rows split over shards, whose parts' infos added up to info, with
// affected rows and diagnostics d: a part of one row has none (its server
// says none for one row), so the parts may not add up to the "Records: R
// Duplicates: D  Warnings: W" one server says for the statement. That is
// made from the statement's rows: D is 0 for a plain INSERT, which fails
// on a duplicate; the rows skipped of an INSERT IGNORE; the rows replaced
// of a REPLACE, each of which counts twice in its affected rows. An
// upsert's is not made (its D counts rows changed, which the affected
// rows do not tell apart from rows inserted).
func splitInsertInfo(st *Statement, info string, affected int64, d diagnostics) string {
	ins, ok := st.routedBy().AST.(*sqlparser.Insert)
	if !ok || info != "" || len(ins.OnDup) > 0 {
		return info
	}
	rows, ok := ins.Rows.(sqlparser.Values)
	if !ok || len(rows) < 2 {
		return info
	}
	n := int64(len(rows))
	var dup int64
	switch {
	case ins.Action == sqlparser.ReplaceAct:
		dup = affected - n
	case bool(ins.Ignore):
		dup = n - affected
	}
	if dup < 0 {
		return info
	}
	return fmt.Sprintf("Records: %d  Duplicates: %d  Warnings: %d", n, dup, d.count)
}

// infoWords is info without its numbers.
func infoWords(info string) string {
	out := make([]byte, 0, len(info))
	for i := 0; i < len(info); i++ {
		if info[i] < '0' || info[i] > '9' {
			out = append(out, info[i])
		}
	}
	return string(out)
}

func (a answered) RowsAffected() (int64, error) {
	if a.hasAffected {
		return a.affected, nil
	}
	return a.Result.RowsAffected()
}

// addWarnings is a + b, kept within the count's 16 bits.
func addWarnings(a, b uint16) uint16 { return uint16(min(int(a)+int(b), 1<<16-1)) }

// foundRows is how a write's rows matched are counted from its answer,
// for a session of CLIENT_FOUND_ROWS (Session.SetFoundRows): only an
// UPDATE's and an upsert's differ from the rows they changed.
type foundRows uint8

const (
	foundChanged      foundRows = iota // the rows changed: the affected rows
	foundUpdate                        // an UPDATE: its info's "Rows matched"
	foundUpsert                        // INSERT … ON DUPLICATE KEY UPDATE
	foundUpsertIgnore                  // INSERT IGNORE … ON DUPLICATE KEY UPDATE
)

// foundRowsOf is how st's rows matched are counted.
func foundRowsOf(st *Statement) foundRows {
	switch a := st.routedBy().AST.(type) {
	case *sqlparser.Update:
		return foundUpdate
	case *sqlparser.Insert:
		switch {
		case len(a.OnDup) > 0 && bool(a.Ignore):
			return foundUpsertIgnore
		case len(a.OnDup) > 0:
			return foundUpsert
		}
	}
	return foundChanged
}

// matched is the rows a write of kind f matched, as a server counts them
// for CLIENT_FOUND_ROWS, from the rows it changed (affected) and its
// answer's info:
//   - an UPDATE's info is "Rows matched: M  Changed: C  Warnings: W": M;
//   - an upsert of several rows (or of a SELECT) says "Records: R
//     Duplicates: D  Warnings: W", where D counts the rows it changed:
//     every row counts once, and one changed twice, R + D;
//   - with IGNORE, D counts the rows it did not insert or change (R less
//     the rows copied), each of which counts once: the rows changed + D;
//   - an upsert of one row has no info: 0 rows changed (a duplicate set
//     to the values it had) is 1 matched.
//
// Where the info does not read so, the rows changed stand.
func matched(f foundRows, affected int64, info string) int64 {
	nums := infoNumbers(info)
	switch {
	case f == foundUpdate && len(nums) == 3:
		return nums[0]
	case f == foundUpsert && len(nums) == 3:
		return nums[0] + nums[1]
	case f == foundUpsertIgnore && len(nums) == 3:
		return affected + nums[1]
	case (f == foundUpsert || f == foundUpsertIgnore) && info == "" && affected == 0:
		return 1
	}
	return affected
}

// infoNumbers are the numbers of an OK packet's info, in order.
func infoNumbers(info string) []int64 {
	var nums []int64
	for i := 0; i < len(info); {
		if info[i] < '0' || info[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(info) && info[j] >= '0' && info[j] <= '9' {
			j++
		}
		n, err := strconv.ParseInt(info[i:j], 10, 64)
		if err != nil {
			return nil
		}
		nums = append(nums, n)
		i = j
	}
	return nums
}

// txQueryer is a transaction's branch: its statements, and the connection
// they run on, whose answers' warnings it reads.
type txQueryer struct {
	*sqlx.Tx
	conn *sqlx.Conn
}

// execAnswered runs query on q and returns its result with what the
// server's answer says beyond it: its warning count, and for f other than
// foundChanged the rows it matched as its affected rows.
func execAnswered(ctx context.Context, q queryer, query string, args []any, f foundRows) (sql.Result, error) {
	var conn *sqlx.Conn
	switch c := q.(type) {
	case *sqlx.Conn:
		conn = c
	case txQueryer:
		conn = c.conn
	case rowsRead:
		conn = c.Conn
	case *sqlx.DB:
		// As the pool's own ExecContext does, a connection the server
		// had closed (the statement not sent: driver.ErrBadConn) is
		// dropped and the statement sent on another.
		for try := 0; ; try++ {
			cc, err := c.Connx(ctx)
			if err != nil {
				return nil, err
			}
			res, err := cc.ExecContext(ctx, query, args...)
			if errors.Is(err, driver.ErrBadConn) && try < badConnTries {
				cc.Close()
				continue
			}
			res, err = withAnswer(ctx, cc, res, err, f)
			cc.Close()
			return res, err
		}
	}
	res, err := q.ExecContext(ctx, query, args...)
	switch {
	case conn != nil:
		return withAnswer(ctx, conn, res, err, f)
	case err == nil:
		return answered{Result: res}, nil // its conditions are not known
	}
	return res, err
}

// badConnTries is how many times a write is sent again on another of the
// pool's connections after one the server had closed: database/sql's
// own count, then one more for a new connection.
const badConnTries = 3

// withAnswer is res, the result of a write that just ran on c, with what
// its answer said (see execAnswered): when the server counted conditions,
// SHOW WARNINGS lists them on c, the connection that holds them.
func withAnswer(ctx context.Context, c *sqlx.Conn, res sql.Result, err error, f foundRows) (sql.Result, error) {
	if err != nil {
		return res, err
	}
	a, d, ok := lastAnswer(ctx, c)
	switch {
	case !ok:
		return answered{Result: res}, nil // its conditions are not known
	case a.Warnings == 0 && f == foundChanged && a.Info == "":
		return res, nil
	}
	out := answered{Result: res, diag: d, info: a.Info}
	if f != foundChanged {
		if n, err := res.RowsAffected(); err == nil {
			out.affected, out.hasAffected = matched(f, n, a.Info), true
		}
	}
	return out, nil
}

// A read's rows end in an EOF or OK packet that carries the answer's
// warning count, which the session reads once the rows are read
// (Session.RowsDone), on the connection the rows came from: for a read
// over a node's pool, one the read takes from the pool for itself
// (queryLent) and gives back then, since a connection back in the pool
// may have run another client's statement by the time the rows are read.

// lentConn is a connection a read took from a node's pool for itself,
// with its rows and, for rows in the binary protocol, the statement
// prepared on it: release gives it back.
type lentConn struct {
	conn *sqlx.Conn
	rows *sql.Rows
	stmt *sql.Stmt
}

// release closes the rows (a no-op once the caller has), the statement
// and the connection, which goes back to the pool. The statement is
// closed first: closed after, it would be closed on a connection another
// statement may be using.
func (l *lentConn) release() {
	l.rows.Close()
	if l.stmt != nil {
		l.stmt.Close()
	}
	l.conn.Close()
}

// queryLent runs query on a connection it takes from db, in the binary
// protocol when ctx asks for it (see queryRows), and returns its rows
// and the connection, which the caller releases once the rows are read
// and the end of the answer is. As the pool's own QueryContext does, a
// connection the server had closed (the statement not sent:
// driver.ErrBadConn) is dropped and the statement sent on another.
func queryLent(ctx context.Context, db *sqlx.DB, query string, args []any) (*sql.Rows, *lentConn, error) {
	binary := binaryRowsWanted(ctx)
	for try := 0; ; try++ {
		c, err := db.Connx(ctx)
		if err != nil {
			return nil, nil, err
		}
		var rows *sql.Rows
		var stmt *sql.Stmt
		if binary {
			rows, stmt, err = queryBinary(ctx, c, c, query, args)
		} else {
			rows, err = c.QueryContext(ctx, query, args...)
		}
		if err != nil {
			c.Close()
			if errors.Is(err, driver.ErrBadConn) && try < badConnTries {
				continue
			}
			return nil, nil, err
		}
		return rows, &lentConn{conn: c, rows: rows, stmt: stmt}, nil
	}
}

// endOfAnswer is what lastAnswer read of the end of a read's answer; ok
// is false when it is not known.
type endOfAnswer struct {
	ok bool
	a  replica.OK
	d  diagnostics
}

// readEnd reads the end of the answer to the read that just ran on c,
// whose rows were read to their end.
func readEnd(ctx context.Context, c *sqlx.Conn) *endOfAnswer {
	a, d, ok := lastAnswer(ctx, c)
	return &endOfAnswer{ok: ok, a: a, d: d}
}

// lastAnswer reads what the answer to the statement that just ran on c
// said beyond what the driver keeps: its last packet (replica.LastOK), and
// its diagnostics, listed with SHOW WARNINGS on c, the connection that
// holds them, when the server counted conditions. False when c's last
// packet is not known.
func lastAnswer(ctx context.Context, c *sqlx.Conn) (replica.OK, diagnostics, bool) {
	var a replica.OK
	var ok bool
	var d diagnostics
	err := c.Raw(func(dc any) error {
		if a, ok = replica.LastOK(dc); ok && a.Warnings > 0 {
			d.conds, d.listed = showWarnings(ctx, dc)
		}
		return nil
	})
	if err != nil || !ok {
		return replica.OK{}, diagnostics{}, false
	}
	d.count = a.Warnings
	d.listed = d.listed || d.count == 0
	return a, d, true
}

// showWarnings lists the conditions of the statement that just ran on dc,
// a driver's connection, and reports whether it could.
func showWarnings(ctx context.Context, dc any) ([]Condition, bool) {
	q, ok := dc.(driver.QueryerContext)
	if !ok {
		return nil, false
	}
	rows, err := q.QueryContext(ctx, "SHOW WARNINGS", nil)
	if err != nil {
		return nil, false
	}
	defer rows.Close()
	var conds []Condition
	dest := make([]driver.Value, len(rows.Columns()))
	if len(dest) != 3 {
		return nil, false
	}
	for {
		switch err := rows.Next(dest); {
		case errors.Is(err, io.EOF):
			return conds, true
		case err != nil:
			return nil, false
		}
		code, err := strconv.ParseUint(driverText(dest[1]), 10, 16)
		if err != nil {
			return nil, false
		}
		conds = append(conds, Condition{Level: driverText(dest[0]), Code: uint16(code), Message: driverText(dest[2])})
	}
}

// driverText is a driver's value of a text result as a string.
func driverText(v driver.Value) string {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return ""
}
