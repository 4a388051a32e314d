package shardtest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/topology"
)

// aonTables shards table aon by id.
var aonTables = map[string]topology.Table{"aon": {Column: "id", Vindex: "hash"}}

// idsByShard returns, for each shard in order, n ids of table at or above
// from that the vindex places there.
func idsByShard(t *testing.T, r *router.Router, shards, n, from int) [][]int {
	t.Helper()
	out := make([][]int, shards)
	for id, left := from, shards*n; left > 0; id++ {
		i, err := r.VSchema().Locate("aon", id)
		if err != nil {
			t.Fatal(err)
		}
		if len(out[i]) < n {
			out[i] = append(out[i], id)
			left--
		}
	}
	return out
}

// idList is ids as the list of an IN (…): 1,2,3.
func idList(ids []int) string {
	return strings.Trim(strings.Join(strings.Fields(fmt.Sprint(ids)), ","), "[]")
}

// aonRows returns the rows of aon whose id is in ids, as "id=qty", read on
// every shard's primary (not through the router), in id order per shard.
func aonRows(t *testing.T, topo *topology.Topology, ids []int) []string {
	t.Helper()
	list := idList(ids)
	var out []string
	for _, s := range topo.Shards {
		rows, err := dbtest.Open(t, topo, s.Primary.HostPort).Query("SELECT id, qty FROM aon WHERE id IN (" + list + ") ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id, qty int
			if err := rows.Scan(&id, &qty); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%d=%d", id, qty))
		}
		rows.Close()
	}
	return out
}

// TestMultiShardWriteAllOrNothing: a write that spans shards outside a
// transaction, and that one shard refuses (a duplicate key, a value out
// of range), writes nothing on any shard, as a single server rolls the
// statement back, and the client gets the server's error. The router
// used to run it shard by shard, each part committed as it ran, so that
// the shards before the one that refused kept their rows. One that every
// shard takes writes on all, and reads under read-your-writes see it.
func TestMultiShardWriteAllOrNothing(t *testing.T) {
	sb := dbtest.Sandbox(t)
	ctx := context.Background()
	topo := shardedTopology(t, sb, aonTables)
	r := openRouter(t, topo, router.Config{Consistency: router.ReadYourWrites})
	exec(t, r, "DROP TABLE IF EXISTS aon")
	exec(t, r, "CREATE TABLE aon (id BIGINT PRIMARY KEY, qty INT NOT NULL)")
	shards := len(topo.Shards)
	if shards < 2 {
		t.Fatalf("the sandbox has %d shard(s); the test needs two or more", shards)
	}
	ids := idsByShard(t, r, shards, 3, 1)
	first, last := ids[0], ids[shards-1]
	// On the last shard: a row a new one collides with, and one whose
	// qty cannot grow by 1000 in an INT.
	exec(t, r, "INSERT INTO aon (id, qty) VALUES (?, 1)", last[0])
	exec(t, r, "INSERT INTO aon (id, qty) VALUES (?, 2147483000)", last[1])
	exec(t, r, "INSERT INTO aon (id, qty) VALUES (?, 5)", first[0])
	all := []int{first[0], first[1], first[2], last[0], last[1], last[2]}
	want := aonRows(t, topo, all)

	session := r.NewSession()
	t.Cleanup(func() { session.Close() })
	// A session variable makes the session keep its own connections.
	pinned := r.NewSession()
	t.Cleanup(func() { pinned.Close() })
	if _, err := pinned.Run(ctx, "SET SESSION sql_mode = 'STRICT_ALL_TABLES'"); err != nil {
		t.Fatal(err)
	}
	run := map[string]func(q string, args ...any) error{
		"router": func(q string, args ...any) error {
			_, err := r.ExecContext(ctx, q, args...)
			return err
		},
		"session": func(q string, args ...any) error {
			_, err := session.Run(ctx, q, args...)
			return err
		},
		"session with its own connections": func(q string, args ...any) error {
			_, err := pinned.Run(ctx, q, args...)
			return err
		},
	}
	for _, via := range []string{"router", "session", "session with its own connections"} {
		for _, tc := range []struct {
			name string
			q    string
			args []any
			code uint16
		}{
			{"INSERT whose last shard's row is a duplicate", "INSERT INTO aon (id, qty) VALUES (?, 7), (?, 7), (?, 7)", []any{first[1], first[2], last[0]}, 1062},
			{"UPDATE whose last shard's row goes out of range", "UPDATE aon SET qty = qty + 1000 WHERE id IN (?, ?)", []any{first[0], last[1]}, 1264},
		} {
			t.Run(via+"/"+tc.name, func(t *testing.T) {
				err := run[via](tc.q, tc.args...)
				var me *mysql.MySQLError
				if !errors.As(err, &me) || me.Number != tc.code {
					t.Fatalf("got %v, want the server's error %d", err, tc.code)
				}
				if got := aonRows(t, topo, all); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("after the refused write the shards hold %v, want %v as before it", got, want)
				}
			})
		}
	}

	t.Run("a write every shard takes", func(t *testing.T) {
		var fresh []int
		var values []string
		for _, s := range idsByShard(t, r, shards, 1, 100000) {
			fresh = append(fresh, s[0])
			values = append(values, fmt.Sprintf("(%d, 3)", s[0]))
		}
		res, err := r.ExecContext(ctx, "INSERT INTO aon (id, qty) VALUES "+strings.Join(values, ", "))
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n != int64(shards) {
			t.Errorf("rows affected %d, want %d", n, shards)
		}
		if got := aonRows(t, topo, fresh); len(got) != shards {
			t.Errorf("the shards hold %v, want the %d rows", got, shards)
		}
		// Under read-your-writes the read waits for every shard's write.
		var n int
		if err := r.GetContext(ctx, &n, "SELECT COUNT(*) FROM aon WHERE id IN ("+idList(fresh)+")"); err != nil {
			t.Fatal(err)
		}
		if n != shards {
			t.Errorf("a read-your-writes read right after the write counts %d rows, want %d", n, shards)
		}
	})
}

// tableLocked reports, for each shard's primary, whether table aon is
// locked there against another client: a read of it waits past a
// one-second lock_wait_timeout (1205).
func tableLocked(t *testing.T, topo *topology.Topology) []bool {
	t.Helper()
	ctx := context.Background()
	var out []bool
	for _, s := range topo.Shards {
		c, err := dbtest.Open(t, topo, s.Primary.HostPort).Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.ExecContext(ctx, "SET SESSION lock_wait_timeout = 1"); err != nil {
			t.Fatal(err)
		}
		_, err = c.ExecContext(ctx, "SELECT COUNT(*) FROM aon")
		c.Close()
		var me *mysql.MySQLError
		switch {
		case err == nil:
			out = append(out, false)
		case errors.As(err, &me) && me.Number == 1205:
			out = append(out, true)
		default:
			t.Fatalf("shard %s: %v", s.Name, err)
		}
	}
	return out
}

// TestMultiShardWriteKeepsSession: a write across shards in a session
// that keeps its own connections leaves the session's state as a
// statement on one server leaves it: its LOCK TABLES stays. The branches
// were opened with START TRANSACTION and ended with a plain COMMIT, which
// released the lock. A session's SET completion_type = CHAIN or RELEASE,
// which chained a transaction that the next write ran in, never
// committed, is refused now: the session's next writes are committed.
func TestMultiShardWriteKeepsSession(t *testing.T) {
	sb := dbtest.Sandbox(t)
	ctx := context.Background()
	topo := shardedTopology(t, sb, aonTables)
	r := openRouter(t, topo, router.Config{})
	exec(t, r, "DROP TABLE IF EXISTS aon")
	exec(t, r, "CREATE TABLE aon (id BIGINT PRIMARY KEY, qty INT NOT NULL)")
	ids := idsByShard(t, r, len(topo.Shards), 6, 1)
	first, second := ids[0], ids[1]
	run := func(s *router.Session, q string) {
		t.Helper()
		res, err := s.Run(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if res.Rows != nil {
			res.Rows.Close()
		}
	}
	for k, completion := range []string{"CHAIN", "RELEASE"} {
		t.Run("completion_type "+completion, func(t *testing.T) {
			// Refused: the session's transactions are the router's,
			// which would neither chain nor release.
			s := r.NewSession()
			defer s.Close()
			if _, err := s.Run(ctx, "SET SESSION completion_type = '"+completion+"'"); err == nil || !strings.Contains(err.Error(), "completion_type") {
				t.Fatalf("SET completion_type = %s: %v, want it refused", completion, err)
			}
			a, b, c := first[2*k], second[2*k], first[2*k+1]
			run(s, fmt.Sprintf("INSERT INTO aon (id, qty) VALUES (%d, 1), (%d, 1)", a, b))
			run(s, fmt.Sprintf("INSERT INTO aon (id, qty) VALUES (%d, 2)", c))
			// Seen by another client while the session is still open.
			want := []string{fmt.Sprintf("%d=2", c)}
			if got := aonRows(t, topo, []int{c}); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("another client sees %v of the write after the multi-shard one, want %v: it was not committed", got, want)
			}
		})
	}
	t.Run("LOCK TABLES", func(t *testing.T) {
		s := r.NewSession()
		defer s.Close()
		run(s, "LOCK TABLES aon WRITE")
		before := tableLocked(t, topo)
		if !before[0] {
			t.Fatalf("LOCK TABLES in the session locks the shards %v; want the first locked", before)
		}
		run(s, fmt.Sprintf("INSERT INTO aon (id, qty) VALUES (%d, 1), (%d, 1)", first[4], second[4]))
		if after := tableLocked(t, topo); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("after a multi-shard INSERT the table is locked on the shards %v, want %v as before it", after, before)
		}
		run(s, "UNLOCK TABLES")
	})
}

// TestMultiShardWriteRefusedThenAutocommit: after a write across shards
// that a shard refused, the connections its branches ran on are back in
// autocommit: the next one-row write on the same connection (each
// primary's pool holds one), or on a session's own, is committed at
// once, as another client sees.
func TestMultiShardWriteRefusedThenAutocommit(t *testing.T) {
	sb := dbtest.Sandbox(t)
	ctx := context.Background()
	topo := shardedTopology(t, sb, aonTables)
	r := openRouter(t, topo, router.Config{Replica: replica.Config{Pool: replica.PoolConfig{MaxOpen: 1, MaxIdle: 1}}})
	exec(t, r, "DROP TABLE IF EXISTS aon")
	exec(t, r, "CREATE TABLE aon (id BIGINT PRIMARY KEY, qty INT NOT NULL)")
	shards := len(topo.Shards)
	ids := idsByShard(t, r, shards, 4, 1)
	first, last := ids[0], ids[shards-1]
	exec(t, r, "INSERT INTO aon (id, qty) VALUES (?, 1)", last[0])
	// The session is made after the router's turn: it holds a
	// connection of each primary it reached, the pool's one.
	var pinned *router.Session
	t.Cleanup(func() {
		if pinned != nil {
			pinned.Close()
		}
	})
	for k, via := range []struct {
		name string
		run  func(q string, args ...any) error
	}{
		{"router", func(q string, args ...any) error { _, err := r.ExecContext(ctx, q, args...); return err }},
		{"session with its own connections", func(q string, args ...any) error {
			if pinned == nil {
				pinned = r.NewSession()
				if _, err := pinned.Run(ctx, "SET SESSION sql_mode = 'STRICT_ALL_TABLES'"); err != nil {
					return err
				}
			}
			_, err := pinned.Run(ctx, q, args...)
			return err
		}},
	} {
		t.Run(via.name, func(t *testing.T) {
			err := via.run("INSERT INTO aon (id, qty) VALUES (?, 7), (?, 7)", first[2*k], last[0])
			var me *mysql.MySQLError
			if !errors.As(err, &me) || me.Number != 1062 {
				t.Fatalf("got %v, want the server's duplicate key (1062)", err)
			}
			if err := via.run("INSERT INTO aon (id, qty) VALUES (?, 9)", first[2*k+1]); err != nil {
				t.Fatal(err)
			}
			want := []string{fmt.Sprintf("%d=9", first[2*k+1])}
			if got := aonRows(t, topo, []int{first[2*k], first[2*k+1]}); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("another client sees %v, want %v: the one-row write after the refused one was not committed", got, want)
			}
		})
	}
}
