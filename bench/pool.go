package bench

import (
	"context"
	"database/sql"
)

// Connect opens n connections in db's pool and returns them to it idle, so
// that a run's first queries do not pay for connecting: mysqlslap, too,
// connects every client before it starts the clock. Give db at least n idle
// connections (SetMaxIdleConns), or the pool closes the extra ones at once.
// It returns the first connection error.
func Connect(ctx context.Context, db *sql.DB, n int) error {
	type opened struct {
		conn *sql.Conn
		err  error
	}
	ch := make(chan opened, n)
	for range n {
		go func() {
			c, err := db.Conn(ctx)
			if err == nil {
				err = c.PingContext(ctx)
			}
			ch <- opened{c, err}
		}()
	}
	var first error
	for range n {
		o := <-ch
		if o.conn != nil {
			defer o.conn.Close()
		}
		if first == nil {
			first = o.err
		}
	}
	return first
}
