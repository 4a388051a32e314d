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
// vindex.
type Table struct {
	Name   string
	Column string
	Vindex shard.Vindex
}

// Schema is where every row of one topology lives.
type Schema struct {
	names  []string
	smap   *shard.Map
	tables map[string]Table
	// seqHome is the address of the node that holds the sequences, and
	// seqDesc says which node it is, for route plans.
	seqHome, seqDesc string
}

// New builds the routing schema of t: t's shards, and t's tables section.
// A table the section does not list is unsharded: it lives on the first
// shard.
func New(t *topology.Topology) (*Schema, error) {
	return Over(t, t.ShardNames())
}

// Over builds the routing schema of t's tables over other shards, named
// names: where the rows would live after resharding to them. Only the
// modulo vindex depends on the shard count.
func Over(t *topology.Topology, names []string) (*Schema, error) {
	smap, err := shard.NewMap(names)
	if err != nil {
		return nil, fmt.Errorf("%w: topology %s: shard map: %w", ErrInvalid, t.Name, err)
	}
	s := &Schema{names: names, smap: smap, tables: map[string]Table{}}
	for name, tb := range t.Tables {
		v, err := NewVindex(tb.Vindex, len(names))
		if err != nil {
			return nil, fmt.Errorf("%w: topology %s: table %s: %w", ErrInvalid, t.Name, name, err)
		}
		s.tables[name] = Table{Name: name, Column: tb.Column, Vindex: v}
	}
	switch {
	case t.Main != nil:
		s.seqHome, s.seqDesc = t.Main.HostPort, "the main node "+t.Main.HostPort
	case len(t.Shards) > 0:
		s.seqHome, s.seqDesc = t.Shards[0].Primary.HostPort, "shard "+t.Shards[0].Name+"'s primary"
	}
	return s, nil
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

// Shards returns the shard names, in key-range order; a shard's index in
// it is the index ShardOf returns.
func (s *Schema) Shards() []string { return s.names }

// Table returns the sharding of a table, if it is sharded.
func (s *Schema) Table(name string) (Table, bool) {
	tb, ok := s.tables[name]
	return tb, ok
}

// Sharded reports whether rows are split at all: more than one shard and
// at least one sharded table.
func (s *Schema) Sharded() bool { return s.smap.Len() > 1 && len(s.tables) > 0 }

// ShardOf maps one value of tb's key column to the index of its shard.
func (s *Schema) ShardOf(tb Table, key any) (int, error) {
	ksid, err := tb.Vindex.Map(key)
	if err != nil {
		return 0, fmt.Errorf("%s.%s = %v: %w", tb.Name, tb.Column, key, err)
	}
	i, _ := s.smap.Shard(ksid)
	return i, nil
}

// Locate returns the index of the shard that holds the row of table whose
// key column is key. A table that is not sharded lives on shard 0.
func (s *Schema) Locate(table string, key any) (int, error) {
	tb, ok := s.tables[table]
	if !ok {
		return 0, nil
	}
	return s.ShardOf(tb, key)
}

// Group maps keys of tb's key column to their shards and groups the keys'
// positions by shard index, each group in ascending order; shards with no
// keys are absent.
func (s *Schema) Group(tb Table, keys []any) (map[int][]int, error) {
	g, err := s.smap.Group(tb.Vindex, keys)
	if err != nil {
		return nil, fmt.Errorf("%s.%s: %w", tb.Name, tb.Column, err)
	}
	return g, nil
}

// SequenceHome is the address of the node that holds the id sequences: the
// topology's main node, or the first shard's primary when it has none, and
// a description of it for route plans.
func (s *Schema) SequenceHome() (addr, desc string) { return s.seqHome, s.seqDesc }
