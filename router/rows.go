package router

import (
	"bytes"
	"cmp"
	"container/heap"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The router returns merged scatter results as a real *sql.Rows, so that a
// Router stays a drop-in for sql.DB (sqlx, benches and the proxy all take
// *sql.Rows). It does so through a tiny in-process database/sql driver:
// the merged stream is passed as the single argument of a query on a
// private *sql.DB, and the driver hands it back as its rows.

// mergeSource is a merged result waiting to be read as driver rows.
type mergeSource struct {
	cols  []string
	types []*sql.ColumnType
	defs  []ColumnDef // the first shard's, as types (see ColumnDefs)
	// needs, from a full run of a plan whose lean plan is not built yet,
	// is what each compared term needs (see leanPlan).
	needs map[string]keyNeed
	next  func(dest []driver.Value) error // io.EOF at the end
	close func() error
}

type mergeConnector struct{}

func (mergeConnector) Connect(context.Context) (driver.Conn, error) { return mergeConn{}, nil }
func (mergeConnector) Driver() driver.Driver                        { return mergeDriver{} }

type mergeDriver struct{}

func (mergeDriver) Open(string) (driver.Conn, error) { return mergeConn{}, nil }

type mergeConn struct{}

func (mergeConn) Prepare(string) (driver.Stmt, error) {
	return nil, errors.New("router: merge connection does not prepare")
}
func (mergeConn) Close() error { return nil }
func (mergeConn) Begin() (driver.Tx, error) {
	return nil, errors.New("router: merge connection has no transactions")
}

// CheckNamedValue lets the *mergeSource through database/sql's argument
// conversion untouched.
func (mergeConn) CheckNamedValue(*driver.NamedValue) error { return nil }

// QueryContext hands back its one argument, driver rows (a merge's
// *mergeRows), as the query's rows.
func (mergeConn) QueryContext(_ context.Context, _ string, args []driver.NamedValue) (driver.Rows, error) {
	if len(args) != 1 {
		return nil, errors.New("router: merge query without a source")
	}
	rows, ok := args[0].Value.(driver.Rows)
	if !ok {
		return nil, errors.New("router: merge query with a bad source")
	}
	return rows, nil
}

func newMergeDB() *sql.DB {
	db := sql.OpenDB(mergeConnector{})
	db.SetMaxIdleConns(64)
	return db
}

// mergeRows is the driver.Rows view of a mergeSource, with the column
// metadata of the first shard's result.
type mergeRows struct{ src *mergeSource }

func (r *mergeRows) Columns() []string              { return r.src.cols }
func (r *mergeRows) Close() error                   { return r.src.close() }
func (r *mergeRows) Next(dest []driver.Value) error { return r.src.next(dest) }

func (r *mergeRows) ColumnTypeDatabaseTypeName(i int) string {
	if i < len(r.src.types) && r.src.types[i] != nil {
		return r.src.types[i].DatabaseTypeName()
	}
	return ""
}

func (r *mergeRows) ColumnTypeScanType(i int) reflect.Type {
	if i < len(r.src.types) && r.src.types[i] != nil {
		return r.src.types[i].ScanType()
	}
	return reflect.TypeFor[any]()
}

func (r *mergeRows) ColumnTypeNullable(i int) (bool, bool) {
	if i < len(r.src.types) && r.src.types[i] != nil {
		return r.src.types[i].Nullable()
	}
	return false, false
}

func (r *mergeRows) ColumnTypeLength(i int) (int64, bool) {
	if i < len(r.src.types) && r.src.types[i] != nil {
		return r.src.types[i].Length()
	}
	return 0, false
}

func (r *mergeRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if i < len(r.src.types) && r.src.types[i] != nil {
		return r.src.types[i].DecimalSize()
	}
	return 0, 0, false
}

// shardStream reads one shard's rows as driver values.
type shardStream struct {
	rows *sql.Rows
	vals []any
	ptrs []any
	cur  []any // the current row, valid after advance returned true
}

func newShardStream(rows *sql.Rows, n int) *shardStream {
	s := &shardStream{rows: rows, vals: make([]any, n), ptrs: make([]any, n)}
	for i := range s.vals {
		s.ptrs[i] = &s.vals[i]
	}
	return s
}

func (s *shardStream) advance() (bool, error) {
	if !s.rows.Next() {
		return false, s.rows.Err()
	}
	if err := s.rows.Scan(s.ptrs...); err != nil {
		return false, err
	}
	// Scanning into *any copies bytes, so the row outlives the next Scan.
	s.cur = append(s.cur[:0:0], s.vals...)
	return true, nil
}

// valueKind says how to compare a column's values.
type valueKind int

const (
	kindText   valueKind = iota // compared by the collation's sort key
	kindBinary                  // compared byte by byte
	kindNumber
	kindTime     // DATE, DATETIME, TIMESTAMP
	kindDuration // TIME, which may be negative
	kindEnum     // ENUM and SET sort by their index, which the result does not carry
)

func kindOf(ct *sql.ColumnType) valueKind {
	if ct == nil {
		return kindBinary
	}
	switch strings.ToUpper(ct.DatabaseTypeName()) {
	case "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT", "UNSIGNED TINYINT", "UNSIGNED SMALLINT",
		"UNSIGNED MEDIUMINT", "UNSIGNED INT", "UNSIGNED BIGINT", "DECIMAL", "FLOAT", "DOUBLE", "YEAR", "NULL":
		return kindNumber
	case "DATETIME", "TIMESTAMP", "DATE":
		return kindTime
	case "TIME":
		return kindDuration
	case "CHAR", "VARCHAR", "TEXT", "TINYTEXT", "MEDIUMTEXT", "LONGTEXT", "JSON":
		return kindText
	case "ENUM", "SET":
		return kindEnum
	}
	return kindBinary // BINARY, VARBINARY, BLOBs, BIT, GEOMETRY
}

// compareValues orders two values of one column as the server does.
// NULL sorts first, as in MySQL. Text must be compared through its sort
// key instead (compareKeys).
func compareValues(a, b any, k valueKind) int {
	if a == nil || b == nil {
		switch {
		case a == nil && b == nil:
			return 0
		case a == nil:
			return -1
		}
		return 1
	}
	switch k {
	case kindNumber:
		ra, oka := toRat(a)
		rb, okb := toRat(b)
		if oka && okb {
			return ra.Cmp(rb)
		}
	case kindTime:
		if ta, ok := a.(time.Time); ok {
			if tb, ok := b.(time.Time); ok {
				return ta.Compare(tb)
			}
		}
	case kindDuration:
		da, oka := parseDuration(toBytes(a))
		db, okb := parseDuration(toBytes(b))
		if oka && okb {
			return cmp.Compare(da, db)
		}
	}
	return bytes.Compare(toBytes(a), toBytes(b))
}

// parseDuration reads a TIME value ([-]HHH:MM:SS[.ffffff]) as
// microseconds.
func parseDuration(b []byte) (int64, bool) {
	s := string(b)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	frac := int64(0)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		f := (s[i+1:] + "000000")[:6]
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, false
		}
		frac, s = n, s[:i]
	}
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return 0, false
	}
	var total int64
	for _, p := range parts {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return 0, false
		}
		total = total*60 + n
	}
	total = total*1e6 + frac
	if neg {
		total = -total
	}
	return total, true
}

func toBytes(v any) []byte {
	switch x := v.(type) {
	case []byte:
		return x
	case string:
		return []byte(x)
	case time.Time:
		return []byte(x.Format("2006-01-02 15:04:05.999999"))
	}
	return []byte(fmt.Sprint(v))
}

func toRat(v any) (*big.Rat, bool) {
	switch x := v.(type) {
	case int64:
		return new(big.Rat).SetInt64(x), true
	case uint64:
		return new(big.Rat).SetUint64(x), true
	case int32:
		return new(big.Rat).SetInt64(int64(x)), true
	case float32:
		return toRat(float64(x))
	case float64:
		r := new(big.Rat)
		if r.SetFloat64(x) == nil {
			return nil, false
		}
		return r, true
	case []byte:
		return new(big.Rat).SetString(string(x))
	case string:
		return new(big.Rat).SetString(x)
	}
	return nil, false
}

// merger combines shard results by a mergeSpec, once the result's columns
// are known: where each select-list position landed (a * stands for as
// many columns as the table has), and how each column compares.
type merger struct {
	spec  *mergeSpec
	types []*sql.ColumnType
	kinds []valueKind
	shift int // how many more columns than one the * expanded to
	// err is a refusal found while comparing (a collation or a length the
	// router cannot compare as the server does); the merge stops on it.
	err error
	// rounded names, per column, a type whose text the server rounds
	// (see roundedType); "" for the others.
	rounded []string
}

// errLeanUnfit is a lean merge (see leanPlan) that met a term whose type
// needs more sort keys than the lean plan asks for: the statement runs
// again with the full plan.
var errLeanUnfit = errors.New("router: the merge needs sort keys the lean plan left out")

// comparedCols are the columns a merge compares, with the sort keys each
// has: ORDER BY and GROUP BY terms, and MIN and MAX.
func (m *merger) comparedCols() []sortCol {
	cols := append(append([]sortCol{}, m.spec.order...), m.spec.groupBy...)
	for i, c := range m.spec.cols {
		if c.agg == aggMin || c.agg == aggMax {
			cols = append(cols, sortCol{col: i, weight: c.weight, pad: c.pad})
		}
	}
	return cols
}

// need is what the values of column c (a spec position) need to be
// merged as the server orders them.
func (m *merger) need(c int) keyNeed {
	i := m.at(c)
	if i >= len(m.kinds) {
		return needBoth
	}
	switch m.kinds[i] {
	case kindText, kindBinary:
		// (A text column reads as binary to a session whose results
		// are binary, SET NAMES binary: its sort key is its collation's.)
		return needBoth
	case kindTime:
		if st := m.types[i].ScanType(); st == timeType || st == nullTimeType {
			return needWeight
		}
	}
	return needNone
}

// The scan types of a date the driver reads as a time.Time.
var timeType, nullTimeType = reflect.TypeOf(time.Time{}), reflect.TypeOf(sql.NullTime{})

// needs maps each compared term's text to what it needs: the most that
// any of its columns needs.
func (m *merger) needs() map[string]keyNeed {
	out := map[string]keyNeed{}
	for _, k := range m.comparedCols() {
		if k.col >= len(m.spec.terms) || m.spec.terms[k.col] == "" {
			continue
		}
		t, n := m.spec.terms[k.col], m.need(k.col)
		if old, ok := out[t]; !ok || n < old {
			out[t] = n // needBoth is the least value: the most keys
		}
	}
	return out
}

// leanFits says whether every compared column of a lean merge needs no
// more sort keys than its term was planned with (a term planned for a
// date has a placeholder for the pad that text needs).
func (m *merger) leanFits() bool {
	for _, k := range m.comparedCols() {
		built, ok := needBoth, false
		if k.col < len(m.spec.terms) {
			built, ok = m.spec.built[m.spec.terms[k.col]]
		}
		if !ok {
			built = needBoth
		}
		if m.need(k.col) < built {
			return false
		}
	}
	return true
}

// roundedType says why a column's values arrive rounded, or "": a FLOAT
// prints six significant digits and a DOUBLE with fixed decimals (as
// ROUND(x, 1) gives) prints that many, while the server orders, groups
// and tells them apart by their whole values. 1000.0001 and 1000.0003 as
// FLOATs both arrive as 1000, so the router cannot tell them apart.
func roundedType(ct *sql.ColumnType) string {
	switch strings.ToUpper(ct.DatabaseTypeName()) {
	case "FLOAT":
		return roundedFloat
	case "DOUBLE":
		if d, ok := fixedDecimals(ct); ok {
			return fmt.Sprintf("DOUBLE with %d decimals", d)
		}
	}
	return ""
}

// roundedTemporal names the type of a computed date or time whose
// printed fraction may be shorter than the one it holds (see
// mayHoldMore), or "": a DATETIME, TIMESTAMP or TIME with 1 to 5
// decimals.
func roundedTemporal(ct *sql.ColumnType) string {
	name := strings.ToUpper(ct.DatabaseTypeName())
	switch name {
	case "DATETIME", "TIMESTAMP", "TIME":
		if _, d, ok := ct.DecimalSize(); ok && d > 0 && d < 6 {
			return fmt.Sprintf("computed %s(%d)", name, d)
		}
	}
	return ""
}

// roundedHintFor says how to get an exact order or grouping for a
// rounded type r.
func roundedHintFor(r string) string {
	if strings.HasPrefix(r, "computed ") {
		return "the server sends the value rounded to its decimals, but keeps and compares microseconds; order or group by CAST(x AS DATETIME(6)) (or TIME(6)) instead, or by x and a column that tells the rows apart"
	}
	return roundedHint
}

// holdsMore says whether result column c is a number whose computed
// value may hold more than it prints: a DECIMAL (a quotient keeps digits
// past its scale) or a DOUBLE printed with fixed decimals.
func (m *merger) holdsMore(c int) bool {
	if c >= len(m.types) || m.types[c] == nil {
		return false
	}
	switch ct := m.types[c]; strings.ToUpper(ct.DatabaseTypeName()) {
	case "DECIMAL":
		return true
	case "DOUBLE", "FLOAT":
		_, fixed := fixedDecimals(ct)
		return fixed
	}
	return false
}

// fixedDecimals is the number of decimals a DOUBLE column is printed
// with, when it has a fixed number (ROUND(x, 1), AVG of such a value); a
// DOUBLE without one prints every digit its value needs. The driver
// reports that case as the scale math.MaxInt64.
func fixedDecimals(ct *sql.ColumnType) (int, bool) {
	_, scale, ok := ct.DecimalSize()
	if !ok || scale < 0 || scale == math.MaxInt64 {
		return 0, false
	}
	return int(scale), true
}

// roundedTie records a refusal when two values of a rounded column (see
// roundedType) arrive equal: the server may have told them apart.
func (m *merger) roundedTie(a, b []any, c int) {
	if m.err == nil && m.rounded[c] != "" && a[c] != nil && b[c] != nil {
		m.err = unsupported("ordering by a "+m.rounded[c]+" across shards where two values print alike", roundedHintFor(m.rounded[c]))
	}
}

const roundedFloat = "FLOAT"

const roundedHint = "the server sends the value rounded, but compares the whole value; order or group by CAST(x AS DECIMAL(65,30)) instead, or by x and a column that tells the rows apart"

// The flags a pad column carries after its collation's name (see
// sortKeyExprs); a name holds neither '#' nor ':'.
const (
	flagBinaryForm = "#binary"
	flagLevels     = "#levels"
)

// maxSortLength is the default max_sort_length: the server orders
// strings by this many bytes of their sort keys and no more.
const maxSortLength = 1024

// padOf splits a pad column (see sortKeyExprs) into the sort key of a
// space, empty for a NO PAD collation, and records a refusal for a
// collation whose sort keys do not order as the server compares.
func (m *merger) padOf(pad []byte) []byte {
	i := bytes.IndexByte(pad, ':')
	if i < 0 {
		return nil
	}
	name := string(pad[:i])
	name, levels := strings.CutSuffix(name, flagLevels)
	name, binaryForm := strings.CutSuffix(name, flagBinaryForm)
	switch {
	case m.err != nil:
	case binaryForm:
		m.err = unsupported("comparing INET6, INET4 or UUID values across shards",
			"the server orders them by their binary form, which their text and sort keys do not give; order or group by HEX(col), whose text sorts as an INET6 or INET4 does")
	case levels || strings.Contains(name, "_as_") || strings.HasSuffix(name, "_cs") || strings.HasSuffix(name, "_ks"):
		// Accent- or case-sensitive collations compare on several
		// levels, whose keys the router cannot pad.
		m.err = unsupported("comparing text in collation "+name+" across shards", "it compares on several levels (accents, case), whose sort keys the router cannot merge on; use an _ai_ci or _bin collation for ORDER BY, GROUP BY, DISTINCT, MIN and MAX")
	}
	return pad[i+1:]
}

// checkLength records a refusal for a sort key longer than the server
// sorts by.
func (m *merger) checkLength(key []byte) {
	if m.err == nil && len(key) > maxSortLength {
		m.err = unsupported("ordering or grouping text whose sort key passes max_sort_length across shards", "the server sorts by the first 1024 bytes only; order by a shorter prefix, e.g. LEFT(col, 100)")
	}
}

// at is the result column of select-list position i.
func (m *merger) at(i int) int {
	if m.spec.star >= 0 && i > m.spec.star {
		return i + m.shift
	}
	return i
}

// compareKey compares two rows on one sort column.
func (m *merger) compareKey(a, b []any, s sortCol) int {
	c := m.at(s.col)
	if s.weight >= 0 && m.keyed(c, m.at(s.weight), a, b) {
		// Dates compare by their text too: '0000-00-00' and '0001-01-01'
		// are one time.Time.
		w := m.at(s.weight)
		if a[c] == nil || b[c] == nil {
			return compareValues(a[c], b[c], kindNumber)
		}
		ka, kb := toBytes(a[w]), toBytes(b[w])
		m.checkLength(ka)
		m.checkLength(kb)
		return comparePadded(ka, kb, m.padOf(toBytes(a[m.at(s.pad)])))
	}
	if m.kinds[c] == kindBinary {
		m.checkLength(toBytes(a[c]))
		m.checkLength(toBytes(b[c]))
	}
	return compareValues(a[c], b[c], m.kinds[c])
}

// keyed reports whether column c of rows is compared by its sort key, at
// w: text and dates are; so are binary strings whose keys the server
// gave (a text column reads as binary to a session whose results are
// binary, SET NAMES binary, where the server still compares it by its
// collation, and a binary string's key is its bytes). A BIT has none.
func (m *merger) keyed(c, w int, rows ...[]any) bool {
	switch m.kinds[c] {
	case kindText, kindTime:
		return true
	case kindBinary:
		for _, r := range rows {
			if r[c] != nil && r[w] == nil {
				return false
			}
		}
		return true
	}
	return false
}

// comparePadded compares two sort keys as a PAD SPACE collation compares
// their strings: the shorter as if padded with spaces, whose sort key is
// pad. An empty pad (a NO PAD collation) compares the keys as they are.
func comparePadded(a, b, pad []byte) int {
	n := min(len(a), len(b))
	if d := bytes.Compare(a[:n], b[:n]); d != 0 || len(pad) == 0 {
		if d != 0 {
			return d
		}
		return cmp.Compare(len(a), len(b))
	}
	rest, sign := a[n:], 1
	if len(b) > len(a) {
		rest, sign = b[n:], -1
	}
	for len(rest) > 0 {
		k := min(len(pad), len(rest))
		if d := bytes.Compare(rest[:k], pad[:k]); d != 0 {
			return sign * d
		}
		if k < len(pad) {
			return -sign // the key ends inside a space's weight: less
		}
		rest = rest[k:]
	}
	return 0
}

// trimPad strips the sort keys of trailing spaces, so that keys equal
// under a PAD SPACE collation are equal bytes.
func trimPad(key, pad []byte) []byte {
	for len(pad) > 0 && bytes.HasSuffix(key, pad) {
		key = key[:len(key)-len(pad)]
	}
	return key
}

func (m *merger) less(order []sortCol) func(a, b []any) bool {
	return func(a, b []any) bool {
		for _, o := range order {
			c := m.compareKey(a, b, o)
			if c == 0 {
				m.roundedTie(a, b, m.at(o.col))
				continue
			}
			if o.desc {
				return c > 0
			}
			return c < 0
		}
		return false
	}
}

// checkKinds refuses a merge that compares values the router cannot order
// as the server does.
func (m *merger) checkKinds(cols []string) error {
	for i, c := range m.spec.cols {
		if c.agg != aggAvg {
			continue
		}
		if k := m.kinds[m.at(c.typ)]; k == kindTime || k == kindDuration {
			// MariaDB averages dates and times by rules of its own (an
			// ungrouped AVG rounds differently from a grouped one).
			return unsupported("AVG of a date or time "+cols[m.at(i)]+" across shards", "average a number instead, e.g. AVG(UNIX_TIMESTAMP(dt))")
		}
	}
	for i, c := range m.spec.cols {
		if c.agg != aggSum && c.agg != aggAvg {
			continue
		}
		summed := i
		if c.agg == aggAvg {
			summed = c.sum
		}
		if !c.inexact && c.typ == 0 {
			continue // (typ, a hidden column, follows the visible ones)
		}
		if ct := m.types[m.at(summed)]; strings.EqualFold(ct.DatabaseTypeName(), "DOUBLE") {
			// A FLOAT(M,D) is stored as a FLOAT, which holds more digits
			// than its D: 1234.567 is 1234.5670166.
			float := c.typ > 0 && strings.EqualFold(m.types[m.at(c.typ)].DatabaseTypeName(), "FLOAT")
			if d, ok := fixedDecimals(ct); ok && (c.inexact || float) {
				return unsupported(fmt.Sprintf("%s of a DOUBLE printed with %d decimals, %s, across shards", aggNames[c.agg], d, cols[m.at(i)]),
					"each shard would send its sum rounded to them, where the server sums the whole values; sum CAST(x AS DECIMAL(65,30)) or ROUND(x, n) instead")
			}
		}
	}
	for _, g := range m.spec.groupBy {
		// A DOUBLE with fixed decimals groups by its rounded value, as it
		// is sent; a FLOAT by its whole value.
		switch r := m.rounded[m.at(g.col)]; {
		case g.whole && m.holdsMore(m.at(g.col)):
			return unsupported("SQL_BIG_RESULT grouping by a computed number "+cols[m.at(g.col)]+" across shards",
				"with SQL_BIG_RESULT the server groups by the whole value, which may hold more digits than it prints and the shards send; drop the hint, or group by ROUND(x, n) or CAST(x AS DECIMAL(65, n)), which hold what they print")
		case r == roundedFloat:
			return unsupported("GROUP BY or DISTINCT on a FLOAT "+cols[m.at(g.col)]+" across shards", roundedHint)
		case strings.HasPrefix(r, "computed "):
			return unsupported("GROUP BY or DISTINCT on a "+r+" "+cols[m.at(g.col)]+" across shards", roundedHintFor(r))
		}
	}
	for _, k := range m.comparedCols() {
		if m.kinds[m.at(k.col)] == kindEnum {
			return unsupported("comparing ENUM or SET column "+cols[m.at(k.col)]+" across shards", "they sort by their index; order by CAST(col AS CHAR) or by col+0")
		}
	}
	return nil
}

// newMerge builds the merged source from the shards' rows according to
// spec. It takes ownership of every rows value.
func newMerge(spec *mergeSpec, results []*sql.Rows) (*mergeSource, error) {
	if len(results) == 0 {
		return nil, errors.New("router: a merge of no shards")
	}
	closeAll := func() error {
		var errs []error
		for _, r := range results {
			errs = append(errs, r.Close())
		}
		return errors.Join(errs...)
	}
	cols, err := results[0].Columns()
	if err != nil {
		closeAll()
		return nil, err
	}
	types, _ := results[0].ColumnTypes()
	m := &merger{spec: spec, types: types, kinds: make([]valueKind, len(cols)), rounded: make([]string, len(cols))}
	if spec.star >= 0 {
		m.shift = len(cols) - len(spec.cols)
	}
	for i := range cols {
		if i < len(types) {
			m.kinds[i] = kindOf(types[i])
			m.rounded[i] = roundedType(types[i])
		}
	}
	for j, c := range spec.cols {
		if i := m.at(j); c.computed && j != spec.star && i < len(types) && m.rounded[i] == "" {
			m.rounded[i] = roundedTemporal(types[i])
		}
	}
	if err := m.checkKinds(cols); err != nil {
		closeAll()
		return nil, err
	}
	var needs map[string]keyNeed
	switch l := spec.sibling; {
	case spec.lean != nil:
		if !m.leanFits() {
			closeAll()
			spec.lean.state.Store(leanUnfit)
			return nil, errLeanUnfit
		}
	case l != nil && l.state.Load() == leanUnknown:
		needs = m.needs()
	}
	visible := m.at(spec.visible-1) + 1
	if spec.visible-1 == spec.star {
		visible += m.shift
	}
	streams := make([]*shardStream, len(results))
	for i, r := range results {
		streams[i] = newShardStream(r, len(cols))
	}
	var src func() ([]any, error) // next full-width row, io.EOF at the end
	switch {
	case spec.aggs:
		rows, err := m.aggregate(streams)
		if err == nil {
			err = m.err
		}
		if err != nil {
			closeAll()
			return nil, err
		}
		order := spec.order
		if len(order) == 0 {
			// MariaDB returns groups in key order; do the same.
			order = spec.groupBy
		}
		sort.SliceStable(rows, func(i, j int) bool { return m.less(order)(rows[i], rows[j]) })
		i := 0
		src = func() ([]any, error) {
			if i >= len(rows) {
				return nil, io.EOF
			}
			i++
			return rows[i-1], nil
		}
	case len(spec.order) > 0:
		h := &rowHeap{less: m.less(spec.order)}
		for _, s := range streams {
			ok, err := s.advance()
			if err != nil {
				closeAll()
				return nil, err
			}
			if ok {
				h.items = append(h.items, s)
			}
		}
		heap.Init(h)
		src = func() ([]any, error) {
			if h.Len() == 0 {
				return nil, io.EOF
			}
			top := h.items[0]
			row := top.cur
			ok, err := top.advance()
			if err != nil {
				return nil, err
			}
			if ok {
				heap.Fix(h, 0)
			} else {
				heap.Pop(h)
			}
			return row, nil
		}
	default:
		i := 0
		src = func() ([]any, error) {
			for i < len(streams) {
				ok, err := streams[i].advance()
				if err != nil {
					return nil, err
				}
				if ok {
					return streams[i].cur, nil
				}
				i++
			}
			return nil, io.EOF
		}
	}
	var skipped, sent uint64
	next := func(dest []driver.Value) error {
		for {
			if m.err != nil {
				return m.err
			}
			if spec.hasLimit && sent >= spec.limit {
				return io.EOF
			}
			row, err := src()
			if err != nil {
				return err
			}
			if m.err != nil {
				return m.err
			}
			if skipped < spec.offset {
				skipped++
				continue
			}
			sent++
			for i := range dest {
				dest[i] = row[i]
			}
			return nil
		}
	}
	if len(types) > visible {
		types = types[:visible]
	}
	defs := ColumnDefs(results[0])
	if len(defs) > visible {
		defs = defs[:visible]
	}
	return &mergeSource{cols: cols[:visible], types: types, defs: defs, next: next, close: closeAll, needs: needs}, nil
}

// rowHeap orders shard streams by their current row.
type rowHeap struct {
	items []*shardStream
	less  func(a, b []any) bool
}

func (h *rowHeap) Len() int           { return len(h.items) }
func (h *rowHeap) Less(i, j int) bool { return h.less(h.items[i].cur, h.items[j].cur) }
func (h *rowHeap) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *rowHeap) Push(x any)         { h.items = append(h.items, x.(*shardStream)) }
func (h *rowHeap) Pop() any {
	old := h.items
	x := old[len(old)-1]
	h.items = old[:len(old)-1]
	return x
}

// groupKey is the identity of a row's group: the sort keys of its text
// keys, the exact values of the rest.
func (m *merger) groupKey(row []any) string {
	var kb strings.Builder
	for _, g := range m.spec.groupBy {
		c := m.at(g.col)
		v := row[c]
		switch {
		case v == nil:
			kb.WriteString("\x00N")
			continue
		case g.weight >= 0 && m.keyed(c, m.at(g.weight), row):
			key := toBytes(row[m.at(g.weight)])
			m.checkLength(key)
			v = trimPad(key, m.padOf(toBytes(row[m.at(g.pad)])))
		case m.kinds[c] == kindNumber:
			if r, ok := toRat(v); ok {
				v = r.RatString()
			}
		}
		kb.WriteString("\x00V")
		b := toBytes(v)
		kb.WriteString(strconv.Itoa(len(b)))
		kb.WriteByte(':')
		kb.Write(b)
	}
	return kb.String()
}

// partial is one group's running aggregates.
type partial struct {
	row    []any
	rats   map[int]*big.Rat
	floats map[int]float64
	seen   map[int]bool // a SUM or AVG saw a non-NULL value
	// parts counts a SUM's non-NULL partials: shards' sums of DECIMAL
	// rounded to their scale differ from one rounding of the whole.
	parts map[int]int
}

// aggregate reads every shard's partial aggregates and combines them per
// group: counts add, sums add (exactly for DECIMAL, as doubles for
// DOUBLE), MIN and MAX compare as the server does, AVG divides the summed
// SUM by the summed COUNT, and the BIT_ aggregates combine bitwise.
func (m *merger) aggregate(streams []*shardStream) ([][]any, error) {
	groups := map[string]*partial{}
	var order []string
	for _, s := range streams {
		for {
			ok, err := s.advance()
			if err != nil {
				return nil, err
			}
			if !ok {
				break
			}
			key := m.groupKey(s.cur)
			g, ok := groups[key]
			if !ok {
				g = &partial{row: append([]any(nil), s.cur...), rats: map[int]*big.Rat{}, floats: map[int]float64{}, seen: map[int]bool{}, parts: map[int]int{}}
				groups[key] = g
				order = append(order, key)
				for i, c := range m.spec.cols {
					if c.agg == aggCount || c.agg == aggSum {
						m.add(g, m.at(i), s.cur[m.at(i)])
					}
					if c.overflow > 0 {
						m.add(g, m.at(c.overflow), s.cur[m.at(c.overflow)])
					}
				}
				continue
			}
			for i, c := range m.spec.cols {
				ci := m.at(i)
				v := s.cur[ci]
				switch c.agg {
				case aggCount, aggSum:
					m.add(g, ci, v)
					if c.overflow > 0 {
						m.add(g, m.at(c.overflow), s.cur[m.at(c.overflow)])
					}
				case aggMin, aggMax:
					if v == nil {
						continue
					}
					d := -1
					if g.row[ci] != nil {
						if m.err == nil && strings.EqualFold(m.types[ci].DatabaseTypeName(), "BIT") && len(toBytes(v)) != len(toBytes(g.row[ci])) {
							// MariaDB sends MIN and MAX of a BIT as decimal
							// digits, which sort as the numbers only when
							// they are as many ('9' after '10').
							m.err = unsupported(aggNames[c.agg]+" of a BIT column across shards, whose values have different numbers of digits", "take it of the number, e.g. MAX(col + 0)")
						}
						d = m.compareKey(s.cur, g.row, sortCol{col: i, weight: c.weight, pad: c.pad})
					}
					if (c.agg == aggMin && d < 0) || (c.agg == aggMax && d > 0) || g.row[ci] == nil {
						g.row[ci] = v
						if c.weight >= 0 {
							g.row[m.at(c.weight)] = s.cur[m.at(c.weight)]
							g.row[m.at(c.pad)] = s.cur[m.at(c.pad)]
						}
					}
				case aggBitAnd, aggBitOr, aggBitXor:
					a, ok1 := toUint(g.row[ci])
					b, ok2 := toUint(v)
					if !ok1 || !ok2 {
						return nil, fmt.Errorf("router: %s merge of %v and %v", aggNames[c.agg], g.row[ci], v)
					}
					switch c.agg {
					case aggBitAnd:
						a &= b
					case aggBitOr:
						a |= b
					default:
						a ^= b
					}
					g.row[ci] = a
				}
			}
		}
	}
	out := make([][]any, 0, len(order))
	for _, key := range order {
		g := groups[key]
		for i, c := range m.spec.cols {
			ci := m.at(i)
			switch c.agg {
			case aggCount, aggSum:
				if c.agg == aggSum {
					product := i < len(m.spec.terms) && strings.Contains(m.spec.terms[i], "*")
					if err := g.decimalExact(ci, m.types[ci], len(m.spec.groupBy) > 0, product); err != nil {
						return nil, err
					}
				}
				if err := g.inRange(ci, m.at(c.overflow), m.types[ci]); err != nil {
					return nil, err
				}
				g.row[ci] = g.total(ci, m.types[ci])
			case aggAvg:
				if err := g.inRange(m.at(c.sum), m.at(m.spec.cols[c.sum].overflow), m.types[m.at(c.sum)]); err != nil {
					return nil, err
				}
				g.row[ci] = g.average(m.at(c.sum), m.at(c.count), m.types[ci])
			}
		}
		out = append(out, g.row)
	}
	return out, nil
}

// errDoubleOverflow refuses a DOUBLE sum that may have passed the type's
// range (see overflowFlag).
var errDoubleOverflow = unsupported("a SUM or AVG of DOUBLE values that may pass the type's range across shards",
	"the server's sum then depends on the order it adds the rows in; sum a DECIMAL, e.g. CAST(x AS DECIMAL(65, 0))")

// inRange refuses the DOUBLE sum in column ci whose bound, the summed
// overflowFlag in column bound, reaches the largest DOUBLE.
func (g *partial) inRange(ci, bound int, ct *sql.ColumnType) error {
	if !strings.EqualFold(ct.DatabaseTypeName(), "DOUBLE") || !g.seen[ci] {
		return nil
	}
	if f, ok := g.floats[bound]; ok && f < math.MaxFloat64 {
		return nil
	}
	if r := g.rats[bound]; r != nil && r.Cmp(maxDouble) < 0 {
		return nil
	}
	return errDoubleOverflow
}

// maxDouble is the largest DOUBLE as its text reads (a shard's capped
// bound, sent in text, is that).
var maxDouble, _ = new(big.Rat).SetString(maxDoubleText)

func toUint(v any) (uint64, bool) {
	switch x := v.(type) {
	case uint64:
		return x, true
	case int64:
		return uint64(x), true
	case []byte:
		u, err := strconv.ParseUint(string(x), 10, 64)
		return u, err == nil
	}
	return 0, false
}

// add adds a COUNT or SUM partial.
func (m *merger) add(g *partial, ci int, v any) {
	if v == nil {
		return
	}
	g.seen[ci] = true
	g.parts[ci]++
	if f, ok := v.(float64); ok {
		g.floats[ci] += f
		return
	}
	r, ok := toRat(v)
	if !ok {
		return
	}
	if prev, ok := g.rats[ci]; ok {
		prev.Add(prev, r)
	} else {
		g.rats[ci] = r
	}
}

// maxDecimalDigits and maxDecimalScale are DECIMAL's most digits, and
// most after the point.
const (
	maxDecimalDigits = 65
	maxDecimalScale  = 38
)

// decimalExact refuses a DECIMAL SUM (or an AVG's) whose partials cannot
// add up to the server's answer: partials of a product at the largest
// scale, which the shards may each have rounded (the scales of a
// product's factors add up: SUM(id * 0.123… * 0.123…) of 46 decimals is
// shown with 38, and one server rounds the whole sum once, off by one in
// the last digit from the sum of the rounded parts; a value of 38
// decimals, such as a column's, is summed exactly), and, grouped, a sum
// of DECIMAL's 65 digits: the server caps a group's running sum at 65
// nines as it adds each row (+9e64 +9e64 -9e64 is 65 nines less 9e64,
// by the order of the rows), where the merged sum is the true one; a sum
// of fewer digits (one of DECIMAL(p, s) has p + 22) cannot reach it.
func (g *partial) decimalExact(ci int, ct *sql.ColumnType, grouped, product bool) error {
	if ct.DatabaseTypeName() != "DECIMAL" || !g.seen[ci] {
		return nil
	}
	scale := scaleOf(ct)
	if product && scale >= maxDecimalScale && g.parts[ci] > 1 {
		return unsupported("SUM or AVG of DECIMAL values with 38 decimals across shards, of a product",
			"a product may have more decimals than the 38 shown; each shard rounds its partial sum to 38, and the server rounds the whole sum once: they may differ in the last digit; sum a ROUND of the product to fewer decimals, or pin the query to one shard")
	}
	if p, _, ok := ct.DecimalSize(); grouped && ok && p >= maxDecimalDigits-1 {
		return unsupported("grouped SUM or AVG of DECIMAL of 65 digits across shards",
			"the server caps a group's running sum at the largest DECIMAL(65) as it adds the rows, so its answer depends on their order, where the merged sum is the true one; sum values of fewer digits")
	}
	return nil
}

// total is a summed COUNT or SUM, in the Go type and scale the shards
// returned it in.
func (g *partial) total(ci int, ct *sql.ColumnType) any {
	if !g.seen[ci] {
		return nil // SUM over no rows (every shard sends a COUNT, 0 or more)
	}
	if f, ok := g.floats[ci]; ok {
		return f
	}
	r := g.rats[ci]
	switch ct.DatabaseTypeName() {
	case "BIGINT":
		return r.Num().Int64()
	case "UNSIGNED BIGINT":
		return r.Num().Uint64()
	}
	return ratText(r, scaleOf(ct))
}

// average divides a summed SUM by a summed COUNT as the server does:
// doubles for DOUBLE, else DECIMAL rounded half away from zero to the AVG
// column's scale.
func (g *partial) average(sum, count int, ct *sql.ColumnType) any {
	cnt, ok := g.rats[count]
	if !ok || cnt.Sign() == 0 || !g.seen[sum] {
		return nil
	}
	if f, ok := g.floats[sum]; ok {
		n, _ := cnt.Float64()
		if d, ok := fixedDecimals(ct); ok {
			// An AVG of a DOUBLE with fixed decimals has fixed decimals
			// too (four more), and the server sends it rounded to them.
			v, _ := strconv.ParseFloat(strconv.FormatFloat(f/n, 'f', d, 64), 64)
			return v
		}
		return f / n
	}
	return ratText(decimalQuotient(new(big.Rat).Quo(g.rats[sum], cnt), scaleOf(ct)), scaleOf(ct))
}

// decimalQuotient is q as the server's DECIMAL division leaves it for a
// result of scale digits: worked out to the next multiple of nine digits
// (its words hold nine each) and cut there, so that the rounding to scale
// that follows (ratText) sees only those digits, and a scale that is a
// multiple of nine is cut, not rounded (AVG of a DECIMAL(20,5): 8/3 is
// 2.666666666).
func decimalQuotient(q *big.Rat, scale int) *big.Rat {
	words := (scale + 8) / 9 * 9
	pow := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(words)), nil)
	n := new(big.Int).Mul(q.Num(), pow)
	n.Quo(n, q.Denom()) // toward zero
	return new(big.Rat).SetFrac(n, pow)
}

// scaleOf is a DECIMAL column's number of digits after the point.
func scaleOf(ct *sql.ColumnType) int {
	if _, s, ok := ct.DecimalSize(); ok && s >= 0 && s < 40 {
		return int(s)
	}
	return 0
}

func ratText(r *big.Rat, digits int) []byte {
	if r == nil {
		return nil
	}
	if digits == 0 && r.IsInt() {
		return []byte(r.Num().String())
	}
	s := r.FloatString(digits)
	if r.Sign() < 0 && strings.Trim(s, "-0.") == "" {
		// A negative value that rounds to zero prints as the server
		// prints it: without the sign.
		s = s[1:]
	}
	return []byte(s)
}
