package topology

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const good = `name: lab
flavor: mariadb
user: {name: app, password: secret}
replication: {name: repl, password: r}
shards:
  - name: "-80"
    primary: 127.0.0.1:24000
    replicas: [127.0.0.1:24001]
  - name: "80-"
    primary: 127.0.0.1:24002
tables:
  images: {column: id, vindex: hash}
main: 127.0.0.1:24003
`

func TestParseGood(t *testing.T) {
	topo, err := Parse([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	nodes := topo.Nodes()
	want := []Node{
		{Name: "-80/primary", Shard: "-80", Role: Primary, Addr: "127.0.0.1:24000"},
		{Name: "-80/replica-1", Shard: "-80", Role: Replica, Addr: "127.0.0.1:24001"},
		{Name: "80-/primary", Shard: "80-", Role: Primary, Addr: "127.0.0.1:24002"},
		{Name: MainNode, Role: Primary, Addr: "127.0.0.1:24003"},
	}
	if !reflect.DeepEqual(nodes, want) {
		t.Errorf("got nodes %v, want %v", nodes, want)
	}
	if got := topo.DatabaseName(); got != DefaultDatabase {
		t.Errorf("got database %q, want %q", got, DefaultDatabase)
	}
	if got := topo.AdminCredentials(); got != topo.User {
		t.Errorf("got admin %v, want the user when no admin is set", got)
	}
	if got := topo.Tables["images"]; got.Column != "id" || got.Vindex != "hash" {
		t.Errorf("got table %+v, want id/hash", got)
	}
}

func TestRoundTrip(t *testing.T) {
	topo, err := Parse([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, topo)
}

// roundTrip writes topo to a file and loads it again, fails t if that
// changed it, and returns the file's text.
func roundTrip(t *testing.T, topo *Topology) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "topology.yaml")
	if err := topo.Write(path); err != nil {
		t.Fatal(err)
	}
	again, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := topo.Marshal()
	b, _ := again.Marshal()
	if string(a) != string(b) {
		t.Errorf("round trip changed the file:\n%s\nwant\n%s", b, a)
	}
	return string(b)
}

func TestValidationErrors(t *testing.T) {
	tests := []struct {
		name    string
		replace [2]string
		want    string // a substring of the error
	}{
		{"unknown flavor", [2]string{"flavor: mariadb", "flavor: postgres"}, `flavor: unknown flavor "postgres"`},
		{"duplicate port", [2]string{"127.0.0.1:24002", "127.0.0.1:24001"}, "line 10: shards[1].primary: duplicate address 127.0.0.1:24001 (already used at line 8)"},
		{"gap", [2]string{`"80-"`, `"c0-"`}, "gap between"},
		{"overlap", [2]string{`"80-"`, `"40-"`}, "overlaps"},
		{"missing end", [2]string{`"80-"`, `"80-c0"`}, "no shard covers keyspace ids from c0"},
		{"bad range", [2]string{`"-80"`, `"-8z"`}, "line 6: shards[0].name"},
		{"bad address", [2]string{"127.0.0.1:24000", "127.0.0.1"}, "line 7: shards[0].primary"},
		{"unknown field", [2]string{"tables:", "tabels:"}, "line 11: field tabels not found"},
		{"bad user", [2]string{"name: app", "name: 'a b'"}, "user.name"},
		{"table without vindex", [2]string{"vindex: hash", "vindex: ''"}, "line 12: tables.images.vindex: \"\" is not a vindex"},
		{"no name", [2]string{"name: lab", "name: ''"}, "name: required"},
		{"unknown vindex", [2]string{"vindex: hash", "vindex: md5"}, "line 12: tables.images.vindex: \"md5\" is not a vindex"},
		{"duplicate shard", [2]string{`"80-"`, `"-80"`}, "listed twice"},
		{"main on a shard's port", [2]string{"main: 127.0.0.1:24003", "main: 127.0.0.1:24001"}, "line 13: main: duplicate address 127.0.0.1:24001 (already used at line 8)"},
		{"bad main", [2]string{"main: 127.0.0.1:24003", "main: 24003"}, "line 13: main: \"24003\" is not host:port"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := strings.Replace(good, tc.replace[0], tc.replace[1], 1)
			if doc == good {
				t.Fatalf("replacement %q not found in the document", tc.replace[0])
			}
			_, err := Parse([]byte(doc))
			if err == nil {
				t.Fatalf("got no error, want %q", tc.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("got %v, want it to wrap ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), "scalelab up") {
		t.Fatalf("got %v, want an error that says how to get a topology", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("name: x\nflavor: mysql\nshards: [{name: '0', primary: 'h:1'}]\n"))
	f.Add([]byte("shards: [{name: -, primary: {a: b}}]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		topo, err := Parse(b)
		if err != nil {
			return
		}
		// Whatever parses must survive a round trip unchanged.
		out, err := topo.Marshal()
		if err != nil {
			t.Fatalf("marshal a valid topology: %v", err)
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("a marshalled valid topology does not parse: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(topo.Nodes(), again.Nodes()) {
			t.Fatalf("round trip changed nodes: %v vs %v", topo.Nodes(), again.Nodes())
		}
	})
}
