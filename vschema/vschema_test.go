package vschema_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/scalelab/scalelab/shard"
	"github.com/scalelab/scalelab/topology"
	"github.com/scalelab/scalelab/vschema"
)

func testTopology(shards []string, tables map[string]topology.Table, main bool) *topology.Topology {
	t := &topology.Topology{Name: "unit", Flavor: "mariadb", Tables: tables}
	for i, name := range shards {
		t.Shards = append(t.Shards, topology.Shard{Name: name, Primary: topology.Addr{HostPort: fmt.Sprintf("127.0.0.1:%d", 1000+i)}})
	}
	if main {
		t.Main = &topology.Addr{HostPort: "127.0.0.1:999"}
	}
	return t
}

// TestLocate checks that a row's shard is the one its vindex and the shard
// map name, computed here from package shard's primitives, for every
// vindex and shard count, and that the modulo vindex takes the shard count
// of the layout it is built for.
func TestLocate(t *testing.T) {
	four := []string{"-40", "40-80", "80-c0", "c0-"}
	two := []string{"-80", "80-"}
	for _, tc := range []struct {
		name   string
		shards []string
		over   []string // nil: the topology's own shards
		vindex string
	}{
		{"hash on 4", four, nil, "hash"},
		{"xxhash on 4", four, nil, "xxhash"},
		{"modulo on 4", four, nil, "modulo"},
		{"hash on 2", two, nil, "hash"},
		{"hash from 2 over 4", two, four, "hash"},
		{"modulo from 2 over 4", two, four, "modulo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			topo := testTopology(tc.shards, map[string]topology.Table{"items": {Column: "id", Vindex: tc.vindex}}, false)
			names := tc.shards
			vs, err := vschema.New(topo)
			if tc.over != nil {
				names = tc.over
				vs, err = vschema.Over(topo, names)
			}
			if err != nil {
				t.Fatal(err)
			}
			var params map[string]string
			if tc.vindex == "modulo" {
				params = map[string]string{"shards": fmt.Sprint(len(names))}
			}
			v, err := shard.NewVindex(tc.vindex, params)
			if err != nil {
				t.Fatal(err)
			}
			m, err := shard.NewMap(names)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[int]bool{}
			for id := uint64(1); id <= 200; id++ {
				ksid, err := v.Map(id)
				if err != nil {
					t.Fatal(err)
				}
				want, _ := m.Shard(ksid)
				got, err := vs.Locate("items", id)
				if err != nil || got != want {
					t.Fatalf("id %d: got shard %d (%v), want %d", id, got, err, want)
				}
				seen[got] = true
			}
			if len(seen) != len(names) {
				t.Errorf("200 ids reached %d of %d shards", len(seen), len(names))
			}
			if got := vs.Shards(); fmt.Sprint(got) != fmt.Sprint(names) {
				t.Errorf("Shards() = %v, want %v", got, names)
			}
		})
	}
}

func TestUnshardedAndSequences(t *testing.T) {
	tables := map[string]topology.Table{"items": {Column: "id", Vindex: "hash"}}
	for _, tc := range []struct {
		name        string
		shards      []string
		tables      map[string]topology.Table
		main        bool
		sharded     bool
		home, where string
	}{
		{"two shards", []string{"-80", "80-"}, tables, false, true, "127.0.0.1:1000", "shard -80's primary"},
		{"a main node", []string{"-80", "80-"}, tables, true, true, "127.0.0.1:999", "the main node 127.0.0.1:999"},
		{"one shard", []string{"0"}, tables, false, false, "127.0.0.1:1000", "shard 0's primary"},
		{"no tables section", []string{"-80", "80-"}, nil, false, false, "127.0.0.1:1000", "shard -80's primary"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vs, err := vschema.New(testTopology(tc.shards, tc.tables, tc.main))
			if err != nil {
				t.Fatal(err)
			}
			if vs.Sharded() != tc.sharded {
				t.Errorf("Sharded() = %v, want %v", vs.Sharded(), tc.sharded)
			}
			if home, where := vs.SequenceHome(); home != tc.home || where != tc.where {
				t.Errorf("SequenceHome() = %q, %q; want %q, %q", home, where, tc.home, tc.where)
			}
			// A table the tables section does not list lives on shard 0.
			if i, err := vs.Locate("other", uint64(12345)); i != 0 || err != nil {
				t.Errorf("unsharded table: shard %d, %v; want 0", i, err)
			}
		})
	}
}

func TestInvalid(t *testing.T) {
	for _, tc := range []struct {
		name   string
		shards []string
		tables map[string]topology.Table
	}{
		{"unknown vindex", []string{"-80", "80-"}, map[string]topology.Table{"items": {Column: "id", Vindex: "md5"}}},
		{"shards leave a gap", []string{"-40", "80-"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := vschema.New(testTopology(tc.shards, tc.tables, false))
			if !errors.Is(err, vschema.ErrInvalid) {
				t.Errorf("got %v, want ErrInvalid", err)
			}
		})
	}
}

func TestGroupAndBadKey(t *testing.T) {
	vs, err := vschema.New(testTopology([]string{"-80", "80-"}, map[string]topology.Table{"items": {Column: "id", Vindex: "hash"}}, false))
	if err != nil {
		t.Fatal(err)
	}
	tb, ok := vs.Table("items")
	if !ok || tb.Column != "id" || tb.Name != "items" {
		t.Fatalf("Table(items) = %+v, %v", tb, ok)
	}
	keys := []any{uint64(1), uint64(2), uint64(3), uint64(4), uint64(5), uint64(6)}
	groups, err := vs.Group(tb, keys)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i, pos := range groups {
		for _, p := range pos {
			want, _ := vs.ShardOf(tb, keys[p])
			if want != i {
				t.Errorf("key %v grouped on shard %d, ShardOf says %d", keys[p], i, want)
			}
			n++
		}
	}
	if n != len(keys) {
		t.Errorf("groups hold %d keys, want %d", n, len(keys))
	}
	if _, err := vs.ShardOf(tb, "not a number"); !errors.Is(err, shard.ErrBadKey) {
		t.Errorf("ShardOf(text) = %v, want ErrBadKey", err)
	}
}
