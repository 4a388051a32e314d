package explain

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func scanPlan(typ, key string, rows int64, extra string, real float64, examined int64) *Plan {
	t := tablePlan(map[string]string{"id": "1", "select_type": "SIMPLE", "table": "images", "type": typ, "key": key, "extra": extra})
	t.Rows = rows
	t.Real = &TableRun{Rows: real, Loops: 1}
	return &Plan{Statement: "SELECT * FROM images ORDER BY dt DESC LIMIT 5", Tables: []TablePlan{t}, Analyzed: true, RowsExamined: examined}
}

func TestExplainCompare(t *testing.T) {
	noIndex := scanPlan("ALL", "", 3000, "Using filesort", 3000, 3006)
	withIndex := scanPlan("index", "idx_images_dt", 5, "", 5, 5)
	ranged := scanPlan("range", "idx_images_dt", 40, "Using where; Using temporary", 40, 40)
	join := &Plan{Tables: []TablePlan{
		{Table: "i", Type: "ALL", Rows: 100},
		{Table: "u", Type: "eq_ref", Key: "PRIMARY", Rows: 1},
	}}
	joinB := &Plan{Tables: []TablePlan{
		{Table: "u", Type: "ALL", Rows: 50},
		{Table: "l", Type: "ref", Key: "idx", Rows: 3},
	}}
	for _, tc := range []struct {
		name     string
		a, b     *Plan
		want     []TableChange
		examined Change
		factor   float64
	}{
		{
			name: "front page gets an index",
			a:    noIndex, b: withIndex,
			want: []TableChange{{
				Table: "images", Type: Change{"ALL", "index", true}, Key: Change{"-", "idx_images_dt", true},
				Rows: Change{"3000", "5", true}, RealRows: Change{"3000", "5", true},
				Filesort: Change{"yes", "no", true}, Temporary: Change{"no", "no", false},
				FullScan: Change{"table", "index", true},
			}},
			examined: Change{"3006", "5", true},
			factor:   3006.0 / 5,
		},
		{
			name: "same plan",
			a:    withIndex, b: withIndex,
			want: []TableChange{{
				Table: "images", Type: Change{"index", "index", false}, Key: Change{"idx_images_dt", "idx_images_dt", false},
				Rows: Change{"5", "5", false}, RealRows: Change{"5", "5", false},
				Filesort: Change{"no", "no", false}, Temporary: Change{"no", "no", false},
				FullScan: Change{"index", "index", false},
			}},
			examined: Change{"5", "5", false},
			factor:   1,
		},
		{
			name: "worse: range with temporary",
			a:    withIndex, b: ranged,
			want: []TableChange{{
				Table: "images", Type: Change{"index", "range", true}, Key: Change{"idx_images_dt", "idx_images_dt", false},
				Rows: Change{"5", "40", true}, RealRows: Change{"5", "40", true},
				Filesort: Change{"no", "no", false}, Temporary: Change{"no", "yes", true},
				FullScan: Change{"index", "no", true},
			}},
			examined: Change{"5", "40", true},
			factor:   5.0 / 40,
		},
		{
			name: "tables in one plan only, not analyzed",
			a:    join, b: joinB,
			want: []TableChange{
				{
					Table: "i", Type: Change{"ALL", "-", true}, Key: Change{"-", "-", false},
					Rows: Change{"100", "-", true}, RealRows: Change{"-", "-", false},
					Filesort: Change{"no", "-", true}, Temporary: Change{"no", "-", true},
					FullScan: Change{"table", "-", true},
				},
				{
					Table: "u", Type: Change{"eq_ref", "ALL", true}, Key: Change{"PRIMARY", "-", true},
					Rows: Change{"1", "50", true}, RealRows: Change{"-", "-", false},
					Filesort: Change{"no", "no", false}, Temporary: Change{"no", "no", false},
					FullScan: Change{"no", "table", true},
				},
				{
					Table: "l", Type: Change{"-", "ref", true}, Key: Change{"-", "idx", true},
					Rows: Change{"-", "3", true}, RealRows: Change{"-", "-", false},
					Filesort: Change{"-", "no", true}, Temporary: Change{"-", "no", true},
					FullScan: Change{"-", "no", true},
				},
			},
			examined: Change{"-", "-", false},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Compare(tc.a, tc.b)
			if len(c.Tables) != len(tc.want) {
				t.Fatalf("got %d tables %+v, want %d", len(c.Tables), c.Tables, len(tc.want))
			}
			for i := range tc.want {
				if c.Tables[i] != tc.want[i] {
					t.Errorf("table %d: got %+v, want %+v", i, c.Tables[i], tc.want[i])
				}
			}
			if c.RowsExamined != tc.examined {
				t.Errorf("rows examined: got %+v, want %+v", c.RowsExamined, tc.examined)
			}
			if c.Factor != tc.factor {
				t.Errorf("factor: got %v, want %v", c.Factor, tc.factor)
			}
		})
	}
}

func TestExplainWriteComparison(t *testing.T) {
	var b bytes.Buffer
	if err := WriteComparison(&b, scanPlan("ALL", "", 3000, "Using filesort", 3000, 3006), scanPlan("index", "idx_images_dt", 5, "", 5, 5), "before", "after"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"A  before: SELECT", "B  after: SELECT", "ALL → index", "- → idx_images_dt", "3000 → 5", "yes → no", "⚠ table → ⚠ index", "3006 → 5 (601.2× fewer in B)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("got\n%s\nwant it to contain %q", b.String(), want)
		}
	}
}

func TestExplainChangeString(t *testing.T) {
	for _, tc := range []struct {
		c    Change
		want string
	}{
		{change("ALL", "ref"), "ALL → ref"},
		{change("ref", "ref"), "ref"},
		{change("-", "PRIMARY"), "- → PRIMARY"},
	} {
		if got := tc.c.String(); got != tc.want {
			t.Errorf("%+v: got %q, want %q", tc.c, got, tc.want)
		}
	}
}

func TestExplainParseExecuted(t *testing.T) {
	const mariadb = `{
  "query_optimization": {"r_total_time_ms": 0.05},
  "query_block": {
    "select_id": 1,
    "r_loops": 1,
    "r_total_time_ms": 2.1,
    "nested_loop": [
      {"read_sorted_file": {"r_rows": 5, "filesort": {"sort_key": "images.dt desc", "r_loops": 1,
        "table": {"table_name": "images", "access_type": "ALL", "r_loops": 1, "rows": 3000, "r_rows": 3000, "r_total_time_ms": 1.5, "filtered": 100, "r_filtered": 100}}}},
      {"table": {"table_name": "c", "access_type": "const", "rows": 1}},
      {"table": {"table_name": "u", "access_type": "eq_ref", "key": "PRIMARY", "r_loops": 5, "rows": 1, "r_rows": 1, "r_table_time_ms": 0.2, "r_other_time_ms": 0.1}}
    ]
  }
}`
	const mysql = `-> Limit: 5 row(s)  (cost=303 rows=5) (actual time=2.1..2.1 rows=5 loops=1)
    -> Nested loop inner join  (cost=303 rows=5) (actual time=2.1..2.1 rows=5 loops=1)
        -> Sort: i.dt DESC, limit input to 5 row(s) per chunk  (cost=303 rows=3000) (actual time=2.05..2.05 rows=5 loops=1)
            -> Table scan on i  (cost=303 rows=3000) (actual time=0.05..1.5 rows=3000 loops=1)
        -> Single-row index lookup on u using PRIMARY (id=i.user_id)  (cost=0.25 rows=1) (actual time=0.01..0.02 rows=1 loops=5)
`
	for _, tc := range []struct {
		name string
		out  string
		want []namedRun
	}{
		{"mariadb analyze json", mariadb, []namedRun{
			{"images", TableRun{Rows: 3000, Loops: 1, TimeMS: 1.5}},
			{"u", TableRun{Rows: 5, Loops: 5, TimeMS: 0.30000000000000004}},
		}},
		{"mysql explain analyze tree", mysql, []namedRun{
			{"i", TableRun{Rows: 3000, Loops: 1, TimeMS: 1.5}},
			{"u", TableRun{Rows: 5, Loops: 5, TimeMS: 0.1}},
		}},
		{"nothing", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := parseExecuted(tc.out)
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("run %d: got %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestExplainAttachRuns(t *testing.T) {
	tables := []TablePlan{{Table: "a"}, {Table: "b"}, {Table: "a"}, {Table: "c"}}
	attachRuns(tables, []namedRun{{"a", TableRun{Rows: 1}}, {"a", TableRun{Rows: 2}}, {"b", TableRun{Rows: 3}}})
	for i, want := range []float64{1, 3, 2, -1} {
		switch {
		case want < 0 && tables[i].Real != nil:
			t.Errorf("table %d: got %+v, want no run", i, tables[i].Real)
		case want >= 0 && (tables[i].Real == nil || tables[i].Real.Rows != want):
			t.Errorf("table %d: got %+v, want rows %v", i, tables[i].Real, want)
		}
	}
}

func TestExplainTablePlanFlags(t *testing.T) {
	for _, tc := range []struct {
		typ, extra     string
		filesort, temp bool
		scan           string
		full           bool
	}{
		{"ALL", "Using filesort", true, false, "table", true},
		{"index", "Using index", false, false, "index", true},
		{"range", "Using where; Using temporary; Using filesort", true, true, "no", false},
		{"ref", "Using index condition", false, false, "no", false},
		{"eq_ref", "", false, false, "no", false},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			p := tablePlan(map[string]string{"type": tc.typ, "extra": tc.extra, "rows": "42", "filtered": "10.00"})
			if p.Filesort != tc.filesort || p.Temporary != tc.temp || p.Scan() != tc.scan || p.FullScan != tc.full {
				t.Errorf("got filesort %v temporary %v scan %q full %v, want %v %v %q %v",
					p.Filesort, p.Temporary, p.Scan(), p.FullScan, tc.filesort, tc.temp, tc.scan, tc.full)
			}
			if p.Rows != 42 || p.Filtered != 10 {
				t.Errorf("got rows %d filtered %v, want 42 and 10", p.Rows, p.Filtered)
			}
		})
	}
}

func TestExplainClassify(t *testing.T) {
	for _, tc := range []struct {
		stmt string
		want stmtKind
	}{
		{"SELECT * FROM images ORDER BY dt DESC LIMIT 5", stmtRead},
		{"select 1 union select 2", stmtRead},
		{"WITH x AS (SELECT 1) SELECT * FROM x", stmtRead},
		{"SELECT * FROM images FOR UPDATE", stmtRead},
		{"SELECT * FROM images INTO OUTFILE '/tmp/x'", stmtOther},
		{"SELECT id INTO @x FROM images LIMIT 1", stmtOther},
		{"INSERT INTO likes VALUES (1, 2, 3, NOW())", stmtDML},
		{"REPLACE INTO likes VALUES (1, 2, 3, NOW())", stmtDML},
		{"UPDATE images SET name = 'x'", stmtDML},
		{"DELETE FROM images WHERE id = 1", stmtDML},
		{"DROP TABLE images", stmtOther},
		{"CREATE INDEX i ON images (dt)", stmtOther},
		{"SET @a = 1", stmtOther},
		{"SELEC nonsense", stmtOther},
	} {
		t.Run(tc.stmt, func(t *testing.T) {
			if got := classify(tc.stmt); got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
}

func TestExplainDropIndexSQL(t *testing.T) {
	for _, tc := range []struct {
		ddl, want string
	}{
		{"CREATE INDEX idx_images_dt ON images (dt)", "DROP INDEX idx_images_dt ON images"},
		{"create index `my idx` on `images` (user_id, dt)", "DROP INDEX `my idx` ON images"},
		{"CREATE UNIQUE INDEX u ON users (email)", "DROP INDEX u ON users"},
		{"ALTER TABLE images ADD INDEX by_dt (dt)", "DROP INDEX by_dt ON images"},
		{"ALTER TABLE images ADD INDEX (dt)", ""},
		{"ALTER TABLE images ADD INDEX a (dt), ADD INDEX b (user_id)", ""},
		{"ALTER TABLE images ADD PRIMARY KEY (id)", ""},
		{"DROP INDEX i ON images", ""},
		{"SELECT 1", ""},
		{"CREATE INDEX", ""},
	} {
		t.Run(tc.ddl, func(t *testing.T) {
			got, err := DropIndexSQL(tc.ddl)
			if tc.want == "" {
				if !errors.Is(err, ErrNotIndexDDL) {
					t.Errorf("got %q, %v; want ErrNotIndexDDL", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
