package topology

import (
	"slices"
	"sort"
	"strings"

	"github.com/scalelab/scalelab/shard"
	"go.yaml.in/yaml/v3"
)

// Keyspace is one keyspace of a topology split by function (the scale
// cube's Y axis), as Vitess calls it: its own shards, its own nodes and its
// own tables. Its shards are the topology's shards whose names it
// qualifies, "NAME/RANGE" (media/-80), as Vitess names a keyspace's shard.
//
//	keyspaces:
//	  - name: users           # the first keyspace holds every table no keyspace lists
//	    tables:
//	      users: {}
//	  - name: media
//	    tables:
//	      images: {column: id, vindex: hash}
//	      likes: {column: image_id, vindex: hash}
//
// A table listed with a column and a vindex is sharded by them; one listed
// with neither lives on the keyspace's one shard (a keyspace of several
// shards shards every table it lists). A topology with no keyspaces
// section is one keyspace, with unqualified shard names and its sharded
// tables in the top-level tables section.
type Keyspace struct {
	Name   string           `yaml:"name"`
	Tables map[string]Table `yaml:"tables,omitempty"`

	line int
}

// UnmarshalYAML decodes a keyspace and keeps its line.
func (k *Keyspace) UnmarshalYAML(n *yaml.Node) error {
	type plain Keyspace
	if err := n.Decode((*plain)(k)); err != nil {
		return err
	}
	k.line = n.Line
	return nil
}

// Sharded reports whether tb is split by a key (it names a column).
func (tb Table) Sharded() bool { return tb.Column != "" }

// QualifiedShard names shard rng of keyspace ks: "ks/rng", or rng alone in
// a topology of one keyspace (ks empty).
func QualifiedShard(ks, rng string) string {
	if ks == "" {
		return rng
	}
	return ks + "/" + rng
}

// SplitShard splits a shard name into its keyspace (empty when it has
// none) and its key range.
func SplitShard(name string) (ks, rng string) {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[:i], name[i+1:]
	}
	return "", name
}

// KeyspaceNames lists the keyspaces in file order; nil for a topology of
// one keyspace.
func (t *Topology) KeyspaceNames() []string {
	var out []string
	for _, k := range t.Keyspaces {
		out = append(out, k.Name)
	}
	return out
}

// TableKeyspace is the keyspace that holds table: the one that lists it,
// else the first. Empty in a topology of one keyspace.
func (t *Topology) TableKeyspace(table string) string {
	for _, k := range t.Keyspaces {
		if _, ok := k.Tables[table]; ok {
			return k.Name
		}
	}
	if len(t.Keyspaces) > 0 {
		return t.Keyspaces[0].Name
	}
	return ""
}

// KeyspaceShards returns the indexes in Shards of keyspace ks's shards,
// in file order; every shard for ks "" in a topology of one keyspace.
func (t *Topology) KeyspaceShards(ks string) []int {
	var out []int
	for i, s := range t.Shards {
		if k, _ := SplitShard(s.Name); k == ks {
			out = append(out, i)
		}
	}
	return out
}

// ShardedTables returns every sharded table with its shard key, in every
// keyspace.
func (t *Topology) ShardedTables() map[string]Table {
	out := map[string]Table{}
	for name, tb := range t.Tables {
		out[name] = tb
	}
	for _, k := range t.Keyspaces {
		for name, tb := range k.Tables {
			if tb.Sharded() {
				out[name] = tb
			}
		}
	}
	return out
}

// validateKeyspaces checks the keyspaces section against the shards: every
// shard belongs to one listed keyspace, each keyspace's ranges cover the
// key space once, and no table is in two keyspaces. bad formats an error.
func (t *Topology) validateKeyspaces(bad func(line int, format string, args ...any) error) error {
	if len(t.Keyspaces) == 0 {
		for i, s := range t.Shards {
			if ks, _ := SplitShard(s.Name); ks != "" {
				return bad(s.line, "shards[%d].name: %q names keyspace %s, and the topology has no keyspaces section", i, s.Name, ks)
			}
		}
		return nil
	}
	if len(t.Tables) > 0 {
		return bad(0, "tables: a topology with keyspaces lists its tables in each keyspace's tables section")
	}
	names := t.KeyspaceNames()
	for i, k := range t.Keyspaces {
		if !identRE.MatchString(k.Name) {
			return bad(k.line, "keyspaces[%d].name: %q is not a plain identifier", i, k.Name)
		}
		if slices.Contains(names[:i], k.Name) {
			return bad(k.line, "keyspaces[%d].name: keyspace %s is listed twice", i, k.Name)
		}
	}
	last := 0
	for i, s := range t.Shards {
		ks, _ := SplitShard(s.Name)
		k := slices.Index(names, ks)
		if k < 0 {
			return bad(s.line, "shards[%d].name: %q is in no keyspace of the keyspaces section (%s): name it KEYSPACE/RANGE", i, s.Name, strings.Join(names, ", "))
		}
		// The first keyspace's first shard is the home of what names no
		// table: shards come grouped, in the keyspaces' order.
		if k < last {
			return bad(s.line, "shards[%d].name: %s comes after shards of keyspace %s: list each keyspace's shards together, in the order of the keyspaces section", i, s.Name, t.Keyspaces[last].Name)
		}
		last = k
	}
	owner := map[string]string{}
	for i, k := range t.Keyspaces {
		idx := t.KeyspaceShards(k.Name)
		if len(idx) == 0 {
			return bad(k.line, "keyspaces[%d]: keyspace %s has no shards: name them %s/0, or %s/-80 and %s/80- …", i, k.Name, k.Name, k.Name, k.Name)
		}
		names := make([]string, len(idx))
		ranges := make([]shard.KeyRange, len(idx))
		for j, si := range idx {
			_, rng := SplitShard(t.Shards[si].Name)
			kr, err := shard.ParseKeyRange(rng)
			if err != nil {
				return bad(t.Shards[si].line, "shards[%d].name: %v", si, err)
			}
			names[j], ranges[j] = rng, kr
		}
		if err := shard.CheckPartition(names, ranges); err != nil {
			return bad(k.line, "keyspace %s: shards: %v", k.Name, err)
		}
		tables := make([]string, 0, len(k.Tables))
		for name := range k.Tables {
			tables = append(tables, name)
		}
		sort.Strings(tables)
		for _, name := range tables {
			tb := k.Tables[name]
			if name != strings.ToLower(name) {
				return bad(tb.line, "keyspaces.%s.tables: %q: write table names in lower case, as the router reads them", k.Name, name)
			}
			if prev, ok := owner[name]; ok {
				return bad(tb.line, "keyspaces.%s.tables: table %s is also in keyspace %s: a table lives in one keyspace", k.Name, name, prev)
			}
			owner[name] = k.Name
			if !tb.Sharded() && tb.Vindex == "" {
				if len(idx) > 1 {
					return bad(tb.line, "keyspaces.%s.tables.%s: keyspace %s has %d shards: give the table a column and a vindex to shard it by", k.Name, name, k.Name, len(idx))
				}
				if !identRE.MatchString(name) {
					return bad(tb.line, "keyspaces.%s.tables: %q is not a plain table name", k.Name, name)
				}
				continue
			}
			if err := checkTable(bad, "keyspaces."+k.Name+".tables", name, tb); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkTable checks one sharded table entry of section.
func checkTable(bad func(line int, format string, args ...any) error, section, name string, tb Table) error {
	if !identRE.MatchString(name) {
		return bad(tb.line, "%s: %q is not a plain table name", section, name)
	}
	if name != strings.ToLower(name) {
		// The router lower-cases the names in statements: a rule for Images
		// would never match, and its rows would be read from one shard.
		return bad(tb.line, "%s: %q: write table names in lower case, as the router reads them", section, name)
	}
	if !identRE.MatchString(tb.Column) {
		return bad(tb.line, "%s.%s.column: %q is not a plain column name", section, name, tb.Column)
	}
	if !slices.Contains(shard.Names(), tb.Vindex) {
		return bad(tb.line, "%s.%s.vindex: %q is not a vindex: want one of %v", section, name, tb.Vindex, shard.Names())
	}
	return nil
}
