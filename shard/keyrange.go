package shard

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrBadKeyRange is returned (wrapped) for a shard name that is not a
// Vitess-style key range.
var ErrBadKeyRange = errors.New("shard: bad key range")

// ErrBadPartition is wrapped by CheckPartition's errors.
var ErrBadPartition = errors.New("shard: shards do not partition the keyspace")

// KeyRange is a half-open range [Start, End) of keyspace ids. An empty Start
// means the beginning of the keyspace and an empty End means its end, so the
// zero KeyRange covers everything. Keyspace ids compare as big-endian byte
// strings, the way Vitess compares them.
type KeyRange struct {
	Start []byte
	End   []byte
}

// ParseKeyRange parses a Vitess shard name: "-80", "80-", "40-80", "-" or
// "0" (both meaning the whole keyspace). Bounds are hex prefixes of a
// keyspace id.
func ParseKeyRange(name string) (KeyRange, error) {
	if name == "0" || name == "-" {
		return KeyRange{}, nil
	}
	lo, hi, ok := strings.Cut(name, "-")
	if !ok || strings.Contains(hi, "-") {
		return KeyRange{}, fmt.Errorf("%w %q: want START-END in hex, like -80, 80- or 40-80", ErrBadKeyRange, name)
	}
	start, err := parseBound(lo)
	if err != nil {
		return KeyRange{}, fmt.Errorf("%w %q: start: %v", ErrBadKeyRange, name, err)
	}
	end, err := parseBound(hi)
	if err != nil {
		return KeyRange{}, fmt.Errorf("%w %q: end: %v", ErrBadKeyRange, name, err)
	}
	if hi != "" && len(end) == 0 {
		return KeyRange{}, fmt.Errorf("%w %q: end is zero", ErrBadKeyRange, name)
	}
	kr := KeyRange{Start: start, End: end}
	if len(end) > 0 && bytes.Compare(start, end) >= 0 {
		return KeyRange{}, fmt.Errorf("%w %q: start is not below end", ErrBadKeyRange, name)
	}
	return kr, nil
}

func parseBound(s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	if len(s)%2 == 1 {
		return nil, fmt.Errorf("%q has an odd number of hex digits", s)
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not hex", s)
	}
	// Trailing zero bytes do not change the position of a bound: "80" and
	// "8000" are the same point. Trim them so equal bounds compare equal.
	return bytes.TrimRight(b, "\x00"), nil
}

// String returns the Vitess name of the range; the whole keyspace is "-".
func (kr KeyRange) String() string {
	return hex.EncodeToString(kr.Start) + "-" + hex.EncodeToString(kr.End)
}

// Full reports whether the range covers the whole keyspace.
func (kr KeyRange) Full() bool { return len(kr.Start) == 0 && len(kr.End) == 0 }

// Contains reports whether keyspace id ksid falls in the range.
func (kr KeyRange) Contains(ksid []byte) bool {
	if len(kr.Start) > 0 && bytes.Compare(ksid, kr.Start) < 0 {
		return false
	}
	return len(kr.End) == 0 || bytes.Compare(ksid, kr.End) < 0
}

// Overlaps reports whether two ranges share any keyspace id.
func (kr KeyRange) Overlaps(o KeyRange) bool {
	// a.start < b.end && b.start < a.end, with empty ends meaning +inf.
	return lessEnd(kr.Start, o.End) && lessEnd(o.Start, kr.End)
}

func lessEnd(start, end []byte) bool {
	return len(end) == 0 || bytes.Compare(start, end) < 0
}

// CheckPartition verifies that ranges cover the whole keyspace exactly once:
// no gaps and no overlaps. names are used only in the error message and must
// line up with ranges.
func CheckPartition(names []string, ranges []KeyRange) error {
	if len(ranges) == 0 {
		return fmt.Errorf("%w: no shards", ErrBadPartition)
	}
	if len(names) != len(ranges) {
		return fmt.Errorf("%w: %d names for %d ranges", ErrBadPartition, len(names), len(ranges))
	}
	idx := make([]int, len(ranges))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return bytes.Compare(ranges[idx[a]].Start, ranges[idx[b]].Start) < 0 })
	var pos []byte // the first keyspace id not yet covered
	for n, i := range idx {
		kr := ranges[i]
		switch c := bytes.Compare(kr.Start, pos); {
		case c > 0:
			if n == 0 {
				return fmt.Errorf("%w: no shard covers keyspace ids below %x (first shard is %q)", ErrBadPartition, kr.Start, names[i])
			}
			return fmt.Errorf("%w: gap between %q and %q: keyspace ids %x-%x are not covered", ErrBadPartition, names[idx[n-1]], names[i], pos, kr.Start)
		case c < 0:
			return fmt.Errorf("%w: %q overlaps %q", ErrBadPartition, names[i], names[idx[n-1]])
		}
		if len(kr.End) == 0 {
			if n != len(idx)-1 {
				return fmt.Errorf("%w: %q overlaps %q", ErrBadPartition, names[idx[n+1]], names[i])
			}
			return nil
		}
		pos = kr.End
	}
	return fmt.Errorf("%w: no shard covers keyspace ids from %x to the end (last shard is %q)", ErrBadPartition, pos, names[idx[len(idx)-1]])
}

// GenerateNames returns n Vitess shard names that split the keyspace into n
// near-equal ranges, spreading the remainder across them exactly as Vitess's
// key.GenerateShardRanges does: 2 → -80 80-; 3 → -55 55-aa aa-;
// 6 → -2a 2a-55 55-80 80-aa aa-d5 d5-. One shard is named "0", the Vitess
// name for an unsharded keyspace.
func GenerateNames(n int) ([]string, error) {
	var width int
	var max float64
	switch {
	case n <= 0:
		return nil, fmt.Errorf("shard: cannot make %d shards: want at least 1", n)
	case n == 1:
		return []string{"0"}, nil
	case n <= 256:
		width, max = 2, 256
	case n <= 65536:
		width, max = 4, 65536
	default:
		return nil, fmt.Errorf("shard: cannot make %d shards: at most 65536", n)
	}
	bound := func(i int) string {
		if i == 0 || i == n {
			return ""
		}
		return fmt.Sprintf("%0*x", width, int(float64(i)*max/float64(n)))
	}
	names := make([]string, n)
	for i := range names {
		names[i] = bound(i) + "-" + bound(i+1)
	}
	return names, nil
}
