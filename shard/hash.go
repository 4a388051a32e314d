package shard

import (
	"crypto/cipher"
	"crypto/des"
	"encoding/binary"
	"fmt"
)

var _ Vindex = (*Hash)(nil)

// zeroKeyDES is DES with an all-zero key. It holds only its key schedule,
// which Encrypt and Decrypt read and never write, so one value serves every
// goroutine.
var zeroKeyDES = newZeroKeyDES()

func newZeroKeyDES() cipher.Block {
	b, err := des.NewCipher(make([]byte, des.BlockSize))
	if err != nil {
		panic("shard: DES with a zero key: " + err.Error()) // unreachable: the key size is right
	}
	return b
}

// Hash is Vitess's "hash" vindex: the keyspace id is the 8-byte big-endian
// id encrypted with DES under an all-zero key. DES is a permutation of
// 64-bit blocks, so every id gets a distinct keyspace id, sequential ids
// spread evenly over the keyspace, and Unmap recovers the id. A negative id
// is first converted to uint64 as two's complement, as Vitess does, so -1
// and 18446744073709551615 share a keyspace id.
//
// The zero value is ready to use, and a Hash is safe for concurrent use.
type Hash struct{}

// NewHash returns a Hash vindex.
func NewHash() *Hash { return &Hash{} }

// Name returns "hash".
func (*Hash) Name() string { return "hash" }

// Map returns the keyspace id of v, or an error wrapping ErrBadKey if v is
// not an integer (see Vindex).
func (*Hash) Map(v any) ([]byte, error) {
	k, err := toKey(v)
	if err != nil {
		return nil, err
	}
	return encrypt(k.u), nil
}

// Sum returns the keyspace id of id: Map for a uint64, without the
// conversion from any.
func (*Hash) Sum(id uint64) [8]byte {
	return [8]byte(encrypt(id))
}

// encrypt returns the 8-byte keyspace id of id. The slices passed to the
// cipher escape, so both halves share one allocation.
func encrypt(id uint64) []byte {
	buf := make([]byte, 2*des.BlockSize)
	binary.BigEndian.PutUint64(buf[des.BlockSize:], id)
	zeroKeyDES.Encrypt(buf[:des.BlockSize], buf[des.BlockSize:])
	return buf[:des.BlockSize:des.BlockSize]
}

// Unmap returns the id whose keyspace id is ksid, the inverse of Map (Vitess
// calls it ReverseMap). A negative id comes back as its two's complement
// uint64. A ksid that is not 8 bytes long yields an error wrapping
// ErrBadKeyspaceID.
func (*Hash) Unmap(ksid []byte) (uint64, error) {
	if len(ksid) != des.BlockSize {
		return 0, fmt.Errorf("%w %x: the hash vindex makes 8-byte keyspace ids, this one has %d bytes", ErrBadKeyspaceID, ksid, len(ksid))
	}
	var out [8]byte
	zeroKeyDES.Decrypt(out[:], ksid)
	return binary.BigEndian.Uint64(out[:]), nil
}
