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

// TestAddInfo: the infos of a write's shards add up, number by number,
// when they read alike; otherwise the statement has none.
func TestAddInfo(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{"Rows matched: 2  Changed: 1  Warnings: 0", "Rows matched: 3  Changed: 3  Warnings: 1", "Rows matched: 5  Changed: 4  Warnings: 1"},
		{"Records: 2  Duplicates: 0  Warnings: 0", "Records: 10  Duplicates: 1  Warnings: 0", "Records: 12  Duplicates: 1  Warnings: 0"},
		{"Records: 2  Duplicates: 0  Warnings: 0", "", ""},
		{"", "Records: 2  Duplicates: 0  Warnings: 0", ""},
		{"Rows matched: 2  Changed: 1  Warnings: 0", "Records: 2  Duplicates: 0  Warnings: 0", ""},
		{"no numbers", "no numbers", ""},
	} {
		if got := addInfo(tc.a, tc.b); got != tc.want {
			t.Errorf("addInfo(%q, %q) = %q, want %q", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestSplitInsertInfo: an INSERT of several rows split over shards, some
// of one row (which say no info), says what one server says of it. The
// wants are MariaDB 10.11's answers to the statements on one table.
func TestSplitInsertInfo(t *testing.T) {
	c, err := newClassifier(0)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		q        string
		info     string
		affected int64
		warnings uint16
		want     string
	}{
		{"INSERT INTO t (id) VALUES (1), (2), (3)", "", 3, 0, "Records: 3  Duplicates: 0  Warnings: 0"},
		{"INSERT IGNORE INTO t (id) VALUES (1), (2), (3)", "", 1, 2, "Records: 3  Duplicates: 2  Warnings: 2"},
		{"REPLACE INTO t (id) VALUES (1), (2), (3)", "", 5, 0, "Records: 3  Duplicates: 2  Warnings: 0"},
		{"INSERT INTO t (id) VALUES (1), (2) ON DUPLICATE KEY UPDATE v = 1", "", 3, 0, ""},
		{"INSERT INTO t (id) VALUES (1)", "", 1, 0, ""},
		{"INSERT INTO t (id) VALUES (1), (2), (3)", "Records: 3  Duplicates: 0  Warnings: 0", 3, 0, "Records: 3  Duplicates: 0  Warnings: 0"},
		{"UPDATE t SET v = 1", "", 3, 0, ""},
		// SET STATEMENT … FOR: its statement's info.
		{"SET STATEMENT max_statement_time = 10 FOR INSERT INTO t (id) VALUES (1), (2), (3)", "", 3, 0, "Records: 3  Duplicates: 0  Warnings: 0"},
		{"SET STATEMENT max_statement_time = 10 FOR REPLACE INTO t (id) VALUES (1), (2)", "", 3, 0, "Records: 2  Duplicates: 1  Warnings: 0"},
	} {
		got := splitInsertInfo(c.Classify(tc.q), tc.info, tc.affected, diagnostics{count: tc.warnings})
		if got != tc.want {
			t.Errorf("%s: %q, want %q", tc.q, got, tc.want)
		}
	}
}
