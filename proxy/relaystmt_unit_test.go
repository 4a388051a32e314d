package proxy

import (
	"encoding/binary"
	"math"
	"reflect"
	"testing"

	"github.com/scalelab/scalelab/router"
	"vitess.io/vitess/go/sqltypes"
)

// TestExecArgs decodes the parameters of executions as the router is to
// see them, and declines those the node would read otherwise than the
// protocol library.
func TestExecArgs(t *testing.T) {
	le16 := func(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
	le32 := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	le64 := func(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
	cat := func(parts ...[]byte) []byte {
		var b []byte
		for _, p := range parts {
			b = append(b, p...)
		}
		return b
	}
	str := func(s string) []byte { return append([]byte{byte(len(s))}, s...) }
	tests := []struct {
		name        string
		null, types []byte
		vals        []byte
		want        []any // nil: declined
	}{
		{"signed integers", []byte{0}, []byte{typeTiny, 0, typeShort, 0, typeLong, 0, typeLongLong, 0},
			cat([]byte{0xff}, le16(0xfffe), le32(0xfffffffd), le64(9101)), []any{int64(-1), int64(-2), int64(-3), int64(9101)}},
		{"unsigned integers", []byte{0}, []byte{typeTiny, 0x80, typeShort, 0x80, typeLong, 0x80, typeLongLong, 0x80},
			cat([]byte{200}, le16(65535), le32(4294967295), le64(math.MaxUint64)), []any{uint64(200), uint64(65535), uint64(4294967295), uint64(math.MaxUint64)}},
		{"floats", []byte{0}, []byte{typeFloat, 0, typeDouble, 0},
			cat(le32(math.Float32bits(1.5)), le64(math.Float64bits(-2.25))), []any{1.5, -2.25}},
		{"text and bytes", []byte{0}, []byte{typeVarString, 0, typeVarString, 0x80, typeBlob, 0, typeBit, 0, typeNewDecimal, 0, typeString, 0},
			cat(str("9101"), str("ab"), str("t"), str("\x01"), str("1.50"), str("")), []any{"9101", []byte("ab"), router.Binary("t"), []byte{1}, "1.50", ""}},
		{"a long string's length", []byte{0}, []byte{typeVarchar, 0},
			cat([]byte{0xfc}, le16(300), make([]byte, 300)), []any{string(make([]byte, 300))}},
		{"NULLs by the bitmap, of any type", []byte{0b101}, []byte{typeLongLong, 0, typeVarchar, 0, 6, 0},
			str("x"), []any{nil, "x", nil}},
		{"INT24, which the server reads as a string", []byte{0}, []byte{typeInt24, 0}, cat(str("7"), []byte{0, 0}), nil},
		{"YEAR", []byte{0}, []byte{13, 0}, le16(2024), nil},
		{"a date", []byte{0}, []byte{10, 0}, []byte{4, 0xe8, 0x07, 1, 2}, nil},
		{"NULL type without its bit", []byte{0}, []byte{6, 0, typeLongLong, 0}, cat(str("1"), le64(9)), nil},
		{"a flag other than unsigned", []byte{0}, []byte{typeTiny, 0x20}, []byte{0xff}, nil},
		{"a value cut short", []byte{0}, []byte{typeLongLong, 0}, []byte{1, 2, 3}, nil},
		{"a string cut short", []byte{0}, []byte{typeVarchar, 0}, []byte{5, 'a'}, nil},
		{"a string's length cut short", []byte{0}, []byte{typeVarchar, 0}, []byte{0xfc, 1}, nil},
		{"a NULL marker for a length", []byte{0}, []byte{typeVarchar, 0}, []byte{0xfb}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := execArgs(nil, tt.null, tt.types, tt.vals)
			switch {
			case tt.want == nil && ok:
				t.Errorf("decoded %#v, want declined", got)
			case tt.want != nil && !ok:
				t.Errorf("declined, want %#v", tt.want)
			case tt.want != nil && !reflect.DeepEqual(got, tt.want):
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

// FuzzExecArgs: no execution packet, however malformed, panics the
// decoder.
func FuzzExecArgs(f *testing.F) {
	f.Add([]byte{0}, []byte{typeLongLong, 0}, []byte{1, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0}, []byte{typeVarchar, 0x80}, []byte{0xfe, 1, 2})
	f.Fuzz(func(t *testing.T, null, types, vals []byte) {
		n := len(types) / 2
		if len(null) < (n+7)/8 {
			return
		}
		if args, ok := execArgs(nil, null, types[:2*n], vals); ok && len(args) != n {
			t.Fatalf("%d args for %d parameters", len(args), n)
		}
	})
}

// TestTemporalArg: the protocol library's strings of DATE, DATETIME,
// TIMESTAMP and TIME parameters become the typed literals' texts the
// server reads them as; a zero date stays a string.
func TestTemporalArg(t *testing.T) {
	for _, tc := range []struct {
		typ  sqltypes.Type
		text string
		want any
	}{
		{sqltypes.Date, "2024-1-5", router.Temporal{Kind: router.Date, Text: "2024-01-05"}},
		{sqltypes.Date, "999-12-31", router.Temporal{Kind: router.Date, Text: "0999-12-31"}},
		{sqltypes.Datetime, "2024-1-5 12:34:56.000000", router.Temporal{Kind: router.DateTime, Text: "2024-01-05 12:34:56"}},
		{sqltypes.Datetime, "2024-1-5 1:2:3.000120", router.Temporal{Kind: router.DateTime, Text: "2024-01-05 01:02:03.000120"}},
		{sqltypes.Timestamp, "2024-1-5 12:34:56", router.Temporal{Kind: router.DateTime, Text: "2024-01-05 12:34:56"}},
		{sqltypes.Datetime, "2024-1-5 00:00:00", router.Temporal{Kind: router.DateTime, Text: "2024-01-05 00:00:00"}},
		{sqltypes.Time, "0:8:38.000000", router.Temporal{Kind: router.Time, Text: "00:08:38"}},
		{sqltypes.Time, "-302:0:0.500000", router.Temporal{Kind: router.Time, Text: "-302:00:00.500000"}},
		{sqltypes.Time, "00:00:00", router.Temporal{Kind: router.Time, Text: "00:00:00"}},
		{sqltypes.Date, "0000-00-00", "0000-00-00"},
		{sqltypes.Datetime, "0000-00-00 00:00:00", "0000-00-00 00:00:00"},
		{sqltypes.Datetime, "0-0-0 12:34:56.000000", "0000-00-00 12:34:56"},
		{sqltypes.Time, "900:0:0.000000", router.Temporal{Kind: router.Time, Text: "838:59:59"}},
		{sqltypes.Time, "-900:0:0.250000", router.Temporal{Kind: router.Time, Text: "-838:59:59"}},
	} {
		if got := temporalArg(tc.typ, tc.text); got != tc.want {
			t.Errorf("%v %q: %#v, want %#v", tc.typ, tc.text, got, tc.want)
		}
	}
}
