package shardtest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/topology"
	"github.com/scalelab/scalelab/vschema"
)

// whereIs finds the rows of table whose v is v on the shards' primaries,
// and returns the id each holds, with its shard's index.
func whereIs(t *testing.T, topo *topology.Topology, table, v string) (ids []string, shards []int) {
	t.Helper()
	for i, s := range topo.Shards {
		db := dbtest.Open(t, topo, s.Primary.HostPort)
		rows, err := db.Query("SELECT CAST(id AS CHAR) FROM "+table+" WHERE v = ?", v)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
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

// TestKeyBeyondColumnRange: a server that lets an INSERT through with a
// shard key beyond its column's range (INSERT IGNORE, or a session
// without strict mode) stores the column's bound, so the row must go to
// the bound's shard, where a read of the bound looks. The router used to
// hash the value sent: the clamped row sat on a shard no read of it
// reached. Each case checks where the server put the row against the
// vindex's shard for the value stored, and reads it back by that value.
func TestKeyBeyondColumnRange(t *testing.T) {
	sb := dbtest.Sandbox(t)
	tables := map[string]topology.Table{}
	columns := map[string]string{
		"kr_int":     "INT",
		"kr_uint":    "INT UNSIGNED",
		"kr_tiny":    "TINYINT",
		"kr_big":     "BIGINT",
		"kr_ubig":    "BIGINT UNSIGNED",
		"kr_dec":     "DECIMAL(5,0)",
		"kr_medium":  "MEDIUMINT UNSIGNED",
		"kr_altered": "INT",
	}
	for name := range columns {
		tables[name] = topology.Table{Column: "id", Vindex: "hash"}
	}
	topo := shardedTopology(t, sb, tables)
	r := openRouter(t, topo, router.Config{})
	vs, err := vschema.New(topo)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for name, typ := range columns {
		exec(t, r, "DROP TABLE IF EXISTS "+name)
		exec(t, r, fmt.Sprintf("CREATE TABLE %s (id %s PRIMARY KEY, v VARCHAR(32) NOT NULL)", name, typ))
	}
	tests := []struct {
		name, table string
		insert      string // with %s for the row's v
		args        []any
		stored      string
	}{
		{"text above INT", "kr_int", "INSERT IGNORE INTO kr_int (id, v) VALUES (4294967303, '%s')", nil, "2147483647"},
		{"argument above INT", "kr_int", "INSERT IGNORE INTO kr_int (id, v) VALUES (?, '%s')", []any{int64(-4294967303)}, "-2147483648"},
		{"string above INT", "kr_int", "INSERT IGNORE INTO kr_int (v, id) VALUES ('%s', '3e9')", nil, "2147483647"},
		{"negative into UNSIGNED", "kr_uint", "INSERT IGNORE INTO kr_uint (id, v) VALUES (?, '%s')", []any{int64(-1)}, "0"},
		{"TINYINT", "kr_tiny", "INSERT IGNORE INTO kr_tiny (id, v) VALUES (?, '%s')", []any{int64(1000)}, "127"},
		{"unsigned into BIGINT", "kr_big", "INSERT IGNORE INTO kr_big (id, v) VALUES (?, '%s')", []any{uint64(math.MaxUint64)}, "9223372036854775807"},
		{"negative into BIGINT UNSIGNED", "kr_ubig", "REPLACE INTO kr_ubig (id, v) VALUES (?, '%s')", []any{"-7"}, "0"},
		{"DECIMAL(5,0)", "kr_dec", "INSERT IGNORE INTO kr_dec (id, v) VALUES (123456, '%s')", nil, "99999"},
		{"MEDIUMINT UNSIGNED", "kr_medium", "INSERT IGNORE INTO kr_medium (id, v) VALUES (16777216, '%s')", nil, "16777215"},
	}
	for n, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := fmt.Sprintf("case%d", n)
			s := r.NewSession()
			defer s.Close()
			insert := fmt.Sprintf(tt.insert, v)
			if strings.HasPrefix(insert, "REPLACE") {
				// REPLACE has no IGNORE: a session without strict mode
				// clamps it.
				if _, err := s.ExecContext(ctx, "SET SESSION sql_mode = ''"); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.ExecContext(ctx, insert, tt.args...); err != nil {
				t.Fatalf("%s: %v", insert, err)
			}
			ids, shards := whereIs(t, topo, tt.table, v)
			if len(ids) != 1 || ids[0] != tt.stored {
				t.Fatalf("%s stored ids %v, want one row of %s", insert, ids, tt.stored)
			}
			want, err := vs.Locate(tt.table, tt.stored)
			if err != nil {
				t.Fatal(err)
			}
			if shards[0] != want {
				t.Errorf("%s: the server stored id %s on shard %s; the vindex puts %s on shard %s, where reads of it go",
					insert, tt.stored, topo.Shards[shards[0]].Name, tt.stored, topo.Shards[want].Name)
			}
			var got string
			err = s.GetContext(ctx, &got, "SELECT v FROM "+tt.table+" WHERE id = ?", intArg(t, tt.stored))
			if err != nil || got != v {
				t.Errorf("the point read of id %s answered %q, %v; want %q", tt.stored, got, err, v)
			}
			exec(t, r, "DELETE FROM "+tt.table+" WHERE id = ?", intArg(t, tt.stored))
		})
	}

	t.Run("rows over shards, one clamped", func(t *testing.T) {
		exec(t, r, "INSERT IGNORE INTO kr_int (id, v) VALUES (1, 'multi'), (2, 'multi'), (3, 'multi'), (5000000000, 'multi'), (4, 'multi')")
		ids, shards := whereIs(t, topo, "kr_int", "multi")
		if len(ids) != 5 {
			t.Fatalf("stored ids %v, want 5", ids)
		}
		for i, id := range ids {
			if want, _ := vs.Locate("kr_int", id); shards[i] != want {
				t.Errorf("id %s on shard %s, the vindex says %s", id, topo.Shards[shards[i]].Name, topo.Shards[want].Name)
			}
		}
		for _, id := range ids {
			exec(t, r, "DELETE FROM kr_int WHERE id = ?", intArg(t, id))
		}
	})

	t.Run("strict mode refuses", func(t *testing.T) {
		_, err := r.ExecContext(ctx, "INSERT INTO kr_int (id, v) VALUES (4294967303, 'strict')")
		var me *mysql.MySQLError
		if !errors.As(err, &me) || me.Number != 1264 {
			t.Errorf("a strict INSERT of 4294967303 into an INT key: %v, want the server's error 1264", err)
		}
	})

	t.Run("the range read again after ALTER", func(t *testing.T) {
		exec(t, r, "INSERT IGNORE INTO kr_altered (id, v) VALUES (3000000000, 'before')")
		exec(t, r, "ALTER TABLE kr_altered MODIFY id BIGINT NOT NULL")
		exec(t, r, "INSERT IGNORE INTO kr_altered (id, v) VALUES (3000000000, 'after')")
		for v, stored := range map[string]string{"before": "2147483647", "after": "3000000000"} {
			ids, shards := whereIs(t, topo, "kr_altered", v)
			if len(ids) != 1 || ids[0] != stored {
				t.Fatalf("%s: stored ids %v, want %s", v, ids, stored)
			}
			if want, _ := vs.Locate("kr_altered", stored); shards[0] != want {
				t.Errorf("%s: id %s on shard %s, the vindex says %s", v, stored, topo.Shards[shards[0]].Name, topo.Shards[want].Name)
			}
		}
	})

}
