package schema

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Index set names accepted by IndexSet.
const (
	IndexSetNone = "none"
	IndexSetFK   = "fk"
	IndexSetFull = "full"
)

// ErrUnknownIndexSet is returned (wrapped) by IndexSet for a name that is
// not one of IndexSets().
var ErrUnknownIndexSet = errors.New("schema: unknown index set")

// Index is one secondary index: Name on Table over Columns, in order. Two
// indexes are the same index when Table and Name match exactly; Diff
// compares Columns to see whether it changed.
type Index struct {
	Table   string
	Name    string
	Columns []string
}

// CreateSQL returns the statement that adds the index, with every identifier
// quoted in backticks. It is the same on MariaDB and MySQL, and fails if an
// index of that name already exists on the table.
func (ix Index) CreateSQL() string {
	cols := make([]string, len(ix.Columns))
	for i, c := range ix.Columns {
		cols[i] = quoteIdent(c)
	}
	return "CREATE INDEX " + quoteIdent(ix.Name) + " ON " + quoteIdent(ix.Table) + " (" + strings.Join(cols, ", ") + ")"
}

// DropSQL returns the statement that drops the index, with every identifier
// quoted in backticks. It is the same on MariaDB and MySQL, and fails if the
// index does not exist.
func (ix Index) DropSQL() string {
	return "DROP INDEX " + quoteIdent(ix.Name) + " ON " + quoteIdent(ix.Table)
}

// String returns the index in the short form table(col, col) that reports
// print, e.g. "images(user_id, dt)".
func (ix Index) String() string {
	return ix.Table + "(" + strings.Join(ix.Columns, ", ") + ")"
}

func newIndex(table string, columns ...string) Index {
	return Index{Table: table, Name: "idx_" + table + "_" + strings.Join(columns, "_"), Columns: columns}
}

// indexSets builds the sets afresh so that no caller can change another's.
func indexSets() []struct {
	name    string
	indexes []Index
} {
	return []struct {
		name    string
		indexes []Index
	}{
		{name: IndexSetNone},
		{name: IndexSetFK, indexes: []Index{
			newIndex(TableImages, "user_id"),
			newIndex(TableImages, "parent_id"),
			newIndex(TableLikes, "image_id"),
			newIndex(TableLikes, "user_id"),
		}},
		{name: IndexSetFull, indexes: []Index{
			// The front page: ORDER BY dt DESC LIMIT n reads n index entries.
			newIndex(TableImages, "dt"),
			// A user's images newest first; also serves every user_id lookup
			// that fk's images(user_id) served, so that one is not repeated.
			newIndex(TableImages, "user_id", "dt"),
			newIndex(TableImages, "parent_id"),
			// An image's likes newest first, and its like count from the
			// index alone; replaces fk's likes(image_id) the same way.
			newIndex(TableLikes, "image_id", "dt"),
			newIndex(TableLikes, "user_id"),
		}},
	}
}

// IndexSets returns the names of the index sets, from fewest indexes to
// most: none, fk, full.
func IndexSets() []string {
	sets := indexSets()
	names := make([]string, len(sets))
	for i, s := range sets {
		names[i] = s.name
	}
	return names
}

// IndexSet returns the secondary indexes of the named set, new on every
// call:
//
//   - none: no secondary index; every lookup but by id is a full scan.
//   - fk: one index per column that refers to another table's id
//     (images.user_id, images.parent_id, likes.image_id, likes.user_id).
//   - full: what the front page and the feeds need: images(dt),
//     images(user_id, dt), images(parent_id), likes(image_id, dt) and
//     likes(user_id). Every fk column leads some full index, so any lookup
//     fk makes fast stays fast; full does not repeat fk's images(user_id)
//     and likes(image_id), which its two-column indexes make redundant.
//
// An unknown name returns an error wrapping ErrUnknownIndexSet that names
// the known sets.
func IndexSet(name string) ([]Index, error) {
	for _, s := range indexSets() {
		if s.name == name {
			return s.indexes, nil
		}
	}
	return nil, fmt.Errorf("%w %q: known sets are %s", ErrUnknownIndexSet, name, strings.Join(IndexSets(), ", "))
}

// Diff returns what turns a database that has the indexes from into one that
// has the indexes to: create lists the indexes of to that from lacks, in to's
// order, and drop lists the indexes of from that to lacks, in from's order.
// An index in both with the same Table and Name but other Columns is in
// both lists, so run every drop before any create. Indexes present in both
// unchanged are left alone, so an experiment measures exactly the indexes it
// compares.
func Diff(from, to []Index) (create, drop []Index) {
	key := func(ix Index) string { return ix.Table + "\x00" + ix.Name }
	fromByKey := make(map[string]Index, len(from))
	for _, ix := range from {
		fromByKey[key(ix)] = ix
	}
	toByKey := make(map[string]Index, len(to))
	for _, ix := range to {
		toByKey[key(ix)] = ix
	}
	for _, ix := range from {
		if t, ok := toByKey[key(ix)]; !ok || !slices.Equal(t.Columns, ix.Columns) {
			drop = append(drop, ix)
		}
	}
	for _, ix := range to {
		if f, ok := fromByKey[key(ix)]; !ok || !slices.Equal(f.Columns, ix.Columns) {
			create = append(create, ix)
		}
	}
	return create, drop
}
