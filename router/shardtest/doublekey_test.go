package shardtest

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/topology"
	"github.com/scalelab/scalelab/vschema"
)

// TestKeyPastDoubles: a FLOAT, DOUBLE or text key column compares with an
// integer as a double, and past 2^53 a double holds several integers:
// WHERE id = 1152921504606846977 finds the DOUBLE row of
// 1152921504606846976 (and on MySQL, the text row '1152921504606846977'
// answers WHERE id = 1152921504606846976). The router sent such a read to the
// shard of the integer written, where the row it finds is not, and
// answered no row. Now a key past 2^53 of such a column goes to every
// shard; one of an integer or DECIMAL column, which compares exactly,
// still goes to its own shard, once the router read the column's type.
// Each read is compared with what one server holding every row answers:
// the rows the statement finds on each shard's primary, together.
func TestKeyPastDoubles(t *testing.T) {
	sb := dbtest.Sandbox(t)
	const base = uint64(1) << 60 // doubles are 256 apart here, floats 2^37
	columns := []struct {
		table, typ string
		exact      bool
		// stored is the i-th row's key as stored, query an integer
		// key that the column compares equal to it.
		stored, query func(i uint64) uint64
	}{
		{"pd_double", "DOUBLE", false, func(i uint64) uint64 { return base + 256*i }, func(i uint64) uint64 { return base + 256*i + 1 }},
		{"pd_float", "FLOAT", false, func(i uint64) uint64 { return base + i<<37 }, func(i uint64) uint64 { return base + i<<37 + 1 }},
		{"pd_text", "VARCHAR(24)", false, func(i uint64) uint64 { return base + 256*i + 1 }, func(i uint64) uint64 { return base + 256*i }},
		{"pd_big", "BIGINT UNSIGNED", true, func(i uint64) uint64 { return base + 256*i + 1 }, func(i uint64) uint64 { return base + 256*i + 1 }},
		{"pd_dec", "DECIMAL(20,0)", true, func(i uint64) uint64 { return base + 256*i + 1 }, func(i uint64) uint64 { return base + 256*i + 1 }},
	}
	tables := map[string]topology.Table{"pd_alter": {Column: "id", Vindex: "hash"}}
	for _, c := range columns {
		tables[c.table] = topology.Table{Column: "id", Vindex: "hash"}
	}
	topo := shardedTopology(t, sb, tables)
	vs, err := vschema.New(topo)
	if err != nil {
		t.Fatal(err)
	}
	setup := openRouter(t, topo, router.Config{Consistency: router.Strong})
	ctx := context.Background()
	for _, c := range columns {
		exec(t, setup, "DROP TABLE IF EXISTS "+c.table)
		exec(t, setup, fmt.Sprintf("CREATE TABLE %s (id %s PRIMARY KEY, v VARCHAR(32) NOT NULL)", c.table, c.typ))
	}

	// whole is what one server of every row answers: the rows q finds
	// on each shard's primary, sorted.
	whole := func(t *testing.T, q string, args ...any) []string {
		t.Helper()
		var all []string
		for _, s := range topo.Shards {
			rows, err := dbtest.Open(t, topo, s.Primary.HostPort).QueryContext(ctx, q, args...)
			if err != nil {
				t.Fatalf("%s on %s: %v", q, s.Name, err)
			}
			for rows.Next() {
				var v string
				if err := rows.Scan(&v); err != nil {
					t.Fatal(err)
				}
				all = append(all, v)
			}
			rows.Close()
		}
		slices.Sort(all)
		return all
	}

	for _, c := range columns {
		t.Run(c.table, func(t *testing.T) {
			// A row whose stored key's shard is not the queried key's:
			// written on its own shard, as the router would have put it.
			var i uint64
			for ; i < 64; i++ {
				on, err := vs.Locate(c.table, strconv.FormatUint(c.stored(i), 10))
				if err != nil {
					t.Fatal(err)
				}
				other, err := vs.Locate(c.table, strconv.FormatUint(c.query(i), 10))
				if err != nil {
					t.Fatal(err)
				}
				if on != other || c.exact {
					db := dbtest.Open(t, topo, topo.Shards[on].Primary.HostPort)
					key := any(strconv.FormatUint(c.stored(i), 10))
					if !strings.HasPrefix(c.typ, "VARCHAR") {
						key = c.stored(i) // a number, exactly: the column holds it
					}
					if _, err := db.ExecContext(ctx, "INSERT INTO "+c.table+" (id, v) VALUES (?, 'row')", key); err != nil {
						t.Fatal(err)
					}
					break
				}
			}
			if i == 64 {
				t.Fatal("no key's shard differs from its double's: the test shows nothing")
			}
			q := strconv.FormatUint(c.query(i), 10)
			want := whole(t, "SELECT v FROM "+c.table+" WHERE id = "+q)
			// MariaDB compares a string with an integer exactly, and
			// finds no text row; MySQL compares them as doubles.
			if len(want) != 1 && !strings.HasPrefix(c.typ, "VARCHAR") {
				t.Fatalf("the server finds %v for id = %s: the test shows nothing", want, q)
			}
			// A fresh router, which has not read the column's type.
			r := openRouter(t, topo, router.Config{Consistency: router.Strong, AllowMultiShardWrites: true})
			reads := []struct {
				q    string
				args []any
			}{
				{"SELECT v FROM " + c.table + " WHERE id = " + q, nil},
				{"SELECT v FROM " + c.table + " WHERE id = ?", []any{c.query(i)}},
				{"SELECT v FROM " + c.table + " WHERE id = ?", []any{q}},
				{"SELECT v FROM " + c.table + " WHERE id IN (5, " + q + ")", nil},
			}
			for round := range 2 {
				for _, rd := range reads {
					var got []string
					if err := r.SelectContext(ctx, &got, rd.q, rd.args...); err != nil {
						t.Fatalf("%s %v: %v", rd.q, rd.args, err)
					}
					slices.Sort(got)
					if !slices.Equal(got, want) {
						t.Errorf("round %d: %s %v: the router answered %v, one server %v", round, rd.q, rd.args, got, want)
					}
				}
			}
			tr, err := r.Route("SELECT v FROM " + c.table + " WHERE id = " + q)
			if err != nil {
				t.Fatal(err)
			}
			if wantPlan := map[bool]string{true: router.PlanSingleShard, false: router.PlanScatter}[c.exact]; tr.Plan != wantPlan {
				t.Errorf("the read of %s is planned %s, want %s", q, tr.Plan, wantPlan)
			}
			// Without multi-shard writes, a write the key does not pin
			// says why.
			strict := openRouter(t, topo, router.Config{Consistency: router.Strong})
			if _, err := strict.ExecContext(ctx, "UPDATE "+c.table+" SET v = 'refused' WHERE id = "+q); !c.exact && (err == nil || !strings.Contains(err.Error(), "2^53")) {
				t.Errorf("the UPDATE by %s without multi-shard writes: %v, want a refusal that says the key is past 2^53", q, err)
			}
			// A write by the key changes the row the server's would.
			res, err := r.ExecContext(ctx, "UPDATE "+c.table+" SET v = 'updated' WHERE id = "+q)
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := res.RowsAffected(); n != int64(len(want)) {
				t.Errorf("the UPDATE by %s changed %d rows; the server's changes %d", q, n, len(want))
			}
			if got := whole(t, "SELECT v FROM "+c.table+" WHERE v = 'updated'"); len(got) != len(want) {
				t.Errorf("after the UPDATE the table holds %d updated rows, want %d", len(got), len(want))
			}
		})
	}

	// A key column made DOUBLE on the shards directly, not through the
	// router, is seen within a second: the router read it as BIGINT, and
	// pinned a key past 2^53 to its shard.
	t.Run("altered on the shards", func(t *testing.T) {
		exec(t, setup, "DROP TABLE IF EXISTS pd_alter")
		exec(t, setup, "CREATE TABLE pd_alter (id BIGINT PRIMARY KEY, v VARCHAR(32) NOT NULL)")
		var stored, other uint64
		for i := range uint64(64) {
			s, o := base+256*i+1, base+256*i
			on, _ := vs.Locate("pd_alter", strconv.FormatUint(s, 10))
			at, _ := vs.Locate("pd_alter", strconv.FormatUint(o, 10))
			if on != at {
				stored, other = s, o
				if _, err := dbtest.Open(t, topo, topo.Shards[on].Primary.HostPort).ExecContext(ctx, "INSERT INTO pd_alter (id, v) VALUES (?, 'row')", s); err != nil {
					t.Fatal(err)
				}
				break
			}
		}
		if stored == 0 {
			t.Fatal("no key's shard differs from its double's: the test shows nothing")
		}
		r := openRouter(t, topo, router.Config{Consistency: router.Strong})
		var got []string
		if err := r.SelectContext(ctx, &got, "SELECT v FROM pd_alter WHERE id = ?", stored); err != nil || len(got) != 1 {
			t.Fatalf("the read of %d as BIGINT: %v %v", stored, got, err)
		}
		for _, s := range topo.Shards {
			if _, err := dbtest.Open(t, topo, s.Primary.HostPort).ExecContext(ctx, "ALTER TABLE pd_alter MODIFY id DOUBLE NOT NULL"); err != nil {
				t.Fatal(err)
			}
		}
		q := "SELECT v FROM pd_alter WHERE id = " + strconv.FormatUint(other, 10)
		want := whole(t, q)
		if len(want) != 1 {
			t.Fatalf("the server finds %v: the test shows nothing", want)
		}
		waitFor(t, 10*time.Second, "the router to answer "+q+" as the server does", func() bool {
			var got []string
			err := r.SelectContext(ctx, &got, q)
			return err == nil && slices.Equal(got, want)
		})
	})
}
