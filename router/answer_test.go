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
		{"another write", foundChanged, 2, "Records: 2  Duplicates: 1  Warnings: 1", 2},
		{"info it cannot read", foundUpdate, 2, "Rows matched: many", 2},
	}
	for _, tt := range tests {
		if got := matched(tt.f, tt.affected, tt.info); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
}
