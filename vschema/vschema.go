// Package vschema is scalelab's routing schema, as Vitess calls it: built
// once from a topology, it says where every row lives. It holds the shard
// map (which key range each shard owns), each sharded table's key column and
// vindex (how a key becomes a keyspace id), and the node that holds the id
// sequences. The router, the bulk loader, the dataloader feeds and the
// resharding workflow all ask it; no other package builds a vindex or a
// shard map. It does no I/O.
//
//	vs, err := vschema.New(topo)
//	if err != nil { ... }
//	if tb, ok := vs.Table("images"); ok {
//		i, err := vs.ShardOf(tb, uint64(42)) // index into vs.Shards()
//	}
package vschema

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/scalelab/scalelab/shard"
	"github.com/scalelab/scalelab/topology"
)

// ErrInvalid is returned (wrapped) by New when the topology's shards or
// tables section cannot be turned into a routing schema.
var ErrInvalid = errors.New("vschema: invalid routing schema")

// Table is how one sharded table is split: by which column, through which
// vindex, over the shards of which keyspace.
type Table struct {
	Name   string
	Column string
	Vindex shard.Vindex
	// Keyspace is the table's keyspace, "" in a topology of one.
	Keyspace string

	ks *keyspace
}

// keyspace is one keyspace's shards: their indexes among all the
// topology's shards, and the map of their key ranges (whose index i is
// shards[i]).
type keyspace struct {
	name   string
	shards []int
	smap   *shard.Map
	// sharded says whether any of its tables is split by a key.
	sharded bool
}

// Schema is where every row of one topology lives.
type Schema struct {
	names  []string
	spaces []*keyspace
	tables map[string]Table
	// homes maps every table a keyspaces section lists to its keyspace;
	// tables it does not list live in the first keyspace.
	homes map[string]*keyspace
	// seqHome is the address of the node that holds the sequences, and
	// seqDesc says which node it is, for route plans.
	seqHome, seqDesc string
}

// New builds the routing schema of t: t's shards, and t's tables (the
// tables section, or each keyspace's). A table no section lists is
// unsharded: it lives on the first shard of the first keyspace.
func New(t *topology.Topology) (*Schema, error) {
	if len(t.Keyspaces) == 0 {
		return Over(t, t.ShardNames())
	}
	s := &Schema{names: t.ShardNames(), tables: map[string]Table{}, homes: map[string]*keyspace{}}
	for _, k := range t.Keyspaces {
		idx := t.KeyspaceShards(k.Name)
		ranges := make([]string, len(idx))
		for j, i := range idx {
			_, ranges[j] = topology.SplitShard(t.Shards[i].Name)
		}
		ks, err := newKeyspace(t, k.Name, idx, ranges)
		if err != nil {
			return nil, err
		}
		s.spaces = append(s.spaces, ks)
		for name, tb := range k.Tables {
			s.homes[name] = ks
			// On a keyspace's one shard a table's key picks nothing: it
			// routes as unsharded (its rule stays in the topology, for when
			// the keyspace is split).
			if tb.Sharded() && len(idx) > 1 {
				if err := s.addTable(t, ks, name, tb); err != nil {
					return nil, err
				}
			}
		}
	}
	s.sequences(t)
	return s, nil
}

// Over builds the routing schema of t's tables over other shards, named
// names: where the rows would live after resharding to them. Only the
// modulo vindex depends on the shard count. t has one keyspace.
func Over(t *topology.Topology, names []string) (*Schema, error) {
	if len(t.Keyspaces) > 0 {
		return nil, fmt.Errorf("%w: topology %s: new shards for a topology of keyspaces %v: name the keyspace", ErrInvalid, t.Name, t.KeyspaceNames())
	}
	idx := make([]int, len(names))
	for i := range idx {
		idx[i] = i
	}
	ks, err := newKeyspace(t, "", idx, names)
	if err != nil {
		return nil, err
	}
	s := &Schema{names: names, spaces: []*keyspace{ks}, tables: map[string]Table{}, homes: map[string]*keyspace{}}
	for name, tb := range t.Tables {
		if err := s.addTable(t, ks, name, tb); err != nil {
			return nil, err
		}
	}
	s.sequences(t)
	return s, nil
}

func newKeyspace(t *topology.Topology, name string, idx []int, ranges []string) (*keyspace, error) {
	smap, err := shard.NewMap(ranges)
	if err != nil {
		return nil, fmt.Errorf("%w: topology %s: shard map: %w", ErrInvalid, t.Name, err)
	}
	return &keyspace{name: name, shards: idx, smap: smap}, nil
}

func (s *Schema) addTable(t *topology.Topology, ks *keyspace, name string, tb topology.Table) error {
	v, err := NewVindex(tb.Vindex, len(ks.shards))
	if err != nil {
		return fmt.Errorf("%w: topology %s: table %s: %w", ErrInvalid, t.Name, name, err)
	}
	s.tables[name] = Table{Name: name, Column: tb.Column, Vindex: v, Keyspace: ks.name, ks: ks}
	s.homes[name] = ks
	ks.sharded = true
	return nil
}

func (s *Schema) sequences(t *topology.Topology) {
	switch {
	case t.Main != nil:
		s.seqHome, s.seqDesc = t.Main.HostPort, "the main node "+t.Main.HostPort
	case len(t.Shards) > 0:
		s.seqHome, s.seqDesc = t.Shards[0].Primary.HostPort, "shard "+t.Shards[0].Name+"'s primary"
	}
}

// NewVindex returns the vindex named name for a keyspace of shards shards.
// The topology file has no vindex parameters: the only one any vindex
// takes is modulo's shard count, which is the topology's.
func NewVindex(name string, shards int) (shard.Vindex, error) {
	var params map[string]string
	if name == "modulo" {
		params = map[string]string{"shards": strconv.Itoa(shards)}
	}
	return shard.NewVindex(name, params)
}

// Shards returns the shard names: every keyspace's, in the topology's
// order. A shard's index in it is the index ShardOf returns.
func (s *Schema) Shards() []string { return s.names }

// Table returns the sharding of a table, if it is sharded.
func (s *Schema) Table(name string) (Table, bool) {
	tb, ok := s.tables[name]
	return tb, ok
}

// Sharded reports whether rows are split at all: some keyspace has more
// than one shard and a sharded table.
func (s *Schema) Sharded() bool {
	for _, ks := range s.spaces {
		if ks.smap.Len() > 1 && ks.sharded {
			return true
		}
	}
	return false
}

// Keyspaced reports whether the topology has several keyspaces.
func (s *Schema) Keyspaced() bool { return len(s.spaces) > 1 }

func (s *Schema) space(table string) *keyspace {
	if ks, ok := s.homes[table]; ok {
		return ks
	}
	return s.spaces[0]
}

// Listed returns the keyspace of a table that a keyspaces section lists.
func (s *Schema) Listed(table string) (string, bool) {
	ks, ok := s.homes[table]
	if !ok {
		return "", false
	}
	return ks.name, true
}

// Keyspace is the keyspace of table: the one that lists it, else the
// first ("" in a topology of one keyspace).
func (s *Schema) Keyspace(table string) string { return s.space(table).name }

// Home is the index of the shard that holds an unsharded table: its
// keyspace's first. Statements that name no table run there too (the
// first keyspace's).
func (s *Schema) Home(table string) int { return s.space(table).shards[0] }

// KeyspaceShards returns the indexes of the shards of table's keyspace, in
// the topology's order: where a scatter over the table runs.
func (s *Schema) KeyspaceShards(table string) []int { return s.space(table).shards }

// ShardOf maps one value of tb's key column to the index of its shard.
func (s *Schema) ShardOf(tb Table, key any) (int, error) {
	ksid, err := tb.Vindex.Map(key)
	if err != nil {
		return 0, fmt.Errorf("%s.%s = %v: %w", tb.Name, tb.Column, key, err)
	}
	i, _ := tb.ks.smap.Shard(ksid)
	return tb.ks.shards[i], nil
}

// Locate returns the index of the shard that holds the row of table whose
// key column is key. A table that is not sharded lives on its home shard.
func (s *Schema) Locate(table string, key any) (int, error) {
	tb, ok := s.tables[table]
	if !ok {
		return s.Home(table), nil
	}
	return s.ShardOf(tb, key)
}

// Group maps keys of tb's key column to their shards and groups the keys'
// positions by shard index, each group in ascending order; shards with no
// keys are absent.
func (s *Schema) Group(tb Table, keys []any) (map[int][]int, error) {
	g, err := tb.ks.smap.Group(tb.Vindex, keys)
	if err != nil {
		return nil, fmt.Errorf("%s.%s: %w", tb.Name, tb.Column, err)
	}
	out := make(map[int][]int, len(g))
	for i, pos := range g {
		out[tb.ks.shards[i]] = pos
	}
	return out, nil
}

// SequenceHome is the address of the node that holds the id sequences: the
// topology's main node, or the first shard's primary when it has none, and
// a description of it for route plans.
func (s *Schema) SequenceHome() (addr, desc string) { return s.seqHome, s.seqDesc }
