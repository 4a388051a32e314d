package shard

import (
	"encoding/hex"
	"math"
	"testing"
)

func TestXXHashMap(t *testing.T) {
	// The values for 1, -1, max uint64, max int64 and min int64 are
	// Vitess's (go/vt/vtgate/vindexes/xxhash_test.go); the others were
	// computed once with this implementation and must never change.
	tests := []struct {
		name string
		in   any
		want string
	}{
		{name: "0", in: 0, want: "ecaf441208573463"},
		{name: "1", in: 1, want: "d46405367612b4b7"},
		{name: "1 string", in: "1", want: "d46405367612b4b7"},
		{name: "1 leading zeros", in: "001", want: "d46405367612b4b7"},
		{name: "4", in: uint64(4), want: "896ba42c32143991"},
		{name: "397", in: int32(397), want: "00f80cb58ed7a321"},
		{name: "29999", in: []byte("29999"), want: "79e000d671ffc8e1"},
		{name: "-1", in: -1, want: "d8e2a6a7c8c7623d"},
		{name: "-1 string", in: "-1", want: "d8e2a6a7c8c7623d"},
		{name: "max uint64", in: uint64(math.MaxUint64), want: "477cfa8d6d8f1f8d"},
		{name: "max int64", in: int64(math.MaxInt64), want: "b37eb01f7bffafd8"},
		{name: "max int64 as uint64", in: uint64(math.MaxInt64), want: "b37eb01f7bffafd8"},
		{name: "min int64", in: int64(math.MinInt64), want: "102c27ddb26a609e"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ksid, err := NewXXHash().Map(tc.in)
			if err != nil {
				t.Fatalf("Map(%v): got error %v, want nil", tc.in, err)
			}
			if got := hex.EncodeToString(ksid); got != tc.want {
				t.Errorf("Map(%v): got %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

func BenchmarkXXHashMap(b *testing.B) {
	b.ReportAllocs()
	x := NewXXHash()
	var key any = int64(123456789)
	for b.Loop() {
		if _, err := x.Map(key); err != nil {
			b.Fatal(err)
		}
	}
}
