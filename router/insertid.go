package router

import (
	"context"
	"database/sql"
	"math"
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
	// gen counts forget's calls: a column read across one is not kept.
	gen uint64
	// reading are the tables whose column is being read again in the
	// background.
	reading map[autoTable]bool
}

// autoTable names a table in its schema, lower-cased.
type autoTable struct{ schema, name string }

// autoColumn is a table's AUTO_INCREMENT column ("" for none) and its
// position among the table's visible columns, from 1 (0 for an invisible
// column, which an INSERT without a column list leaves out).
type autoColumn struct {
	name string
	pos  int
	read time.Time
}

// get returns t's column, whether it is known, and whether it was read
// less than keyColumnTTL ago; for a known one read before, it reports
// whether the caller is the one to read it again (refresh).
func (a *autoColumns) get(t autoTable) (c autoColumn, gen uint64, known, fresh, refresh bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	gen = a.gen
	c, known = a.m[t]
	fresh = known && time.Since(c.read) < keyColumnTTL
	if known && !fresh && !a.reading[t] {
		if a.reading == nil {
			a.reading = map[autoTable]bool{}
		}
		a.reading[t], refresh = true, true
	}
	return c, gen, known, fresh, refresh
}

// set keeps t's column, read while the generation was gen, unless DDL
// forgot the columns since.
func (a *autoColumns) set(t autoTable, c autoColumn, gen uint64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.reading, t)
	if a.gen != gen {
		return
	}
	if a.m == nil || len(a.m) >= 4096 {
		a.m = map[autoTable]autoColumn{}
	}
	a.m[t] = c
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
	a.gen++
}

// autoColumnQuery reads a table's columns, in order, the exact name first
// (information_schema compares names without case; a plain equality lets
// the server open that table only): whether each is invisible (left out
// of an INSERT without a column list) and AUTO_INCREMENT.
const autoColumnQuery = `SELECT CAST(TABLE_NAME AS BINARY), COLUMN_NAME, LOWER(EXTRA) LIKE '%invisible%', LOWER(EXTRA) LIKE '%auto_increment%'
FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?
ORDER BY CAST(TABLE_NAME AS BINARY) = ? DESC, CAST(TABLE_NAME AS BINARY), ORDINAL_POSITION`

// readAutoColumn reads table's AUTO_INCREMENT column in schema on db
// (autoColumnQuery); its place counts the visible columns only, and is 0
// for an invisible one. A table without one has an empty name.
func readAutoColumn(ctx context.Context, db *sql.DB, schema, table string) (autoColumn, error) {
	var c autoColumn
	rows, err := db.QueryContext(ctx, autoColumnQuery, schema, table, table)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	var first []byte
	visible := 0
	for rows.Next() {
		var name, col string
		var invisible, auto bool
		if err := rows.Scan(&name, &col, &invisible, &auto); err != nil {
			return c, err
		}
		if first == nil {
			first = []byte(name)
		}
		if name != string(first) {
			break // another table of the same name in another case
		}
		if !invisible {
			visible++
		}
		if auto && c.name == "" {
			c.name = col
			if !invisible {
				c.pos = visible
			}
		}
	}
	return c, rows.Err()
}

// autoColumnOf reads (or recalls) the AUTO_INCREMENT column of table in
// schema, on the primary of the first shard of the keyspace of st, which
// holds every table of it; ok is false when it cannot be read. A column
// read more than keyColumnTTL ago holds while it is read again in the
// background.
func (r *Router) autoColumnOf(ctx context.Context, st *Statement, schema, table string) (c autoColumn, ok bool) {
	key := autoTable{strings.ToLower(schema), strings.ToLower(table)}
	c, gen, known, fresh, refresh := r.autos.get(key)
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
		n, err := readAutoColumn(ctx, primary.DB.DB, schema, table)
		if err != nil {
			r.autos.done(key)
			return n, err
		}
		n.read = time.Now()
		r.autos.set(key, n, gen)
		return n, nil
	}
	if known {
		go read(context.Background())
		return c, true
	}
	c, err = read(ctx)
	return c, err == nil
}

// insertID is what a write's insert id tells of LAST_INSERT_ID().
type insertID uint8

const (
	idGenerated insertID = iota // the server generated it: LAST_INSERT_ID() is it
	idGiven                     // the statement gave it: LAST_INSERT_ID() keeps its value
	idUnknown                   // either: LAST_INSERT_ID() is not known
)

// generated tells whether the write st, run with args, whose answer
// carried an insert id, had the server generate that id, which then is
// what LAST_INSERT_ID() returns: a server reports an id given in the
// statement too (mysql_insert_id() returns it), but its LAST_INSERT_ID()
// keeps the last one it generated. An INSERT or REPLACE that gives its
// table's AUTO_INCREMENT column, in every row, a value the column stores
// as other than 0 or NULL generated none (see storesAsZero). Where that
// cannot be told (an INSERT … SELECT that names the column, an
// expression, a table whose columns cannot be read), it is idUnknown.
func (s *Session) generated(ctx context.Context, st *Statement, args []any) insertID {
	if st == nil || st.SetsLastInsertID {
		return idGenerated
	}
	st = st.routedBy()
	ins, ok := st.AST.(*sqlparser.Insert)
	if !ok {
		return idGenerated
	}
	tn, isName := ins.Table.Expr.(sqlparser.TableName)
	if !isName {
		return idUnknown
	}
	schema := tn.Qualifier.String()
	if schema == "" {
		if schema = s.db; schema == "" {
			schema = s.r.Topology().DatabaseName()
		}
	}
	auto, ok := s.r.autoColumnOf(ctx, st, schema, tn.Name.String())
	switch {
	case !ok:
		return idUnknown
	case auto.name == "":
		return idGenerated // no AUTO_INCREMENT column: an id is LAST_INSERT_ID(expr)'s
	}
	k := auto.pos - 1 // the column's place in a row without a column list (-1: invisible, so left out)
	if len(ins.Columns) > 0 {
		k = -1
		for i, c := range ins.Columns {
			if strings.EqualFold(c.String(), auto.name) {
				k = i
			}
		}
	}
	if k < 0 {
		return idGenerated // left out: every row's is generated
	}
	rows, ok := ins.Rows.(sqlparser.Values)
	if !ok {
		return idUnknown // the SELECT's values
	}
	for _, row := range rows {
		if k >= len(row) {
			return idUnknown
		}
		switch zero, known := storesAsZero(row[k], args); {
		case !known:
			return idUnknown
		case zero:
			return idGenerated
		}
	}
	return idGiven
}

// storesAsZero reports whether an integer column stores e, with args, as
// 0 or NULL (which an AUTO_INCREMENT column replaces by a generated id),
// as the server converts it: a string by its leading number after any
// spaces (' 90' is 90, 'x' is 0), a decimal or float rounded (0.4 is 0,
// 20.0 is 20), TRUE as 1. known is false for an expression.
func storesAsZero(e sqlparser.Expr, args []any) (zero, known bool) {
	switch x := e.(type) {
	case *sqlparser.NullVal, *sqlparser.Default:
		return true, true
	case sqlparser.BoolVal:
		return !bool(x), true
	case *sqlparser.Literal:
		switch x.Type {
		case sqlparser.DecimalVal, sqlparser.FloatVal:
			return readsAsZero(x.Val), true
		}
	}
	v, isVal, err := exprValue(e, args)
	if err != nil || !isVal {
		return false, false
	}
	return readsAsZero(v), true
}

// readsAsZero reports whether value v stores as 0 (or NULL) in an integer
// column.
func readsAsZero(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case int64:
		return x == 0
	case uint64:
		return x == 0
	case float64:
		return math.Abs(x) < 0.5
	case float32:
		return math.Abs(float64(x)) < 0.5
	case []byte:
		return readsAsZero(string(x))
	case string:
		// ('abc', which the server reads as 0, and a string numericPrefix
		// does not read, generate an id or may: the id counts.)
		f, ok := numericPrefix(x)
		return !ok || math.Abs(f) < 0.5
	}
	return shard.ZeroKey(v)
}
