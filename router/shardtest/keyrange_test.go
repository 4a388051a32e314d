package shardtest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/topology"
	"github.com/scalelab/scalelab/vschema"
)

// whereIs finds the rows of table whose v is v on the shards' primaries,
// and returns the id each holds, with its shard's index.
func whereIs(t *testing.T, topo *topology.Topology, table, v string) (ids []string, shards []int) {
	t.Helper()
	id := "CAST(id+0 AS CHAR)"
	if table == "kr_double" {
		id = "id" // read as a float64: the server prints 2^60 rounded to 17 digits
	}
	for i, s := range topo.Shards {
		db := dbtest.Open(t, topo, s.Primary.HostPort)
		rows, err := db.Query("SELECT "+id+" FROM "+table+" WHERE v = ?", v)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			if table == "kr_double" {
				var f float64
				if err := rows.Scan(&f); err != nil {
					t.Fatal(err)
				}
				id = strconv.FormatFloat(f, 'f', 0, 64) // its exact digits
			} else if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids, shards = append(ids, id), append(shards, i)
		}
		rows.Close()
	}
	return ids, shards
}

// intArg is decimal integer s as an argument: an integer, since a string
// past 2^53 compares with an integer column as a double, which the router
// routes by no one row.
func intArg(t *testing.T, s string) any {
	t.Helper()
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i
	}
	u, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestKeyTheColumnCannotHold: a server that lets an INSERT through with a
// shard key its column cannot hold as it is (INSERT IGNORE, or a session
// without strict mode) stores another value: the column's bound, a
// string's prefix, a year of four digits. The router hashed the key sent,
// so the row sat on a shard where no read of the stored value looked.
// Such a key is refused, in any mode, with nothing stored; a key the
// column holds is stored on the vindex's shard for it, and read back.
func TestKeyTheColumnCannotHold(t *testing.T) {
	sb := dbtest.Sandbox(t)
	columns := []struct{ table, typ string }{
		{"kr_int", "INT"},
		{"kr_uint", "INT UNSIGNED"},
		{"kr_tiny", "TINYINT"},
		{"kr_big", "BIGINT"},
		{"kr_ubig", "BIGINT UNSIGNED"},
		{"kr_dec", "DECIMAL(5,0)"},
		{"kr_medium", "MEDIUMINT UNSIGNED"},
		{"kr_bit", "BIT(8)"},
		{"kr_year", "YEAR"},
		{"kr_text", "VARCHAR(3)"},
		{"kr_double", "DOUBLE"},
		{"kr_date", "DATE"},
		{"kr_aria", "INT"},
		{"kr_altered", "INT"},
		{"kr_auto", "BIGINT AUTO_INCREMENT"},
	}
	tables := map[string]topology.Table{}
	for _, c := range columns {
		tables[c.table] = topology.Table{Column: "id", Vindex: "hash"}
	}
	topo := shardedTopology(t, sb, tables)
	r := openRouter(t, topo, router.Config{Consistency: router.Strong})
	vs, err := vschema.New(topo)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range columns {
		exec(t, r, "DROP TABLE IF EXISTS "+c.table)
		engine := ""
		if c.table == "kr_aria" {
			engine = " ENGINE=Aria" // not transactional
		}
		exec(t, r, fmt.Sprintf("CREATE TABLE %s (id %s PRIMARY KEY, v VARCHAR(32) NOT NULL)%s", c.table, c.typ, engine))
	}

	// stored checks that the row v was stored once, with id want, on the
	// shard the vindex gives for want, and that a point read of want
	// finds it; then deletes it.
	stored := func(t *testing.T, table, v, want string) {
		t.Helper()
		ids, shards := whereIs(t, topo, table, v)
		if len(ids) != 1 || ids[0] != want {
			t.Fatalf("stored ids %v, want one row of %s", ids, want)
		}
		on, err := vs.Locate(table, want)
		if err != nil {
			t.Fatal(err)
		}
		if shards[0] != on {
			t.Errorf("the server stored id %s on shard %s; the vindex puts %s on shard %s, where reads of it go",
				want, topo.Shards[shards[0]].Name, want, topo.Shards[on].Name)
		}
		var got string
		if err := r.GetContext(ctx, &got, "SELECT v FROM "+table+" WHERE id = ?", intArg(t, want)); err != nil || got != v {
			t.Errorf("the point read of id %s answered %q, %v; want %q", want, got, err, v)
		}
		// The key written in the text reads the same, from one shard
		// (a negative one, with its sign an operator to the parser).
		var tr router.Trace
		if err := r.GetContext(router.WithTrace(ctx, &tr), &got, "SELECT v FROM "+table+" WHERE id = "+want); err != nil || got != v {
			t.Errorf("the point read of id %s in the text answered %q, %v; want %q", want, got, err, v)
		}
		// (A key past 2^53 of a DOUBLE column reads every shard: the
		// column compares as doubles; see TestKeyPastDoubles.)
		if wantPlan := router.PlanSingleShard; tr.Plan != wantPlan && len(strings.TrimPrefix(want, "-")) < 16 {
			t.Errorf("the point read of id %s in the text: plan %q, want %q", want, tr.Plan, wantPlan)
		}
		ctx := router.AllowMultiShardWrites(ctx)
		if _, err := r.ExecContext(ctx, "DELETE FROM "+table+" WHERE id = ?", intArg(t, want)); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name, table string
		insert      string // with %s for the row's v
		args        []any
		nonStrict   bool
		stored      string // "" when refused
	}{
		{"text above INT", "kr_int", "INSERT IGNORE INTO kr_int (id, v) VALUES (4294967303, '%s')", nil, false, ""},
		{"argument below INT", "kr_int", "INSERT IGNORE INTO kr_int (id, v) VALUES (?, '%s')", []any{int64(-4294967303)}, false, ""},
		{"string above INT", "kr_int", "INSERT IGNORE INTO kr_int (v, id) VALUES ('%s', '3e9')", nil, false, ""},
		{"INT's top", "kr_int", "INSERT IGNORE INTO kr_int (id, v) VALUES (2147483647, '%s')", nil, false, "2147483647"},
		{"strict INT", "kr_int", "INSERT INTO kr_int (id, v) VALUES (4294967303, '%s')", nil, false, ""},
		{"no strict mode", "kr_int", "INSERT INTO kr_int (id, v) VALUES (4294967303, '%s')", nil, true, ""},
		{"negative into UNSIGNED", "kr_uint", "INSERT IGNORE INTO kr_uint (id, v) VALUES (?, '%s')", []any{int64(-1)}, false, ""},
		{"TINYINT", "kr_tiny", "INSERT IGNORE INTO kr_tiny (id, v) VALUES (?, '%s')", []any{int64(1000)}, false, ""},
		{"TINYINT's bottom", "kr_tiny", "INSERT IGNORE INTO kr_tiny (id, v) VALUES (?, '%s')", []any{int64(-128)}, false, "-128"},
		{"unsigned into BIGINT", "kr_big", "INSERT IGNORE INTO kr_big (id, v) VALUES (?, '%s')", []any{uint64(math.MaxUint64)}, false, ""},
		{"REPLACE negative into BIGINT UNSIGNED", "kr_ubig", "REPLACE INTO kr_ubig (id, v) VALUES (?, '%s')", []any{"-7"}, true, ""},
		{"DECIMAL(5,0)", "kr_dec", "INSERT IGNORE INTO kr_dec (id, v) VALUES (123456, '%s')", nil, false, ""},
		{"DECIMAL(5,0)'s top", "kr_dec", "INSERT IGNORE INTO kr_dec (id, v) VALUES (99999, '%s')", nil, false, "99999"},
		{"MEDIUMINT UNSIGNED", "kr_medium", "INSERT IGNORE INTO kr_medium (id, v) VALUES (16777216, '%s')", nil, false, ""},
		{"BIT(8) above", "kr_bit", "INSERT IGNORE INTO kr_bit (id, v) VALUES (300, '%s')", nil, false, ""},
		{"BIT(8) negative", "kr_bit", "INSERT IGNORE INTO kr_bit (id, v) VALUES (?, '%s')", []any{int64(-1)}, false, ""},
		{"BIT(8)'s top", "kr_bit", "INSERT IGNORE INTO kr_bit (id, v) VALUES (255, '%s')", nil, false, "255"},
		{"BIT(8) string", "kr_bit", "INSERT IGNORE INTO kr_bit (id, v) VALUES ('5', '%s')", nil, false, ""},
		{"YEAR 0", "kr_year", "INSERT INTO kr_year (id, v) VALUES (0, '%s')", nil, false, "0"},
		{"YEAR of two digits", "kr_year", "INSERT INTO kr_year (id, v) VALUES (4, '%s')", nil, false, ""},
		{"YEAR beyond", "kr_year", "INSERT IGNORE INTO kr_year (id, v) VALUES (3000, '%s')", nil, false, ""},
		{"YEAR as text of two digits", "kr_year", "INSERT INTO kr_year (id, v) VALUES ('04', '%s')", nil, false, ""},
		{"YEAR", "kr_year", "INSERT INTO kr_year (id, v) VALUES (2004, '%s')", nil, false, "2004"},
		{"YEAR as text", "kr_year", "INSERT INTO kr_year (id, v) VALUES ('2155', '%s')", nil, false, "2155"},
		{"VARCHAR(3) too long", "kr_text", "INSERT IGNORE INTO kr_text (id, v) VALUES ('1234', '%s')", nil, false, ""},
		{"VARCHAR(3) number too long", "kr_text", "INSERT IGNORE INTO kr_text (id, v) VALUES (1234, '%s')", nil, false, ""},
		{"VARCHAR(3)", "kr_text", "INSERT IGNORE INTO kr_text (id, v) VALUES ('123', '%s')", nil, false, "123"},
		{"DOUBLE past 2^53", "kr_double", "INSERT INTO kr_double (id, v) VALUES (?, '%s')", []any{int64(9007199254740993)}, false, ""},
		{"DOUBLE past 2^53, which it holds", "kr_double", "INSERT INTO kr_double (id, v) VALUES (?, '%s')", []any{int64(1 << 60)}, false, "1152921504606846976"},
		{"DOUBLE of 2^64 - 2^11", "kr_double", "INSERT INTO kr_double (id, v) VALUES (18446744073709549568, '%s')", nil, false, "18446744073709549568"},
		{"DATE", "kr_date", "INSERT IGNORE INTO kr_date (id, v) VALUES (20241399, '%s')", nil, false, ""},
		// A sign is an operator on the literal to the parser: the key is
		// the signed number all the same.
		{"negative literal", "kr_int", "INSERT INTO kr_int (id, v) VALUES (-5, '%s')", nil, false, "-5"},
		{"literal with a plus", "kr_int", "INSERT INTO kr_int (v, id) VALUES ('%s', + 6)", nil, false, "6"},
		{"BIGINT's bottom as a literal", "kr_big", "INSERT INTO kr_big (id, v) VALUES (-9223372036854775808, '%s')", nil, false, "-9223372036854775808"},
		{"negative zero", "kr_int", "INSERT INTO kr_int (id, v) VALUES (-0, '%s')", nil, false, "0"},
		{"negative literal into UNSIGNED", "kr_uint", "INSERT IGNORE INTO kr_uint (id, v) VALUES (-1, '%s')", nil, false, ""},
		{"negative literal below TINYINT", "kr_tiny", "INSERT IGNORE INTO kr_tiny (id, v) VALUES (-129, '%s')", nil, false, ""},
		{"two signs", "kr_int", "INSERT INTO kr_int (id, v) VALUES (- -7, '%s')", nil, false, ""},
		// An AUTO_INCREMENT column stores 0 as the next value of its
		// shard's counter: the shard 0 hashes to, not the new id's.
		{"AUTO_INCREMENT 0", "kr_auto", "INSERT INTO kr_auto (id, v) VALUES (0, '%s')", nil, false, ""},
		{"AUTO_INCREMENT 0 as text", "kr_auto", "INSERT INTO kr_auto (v, id) VALUES ('%s', '0')", nil, false, ""},
		{"AUTO_INCREMENT 0.0", "kr_auto", "INSERT INTO kr_auto (id, v) VALUES (0.0, '%s')", nil, false, ""},
		{"AUTO_INCREMENT 0 argument", "kr_auto", "INSERT INTO kr_auto (id, v) VALUES (?, '%s')", []any{int64(0)}, false, ""},
		{"AUTO_INCREMENT 0 REPLACE", "kr_auto", "REPLACE INTO kr_auto (id, v) VALUES (0, '%s')", nil, true, ""},
		{"AUTO_INCREMENT 0 beside a key", "kr_auto", "INSERT INTO kr_auto (id, v) VALUES (8, '%[1]s'), (0, '%[1]s')", nil, false, ""},
		{"AUTO_INCREMENT given", "kr_auto", "INSERT INTO kr_auto (id, v) VALUES (7, '%s')", nil, false, "7"},
	}
	for n, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := fmt.Sprintf("case%d", n)
			s := r.NewSession()
			defer s.Close()
			if tt.nonStrict {
				if _, err := s.ExecContext(ctx, "SET SESSION sql_mode = ''"); err != nil {
					t.Fatal(err)
				}
			}
			insert := fmt.Sprintf(tt.insert, v)
			_, err := s.ExecContext(ctx, insert, tt.args...)
			if tt.stored == "" {
				if !errors.Is(err, router.ErrUnsupported) {
					t.Errorf("%s: %v, want a refusal", insert, err)
				}
				if ids, _ := whereIs(t, topo, tt.table, v); len(ids) != 0 {
					t.Errorf("%s stored ids %v, want none", insert, ids)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", insert, err)
			}
			stored(t, tt.table, v, tt.stored)
		})
	}

	t.Run("rows over shards, one the column cannot hold", func(t *testing.T) {
		// On one server, a non-transactional table in strict mode takes
		// the first row and clamps the second; split over shards, the
		// second is a shard's first, refused after the first committed.
		_, err := r.ExecContext(ctx, "INSERT INTO kr_aria (id, v) VALUES (1, 'multi'), (5000000000, 'multi'), (2, 'multi')")
		if !errors.Is(err, router.ErrUnsupported) {
			t.Errorf("%v, want a refusal", err)
		}
		if ids, _ := whereIs(t, topo, "kr_aria", "multi"); len(ids) != 0 {
			t.Errorf("stored ids %v, want none", ids)
		}
	})

	t.Run("the type read again after ALTER", func(t *testing.T) {
		if _, err := r.ExecContext(ctx, "INSERT IGNORE INTO kr_altered (id, v) VALUES (3000000000, 'altered')"); !errors.Is(err, router.ErrUnsupported) {
			t.Fatalf("into an INT: %v, want a refusal", err)
		}
		exec(t, r, "ALTER TABLE kr_altered MODIFY id BIGINT NOT NULL")
		exec(t, r, "INSERT IGNORE INTO kr_altered (id, v) VALUES (3000000000, 'altered')")
		stored(t, "kr_altered", "altered", "3000000000")
		exec(t, r, "ALTER TABLE kr_altered MODIFY id INT NOT NULL")
		if _, err := r.ExecContext(ctx, "INSERT IGNORE INTO kr_altered (id, v) VALUES (3000000000, 'altered')"); !errors.Is(err, router.ErrUnsupported) {
			t.Fatalf("into an INT again: %v, want a refusal", err)
		}
	})
}

// TestKeyColumnByName: the key column's type is the table's the INSERT
// names: in another schema, or in another case (which MariaDB on Linux
// keeps apart), another table has another type.
func TestKeyColumnByName(t *testing.T) {
	sb := dbtest.Sandbox(t)
	topo := shardedTopology(t, sb, map[string]topology.Table{"kr_named": {Column: "id", Vindex: "hash"}})
	r := openRouter(t, topo, router.Config{Consistency: router.Strong})
	ctx := context.Background()
	other := topo.DatabaseName() + "_kr_other"
	for _, s := range topo.Shards {
		admin := dbtest.OpenAdmin(t, topo, s.Primary.HostPort)
		for _, q := range []string{
			"DROP DATABASE IF EXISTS " + other,
			"CREATE DATABASE " + other,
			"CREATE TABLE " + other + ".kr_named (id BIGINT PRIMARY KEY, v VARCHAR(32) NOT NULL)",
			"GRANT ALL ON " + other + ".* TO '" + topo.User.Name + "'@'%'",
			"DROP TABLE IF EXISTS " + topo.DatabaseName() + ".kr_named",
			"DROP TABLE IF EXISTS " + topo.DatabaseName() + ".KR_NAMED",
			"CREATE TABLE " + topo.DatabaseName() + ".kr_named (id INT PRIMARY KEY, v VARCHAR(32) NOT NULL)",
			"CREATE TABLE " + topo.DatabaseName() + ".KR_NAMED (id BIGINT PRIMARY KEY, v VARCHAR(32) NOT NULL)",
		} {
			if _, err := admin.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		t.Cleanup(func() { admin.Exec("DROP DATABASE IF EXISTS " + other) })
	}
	for _, tc := range []struct {
		insert  string
		refused bool
	}{
		{"INSERT IGNORE INTO " + other + ".kr_named (id, v) VALUES (3000000000, 'x')", false},
		{"INSERT IGNORE INTO kr_named (id, v) VALUES (3000000000, 'x')", true},
		{"INSERT IGNORE INTO KR_NAMED (id, v) VALUES (3000000000, 'x')", false},
		{"INSERT IGNORE INTO kr_named (id, v) VALUES (3000000001, 'x')", true},
	} {
		_, err := r.ExecContext(ctx, tc.insert)
		if refused := errors.Is(err, router.ErrUnsupported); refused != tc.refused || err != nil && !refused {
			t.Errorf("%s: %v, want refused %v", tc.insert, err, tc.refused)
		}
	}
}
