package bench

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
)

// rawConn runs statements straight on a driver connection. It is used only
// inside (*sql.Conn).Raw, for the length of one client's run, and only by
// execute: its QueryContext returns no *sql.Rows but reads the rows itself.
type rawConn struct {
	v    driver.Validator // nil: the driver does not say
	q    driver.QueryerContext
	e    driver.ExecerContext
	p    driver.ConnPrepareContext
	dest []driver.Value // reused row buffer
	// stmts are the client's server-side prepared statements, by
	// template index (Config.Prepared).
	stmts []driver.Stmt
	// sock is the connection's socket, when the pool dialed it: the
	// statements stay prepared there (leanSocket.driverStmts).
	sock *leanSocket
}

var errRawRows = errors.New("bench: raw connection returns no *sql.Rows")

func newRawConn(dc any) (*rawConn, bool) {
	q, ok1 := dc.(driver.QueryerContext)
	e, ok2 := dc.(driver.ExecerContext)
	p, _ := dc.(driver.ConnPrepareContext)
	v, _ := dc.(driver.Validator)
	return &rawConn{q: q, e: e, p: p, v: v}, ok1 && ok2
}

// valid reports whether the driver still holds the connection open: it
// closes one whose I/O failed.
func (c *rawConn) valid() bool { return c.v == nil || c.v.IsValid() }

// ErrPreparedUnsupported is returned by Run for Config.Prepared on a
// target that has no connections of its own to prepare statements on.
var ErrPreparedUnsupported = errors.New("bench: prepared statements need a direct target (a server, not the router)")

// prepare prepares template i, t, on this connection unless it already
// is: by this client, or on its socket in an earlier run (sock).
func (c *rawConn) prepare(ctx context.Context, i int, t *Template) error {
	if c.p == nil {
		return ErrPreparedUnsupported
	}
	for len(c.stmts) <= i {
		c.stmts = append(c.stmts, nil)
	}
	if c.stmts[i] != nil {
		return nil
	}
	text := t.PreparedText()
	if c.sock != nil {
		if st, ok := c.sock.driverStmts[text]; ok {
			c.stmts[i] = st
			return nil
		}
	}
	st, err := c.p.PrepareContext(ctx, text)
	if err != nil {
		return err
	}
	c.stmts[i] = st
	if c.sock != nil {
		if c.sock.driverStmts == nil {
			c.sock.driverStmts = map[string]driver.Stmt{}
		}
		c.sock.driverStmts[text] = st
	}
	return nil
}

// prepared runs template i, t, as a server-side prepared statement with
// args, with the binary protocol, as sysbench's default --db-ps-mode=auto
// does. The run prepares its statements before its clock starts; one the
// server refused then is prepared here, at its turn.
func (c *rawConn) prepared(ctx context.Context, i int, t *Template, args []driver.NamedValue) error {
	if i >= len(c.stmts) || c.stmts[i] == nil {
		if err := c.prepare(ctx, i, t); err != nil {
			return err
		}
	}
	st := c.stmts[i]
	if !t.returnsRows {
		_, err := st.(driver.StmtExecContext).ExecContext(ctx, args)
		return err
	}
	rows, err := st.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return err
	}
	c.dest, err = drainRows(rows, c.dest)
	return err
}

// closeStmts closes the prepared statements at the end of a run, unless
// they stay prepared on the connection's socket for the next one.
func (c *rawConn) closeStmts() {
	for _, st := range c.stmts {
		if st != nil && c.sock == nil {
			st.Close()
		}
	}
	c.stmts = nil
}

func (c *rawConn) ExecContext(ctx context.Context, query string, _ ...any) (sql.Result, error) {
	return c.e.ExecContext(ctx, query, nil)
}

func (c *rawConn) QueryContext(context.Context, string, ...any) (*sql.Rows, error) {
	return nil, errRawRows
}

// drain runs a query and reads every row of every result set, as
// database/sql would for execute.
func (c *rawConn) drain(ctx context.Context, query string, dest []driver.Value) ([]driver.Value, error) {
	rows, err := c.q.QueryContext(ctx, query, nil)
	if err != nil {
		return dest, err
	}
	return drainRows(rows, dest)
}

// drainRows reads every row of every result set and closes rows.
func drainRows(rows driver.Rows, dest []driver.Value) ([]driver.Value, error) {
	var err error
	for {
		if n := len(rows.Columns()); cap(dest) < n {
			dest = make([]driver.Value, n)
		} else {
			dest = dest[:n]
		}
		for {
			err = rows.Next(dest)
			if err != nil {
				break
			}
		}
		if err != io.EOF {
			rows.Close()
			return dest, err
		}
		next, ok := rows.(driver.RowsNextResultSet)
		if !ok || !next.HasNextResultSet() {
			break
		}
		if err := next.NextResultSet(); err != nil {
			if err == io.EOF {
				break
			}
			rows.Close()
			return dest, err
		}
	}
	return dest, rows.Close()
}
