package router

import (
	"fmt"

	"github.com/scalelab/scalelab/topology"
	"github.com/scalelab/scalelab/vschema"
)

// tableRule is how one sharded table is split: by which column, through
// which vindex.
type tableRule = vschema.Table

// routing is the router's view of the routing schema, built once from the
// topology by package vschema.
type routing struct{ s *vschema.Schema }

func newRouting(t *topology.Topology) (routing, error) {
	s, err := vschema.New(t)
	if err != nil {
		return routing{}, fmt.Errorf("router: %w", err)
	}
	return routing{s: s}, nil
}

// rule returns the sharding rule of a table, if it is sharded.
func (vs routing) rule(table string) (tableRule, bool) { return vs.s.Table(table) }

// shardOf maps one shard-key value to its shard index.
func (vs routing) shardOf(r tableRule, v any) (int, error) {
	i, err := vs.s.ShardOf(r, v)
	if err != nil {
		return 0, fmt.Errorf("router: %w", err)
	}
	return i, nil
}

// sharded reports whether the topology shards any table across more than
// one shard.
func (vs routing) sharded() bool { return vs.s.Sharded() }

// shards is the number of shards.
func (vs routing) shards() int { return len(vs.s.Shards()) }
