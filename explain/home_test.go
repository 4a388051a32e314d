package explain

import (
	"testing"

	"github.com/scalelab/scalelab/topology"
)

// TestHomeShard: by default a statement is explained on the first shard of
// its tables' keyspace, where the tables are.
func TestHomeShard(t *testing.T) {
	topo, err := topology.Parse([]byte(`name: y
flavor: mariadb
user: {name: app, password: p}
replication: {name: repl, password: r}
shards:
  - {name: users/0, primary: 127.0.0.1:24000}
  - {name: media/-80, primary: 127.0.0.1:24001}
  - {name: media/80-, primary: 127.0.0.1:24002}
keyspaces:
  - {name: users}
  - name: media
    tables: {likes: {column: image_id, vindex: hash}}
`))
	if err != nil {
		t.Fatal(err)
	}
	for stmt, want := range map[string]int{
		"SELECT COUNT(*) FROM likes WHERE image_id = 3": 1,
		"SELECT * FROM users WHERE id = 1":              0,
		"SELECT 1":                                      0,
		"not sql at all":                                0,
	} {
		if got := homeShard(topo, stmt); got != want {
			t.Errorf("%s: shard %d, want %d", stmt, got, want)
		}
	}
}
