package router

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/scalelab/scalelab/topology"
	"github.com/scalelab/scalelab/vschema"
)

// tableRule is how one sharded table is split: by which column, through
// which vindex.
type tableRule = vschema.Table

// routing is the router's view of the routing schema, built from the
// topology by package vschema, and replaced when Follow sees tables move
// between keyspaces.
type routing struct {
	p atomic.Pointer[vschema.Schema]
}

func newSchema(t *topology.Topology) (*vschema.Schema, error) {
	s, err := vschema.New(t)
	if err != nil {
		return nil, fmt.Errorf("router: %w", err)
	}
	return s, nil
}

// cur is the routing schema now.
func (vs *routing) cur() *vschema.Schema { return vs.p.Load() }

// rule returns the sharding rule of a table, if it is sharded.
func (vs *routing) rule(table string) (tableRule, bool) { return vs.cur().Table(table) }

// shardOf maps one shard-key value to its shard index.
func (vs *routing) shardOf(r tableRule, v any) (int, error) {
	i, err := vs.cur().ShardOf(r, v)
	if err != nil {
		return 0, fmt.Errorf("router: %w", err)
	}
	return i, nil
}

// sharded reports whether the topology shards any table across more than
// one shard.
func (vs *routing) sharded() bool { return vs.cur().Sharded() }

// home is the shard of an unsharded table: its keyspace's first.
func (vs *routing) home(table string) int { return vs.cur().Home(table) }

// keyspaceShards are the shards a scatter over table runs on: its
// keyspace's.
func (vs *routing) keyspaceShards(table string) []int { return vs.cur().KeyspaceShards(table) }

// statementHome is the first shard of the keyspace a statement runs in:
// the keyspace of the tables it names that a keyspaces section lists (a
// name no section lists, such as a CTE's or another schema's table,
// follows them), else the first keyspace. A statement whose listed tables
// are in two keyspaces is refused, naming both, as Vitess refuses a join
// across keyspaces: no server holds both tables.
func (vs *routing) statementHome(tables []string) (int, error) {
	cur := vs.cur()
	if !cur.Keyspaced() {
		return 0, nil
	}
	first := ""
	for _, t := range tables {
		if _, ok := cur.Listed(t); !ok {
			continue
		}
		switch {
		case first == "":
			first = t
		case cur.Keyspace(t) != cur.Keyspace(first):
			return 0, crossKeyspace(first, t, cur.Keyspace(first), cur.Keyspace(t))
		}
	}
	return cur.Home(first), nil
}

// ErrCrossKeyspace is wrapped by every refusal of a statement or a
// transaction's write that spans two keyspaces (with ErrUnsupported or
// ErrCrossShardTx).
var ErrCrossKeyspace = errors.New("spans keyspaces")

func crossKeyspace(t1, t2, ks1, ks2 string) error {
	return fmt.Errorf("%w: a statement that %w %s (table %s) and %s (table %s): no server holds both; query each keyspace on its own and combine the rows in the application, or move one table with scalelab movetables",
		ErrUnsupported, ErrCrossKeyspace, ks1, t1, ks2, t2)
}
