package explain_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/explain"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/topology"
)

// explainTopology is the package sandbox's topology in the test database.
func explainTopology(t *testing.T) *topology.Topology {
	t.Helper()
	explainFixture(t)
	topo := *dbtest.Sandbox(t).Topology
	topo.Database = explainDB
	return &topo
}

// jsonKeys returns the sorted keys of the JSON object written by write.
func jsonKeys(t *testing.T, write func(*bytes.Buffer) error) []string {
	t.Helper()
	var b bytes.Buffer
	if err := write(&b); err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, b.String())
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestOnTopologyPlan(t *testing.T) {
	topo := explainTopology(t)
	rep, err := explain.OnTopology(context.Background(), explain.TopologyConfig{Topology: topo, Statement: frontPage})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Plan == nil || rep.Comparison != nil || rep.IndexNote() != "" {
		t.Fatalf("got %+v, want one plan", rep)
	}
	var b bytes.Buffer
	if err := rep.Write(&b, true); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"EXPLAIN " + frontPage + "\n", "executed:\n", "EXPLAIN FORMAT=JSON:\n{\n", "executed plan:\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, b.String())
		}
	}
	trimmed := jsonKeys(t, func(b *bytes.Buffer) error { return rep.WriteJSON(b, false) })
	raw := jsonKeys(t, func(b *bytes.Buffer) error { return rep.WriteJSON(b, true) })
	if slices.Contains(trimmed, "json_plan") || !slices.Contains(raw, "json_plan") || !slices.Contains(raw, "executed") {
		t.Errorf("got keys %v without raw and %v with it, want json_plan and executed only with it", trimmed, raw)
	}
	if rep.Plan.JSONPlan == nil {
		t.Error("WriteJSON without raw dropped the Plan's own JSONPlan, want it kept")
	}
}

func TestOnTopologyCompare(t *testing.T) {
	topo := explainTopology(t)
	const other = "SELECT * FROM images WHERE id = 7"
	rep, err := explain.OnTopology(context.Background(), explain.TopologyConfig{
		Topology: topo, Node: "0/replica-1", Statement: frontPage, Compare: other,
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.A.Statement != frontPage || rep.B.Statement != other || rep.Comparison.LabelA != "SQL" || rep.Comparison.LabelB != "--compare" {
		t.Fatalf("got A %q, B %q, labels %q and %q", rep.A.Statement, rep.B.Statement, rep.Comparison.LabelA, rep.Comparison.LabelB)
	}
	if got := jsonKeys(t, func(b *bytes.Buffer) error { return rep.WriteJSON(b, false) }); !slices.Equal(got, []string{"a", "b", "comparison"}) {
		t.Errorf("got JSON keys %v, want a, b and comparison", got)
	}
	var b bytes.Buffer
	if err := rep.Write(&b, true); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"A  SQL: " + frontPage, "B  --compare: " + other, "\nA  SQL\nEXPLAIN FORMAT=JSON:", "\nB  --compare\nEXPLAIN FORMAT=JSON:"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, b.String())
		}
	}
}

// TestOnTopologyIndex explains on the replica: the plan after the index
// uses it there only if the run waited for the replica to apply it.
func TestOnTopologyIndex(t *testing.T) {
	topo := explainTopology(t)
	env := explainFixture(t)
	ctx := context.Background()
	const ddl = "CREATE INDEX idx_topo_dt ON images (dt)"
	const drop = "DROP INDEX idx_topo_dt ON images"
	for _, keep := range []bool{false, true} {
		rep, err := explain.OnTopology(ctx, explain.TopologyConfig{
			Topology: topo, Node: "0/replica-1", Statement: frontPage, Index: ddl, KeepIndex: keep,
		})
		if err != nil {
			t.Fatal(err)
		}
		if a := images(t, rep.B); a.Key != "idx_topo_dt" {
			t.Errorf("keep %v: got key %q after the index on the replica, want idx_topo_dt", keep, a.Key)
		}
		if rep.Comparison.LabelB != "after "+ddl || rep.Index.Dropped == keep {
			t.Errorf("keep %v: got label %q, dropped %v", keep, rep.Comparison.LabelB, rep.Index.Dropped)
		}
		want := "dropped the index again: " + drop
		if keep {
			want = "kept the index; to drop it: " + drop
		}
		var note bytes.Buffer
		rep.WriteIndexNote(&note)
		if note.String() != want+"\n" {
			t.Errorf("got note %q, want %q", note.String(), want)
		}
		got := jsonKeys(t, func(b *bytes.Buffer) error { return rep.WriteJSON(b, false) })
		if !slices.Equal(got, []string{"after", "before", "comparison", "ddl", "drop", "dropped", "existed"}) {
			t.Errorf("got JSON keys %v", got)
		}
	}

	// The kept index exists now: asked for again, it is measured hidden
	// and in use, and left as it was.
	rep, err := explain.OnTopology(ctx, explain.TopologyConfig{Topology: topo, Node: "0/replica-1", Statement: frontPage, Index: ddl})
	if err != nil {
		t.Fatalf("an index that exists already: %v", err)
	}
	if b, a := images(t, rep.A), images(t, rep.B); b.Key == "idx_topo_dt" || a.Key != "idx_topo_dt" || !rep.Index.Existed || rep.Index.Dropped {
		t.Errorf("an existing index: key %q before, %q after, existed %v, dropped %v; want it hidden, then used, then kept", b.Key, a.Key, rep.Index.Existed, rep.Index.Dropped)
	}
	var ignored int
	if err := env.primary.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND index_name = 'idx_topo_dt' AND ignored = 'YES'").Scan(&ignored); err != nil || ignored != 0 {
		t.Errorf("the index is left ignored (%d columns, %v)", ignored, err)
	}
	if _, err := env.primary.ExecContext(ctx, drop); err != nil {
		t.Fatalf("the kept index: %v", err)
	}
}

func TestOnTopologyErrors(t *testing.T) {
	topo := explainTopology(t)
	for _, tc := range []struct {
		name string
		cfg  explain.TopologyConfig
		want error
	}{
		{"unknown node", explain.TopologyConfig{Topology: topo, Node: "9/primary", Statement: frontPage}, topology.ErrNoNode},
		{"not an index", explain.TopologyConfig{Topology: topo, Statement: frontPage, Index: "DROP TABLE images"}, explain.ErrNotIndexDDL},
		{"write", explain.TopologyConfig{Topology: topo, Statement: "DELETE FROM images"}, explain.ErrWrite},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := explain.OnTopology(context.Background(), tc.cfg)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if rep.IndexNote() != "" {
				t.Errorf("got note %q, want none", rep.IndexNote())
			}
		})
	}
}
