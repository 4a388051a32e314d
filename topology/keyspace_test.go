package topology

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

const twoKeyspaces = `name: cube
flavor: mariadb
user: {name: app, password: secret}
replication: {name: repl, password: r}
shards:
  - name: users/0
    primary: 127.0.0.1:24000
    replicas: [127.0.0.1:24001]
  - name: media/-80
    primary: 127.0.0.1:24002
  - name: media/80-
    primary: 127.0.0.1:24003
keyspaces:
  - name: users
    tables:
      users: {}
  - name: media
    tables:
      images: {column: id, vindex: hash}
      likes: {column: image_id, vindex: hash}
`

func TestKeyspaces(t *testing.T) {
	topo, err := Parse([]byte(twoKeyspaces))
	if err != nil {
		t.Fatal(err)
	}
	if got := topo.KeyspaceNames(); !reflect.DeepEqual(got, []string{"users", "media"}) {
		t.Errorf("keyspaces: %v", got)
	}
	for table, want := range map[string]string{"users": "users", "images": "media", "likes": "media", "notes": "users"} {
		if got := topo.TableKeyspace(table); got != want {
			t.Errorf("keyspace of %s: %q, want %q", table, got, want)
		}
	}
	if got := topo.KeyspaceShards("media"); !reflect.DeepEqual(got, []int{1, 2}) {
		t.Errorf("media's shards: %v, want [1 2]", got)
	}
	if _, err := topo.Node("media/80-/primary"); err != nil {
		t.Error(err)
	}
	if got := topo.ShardedTables(); len(got) != 2 || got["likes"].Column != "image_id" {
		t.Errorf("sharded tables: %v, want images and likes", got)
	}
	if text := roundTrip(t, topo); !strings.Contains(text, "keyspaces:") {
		t.Errorf("the written file has no keyspaces:\n%s", text)
	}
}

func TestKeyspaceErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		replace [2]string
		want    string
	}{
		{"table in two keyspaces", [2]string{"likes: {column", "users: {column"}, "table users is also in keyspace users"},
		{"shard of no keyspace", [2]string{"name: users/0", "name: other/0"}, `"other/0" is in no keyspace of the keyspaces section (users, media)`},
		{"keyspace without shards", [2]string{"  - name: media\n", "  - name: media\n  - name: empty\n"}, "keyspace empty has no shards: name them empty/0"},
		{"unqualified shard", [2]string{"name: users/0", "name: \"0\""}, `"0" is in no keyspace`},
		{"gap in a keyspace", [2]string{"media/80-", "media/c0-"}, "keyspace media: shards: shard: shards do not partition the keyspace: gap between"},
		{"unsharded table in a sharded keyspace", [2]string{"images: {column: id, vindex: hash}", "images: {}"}, "keyspace media has 2 shards: give the table a column and a vindex"},
		{"top-level tables", [2]string{"keyspaces:", "tables: {x: {column: id, vindex: hash}}\nkeyspaces:"}, "lists its tables in each keyspace's tables section"},
		{"bad keyspace name", [2]string{"- name: media\n", "- name: 'me dia'\n"}, "is not a plain identifier"},
		{"shards out of keyspace order", [2]string{"  - name: users/0\n    primary: 127.0.0.1:24000\n    replicas: [127.0.0.1:24001]\n  - name: media/-80\n    primary: 127.0.0.1:24002\n", "  - name: media/-80\n    primary: 127.0.0.1:24002\n  - name: users/0\n    primary: 127.0.0.1:24000\n    replicas: [127.0.0.1:24001]\n"}, "comes after shards of keyspace media"},
		{"upper-case table", [2]string{"images: {column", "Images: {column"}, `"Images": write table names in lower case`},
		{"bad vindex", [2]string{"vindex: hash}\n      likes", "vindex: md5}\n      likes"}, "keyspaces.media.tables.images.vindex"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := strings.Replace(twoKeyspaces, tc.replace[0], tc.replace[1], 1)
			if doc == twoKeyspaces {
				t.Fatalf("replacement %q not found", tc.replace[0])
			}
			_, err := Parse([]byte(doc))
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want ErrInvalid with %q", err, tc.want)
			}
		})
	}
	// A keyspace-qualified shard name needs a keyspaces section.
	doc := strings.Replace(good, `"-80"`, `"x/-80"`, 1)
	if _, err := Parse([]byte(doc)); err == nil || !strings.Contains(err.Error(), "no keyspaces section") {
		t.Errorf("qualified shard without keyspaces: got %v", err)
	}
}
