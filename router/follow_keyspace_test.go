package router

import (
	"slices"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/topology"
)

func keyspacedTopology(t *testing.T, likesIn string) *topology.Topology {
	t.Helper()
	users, media := "{users: {}}", "{images: {column: id, vindex: hash}}"
	if likesIn == "users" {
		users = "{users: {}, likes: {column: image_id, vindex: hash}}"
	} else {
		media = "{images: {column: id, vindex: hash}, likes: {column: image_id, vindex: hash}}"
	}
	topo, err := topology.Parse([]byte(`name: y
flavor: mariadb
user: {name: app, password: p}
replication: {name: repl, password: r}
shards:
  - {name: users/0, primary: 127.0.0.1:1}
  - {name: media/-80, primary: 127.0.0.1:2}
  - {name: media/80-, primary: 127.0.0.1:3}
keyspaces:
  - {name: users, tables: ` + users + `}
  - {name: media, tables: ` + media + `}
`))
	if err != nil {
		t.Fatal(err)
	}
	return topo
}

// TestPlansDuringAMove plans statements on likes while Follow moves it
// back and forth between a keyspace of one shard and one of two, as a
// movetables switch does under a running router: every plan is wholly
// the old routing or wholly the new, never a mix (which would count
// half the table, or scatter over the wrong keyspace).
func TestPlansDuringAMove(t *testing.T) {
	a, b := keyspacedTopology(t, "users"), keyspacedTopology(t, "media")
	r, err := New(a, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	stop := followInTurn(t, r, a, b)
	for i := 0; i < 20000; i++ {
		tr, err := r.Route("SELECT COUNT(*) FROM likes")
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Join(tr.Shards, " ")
		if !slices.Contains([]string{"users/0", "media/-80 media/80-"}, got) {
			t.Fatalf("plan %s over %q: a mix of two routings", tr.Plan, got)
		}
	}
	stop()
}

// followInTurn has r follow a and b in turn, as fast as it can, from
// another goroutine, until stop is called; stop returns once it has.
func followInTurn(t *testing.T, r *Router, a, b *topology.Topology) (stop func()) {
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-quit:
				return
			default:
			}
			if _, err := r.Follow([]*topology.Topology{a, b}[i%2]); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}

// TestKeyspaceOfUnlistedTables: a table no keyspace lists is the first
// keyspace's, so a statement naming it with another keyspace's table is
// refused rather than run where one of them is not; a CTE's name and
// another schema's table are not tables of the topology.
func TestKeyspaceOfUnlistedTables(t *testing.T) {
	r, err := New(keyspacedTopology(t, "media"), Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, q := range []string{
		"DROP TABLE IF EXISTS notes, likes",
		"CREATE TABLE notes LIKE likes",
		"INSERT INTO notes SELECT * FROM likes WHERE image_id = 1",
	} {
		if _, err := r.Route(q); err == nil || !strings.Contains(err.Error(), "spans keyspaces") {
			t.Errorf("%s: got %v, want a refusal across keyspaces", q, err)
		}
	}
	for q, want := range map[string]string{
		"WITH x AS (SELECT image_id FROM likes WHERE image_id = 5) SELECT COUNT(*) FROM x":        "media/",
		"SELECT COUNT(*) FROM likes WHERE image_id = 5 AND 0 < (SELECT COUNT(*) FROM mysql.user)": "media/",
		"SELECT * FROM notes":          "users/0",
		"SELECT 1":                     "users/0",
		"SELECT * FROM otherdb.images": "users/0",
	} {
		tr, err := r.Route(q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		if !strings.HasPrefix(strings.Join(tr.Shards, " "), want) {
			t.Errorf("%s: ran on %v, want %s", q, tr.Shards, want)
		}
	}
}

// TestFollowTablesSection: a table added to the tables section of a
// topology of one keyspace is sharded from the next statement on, and
// one taken out is not, as a running proxy follows its topology file. A
// change to the tables section alone was not followed.
func TestFollowTablesSection(t *testing.T) {
	topo := func(tables string) *topology.Topology {
		topo, err := topology.Parse([]byte(`name: y
flavor: mariadb
user: {name: app, password: p}
replication: {name: repl, password: r}
shards:
  - {name: -80, primary: 127.0.0.1:1}
  - {name: 80-, primary: 127.0.0.1:2}
tables: ` + tables + `
`))
		if err != nil {
			t.Fatal(err)
		}
		return topo
	}
	before, after := topo("{images: {column: id, vindex: hash}}"), topo("{images: {column: id, vindex: hash}, tags: {column: image_id, vindex: hash}}")
	r, err := New(before, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	shards := func() string {
		tr, err := r.Route("SELECT COUNT(*) FROM tags")
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(tr.Shards, " ")
	}
	if got := shards(); got != "-80" {
		t.Fatalf("before: a count of tags runs on %q, want the first shard's, an unsharded table's", got)
	}
	if changed, err := r.Follow(after); err != nil || !changed {
		t.Fatalf("Follow of a tables section with tags: changed %v, %v", changed, err)
	}
	if got := shards(); got != "-80 80-" {
		t.Errorf("after tags was added to the tables section: a count of tags runs on %q, want every shard", got)
	}
	if changed, err := r.Follow(topo("{images: {column: id, vindex: hash}}")); err != nil || !changed {
		t.Fatalf("Follow of a tables section without tags: changed %v, %v", changed, err)
	}
	if got := shards(); got != "-80" {
		t.Errorf("after tags was taken out: a count of tags runs on %q, want the first shard's", got)
	}
}
