package shard

import (
	"errors"
	"fmt"
	"math/big"
	"slices"
)

// ErrBadReshard is wrapped by errors of PlanReshard and SplitName.
var ErrBadReshard = errors.New("shard: bad reshard")

// ReshardPlan says how a keyspace moves from one set of shards to another.
// Reuse[i] is the index of the old shard whose servers keep serving new
// shard i (its rows that stay need not move), or -1 when new shard i gets
// new servers. Every old shard is reused by exactly one new shard.
type ReshardPlan struct {
	From  []string
	To    []string
	Reuse []int
}

// PlanReshard plans a move from the shards named from to the shards named
// to. Both must partition the keyspace, and to must have more shards.
// Each old shard's servers go to the new shard that overlaps its key range
// most, so for hash splits the rows in the first half of every range stay
// where they are; for modulo, where keyspace ids depend on the shard
// count, most rows move whatever the choice. That contrast is the lesson.
func PlanReshard(from, to []string) (*ReshardPlan, error) {
	if len(to) <= len(from) {
		return nil, fmt.Errorf("%w: from %d to %d shards: scalelab only splits (merging shards is not supported)", ErrBadReshard, len(from), len(to))
	}
	oldR, err := parseAll(from)
	if err != nil {
		return nil, err
	}
	newR, err := parseAll(to)
	if err != nil {
		return nil, err
	}
	p := &ReshardPlan{From: slices.Clone(from), To: slices.Clone(to), Reuse: make([]int, len(to))}
	for i := range p.Reuse {
		p.Reuse[i] = -1
	}
	for j, o := range oldR {
		best, bestOverlap := -1, new(big.Int)
		for i, n := range newR {
			if p.Reuse[i] >= 0 {
				continue
			}
			if ov := overlap(o, n); ov.Cmp(bestOverlap) > 0 {
				best, bestOverlap = i, ov
			}
		}
		if best < 0 {
			// No free new shard overlaps it: take the first free one.
			for i := range p.Reuse {
				if p.Reuse[i] < 0 {
					best = i
					break
				}
			}
		}
		p.Reuse[best] = j
	}
	return p, nil
}

func parseAll(names []string) ([]KeyRange, error) {
	out := make([]KeyRange, len(names))
	for i, n := range names {
		kr, err := ParseKeyRange(n)
		if err != nil {
			return nil, err
		}
		out[i] = kr
	}
	if err := CheckPartition(names, out); err != nil {
		return nil, err
	}
	return out, nil
}

// bound turns a key-range bound into a number in [0, 2^64]; empty end
// means 2^64.
func bound(b []byte, isEnd bool) *big.Int {
	if len(b) == 0 {
		if isEnd {
			return new(big.Int).Lsh(big.NewInt(1), 64)
		}
		return new(big.Int)
	}
	var buf [8]byte
	copy(buf[:], b)
	return new(big.Int).SetBytes(buf[:])
}

func overlap(a, b KeyRange) *big.Int {
	lo := bound(a.Start, false)
	if s := bound(b.Start, false); s.Cmp(lo) > 0 {
		lo = s
	}
	hi := bound(a.End, true)
	if e := bound(b.End, true); e.Cmp(hi) < 0 {
		hi = e
	}
	d := new(big.Int).Sub(hi, lo)
	if d.Sign() < 0 {
		return new(big.Int)
	}
	return d
}

// SplitName returns names with the range called target replaced by its two
// halves, as Vitess names them: splitting 80- gives 80-c0 and c0-.
func SplitName(names []string, target string) ([]string, error) {
	i := slices.Index(names, target)
	if i < 0 {
		return nil, fmt.Errorf("%w: no shard %q (shards are %v)", ErrBadReshard, target, names)
	}
	kr, err := ParseKeyRange(target)
	if err != nil {
		return nil, err
	}
	lo, hi := bound(kr.Start, false), bound(kr.End, true)
	mid := new(big.Int).Rsh(new(big.Int).Add(lo, hi), 1)
	// Name the midpoint with as few bytes as keep it exact.
	var buf [8]byte
	mid.FillBytes(buf[:])
	n := 8
	for n > 1 && buf[n-1] == 0 {
		n--
	}
	midName := fmt.Sprintf("%x", buf[:n])
	start, end := fmt.Sprintf("%x", kr.Start), fmt.Sprintf("%x", kr.End)
	if mid.Cmp(lo) <= 0 || mid.Cmp(hi) >= 0 {
		return nil, fmt.Errorf("%w: %s is too small to split", ErrBadReshard, target)
	}
	out := slices.Clone(names[:i])
	out = append(out, start+"-"+midName, midName+"-"+end)
	return append(out, names[i+1:]...), nil
}

// AssignByRows improves a plan's Reuse from real data: stay[j][i] is how
// many rows of old shard j belong to new shard i. It gives each old shard's
// servers to the new shard that keeps the most of its rows in place,
// largest first, so the fewest rows move. With no rows it keeps the
// key-range plan. For hash vindexes the two agree; for modulo, whose rows
// do not follow key ranges, only the data can tell.
//
// One assignment is fixed: the first shard's servers stay the first
// shard's. Unsharded tables live on the first shard (and so do the id
// sequences when there is no main node); a new server there would lack
// them. Both first shards start at keyspace id 0, so they always overlap.
func (p *ReshardPlan) AssignByRows(stay [][]int64) {
	type cell struct {
		j, i int
		n    int64
	}
	var cells []cell
	var total int64
	for j, row := range stay {
		for i, n := range row {
			cells = append(cells, cell{j, i, n})
			total += n
		}
	}
	if total == 0 {
		return
	}
	slices.SortStableFunc(cells, func(a, b cell) int {
		switch {
		case a.n > b.n:
			return -1
		case a.n < b.n:
			return 1
		}
		return 0
	})
	reuse := make([]int, len(p.To))
	for i := range reuse {
		reuse[i] = -1
	}
	placed := make([]bool, len(p.From))
	if len(reuse) > 0 && len(placed) > 0 {
		reuse[0], placed[0] = 0, true
	}
	for _, c := range cells {
		if placed[c.j] || reuse[c.i] >= 0 {
			continue
		}
		reuse[c.i], placed[c.j] = c.j, true
	}
	p.Reuse = reuse
}
