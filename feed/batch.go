package feed

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"

	"github.com/graph-gophers/dataloader/v7"
	"github.com/scalelab/scalelab/vschema"
)

// anyShard labels the one group of keys of a table that the loader cannot
// split by shard; the router then picks the shards.
const anyShard = "*"

// split is how a loader's keys are spread over the shards: through the
// routing schema, exactly as the router maps them, so that each group's IN
// list plans as a single-shard statement.
type split struct {
	table  string
	vs     *vschema.Schema
	tb     vschema.Table
	sorted bool   // false: every key goes in one group, on shard whole
	whole  string // the shard name of that one group
}

// newSplit returns the split of table's keys on column. A table that the
// routing schema does not shard lives on its keyspace's first shard; a table sharded
// by another column cannot be split by these keys. Either way every key
// goes in one group and the router routes the statement.
func newSplit(vs *vschema.Schema, table, column string) split {
	s := split{table: table, vs: vs, whole: anyShard}
	tb, ok := vs.Table(table)
	if !ok || len(vs.KeyspaceShards(table)) < 2 {
		s.whole = vs.Shards()[vs.Home(table)]
		return s
	}
	if tb.Column == column {
		s.tb, s.sorted = tb, true
	}
	return s
}

// group is one shard's part of a batch.
type group struct {
	shard string
	pos   []int // positions in the batch's keys
	keys  []uint64
}

// groups splits keys by shard, ordered by each group's first key.
func (s split) groups(keys []uint64) ([]group, error) {
	if !s.sorted {
		g := group{shard: s.whole, keys: keys, pos: make([]int, len(keys))}
		for i := range keys {
			g.pos[i] = i
		}
		return []group{g}, nil
	}
	anys := make([]any, len(keys))
	for i, k := range keys {
		anys[i] = k
	}
	byShard, err := s.vs.Group(s.tb, anys)
	if err != nil {
		return nil, err
	}
	out := make([]group, 0, len(byShard))
	for i, pos := range byShard {
		g := group{shard: s.vs.Shards()[i], pos: pos, keys: make([]uint64, len(pos))}
		for n, p := range pos {
			g.keys[n] = keys[p]
		}
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b group) int { return a.pos[0] - b.pos[0] })
	return out, nil
}

// fetchFunc runs one statement for keys and returns the values it found, by
// key. The keys of one call live on one shard.
type fetchFunc[V any] func(ctx context.Context, keys []uint64) (map[uint64]V, error)

// batchFunc is the dataloader batch function of one table: it splits the
// keys by shard, runs fetch once per shard, all shards at once, and returns
// a result per key in the keys' order. A key fetch did not find gets
// missing(key). A shard whose fetch fails (or panics) gives its own keys a
// *ShardError, and forget drops them from the loader's cache before the
// batch answers, so that a later Load retries: the loader's own way, a
// SkipCacheError, drops a key only when its thunk is read, and a Load whose
// caller had given up (its context cancelled) left the error cached for
// every later Load of the key.
func batchFunc[V any](s split, fetch fetchFunc[V], missing func(key uint64) *dataloader.Result[V], forget func(ctx context.Context, key uint64)) dataloader.BatchFunc[uint64, V] {
	return func(ctx context.Context, keys []uint64) []*dataloader.Result[V] {
		out := make([]*dataloader.Result[V], len(keys))
		if len(keys) == 0 {
			return out
		}
		groups, err := s.groups(keys)
		if err != nil {
			for i := range out {
				out[i] = &dataloader.Result[V]{Error: err}
			}
			return out
		}
		// Each group writes only its own positions of out.
		run := func(g group) {
			found, err := fetchGroup(ctx, fetch, g)
			if err != nil {
				err = &ShardError{Table: s.table, Shard: g.shard, Keys: len(g.keys), Err: err}
			}
			for n, p := range g.pos {
				switch v, ok := found[g.keys[n]]; {
				case err != nil:
					out[p] = &dataloader.Result[V]{Error: err}
					forget(ctx, g.keys[n])
				case ok:
					out[p] = &dataloader.Result[V]{Data: v}
				default:
					out[p] = missing(g.keys[n])
				}
			}
		}
		// The first shard runs on this goroutine: one handoff fewer, which
		// shows on a busy machine.
		var wg sync.WaitGroup
		for _, g := range groups[1:] {
			wg.Go(func() { run(g) })
		}
		run(groups[0])
		wg.Wait()
		return out
	}
}

// errFetchPanic is a shard's fetch that panicked: its keys fail, and the
// other shards' keys get their rows, where the panic on a goroutine of
// the batch ended the whole process (every request of a server).
var errFetchPanic = errors.New("feed: the fetch panicked (a bug)")

// fetchGroup runs fetch for g's keys, a panic returned as an error.
func fetchGroup[V any](ctx context.Context, fetch fetchFunc[V], g group) (found map[uint64]V, err error) {
	defer func() {
		if p := recover(); p != nil {
			found, err = nil, fmt.Errorf("%w: %v\n%s", errFetchPanic, p, debug.Stack())
		}
	}()
	return fetch(ctx, g.keys)
}
