package proxy

import (
	"strconv"

	"github.com/scalelab/scalelab/router"
	"vitess.io/vitess/go/mysql/collations"
	"vitess.io/vitess/go/mysql/collations/colldata"
	"vitess.io/vitess/go/sqltypes"
	querypb "vitess.io/vitess/go/vt/proto/query"
)

// diagnosticsResult is the session's answer to SHOW WARNINGS and the
// like (router.DiagnosticsAnswer), with the columns a MariaDB server
// gives it: Level, Code and Message, or a count per column. width is the
// longest character of the client's character set of results, in bytes,
// by which the server gives a text column's length.
func diagnosticsResult(a *router.DiagnosticsAnswer, width uint32) *sqltypes.Result {
	const (
		notNull  = uint32(querypb.MySqlFlag_NOT_NULL_FLAG)
		unsigned = uint32(querypb.MySqlFlag_UNSIGNED_FLAG)
		binary   = uint32(querypb.MySqlFlag_BINARY_FLAG)
	)
	if a.Columns != nil {
		res := &sqltypes.Result{}
		row := make([]sqltypes.Value, len(a.Columns))
		for i, name := range a.Columns {
			res.Fields = append(res.Fields, &querypb.Field{Name: name, Type: sqltypes.Uint64, ColumnLength: 21, Charset: collations.CollationBinaryID, Flags: unsigned | binary})
			row[i] = sqltypes.NewUint64(a.Counts[i])
		}
		res.Rows = [][]sqltypes.Value{row}
		return res
	}
	res := &sqltypes.Result{Fields: []*querypb.Field{
		{Name: "Level", Type: sqltypes.VarChar, ColumnLength: 7 * width, Charset: utf8mb4GeneralCI, Flags: notNull, Decimals: notFixedDecimalsMariaDB},
		{Name: "Code", Type: sqltypes.Uint32, ColumnLength: 4, Charset: collations.CollationBinaryID, Flags: notNull | unsigned | binary},
		{Name: "Message", Type: sqltypes.VarChar, ColumnLength: 512 * width, Charset: utf8mb4GeneralCI, Flags: notNull, Decimals: notFixedDecimalsMariaDB},
	}}
	for _, c := range a.Conditions {
		res.Rows = append(res.Rows, []sqltypes.Value{
			sqltypes.NewVarChar(c.Level),
			sqltypes.MakeTrusted(sqltypes.Uint32, strconv.AppendUint(nil, uint64(c.Code), 10)),
			sqltypes.NewVarChar(c.Message),
		})
	}
	return res
}

// notFixedDecimalsMariaDB is the decimals MariaDB gives a text column of
// SHOW WARNINGS ("not fixed").
const notFixedDecimalsMariaDB = 39

// charWidth is the longest character of collation coll's character set,
// in bytes: 4 for the pools' own (0), and for a collation the protocol
// library does not know.
func charWidth(coll uint32) uint32 {
	if coll != 0 {
		if c := colldata.Lookup(collations.ID(coll)); c != nil {
			return uint32(c.Charset().MaxWidth())
		}
	}
	return 4
}
