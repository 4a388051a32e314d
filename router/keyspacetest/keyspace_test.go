package keyspacetest

import (
	"context"
	"database/sql"
	"errors"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/internal/proxytest"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/schema"
	"github.com/scalelab/scalelab/topology"
)

var gen = schema.Config{Seed: 7, Users: 60, Images: 300, Likes: 900}

// setup loads the sample data once into the package's sandbox and returns
// its topology.
func setup(t *testing.T) *topology.Topology {
	t.Helper()
	topo := dbtest.Sandbox(t).Topology
	once.Do(func() {
		_, loadErr = schema.Load(context.Background(), schema.LoadConfig{Topology: topo, Generator: gen, Drop: true})
	})
	if loadErr != nil {
		t.Fatalf("load: %v", loadErr)
	}
	return topo
}

var (
	once    sync.Once
	loadErr error
)

func openRouter(t *testing.T, topo *topology.Topology) *router.Router {
	t.Helper()
	r, err := router.Open(context.Background(), topo, router.Config{Consistency: router.Strong})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// TestLoadPlacesTablesInTheirKeyspaces: every sample table is created and
// loaded in its keyspace only, with the rows the generator made.
func TestLoadPlacesTablesInTheirKeyspaces(t *testing.T) {
	topo := setup(t)
	ctx := context.Background()
	g, err := schema.NewGenerator(gen)
	if err != nil {
		t.Fatal(err)
	}
	sums, err := schema.Checksums(ctx, topo)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range schema.Tables() {
		want, err := g.Checksum(table)
		if err != nil {
			t.Fatal(err)
		}
		if sums[table] != want {
			t.Errorf("%s: checksum over its keyspace %+v, generator %+v", table, sums[table], want)
		}
	}
	home := map[string]string{"users": "users", "images": "media", "likes": "media"}
	for _, s := range topo.Shards {
		ks, _ := topology.SplitShard(s.Name)
		db := dbtest.OpenAdmin(t, topo, s.Primary.HostPort)
		for table, want := range home {
			var n int
			if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", topo.DatabaseName(), table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if exists := n == 1; exists != (ks == want) {
				t.Errorf("table %s on shard %s: exists %v, want it in keyspace %s only", table, s.Name, exists, want)
			}
		}
	}
}

// TestRoutesEachTableToItsKeyspace reads every table through the router,
// by key and scattered, and compares with the generator's counts.
func TestRoutesEachTableToItsKeyspace(t *testing.T) {
	topo := setup(t)
	r := openRouter(t, topo)
	ctx := context.Background()
	for table, want := range map[string]int{"users": gen.Users, "images": gen.Images, "likes": gen.Likes} {
		var n int
		if err := r.GetContext(ctx, &n, "SELECT COUNT(*) FROM "+table); err != nil || n != want {
			t.Errorf("SELECT COUNT(*) FROM %s: got %d, %v, want %d", table, n, err, want)
		}
	}
	for _, tc := range []struct{ query, shard string }{
		{"SELECT name FROM users WHERE id = 5", "users/0"},
		{"SELECT name FROM users", "users/0"},
		{"SELECT COUNT(*) FROM likes WHERE image_id = 7", ""},
	} {
		tr, err := r.Route(tc.query)
		if err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		shards := append([]string{tr.Shard}, tr.Shards...)
		for _, s := range shards {
			if s == "" {
				continue
			}
			if ks, _ := topology.SplitShard(s); tc.shard != "" && s != tc.shard || tc.shard == "" && ks != "media" {
				t.Errorf("%s: ran on %v, want %q (or keyspace media)", tc.query, shards, tc.shard)
			}
		}
	}
	// A table no keyspace lists lives in the first keyspace.
	for _, q := range []string{"DROP TABLE IF EXISTS notes", "CREATE TABLE notes (id BIGINT PRIMARY KEY, body TEXT)", "INSERT INTO notes VALUES (1, 'first keyspace')"} {
		if _, err := r.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var body string
	db := dbtest.OpenAdmin(t, topo, topo.Shards[topo.KeyspaceShards("users")[0]].Primary.HostPort)
	if err := db.QueryRowContext(ctx, "SELECT body FROM notes WHERE id = 1").Scan(&body); err != nil || body != "first keyspace" {
		t.Errorf("an unlisted table on users/0: got %q, %v", body, err)
	}
}

// crossKeyspace are statements that need rows of both keyspaces at once:
// no server holds both tables, so the router refuses each, naming both
// keyspaces, as Vitess refuses a cross-keyspace join.
var crossKeyspace = []string{
	"SELECT u.name, i.id FROM users u JOIN images i ON i.user_id = u.id WHERE i.id = 5",
	"SELECT u.name FROM users u, likes l WHERE l.user_id = u.id AND l.image_id = 3",
	"SELECT id FROM users WHERE id IN (SELECT user_id FROM images WHERE id = 5)",
	"SELECT id FROM users WHERE id = 1 UNION SELECT id FROM images WHERE id = 1",
	"SELECT (SELECT COUNT(*) FROM likes WHERE image_id = 1) AS n, name FROM users WHERE id = 1",
	"UPDATE users SET name = 'x' WHERE id IN (SELECT user_id FROM images WHERE id = 5)",
	"DELETE FROM likes WHERE user_id IN (SELECT id FROM users WHERE id = 1)",
	"INSERT INTO users (id, name, dt) SELECT id + 100000, name, dt FROM images WHERE id = 1",
}

func checkCrossKeyspace(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), "users") || !strings.Contains(err.Error(), "media") {
		t.Errorf("%s: got %v, want a refusal that names keyspaces users and media", what, err)
	}
}

func TestRefusesStatementsAcrossKeyspaces(t *testing.T) {
	r := openRouter(t, setup(t))
	ctx := context.Background()
	for _, q := range crossKeyspace {
		_, err := r.NewSession().Run(ctx, q)
		if !errors.Is(err, router.ErrCrossKeyspace) || !errors.Is(err, router.ErrUnsupported) {
			t.Errorf("%s: got %v, want ErrCrossKeyspace", q, err)
		}
		checkCrossKeyspace(t, q, err)
	}
}

// TestTransactionsAcrossKeyspaces: a transaction may read both keyspaces
// and write one; a write to the second keyspace is refused, naming both,
// and the transaction goes on.
func TestTransactionsAcrossKeyspaces(t *testing.T) {
	r := openRouter(t, setup(t))
	ctx := context.Background()
	name := func(table string, id int) string {
		var v string
		if err := r.GetContext(ctx, &v, "SELECT name FROM "+table+" WHERE id = ?", id); err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := name("users", 3)

	s := r.NewSession()
	defer s.Close()
	for _, q := range []string{"BEGIN", "SELECT COUNT(*) FROM likes", "UPDATE users SET name = 'tx' WHERE id = 3"} {
		res, err := s.Run(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if res.Rows != nil {
			res.Rows.Close()
		}
	}
	_, err := s.Run(ctx, "UPDATE images SET name = 'tx' WHERE id = 3")
	if !errors.Is(err, router.ErrCrossShardTx) || !errors.Is(err, router.ErrCrossKeyspace) {
		t.Errorf("a write to the second keyspace: got %v, want ErrCrossShardTx and ErrCrossKeyspace", err)
	}
	checkCrossKeyspace(t, "a write to the second keyspace", err)
	// The refused statement did not run, and the transaction goes on,
	// as on a server after a statement it refused: its ROLLBACK undoes
	// the first write.
	if !s.InTransaction() {
		t.Error("the transaction ended at the refusal")
	}
	if _, err := s.Run(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if got := name("users", 3); got != before {
		t.Errorf("users 3 after the rolled back transaction: %q, want %q", got, before)
	}

	// Reads of both keyspaces and a write to one commit.
	for _, q := range []string{"BEGIN", "SELECT COUNT(*) FROM users", "SELECT name FROM images WHERE id = 4", "UPDATE images SET name = 'committed' WHERE id = 4", "COMMIT"} {
		res, err := s.Run(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if res.Rows != nil {
			res.Rows.Close()
		}
	}
	if got := name("images", 4); got != "committed" {
		t.Errorf("images 4: %q, want committed", got)
	}
}

// TestThroughTheProxy: a MySQL client sees the keyspaces through the proxy:
// reads route to each table's keyspace, and a statement that spans two is
// error 1235 naming both.
func TestThroughTheProxy(t *testing.T) {
	topo := setup(t)
	ctx := context.Background()
	host, p := startProxy(t, topo)
	cfg := topo.MySQLConfig(net.JoinHostPort(host, strconv.Itoa(p)), topo.User)
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	var users, likes int
	if err := db.QueryRowContext(ctx, "SELECT (SELECT 0) + COUNT(*) FROM users").Scan(&users); err != nil || users != gen.Users {
		t.Errorf("users through the proxy: got %d, %v, want %d", users, err, gen.Users)
	}
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM likes").Scan(&likes); err != nil || likes != gen.Likes {
		t.Errorf("likes through the proxy: got %d, %v, want %d", likes, err, gen.Likes)
	}
	for _, q := range crossKeyspace[:3] {
		_, err := db.ExecContext(ctx, q)
		var me *mysql.MySQLError
		if !errors.As(err, &me) || me.Number != 1235 {
			t.Errorf("%s: got %v, want error 1235", q, err)
		}
		checkCrossKeyspace(t, q, err)
	}
}

// TestPrepareDescribesInTheTablesKeyspace: a prepared statement on a
// table of the second keyspace has its result columns at prepare time
// (the proxy describes it on that keyspace's shard), as a MySQL server
// gives them; PHP's mysqli reads them before it executes.
func TestPrepareDescribesInTheTablesKeyspace(t *testing.T) {
	php, err := exec.LookPath("php")
	if err != nil {
		t.Skip("php is not installed")
	}
	topo := setup(t)
	host, port := startProxy(t, topo)
	script := `mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
$db = new mysqli(getenv("H"), getenv("U"), getenv("P"), getenv("D"), (int)getenv("PORT"));
foreach (["SELECT image_id, user_id, dt FROM likes WHERE image_id = ?", "SELECT id, name FROM users WHERE id = ?"] as $q) {
  $st = $db->prepare($q);
  $m = $st->result_metadata();
  echo $m ? $m->field_count : 0, "\n";
}`
	cmd := exec.Command(php, "-r", script)
	cmd.Env = append(os.Environ(), "H="+host, "PORT="+strconv.Itoa(port), "U="+topo.User.Name, "P="+topo.User.Password, "D="+topo.DatabaseName())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("php: %v\n%s", err, out)
	}
	if got := strings.Fields(string(out)); strings.Join(got, " ") != "3 2" {
		t.Errorf("columns known at prepare: got %q, want 3 (likes, keyspace media) and 2 (users)", got)
	}
}

// startProxy serves a proxy over a router of topo for the test.
func startProxy(t *testing.T, topo *topology.Topology) (string, int) {
	t.Helper()
	srv := proxytest.Serve(t, openRouter(t, topo), topo.User)
	host, port, _ := net.SplitHostPort(srv.Addr().String())
	p, _ := strconv.Atoi(port)
	return host, p
}

// TestSequenceInASecondKeyspace: an INSERT into a sharded table of the
// second keyspace without its key gets an id from the table's sequence,
// started above the rows of that keyspace's shards.
func TestSequenceInASecondKeyspace(t *testing.T) {
	r := openRouter(t, setup(t))
	ctx := context.Background()
	res, err := r.ExecContext(ctx, "INSERT INTO images (user_id, parent_id, name, path, dt) VALUES (1, NULL, 'by sequence', '/s', '2025-01-01 00:00:00')")
	if err != nil {
		t.Fatal(err)
	}
	id, err := res.LastInsertId()
	if err != nil || id <= int64(gen.Images) {
		t.Fatalf("insert id %d, %v: want one above the %d loaded images", id, err, gen.Images)
	}
	var name string
	if err := r.GetContext(ctx, &name, "SELECT name FROM images WHERE id = ?", id); err != nil || name != "by sequence" {
		t.Errorf("image %d: %q, %v", id, name, err)
	}
}
