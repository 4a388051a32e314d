package schema

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestIndexSetsGolden(t *testing.T) {
	var b strings.Builder
	for _, name := range IndexSets() {
		set, err := IndexSet(name)
		if err != nil {
			t.Fatalf("IndexSet(%q): %v", name, err)
		}
		b.WriteString("-- " + name + "\n")
		for _, ix := range set {
			b.WriteString(ix.CreateSQL() + ";\n")
		}
		for _, ix := range set {
			b.WriteString(ix.DropSQL() + ";\n")
		}
		b.WriteString("\n")
	}
	checkGolden(t, "indexes.sql", b.String())
}

func TestIndexSetContents(t *testing.T) {
	tests := []struct {
		set  string
		want []string
	}{
		{IndexSetNone, nil},
		{IndexSetFK, []string{"images(user_id)", "images(parent_id)", "likes(image_id)", "likes(user_id)"}},
		{IndexSetFull, []string{"images(dt)", "images(user_id, dt)", "images(parent_id)", "likes(image_id, dt)", "likes(user_id)"}},
	}
	for _, tc := range tests {
		t.Run(tc.set, func(t *testing.T) {
			set, err := IndexSet(tc.set)
			if err != nil {
				t.Fatalf("IndexSet: %v", err)
			}
			var got []string
			for _, ix := range set {
				got = append(got, ix.String())
				cols, err := Columns(ix.Table)
				if err != nil {
					t.Fatalf("index %s on unknown table: %v", ix.Name, err)
				}
				for _, c := range ix.Columns {
					if !slices.Contains(cols, c) {
						t.Errorf("index %s: got column %s, want one of %v", ix.Name, c, cols)
					}
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestFullCoversFK checks full's contract: every fk index's columns lead some
// full index, so no lookup that fk serves gets slower under full.
func TestFullCoversFK(t *testing.T) {
	fk, _ := IndexSet(IndexSetFK)
	full, _ := IndexSet(IndexSetFull)
	for _, f := range fk {
		covered := false
		for _, x := range full {
			if x.Table == f.Table && len(x.Columns) >= len(f.Columns) && slices.Equal(x.Columns[:len(f.Columns)], f.Columns) {
				covered = true
			}
		}
		if !covered {
			t.Errorf("got no full index led by %s, want one", f)
		}
	}
}

func TestIndexSetUnknown(t *testing.T) {
	_, err := IndexSet("all")
	if !errors.Is(err, ErrUnknownIndexSet) {
		t.Fatalf("got error %v, want ErrUnknownIndexSet", err)
	}
	for _, name := range IndexSets() {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("got message %q, want it to name the set %s", err, name)
		}
	}
}

func TestIndexSetIsACopy(t *testing.T) {
	a, _ := IndexSet(IndexSetFK)
	a[0].Columns[0] = "changed"
	b, _ := IndexSet(IndexSetFK)
	if got := b[0].Columns[0]; got != "user_id" {
		t.Errorf("got %s after changing an earlier result, want user_id", got)
	}
}

func TestIndexSQL(t *testing.T) {
	ix := Index{Table: "likes", Name: "idx_likes_image_id_dt", Columns: []string{"image_id", "dt"}}
	if got, want := ix.CreateSQL(), "CREATE INDEX `idx_likes_image_id_dt` ON `likes` (`image_id`, `dt`)"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if got, want := ix.DropSQL(), "DROP INDEX `idx_likes_image_id_dt` ON `likes`"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestDiff(t *testing.T) {
	names := func(ixs []Index) []string {
		var s []string
		for _, ix := range ixs {
			s = append(s, ix.Name)
		}
		return s
	}
	set := func(name string) []Index {
		s, err := IndexSet(name)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	changed := []Index{{Table: "images", Name: "idx_images_dt", Columns: []string{"dt", "id"}}}
	tests := []struct {
		name                 string
		from, to             []Index
		wantCreate, wantDrop []string
	}{
		{"same", set(IndexSetFK), set(IndexSetFK), nil, nil},
		{"none to fk", set(IndexSetNone), set(IndexSetFK),
			[]string{"idx_images_user_id", "idx_images_parent_id", "idx_likes_image_id", "idx_likes_user_id"}, nil},
		{"fk to none", set(IndexSetFK), set(IndexSetNone),
			nil, []string{"idx_images_user_id", "idx_images_parent_id", "idx_likes_image_id", "idx_likes_user_id"}},
		{"fk to full", set(IndexSetFK), set(IndexSetFull),
			[]string{"idx_images_dt", "idx_images_user_id_dt", "idx_likes_image_id_dt"},
			[]string{"idx_images_user_id", "idx_likes_image_id"}},
		{"columns changed", set(IndexSetFull)[:1], changed, []string{"idx_images_dt"}, []string{"idx_images_dt"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			create, drop := Diff(tc.from, tc.to)
			if got := names(create); !slices.Equal(got, tc.wantCreate) {
				t.Errorf("got create %v, want %v", got, tc.wantCreate)
			}
			if got := names(drop); !slices.Equal(got, tc.wantDrop) {
				t.Errorf("got drop %v, want %v", got, tc.wantDrop)
			}
		})
	}
}
