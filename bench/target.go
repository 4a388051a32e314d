package bench

import (
	"context"
	"database/sql"
)

// Execer runs a statement that returns no rows. *sql.DB, *sql.Conn, *sql.Tx
// and the router satisfy it.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Queryer runs a statement that returns rows. *sql.DB, *sql.Conn, *sql.Tx and
// the router satisfy it.
type Queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Target is what a run sends its statements to. It must be safe for
// concurrent use by Config.Concurrency goroutines, as *sql.DB is; give a
// *sql.DB at least as many idle connections as the highest concurrency
// (SetMaxIdleConns) so that clients do not reconnect between queries.
type Target interface {
	Execer
	Queryer
}

var _ Target = (*sql.DB)(nil)

// execute runs one statement. A statement that returns rows is read to the
// end, every result set of it, because mysqlslap times a SELECT until its last
// row is fetched; rows are stepped through without Scan, which would measure
// Go conversions rather than the server.
func execute(ctx context.Context, t Target, returnsRows bool, query string) error {
	if !returnsRows {
		_, err := t.ExecContext(ctx, query)
		return err
	}
	if rc, ok := t.(*rawConn); ok {
		var err error
		rc.dest, err = rc.drain(ctx, query, rc.dest)
		return err
	}
	rows, err := t.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	for {
		for rows.Next() {
		}
		if !rows.NextResultSet() {
			break
		}
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return err
	}
	return rows.Close()
}
