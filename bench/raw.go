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
	q    driver.QueryerContext
	e    driver.ExecerContext
	dest []driver.Value // reused row buffer
}

var errRawRows = errors.New("bench: raw connection returns no *sql.Rows")

func newRawConn(dc any) (*rawConn, bool) {
	q, ok1 := dc.(driver.QueryerContext)
	e, ok2 := dc.(driver.ExecerContext)
	return &rawConn{q: q, e: e}, ok1 && ok2
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
