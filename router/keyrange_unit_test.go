package router

import (
	"math"
	"testing"
	"time"
)

// TestKeyColumnHolds: which keys each column type holds as they are, as
// MariaDB stores them (checked against the server by
// shardtest.TestKeyTheColumnCannotHold).
func TestKeyColumnHolds(t *testing.T) {
	type col struct {
		dataType                 string
		unsigned                 bool
		precision, scale, maxLen int64
		binary                   bool
	}
	tests := []struct {
		name string
		col  col
		key  any
		want bool
	}{
		{"INT top", col{dataType: "int"}, int64(math.MaxInt32), true},
		{"INT past top", col{dataType: "int"}, int64(math.MaxInt32) + 1, false},
		{"INT UNSIGNED top", col{dataType: "int", unsigned: true}, uint64(math.MaxUint32), true},
		{"INT UNSIGNED negative", col{dataType: "int", unsigned: true}, int64(-1), false},
		{"BIGINT UNSIGNED top", col{dataType: "bigint", unsigned: true}, uint64(math.MaxUint64), true},
		{"BIGINT past top", col{dataType: "bigint"}, uint64(math.MaxInt64) + 1, false},
		{"SMALLINT bottom", col{dataType: "smallint"}, "-32768", true},
		{"SMALLINT past bottom", col{dataType: "smallint"}, "-32769", false},
		{"BIT(1)", col{dataType: "bit", precision: 1}, int64(1), true},
		{"BIT(1) 2", col{dataType: "bit", precision: 1}, int64(2), false},
		{"BIT(64) top", col{dataType: "bit", precision: 64}, uint64(math.MaxUint64), true},
		{"BIT(8) string", col{dataType: "bit", precision: 8}, "5", false},
		{"DECIMAL(10,2) integer part", col{dataType: "decimal", precision: 10, scale: 2}, int64(99999999), true},
		{"DECIMAL(10,2) past it", col{dataType: "decimal", precision: 10, scale: 2}, int64(100000000), false},
		{"DECIMAL(30,0)", col{dataType: "decimal", precision: 30}, uint64(math.MaxUint64), true},
		{"DECIMAL(19,0) UNSIGNED negative", col{dataType: "decimal", precision: 19, unsigned: true}, int64(-1), false},
		{"FLOAT 2^24", col{dataType: "float", precision: 12, scale: -1}, int64(1 << 24), true},
		{"FLOAT past 2^24", col{dataType: "float", precision: 12, scale: -1}, int64(1<<24 + 1), false},
		{"DOUBLE 2^53", col{dataType: "double", precision: 22, scale: -1}, int64(1 << 53), true},
		{"DOUBLE(5,1)", col{dataType: "double", precision: 5, scale: 1}, int64(10000), false},
		{"YEAR 0", col{dataType: "year"}, int64(0), true},
		{"YEAR 4", col{dataType: "year"}, int64(4), false},
		{"YEAR 1901", col{dataType: "year"}, int64(1901), true},
		{"YEAR 2156", col{dataType: "year"}, int64(2156), false},
		{"YEAR '0'", col{dataType: "year"}, "0", false},
		{"YEAR '2004'", col{dataType: "year"}, "2004", true},
		{"YEAR '0204'", col{dataType: "year"}, "0204", false},
		{"VARCHAR(3) of 3 characters", col{dataType: "varchar", maxLen: 3}, "ñññ", true},
		{"VARBINARY(3) of 6 bytes", col{dataType: "varbinary", maxLen: 3, binary: true}, "ñññ", false},
		{"VARCHAR(3) number", col{dataType: "varchar", maxLen: 3}, int64(-12), true},
		{"VARCHAR(3) longer number", col{dataType: "varchar", maxLen: 3}, int64(-123), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.col
			kc := columnKind(c.dataType, c.unsigned, c.precision, c.scale, c.maxLen, c.binary)
			r := &Router{}
			tab := keyTable{name: "t"}
			r.keys.set(tab, kc, r.keys.generation())
			_, text := tt.key.(string)
			err := r.checkKey(tab, "id", tt.key, text)
			if got := err == nil; got != tt.want {
				t.Errorf("%s holds %v: %v (%v), want %v", c.dataType, tt.key, got, err, tt.want)
			}
		})
	}
	t.Run("DATE holds no key", func(t *testing.T) {
		r := &Router{}
		tab := keyTable{name: "t"}
		r.keys.set(tab, columnKind("date", false, -1, -1, -1, false), 0)
		if err := r.checkKey(tab, "id", int64(20240105), false); err == nil {
			t.Error("a DATE key column took an INSERT")
		}
	})
}

// TestKeyColumnsKept: a column's type is read again once keyColumnTTL has
// passed (DDL run on the shards directly), and one read across DDL that
// forgot the types is not kept.
func TestKeyColumnsKept(t *testing.T) {
	var k keyColumns
	tab := keyTable{name: "t"}
	kc := columnKind("int", false, 10, 0, -1, false)
	kc.read = time.Now()
	if !k.set(tab, kc, k.generation()) {
		t.Error("the first read of a type is a change")
	}
	if _, fresh := k.get(tab); !fresh {
		t.Error("a type just read is not fresh")
	}
	if k.set(tab, kc, k.generation()) {
		t.Error("the same type read again is a change")
	}
	k.m[tab] = keyColumn{kind: kc.kind, rng: kc.rng, dataType: kc.dataType, read: time.Now().Add(-keyColumnTTL)}
	if _, fresh := k.get(tab); fresh {
		t.Errorf("a type read %v ago is fresh", keyColumnTTL)
	}
	gen := k.generation()
	k.forget() // DDL ran while the type was read
	if k.set(tab, kc, gen) {
		t.Error("a type read across a forget was kept")
	}
	if _, ok := k.m[tab]; ok {
		t.Error("a type read across a forget was kept")
	}
}
