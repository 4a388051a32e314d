package router

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"vitess.io/vitess/go/vt/sqlparser"
)

// These tests feed the merge (newMerge) synthetic shard results, without
// servers. Each case is planned by planMerge from SQL, as the router plans
// a scatter read, so the spec and the shard query's column layout are the
// real ones; the case gives each shard's rows for the shard query's
// columns, and the harness adds the sort-key columns (WEIGHT_STRING and
// pad, see sortKeyExprs) and applies the LIMIT pushed down to the shards.
//
// The shard results are genuine *sql.Rows from synthDriver, a test-only
// database/sql driver: the merge reads *sql.ColumnType (type names and
// DECIMAL scales choose how values compare and add), which only a driver
// can make, so the production code runs unchanged.
//
// Expected rows are what one server holding every shard's rows returns.

// synthCol is a column of a shard query's result.
type synthCol struct {
	expr  string // the select expression, as sqlparser prints it
	typ   string // the type name go-sql-driver/mysql reports for it
	scale int64  // digits after the point, for DECIMAL
	star  bool   // one of the table's columns a * stands for
}

// starCol marks c as a column of the table that a * expands to.
func starCol(c synthCol) synthCol { c.star = true; return c }

func intCol(e string) synthCol              { return synthCol{expr: e, typ: "INT"} }
func bigintCol(e string) synthCol           { return synthCol{expr: e, typ: "BIGINT"} }
func ubigintCol(e string) synthCol          { return synthCol{expr: e, typ: "UNSIGNED BIGINT"} }
func decCol(e string, scale int64) synthCol { return synthCol{expr: e, typ: "DECIMAL", scale: scale} }
func textCol(e string) synthCol             { return synthCol{expr: e, typ: "VARCHAR"} }
func doubleCol(e string) synthCol           { return synthCol{expr: e, typ: "DOUBLE"} }

// rowSet is rows of values written as Go literals: int, uint64, string,
// float64 or nil for NULL.
type rowSet [][]any

// oneOf, as an expected value, accepts any of its values: MySQL shows any
// row's value of a group's column ('apple' or 'APPLE' in a case-insensitive
// group).
type oneOf []any

type mergeCase struct {
	name  string
	query string
	// cols are the shard query's columns, without the sort-key columns the
	// harness derives: the visible ones, then the hidden ones in order.
	cols []synthCol
	// shards are each shard's rows for cols, in the order the shard
	// returns them (its ORDER BY applied; the harness applies its LIMIT).
	shards []rowSet
	// want are the visible rows one server holding every row returns.
	want rowSet
	// tiesBy > 0: the first tiesBy columns are what the ORDER BY compares;
	// rows equal on them (case-insensitively) may come in any order.
	tiesBy int
	// anyOrder: the statement does not order its rows.
	anyOrder bool
	// shardOrder: rows of one shard keep that shard's order in the merge.
	shardOrder bool
	// collation of the text columns; "" means utf8mb4_general_ci.
	collation string
	wantErr   error
}

func TestMergeOrderBy(t *testing.T) {
	runMergeCases(t, []mergeCase{
		{
			name:  "ties broken by the second ORDER BY term",
			query: "SELECT id, grp FROM t ORDER BY grp, id",
			cols:  []synthCol{intCol("id"), intCol("grp")},
			shards: []rowSet{
				{{1, 1}, {4, 2}, {6, 2}},
				{{2, 1}, {3, 2}, {9, 3}},
				{{5, 1}, {7, 3}},
			},
			want: rowSet{{1, 1}, {2, 1}, {5, 1}, {3, 2}, {4, 2}, {6, 2}, {7, 3}, {9, 3}},
		},
		{
			name:  "ties on the only ORDER BY term keep every row",
			query: "SELECT grp, id FROM t ORDER BY grp",
			cols:  []synthCol{intCol("grp"), intCol("id")},
			shards: []rowSet{
				{{1, 1}, {2, 6}, {2, 4}},
				{{1, 2}, {2, 3}, {3, 9}},
				{{2, 5}},
			},
			want:       rowSet{{1, 1}, {1, 2}, {2, 3}, {2, 4}, {2, 5}, {2, 6}, {3, 9}},
			tiesBy:     1,
			shardOrder: true,
		},
		{
			name:   "ascending puts NULL first",
			query:  "SELECT v FROM t ORDER BY v",
			cols:   []synthCol{intCol("v")},
			shards: []rowSet{{{nil}, {3}, {9}}, {{nil}, {7}}, {{3}, {8}}},
			want:   rowSet{{nil}, {nil}, {3}, {3}, {7}, {8}, {9}},
		},
		{
			name:   "descending puts NULL last",
			query:  "SELECT v FROM t ORDER BY v DESC",
			cols:   []synthCol{intCol("v")},
			shards: []rowSet{{{9}, {3}, {nil}}, {{7}, {nil}}, {{8}, {3}}},
			want:   rowSet{{9}, {8}, {7}, {3}, {3}, {nil}, {nil}},
		},
		{
			name:  "descending first term, ascending second",
			query: "SELECT grp, id FROM t ORDER BY grp DESC, id",
			cols:  []synthCol{intCol("grp"), intCol("id")},
			shards: []rowSet{
				{{3, 2}, {1, 1}, {1, 5}},
				{{3, 1}, {2, 4}, {1, 3}},
			},
			want: rowSet{{3, 1}, {3, 2}, {2, 4}, {1, 1}, {1, 3}, {1, 5}},
		},
		{
			name:  "DECIMAL compares as a number, not as text",
			query: "SELECT price FROM t ORDER BY price DESC",
			cols:  []synthCol{decCol("price", 2)},
			shards: []rowSet{
				{{"10.00"}, {"-2.50"}},
				{{"9.99"}, {"-10.00"}},
			},
			want: rowSet{{"10.00"}, {"9.99"}, {"-2.50"}, {"-10.00"}},
		},
		{
			name:  "ORDER BY a column that is not selected",
			query: "SELECT id FROM t ORDER BY grp DESC, id",
			cols:  []synthCol{intCol("id"), intCol("grp")},
			shards: []rowSet{
				{{4, 2}, {1, 1}},
				{{5, 2}, {2, 1}, {3, 1}},
			},
			want: rowSet{{4}, {5}, {1}, {2}, {3}},
		},
		{
			name:   "text by the collation's sort keys, not by bytes",
			query:  "SELECT word FROM t ORDER BY word",
			cols:   []synthCol{textCol("word")},
			shards: []rowSet{{{"apple"}, {"Cherry"}}, {{"Banana"}, {"date"}}},
			want:   rowSet{{"apple"}, {"Banana"}, {"Cherry"}, {"date"}},
		},
		{
			name:   "text descending by the collation, NULL last",
			query:  "SELECT word FROM t ORDER BY word DESC",
			cols:   []synthCol{textCol("word")},
			shards: []rowSet{{{"cherry"}, {"Banana"}}, {{"Date"}, {"apple"}}, {{nil}}},
			want:   rowSet{{"Date"}, {"cherry"}, {"Banana"}, {"apple"}, {nil}},
		},
		{
			// PAD SPACE compares 'a' as 'a ', and a tab sorts before a space.
			name:   "a PAD SPACE collation sorts 'a' after 'a<tab>'",
			query:  "SELECT word FROM t ORDER BY word",
			cols:   []synthCol{textCol("word")},
			shards: []rowSet{{{"a\t"}, {"B"}}, {{"a"}}},
			want:   rowSet{{"a\t"}, {"a"}, {"B"}},
		},
		{
			name:  "values that differ only in case are ties",
			query: "SELECT word, id FROM t ORDER BY word",
			cols:  []synthCol{textCol("word"), intCol("id")},
			shards: []rowSet{
				{{"apple", 1}, {"b", 4}},
				{{"APPLE", 2}, {"Apple", 3}},
			},
			want:       rowSet{{"apple", 1}, {"APPLE", 2}, {"Apple", 3}, {"b", 4}},
			tiesBy:     1,
			shardOrder: true,
		},
		{
			name:   "some shards empty",
			query:  "SELECT id FROM t ORDER BY id",
			cols:   []synthCol{intCol("id")},
			shards: []rowSet{{}, {{2}, {4}}, {}, {{1}}},
			want:   rowSet{{1}, {2}, {4}},
		},
		{
			name:   "every shard empty",
			query:  "SELECT id FROM t ORDER BY id",
			cols:   []synthCol{intCol("id")},
			shards: []rowSet{{}, {}, {}},
			want:   rowSet{},
		},
		{
			name:     "no ORDER BY, some shards empty",
			query:    "SELECT id FROM t",
			cols:     []synthCol{intCol("id")},
			shards:   []rowSet{{}, {{1}, {2}}, {}, {{3}}},
			want:     rowSet{{1}, {2}, {3}},
			anyOrder: true,
		},
		{
			name:     "no ORDER BY, every shard empty",
			query:    "SELECT id FROM t",
			cols:     []synthCol{intCol("id")},
			shards:   []rowSet{{}, {}},
			want:     rowSet{},
			anyOrder: true,
		},
		{
			name:   "DISTINCT removes duplicates between shards",
			query:  "SELECT DISTINCT grp FROM t ORDER BY grp",
			cols:   []synthCol{intCol("grp")},
			shards: []rowSet{{{2}, {1}}, {{3}, {2}}, {{nil}, {1}}},
			want:   rowSet{{nil}, {1}, {2}, {3}},
		},
		{
			// The shard query is SELECT *, word, WEIGHT_STRING(word), …:
			// the hidden columns follow however many columns * stands for.
			name:  "SELECT * ordered by one of the table's columns",
			query: "SELECT * FROM t ORDER BY word DESC LIMIT 2",
			cols:  []synthCol{starCol(intCol("id")), starCol(textCol("word")), textCol("word")},
			shards: []rowSet{
				{{1, "b", "b"}, {3, "A", "A"}},
				{{2, "C", "C"}, {4, "a", "a"}, {5, "a", "a"}},
			},
			want: rowSet{{2, "C"}, {1, "b"}},
		},
		{
			name:  "a column after t.* orders the rows",
			query: "SELECT t.*, id AS k FROM t ORDER BY k DESC",
			cols:  []synthCol{starCol(intCol("id")), starCol(textCol("word")), intCol("id")},
			shards: []rowSet{
				{{7, "x", 7}, {2, "y", 2}},
				{{5, "z", 5}},
			},
			want: rowSet{{7, "x", 7}, {5, "z", 5}, {2, "y", 2}},
		},
		{
			name:    "ENUM is refused: it sorts by an index the result lacks",
			query:   "SELECT kind FROM t ORDER BY kind",
			cols:    []synthCol{{expr: "kind", typ: "ENUM"}},
			shards:  []rowSet{{{"b"}}, {{"a"}}},
			wantErr: ErrUnsupported,
		},
		{
			name:      "a case-sensitive collation is refused",
			query:     "SELECT word FROM t ORDER BY word",
			cols:      []synthCol{textCol("word")},
			shards:    []rowSet{{{"a"}}, {{"B"}}},
			collation: "utf8mb4_0900_as_cs",
			wantErr:   ErrUnsupported,
		},
	})
}

func TestMergeLimit(t *testing.T) {
	runMergeCases(t, []mergeCase{
		{
			name:   "LIMIT takes the first rows of the merge",
			query:  "SELECT id FROM t ORDER BY id LIMIT 3",
			cols:   []synthCol{intCol("id")},
			shards: []rowSet{{{2}, {5}, {8}}, {{1}, {9}}, {{3}, {4}, {6}, {7}}},
			want:   rowSet{{1}, {2}, {3}},
		},
		{
			name:   "OFFSET larger than one shard's rows",
			query:  "SELECT id FROM t ORDER BY id LIMIT 2 OFFSET 3",
			cols:   []synthCol{intCol("id")},
			shards: []rowSet{{{1}, {2}}, {{3}, {4}, {5}, {6}, {7}, {8}}, {{9}}},
			want:   rowSet{{4}, {5}},
		},
		{
			name:   "OFFSET reaching the last row",
			query:  "SELECT id FROM t ORDER BY id LIMIT 5 OFFSET 3",
			cols:   []synthCol{intCol("id")},
			shards: []rowSet{{{1}, {4}}, {{2}, {3}}},
			want:   rowSet{{4}},
		},
		{
			name:   "OFFSET larger than all rows",
			query:  "SELECT id FROM t ORDER BY id LIMIT 5 OFFSET 10",
			cols:   []synthCol{intCol("id")},
			shards: []rowSet{{{1}, {4}}, {{2}, {3}}},
			want:   rowSet{},
		},
		{
			name:   "LIMIT offset, count descending",
			query:  "SELECT id FROM t ORDER BY id DESC LIMIT 1, 2",
			cols:   []synthCol{intCol("id")},
			shards: []rowSet{{{9}, {5}, {1}}, {{8}, {7}}},
			want:   rowSet{{8}, {7}},
		},
		{
			name:   "LIMIT 0",
			query:  "SELECT id FROM t ORDER BY id LIMIT 0",
			cols:   []synthCol{intCol("id")},
			shards: []rowSet{{{1}}, {{2}}},
			want:   rowSet{},
		},
		{
			name:   "LIMIT 0 over groups, which the shards return in full",
			query:  "SELECT grp, COUNT(*) FROM t GROUP BY grp LIMIT 0",
			cols:   []synthCol{intCol("grp"), bigintCol("count(*)")},
			shards: []rowSet{{{1, 2}}, {{2, 1}}},
			want:   rowSet{},
		},
		{
			name:   "OFFSET over merged groups",
			query:  "SELECT grp, COUNT(*) FROM t GROUP BY grp ORDER BY grp LIMIT 1 OFFSET 1",
			cols:   []synthCol{intCol("grp"), bigintCol("count(*)")},
			shards: []rowSet{{{1, 2}, {2, 1}}, {{2, 2}, {3, 1}}},
			want:   rowSet{{2, 3}},
		},
		{
			name:   "OFFSET larger than the number of groups",
			query:  "SELECT grp, COUNT(*) FROM t GROUP BY grp ORDER BY grp LIMIT 10 OFFSET 3",
			cols:   []synthCol{intCol("grp"), bigintCol("count(*)")},
			shards: []rowSet{{{1, 2}, {2, 1}}, {{2, 2}, {3, 1}}},
			want:   rowSet{},
		},
		{
			name:   "OFFSET past the one row of an ungrouped aggregate",
			query:  "SELECT COUNT(*) FROM t LIMIT 1 OFFSET 1",
			cols:   []synthCol{bigintCol("count(*)")},
			shards: []rowSet{{{2}}, {{3}}},
			want:   rowSet{},
		},
	})
}

func TestMergeAggregates(t *testing.T) {
	allAggs := []synthCol{
		bigintCol("count(*)"), bigintCol("count(v)"), decCol("sum(v)", 0), decCol("avg(v)", 4), intCol("min(v)"), intCol("max(v)"),
		decCol("sum(v)", 0), bigintCol("count(v)"), intCol("min(v)"), // AVG's hidden SUM, COUNT and type
	}
	runMergeCases(t, []mergeCase{
		{
			// Without GROUP BY every shard returns its one row, even empty.
			name:  "over empty input: COUNT is 0, the rest NULL",
			query: "SELECT COUNT(*), COUNT(v), SUM(v), AVG(v), MIN(v), MAX(v) FROM t",
			cols:  allAggs,
			shards: []rowSet{
				{{0, 0, nil, nil, nil, nil, nil, 0, nil}},
				{{0, 0, nil, nil, nil, nil, nil, 0, nil}},
				{{0, 0, nil, nil, nil, nil, nil, 0, nil}},
			},
			want: rowSet{{0, 0, nil, nil, nil, nil}},
		},
		{
			// v is NULL, NULL on the first shard; NULL, 4 on the second;
			// 1, 2 on the third.
			name:  "NULLs are skipped by SUM, MIN, MAX, AVG and COUNT(v), not COUNT(*)",
			query: "SELECT COUNT(*), COUNT(v), SUM(v), AVG(v), MIN(v), MAX(v) FROM t",
			cols:  allAggs,
			shards: []rowSet{
				{{2, 0, nil, nil, nil, nil, nil, 0, nil}},
				{{2, 1, "4", "4.0000", 4, 4, "4", 1, 4}},
				{{2, 2, "3", "1.5000", 1, 2, "3", 2, 1}},
			},
			want: rowSet{{6, 3, "7", "2.3333", 1, 4}},
		},
		{
			name:   "a column of NULLs only",
			query:  "SELECT COUNT(*), COUNT(v), SUM(v), MAX(v) FROM t",
			cols:   []synthCol{bigintCol("count(*)"), bigintCol("count(v)"), decCol("sum(v)", 0), intCol("max(v)")},
			shards: []rowSet{{{1, 0, nil, nil}}, {{2, 0, nil, nil}}},
			want:   rowSet{{3, 0, nil, nil}},
		},
		{
			name:   "DECIMAL SUM keeps its scale",
			query:  "SELECT SUM(price) FROM t",
			cols:   []synthCol{decCol("sum(price)", 2)},
			shards: []rowSet{{{"1.50"}}, {{"2.50"}}, {{nil}}},
			want:   rowSet{{"4.00"}},
		},
		{
			name:   "DECIMAL SUM of signed values",
			query:  "SELECT SUM(price) FROM t",
			cols:   []synthCol{decCol("sum(price)", 2)},
			shards: []rowSet{{{"10.05"}}, {{"-0.10"}}, {{"-10.00"}}},
			want:   rowSet{{"-0.05"}},
		},
		{
			// price is 1.00, 2.00 on one shard and 2.00 on the other: 5/3,
			// not the average of the averages, at AVG(DECIMAL(10,2))'s scale.
			name:  "AVG of DECIMAL is the summed SUM over the summed COUNT",
			query: "SELECT AVG(price) FROM t",
			cols:  []synthCol{decCol("avg(price)", 6), decCol("sum(price)", 2), bigintCol("count(price)"), decCol("min(price)", 2)},
			shards: []rowSet{
				{{"1.500000", "3.00", 2, "1.00"}},
				{{"2.000000", "2.00", 1, "2.00"}},
			},
			want: rowSet{{"1.666667"}},
		},
		{
			// One server prints a negative mean that rounds to zero without
			// its sign (MariaDB 10.11: AVG over 20,000 zeros and one -0.01
			// is 0.000000).
			name:  "AVG that rounds to zero from below has no sign",
			query: "SELECT AVG(price) FROM t",
			cols:  []synthCol{decCol("avg(price)", 6), decCol("sum(price)", 2), bigintCol("count(price)"), decCol("min(price)", 2)},
			shards: []rowSet{
				{{"-0.000001", "-0.01", 10000, "-0.01"}},
				{{"0.000000", "0.00", 10001, "0.00"}},
			},
			want: rowSet{{"0.000000"}},
		},
		{
			name:  "DOUBLE SUM and AVG add as doubles",
			query: "SELECT SUM(score), AVG(score) FROM t",
			cols:  []synthCol{doubleCol("sum(score)"), doubleCol("avg(score)"), doubleCol("sum(score)"), bigintCol("count(score)"), doubleCol("min(score)")},
			shards: []rowSet{
				{{0.75, 0.375, 0.75, 2, 0.25}},
				{{2.0, 2.0, 2.0, 1, 2.0}},
				{{nil, nil, nil, 0, nil}},
			},
			want: rowSet{{2.75, 2.75 / 3}},
		},
		{
			// The server may have passed the range adding the rows (or a
			// shard did, and sent its infinite sum as 0).
			name:    "DOUBLE SUM that may pass the type's range is refused",
			query:   "SELECT SUM(score) FROM t",
			cols:    []synthCol{doubleCol("sum(score)")},
			shards:  []rowSet{{{1.7e308}}, {{-1.7e308}}, {{1.7e308}}},
			wantErr: ErrUnsupported,
		},
		{
			name:    "AVG of DOUBLE that may pass the type's range is refused",
			query:   "SELECT AVG(score) FROM t",
			cols:    []synthCol{doubleCol("avg(score)"), doubleCol("sum(score)"), bigintCol("count(score)"), doubleCol("min(score)")},
			shards:  []rowSet{{{1.7e308, 1.7e308, 1, 1.7e308}}, {{1e308, 1e308, 1, 1e308}}, {{nil, nil, 0, nil}}},
			wantErr: ErrUnsupported,
		},
		{
			name:  "MIN and MAX of text by the collation",
			query: "SELECT MIN(word), MAX(word) FROM t",
			cols:  []synthCol{textCol("min(word)"), textCol("max(word)")},
			shards: []rowSet{
				{{nil, nil}},
				{{"apple", "cherry"}},
				{{"Banana", "Date"}},
			},
			want: rowSet{{"apple", "Date"}},
		},
		{
			// v is 6, 3 on one shard, 7 on another, and the third is empty.
			name:  "BIT_AND, BIT_OR and BIT_XOR",
			query: "SELECT BIT_AND(v), BIT_OR(v), BIT_XOR(v) FROM t",
			cols:  []synthCol{ubigintCol("bit_and(v)"), ubigintCol("bit_or(v)"), ubigintCol("bit_xor(v)")},
			shards: []rowSet{
				{{uint64(2), uint64(7), uint64(5)}},
				{{uint64(7), uint64(7), uint64(7)}},
				{{uint64(math.MaxUint64), uint64(0), uint64(0)}},
			},
			want: rowSet{{uint64(2), uint64(7), uint64(2)}},
		},
	})
}

func TestMergeGroupBy(t *testing.T) {
	runMergeCases(t, []mergeCase{
		{
			name:  "partial groups from several shards add up",
			query: "SELECT grp, COUNT(*), SUM(v) FROM t GROUP BY grp ORDER BY grp",
			cols:  []synthCol{intCol("grp"), bigintCol("count(*)"), decCol("sum(v)", 0)},
			shards: []rowSet{
				{{2, 3, "30"}, {1, 1, "5"}},
				{{1, 2, "7"}, {3, 1, nil}},
				{{2, 1, "4"}},
			},
			want: rowSet{{1, 3, "12"}, {2, 4, "34"}, {3, 1, nil}},
		},
		{
			// MariaDB returns GROUP BY results in key order.
			name:   "groups in key order without ORDER BY",
			query:  "SELECT grp, COUNT(*) FROM t GROUP BY grp",
			cols:   []synthCol{intCol("grp"), bigintCol("count(*)")},
			shards: []rowSet{{{3, 1}, {1, 1}}, {{2, 2}, {1, 1}}},
			want:   rowSet{{1, 2}, {2, 2}, {3, 1}},
		},
		{
			name:   "NULL keys are one group, first",
			query:  "SELECT v, COUNT(*) FROM t GROUP BY v ORDER BY v",
			cols:   []synthCol{intCol("v"), bigintCol("count(*)")},
			shards: []rowSet{{{5, 1}, {nil, 2}}, {{nil, 1}, {5, 2}, {4, 1}}},
			want:   rowSet{{nil, 3}, {4, 1}, {5, 3}},
		},
		{
			name:   "COUNT(v) counts non-NULL values, COUNT(*) rows",
			query:  "SELECT grp, COUNT(*), COUNT(v) FROM t GROUP BY grp ORDER BY grp",
			cols:   []synthCol{intCol("grp"), bigintCol("count(*)"), bigintCol("count(v)")},
			shards: []rowSet{{{1, 2, 1}, {2, 1, 0}}, {{1, 1, 1}, {2, 2, 0}}},
			want:   rowSet{{1, 3, 2}, {2, 3, 0}},
		},
		{
			// grp 1: v 1, 2 | 2. grp 2: v 1, NULL | 2, 2, 2. grp 3: v NULL.
			// grp 4: v -1 | -2, -2.
			name:  "AVG per group from the hidden SUM and COUNT",
			query: "SELECT grp, AVG(v) FROM t GROUP BY grp ORDER BY grp",
			cols:  []synthCol{intCol("grp"), decCol("avg(v)", 4), decCol("sum(v)", 0), bigintCol("count(v)"), intCol("min(v)")},
			shards: []rowSet{
				{{1, "1.5000", "3", 2, 1}, {2, "1.0000", "1", 1, 1}, {4, "-1.0000", "-1", 1, -1}},
				{{1, "2.0000", "2", 1, 2}, {2, "2.0000", "6", 3, 2}, {3, nil, nil, 0, nil}, {4, "-2.0000", "-4", 2, -2}},
			},
			want: rowSet{{1, "1.6667"}, {2, "1.7500"}, {3, nil}, {4, "-1.6667"}},
		},
		{
			name:  "DECIMAL SUM per group keeps its scale",
			query: "SELECT grp, SUM(price) FROM t GROUP BY grp ORDER BY grp",
			cols:  []synthCol{intCol("grp"), decCol("sum(price)", 2)},
			shards: []rowSet{
				{{1, "1.50"}, {2, "10.05"}, {3, nil}},
				{{1, "2.50"}, {2, "-0.10"}},
			},
			want: rowSet{{1, "4.00"}, {2, "9.95"}, {3, nil}},
		},
		{
			name:  "text groups merge by the collation",
			query: "SELECT word, COUNT(*) FROM t GROUP BY word ORDER BY word",
			cols:  []synthCol{textCol("word"), bigintCol("count(*)")},
			shards: []rowSet{
				{{"apple", 2}, {"Banana", 1}},
				{{"cherry", 1}, {"APPLE", 1}, {"banana ", 1}},
			},
			want: rowSet{{oneOf{"apple", "APPLE"}, 3}, {oneOf{"Banana", "banana "}, 2}, {"cherry", 1}},
		},
		{
			name:  "MIN and MAX of text per group",
			query: "SELECT grp, MIN(word), MAX(word) FROM t GROUP BY grp ORDER BY grp",
			cols:  []synthCol{intCol("grp"), textCol("min(word)"), textCol("max(word)")},
			shards: []rowSet{
				{{1, "apple", "cherry"}, {2, nil, nil}},
				{{1, "Banana", "Date"}, {2, "x", "x"}},
			},
			want: rowSet{{1, "apple", "Date"}, {2, "x", "x"}},
		},
		{
			// Per shard grp 1 has the most rows; merged, grp 2 has.
			name:  "groups ordered by an aggregate of the merged groups",
			query: "SELECT grp, COUNT(*) AS n FROM t GROUP BY grp ORDER BY n DESC, grp",
			cols:  []synthCol{intCol("grp"), bigintCol("count(*)")},
			shards: []rowSet{
				{{1, 5}, {2, 1}},
				{{2, 3}, {3, 4}},
				{{2, 2}},
			},
			want: rowSet{{2, 6}, {1, 5}, {3, 4}},
		},
		{
			name:   "some shards empty",
			query:  "SELECT grp, COUNT(*), SUM(v) FROM t GROUP BY grp",
			cols:   []synthCol{intCol("grp"), bigintCol("count(*)"), decCol("sum(v)", 0)},
			shards: []rowSet{{}, {{1, 1, "2"}}, {}},
			want:   rowSet{{1, 1, "2"}},
		},
		{
			name:   "over empty input: no groups, no rows",
			query:  "SELECT grp, COUNT(*), SUM(v), AVG(v), MIN(v), MAX(v) FROM t GROUP BY grp",
			cols:   []synthCol{intCol("grp"), bigintCol("count(*)"), decCol("sum(v)", 0), decCol("avg(v)", 4), intCol("min(v)"), intCol("max(v)"), decCol("sum(v)", 0), bigintCol("count(v)"), intCol("min(v)")},
			shards: []rowSet{{}, {}, {}},
			want:   rowSet{},
		},
	})
}

func TestMergeCompareValues(t *testing.T) {
	day := time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		a, b any
		kind valueKind
		want int
	}{
		{"NULL before a number", nil, int64(-5), kindNumber, -1},
		{"NULL after nothing", int64(-5), nil, kindNumber, 1},
		{"NULL equals NULL", nil, nil, kindText, 0},
		{"DECIMAL text by value", []byte("10.5"), []byte("9.75"), kindNumber, 1},
		{"DECIMAL scales differ", []byte("1.50"), []byte("1.5"), kindNumber, 0},
		{"signed and unsigned", int64(-1), uint64(math.MaxUint64), kindNumber, -1},
		{"double and integer", 2.5, int64(2), kindNumber, 1},
		{"TIME past 99 hours", []byte("100:00:00"), []byte("99:59:59"), kindDuration, 1},
		{"negative TIME", []byte("-01:00:00"), []byte("00:30:00"), kindDuration, -1},
		{"TIME fractions", []byte("00:00:00.5"), []byte("00:00:00.25"), kindDuration, 1},
		{"DATETIME", day, day.Add(time.Microsecond), kindTime, -1},
		{"binary by bytes", []byte("a"), []byte("B"), kindBinary, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := compareValues(tc.a, tc.b, tc.kind); got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
}

func TestMergeComparePadded(t *testing.T) {
	space := []byte{0x00, 0x20} // utf8mb4_general_ci's sort key of ' '
	tests := []struct {
		name string
		a, b string // strings whose general_ci sort keys are compared
		pad  []byte
		want int
	}{
		{"equal", "ab", "AB", space, 0},
		{"trailing spaces are equal under PAD SPACE", "a", "a  ", space, 0},
		{"trailing spaces count under NO PAD", "a", "a ", nil, -1},
		{"a tab sorts before the padding", "a", "a\t", space, 1},
		{"the longer side may be either", "a\t", "a", space, -1},
		{"text after a space", "a", "a a", space, -1},
		{"first difference decides", "a z", "b", space, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := comparePadded(generalCIKey(tc.a), generalCIKey(tc.b), tc.pad); got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
}

// runMergeCases plans each case's query, feeds the merge its shards'
// rows and compares the merged rows with the case's.
func runMergeCases(t *testing.T, cases []mergeCase) {
	t.Helper()
	r := fourShards(t)
	db := newMergeDB()
	t.Cleanup(func() { db.Close() })
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := r.Classify(tc.query)
			sel, ok := st.AST.(*sqlparser.Select)
			if !ok {
				t.Fatalf("%s: not a SELECT (%v)", tc.query, st.Err)
			}
			spec, out, err := planMerge(sel, r.sortKeyExprs)
			if err != nil {
				t.Fatalf("plan: %v", err)
			}
			shardSel := out.(*sqlparser.Select)
			results, visible := synthResults(t, db, spec, shardSel, tc)
			got, err := readMerge(spec, results, visible)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("got error %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("merge: %v\nshard query: %s", err, sqlparser.String(shardSel))
			}
			if msg := diffMerged(got, tc.want, tc.tiesBy, tc.anyOrder); msg != "" {
				t.Errorf("%s\ngot  %v\nwant %v\nshard query: %s", msg, got, tc.want, sqlparser.String(shardSel))
			}
			if tc.shardOrder {
				checkShardOrder(t, got, tc.shards, visible)
			}
		})
	}
}

// readMerge merges results by spec and reads every visible row, values
// normalized (see mergedValue).
func readMerge(spec *mergeSpec, results []*sql.Rows, visible int) (rowSet, error) {
	src, err := newMerge(spec, results)
	if err != nil {
		return nil, err
	}
	defer src.close()
	if len(src.cols) != visible {
		return nil, fmt.Errorf("merged result has columns %v, want the %d visible ones", src.cols, visible)
	}
	got := rowSet{}
	for {
		dest := make([]driver.Value, len(src.cols))
		err := src.next(dest)
		if err == io.EOF {
			return got, nil
		}
		if err != nil {
			return got, err
		}
		row := make([]any, len(dest))
		for i, v := range dest {
			row[i] = mergedValue(v)
		}
		got = append(got, row)
	}
}

// mergedValue makes a merged value comparable with a case's literal: text
// and DECIMAL as string, signed integers as int.
func mergedValue(v any) any {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case int64:
		return int(x)
	}
	return v
}

// diffMerged says how got differs from want, or "".
func diffMerged(got, want rowSet, tiesBy int, anyOrder bool) string {
	if len(got) != len(want) {
		return fmt.Sprintf("got %d rows, want %d", len(got), len(want))
	}
	if anyOrder {
		if !slices.Equal(sortedRowTexts(got), sortedRowTexts(want)) {
			return "got other rows"
		}
		return ""
	}
	if tiesBy == 0 {
		for i := range want {
			if !mergedRowMatches(got[i], want[i]) {
				return fmt.Sprintf("row %d: got %v, want %v", i, got[i], want[i])
			}
		}
		return ""
	}
	// Runs of rows equal on the ORDER BY columns compare as sets.
	for start := 0; start < len(want); {
		end := start + 1
		for end < len(want) && orderKeyText(want[end], tiesBy) == orderKeyText(want[start], tiesBy) {
			end++
		}
		for i := start; i < end; i++ {
			if orderKeyText(got[i], tiesBy) != orderKeyText(want[start], tiesBy) {
				return fmt.Sprintf("row %d: got %v, want ORDER BY key %s", i, got[i], orderKeyText(want[start], tiesBy))
			}
		}
		if !slices.Equal(sortedRowTexts(got[start:end]), sortedRowTexts(want[start:end])) {
			return fmt.Sprintf("rows %d to %d: got other tied rows", start, end-1)
		}
		start = end
	}
	return ""
}

func mergedRowMatches(got, want []any) bool {
	if len(got) != len(want) {
		return false
	}
	for i, w := range want {
		alts, ok := w.(oneOf)
		if !ok {
			alts = oneOf{w}
		}
		if !slices.ContainsFunc(alts, func(a any) bool { return a == got[i] }) {
			return false
		}
	}
	return true
}

// orderKeyText is the ORDER BY key of a row as utf8mb4_general_ci compares it.
func orderKeyText(row []any, n int) string {
	return strings.ToUpper(fmt.Sprintf("%#v", row[:n]))
}

func sortedRowTexts(rows rowSet) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprintf("%#v", r)
	}
	slices.Sort(out)
	return out
}

// checkShardOrder checks that the rows each shard sent keep their order in
// the merge: a k-way merge only ever takes the head of a shard's stream.
func checkShardOrder(t *testing.T, got rowSet, shards []rowSet, visible int) {
	t.Helper()
	at := map[string]int{}
	for i, r := range got {
		at[fmt.Sprintf("%#v", r)] = i
	}
	for s, rows := range shards {
		last := -1
		for _, r := range rows {
			i, ok := at[fmt.Sprintf("%#v", r[:visible])]
			if !ok {
				continue
			}
			if i < last {
				t.Errorf("shard %d: row %v came before the shard's previous row", s, r[:visible])
			}
			last = i
		}
	}
}

// synthResults turns a case's shard rows into *sql.Rows of the shard
// query shardSel: every column typed as declared, a * expanded to the
// case's starCol columns, sort-key columns computed, each shard cut to the
// LIMIT pushed down to it. It also returns how many columns the client
// sees.
func synthResults(t *testing.T, db *sql.DB, spec *mergeSpec, shardSel *sqlparser.Select, tc mergeCase) ([]*sql.Rows, int) {
	t.Helper()
	collation := tc.collation
	if collation == "" {
		collation = "utf8mb4_general_ci"
	}
	query := sqlparser.String(shardSel)
	keyOf, padOf := map[int]int{}, map[int]int{} // sort-key position -> the position it sorts
	// A SUM's bound (overflowFlag) and a SUM's type column, which the
	// cases leave out: position -> the SUM's.
	boundOf, sumTypeOf := map[int]int{}, map[int]int{}
	for i, c := range spec.cols {
		if c.weight >= 0 {
			keyOf[c.weight], padOf[c.pad] = i, i
		}
		if c.overflow > 0 {
			boundOf[c.overflow] = i
		}
		if c.agg == aggSum && c.typ > 0 {
			sumTypeOf[c.typ] = i
		}
	}
	var (
		cols    []synthCol
		names   []string
		from    []int // the case column a result column comes from, or -1
		at      []int // the result column of a select-list position
		visible int
	)
	n := 0
	for p, se := range shardSel.SelectExprs.Exprs {
		at = append(at, len(cols))
		if p == spec.visible {
			visible = len(cols)
		}
		if _, ok := se.(*sqlparser.StarExpr); ok {
			for ; n < len(tc.cols) && tc.cols[n].star; n++ {
				cols, names, from = append(cols, tc.cols[n]), append(names, tc.cols[n].expr), append(from, n)
			}
			continue
		}
		ae, ok := se.(*sqlparser.AliasedExpr)
		if !ok {
			t.Fatalf("shard query column %d is %s", p, sqlparser.String(se))
		}
		text, name := sqlparser.String(ae.Expr), sqlparser.String(ae.Expr)
		if !ae.As.IsEmpty() {
			name = ae.As.String()
		}
		_, isKey := keyOf[p]
		_, isPad := padOf[p]
		if isKey || isPad {
			cols, names, from = append(cols, synthCol{expr: text, typ: "VARBINARY"}), append(names, name), append(from, -1)
			continue
		}
		if _, ok := boundOf[p]; ok {
			cols, names, from = append(cols, synthCol{expr: text, typ: "DOUBLE"}), append(names, name), append(from, -1)
			continue
		}
		if src, ok := sumTypeOf[p]; ok {
			cols, names, from = append(cols, synthCol{expr: text, typ: cols[at[src]].typ}), append(names, name), append(from, -1)
			continue
		}
		if n >= len(tc.cols) || tc.cols[n].expr != text || tc.cols[n].star {
			t.Fatalf("shard query column %d is %s, the case's column %d is %v\nshard query: %s", p, text, n, tc.cols[min(n, len(tc.cols)-1)], query)
		}
		cols, names, from = append(cols, tc.cols[n]), append(names, name), append(from, n)
		n++
	}
	if n != len(tc.cols) {
		t.Fatalf("the case has %d columns, the shard query %d besides sort keys: %s", len(tc.cols), n, query)
	}
	if spec.visible == len(at) {
		visible = len(cols)
	}
	limit := -1
	if shardSel.Limit != nil {
		l, err := strconv.Atoi(sqlparser.String(shardSel.Limit.Rowcount))
		if err != nil || shardSel.Limit.Offset != nil {
			t.Fatalf("pushed-down limit %s", sqlparser.String(shardSel.Limit))
		}
		limit = l
	}
	var results []*sql.Rows
	t.Cleanup(func() {
		for _, r := range results {
			r.Close() // the merge closes them too; closing twice is harmless
		}
	})
	for s, in := range tc.shards {
		if spec.aggs && len(spec.groupBy) == 0 && len(in) != 1 {
			t.Fatalf("shard %d: an aggregate without GROUP BY returns one row from every shard, the case gives %d", s, len(in))
		}
		if limit >= 0 && len(in) > limit {
			in = in[:limit]
		}
		res := &synthResult{cols: cols, names: names}
		for _, r := range in {
			if len(r) != len(tc.cols) {
				t.Fatalf("shard %d: row %v has %d values for %d columns", s, r, len(r), len(tc.cols))
			}
			row := make([]driver.Value, len(cols))
			for c := range cols {
				if from[c] >= 0 {
					row[c] = wireValue(t, r[from[c]], cols[c].typ)
				}
			}
			for p, src := range keyOf {
				row[at[p]] = sortKeyOf(row[at[src]], cols[at[src]].typ)
			}
			for p, src := range padOf {
				row[at[p]] = padKeyOf(row[at[src]], cols[at[src]].typ, collation)
			}
			for p, src := range boundOf {
				// The sum's own size stands for the sum of its values' sizes.
				if r, ok := toRat(row[at[src]]); ok {
					f, _ := new(big.Rat).Abs(r).Float64()
					row[at[p]] = f
				}
			}
			res.rows = append(res.rows, row)
		}
		rows, err := db.QueryContext(context.Background(), "shard", &synthRows{res: res})
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, rows)
	}
	return results, visible
}

// wireValue is v as go-sql-driver/mysql returns a column of type typ over
// the text protocol: integers as int64 (uint64 when unsigned BIGINT),
// DOUBLE as float64, DECIMAL and strings as []byte.
func wireValue(t *testing.T, v any, typ string) driver.Value {
	t.Helper()
	if v == nil {
		return nil
	}
	switch typ {
	case "INT", "BIGINT":
		if i, ok := v.(int); ok {
			return int64(i)
		}
	case "UNSIGNED BIGINT":
		if u, ok := v.(uint64); ok {
			return u
		}
	case "DOUBLE":
		if f, ok := v.(float64); ok {
			return f
		}
	default:
		if s, ok := v.(string); ok {
			return []byte(s)
		}
	}
	t.Fatalf("value %#v for a %s column", v, typ)
	return nil
}

// synthHasCollation says whether a column of type typ has a collation.
func synthHasCollation(typ string) bool {
	return typ == "VARCHAR" || typ == "CHAR" || typ == "TEXT" || typ == "ENUM"
}

// sortKeyOf is what WEIGHT_STRING(v) returns, modeled on
// utf8mb4_general_ci for text (two bytes per character, upper-cased; the
// cases use ASCII) and on the value's text otherwise, which the merge does
// not compare.
func sortKeyOf(v driver.Value, typ string) driver.Value {
	if v == nil {
		return nil
	}
	if !synthHasCollation(typ) {
		return []byte(fmt.Sprint(mergedValue(v)))
	}
	return generalCIKey(string(v.([]byte)))
}

// padKeyOf is the pad column of v (see sortKeyExprs): its collation, then
// the sort key of a space when the collation pads, as for a non-NULL
// value of a PAD SPACE collation.
func padKeyOf(v driver.Value, typ, collation string) driver.Value {
	if !synthHasCollation(typ) {
		return []byte("binary:")
	}
	if v == nil {
		return []byte(collation + ":") // LEFT(NULL, 0) compares as NULL: no pad
	}
	return append([]byte(collation+":"), generalCIKey(" ")...)
}

func generalCIKey(s string) []byte {
	var key []byte
	for _, r := range s {
		u := unicode.ToUpper(r)
		key = append(key, byte(u>>8), byte(u))
	}
	return key
}

// synthResult is one shard's result.
type synthResult struct {
	cols  []synthCol
	names []string
	rows  [][]driver.Value
}

// synthRows are one shard's made-up rows as driver rows; the router's own
// merge driver (newMergeDB) hands them back as *sql.Rows with real
// *sql.ColumnType, which the merge reads.
type synthRows struct {
	res *synthResult
	i   int
}

func (r *synthRows) Columns() []string { return r.res.names }
func (r *synthRows) Close() error      { return nil }

func (r *synthRows) Next(dest []driver.Value) error {
	if r.i >= len(r.res.rows) {
		return io.EOF
	}
	copy(dest, r.res.rows[r.i])
	r.i++
	return nil
}

func (r *synthRows) ColumnTypeDatabaseTypeName(i int) string { return r.res.cols[i].typ }

// ColumnTypePrecisionScale reports a DECIMAL's precision and scale as
// go-sql-driver/mysql does: 32, a SUM's of DECIMAL(10, s) (10 + 22
// digits); other types have none.
func (r *synthRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if c := r.res.cols[i]; c.typ == "DECIMAL" {
		return 32, c.scale, true
	}
	return 0, 0, false
}

// TestColumnName holds columnName to the names MariaDB 10.11 gave these
// unaliased select expressions (each sent as "SELECT <expr>\nFROM t").
func TestColumnName(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"id /* c */ + 1", "id /* c */ + 1"},
		{"1+/*y*/1", "1+/*y*/1"},
		{" id + 1 /* t */", "id + 1"},
		{"/* l */ id + 1", "id + 1"},
		{"id + 1 /* t */ /* u */", "id + 1"},
		{"id + 1 -- z\n", "id + 1"},
		{"1 + 1 # x\n", "1 + 1"},
		{"1 + -- x\n1", "1 + -- x\n1"},
		{"1 + # x\n1", "1 + # x\n1"},
		{"1 +\n1", "1 +\n1"},
		{"id\t+\t1", "id\t+\t1"},
		{"1 /*+ hint */ + 1", "1 /*+ hint */ + 1"},
		{"1+/*!2*/", "1+2"},
		{"id /*!*/ + 1", "id  + 1"},
		{"id /*!+ 1*/", "id + 1"},
		{"/*!1 +*/ 1", "1 + 1"},
		{"1 + /*!  2*/", "1 +   2"},
		{"-(1)", "-(1)"},
		{"(0x41)", "(0x41)"},
		{"concat('a /* b */', id)", "concat('a /* b */', id)"},
		{`concat('it''s', "a\"b", id)`, `concat('it''s', "a\"b", id)`},
		{"`a``b` + 1", "`a``b` + 1"},
		// Not told: the backend's version decides, or the text is cut.
		{"1 + /*!50000 2*/", ""},
		{"1 + /*M!100000 2*/", ""},
		{"1 + /* open", ""},
		{"concat('open", ""},
		{"/* only */", ""},
		// The server's names hold no character outside the BMP.
		{"CONCAT(name, '😀')", "CONCAT(name, '?')"},
	}
	for _, tt := range tests {
		if got := columnName(tt.expr, true); got != tt.want {
			t.Errorf("columnName(%q, first) = %q, want %q", tt.expr, got, tt.want)
		}
	}
	// A comment before a later expression is part of its name.
	later := []struct{ expr, want string }{
		{" /* d */ MIN(id)", "/* d */ MIN(id)"},
		{"/*c*/id + 1", "/*c*/id + 1"},
		{" /*c*/ /*d*/ id * 2 /* e */", "/*c*/ /*d*/ id * 2"},
		{" MAX(id) /* c */", "MAX(id)"},
		{" -- x\n id + 1", "-- x\n id + 1"},
		{"'😀' = name", "'?' = name"},
	}
	for _, tt := range later {
		if got := columnName(tt.expr, false); got != tt.want {
			t.Errorf("columnName(%q, later) = %q, want %q", tt.expr, got, tt.want)
		}
	}
}

// TestDecimalQuotient holds an AVG of DECIMALs to MariaDB 10.11's: worked
// out to the next multiple of nine digits, cut there, then rounded.
func TestDecimalQuotient(t *testing.T) {
	tests := []struct {
		num, den int64
		scale    int
		want     string
	}{
		{8, 3, 4, "2.6667"},
		{8, 3, 9, "2.666666666"},   // AVG of a DECIMAL(20,5)
		{-8, 3, 9, "-2.666666666"}, // cut toward zero
		{8, 3, 18, "2.666666666666666666"},
		{8, 3, 13, "2.6666666666667"},
		{1, 3, 4, "0.3333"},
		{2, 3, 8, "0.66666667"},
	}
	for _, tt := range tests {
		got := string(ratText(decimalQuotient(big.NewRat(tt.num, tt.den), tt.scale), tt.scale))
		if got != tt.want {
			t.Errorf("%d/%d at scale %d = %s, want %s", tt.num, tt.den, tt.scale, got, tt.want)
		}
	}
}
