package shardtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/topology"
)

// nolistTables shards three tables by id: nolist's key is its second
// visible column, AUTO_INCREMENT, after which comes an invisible one;
// nolist_defaults has a default for every column but its key, which is
// not AUTO_INCREMENT; nolist_hidden's key is invisible.
var nolistTables = map[string]topology.Table{
	"nolist":          {Column: "id", Vindex: "hash"},
	"nolist_defaults": {Column: "id", Vindex: "hash"},
	"nolist_hidden":   {Column: "id", Vindex: "hash"},
}

// nolistRows reads table's rows as "id:rest" on every shard's primary
// (not through the router), and fails the test for a row on a shard its
// id does not hash to.
func nolistRows(t *testing.T, topo *topology.Topology, r *router.Router, table, rest string) []string {
	t.Helper()
	var out []string
	for i, s := range topo.Shards {
		rows, err := dbtest.Open(t, topo, s.Primary.HostPort).Query("SELECT id, " + rest + " FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id uint64
			var v string
			if err := rows.Scan(&id, &v); err != nil {
				t.Fatal(err)
			}
			if home, err := r.VSchema().Locate(table, id); err != nil || home != i {
				t.Errorf("%s row %d is on shard %s, want shard %d (%v)", table, id, s.Name, home, err)
			}
			out = append(out, fmt.Sprintf("%d:%s", id, v))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	slices.Sort(out)
	return out
}

// TestInsertWithoutColumnList: an INSERT without a column list into a
// sharded table finds the key by the table's columns as the server
// orders them, its invisible ones left out, and sends each row to the
// shard of its key; a NULL or DEFAULT key, and a row of defaults, get ids
// from the table's sequence, as AUTO_INCREMENT would give them; a row of
// the wrong length fails as on the server. The router used to refuse
// every INSERT without a column list, and a NULL key.
func TestInsertWithoutColumnList(t *testing.T) {
	sb := dbtest.Sandbox(t)
	topo := shardedTopology(t, sb, nolistTables)
	r := openRouter(t, topo, router.Config{})
	ctx := context.Background()
	for _, q := range []string{
		"DROP TABLE IF EXISTS nolist, nolist_defaults, nolist_hidden",
		"CREATE TABLE nolist (label VARCHAR(20) NOT NULL, id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, secret INT INVISIBLE DEFAULT 7, n INT)",
		"CREATE TABLE nolist_defaults (id BIGINT UNSIGNED NOT NULL PRIMARY KEY, v INT NOT NULL DEFAULT 5)",
		"CREATE TABLE nolist_hidden (v INT, id BIGINT UNSIGNED NULL INVISIBLE, UNIQUE KEY (id))",
	} {
		exec(t, r, q)
	}

	exec(t, r, "INSERT INTO nolist VALUES ('a', 1, 10), ('b', 2, 20), ('c', 3, 30), ('d', 4, 40), ('e', 5, 50), ('f', 6, 60)")
	if res, err := r.ExecContext(ctx, "INSERT INTO nolist VALUES (?, ?, ?)", "g", 7, 70); err != nil {
		t.Fatal(err)
	} else if id, _ := res.LastInsertId(); id != 7 {
		t.Errorf("an id given without a column list: insert id %d, want the id given, 7, as the server answers", id)
	}
	exec(t, r, "REPLACE INTO nolist VALUES ('h', 8, 80)")
	want := []string{"1:a/10/7", "2:b/20/7", "3:c/30/7", "4:d/40/7", "5:e/50/7", "6:f/60/7", "7:g/70/7", "8:h/80/7"}
	if got := nolistRows(t, topo, r, "nolist", "CONCAT_WS('/', label, n, secret)"); !slices.Equal(got, want) {
		t.Errorf("got rows %v, want %v", got, want)
	}
	for id := 1; id <= 8; id++ {
		var label string
		if err := r.With(router.Strong).GetContext(ctx, &label, "SELECT label FROM nolist WHERE id = ?", id); err != nil {
			t.Errorf("id %d: %v", id, err)
		}
	}

	// NULL and DEFAULT keys, in a statement with keys given too.
	res, err := r.ExecContext(ctx, "INSERT INTO nolist VALUES ('n1', NULL, 1), ('n2', 100, 2), ('n3', NULL, 3)")
	if err != nil {
		t.Fatal(err)
	}
	first, err := res.LastInsertId()
	if err != nil || first < 1 {
		t.Fatalf("got first id %d, %v, want one from the sequence", first, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 3 {
		t.Errorf("got %d rows affected, %v, want 3", n, err)
	}
	exec(t, r, "INSERT INTO nolist (label, id, n) VALUES ('d1', DEFAULT, 4)")
	exec(t, r, "INSERT INTO nolist VALUES (?, ?, ?)", "p1", nil, 5)
	got := nolistRows(t, topo, r, "nolist", "label")
	for _, label := range []string{"n1", "n3", "d1", "p1"} {
		found := 0
		for _, row := range got {
			var id uint64
			var l string
			if _, err := fmt.Sscanf(row, "%d:%s", &id, &l); err == nil && l == label && id >= uint64(first) {
				found++
			}
		}
		if found != 1 {
			t.Errorf("label %s: %d rows with an id from the sequence (at or past %d), want 1: %v", label, found, first, got)
		}
	}
	if !slices.Contains(got, "100:n2") {
		t.Errorf("the row given key 100 is missing: %v", got)
	}
	if !slices.Contains(got, fmt.Sprintf("%d:n1", first)) {
		t.Errorf("LAST_INSERT_ID %d is not n1's id: %v", first, got)
	}
	// An id given explicitly moves the sequence past it, as a server's
	// AUTO_INCREMENT counter moves: within the block the router holds,
	// and past it.
	var top uint64
	for _, row := range got {
		var id uint64
		var l string
		if _, err := fmt.Sscanf(row, "%d:%s", &id, &l); err == nil && id != 100 {
			top = max(top, id)
		}
	}
	for _, step := range []struct {
		explicit uint64
		label    string
	}{{top + 1, "x1"}, {top + 5000, "x2"}} {
		exec(t, r, fmt.Sprintf("INSERT INTO nolist VALUES ('%s', %d, 1)", step.label, step.explicit))
		res, err := r.ExecContext(ctx, "INSERT INTO nolist (label, n) VALUES ('after', 2)")
		if err != nil {
			t.Fatalf("an id from the sequence after %d was given: %v", step.explicit, err)
		}
		if id, _ := res.LastInsertId(); uint64(id) <= step.explicit {
			t.Errorf("after %d was given, the sequence handed out %d", step.explicit, id)
		}
	}

	// Rows of defaults.
	exec(t, r, "INSERT INTO nolist_defaults VALUES (), ()")
	exec(t, r, "INSERT INTO nolist_defaults () VALUES ()")
	if got := nolistRows(t, topo, r, "nolist_defaults", "v"); len(got) != 3 {
		t.Errorf("got rows %v, want 3 of defaults", got)
	}
	// A NULL key of a column that is not AUTO_INCREMENT is not an id:
	// the server would store NULL or the default, or refuse the row.
	if _, err := r.ExecContext(ctx, "INSERT INTO nolist_defaults VALUES (NULL, 1)"); !errors.Is(err, router.ErrUnsupported) {
		t.Errorf("a NULL key that is not AUTO_INCREMENT: got %v, want a refusal", err)
	}

	// A DDL the router runs moves the key: the next INSERT finds it.
	exec(t, r, "ALTER TABLE nolist ADD COLUMN lead INT NOT NULL DEFAULT 0 FIRST")
	exec(t, r, "INSERT INTO nolist VALUES (1, 'm', 200, 9)")
	if got := nolistRows(t, topo, r, "nolist", "label"); !slices.Contains(got, "200:m") {
		t.Errorf("after the column moved, the row with key 200 is missing: %v", got)
	}

	// DDL run on the shards directly reorders the columns: an INSERT
	// right after it, which the router may plan by the order it read
	// before, is refused or stores its row where its key is read (the
	// shards get the column list the router planned by), never on
	// another shard.
	for _, s := range topo.Shards {
		if _, err := dbtest.Open(t, topo, s.Primary.HostPort).Exec("ALTER TABLE nolist MODIFY label VARCHAR(20) NOT NULL AFTER id"); err != nil {
			t.Fatal(err)
		}
	}
	// Two numbers on two shards: by the order read before, the row's key
	// is b (and a its label); by the new one, a.
	a, b := uint64(250), uint64(251)
	for ; ; b++ {
		sa, _ := r.VSchema().Locate("nolist", a)
		sb, _ := r.VSchema().Locate("nolist", b)
		if sa != sb {
			break
		}
	}
	if _, err := r.ExecContext(ctx, fmt.Sprintf("INSERT INTO nolist VALUES (2, %d, %d, 9)", a, b)); err != nil {
		t.Fatal(err)
	}
	got = nolistRows(t, topo, r, "nolist", "label") // every row on its key's shard
	if !slices.Contains(got, fmt.Sprintf("%d:%d", b, a)) && !slices.Contains(got, fmt.Sprintf("%d:%d", a, b)) {
		t.Errorf("after the columns moved behind the router's back, the row of %d and %d is missing: %v", a, b, got)
	}
	for _, s := range topo.Shards {
		if _, err := dbtest.Open(t, topo, s.Primary.HostPort).Exec("ALTER TABLE nolist MODIFY label VARCHAR(20) NOT NULL AFTER lead"); err != nil {
			t.Fatal(err)
		}
	}
	exec(t, r, "ALTER TABLE nolist COMMENT 'the router forgets its columns'")

	// Wrong lengths fail as the server fails them; nothing is written.
	direct := dbtest.Open(t, topo, topo.Shards[0].Primary.HostPort)
	for _, q := range []string{
		"INSERT INTO nolist VALUES (1, 'x', 300, 9), (1, 'y', 301)",
		"INSERT INTO nolist VALUES (1, 'x', 300)",
		"INSERT INTO nolist VALUES (), (1, 'y', 301, 9)",
	} {
		_, want := direct.Exec(q)
		_, err := r.ExecContext(ctx, q)
		var me, wme *mysql.MySQLError
		if !errors.As(err, &me) || !errors.As(want, &wme) || me.Number != wme.Number || me.Message != wme.Message {
			t.Errorf("%s: got %v, want the server's %v", q, err, want)
		}
	}
	if got := nolistRows(t, topo, r, "nolist", "label"); slices.Contains(got, "300:x") || slices.Contains(got, "301:y") {
		t.Errorf("a refused INSERT wrote rows: %v", got)
	}

	// An invisible key cannot be given without a column list.
	if _, err := r.ExecContext(ctx, "INSERT INTO nolist_hidden VALUES (1)"); !errors.Is(err, router.ErrUnsupported) {
		t.Errorf("INSERT without a column list and an invisible key: got %v, want a refusal", err)
	}
}

// TestAutoIncrementNotKey: a sharded table's AUTO_INCREMENT column that is
// not its shard key gets its ids from a sequence of the keyspace, as its
// key would: left out, NULL or DEFAULT, in rows of every shard. Each
// shard's own counter gave rows of several shards the same ids (1, 1, 1,
// 2 for four rows where a server gives 1, 2, 3, 4), and the insert id of
// one shard. An id given explicitly moves the sequence past it.
func TestAutoIncrementNotKey(t *testing.T) {
	sb := dbtest.Sandbox(t)
	topo := shardedTopology(t, sb, map[string]topology.Table{"autonk": {Column: "owner", Vindex: "hash"}})
	r := openRouter(t, topo, router.Config{})
	ctx := context.Background()
	exec(t, r, "DROP TABLE IF EXISTS autonk")
	exec(t, r, "CREATE TABLE autonk (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, owner BIGINT NOT NULL, v INT, UNIQUE KEY (owner))")
	var firsts []int64
	for _, q := range []string{
		"INSERT INTO autonk (owner, v) VALUES (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6)",
		"INSERT INTO autonk VALUES (NULL, 7, 7), (DEFAULT, 8, 8)",
		"INSERT INTO autonk (id, owner, v) VALUES (NULL, 9, 9)",
		"INSERT INTO autonk (id, owner, v) VALUES (0, 20, 20), (0, 21, 21)", // 0 is the next id too
	} {
		res, err := r.ExecContext(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		id, err := res.LastInsertId()
		if err != nil || id < 1 {
			t.Errorf("%s: insert id %d, %v", q, id, err)
		}
		firsts = append(firsts, id)
	}
	// The ids of every shard's rows, each once.
	distinct := func() map[uint64]int64 {
		t.Helper()
		ids := map[uint64]int64{}
		for _, s := range topo.Shards {
			rows, err := dbtest.Open(t, topo, s.Primary.HostPort).Query("SELECT id, owner FROM autonk")
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id uint64
				var owner int64
				if err := rows.Scan(&id, &owner); err != nil {
					t.Fatal(err)
				}
				if prev, dup := ids[id]; dup {
					t.Errorf("id %d is both owner %d's and owner %d's", id, prev, owner)
				}
				ids[id] = owner
			}
			rows.Close()
		}
		return ids
	}
	ids := distinct()
	if len(ids) != 11 {
		t.Errorf("%d distinct ids, want 11: %v", len(ids), ids)
	}
	for n, first := range firsts {
		if _, ok := ids[uint64(first)]; !ok {
			t.Errorf("statement %d's insert id %d is no row's id: %v", n+1, first, ids)
		}
	}
	exec(t, r, "INSERT INTO autonk (id, owner, v) VALUES (5000, 10, 10)")
	res, err := r.ExecContext(ctx, "INSERT INTO autonk (owner, v) VALUES (11, 11)")
	if err != nil {
		t.Fatal(err)
	}
	next, _ := res.LastInsertId()
	if next <= 5000 {
		t.Errorf("after 5000 was given, the sequence handed out %d", next)
	}
	// An id the statement gives itself, the sequence's next, and a NULL
	// after it: the NULL's id comes past it, as on a server.
	exec(t, r, fmt.Sprintf("INSERT INTO autonk (id, owner, v) VALUES (%d, 12, 12), (NULL, 13, 13)", next+1))
	if ids := distinct(); len(ids) != 15 {
		t.Errorf("%d distinct ids, want 15: %v", len(ids), ids)
	}
	// An upsert that meets its row answers that row's id, as the
	// server does, not an id no row holds; a DOUBLE key (Node.js's
	// mysql2 sends numbers so) routes as the integer it equals.
	var owner1 int64
	if err := r.With(router.Strong).GetContext(ctx, &owner1, "SELECT id FROM autonk WHERE owner = 1"); err != nil {
		t.Fatal(err)
	}
	res, err = r.ExecContext(ctx, "INSERT INTO autonk (owner, v) VALUES (?, ?) ON DUPLICATE KEY UPDATE v = 100, id = LAST_INSERT_ID(id)", float64(1), float64(100))
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := res.LastInsertId(); id != owner1 {
		t.Errorf("an upsert that met owner 1's row (id %d): insert id %d", owner1, id)
	}
}
