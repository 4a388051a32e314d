package router

import "testing"

// TestMatched: the rows a write matched, as a server counts them for
// CLIENT_FOUND_ROWS, from the rows it changed and its answer's info. The
// cases are MariaDB 10.11's answers to the same statements without the
// flag and with it (the want).
func TestMatched(t *testing.T) {
	tests := []struct {
		name     string
		f        foundRows
		affected int64
		info     string
		want     int64
	}{
		{"UPDATE to the values it had", foundUpdate, 0, "Rows matched: 1  Changed: 0  Warnings: 0", 1},
		{"UPDATE of three, two changed", foundUpdate, 2, "Rows matched: 3  Changed: 2  Warnings: 0", 3},
		{"UPDATE of none", foundUpdate, 0, "Rows matched: 0  Changed: 0  Warnings: 0", 0},
		{"UPDATE without info", foundUpdate, 4, "", 4},
		{"upsert of one row, unchanged", foundUpsert, 0, "", 1},
		{"upsert of one row, inserted", foundUpsert, 1, "", 1},
		{"upsert of one row, changed", foundUpsert, 2, "", 2},
		{"upsert of 4: 1 inserted, 2 changed, 1 not", foundUpsert, 5, "Records: 4  Duplicates: 2  Warnings: 0", 6},
		{"upsert of 3: 1 inserted, 2 not changed", foundUpsert, 1, "Records: 3  Duplicates: 0  Warnings: 0", 3},
		{"upsert of a SELECT of 5, none changed", foundUpsert, 0, "Records: 5  Duplicates: 0  Warnings: 0", 5},
		{"upsert IGNORE of 3, none changed", foundUpsertIgnore, 0, "Records: 3  Duplicates: 3  Warnings: 0", 3},
		{"upsert IGNORE of a SELECT of 3, all changed", foundUpsertIgnore, 6, "Records: 3  Duplicates: 0  Warnings: 0", 6},
		{"upsert IGNORE of 2, one ignored, one inserted", foundUpsertIgnore, 1, "Records: 2  Duplicates: 1  Warnings: 1", 2},
		{"another write", foundChanged, 2, "Records: 2  Duplicates: 1  Warnings: 1", 2},
		{"info it cannot read", foundUpdate, 2, "Rows matched: many", 2},
	}
	for _, tt := range tests {
		if got := matched(tt.f, tt.affected, tt.info); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
}

// TestReadsAsZero: the values an integer column stores as 0 (or NULL), so
// that an AUTO_INCREMENT column generates an id in their place, as the
// server converts them.
func TestReadsAsZero(t *testing.T) {
	for _, tt := range []struct {
		v    any
		want bool
	}{
		{nil, true}, {int64(0), true}, {int64(7), false}, {uint64(0), true},
		{0.4, true}, {-0.4, true}, {0.5, false}, {20.0, false}, {true, false}, {false, true},
		{"0", true}, {" 0", true}, {"0.4", true}, {"+0", true}, {"-0.0", true}, {"abc", true}, {"", true},
		{" 90", false}, {"90abc", false}, {"0.5", false}, {"1e3", false}, {"0e5", true}, {[]byte("12"), false},
	} {
		if got := readsAsZero(tt.v); got != tt.want {
			t.Errorf("readsAsZero(%#v) = %v, want %v", tt.v, got, tt.want)
		}
	}
}
