package proxy

import (
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/scalelab/scalelab/router"
	"vitess.io/vitess/go/mysql/format"

	"vitess.io/vitess/go/mysql/collations"
	"vitess.io/vitess/go/sqltypes"
	querypb "vitess.io/vitess/go/vt/proto/query"
)

// stream sends rows to the client as they arrive, in batches of about
// batch bytes: the first callback carries the column definitions, and no
// more than one batch is ever held. It closes rows.
//
// With binary, the rows go to a client in the binary protocol, where a
// FLOAT or DOUBLE travels as its bits: it is rendered with all its
// digits, not the server's text rounding.
//
// A client's response carries one result set here (a prepared
// statement's execution, or a text statement when the client takes one
// set). A CALL whose procedure returns a second one ends in an error after
// the first, rather than in a result that silently lacks it.
func stream(rows *sql.Rows, batch int, binary bool, cb func(*sqltypes.Result) error) error {
	defer rows.Close()
	if err := streamSet(rows, batch, binary, func(r *sqltypes.Result, _ bool) error { return cb(r) }); err != nil {
		return err
	}
	for rows.NextResultSet() {
		cts, err := rows.ColumnTypes()
		if err != nil {
			return err
		}
		if len(cts) > 0 {
			return errManySets
		}
		for rows.Next() { // the procedure's closing OK
		}
	}
	return rows.Err()
}

// streamAll is stream for every result set of rows (a CALL sends one per
// SELECT in the procedure, then an OK): emit receives each result set's
// chunks, first set on the one that starts it.
func streamAll(rows *sql.Rows, batch int, binary bool, emit func(r *sqltypes.Result, first bool) error) error {
	defer rows.Close()
	for {
		if err := streamSet(rows, batch, binary, emit); err != nil {
			return err
		}
		if !rows.NextResultSet() {
			return rows.Err()
		}
	}
}

// streamSet streams the current result set of rows through emit.
func streamSet(rows *sql.Rows, batch int, binary bool, emit func(r *sqltypes.Result, first bool) error) error {
	first := true
	cb := func(r *sqltypes.Result) error {
		f := first
		first = false
		return emit(r, f)
	}
	cts, err := rows.ColumnTypes()
	if err != nil {
		return err
	}
	if len(cts) == 0 {
		// A statement that returns no result set: an OK packet.
		for rows.Next() {
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return cb(&sqltypes.Result{})
	}
	fields := columnFields(cts, router.ColumnDefs(rows))
	cells := make([]cell, len(fields))
	dest := make([]any, len(fields))
	for i := range cells {
		dest[i] = &cells[i]
	}
	res := &sqltypes.Result{Fields: fields}
	var arena []byte
	sent := false
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		row := make([]sqltypes.Value, len(cells))
		for i := range cells {
			row[i] = cells[i].value(fields[i], binary, &arena)
		}
		res.Rows = append(res.Rows, row)
		if len(arena) >= batch {
			if err := cb(res); err != nil {
				return err
			}
			// The callback has copied the rows into the connection's
			// buffer, so their memory can be reused.
			sent = true
			res.Fields, res.Rows, arena = nil, res.Rows[:0], arena[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if !sent || len(res.Rows) > 0 {
		return cb(res)
	}
	return nil
}

// cell receives one column of one row from database/sql. The driver's
// bytes are only valid until the next row, so value copies them out.
type cell struct{ v any }

func (c *cell) Scan(src any) error { c.v = src; return nil }

// value renders the cell as MySQL's text protocol would, appending its
// bytes to arena.
func (c *cell) value(f *querypb.Field, binary bool, arena *[]byte) sqltypes.Value {
	start := len(*arena)
	b := *arena
	switch v := c.v.(type) {
	case nil:
		return sqltypes.NULL
	case []byte:
		b = append(b, v...)
	case string:
		b = append(b, v...)
	case int64:
		b = strconv.AppendInt(b, v, 10)
	case uint64:
		b = strconv.AppendUint(b, v, 10)
	case float64:
		b = appendFloat(b, v, f, binary)
	case float32:
		b = appendFloat(b, float64(v), f, binary)
	case bool:
		if v {
			b = append(b, '1')
		} else {
			b = append(b, '0')
		}
	case time.Time:
		b = appendTime(b, v, f.Type, f.Decimals)
	default:
		b = fmt.Append(b, v) // not produced by go-sql-driver
	}
	*arena = b
	return sqltypes.MakeTrusted(f.Type, b[start:len(b):len(b)])
}

// appendFloat formats a FLOAT or DOUBLE the way the server sends it in
// text: with the column's fixed decimals when it has them, else the
// shortest digits that read back the same (a FLOAT's 6 significant
// digits), in exponent form only from 1e15 and below 1e-15.
func appendFloat(b []byte, v float64, f *querypb.Field, binary bool) []byte {
	if binary {
		bits := 64
		if f.Type == sqltypes.Float32 {
			bits = 32
		}
		return strconv.AppendFloat(b, v, 'g', -1, bits)
	}
	if f.Decimals < notFixedDecimals {
		return strconv.AppendFloat(b, v, 'f', int(f.Decimals), 64)
	}
	if f.Type == sqltypes.Float32 {
		// FLT_DIG: the server prints a FLOAT rounded to 6 digits.
		v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 6, 64), 64)
	}
	return append(b, format.FormatFloat(v)...)
}

// appendTime formats a DATE, DATETIME or TIMESTAMP the way the server sends
// it in text, with as many fractional digits as the column's decimals. The
// driver turns the zero date into the zero time.Time.
func appendTime(b []byte, t time.Time, typ querypb.Type, decimals uint32) []byte {
	if typ == sqltypes.Date {
		if t.IsZero() {
			return append(b, "0000-00-00"...)
		}
		return t.AppendFormat(b, time.DateOnly)
	}
	if t.IsZero() {
		b = append(b, "0000-00-00 00:00:00"...)
	} else {
		b = t.AppendFormat(b, time.DateTime)
	}
	if decimals > 0 && decimals <= 6 {
		us := strconv.Itoa(t.Nanosecond()/1000 + 1000000) // 1 and six digits
		b = append(b, '.')
		b = append(b, us[1:1+decimals]...)
	}
	return b
}

// columnFields maps go-sql-driver's column types back to MySQL column
// definitions. Names, types, nullability, lengths and decimals survive;
// table names and the exact collation do not (the driver does not expose
// them): text columns are reported as utf8mb4_general_ci.
//
// defs, the server's own definitions (router.ColumnDefs), give a column
// of the same protocol type its length, flags and decimals exactly: a
// TINYINT(1) keeps its length of 1, which Connector/J reads as a boolean,
// as it does when the statement is relayed. Without them, the lengths
// are those a type has at its widest.
func columnFields(cts []*sql.ColumnType, defs []router.ColumnDef) []*querypb.Field {
	fields := make([]*querypb.Field, len(cts))
	for i, ct := range cts {
		typ, length := columnType(ct.DatabaseTypeName())
		f := &querypb.Field{Name: ct.Name(), Type: typ, ColumnLength: length, Charset: collations.CollationBinaryID}
		if sqltypes.IsText(typ) || typ == sqltypes.Enum || typ == sqltypes.Set || typ == sqltypes.TypeJSON {
			f.Charset = utf8mb4GeneralCI
		}
		if n, ok := ct.Length(); ok && n > 0 && n <= 1<<32-1 {
			f.ColumnLength = uint32(n)
		}
		if p, s, ok := ct.DecimalSize(); ok {
			// The driver reports "not fixed" (MySQL's 31, MariaDB's 39) as
			// MaxInt64 or as is; a DECIMAL's scale goes up to 38.
			f.Decimals = uint32(min(s, notFixedDecimals))
			if typ == sqltypes.Decimal && p < 1<<16 {
				f.Decimals = uint32(s)
				f.ColumnLength = uint32(p + 2)
			}
		}
		mt, flags := sqltypes.TypeToMySQL(typ)
		if nullable, ok := ct.Nullable(); ok && !nullable {
			flags |= int64(querypb.MySqlFlag_NOT_NULL_FLAG)
		}
		f.Flags = uint32(flags)
		if i < len(defs) && int64(defs[i].Type) == int64(mt) {
			d := defs[i]
			f.ColumnLength, f.Flags, f.Decimals = d.Length, uint32(d.Flags), uint32(d.Decimals)
		}
		fields[i] = f
	}
	return fields
}

const (
	utf8mb4GeneralCI = 45
	notFixedDecimals = 31
)

// columnType maps a go-sql-driver DatabaseTypeName to a Vitess type and a
// default display length.
func columnType(name string) (querypb.Type, uint32) {
	switch name {
	case "TINYINT":
		return sqltypes.Int8, 4
	case "UNSIGNED TINYINT":
		return sqltypes.Uint8, 3
	case "SMALLINT":
		return sqltypes.Int16, 6
	case "UNSIGNED SMALLINT":
		return sqltypes.Uint16, 5
	case "MEDIUMINT":
		return sqltypes.Int24, 9
	case "UNSIGNED MEDIUMINT":
		return sqltypes.Uint24, 8
	case "INT":
		return sqltypes.Int32, 11
	case "UNSIGNED INT":
		return sqltypes.Uint32, 10
	case "BIGINT":
		return sqltypes.Int64, 20
	case "UNSIGNED BIGINT":
		return sqltypes.Uint64, 20
	case "FLOAT":
		return sqltypes.Float32, 12
	case "DOUBLE":
		return sqltypes.Float64, 22
	case "DECIMAL":
		return sqltypes.Decimal, 66
	case "DATE":
		return sqltypes.Date, 10
	case "DATETIME":
		return sqltypes.Datetime, 26
	case "TIMESTAMP":
		return sqltypes.Timestamp, 26
	case "TIME":
		return sqltypes.Time, 17
	case "YEAR":
		return sqltypes.Year, 4
	case "BIT":
		return sqltypes.Bit, 64
	case "CHAR":
		return sqltypes.Char, 0
	case "BINARY":
		return sqltypes.Binary, 0
	case "VARCHAR":
		return sqltypes.VarChar, 0
	case "VARBINARY":
		return sqltypes.VarBinary, 0
	case "TINYTEXT", "TEXT", "MEDIUMTEXT", "LONGTEXT":
		return sqltypes.Text, 0
	case "TINYBLOB", "BLOB", "MEDIUMBLOB", "LONGBLOB":
		return sqltypes.Blob, 0
	case "ENUM":
		return sqltypes.Enum, 0
	case "SET":
		return sqltypes.Set, 0
	case "JSON":
		return sqltypes.TypeJSON, 0
	case "GEOMETRY":
		return sqltypes.Geometry, 0
	case "NULL":
		return sqltypes.Null, 0
	}
	return sqltypes.VarBinary, 0
}
