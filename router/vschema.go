package router

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/topology"
	"github.com/scalelab/scalelab/vschema"
	"vitess.io/vitess/go/vt/sqlparser"
)

// tableRule is how one sharded table is split: by which column, through
// which vindex.
type tableRule = vschema.Table

// routing is the router's view of the routing schema, built from the
// topology by package vschema, and replaced when Follow sees tables move
// between keyspaces.
type routing struct {
	p atomic.Pointer[vschema.Schema]
	// sets are the shards' replica sets, which the schema's shard indexes
	// name; a reshard replaces them with the schema.
	sets atomic.Pointer[[]*replica.Set]
	// version is even while the schema stands and odd while Follow
	// replaces it: a plan made across a replacement is made again (a
	// seqlock), so that no plan mixes the old schema with the new.
	version atomic.Uint64
}

// replace installs a new routing schema and, unless nil, new shard sets.
func (vs *routing) replace(s *vschema.Schema, sets []*replica.Set) {
	vs.version.Add(1)
	vs.p.Store(s)
	if sets != nil {
		vs.sets.Store(&sets)
	}
	vs.version.Add(1)
}

// invalidate makes every plan made so far be made again, as a
// replacement does, when something a plan depends on outside the schema
// changed (see keyColumns).
func (vs *routing) invalidate() { vs.version.Add(2) }

// snapshot is the schema and the sets now, from one replacement.
func (vs *routing) snapshot() (s *vschema.Schema, sets []*replica.Set) {
	vs.consistent(func() { s, sets = vs.p.Load(), *vs.sets.Load() })
	return s, sets
}

// curSets are the shards' replica sets now, in topology order.
func (vs *routing) curSets() []*replica.Set { return *vs.sets.Load() }

// stable runs plan until no replacement of the schema overlapped it.
func (vs *routing) stable(plan func() (*plan, error)) (p *plan, err error) {
	vs.consistent(func() { p, err = plan() })
	return p, err
}

// consistent runs read until no replacement of the schema overlapped it.
func (vs *routing) consistent(read func()) {
	for {
		v := vs.version.Load()
		if v%2 == 1 {
			runtime.Gosched()
			continue
		}
		read()
		if vs.version.Load() == v {
			return
		}
	}
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
// the keyspace of every table it names (a table no keyspaces section
// lists is the first keyspace's). A statement naming tables of two
// keyspaces is refused, naming both, as Vitess refuses a join across
// keyspaces: no server holds both tables.
func (vs *routing) statementHome(tables []string) (int, error) {
	cur := vs.cur()
	if !cur.Keyspaced() {
		return 0, nil
	}
	first := ""
	for _, t := range tables {
		switch {
		case first == "":
			first = t
		case cur.Keyspace(t) != cur.Keyspace(first):
			return 0, crossKeyspace(first, t, cur.Keyspace(first), cur.Keyspace(t))
		}
	}
	return cur.Home(first), nil
}

// keyspaceTables are the tables whose keyspace decides where st runs:
// every table it names, but for its CTEs' names, other schemas' tables
// and DUAL. The parser cannot read an unparsed statement: for one, the
// words of its text that name a table a keyspaces section lists.
func (r *Router) keyspaceTables(st *Statement) []string {
	if !r.vs.cur().Keyspaced() {
		return nil
	}
	if st.AST == nil {
		var out []string
		for _, w := range words(st.Text) {
			if _, listed := r.vs.cur().Listed(w); listed && !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
		return out
	}
	// st.Tables drops qualifiers: the walk finds the CTEs' names and the
	// names that appear only qualified by another schema.
	db := r.Topology().DatabaseName()
	names, ctes := tableNames(st.AST)
	other, ours := map[string]bool{}, map[string]bool{}
	for _, x := range names {
		name := strings.ToLower(x.Name.String())
		if !x.Qualifier.IsEmpty() && !strings.EqualFold(x.Qualifier.String(), db) {
			other[name] = true
		} else {
			ours[name] = true
		}
	}
	var out []string
	for _, t := range st.Tables {
		if !ctes[t] && t != "dual" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return slices.DeleteFunc(out, func(t string) bool { return other[t] && !ours[t] })
}

// tableNames are the tables ast names, as written (qualified or not), and
// the names its CTEs define, lower-cased.
func tableNames(ast sqlparser.Statement) (names []sqlparser.TableName, ctes map[string]bool) {
	ctes = map[string]bool{}
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch x := n.(type) {
		case *sqlparser.CommonTableExpr:
			ctes[strings.ToLower(x.ID.String())] = true
		case sqlparser.TableName:
			if !x.Name.IsEmpty() {
				names = append(names, x)
			}
		}
		return true, nil
	}, ast)
	return names, ctes
}

// words are the identifiers of a text, lower-cased, for statements the
// parser does not read.
func words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(c rune) bool {
		return !(c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c > 127)
	})
}

// ErrCrossKeyspace is wrapped by every refusal of a statement or a
// transaction's write that spans two keyspaces (with ErrUnsupported or
// ErrCrossShardTx).
var ErrCrossKeyspace = errors.New("spans keyspaces")

func crossKeyspace(t1, t2, ks1, ks2 string) error {
	return fmt.Errorf("%w: a statement that %w %s (table %s) and %s (table %s): no server holds both; query each keyspace on its own and combine the rows in the application, or move one table with scalelab movetables",
		ErrUnsupported, ErrCrossKeyspace, ks1, t1, ks2, t2)
}
