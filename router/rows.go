package router

import (
	"bytes"
	"container/heap"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math/big"
	"reflect"
	"sort"
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

func (mergeConn) QueryContext(_ context.Context, _ string, args []driver.NamedValue) (driver.Rows, error) {
	if len(args) != 1 {
		return nil, errors.New("router: merge query without a source")
	}
	src, ok := args[0].Value.(*mergeSource)
	if !ok {
		return nil, errors.New("router: merge query with a bad source")
	}
	return &mergeRows{src: src}, nil
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
	kindText valueKind = iota
	kindNumber
	kindTime
)

func kindOf(ct *sql.ColumnType) valueKind {
	if ct == nil {
		return kindText
	}
	switch strings.ToUpper(ct.DatabaseTypeName()) {
	case "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT", "UNSIGNED TINYINT", "UNSIGNED SMALLINT",
		"UNSIGNED MEDIUMINT", "UNSIGNED INT", "UNSIGNED BIGINT", "DECIMAL", "FLOAT", "DOUBLE", "YEAR", "BIT":
		return kindNumber
	case "DATETIME", "TIMESTAMP", "DATE", "TIME":
		return kindTime
	}
	return kindText
}

// compareValues orders two column values as the server would for the
// column's type. NULL sorts first, as in MySQL. Text compares
// case-insensitively, approximating the default _ci collations.
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
	}
	sa, sb := toBytes(a), toBytes(b)
	if c := bytes.Compare(bytes.ToLower(sa), bytes.ToLower(sb)); c != 0 {
		return c
	}
	return bytes.Compare(sa, sb)
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

// scale is the number of digits after the decimal point in a numeric text.
func scale(v any) int {
	s := string(toBytes(v))
	if i := strings.IndexByte(s, '.'); i >= 0 && !strings.ContainsAny(s, "eE") {
		return len(s) - i - 1
	}
	return 0
}

// newMerge builds the merged source from the shards' rows according to
// spec. It takes ownership of every rows value.
func newMerge(spec *mergeSpec, results []*sql.Rows) (*mergeSource, error) {
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
	streams := make([]*shardStream, len(results))
	for i, r := range results {
		streams[i] = newShardStream(r, len(cols))
	}
	visible := len(cols)
	if !spec.star && spec.visible >= 0 && spec.visible < len(cols) {
		visible = spec.visible
	}
	order := make([]orderKey, len(spec.order))
	copy(order, spec.order)
	for i, o := range order {
		if o.idx >= 0 {
			continue
		}
		for j, c := range cols {
			if strings.EqualFold(c, o.name) {
				order[i].idx = j
			}
		}
		if order[i].idx < 0 {
			closeAll()
			return nil, unsupported("ORDER BY "+o.name+", which the result does not have", "")
		}
	}
	kinds := make([]valueKind, len(cols))
	for i := range cols {
		if i < len(types) {
			kinds[i] = kindOf(types[i])
		}
	}
	less := func(a, b []any) bool {
		for _, o := range order {
			c := compareValues(a[o.idx], b[o.idx], kinds[o.idx])
			if c == 0 {
				continue
			}
			if o.desc {
				return c > 0
			}
			return c < 0
		}
		return false
	}
	var src func() ([]any, error) // next full-width row, io.EOF at the end
	switch {
	case spec.aggs:
		rows, err := aggregate(spec, streams, kinds)
		if err != nil {
			closeAll()
			return nil, err
		}
		if len(order) > 0 {
			sort.SliceStable(rows, func(i, j int) bool { return less(rows[i], rows[j]) })
		} else if len(spec.groupBy) > 0 {
			// MariaDB returns groups in key order; do the same.
			sort.SliceStable(rows, func(i, j int) bool {
				for _, g := range spec.groupBy {
					if c := compareValues(rows[i][g], rows[j][g], kinds[g]); c != 0 {
						return c < 0
					}
				}
				return false
			})
		}
		i := 0
		src = func() ([]any, error) {
			if i >= len(rows) {
				return nil, io.EOF
			}
			i++
			return rows[i-1], nil
		}
	case len(order) > 0:
		h := &rowHeap{less: less}
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
	skipped, sent := int64(0), int64(0)
	next := func(dest []driver.Value) error {
		for {
			if spec.limit >= 0 && sent >= spec.limit {
				return io.EOF
			}
			row, err := src()
			if err != nil {
				return err
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
	return &mergeSource{cols: cols[:visible], types: types, next: next, close: closeAll}, nil
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

// aggregate reads every shard's partial aggregates and combines them per
// group: counts add, sums add, MIN/MAX compare, AVG divides the summed SUM
// by the summed COUNT.
func aggregate(spec *mergeSpec, streams []*shardStream, kinds []valueKind) ([][]any, error) {
	type group struct {
		row    []any
		sums   map[int]*big.Rat
		counts map[int]*big.Rat
		scales map[int]int
	}
	groups := map[string]*group{}
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
			var kb strings.Builder
			for _, g := range spec.groupBy {
				v := s.cur[g]
				if v == nil {
					kb.WriteString("\x00N")
				} else {
					kb.WriteString("\x00V")
					if kinds[g] == kindText {
						kb.Write(bytes.ToLower(toBytes(v)))
					} else if r, ok := toRat(v); ok && kinds[g] == kindNumber {
						kb.WriteString(r.RatString())
					} else {
						kb.Write(toBytes(v))
					}
				}
			}
			key := kb.String()
			g, ok := groups[key]
			if !ok {
				g = &group{row: append([]any(nil), s.cur...), sums: map[int]*big.Rat{}, counts: map[int]*big.Rat{}, scales: map[int]int{}}
				groups[key] = g
				order = append(order, key)
				for i, c := range spec.cols {
					switch c.agg {
					case aggCount, aggSum, aggAvg:
						addRat(g.sums, g.scales, i, s.cur[i])
						if c.agg == aggAvg {
							addRat(g.counts, nil, i, s.cur[c.countIdx])
						}
					}
				}
				continue
			}
			for i, c := range spec.cols {
				v := s.cur[i]
				switch c.agg {
				case aggCount, aggSum:
					addRat(g.sums, g.scales, i, v)
				case aggAvg:
					addRat(g.sums, g.scales, i, v)
					addRat(g.counts, nil, i, s.cur[c.countIdx])
				case aggMin:
					if g.row[i] == nil || (v != nil && compareValues(v, g.row[i], kinds[i]) < 0) {
						g.row[i] = v
					}
				case aggMax:
					if g.row[i] == nil || (v != nil && compareValues(v, g.row[i], kinds[i]) > 0) {
						g.row[i] = v
					}
				}
			}
		}
	}
	// Aggregates over no rows at all still return one row, as SQL does.
	if len(groups) == 0 && len(spec.groupBy) == 0 {
		row := make([]any, len(spec.cols))
		for i, c := range spec.cols {
			if c.agg == aggCount {
				row[i] = []byte("0")
			}
		}
		return [][]any{row}, nil
	}
	out := make([][]any, 0, len(order))
	for _, key := range order {
		g := groups[key]
		for i, c := range spec.cols {
			switch c.agg {
			case aggCount:
				g.row[i] = ratText(g.sums[i], 0)
			case aggSum:
				if r, ok := g.sums[i]; ok {
					g.row[i] = ratText(r, g.scales[i])
				}
			case aggAvg:
				sum, cnt := g.sums[i], g.counts[i]
				if sum == nil || cnt == nil || cnt.Sign() == 0 {
					g.row[i] = nil
					continue
				}
				// MySQL's AVG has the argument's scale plus
				// div_precision_increment (4).
				g.row[i] = ratText(new(big.Rat).Quo(sum, cnt), g.scales[i]+4)
			}
		}
		out = append(out, g.row)
	}
	return out, nil
}

func addRat(m map[int]*big.Rat, scales map[int]int, i int, v any) {
	if v == nil {
		return
	}
	r, ok := toRat(v)
	if !ok {
		return
	}
	if prev, ok := m[i]; ok {
		prev.Add(prev, r)
	} else {
		m[i] = r
	}
	if scales != nil && scale(v) > scales[i] {
		scales[i] = scale(v)
	}
}

func ratText(r *big.Rat, digits int) []byte {
	if r == nil {
		return nil
	}
	if digits == 0 && r.IsInt() {
		return []byte(r.Num().String())
	}
	return []byte(r.FloatString(digits))
}
