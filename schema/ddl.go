package schema

import (
	"errors"
	"fmt"
	"strings"

	"github.com/scalelab/scalelab/flavor"
	"github.com/scalelab/scalelab/topology"
)

var (
	// ErrUnknownFlavor is returned (wrapped) for a flavor name that
	// flavor.Lookup does not know.
	ErrUnknownFlavor = errors.New("schema: unknown flavor")
	// ErrUnknownTable is returned (wrapped) for a table name that is not one
	// of Tables().
	ErrUnknownTable = errors.New("schema: unknown table")
)

// Table names, in dependency order (see Tables).
const (
	TableUsers  = "users"
	TableImages = "images"
	TableLikes  = "likes"
)

// column is one column of a sample table. sqlType is shared by both flavors;
// a type that differs belongs in flavor, not here.
type column struct {
	name     string
	sqlType  string
	nullable bool
}

// table describes one sample table. Ids have no AUTO_INCREMENT because they
// are global across shards and come from the generator or a sequence, and
// there are no foreign keys because a parent row may live on another shard.
type table struct {
	name    string
	columns []column
	shard   ShardKey
}

// tables is read-only: every exported accessor copies what it hands out.
var tables = []table{
	{
		name: TableUsers,
		columns: []column{
			{name: "id", sqlType: "BIGINT UNSIGNED"},
			{name: "name", sqlType: "VARCHAR(64)"},
			{name: "email", sqlType: "VARCHAR(128)"},
			{name: "created_at", sqlType: "DATETIME(6)"},
		},
		shard: ShardKey{Column: "id", Vindex: "hash"},
	},
	{
		name: TableImages,
		columns: []column{
			{name: "id", sqlType: "BIGINT UNSIGNED"},
			{name: "user_id", sqlType: "BIGINT UNSIGNED"},
			{name: "parent_id", sqlType: "BIGINT UNSIGNED", nullable: true},
			{name: "name", sqlType: "VARCHAR(128)"},
			{name: "path", sqlType: "VARCHAR(255)"},
			{name: "dt", sqlType: "DATETIME(6)"},
		},
		shard: ShardKey{Column: "id", Vindex: "hash"},
	},
	{
		// An image's likes live on the image's shard, so counting or listing
		// them is a single-shard query.
		name: TableLikes,
		columns: []column{
			{name: "id", sqlType: "BIGINT UNSIGNED"},
			{name: "image_id", sqlType: "BIGINT UNSIGNED"},
			{name: "user_id", sqlType: "BIGINT UNSIGNED"},
			{name: "dt", sqlType: "DATETIME(6)"},
		},
		shard: ShardKey{Column: "image_id", Vindex: "hash"},
	},
}

func lookupTable(name string) (table, error) {
	for _, t := range tables {
		if t.name == name {
			return t, nil
		}
	}
	return table{}, fmt.Errorf("%w %q: known tables are %s", ErrUnknownTable, name, strings.Join(Tables(), ", "))
}

// Tables returns the sample table names in dependency order: a table's
// parents come before it (users, images, likes). Create and load in this
// order; drop in reverse. The slice is new on every call.
func Tables() []string {
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = t.name
	}
	return names
}

// Columns returns table's column names in the order of its DDL, which is also
// the order of the matching row type's Values. It returns an error wrapping
// ErrUnknownTable for a name not in Tables(). The slice is new on every call.
func Columns(table string) ([]string, error) {
	t, err := lookupTable(table)
	if err != nil {
		return nil, err
	}
	return t.columnNames(), nil
}

func (t table) columnNames() []string {
	names := make([]string, len(t.columns))
	for i, c := range t.columns {
		names[i] = c.name
	}
	return names
}

// CreateTables returns one CREATE TABLE statement per table, in the order of
// Tables(), for a flavor that flavor.Lookup knows ("mariadb", "mysql"), with
// its table options. Every table is InnoDB
// and utf8mb4, keyed by a BIGINT UNSIGNED id without AUTO_INCREMENT and with
// no foreign keys and no secondary indexes: add those with an IndexSet. The
// statements fail on a server where a table already exists; run DropTables
// first to start over. An unknown flavor returns an error wrapping
// ErrUnknownFlavor.
func CreateTables(flavorName string) ([]string, error) {
	f, err := flavor.Lookup(flavorName)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %w", ErrUnknownFlavor, flavorName, err)
	}
	stmts := make([]string, len(tables))
	for i, t := range tables {
		stmts[i] = t.createSQL(f)
	}
	return stmts, nil
}

func (t table) createSQL(f flavor.Flavor) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE ")
	b.WriteString(quoteIdent(t.name))
	b.WriteString(" (\n")
	for _, c := range t.columns {
		b.WriteString("  ")
		b.WriteString(quoteIdent(c.name))
		b.WriteString(" ")
		b.WriteString(c.sqlType)
		if c.nullable {
			b.WriteString(" NULL DEFAULT NULL")
		} else {
			b.WriteString(" NOT NULL")
		}
		b.WriteString(",\n")
	}
	b.WriteString("  PRIMARY KEY (")
	b.WriteString(quoteIdent(t.columns[0].name))
	b.WriteString(")\n) ")
	b.WriteString(f.TableOptions())
	return b.String()
}

// DropTables returns one DROP TABLE IF EXISTS statement per table, in the
// reverse of Tables(). They are the same for every flavor and succeed when a
// table is missing.
func DropTables() []string {
	stmts := make([]string, 0, len(tables))
	for i := len(tables) - 1; i >= 0; i-- {
		stmts = append(stmts, "DROP TABLE IF EXISTS "+quoteIdent(tables[i].name))
	}
	return stmts
}

// ShardKey says how a sharded table is split: the column whose value picks
// the shard, and the name of the vindex (as in shard and the topology file)
// that maps that value to a keyspace id.
type ShardKey struct {
	Column string
	Vindex string
}

// Sharding returns every table's shard key: users and images by their id,
// and likes by image_id so that an image's likes live on the image's shard.
// All use the "hash" vindex. The map is new on every call.
func Sharding() map[string]ShardKey {
	m := make(map[string]ShardKey, len(tables))
	for _, t := range tables {
		m[t.name] = t.shard
	}
	return m
}

// ShardedTables returns Sharding as a topology's tables section, for
// writing a topology that shards the sample tables.
func ShardedTables() map[string]topology.Table {
	out := make(map[string]topology.Table, len(tables))
	for _, t := range tables {
		out[t.name] = topology.Table{Column: t.shard.Column, Vindex: t.shard.Vindex}
	}
	return out
}

// TopologyTables returns the "tables:" section of a topology file that
// shards the sample tables as Sharding says, in the order of Tables(), ending
// in a newline:
//
//	tables:
//	  users: {column: id, vindex: hash}
//	  images: {column: id, vindex: hash}
//	  likes: {column: image_id, vindex: hash}
func TopologyTables() string {
	var b strings.Builder
	b.WriteString("tables:\n")
	for _, t := range tables {
		fmt.Fprintf(&b, "  %s: {column: %s, vindex: %s}\n", t.name, t.shard.Column, t.shard.Vindex)
	}
	return b.String()
}

// quoteIdent quotes a MySQL identifier with backticks, doubling any backtick
// inside it, so that no name can break out of the quotes.
func quoteIdent(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}
