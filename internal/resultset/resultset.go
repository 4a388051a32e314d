// Package resultset reads the rows of a statement as text and prints them
// as a table, the way the mariadb client shows a result: NULL as NULL, and
// column names exactly as the server sent them.
//
// Example:
//
//	rows, err := db.QueryContext(ctx, "SELECT id, name FROM users LIMIT 3")
//	if err != nil {
//		return err
//	}
//	set, err := resultset.Read(rows) // or FromResult(session.Run(…))
//	if err != nil {
//		return err
//	}
//	return set.WriteTable(os.Stdout)
package resultset

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"

	"github.com/scalelab/scalelab/internal/table"
	"github.com/scalelab/scalelab/router"
)

// Set is a statement's result as text.
type Set struct {
	// Columns is nil for a statement that returns no rows.
	Columns []string
	// Rows holds each row's values in column order; a NULL is "NULL".
	// It is empty, not nil, when a query returned no rows.
	Rows [][]string
	// Affected is how many rows a statement that returns none changed.
	Affected int64
	// Route is how the router ran the statement, when Run ran it.
	Route *router.Trace
}

// Run runs stmt in a new session of r and returns its result with the
// route the router took.
func Run(ctx context.Context, r *router.Router, stmt string) (*Set, error) {
	sess := r.NewSession()
	defer sess.Close()
	var tr router.Trace
	res, err := sess.Run(router.WithTrace(ctx, &tr), stmt)
	if err != nil {
		return nil, err
	}
	s, err := FromResult(res)
	if err != nil {
		return nil, err
	}
	s.Route = &tr
	return s, nil
}

// FromResult reads the result of a statement that router.Session.Run
// ran: its rows, if it returns rows (see Read), else its count.
func FromResult(res *router.Result) (*Set, error) {
	if d := res.Diagnostics; d != nil {
		return fromDiagnostics(d), nil
	}
	if res.Rows == nil {
		return &Set{Affected: res.Affected}, nil
	}
	return Read(res.Rows)
}

// fromDiagnostics is the session's own answer to SHOW WARNINGS and the
// like, as the server's columns name it.
func fromDiagnostics(d *router.DiagnosticsAnswer) *Set {
	if d.Columns != nil {
		row := make([]string, len(d.Counts))
		for i, n := range d.Counts {
			row[i] = fmt.Sprint(n)
		}
		return &Set{Columns: d.Columns, Rows: [][]string{row}}
	}
	s := &Set{Columns: []string{"Level", "Code", "Message"}, Rows: [][]string{}}
	for _, c := range d.Conditions {
		s.Rows = append(s.Rows, []string{c.Level, fmt.Sprint(c.Code), c.Message})
	}
	return s
}

// Read reads every row of rows and closes it.
func Read(rows *sql.Rows) (*Set, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		// DO, LOCK TABLES, FLUSH…: no result set, as a statement that
		// changes nothing.
		return &Set{}, rows.Close()
	}
	s := &Set{Columns: cols, Rows: [][]string{}}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return s, err
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = "NULL"
			if v.Valid {
				row[i] = v.String
			}
		}
		s.Rows = append(s.Rows, row)
	}
	return s, rows.Err()
}

// Write prints s for a person: the rows as a table on w and their count
// on notes, or, for a statement without rows, the rows it changed on
// notes; with route, the route (router.Trace.Write) follows on w.
func (s *Set) Write(w, notes io.Writer, route bool) error {
	if s.Columns != nil {
		if err := s.WriteTable(w); err != nil {
			return err
		}
		fmt.Fprintf(notes, "%d row(s)\n", len(s.Rows))
	} else {
		fmt.Fprintf(notes, "%d row(s) affected\n", s.Affected)
	}
	if route && s.Route != nil {
		return s.Route.Write(w)
	}
	return nil
}

// WriteJSON writes s as an indented JSON object with "columns", "rows"
// and "rows_affected", and, with route, the "route".
func (s *Set) WriteJSON(w io.Writer, route bool) error {
	v := map[string]any{"columns": s.Columns, "rows": s.Rows, "rows_affected": s.Affected}
	if route {
		v["route"] = s.Route
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// WriteTable prints s as a text table. It returns w's errors.
func (s *Set) WriteTable(w io.Writer) error {
	// Column names are data here: printed as the server sent them, and a
	// column of numbers right-aligned, as the mariadb client does.
	return table.Write(w, s.Columns, s.Rows)
}
