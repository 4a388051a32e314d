package shard

import (
	"encoding/hex"
	"errors"
	"testing"
)

func TestModuloMap(t *testing.T) {
	// Computed once with this implementation (the midpoint of shard id mod N
	// of GenerateNames(N)); they must never change.
	tests := []struct {
		name string
		n    int
		in   any
		want string
	}{
		{name: "1 shard", n: 1, in: 12345, want: "7fffffffffffffff"},
		{name: "2 shards even", n: 2, in: 10, want: "3fffffffffffffff"},
		{name: "2 shards odd", n: 2, in: "11", want: "bfffffffffffffff"},
		{name: "3 shards 0", n: 3, in: 0, want: "2a7fffffffffffff"},
		{name: "3 shards 1", n: 3, in: 1, want: "7f7fffffffffffff"},
		{name: "3 shards 2", n: 3, in: uint64(2), want: "d4ffffffffffffff"},
		{name: "3 shards 3", n: 3, in: int32(3), want: "2a7fffffffffffff"},
		{name: "4 shards 0", n: 4, in: 0, want: "1fffffffffffffff"},
		{name: "4 shards 1", n: 4, in: 1, want: "5fffffffffffffff"},
		{name: "4 shards 2", n: 4, in: 2, want: "9fffffffffffffff"},
		{name: "4 shards 3", n: 4, in: 3, want: "dfffffffffffffff"},
		{name: "4 shards -1", n: 4, in: -1, want: "dfffffffffffffff"}, // 2^64-1 mod 4 = 3
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewModulo(tc.n)
			if err != nil {
				t.Fatal(err)
			}
			ksid, err := m.Map(tc.in)
			if err != nil {
				t.Fatalf("Map(%v): got error %v, want nil", tc.in, err)
			}
			if got := hex.EncodeToString(ksid); got != tc.want {
				t.Errorf("Map(%v): got %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

// TestModuloShard checks Modulo's contract: with a Map of GenerateNames(N),
// id lands on shard index id mod N.
func TestModuloShard(t *testing.T) {
	for _, n := range []int{1, 2, 3, 4, 5, 6, 7, 8, 10, 16, 100, 255, 256, 257, 1000, 65535, 65536} {
		names, err := GenerateNames(n)
		if err != nil {
			t.Fatal(err)
		}
		sm, err := NewMap(names)
		if err != nil {
			t.Fatal(err)
		}
		mod, err := NewModulo(n)
		if err != nil {
			t.Fatal(err)
		}
		if mod.N() != n {
			t.Errorf("NewModulo(%d).N(): got %d, want %d", n, mod.N(), n)
		}
		for id := uint64(0); id < uint64(3*n) && id < 5000; id++ {
			ksid, err := mod.Map(id)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := sm.Shard(ksid); got != int(id%uint64(n)) {
				t.Fatalf("modulo %d: id %d: got shard %d, want %d", n, id, got, id%uint64(n))
			}
		}
	}
}

func TestNewModuloBad(t *testing.T) {
	for _, n := range []int{0, -1, MaxModuloShards + 1} {
		if _, err := NewModulo(n); !errors.Is(err, ErrBadParam) {
			t.Errorf("NewModulo(%d): got error %v, want one wrapping ErrBadParam", n, err)
		}
	}
	if _, err := new(Modulo).Map(1); !errors.Is(err, ErrBadParam) {
		t.Errorf("zero Modulo Map: got error %v, want one wrapping ErrBadParam", err)
	}
}
