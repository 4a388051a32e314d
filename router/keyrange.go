package router

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/shard"
	"vitess.io/vitess/go/vt/sqlparser"
)

// keyColumns holds, per sharded table an INSERT names, what its shard-key
// column's type lets a key be, read from the server. A server that lets
// an INSERT through with a key its column cannot hold (INSERT IGNORE, or
// a session without strict mode) stores another value than the key: the
// column's bound for a number beyond its range (4294967303 into an INT
// is 2147483647), a prefix of a string too long, 2004 for 4 into a YEAR.
// The row then belongs to the shard of that value, but the router hashed
// the key sent, and no read of the stored value found it. So planInsert
// refuses a key the column cannot hold as it is, whatever the session's
// mode: a strict server refuses it too, and one that is not would store
// another value.
type keyColumns struct {
	mu sync.Mutex
	m  map[keyTable]keyColumn
	// exact holds, per sharded table of the connection's database
	// (lower-cased), whether its key column compares with an integer as
	// that integer (see exactKey), and when it was read: a read older
	// than keyColumnTTL is read again, so that DDL run on the shards
	// directly is seen.
	exact map[string]exactness
	// tried is when planTyped last read a table's type, so that a type
	// that cannot be read (a primary down) costs a read a second at most.
	tried map[string]time.Time
	// gen counts forget's calls: a type read across one is not kept.
	gen uint64
}

// keyTable names a table as an INSERT does: its schema ("" for the
// connection's) and its name, in the case written (a server with
// case-sensitive names has R and r apart).
type keyTable struct{ schema, name string }

// keyColumn is what the server said of a table's shard-key column.
type keyColumn struct {
	kind     keyKind
	dataType string // information_schema's DATA_TYPE, for errors
	// rng is a keyNumber's range of integers the column holds exactly.
	rng shard.IntRange
	// maxLen is a keyText's longest value, in characters (bytes when
	// binary).
	maxLen int64
	binary bool
	// bit is set for a BIT column, which stores a string key as its
	// bytes ('5' is 53), not as the number it reads as.
	bit bool
	// mantissa is a FLOAT's 24 or a DOUBLE's 53 bits, when the column
	// has no (M,D): it then also holds exactly an integer past rng that
	// its float names exactly (2^60).
	mantissa int
	// autoIncrement is set for an AUTO_INCREMENT column, which stores a
	// key of 0 (or NULL) as the next value of its shard's own counter.
	autoIncrement bool
	// place is the key column's place, counted from 1, among the columns
	// an INSERT without a column list gives values for (the visible
	// ones); 0 when it is invisible. columns is how many those are, and
	// names their names, in order, each ended by a NUL.
	place, columns int
	names          string
	// auto is the table's AUTO_INCREMENT column when it is not the key
	// column, and autoPlace its place as place is (0: invisible).
	auto      string
	autoPlace int
	read      time.Time
}

// keyKind is how a key column's type treats the keys it is given.
type keyKind int

const (
	// keyNumber holds the integers of rng as they are (the integer types,
	// BIT, DECIMAL, FLOAT and DOUBLE up to their exact integers).
	keyNumber keyKind = iota + 1
	// keyYear holds 0 and 1901-2155 as given as numbers; 1-99 and text
	// are read as years of two digits or otherwise.
	keyYear
	// keyText holds keys whose text fits maxLen.
	keyText
	// keyOther converts every key as it stores it (DATE, ENUM, …): an
	// INSERT is refused.
	keyOther
)

// typeReadTimeout bounds planTyped's read of a key column's type.
const typeReadTimeout = 2 * time.Second

// keyColumnTTL is how long a column's type is kept before an INSERT reads
// it again: DDL the router runs drops it at once, and DDL run on the
// shards directly is seen within this long.
const keyColumnTTL = time.Second

// get returns t's column, and whether it was read less than keyColumnTTL
// ago.
func (k *keyColumns) get(t keyTable) (keyColumn, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	kc, ok := k.m[t]
	return kc, ok && time.Since(kc.read) < keyColumnTTL
}

// generation is the count of forgets now, for set.
func (k *keyColumns) generation() uint64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.gen
}

// set keeps t's column, read while the generation was gen, unless DDL
// forgot the columns since; it reports whether the type changed.
func (k *keyColumns) set(t keyTable, kc keyColumn, gen uint64) (changed bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.gen != gen {
		return false
	}
	if k.m == nil {
		k.m = map[keyTable]keyColumn{}
	}
	old, had := k.m[t]
	k.m[t] = kc
	if t.schema == "" {
		if k.exact == nil {
			k.exact = map[string]exactness{}
		}
		k.exact[strings.ToLower(t.name)] = exactness{kc.exactKey(), kc.read}
	}
	old.read = kc.read
	return !had || old != kc
}

// exactFresh reports whether table's key column compares with an integer
// exactly, as read in the last keyColumnTTL.
func (k *keyColumns) exactFresh(table string) bool {
	exact, _, fresh := k.exactKey(table)
	return exact && fresh
}

// exactness is whether a key column compares exactly, and when that was
// read.
type exactness struct {
	exact bool
	read  time.Time
}

// exactKey reports, for table (lower-cased), whether its key column
// compares with an integer as that integer; known is false when its type
// was not read since the last DDL, and fresh when it was read in the last
// keyColumnTTL.
func (k *keyColumns) exactKey(table string) (exact, known, fresh bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	e, ok := k.exact[table]
	return e.exact, ok, ok && time.Since(e.read) < keyColumnTTL
}

// forget drops every column read, after DDL that may have changed one.
func (k *keyColumns) forget() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m, k.exact, k.tried = nil, nil, nil
	k.gen++
}

// try reports whether planTyped may read table's type now: it did not in
// the last keyColumnTTL.
func (k *keyColumns) try(table string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if last, ok := k.tried[table]; ok && time.Since(last) < keyColumnTTL {
		return false
	}
	if k.tried == nil {
		k.tried = map[string]time.Time{}
	}
	k.tried[table] = time.Now()
	return true
}

// keyColumnQuery reads the columns of a table, in their order: their
// names and whether they are invisible (left out of an INSERT without a
// column list), and their types, of which the key column's is kept. A
// table named in another case than the server's is found too (the router
// matches sharded tables without case); the exact name wins when both
// exist (compared as bytes: information_schema compares names without
// case).
const keyColumnQuery = `SELECT CAST(TABLE_NAME AS BINARY), COLUMN_NAME, LOWER(EXTRA) LIKE '%invisible%',
	DATA_TYPE, COLUMN_TYPE, COALESCE(NUMERIC_PRECISION, -1), COALESCE(NUMERIC_SCALE, -1),
	COALESCE(CHARACTER_MAXIMUM_LENGTH, -1), COALESCE(CHARACTER_SET_NAME, 'binary'), LOWER(EXTRA) LIKE '%auto_increment%'
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND LOWER(TABLE_NAME) = LOWER(?)
ORDER BY CAST(TABLE_NAME AS BINARY) = ? DESC, CAST(TABLE_NAME AS BINARY), ORDINAL_POSITION`

// insertTable is the table an INSERT or REPLACE writes, as it names it;
// ok is false for any other statement.
func insertTable(st *Statement) (t keyTable, ok bool) {
	st = st.routedBy()
	if st.Kind != Write {
		return keyTable{}, false
	}
	ins, isIns := st.AST.(*sqlparser.Insert)
	if !isIns {
		return keyTable{}, false
	}
	tn, isName := ins.Table.Expr.(sqlparser.TableName)
	if !isName {
		return keyTable{}, false
	}
	return keyTable{schema: tn.Qualifier.String(), name: tn.Name.String()}, true
}

// learnKeyColumn reads the type of the shard-key column of the sharded
// table st inserts into, when it is not known or was read more than
// keyColumnTTL ago, for planInsert (see keyColumns). It asks the
// primaries of the table's shards in turn; when none answers, the INSERT
// is not run, since whether its keys land where they are sent is not
// known. A table no shard has is left to the INSERT to report.
func (r *Router) learnKeyColumn(ctx context.Context, st *Statement) error {
	t, ok := insertTable(st)
	if !ok {
		return nil
	}
	table := strings.ToLower(t.name)
	rule, sharded := r.vs.rule(table)
	if !sharded {
		return nil
	}
	if _, fresh := r.keys.get(t); fresh {
		return nil
	}
	return r.readKeyColumn(ctx, t, table, rule)
}

// readKeyColumn reads the type of the key column of t, the sharded table
// (lower-cased) of rule, and keeps it (see learnKeyColumn).
func (r *Router) readKeyColumn(ctx context.Context, t keyTable, table string, rule tableRule) error {
	gen := r.keys.generation()
	var qual any
	if t.schema != "" {
		qual = t.schema
	}
	sets := r.vs.curSets()
	var errs []error
	for _, i := range r.vs.keyspaceShards(table) {
		if i >= len(sets) {
			continue
		}
		// The primary, or with it down a healthy replica: a hung primary
		// would hold the statement that asks for its whole bound.
		node := sets[i].Primary()
		if sets[i].PrimaryDown() {
			if n := sets[i].HealthyReplica(); n != nil {
				node = n
			}
		}
		kc, found, err := readKeyColumnOn(ctx, node, qual, t.name, rule.Column)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("shard %s: %w", sets[i].Shard, err))
			continue
		case !found:
			continue // not on this shard (yet): the next may have it
		}
		if r.keys.set(t, kc, gen) {
			r.vs.invalidate() // plans kept from before check keys by the new type
		}
		return nil
	}
	if len(errs) > 0 {
		return fmt.Errorf("router: reading the type of %s.%s, which decides whether a key lands where it is sent: %w", table, rule.Column, errors.Join(errs...))
	}
	return nil
}

// readKeyColumnOn reads, on node, the key column named column of table
// (in schema qual, or the connection's when nil); found is false when the
// node has no such table or column.
func readKeyColumnOn(ctx context.Context, node *replica.Node, qual any, table, column string) (kc keyColumn, found bool, err error) {
	rows, err := node.DB.QueryContext(ctx, keyColumnQuery, qual, table, table)
	if err != nil {
		return kc, false, err
	}
	defer rows.Close()
	var first []byte
	var auto string
	var autoPlace int
	for rows.Next() {
		var name, col, dataType, columnType, charset string
		var invisible, autoIncrement bool
		var precision, scale, maxLen int64
		if err := rows.Scan(&name, &col, &invisible, &dataType, &columnType, &precision, &scale, &maxLen, &charset, &autoIncrement); err != nil {
			return kc, false, err
		}
		if first == nil {
			first = []byte(name)
		}
		if name != string(first) {
			break // another table of the same name in another case
		}
		if !invisible {
			kc.columns++
			kc.names += col + "\x00"
		}
		if autoIncrement && !strings.EqualFold(col, column) && auto == "" {
			auto = col
			if !invisible {
				autoPlace = kc.columns
			}
		}
		if found || !strings.EqualFold(col, column) {
			continue
		}
		found = true
		place, names := kc.columns, kc.names
		kc = columnKind(dataType, strings.Contains(strings.ToLower(columnType), "unsigned"), precision, scale, maxLen, charset == "binary")
		kc.columns, kc.names = place, names
		if !invisible {
			kc.place = place
		}
		kc.autoIncrement, kc.read = autoIncrement, time.Now()
	}
	kc.auto, kc.autoPlace = auto, autoPlace
	return kc, found, rows.Err()
}

// columnKind is what a column of dataType (information_schema's
// DATA_TYPE, with its NUMERIC_PRECISION, NUMERIC_SCALE and
// CHARACTER_MAXIMUM_LENGTH, -1 when NULL) holds.
func columnKind(dataType string, unsigned bool, precision, scale, maxLen int64, binary bool) keyColumn {
	dataType = strings.ToLower(dataType)
	kc := keyColumn{kind: keyNumber, dataType: dataType}
	var bits uint
	switch dataType {
	case "tinyint":
		bits = 8
	case "smallint":
		bits = 16
	case "mediumint":
		bits = 24
	case "int", "integer":
		bits = 32
	case "bigint":
		bits = 64
	case "bit":
		kc.rng = shard.IntRange{Min: 0, Max: math.MaxUint64 >> (64 - min(max(precision, 1), 64))}
		kc.bit = true
		return kc
	case "decimal", "numeric":
		kc.rng = digitsRange(precision-max(scale, 0), unsigned)
		return kc
	case "float", "double", "real":
		// Integers up to 2^24 (FLOAT) or 2^53 (DOUBLE) are stored
		// exactly; past them, a key is rounded to another. FLOAT(M,D)
		// and DOUBLE(M,D) hold fewer.
		exact := int64(1) << 53
		if dataType == "float" {
			exact = 1 << 24
		}
		kc.rng = shard.IntRange{Min: -exact, Max: uint64(exact)}
		if scale >= 0 && precision > 0 {
			d := digitsRange(precision-scale, false)
			kc.rng = shard.IntRange{Min: max(kc.rng.Min, d.Min), Max: min(kc.rng.Max, d.Max)}
		} else {
			kc.mantissa = 53
			if dataType == "float" {
				kc.mantissa = 24
			}
		}
		if unsigned {
			kc.rng.Min = 0
		}
		return kc
	case "year":
		kc.kind = keyYear
		return kc
	case "char", "varchar", "binary", "varbinary", "tinytext", "text", "mediumtext", "longtext", "tinyblob", "blob", "mediumblob", "longblob":
		kc.kind, kc.maxLen, kc.binary = keyText, maxLen, binary
		return kc
	default:
		kc.kind = keyOther
		return kc
	}
	if unsigned {
		kc.rng = shard.IntRange{Min: 0, Max: math.MaxUint64 >> (64 - bits)}
	} else {
		kc.rng = shard.IntRange{Min: -1 << (bits - 1), Max: 1<<(bits-1) - 1}
	}
	return kc
}

// exactKey reports whether the column compares with an integer as that
// integer: an integer type, DECIMAL, BIT or YEAR. A FLOAT, DOUBLE or text
// column compares as doubles, which past 2^53 hold several integers each:
// WHERE id = 9007199254740993 finds the row of 9007199254740992, whose
// shard is another.
func (kc keyColumn) exactKey() bool {
	switch kc.dataType {
	case "float", "double", "real":
		return false
	}
	return kc.kind == keyNumber || kc.kind == keyYear
}

// beyondDoubles reports whether a key value is an integer that a double
// does not hold apart from its neighbours: 2^53 or more from 0.
func beyondDoubles(v any) bool {
	switch x := v.(type) {
	case int64:
		return x >= 1<<53 || x <= -(1<<53)
	case int:
		return int64(x) >= 1<<53 || int64(x) <= -(1<<53)
	case uint64:
		return x >= 1<<53
	case uint:
		return uint64(x) >= 1<<53
	case string:
		if len(x) < 16 { // 2^53 has 16 digits
			return false
		}
		if i, err := strconv.ParseInt(x, 10, 64); err == nil {
			return beyondDoubles(i)
		}
		if u, err := strconv.ParseUint(x, 10, 64); err == nil {
			return beyondDoubles(u)
		}
	}
	return false
}

// pinExact is ref's pin (see tableRef.pin), but none when a key value is
// an integer past the doubles' exact ones and ref's key column compares
// as doubles, or has a type not read yet: the rows it finds may then live
// on other shards than the key's, and the statement goes to every shard.
// The analysis records the tables whose types are to be read: not read
// yet, or read more than keyColumnTTL ago, whose type it takes meanwhile
// (see planTyped).
func (r *Router) pinExact(a *analysis, ref *tableRef) []any {
	vals := ref.pin()
	if !slices.ContainsFunc(vals, beyondDoubles) {
		return vals
	}
	a.pastDoubles = true
	exact, known, fresh := r.keys.exactKey(ref.name)
	if !fresh && !slices.Contains(a.keyTypesOf, ref.name) {
		a.keyTypesOf = append(a.keyTypesOf, ref.name)
	}
	if exact {
		return vals
	}
	if known {
		a.unpinned = ref.name
	}
	ref.pinned = nil // and so for fanOut's pin
	return nil
}

// typed marks a plan made by a, or its refusal, with the tables whose key
// columns' types a's pins wanted (see Router.pinExact).
func (a *analysis) typed(p *plan, err error) (*plan, error) {
	switch {
	case err != nil && len(a.keyTypesOf) > 0:
		err = &keyTypeError{tables: a.keyTypesOf, err: err}
	case err != nil && a.unpinned != "":
		err = fmt.Errorf("%w (%s)", err, pastDoublesReason(a.unpinned))
	case p != nil:
		p.keyTypesOf, p.pastDoubles, p.unpinned = a.keyTypesOf, a.pastDoubles, a.unpinned
	}
	return p, err
}

// pastDoublesReason says why a key of table pinned no shard.
func pastDoublesReason(table string) string {
	return "its key is 2^53 or more from 0, and the key column of " + table + " compares with an integer as a double, which holds several such integers, of several shards: the statement goes to every shard"
}

// keyTypeError is a refusal of a statement planned by a key past 2^53
// before its tables' key columns' types were read, or read again: read,
// they may pin the statement (see planTyped).
type keyTypeError struct {
	tables []string
	err    error
}

func (e *keyTypeError) Error() string { return e.err.Error() }
func (e *keyTypeError) Unwrap() error { return e.err }

// planTyped is planStatement, but a plan (or refusal) made by a key past
// 2^53 of a table whose key column's type was not read (see pinExact)
// reads the type and plans again. Only such a key costs the read, once a
// table a second at most; a type that cannot be read in typeReadTimeout
// (a primary down) leaves the plan as it is. A type read more than
// keyColumnTTL ago is read again in the background, and holds meanwhile:
// no statement waits on it, and a changed type drops the plans made by
// the old one.
func (r *Router) planTyped(ctx context.Context, st *Statement, args []any) (*plan, error) {
	p, err := r.planStatement(st, args)
	var tables []string
	var kte *keyTypeError
	switch {
	case errors.As(err, &kte):
		tables = kte.tables
	case err == nil:
		tables = p.keyTypesOf
	}
	read := false
	for _, table := range tables {
		rule, ok := r.vs.rule(table)
		if !ok || !r.keys.try(table) {
			continue
		}
		if _, known, _ := r.keys.exactKey(table); known {
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), typeReadTimeout)
				defer cancel()
				r.readKeyColumn(ctx, keyTable{name: table}, table, rule)
			}()
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, typeReadTimeout)
		if r.readKeyColumn(rctx, keyTable{name: table}, table, rule) == nil {
			read = true
		}
		cancel()
	}
	if !read {
		return p, err
	}
	// (A plan by a key past 2^53 is not kept: see planStatement.)
	return r.planStatement(st, args)
}

// digitsRange is the range of integers of n decimal digits (and of the
// 64-bit keys when n is past them).
func digitsRange(n int64, unsigned bool) shard.IntRange {
	if n <= 0 {
		return shard.IntRange{Min: 0, Max: 0}
	}
	if n >= 20 {
		if unsigned {
			return shard.IntRange{Min: 0, Max: math.MaxUint64}
		}
		return shard.IntRange{Min: math.MinInt64, Max: math.MaxUint64}
	}
	top := uint64(1)
	for range n {
		top *= 10
	}
	top-- // 10^n - 1
	if unsigned {
		return shard.IntRange{Min: 0, Max: top}
	}
	lo := int64(math.MinInt64)
	if top <= math.MaxInt64 {
		lo = -int64(top)
	}
	return shard.IntRange{Min: lo, Max: top}
}

// checkKey refuses key value v of an INSERT into t when t's key column
// would not hold it as it is (see keyColumns); a column not read (no
// shard has the table) checks nothing. text says whether v was given as
// a string (a string literal or argument), not as a number.
func (r *Router) checkKey(t keyTable, column string, v any, text bool) error {
	kc, _ := r.keys.get(t)
	if kc.autoIncrement && shard.ZeroKey(v) {
		return unsupported(fmt.Sprintf("shard key 0 into %s.%s, which is AUTO_INCREMENT", t.name, column),
			"the server stores a 0 there as the next value of the counter of the shard that 0 hashes to, a key that belongs to another shard, where no lookup finds the row: leave "+column+" out of the column list (its sequence gives the row an id) or give another key")
	}
	var fits bool
	switch kc.kind {
	case 0:
		return nil
	case keyNumber:
		fits = (kc.rng.Holds(v) || kc.floatHolds(v)) && !(kc.bit && text)
	case keyYear:
		fits = yearHolds(v, text)
	case keyText:
		fits = textHolds(v, kc.maxLen, kc.binary)
	case keyOther:
		return unsupported(fmt.Sprintf("INSERT into sharded table %s, whose shard key %s is of type %s", t.name, column, strings.ToUpper(kc.dataType)),
			"the server converts a key of that type as it stores it, and a key it changes would land on another shard than the row's: shard by an integer or string column")
	}
	if fits {
		return nil
	}
	if kc.mantissa > 0 {
		return unsupported(fmt.Sprintf("shard key %v, which %s.%s (%s) cannot hold as it is", v, t.name, column, strings.ToUpper(kc.dataType)),
			"past 2^"+strconv.Itoa(kc.mantissa)+" the column holds only some integers, and the server stores another as the nearest it holds, strict mode or not, on another shard than the key's: give a key the column holds, or shard by an integer column")
	}
	return unsupported(fmt.Sprintf("shard key %v, which %s.%s (%s) cannot hold as it is", v, t.name, column, strings.ToUpper(kc.dataType)),
		"INSERT IGNORE, or a session without strict mode, would store another value, on another shard than the key's; a strict server refuses it: give a key the column holds")
}

// floatHolds reports whether a FLOAT or DOUBLE column without (M,D)
// stores integer key v exactly: its float names v and nothing else.
func (kc keyColumn) floatHolds(v any) bool {
	if kc.mantissa == 0 {
		return false
	}
	s := fmt.Sprint(v)
	if b, ok := v.([]byte); ok {
		s = string(b)
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		if i < 0 && kc.rng.Min == 0 {
			return false // UNSIGNED
		}
		f := float64(i)
		if kc.mantissa == 24 {
			f = float64(float32(i))
		}
		return f >= math.MinInt64 && f < math.MaxInt64 && int64(f) == i
	}
	u, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return false
	}
	f := float64(u)
	if kc.mantissa == 24 {
		f = float64(float32(u))
	}
	return f < math.MaxUint64 && uint64(f) == u
}

// yearHolds reports whether a YEAR column stores v as the number it is: 0
// given as a number, or 1901-2155 (as a number, or as text of four
// digits).
func yearHolds(v any, text bool) bool {
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	if s, ok := v.(string); ok && text {
		return len(s) == 4 && yearText(s)
	}
	y, err := strconv.ParseInt(fmt.Sprint(v), 10, 64)
	return err == nil && (y == 0 || y >= 1901 && y <= 2155)
}

func yearText(s string) bool {
	y, err := strconv.Atoi(s)
	return err == nil && y >= 1901 && y <= 2155 && strconv.Itoa(y) == s
}

// textHolds reports whether a text column of maxLen characters (bytes
// when binary) stores key v whole.
func textHolds(v any, maxLen int64, binary bool) bool {
	if maxLen < 0 {
		return true
	}
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case []byte:
		s = string(x)
	default:
		s = fmt.Sprint(v)
	}
	n := int64(len(s))
	if !binary {
		n = int64(utf8.RuneCountInString(s))
	}
	return n <= maxLen
}

// forgetKeyColumns drops the key columns read, after DDL through the
// router, which may have changed one: the next INSERT into each table
// reads its type again.
func (r *Router) forgetKeyColumns() {
	r.keys.forget()
	r.autos.forget()
	r.vs.invalidate()
}
