package shard

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

var _ Vindex = (*Modulo)(nil)

// MaxModuloShards is the largest shard count NewModulo accepts, the most
// shards GenerateNames can name.
const MaxModuloShards = 65536

// Modulo is a teaching vindex: it puts id into shard id mod N, where shard i
// is the i-th range of GenerateNames(N). Its keyspace id for id is the
// midpoint of that range, so a Map built from GenerateNames(N) sends the row
// to shard index id mod N. A negative id is first converted to uint64 as
// two's complement, as Hash does.
//
// Its keyspace ids depend on N. Resharding from N to M shards changes
// id mod N to id mod M for most ids, so most rows move to another shard
// (going from 2 to 3 shards moves about two thirds of them), whereas
// splitting every Hash shard in two moves only half of each shard's keys,
// and only to the shard's new sibling. That is the lesson: use Hash in
// production, Modulo to see why.
//
// A Modulo is built by NewModulo (the zero value maps nothing and returns
// an error wrapping ErrBadParam), is immutable, and is safe for concurrent
// use.
type Modulo struct {
	ksids [][8]byte // ksids[i] is the midpoint of range i of GenerateNames(N)
}

// NewModulo returns a Modulo vindex for n shards. n must be between 1 and
// MaxModuloShards; otherwise the error wraps ErrBadParam.
func NewModulo(n int) (*Modulo, error) {
	if n < 1 || n > MaxModuloShards {
		return nil, fmt.Errorf("%w: modulo needs a shard count from 1 to %d, got %d", ErrBadParam, MaxModuloShards, n)
	}
	names, err := GenerateNames(n)
	if err != nil {
		return nil, fmt.Errorf("name %d modulo shards: %w", n, err)
	}
	m := &Modulo{ksids: make([][8]byte, n)}
	for i, name := range names {
		kr, err := ParseKeyRange(name)
		if err != nil {
			return nil, fmt.Errorf("parse modulo shard %q: %w", name, err)
		}
		binary.BigEndian.PutUint64(m.ksids[i][:], midpoint(kr))
	}
	return m, nil
}

// midpoint returns the keyspace id, as a big-endian uint64, halfway through
// kr. Keeping away from the edges makes the keyspace id land in the right
// shard even if a shard map rounds its boundaries differently.
func midpoint(kr KeyRange) uint64 {
	start := boundUint64(kr.Start)
	last := boundUint64(kr.End) - 1 // the last keyspace id in kr; wraps to max for an open end
	return start + (last-start)/2
}

// boundUint64 reads a range bound, a big-endian prefix of at most 8 bytes
// (longer ones are truncated), as the first 8 bytes of a keyspace id.
func boundUint64(b []byte) uint64 {
	var buf [8]byte
	copy(buf[:], b)
	return binary.BigEndian.Uint64(buf[:])
}

func newModuloParams(params map[string]string) (Vindex, error) {
	if err := checkParams("modulo", params, "shards"); err != nil {
		return nil, err
	}
	s, ok := params["shards"]
	if !ok {
		return nil, fmt.Errorf("%w: vindex modulo needs shards, the number of shards, such as shards: \"4\"", ErrBadParam)
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return nil, fmt.Errorf("%w: vindex modulo: shards %q is not a number", ErrBadParam, s)
	}
	return NewModulo(n)
}

// N returns the number of shards the vindex was built for.
func (m *Modulo) N() int { return len(m.ksids) }

// Name returns "modulo".
func (*Modulo) Name() string { return "modulo" }

// Map returns the keyspace id of v, which lies in shard v mod N of
// GenerateNames(N), or an error wrapping ErrBadKey if v is not an integer
// (see Vindex).
func (m *Modulo) Map(v any) ([]byte, error) {
	if len(m.ksids) == 0 {
		return nil, fmt.Errorf("%w: a zero Modulo has no shards: build it with NewModulo", ErrBadParam)
	}
	k, err := toKey(v)
	if err != nil {
		return nil, err
	}
	ksid := m.ksids[k.u%uint64(len(m.ksids))]
	return ksid[:], nil
}
