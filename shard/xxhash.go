package shard

import (
	"encoding/binary"

	"github.com/cespare/xxhash/v2"
)

var _ Vindex = (*XXHash)(nil)

// XXHash is Vitess's "xxhash" vindex: the keyspace id is the 64-bit xxHash
// of the key's bytes, stored little-endian. Vitess hashes a value's raw SQL
// bytes, and an integer's raw bytes are its decimal text, so XXHash hashes
// the canonical decimal text of the integer key: 1 hashes "1", -1 hashes
// "-1". Unlike Hash, -1 and 18446744073709551615 therefore get different
// keyspace ids. A string key is first parsed as an integer, so "007" and 7
// share a keyspace id (Vitess would hash the literal text "007"; for an
// integer column the parsed value is the right one). XXHash is not
// reversible.
//
// The zero value is ready to use, and an XXHash is safe for concurrent use.
type XXHash struct{}

// NewXXHash returns an XXHash vindex.
func NewXXHash() *XXHash { return &XXHash{} }

// Name returns "xxhash".
func (*XXHash) Name() string { return "xxhash" }

// Map returns the keyspace id of v, or an error wrapping ErrBadKey if v is
// not an integer (see Vindex).
func (*XXHash) Map(v any) ([]byte, error) {
	k, err := toKey(v)
	if err != nil {
		return nil, err
	}
	var buf [20]byte // the longest uint64 or int64 in decimal
	ksid := make([]byte, 8)
	binary.LittleEndian.PutUint64(ksid, xxhash.Sum64(k.appendDecimal(buf[:0])))
	return ksid, nil
}
