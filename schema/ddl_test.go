package schema

import (
	"errors"
	"maps"
	"strings"
	"testing"
)

func TestCreateTablesGolden(t *testing.T) {
	for _, flavor := range []string{"mariadb", "mysql"} {
		t.Run(flavor, func(t *testing.T) {
			stmts, err := CreateTables(flavor)
			if err != nil {
				t.Fatalf("CreateTables(%q): %v", flavor, err)
			}
			if got, want := len(stmts), len(Tables()); got != want {
				t.Fatalf("got %d statements, want %d", got, want)
			}
			var b strings.Builder
			for _, s := range append(stmts, DropTables()...) {
				b.WriteString(s)
				b.WriteString(";\n\n")
			}
			checkGolden(t, "ddl_"+flavor+".sql", b.String())
		})
	}
}

func TestCreateTablesUnknownFlavor(t *testing.T) {
	for _, name := range []string{"", "postgres", "maria"} {
		t.Run(name, func(t *testing.T) {
			_, err := CreateTables(name)
			if !errors.Is(err, ErrUnknownFlavor) {
				t.Errorf("got error %v, want ErrUnknownFlavor", err)
			}
		})
	}
}

func TestTablesOrder(t *testing.T) {
	got := strings.Join(Tables(), ",")
	if want := "users,images,likes"; got != want {
		t.Errorf("got Tables() %s, want %s", got, want)
	}
	drops := DropTables()
	for i, want := range []string{"likes", "images", "users"} {
		if got := drops[i]; got != "DROP TABLE IF EXISTS `"+want+"`" {
			t.Errorf("got DropTables()[%d] %q, want the drop of %s", i, got, want)
		}
	}
}

func TestColumnsMatchRows(t *testing.T) {
	rows := []Row{User{}, Image{}, Like{}}
	for _, r := range rows {
		t.Run(r.Table(), func(t *testing.T) {
			cols, err := Columns(r.Table())
			if err != nil {
				t.Fatalf("Columns: %v", err)
			}
			if got, want := strings.Join(r.Columns(), ","), strings.Join(cols, ","); got != want {
				t.Errorf("got row columns %s, want %s", got, want)
			}
			if got, want := len(r.Values()), len(cols); got != want {
				t.Errorf("got %d values, want %d", got, want)
			}
		})
	}
	if _, err := Columns("photos"); !errors.Is(err, ErrUnknownTable) {
		t.Errorf("got error %v, want ErrUnknownTable", err)
	}
}

func TestSharding(t *testing.T) {
	want := map[string]ShardKey{
		"users":  {Column: "id", Vindex: "hash"},
		"images": {Column: "id", Vindex: "hash"},
		"likes":  {Column: "image_id", Vindex: "hash"},
	}
	got := Sharding()
	if !maps.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	got["users"] = ShardKey{}
	if Sharding()["users"] != want["users"] {
		t.Error("changing the map from Sharding changed the next call's")
	}
	checkGolden(t, "topology_tables.yaml", TopologyTables())
}

func TestQuoteIdent(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "images", "`images`"},
		{"backtick", "a`b", "`a``b`"},
		{"empty", "", "``"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := quoteIdent(tc.in); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}
