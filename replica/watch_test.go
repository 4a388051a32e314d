package replica

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/scalelab/scalelab/topology"
)

func TestTopNodeCells(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		name string
		node TopNode
		want string
	}{
		{"first sample of a primary", TopNode{Name: "-80/primary", Shard: "-80", Role: topology.Primary, Up: true},
			"-80/primary -80 primary up - - - - -"},
		{"saturated replica", TopNode{Name: "0/replica-1", Shard: "0", Role: topology.Replica, Up: true, QPS: f(1234.4), LagMs: f(3.25),
			CPUCores: f(0.249), CPULimit: f(0.25), CPUShare: f(0.996), Throttled: f(0.9)},
			"0/replica-1 0 replica up 1234 3.2 0.25 of 0.25 100% 90%"},
		{"unlimited main node", TopNode{Name: "main", Role: topology.Primary, Up: true, QPS: f(10), CPUCores: f(1.5)},
			"main - primary up 10 - 1.50 - -"},
		{"down", TopNode{Name: "0/primary", Shard: "0", Role: topology.Primary}, "0/primary 0 primary down - - - - -"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := strings.Join(tc.node.Cells(), " "); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			if n := len(tc.node.Cells()); n != len(TopColumns) {
				t.Errorf("%d cells for %d columns", n, len(TopColumns))
			}
		})
	}
}

func TestWriteTopFormats(t *testing.T) {
	s := TopSample{At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Nodes: []TopNode{
		{Name: "0/primary", Shard: "0", Role: topology.Primary, Up: true},
		{Name: "0/replica-1", Shard: "0", Role: topology.Replica, Error: "connection refused"}}}
	var b bytes.Buffer
	if err := WriteTop(&b, s, TopLines, true); err != nil {
		t.Fatal(err)
	}
	want := "time\tnode\tshard\trole\tstate\tqps\tlag_ms\tcpu_cores\tcpu_of_limit\tthrottled\n" +
		"2026-01-02T03:04:05Z\t0/primary\t0\tprimary\tup\t-\t-\t-\t-\t-\n" +
		"2026-01-02T03:04:05Z\t0/replica-1\t0\treplica\tdown\t-\t-\t-\t-\t-\n"
	if b.String() != want {
		t.Errorf("lines:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	if err := WriteTop(&b, s, TopTable, false); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.Contains(out, "cpu of limit") || !strings.Contains(out, "0/replica-1: connection refused") {
		t.Errorf("table lacks its header or the node's error:\n%s", out)
	}
	b.Reset()
	if err := WriteTop(&b, s, TopJSON, false); err != nil || !strings.HasPrefix(b.String(), `{"at":"2026-01-02T03:04:05Z","nodes":[{"node":"0/primary"`) || strings.Count(b.String(), "\n") != 1 {
		t.Errorf("json line: %v\n%s", err, b.String())
	}
	if err := WriteTop(&b, s, "yaml", false); err == nil {
		t.Error("an unknown format was accepted")
	}
}
