package router

import (
	"database/sql"
	"reflect"
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
	if rows == nil {
		return nil
	}
	ri := reflect.ValueOf(rows).Elem().FieldByName("rowsi")
	if !ri.IsValid() || ri.Kind() != reflect.Interface || ri.IsNil() {
		return nil
	}
	v := ri.Elem()
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return nil
	}
	v = v.Elem()
	if v.Kind() != reflect.Struct {
		return nil
	}
	if v.Type() == reflect.TypeFor[mergeRows]() {
		if src := v.FieldByName("src"); !src.IsNil() {
			return readDefs(src.Elem().FieldByName("defs"), "Type", "Length", "Flags", "Decimals")
		}
		return nil
	}
	// go-sql-driver's textRows and binaryRows embed mysqlRows, whose rs
	// holds the current result set's columns.
	rs := v.FieldByName("rs")
	if !rs.IsValid() || rs.Kind() != reflect.Struct {
		return nil
	}
	return readDefs(rs.FieldByName("columns"), "fieldType", "length", "flags", "decimals")
}

// readDefs reads a slice of structs whose named fields (type, length,
// flags, decimals) are unsigned integers; nil when it is not one.
func readDefs(s reflect.Value, names ...string) []ColumnDef {
	if !s.IsValid() || s.Kind() != reflect.Slice || s.Len() == 0 || s.Type().Elem().Kind() != reflect.Struct {
		return nil
	}
	var idx [4][]int
	for i, name := range names {
		f, ok := s.Type().Elem().FieldByName(name)
		if !ok {
			return nil
		}
		switch f.Type.Kind() {
		case reflect.Uint8, reflect.Uint16, reflect.Uint32:
		default:
			return nil
		}
		idx[i] = f.Index
	}
	defs := make([]ColumnDef, s.Len())
	for i := range defs {
		e := s.Index(i)
		defs[i] = ColumnDef{
			Type:     uint8(e.FieldByIndex(idx[0]).Uint()),
			Length:   uint32(e.FieldByIndex(idx[1]).Uint()),
			Flags:    uint16(e.FieldByIndex(idx[2]).Uint()),
			Decimals: uint8(e.FieldByIndex(idx[3]).Uint()),
		}
	}
	return defs
}
