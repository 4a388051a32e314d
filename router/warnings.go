package router

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"

	"github.com/jmoiron/sqlx"
	"github.com/scalelab/scalelab/replica"
)

// A write's answer carries the server's count of its warnings (a row
// INSERT IGNORE skipped, a value a session without strict mode cut), which
// go-sql-driver drops: the router reads it off the connection the write
// ran on (replica.Warnings) and carries it in the write's result, summed
// over the shards a write ran on, so that a client of the proxy gets it
// in its OK packet, as from a server.

// warner is a result that knows its warning count.
type warner interface{ Warnings() uint16 }

// warningsOf is res's warning count; 0 for a result that does not know it.
func warningsOf(res sql.Result) uint16 {
	if w, ok := res.(warner); ok {
		return w.Warnings()
	}
	return 0
}

// warnedResult is a driver's result with its warning count.
type warnedResult struct {
	sql.Result
	warnings uint16
}

func (w warnedResult) Warnings() uint16 { return w.warnings }

// addWarnings is a + b, kept within the count's 16 bits.
func addWarnings(a, b uint16) uint16 { return uint16(min(int(a)+int(b), 1<<16-1)) }

// txQueryer is a transaction's branch: its statements, and the connection
// they run on, whose answers' warnings it reads.
type txQueryer struct {
	*sqlx.Tx
	conn *sqlx.Conn
}

// execWarned runs query on q and returns its result with the warning
// count of the server's answer.
func execWarned(ctx context.Context, q queryer, query string, args []any) (sql.Result, error) {
	var conn *sqlx.Conn
	switch c := q.(type) {
	case *sqlx.Conn:
		conn = c
	case txQueryer:
		conn = c.conn
	case *sqlx.DB:
		cc, err := c.Connx(ctx)
		if err != nil {
			return nil, err
		}
		res, err := cc.ExecContext(ctx, query, args...)
		if errors.Is(err, driver.ErrBadConn) {
			// An idle connection the server had closed, the statement
			// not sent: the pool runs it on another, as its own
			// ExecContext would.
			cc.Close()
			return c.ExecContext(ctx, query, args...)
		}
		res, err = withWarnings(cc, res, err)
		cc.Close()
		return res, err
	}
	res, err := q.ExecContext(ctx, query, args...)
	if conn != nil {
		return withWarnings(conn, res, err)
	}
	return res, err
}

// withWarnings is res, the result of a statement that just ran on c, with
// its warning count.
func withWarnings(c *sqlx.Conn, res sql.Result, err error) (sql.Result, error) {
	if err != nil {
		return res, err
	}
	var n uint16
	c.Raw(func(dc any) error {
		n, _ = replica.Warnings(dc)
		return nil
	})
	if n == 0 {
		return res, nil
	}
	return warnedResult{res, n}, nil
}
