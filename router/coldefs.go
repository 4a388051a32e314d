package router

import (
	"database/sql"
	"reflect"
	"sync"
)

// ColumnDef is what the server said of a result column beyond what
// database/sql's ColumnType tells: its protocol type, its display length,
// its flags and its decimals. Clients read meaning into them: Connector/J
// takes a TINYINT(1) or a BIT(1) for a boolean only by its length, and
// PHP's mysqli, Python's cursor.description and ODBC report the length
// and the flags as they are.
type ColumnDef struct {
	Type     uint8 // the protocol's column type: 1 for TINYINT, 16 for BIT, ...
	Length   uint32
	Flags    uint16
	Decimals uint8
}

// ColumnDefs returns the column definitions of rows' current result set
// as the server sent them, or nil where they cannot be read.
//
// go-sql-driver reads them whole but keeps their length and flags to
// itself (its ColumnTypeLength is not implemented), so they are read out
// of its rows by reflection, field by field and read-only. A merge's rows
// give their first shard's definitions, of the columns they pass on. The
// field names are those of the pinned go-sql-driver; a version that
// renames them yields nil, and the proxy falls back on lengths derived
// from the type names (the proxy's TestColumnDefinitions fails first).
func ColumnDefs(rows *sql.Rows) []ColumnDef {
	if rows == nil || rowsiField == nil {
		return nil
	}
	ri := reflect.ValueOf(rows).Elem().FieldByIndex(rowsiField)
	if ri.Kind() != reflect.Interface || ri.IsNil() {
		return nil
	}
	v := ri.Elem()
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	v = v.Elem()
	p := defsPathOf(v.Type())
	if p == nil {
		return nil
	}
	s := v.FieldByIndex(p.slice[0])
	if len(p.slice) > 1 { // a merge's rows: src, a pointer, then its defs
		if s.IsNil() {
			return nil
		}
		s = s.Elem().FieldByIndex(p.slice[1])
	}
	defs := make([]ColumnDef, s.Len())
	for i := range defs {
		e := s.Index(i)
		defs[i] = ColumnDef{
			Type:     uint8(e.FieldByIndex(p.fields[0]).Uint()),
			Length:   uint32(e.FieldByIndex(p.fields[1]).Uint()),
			Flags:    uint16(e.FieldByIndex(p.fields[2]).Uint()),
			Decimals: uint8(e.FieldByIndex(p.fields[3]).Uint()),
		}
	}
	return defs
}

// rowsiField is the index of the driver's rows in sql.Rows.
var rowsiField = func() []int {
	f, ok := reflect.TypeFor[sql.Rows]().FieldByName("rowsi")
	if !ok {
		return nil
	}
	return f.Index
}()

// defsPath is where a driver rows type keeps its column definitions: the
// slice (through a pointer, for a merge), and in each element, the type,
// length, flags and decimals.
type defsPath struct {
	slice  [][]int
	fields [4][]int
}

// defsPaths caches defsPathOf by type (a nil *defsPath for a type that
// keeps none).
var defsPaths sync.Map // reflect.Type → *defsPath

// defsPathOf finds where rows of type t keep their column definitions:
// go-sql-driver's textRows and binaryRows in rs.columns (their embedded
// mysqlRows' current result set), a merge's in src.defs; nil for another
// type.
func defsPathOf(t reflect.Type) *defsPath {
	if p, ok := defsPaths.Load(t); ok {
		return p.(*defsPath)
	}
	var p *defsPath
	if t == reflect.TypeFor[mergeRows]() {
		src, _ := t.FieldByName("src")
		defs, _ := reflect.TypeFor[mergeSource]().FieldByName("defs")
		p = elemPath([][]int{src.Index, defs.Index}, defs.Type, "Type", "Length", "Flags", "Decimals")
	} else if rs, ok := t.FieldByName("rs"); ok && rs.Type.Kind() == reflect.Struct {
		if cols, ok := rs.Type.FieldByName("columns"); ok {
			idx := append(append([]int{}, rs.Index...), cols.Index...)
			p = elemPath([][]int{idx}, cols.Type, "fieldType", "length", "flags", "decimals")
		}
	}
	defsPaths.Store(t, p)
	return p
}

// elemPath is the path to slice, of type st, whose elements' named
// fields are unsigned integers; nil when it is not one.
func elemPath(slice [][]int, st reflect.Type, names ...string) *defsPath {
	if st.Kind() != reflect.Slice || st.Elem().Kind() != reflect.Struct {
		return nil
	}
	p := &defsPath{slice: slice}
	for i, name := range names {
		f, ok := st.Elem().FieldByName(name)
		if !ok {
			return nil
		}
		switch f.Type.Kind() {
		case reflect.Uint8, reflect.Uint16, reflect.Uint32:
		default:
			return nil
		}
		p.fields[i] = f.Index
	}
	return p
}
