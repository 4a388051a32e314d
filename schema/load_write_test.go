package schema

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

func TestLoadResultWriteTable(t *testing.T) {
	res := &LoadResult{
		Shards: []string{"-40", "c0-"},
		Tables: []TableLoad{
			{Table: "users", Rows: []uint64{3, 7}, Elapsed: 500 * time.Millisecond},
			{Table: "likes", Rows: []uint64{1000, 0}, Elapsed: 2 * time.Second},
		},
	}
	var b bytes.Buffer
	if err := res.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	want := `┌───────┬──────┬─────┬───────┬─────────┬────────┐
│ table │ -40  │ c0- │ total │ seconds │ rows/s │
├───────┼──────┼─────┼───────┼─────────┼────────┤
│ users │    3 │   7 │    10 │    0.50 │     20 │
│ likes │ 1000 │   0 │  1000 │    2.00 │    500 │
└───────┴──────┴─────┴───────┴─────────┴────────┘
`
	if got := b.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestLoadResultSummary(t *testing.T) {
	res := &LoadResult{
		Method: MethodInfile, IndexSet: "full", Shards: []string{"-80", "80-"},
		Tables:    []TableLoad{{Table: "users", Rows: []uint64{600, 400}}},
		LoadTime:  500*time.Millisecond + 400*time.Microsecond,
		IndexTime: 1500 * time.Microsecond, Elapsed: 2*time.Second + 1234*time.Microsecond,
	}
	want := "loaded 1000 rows into 2 shard(s) of lab by infile in 500ms (1998 rows/s); indexes full in 2ms; total 2.001s"
	if got := res.Summary("lab"); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestLoadResultWriteJSON(t *testing.T) {
	r := &LoadResult{Method: "infile", IndexSet: "full", Shards: []string{"-80", "80-"},
		Tables: []TableLoad{{Table: "users", Rows: []uint64{3, 7}, Elapsed: 1500 * time.Microsecond}}, LoadTime: 2 * time.Millisecond}
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Tables []struct {
			Rows      map[string]uint64 `json:"rows"`
			Total     uint64            `json:"total"`
			ElapsedMs float64           `json:"elapsed_ms"`
		} `json:"tables"`
		LoadMs float64 `json:"load_ms"`
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Tables) != 1 || got.Tables[0].Rows["80-"] != 7 || got.Tables[0].Total != 10 || got.Tables[0].ElapsedMs != 1.5 || got.LoadMs != 2 {
		t.Errorf("got %s", b.String())
	}
}

// TestLoadResultOtherKeyspaces: a shard of another keyspace, which does
// not hold the table, prints as "-" and is absent from the JSON.
func TestLoadResultOtherKeyspaces(t *testing.T) {
	r := &LoadResult{Shards: []string{"users/0", "media/-80", "media/80-"}, Tables: []TableLoad{
		{Table: "users", Rows: []uint64{200, 0, 0}, Absent: []bool{false, true, true}},
		{Table: "likes", Rows: []uint64{0, 921, 2079}, Absent: []bool{true, false, false}},
	}}
	var b bytes.Buffer
	if err := r.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"│ users │     200 │         - │         - │   200 │", "│ likes │       - │       921 │      2079 │  3000 │"} {
		if !bytes.Contains(b.Bytes(), []byte(want)) {
			t.Errorf("got\n%s\nwant a row %q", b.String(), want)
		}
	}
	b.Reset()
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Tables []struct {
			Rows map[string]uint64 `json:"rows"`
		} `json:"tables"`
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Tables) != 2 || len(got.Tables[0].Rows) != 1 || len(got.Tables[1].Rows) != 2 {
		t.Errorf("got %s: want each table's rows on its own keyspace's shards only", b.String())
	}
}
