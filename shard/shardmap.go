package shard

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sort"
)

// ErrBadShardMap is returned (wrapped) by NewMap for shard names that do not
// parse or do not cover the keyspace exactly once.
var ErrBadShardMap = errors.New("shard: bad shard map")

// Map is a set of shards whose key ranges partition the keyspace: every
// keyspace id belongs to exactly one shard. Shards are identified by their
// index in the names given to NewMap.
//
// A Map is immutable and safe for concurrent use.
type Map struct {
	names  []string   // in the caller's order
	ranges []KeyRange // ranges[i] is the range of names[i]
	starts [][]byte   // range starts, ascending
	index  []int      // index[j] is the caller's index of the range starting at starts[j]
}

// NewMap builds a Map from Vitess shard names such as "-80" and "80-", in any
// order. The ranges must cover the keyspace with no gap and no overlap; a
// single shard may be named "0" or "-". On a bad name or a bad partition the
// error wraps ErrBadShardMap (and ErrBadKeyRange for a bad name). NewMap
// copies names.
func NewMap(names []string) (*Map, error) {
	m := &Map{
		names:  slices.Clone(names),
		ranges: make([]KeyRange, len(names)),
		index:  make([]int, len(names)),
	}
	for i, name := range names {
		kr, err := ParseKeyRange(name)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadShardMap, err)
		}
		m.ranges[i] = kr
		m.index[i] = i
	}
	if err := CheckPartition(m.names, m.ranges); err != nil {
		return nil, fmt.Errorf("%w %q: %w: list shards that cover the keyspace once, such as shard.GenerateNames gives", ErrBadShardMap, names, err)
	}
	sort.Slice(m.index, func(a, b int) bool {
		return bytes.Compare(m.ranges[m.index[a]].Start, m.ranges[m.index[b]].Start) < 0
	})
	m.starts = make([][]byte, len(m.index))
	for j, i := range m.index {
		m.starts[j] = m.ranges[i].Start
	}
	return m, nil
}

// Shard returns the index (into the names given to NewMap) and the name of
// the shard whose range holds ksid. Every keyspace id, of any length, has
// exactly one shard. Shard runs a binary search and does not allocate.
func (m *Map) Shard(ksid []byte) (index int, name string) {
	// Find the last range whose start is <= ksid. starts[0] is empty, the
	// smallest key of all, so there always is one.
	lo, hi := 1, len(m.starts)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if bytes.Compare(m.starts[mid], ksid) <= 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	i := m.index[lo-1]
	return i, m.names[i]
}

// Len returns the number of shards.
func (m *Map) Len() int { return len(m.names) }

// Names returns the shard names in the order given to NewMap. The slice is a
// copy.
func (m *Map) Names() []string { return slices.Clone(m.names) }

// Range returns the key range of shard index i. It panics if i is out of
// range, like a slice index. The returned bounds are copies.
func (m *Map) Range(i int) KeyRange {
	kr := m.ranges[i]
	return KeyRange{Start: bytes.Clone(kr.Start), End: bytes.Clone(kr.End)}
}

// Group maps every key with v and groups the keys' positions by shard: the
// result maps a shard index to the positions in keys that belong to it, in
// ascending order. Shards with no keys are absent. The router uses it to
// split WHERE id IN (...) into one query per shard, and the loader to batch
// fetches. If any key does not map, Group returns an error naming its
// position and wrapping the vindex's error (ErrBadKey for a non-integer).
func (m *Map) Group(v Vindex, keys []any) (map[int][]int, error) {
	groups := make(map[int][]int)
	for pos, key := range keys {
		ksid, err := v.Map(key)
		if err != nil {
			return nil, fmt.Errorf("map key %d with vindex %s: %w", pos, v.Name(), err)
		}
		i, _ := m.Shard(ksid)
		groups[i] = append(groups[i], pos)
	}
	return groups, nil
}
