package shard

import (
	"encoding/hex"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestNewMap(t *testing.T) {
	tests := []struct {
		name    string
		names   []string
		wantErr error
		errHas  string
	}{
		{name: "one", names: []string{"0"}},
		{name: "halves", names: []string{"-80", "80-"}},
		{name: "shuffled", names: []string{"c0-", "-40", "80-c0", "40-80"}},
		{name: "none", names: nil, wantErr: ErrBadShardMap, errHas: "no shards"},
		{name: "bad name", names: []string{"-80", "8-"}, wantErr: ErrBadKeyRange},
		{name: "gap", names: []string{"-40", "80-"}, wantErr: ErrBadShardMap, errHas: "gap"},
		{name: "overlap", names: []string{"-80", "40-"}, wantErr: ErrBadShardMap, errHas: "overlaps"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewMap(tc.names)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !errors.Is(err, ErrBadShardMap) || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("NewMap(%q): got error %v, want one wrapping %v and containing %q", tc.names, err, tc.wantErr, tc.errHas)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewMap(%q): got error %v, want nil", tc.names, err)
			}
			if got := m.Len(); got != len(tc.names) {
				t.Errorf("Len(): got %d, want %d", got, len(tc.names))
			}
			if got := m.Names(); !slices.Equal(got, tc.names) {
				t.Errorf("Names(): got %q, want %q", got, tc.names)
			}
		})
	}
}

func TestMapShard(t *testing.T) {
	shuffled := []string{"c0-", "-40", "80-c0", "40-80"}
	tests := []struct {
		name      string
		names     []string
		ksid      string // hex
		wantIndex int
	}{
		{name: "one shard", names: []string{"0"}, ksid: "ffffffffffffffff", wantIndex: 0},
		{name: "lower half zero", names: []string{"-80", "80-"}, ksid: "0000000000000000", wantIndex: 0},
		{name: "lower half top", names: []string{"-80", "80-"}, ksid: "7fffffffffffffff", wantIndex: 0},
		{name: "upper half bottom", names: []string{"-80", "80-"}, ksid: "8000000000000000", wantIndex: 1},
		{name: "upper half max", names: []string{"-80", "80-"}, ksid: "ffffffffffffffff", wantIndex: 1},
		{name: "hash of 1", names: []string{"-80", "80-"}, ksid: "166b40b44aba4bd6", wantIndex: 0},
		{name: "hash of 4", names: []string{"-80", "80-"}, ksid: "d2fd8867d50d2dfe", wantIndex: 1},
		{name: "shuffled first", names: shuffled, ksid: "0000000000000000", wantIndex: 1},
		{name: "shuffled 40", names: shuffled, ksid: "4000000000000000", wantIndex: 3},
		{name: "shuffled 80", names: shuffled, ksid: "8000000000000000", wantIndex: 2},
		{name: "shuffled bf", names: shuffled, ksid: "bfffffffffffffff", wantIndex: 2},
		{name: "shuffled c0", names: shuffled, ksid: "c000000000000000", wantIndex: 0},
		{name: "empty ksid", names: shuffled, ksid: "", wantIndex: 1},
		{name: "short ksid", names: shuffled, ksid: "80", wantIndex: 2},
		{name: "mixed widths", names: []string{"-4000", "4000-4080", "4080-"}, ksid: "4070", wantIndex: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewMap(tc.names)
			if err != nil {
				t.Fatal(err)
			}
			ksid, err := hex.DecodeString(tc.ksid)
			if err != nil {
				t.Fatal(err)
			}
			i, name := m.Shard(ksid)
			if i != tc.wantIndex || name != tc.names[tc.wantIndex] {
				t.Errorf("Shard(%s): got %d %q, want %d %q", tc.ksid, i, name, tc.wantIndex, tc.names[tc.wantIndex])
			}
			if kr := m.Range(i); !kr.Contains(ksid) {
				t.Errorf("Shard(%s) = %q, whose range %s does not contain it", tc.ksid, name, kr)
			}
		})
	}
}

// TestMapShardAgreesWithContains checks the binary search against the
// obvious linear scan.
func TestMapShardAgreesWithContains(t *testing.T) {
	h := NewHash()
	for _, n := range []int{1, 2, 3, 7, 16, 300} {
		names, err := GenerateNames(n)
		if err != nil {
			t.Fatal(err)
		}
		m, err := NewMap(names)
		if err != nil {
			t.Fatal(err)
		}
		for id := uint64(0); id < 2000; id++ {
			ksid := h.Sum(id)
			got, _ := m.Shard(ksid[:])
			want := -1
			for i := range m.Len() {
				if m.Range(i).Contains(ksid[:]) {
					want = i
				}
			}
			if got != want {
				t.Fatalf("%d shards, id %d, ksid %x: got shard %d, want %d", n, id, ksid, got, want)
			}
		}
	}
}

func TestMapGroup(t *testing.T) {
	m, err := NewMap([]string{"-80", "80-"})
	if err != nil {
		t.Fatal(err)
	}
	// hash: 1 → 16…, 2 → 06…, 3 → 4e…, 4 → d2…, 5 → 70…, 6 → f0….
	tests := []struct {
		name string
		keys []any
		want map[int][]int
	}{
		{name: "none", keys: nil, want: map[int][]int{}},
		{name: "one", keys: []any{4}, want: map[int][]int{1: {0}}},
		{name: "both shards", keys: []any{1, 2, 3, 4, 5, 6}, want: map[int][]int{0: {0, 1, 2, 4}, 1: {3, 5}}},
		{name: "mixed types and duplicates", keys: []any{"4", int64(1), uint8(4), "1"}, want: map[int][]int{0: {1, 3}, 1: {0, 2}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := m.Group(NewHash(), tc.keys)
			if err != nil {
				t.Fatal(err)
			}
			if !maps.EqualFunc(got, tc.want, slices.Equal) {
				t.Errorf("Group(%v): got %v, want %v", tc.keys, got, tc.want)
			}
		})
	}
	t.Run("bad key", func(t *testing.T) {
		_, err := m.Group(NewHash(), []any{1, 2, "x"})
		if !errors.Is(err, ErrBadKey) || !strings.Contains(err.Error(), "key 2") {
			t.Errorf("Group: got error %v, want one wrapping ErrBadKey and naming key 2", err)
		}
	})
}

// moved returns the fraction of ids 1..n that must move to another server
// when resharding from before to after, under the best placement of the new
// shards: each old server keeps one new shard (the one that shares most of
// its keys), and every other new shard goes on a new server.
func moved(t *testing.T, n int, before, after *Map, vBefore, vAfter Vindex) float64 {
	t.Helper()
	// both[i][j] counts the ids on old shard i and new shard j.
	both := make([][]int, before.Len())
	for i := range both {
		both[i] = make([]int, after.Len())
	}
	for id := 1; id <= n; id++ {
		k1, err := vBefore.Map(id)
		if err != nil {
			t.Fatal(err)
		}
		k2, err := vAfter.Map(id)
		if err != nil {
			t.Fatal(err)
		}
		i, _ := before.Shard(k1)
		j, _ := after.Shard(k2)
		both[i][j]++
	}
	// Try every way to give the old servers distinct new shards; the sizes
	// here are tiny.
	var best func(i int, used []bool) int
	best = func(i int, used []bool) int {
		if i == len(both) {
			return 0
		}
		most := 0
		for j := range used {
			if !used[j] {
				used[j] = true
				most = max(most, both[i][j]+best(i+1, used))
				used[j] = false
			}
		}
		return most
	}
	stay := best(0, make([]bool, after.Len()))
	return float64(n-stay) / float64(n)
}

// TestReshardMoves shows the teaching point of Modulo: splitting hash ranges
// 2→4 moves only the upper half of each split shard, while modulo 2→3
// changes id mod N for most ids.
func TestReshardMoves(t *testing.T) {
	const ids = 60_000
	mapOf := func(n int) *Map {
		names, err := GenerateNames(n)
		if err != nil {
			t.Fatal(err)
		}
		m, err := NewMap(names)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	modOf := func(n int) Vindex {
		v, err := NewModulo(n)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	h := NewHash()
	tests := []struct {
		name            string
		before, after   *Map
		vBefore, vAfter Vindex
		want            float64
	}{
		{name: "hash 2 to 4", before: mapOf(2), after: mapOf(4), vBefore: h, vAfter: h, want: 1.0 / 2},
		{name: "modulo 2 to 3", before: mapOf(2), after: mapOf(3), vBefore: modOf(2), vAfter: modOf(3), want: 2.0 / 3},
		{name: "hash 2 to 3", before: mapOf(2), after: mapOf(3), vBefore: h, vAfter: h, want: 1.0 / 3},
		{name: "modulo 3 to 4", before: mapOf(3), after: mapOf(4), vBefore: modOf(3), vAfter: modOf(4), want: 3.0 / 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := moved(t, ids, tc.before, tc.after, tc.vBefore, tc.vAfter)
			if got < tc.want-0.02 || got > tc.want+0.02 {
				t.Errorf("moved: got %.3f of the keys, want %.3f ± 0.02", got, tc.want)
			}
		})
	}
}

func BenchmarkMapShard(b *testing.B) {
	b.ReportAllocs()
	names, err := GenerateNames(16)
	if err != nil {
		b.Fatal(err)
	}
	m, err := NewMap(names)
	if err != nil {
		b.Fatal(err)
	}
	h := NewHash()
	ksids := make([][]byte, 1024)
	for i := range ksids {
		k := h.Sum(uint64(i))
		ksids[i] = k[:]
	}
	i := 0
	for b.Loop() {
		m.Shard(ksids[i&1023])
		i++
	}
}

func BenchmarkMapGroup(b *testing.B) {
	b.ReportAllocs()
	names, err := GenerateNames(4)
	if err != nil {
		b.Fatal(err)
	}
	m, err := NewMap(names)
	if err != nil {
		b.Fatal(err)
	}
	keys := make([]any, 100)
	for i := range keys {
		keys[i] = int64(i)
	}
	h := NewHash()
	for b.Loop() {
		if _, err := m.Group(h, keys); err != nil {
			b.Fatal(err)
		}
	}
}
