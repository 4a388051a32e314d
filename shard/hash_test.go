package shard

import (
	"encoding/hex"
	"errors"
	"math"
	"testing"
)

// The hash goldens are Vitess's (go/vt/vtgate/vindexes/hash_test.go and the
// Vitess docs); they must never change, or every row in a running
// deployment would be looked for on the wrong shard.
var hashGoldens = []struct {
	name string
	in   any
	want string
}{
	{name: "0", in: 0, want: "8ca64de9c1b123a7"},
	{name: "1", in: 1, want: "166b40b44aba4bd6"},
	{name: "2", in: int64(2), want: "06e7ea22ce92708f"},
	{name: "3", in: int32(3), want: "4eb190c9a2fa169c"},
	{name: "4", in: uint64(4), want: "d2fd8867d50d2dfe"},
	{name: "5", in: uint8(5), want: "70bb023c810ca87a"},
	{name: "6", in: "6", want: "f098480ac4c4be71"},
	{name: "397", in: 397, want: "5584fa738baaf516"},
	{name: "29999", in: []byte("29999"), want: "fcd63e56d3374d88"},
	{name: "-1", in: -1, want: "355550b2150e2451"},
	{name: "-1 string", in: "-1", want: "355550b2150e2451"},
	{name: "max uint64", in: uint64(math.MaxUint64), want: "355550b2150e2451"},
	{name: "max uint64 string", in: "18446744073709551615", want: "355550b2150e2451"},
	{name: "max int64", in: int64(math.MaxInt64), want: "f77d48aadda1f1bb"},
	{name: "min int64", in: int64(math.MinInt64), want: "95f8a5e5dd31d900"},
	{name: "named type", in: userID(1), want: "166b40b44aba4bd6"},
}

type userID int64

func TestHashMap(t *testing.T) {
	for _, tc := range hashGoldens {
		t.Run(tc.name, func(t *testing.T) {
			ksid, err := NewHash().Map(tc.in)
			if err != nil {
				t.Fatalf("Map(%v): got error %v, want nil", tc.in, err)
			}
			if got := hex.EncodeToString(ksid); got != tc.want {
				t.Errorf("Map(%v): got %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestHashUnmap(t *testing.T) {
	for _, tc := range hashGoldens {
		t.Run(tc.name, func(t *testing.T) {
			want, err := toKey(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			ksid, err := hex.DecodeString(tc.want)
			if err != nil {
				t.Fatal(err)
			}
			got, err := (&Hash{}).Unmap(ksid)
			if err != nil {
				t.Fatalf("Unmap(%s): got error %v, want nil", tc.want, err)
			}
			if got != want.u {
				t.Errorf("Unmap(%s): got %d, want %d", tc.want, got, want.u)
			}
		})
	}
}

func TestHashUnmapBadLength(t *testing.T) {
	for _, ksid := range [][]byte{nil, {1, 2, 3}, make([]byte, 16)} {
		if _, err := NewHash().Unmap(ksid); !errors.Is(err, ErrBadKeyspaceID) {
			t.Errorf("Unmap(%x): got error %v, want one wrapping ErrBadKeyspaceID", ksid, err)
		}
	}
}

func TestHashRoundTrip(t *testing.T) {
	h := NewHash()
	for _, id := range []uint64{0, 1, 7, 1 << 32, 1<<63 - 1, 1 << 63, math.MaxUint64} {
		ksid := h.Sum(id)
		got, err := h.Unmap(ksid[:])
		if err != nil {
			t.Fatal(err)
		}
		if got != id {
			t.Errorf("Unmap(Sum(%d)): got %d, want %d", id, got, id)
		}
	}
}

// TestHashBalance checks the property Hash is chosen for: sequential ids,
// as AUTO_INCREMENT hands them out, spread evenly over the shards.
func TestHashBalance(t *testing.T) {
	const ids, shards = 100_000, 4
	names, err := GenerateNames(shards)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMap(names)
	if err != nil {
		t.Fatal(err)
	}
	counts := make([]int, shards)
	h := NewHash()
	for id := uint64(1); id <= ids; id++ {
		ksid := h.Sum(id)
		i, _ := m.Shard(ksid[:])
		counts[i]++
	}
	const want, slack = ids / shards, ids / shards * 5 / 100
	for i, got := range counts {
		if got < want-slack || got > want+slack {
			t.Errorf("shard %s: got %d ids, want %d ± %d", names[i], got, want, slack)
		}
	}
}

func BenchmarkHashMap(b *testing.B) {
	b.ReportAllocs()
	h := NewHash()
	var key any = int64(123456789)
	for b.Loop() {
		if _, err := h.Map(key); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHashSum(b *testing.B) {
	b.ReportAllocs()
	h := NewHash()
	var id uint64
	for b.Loop() {
		id++
		_ = h.Sum(id)
	}
}
