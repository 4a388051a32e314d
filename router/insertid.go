package router

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/scalelab/scalelab/shard"
	"vitess.io/vitess/go/vt/sqlparser"
)

// autoColumns are the AUTO_INCREMENT columns of the tables sessions
// insert into, as the server names them, read when an INSERT's answer
// carries an id (see Session.generated) and kept for keyColumnTTL, or
// until DDL through the router.
type autoColumns struct {
	mu sync.Mutex
	m  map[autoTable]autoColumn
	// reading are the tables whose column is being read again in the
	// background.
	reading map[autoTable]bool
}

// autoTable names a table in its schema, lower-cased.
type autoTable struct{ schema, name string }

// autoColumn is a table's AUTO_INCREMENT column ("" for none) and its
// position among the table's columns, from 1.
type autoColumn struct {
	name string
	pos  int
	read time.Time
}

// get returns t's column, whether it is known, and whether it was read
// less than keyColumnTTL ago; for a known one read before, it reports
// whether the caller is the one to read it again (refresh).
func (a *autoColumns) get(t autoTable) (c autoColumn, known, fresh, refresh bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, known = a.m[t]
	fresh = known && time.Since(c.read) < keyColumnTTL
	if known && !fresh && !a.reading[t] {
		if a.reading == nil {
			a.reading = map[autoTable]bool{}
		}
		a.reading[t], refresh = true, true
	}
	return c, known, fresh, refresh
}

func (a *autoColumns) set(t autoTable, c autoColumn) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil || len(a.m) >= 4096 {
		a.m = map[autoTable]autoColumn{}
	}
	a.m[t] = c
	delete(a.reading, t)
}

// done ends a background read that failed.
func (a *autoColumns) done(t autoTable) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.reading, t)
}

func (a *autoColumns) forget() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.m, a.reading = nil, nil
}

// autoColumnQuery reads a table's AUTO_INCREMENT column, the exact name
// first (information_schema compares names without case; a plain
// equality lets the server open that table only).
const autoColumnQuery = `SELECT COLUMN_NAME, ORDINAL_POSITION FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND LOWER(EXTRA) LIKE '%auto_increment%'
ORDER BY CAST(TABLE_NAME AS BINARY) = ? DESC LIMIT 1`

// autoColumnOf reads (or recalls) the AUTO_INCREMENT column of table in
// schema, on the primary of the first shard of the keyspace of st, which
// holds every table of it; ok is false when it cannot be read. A column
// read more than keyColumnTTL ago holds while it is read again in the
// background.
func (r *Router) autoColumnOf(ctx context.Context, st *Statement, schema, table string) (c autoColumn, ok bool) {
	key := autoTable{strings.ToLower(schema), strings.ToLower(table)}
	c, known, fresh, refresh := r.autos.get(key)
	if fresh || known && !refresh {
		return c, true
	}
	home, err := r.Home(st)
	sets := r.Sets()
	if err != nil || home >= len(sets) {
		return c, known
	}
	primary := sets[home].Primary()
	read := func(ctx context.Context) (autoColumn, error) {
		ctx, cancel := context.WithTimeout(ctx, typeReadTimeout)
		defer cancel()
		var n autoColumn
		err := primary.DB.QueryRowContext(ctx, autoColumnQuery, schema, table, table).Scan(&n.name, &n.pos)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			r.autos.done(key)
			return n, err
		}
		n.read = time.Now()
		r.autos.set(key, n)
		return n, nil
	}
	if known {
		go read(context.Background())
		return c, true
	}
	c, err = read(ctx)
	return c, err == nil
}

// generated reports whether the write st, run with args, whose answer
// carried an insert id, had the server generate that id, which then is
// what LAST_INSERT_ID() returns: a server reports an id given in the
// statement too (mysql_insert_id() returns it), but its LAST_INSERT_ID()
// keeps the last one it generated. An INSERT or REPLACE that gives its
// table's AUTO_INCREMENT column, in every row, an integer other than 0
// generated none (NULL, 0, DEFAULT, or a string the server may read as 0,
// such as ' 0' or '0.4', may generate one). Where that cannot be told (an INSERT …
// SELECT, an expression, a table whose columns cannot be read), the id
// counts, as before.
func (s *Session) generated(ctx context.Context, st *Statement, args []any) bool {
	if st == nil || st.SetsLastInsertID {
		return true
	}
	ins, ok := st.AST.(*sqlparser.Insert)
	if !ok {
		return true
	}
	rows, ok := ins.Rows.(sqlparser.Values)
	tn, isName := ins.Table.Expr.(sqlparser.TableName)
	if !ok || !isName {
		return true
	}
	schema := tn.Qualifier.String()
	if schema == "" {
		if schema = s.db; schema == "" {
			schema = s.r.Topology().DatabaseName()
		}
	}
	auto, ok := s.r.autoColumnOf(ctx, st, schema, tn.Name.String())
	if !ok || auto.name == "" {
		return true
	}
	k := auto.pos - 1 // the column's place in a row without a column list
	if len(ins.Columns) > 0 {
		k = -1
		for i, c := range ins.Columns {
			if strings.EqualFold(c.String(), auto.name) {
				k = i
			}
		}
	}
	if k < 0 {
		return true // left out: every row's is generated
	}
	for _, row := range rows {
		if k >= len(row) {
			return true
		}
		v, isVal, err := exprValue(row[k], args)
		if err != nil || !isVal || !shard.NonZeroKey(v) {
			return true // 0, NULL, or a value the server may read as 0
		}
	}
	return false
}
