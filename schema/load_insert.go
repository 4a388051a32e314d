package schema

import (
	"context"
	"strings"
	"sync/atomic"
)

// insertWorker loads batches from ch with multi-row INSERTs.
func (l *loader) insertWorker(ctx context.Context, table string, i int, ch <-chan *batch, count *atomic.Uint64) error {
	cols := columnsOf(table)
	full := insertSQL(table, cols, l.cfg.BatchRows)
	for {
		b, ok := recv(ctx, ch)
		if !ok {
			return ctx.Err()
		}
		q := full
		if b.rows != uint64(l.cfg.BatchRows) {
			q = insertSQL(table, cols, int(b.rows))
		}
		res, err := l.dbs[i].ExecContext(ctx, q, b.args...)
		if err != nil {
			return translate(err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		count.Add(uint64(n))
		l.progress(table, b.rows)
	}
}

// insertSQL returns INSERT INTO table (cols) VALUES (?, ...), ... for rows
// rows.
func insertSQL(table string, cols []string, rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	b.WriteString(quoteIdent(table))
	b.WriteString(" (")
	for j, c := range cols {
		if j > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(c))
	}
	b.WriteString(") VALUES ")
	tuple := "(" + strings.Repeat("?,", len(cols)-1) + "?)"
	b.Grow(rows * (len(tuple) + 1))
	for r := range rows {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteString(tuple)
	}
	return b.String()
}
