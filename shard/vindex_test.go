package shard

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestNames(t *testing.T) {
	want := []string{"hash", "modulo", "xxhash"}
	if got := Names(); !slices.Equal(got, want) {
		t.Errorf("Names(): got %q, want %q", got, want)
	}
}

func TestNewVindex(t *testing.T) {
	tests := []struct {
		name     string
		vindex   string
		params   map[string]string
		wantName string
		wantErr  error
		errHas   string
	}{
		{name: "hash", vindex: "hash", wantName: "hash"},
		{name: "hash empty params", vindex: "hash", params: map[string]string{}, wantName: "hash"},
		{name: "xxhash", vindex: "xxhash", wantName: "xxhash"},
		{name: "modulo", vindex: "modulo", params: map[string]string{"shards": "4"}, wantName: "modulo"},
		{name: "unknown", vindex: "md5", wantErr: ErrUnknownVindex, errHas: "hash, modulo, xxhash"},
		{name: "empty name", vindex: "", wantErr: ErrUnknownVindex},
		{name: "hash with param", vindex: "hash", params: map[string]string{"shards": "4"}, wantErr: ErrBadParam, errHas: "shards"},
		{name: "modulo without shards", vindex: "modulo", wantErr: ErrBadParam, errHas: "needs shards"},
		{name: "modulo bad shards", vindex: "modulo", params: map[string]string{"shards": "four"}, wantErr: ErrBadParam},
		{name: "modulo zero shards", vindex: "modulo", params: map[string]string{"shards": "0"}, wantErr: ErrBadParam},
		{name: "modulo unknown param", vindex: "modulo", params: map[string]string{"shards": "2", "shard": "2"}, wantErr: ErrBadParam, errHas: "shard"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := NewVindex(tc.vindex, tc.params)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("NewVindex(%q, %v): got error %v, want one wrapping %v and containing %q", tc.vindex, tc.params, err, tc.wantErr, tc.errHas)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewVindex(%q, %v): got error %v, want nil", tc.vindex, tc.params, err)
			}
			if got := v.Name(); got != tc.wantName {
				t.Errorf("Name(): got %q, want %q", got, tc.wantName)
			}
		})
	}
}

func TestMapBadKey(t *testing.T) {
	mod, err := NewModulo(4)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		in     any
		errHas string
	}{
		{name: "nil", in: nil, errHas: "NULL"},
		{name: "float", in: 1.5, errHas: "fraction is refused rather than rounded"},
		{name: "negative float", in: -2.25, errHas: "fraction"},
		{name: "float32 fraction", in: float32(0.5), errHas: "fraction"},
		{name: "float past 2^53", in: 1e17, errHas: "2^53"},
		{name: "NaN", in: math.NaN(), errHas: "not a number"},
		{name: "decimal fraction", in: "5.50", errHas: "fraction"},
		{name: "decimal fraction bytes", in: []byte("-1.01"), errHas: "fraction"},
		{name: "float literal fraction", in: "15e-1", errHas: "fraction"},
		{name: "exponent half past 2^52", in: "4503599627370496.5e0", errHas: "fraction"},
		{name: "exponent tiny fraction", in: "7.00000000000000000001e0", errHas: "fraction"},
		{name: "exponent past 64 bits", in: "1e20", errHas: "out of range"},
		{name: "vast exponent", in: "1e999999999", errHas: "out of range"},
		{name: "long mantissa", in: strings.Repeat("1", 100) + "e-40", errHas: "out of range"},
		{name: "exponent without digits", in: "e5", errHas: "decimal integer"},
		{name: "exponent plus", in: "+5e0", errHas: "decimal integer"},
		{name: "bool", in: true, errHas: "bool"},
		{name: "empty string", in: "", errHas: "decimal integer"},
		{name: "words", in: "abc", errHas: `"abc"`},
		{name: "hex", in: "0x10", errHas: "decimal integer"},
		{name: "space", in: " 1", errHas: "decimal integer"},
		{name: "plus", in: "+1", errHas: "decimal integer"},
		{name: "lone decimal point", in: "1.", errHas: "decimal integer"},
		{name: "point first", in: ".5", errHas: "decimal integer"},
		{name: "too big", in: "18446744073709551616", errHas: "out of range"},
		{name: "too small", in: "-9223372036854775809", errHas: "out of range"},
		{name: "bytes", in: []byte("x"), errHas: `"x"`},
		{name: "slice", in: []int{1}, errHas: "[]int"},
	}
	for _, v := range []Vindex{NewHash(), NewXXHash(), mod} {
		for _, tc := range tests {
			t.Run(v.Name()+"/"+tc.name, func(t *testing.T) {
				ksid, err := v.Map(tc.in)
				if !errors.Is(err, ErrBadKey) || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("Map(%#v): got %x, %v; want an error wrapping ErrBadKey and containing %q", tc.in, ksid, err, tc.errHas)
				}
				if !strings.HasPrefix(err.Error(), "shard: ") {
					t.Errorf("Map(%#v): got error %q, want the prefix \"shard: \"", tc.in, err)
				}
			})
		}
	}
}

// TestMapKeyTypes checks that every accepted spelling of one id maps to the
// same keyspace id.
func TestMapKeyTypes(t *testing.T) {
	type name string
	type small uint16
	mod, err := NewModulo(3)
	if err != nil {
		t.Fatal(err)
	}
	type ratio float64
	// Integral DOUBLE, FLOAT and DECIMAL values, as clients bind a key
	// parameter, and float literals: the integer they equal.
	keys := []any{42, int8(42), int16(42), int32(42), int64(42), uint(42), uint8(42), uint16(42), uint32(42), uint64(42), "42", []byte("42"), name("42"), small(42), userID(42),
		42.0, float32(42), ratio(42), "42.0", "42.000", []byte("42.00"), "4.2e1", "42E0", "420e-1", "0.42e2", "42e0"}
	for _, v := range []Vindex{NewHash(), NewXXHash(), mod} {
		want, err := v.Map(42)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			got, err := v.Map(k)
			if err != nil {
				t.Errorf("%s.Map(%T %v): got error %v, want nil", v.Name(), k, k, err)
				continue
			}
			if string(got) != string(want) {
				t.Errorf("%s.Map(%T %v): got %x, want %x", v.Name(), k, k, got, want)
			}
		}
	}
}

// TestMapExponentExact: a key in exponent form is the integer its text is
// exactly, past 2^53 too, where the nearest float64 is another.
func TestMapExponentExact(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want any
	}{
		{"9007199254740993e0", uint64(9007199254740993)},
		{"900719925474099.3e1", uint64(9007199254740993)},
		{"-9007199254740993E0", int64(-9007199254740993)},
		{"18446744073709551615e0", uint64(18446744073709551615)},
		{"-0e0", 0},
	} {
		for _, v := range []Vindex{NewHash(), NewXXHash()} {
			got, err := v.Map(tc.in)
			want, werr := v.Map(tc.want)
			if err != nil || werr != nil || string(got) != string(want) {
				t.Errorf("%s.Map(%q): %x %v, want %x (the key of %v)", v.Name(), tc.in, got, err, want, tc.want)
			}
		}
	}
}

// TestMapFreshSlice checks that callers own the returned keyspace id.
func TestMapFreshSlice(t *testing.T) {
	mod, err := NewModulo(2)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []Vindex{NewHash(), NewXXHash(), mod} {
		a, err := v.Map(1)
		if err != nil {
			t.Fatal(err)
		}
		a[0] ^= 0xff
		b, err := v.Map(1)
		if err != nil {
			t.Fatal(err)
		}
		if a[0] == b[0] {
			t.Errorf("%s: changing one Map result changed the next: got %x, want it to differ from %x", v.Name(), b, a)
		}
		if len(b) != 8 {
			t.Errorf("%s: got a %d-byte keyspace id, want 8", v.Name(), len(b))
		}
	}
}

func TestIntRangeHolds(t *testing.T) {
	signedInt := IntRange{Min: math.MinInt32, Max: math.MaxInt32}
	unsignedBig := IntRange{Min: 0, Max: math.MaxUint64}
	signedBig := IntRange{Min: math.MinInt64, Max: math.MaxInt64}
	tests := []struct {
		name string
		r    IntRange
		in   any
		want bool
	}{
		{"inside", signedInt, int64(7), true},
		{"upper bound", signedInt, int64(math.MaxInt32), true},
		{"lower bound", signedInt, int64(math.MinInt32), true},
		{"above INT", signedInt, int64(4294967303), false},
		{"below INT", signedInt, int64(-3000000000), false},
		{"text above INT", signedInt, "3000000000", false},
		{"exponent above INT", signedInt, "3e9", false},
		{"float above INT", signedInt, float64(3e9), false},
		{"unsigned past BIGINT", signedBig, uint64(math.MaxUint64), false},
		{"BIGINT's top", signedBig, uint64(math.MaxInt64), true},
		{"negative into UNSIGNED", unsignedBig, int64(-1), false},
		{"negative text into UNSIGNED", unsignedBig, "-5", false},
		{"not a key: left to Map", signedInt, "abc", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.Holds(tt.in); got != tt.want {
				t.Errorf("%+v.Holds(%v) = %v, want %v", tt.r, tt.in, got, tt.want)
			}
		})
	}
}
