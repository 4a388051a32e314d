package router

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
)

// A client of the binary protocol (a prepared statement's execution) gets
// a FLOAT as its four bytes and a DOUBLE as its eight, where the text
// protocol gives a FLOAT's 6 significant digits and a column's fixed
// decimals (1234.5677 is 1234.57 in text; a FLOAT(10,4)'s 12.3456001…
// is 12.3456). Rows the router reads in text and the proxy encodes in
// binary would carry the text's rounding: for such a client, the router
// reads a statement's rows from the servers in the binary protocol too,
// as a server-side prepared statement of the text it sends them.

// binaryReads is what WithBinaryRows puts in a context: the statements
// prepared on a connection the session holds, closed once the rows are
// read (a statement closed while its rows are open would break its
// connection).
type binaryReads struct {
	mu    sync.Mutex
	stmts []*sql.Stmt
}

type binaryReadsKey struct{}

// WithBinaryRows returns ctx for a statement whose rows go to a client in
// the binary protocol: the router reads them from the servers in the
// binary protocol. Call done once the rows are read and closed (after
// Session.RowsDone).
func WithBinaryRows(ctx context.Context) (_ context.Context, done func()) {
	b := &binaryReads{}
	return context.WithValue(ctx, binaryReadsKey{}, b), b.close
}

func (b *binaryReads) close() {
	b.mu.Lock()
	stmts := b.stmts
	b.stmts = nil
	b.mu.Unlock()
	for _, st := range stmts {
		st.Close()
	}
}

// erUnsupportedPS is ER_UNSUPPORTED_PS: a statement the server does not
// prepare.
const erUnsupportedPS = 1295

// queryRows runs query on q and returns its rows: in the binary protocol
// when ctx asks for it (WithBinaryRows) and q is a pool, a connection the
// session holds or its transaction; else, or for a statement the server
// does not prepare, in text.
func queryRows(ctx context.Context, q queryer, query string, args []any) (*sql.Rows, error) {
	b, _ := ctx.Value(binaryReadsKey{}).(*binaryReads)
	if b == nil {
		return q.QueryContext(ctx, query, args...)
	}
	var p preparer
	held := true
	switch c := q.(type) {
	case *sqlx.DB:
		// A pool's statement is closed for good once its rows are.
		p, held = c, false
	case *sqlx.Conn:
		p = c
	case txQueryer:
		p = c
	default:
		return q.QueryContext(ctx, query, args...)
	}
	rows, st, err := queryBinary(ctx, p, q, query, args)
	if st == nil {
		return rows, err
	}
	if !held {
		st.Close()
		return rows, nil
	}
	b.mu.Lock()
	b.stmts = append(b.stmts, st)
	b.mu.Unlock()
	return rows, nil
}

// binaryRowsWanted reports whether ctx asks for rows in the binary
// protocol (WithBinaryRows).
func binaryRowsWanted(ctx context.Context) bool {
	b, _ := ctx.Value(binaryReadsKey{}).(*binaryReads)
	return b != nil
}

// preparer is what a statement is prepared on: a pool, a connection or a
// transaction.
type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// queryBinary runs query as a statement prepared on p, whose rows come in
// the binary protocol, and returns them with the statement, which the
// caller closes once they are read (nil with an error). A statement the
// server does not prepare runs in text on q, with no statement.
func queryBinary(ctx context.Context, p preparer, q queryer, query string, args []any) (*sql.Rows, *sql.Stmt, error) {
	st, err := p.PrepareContext(ctx, query)
	var me *mysql.MySQLError
	if errors.As(err, &me) && me.Number == erUnsupportedPS {
		rows, err := q.QueryContext(ctx, query, args...)
		return rows, nil, err
	}
	if err != nil {
		return nil, nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return rows, st, nil
}
