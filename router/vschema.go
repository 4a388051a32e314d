package router

import (
	"errors"
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

// home is the shard of an unsharded table: its keyspace's first.
func (vs routing) home(table string) int { return vs.s.Home(table) }

// keyspaceShards are the shards a scatter over table runs on: its
// keyspace's.
func (vs routing) keyspaceShards(table string) []int { return vs.s.KeyspaceShards(table) }

// listed reports whether a keyspaces section names table.
func (vs routing) listed(table string) bool {
	_, ok := vs.s.Listed(table)
	return ok
}

// statementHome is the first shard of the keyspace a statement runs in:
// the keyspace of the tables it names that a keyspaces section lists (a
// name no section lists, such as a CTE's or another schema's table,
// follows them), else the first keyspace. A statement whose listed tables
// are in two keyspaces is refused, naming both, as Vitess refuses a join
// across keyspaces: no server holds both tables.
func (vs routing) statementHome(tables []string) (int, error) {
	if !vs.s.Keyspaced() {
		return 0, nil
	}
	first := ""
	for _, t := range tables {
		if !vs.listed(t) {
			continue
		}
		switch {
		case first == "":
			first = t
		case vs.s.Keyspace(t) != vs.s.Keyspace(first):
			return 0, crossKeyspace(first, t, vs.s.Keyspace(first), vs.s.Keyspace(t))
		}
	}
	return vs.s.Home(first), nil
}

// ErrCrossKeyspace is wrapped by every refusal of a statement or a
// transaction's write that spans two keyspaces (with ErrUnsupported or
// ErrCrossShardTx).
var ErrCrossKeyspace = errors.New("spans keyspaces")

func crossKeyspace(t1, t2, ks1, ks2 string) error {
	return fmt.Errorf("%w: a statement that %w %s (table %s) and %s (table %s): no server holds both; query each keyspace on its own and combine the rows in the application, or move one table with scalelab movetables",
		ErrUnsupported, ErrCrossKeyspace, ks1, t1, ks2, t2)
}
