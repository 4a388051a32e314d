package router

import (
	"fmt"
	"strconv"

	"github.com/scalelab/scalelab/shard"
	"github.com/scalelab/scalelab/topology"
)

// tableRule is how one sharded table is split: by which column, through
// which vindex.
type tableRule struct {
	Table  string
	Column string
	Vindex shard.Vindex
}

// vschema is the router's view of the topology's tables section (Vitess
// calls it the VSchema): which tables are sharded and where each keyspace
// id lives.
type vschema struct {
	smap   *shard.Map
	tables map[string]tableRule
}

func newVSchema(t *topology.Topology) (*vschema, error) {
	smap, err := shard.NewMap(t.ShardNames())
	if err != nil {
		return nil, fmt.Errorf("router: shard map: %w", err)
	}
	vs := &vschema{smap: smap, tables: map[string]tableRule{}}
	for name, tb := range t.Tables {
		var params map[string]string
		if tb.Vindex == "modulo" {
			// Modulo maps id mod N to the N shards; N is the shard count.
			params = map[string]string{"shards": strconv.Itoa(len(t.Shards))}
		}
		v, err := shard.NewVindex(tb.Vindex, params)
		if err != nil {
			return nil, fmt.Errorf("router: table %s: %w", name, err)
		}
		vs.tables[name] = tableRule{Table: name, Column: tb.Column, Vindex: v}
	}
	return vs, nil
}

// rule returns the sharding rule of a table, if it is sharded.
func (vs *vschema) rule(table string) (tableRule, bool) {
	r, ok := vs.tables[table]
	return r, ok
}

// shardOf maps one shard-key value to its shard index.
func (vs *vschema) shardOf(r tableRule, v any) (int, error) {
	ksid, err := r.Vindex.Map(v)
	if err != nil {
		return 0, fmt.Errorf("router: %s.%s = %v: %w", r.Table, r.Column, v, err)
	}
	i, _ := vs.smap.Shard(ksid)
	return i, nil
}

// sharded reports whether the topology shards any table across more than
// one shard.
func (vs *vschema) sharded() bool { return vs.smap.Len() > 1 && len(vs.tables) > 0 }
