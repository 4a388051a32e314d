package schema

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
)

// readerSeq numbers the driver's reader handlers, whose names are global to
// the process, so that concurrent loads never share one.
var readerSeq atomic.Uint64

// errStreamDone unblocks a stream writer whose statement has ended.
var errStreamDone = errors.New("schema: LOAD DATA statement ended")

// infileWorker loads batches from ch with one LOAD DATA LOCAL INFILE
// statement that reads them from a pipe as they come.
func (l *loader) infileWorker(ctx context.Context, table string, i int, ch <-chan *batch, count *atomic.Uint64) error {
	first, ok := recv(ctx, ch)
	if !ok {
		return ctx.Err() // nil: no rows were left for this worker
	}
	conn, err := l.dbs[i].Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()

	name := "scalelab-load-" + strconv.FormatUint(readerSeq.Add(1), 10)
	pr, pw := io.Pipe()
	mysql.RegisterReaderHandler(name, func() io.Reader { return pr })
	defer mysql.DeregisterReaderHandler(name)

	var sent uint64
	written := make(chan error, 1)
	go func() {
		err := func() error {
			for b, more := first, true; more; b, more = recv(ctx, ch) {
				if _, err := pw.Write(b.tsv); err != nil {
					return err
				}
				sent += b.rows
				l.progress(table, b.rows)
			}
			return ctx.Err() // nil: the channel is closed, every batch written
		}()
		pw.CloseWithError(err) // nil: EOF, the statement commits
		written <- err
	}()
	res, err := conn.ExecContext(ctx, infileSQL(name, table, columnsOf(table)))
	// If the server never asked for the data, or stopped reading it, the
	// writer is blocked on the pipe: release it.
	pr.CloseWithError(errStreamDone)
	werr := <-written
	if err != nil {
		return translate(err)
	}
	if werr != nil {
		return werr
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	count.Add(uint64(n))
	if uint64(n) != sent {
		// With LOCAL the server cannot stop the client mid-file, so it
		// skips a duplicate row with a warning instead of failing.
		return skippedRows(ctx, conn, sent-uint64(n), sent)
	}
	return nil
}

// infileSQL returns the LOAD DATA statement that reads rows from the
// driver's reader handler name. It relies on LOAD DATA's default format,
// which appendTSV writes: fields terminated by a tab, escaped by a
// backslash, lines terminated by a newline, and \N for NULL. Spelling the
// defaults out would make the statement depend on sql_mode's
// NO_BACKSLASH_ESCAPES.
func infileSQL(name, table string, cols []string) string {
	quoted := make([]string, len(cols))
	for j, c := range cols {
		quoted[j] = quoteIdent(c)
	}
	return "LOAD DATA LOCAL INFILE 'Reader::" + name + "' INTO TABLE " + quoteIdent(table) +
		" CHARACTER SET utf8mb4 (" + strings.Join(quoted, ", ") + ")"
}

// skippedRows explains why LOAD DATA loaded fewer rows than it was sent,
// from the statement's first warning.
func skippedRows(ctx context.Context, conn *sql.Conn, skipped, sent uint64) error {
	var level, msg string
	var code uint16
	if err := conn.QueryRowContext(ctx, "SHOW WARNINGS LIMIT 1").Scan(&level, &code, &msg); err != nil {
		return fmt.Errorf("%d of %d rows were not loaded, and no warning says why: %w", skipped, sent, err)
	}
	err := fmt.Errorf("%d of %d rows were skipped: %s %d: %s", skipped, sent, level, code, msg)
	if code == erDupEntry {
		return alreadyLoaded(err)
	}
	return err
}

// appendTSV appends one row in LOAD DATA's default text format: values
// separated by tabs, the line ended by a newline, NULL as \N, and a
// backslash before any backslash, tab, newline, carriage return or NUL in a
// string. The value types are the ones Row.Values documents, rendered as
// in Checksum.
func appendTSV(b []byte, vals []any) []byte {
	for j, v := range vals {
		if j > 0 {
			b = append(b, '\t')
		}
		switch v := v.(type) {
		case nil:
			b = append(b, `\N`...)
		case uint64:
			b = strconv.AppendUint(b, v, 10)
		case string:
			b = appendEscaped(b, v)
		case time.Time:
			b = v.UTC().AppendFormat(b, datetime6)
		default:
			panic(fmt.Sprintf("schema: load a %T value", v)) // unreachable: Row is closed
		}
	}
	return append(b, '\n')
}

func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b = append(b, '\\', '\\')
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case 0:
			b = append(b, '\\', '0')
		default:
			b = append(b, c)
		}
	}
	return b
}
