package main

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/sandbox"
	"github.com/scalelab/scalelab/schema"
)

// TestDataCommands runs load, query, explain and status against a real
// two-shard sandbox and checks what each prints where, and its exit kind.
func TestDataCommands(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{Shards: 2, Replicas: 1, BasePort: 27600, Name: "cmddata", Tables: schema.ShardedTables()})
	topo := sb.TopologyPath()
	run := func(t *testing.T, args ...string) (string, string) {
		t.Helper()
		stdout, stderr, err := runCLI(t, append(args[:1:1], append([]string{"--topology", topo}, args[1:]...)...)...)
		if err != nil {
			t.Fatalf("%v: %v\nstderr: %s", args, err, stderr)
		}
		return stdout, stderr
	}
	contains := func(t *testing.T, what, got string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s lacks %q:\n%s", what, w, got)
			}
		}
	}

	stdout, stderr := run(t, "load", "--drop", "--users", "100", "--images", "1000", "--likes", "2000")
	contains(t, "load's table", stdout, "│ table  │ -80 │ 80-  │ total │", "│ images │", "│  1000 │")
	contains(t, "load's summary", stderr, "loaded 3100 rows into 2 shard(s) of ", "images: 1000 rows in ")

	t.Run("query", func(t *testing.T) {
		stdout, stderr := run(t, "query", "--route", "SELECT id, NULL AS n FROM images ORDER BY id DESC LIMIT 2")
		contains(t, "query's rows", stdout, "│ 1000 │ NULL │", "│  999 │ NULL │", "plan:    scatter\n", "shards:  -80, 80-\n", "merged:  ")
		if stderr != "2 row(s)\n" {
			t.Errorf("got stderr %q, want the row count", stderr)
		}
		stdout, stderr = run(t, "query", "UPDATE users SET name = name WHERE id = 1")
		if stdout != "" || stderr != "0 row(s) affected\n" {
			t.Errorf("update: got stdout %q, stderr %q", stdout, stderr)
		}
		// A statement with no result set reads as one that changed nothing.
		stdout, stderr = run(t, "query", "DO 1")
		if stdout != "" || stderr != "0 row(s) affected\n" {
			t.Errorf("DO: got stdout %q, stderr %q", stdout, stderr)
		}
		stdout, _ = run(t, "query", "--format", "json", "--route", "SELECT id FROM images WHERE id = 7")
		var got map[string]json.RawMessage
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, stdout)
		}
		var keys []string
		for k := range got {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, []string{"columns", "route", "rows", "rows_affected"}) || string(got["rows"]) != "[\n    [\n      \"7\"\n    ]\n  ]" {
			t.Errorf("got JSON %s", stdout)
		}
		_, _, err := runCLI(t, "query", "--topology", topo, "--consistency", "sometimes", "SELECT 1")
		var ue *usageError
		if !errors.As(err, &ue) {
			t.Errorf("bad consistency: got %v, want a usage error", err)
		}
	})

	t.Run("explain", func(t *testing.T) {
		stdout, _ := run(t, "explain", "SELECT * FROM images ORDER BY dt DESC LIMIT 5")
		contains(t, "explain's plan", stdout, "EXPLAIN SELECT * FROM images ORDER BY dt DESC LIMIT 5\n", "executed:\n", "rows examined: ")
		stdout, stderr := run(t, "explain", "--node", "80-/replica-1", "--compare-index", "CREATE INDEX idx_cmd ON images (user_id, dt)",
			"--format", "json", "SELECT * FROM images WHERE user_id = 7 ORDER BY dt")
		if stderr != "dropped the index again: DROP INDEX idx_cmd ON images\n" {
			t.Errorf("got stderr %q, want the drop", stderr)
		}
		var res struct {
			Dropped    bool            `json:"dropped"`
			Before     json.RawMessage `json:"before"`
			Comparison struct {
				LabelB string `json:"label_b"`
			} `json:"comparison"`
		}
		if err := json.Unmarshal([]byte(stdout), &res); err != nil || !res.Dropped || res.Comparison.LabelB != "after CREATE INDEX idx_cmd ON images (user_id, dt)" {
			t.Errorf("got %+v (%v) from\n%s", res, err, stdout)
		}
		if strings.Contains(string(res.Before), "json_plan") {
			t.Error("JSON holds the raw plan without --json-plan")
		}
		_, _, err := runCLI(t, "explain", "--topology", topo, "--node", "no/such", "SELECT 1")
		var ue *usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), `topology: no node "no/such"`) {
			t.Errorf("unknown node: got %v, want a usage error naming it", err)
		}
	})

	t.Run("status", func(t *testing.T) {
		stdout, _ := run(t, "status", "--format", "json")
		var st struct {
			Nodes []struct {
				Name string `json:"name"`
				Up   bool   `json:"up"`
				Pid  int    `json:"pid"`
			} `json:"nodes"`
		}
		if err := json.Unmarshal([]byte(stdout), &st); err != nil || len(st.Nodes) != 4 {
			t.Fatalf("got %+v (%v)", st, err)
		}
		for _, n := range st.Nodes {
			if !n.Up || n.Pid == 0 {
				t.Errorf("node %s: got up %v, pid %d; want up with its pid", n.Name, n.Up, n.Pid)
			}
		}
	})
}
