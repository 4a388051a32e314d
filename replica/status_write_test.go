package replica

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/topology"
)

func sampleStatus() *Status {
	return &Status{Name: "lab", Flavor: "mariadb", Nodes: []NodeStatus{
		{Node: topology.Node{Name: "0/primary", Shard: "0", Role: topology.Primary, Addr: "127.0.0.1:1"},
			Up: true, GTID: "0-1-5", SecondsBehind: -1, HeartbeatLagMs: -1, Pid: 42},
		{Node: topology.Node{Name: "0/replica-1", Shard: "0", Role: topology.Replica, Addr: "127.0.0.1:2"},
			Up: true, GTID: "0-1-5", IORunning: "Yes", SQLRunning: "No", SecondsBehind: 3, HeartbeatLagMs: 2.25, LastError: "Error 1062"},
		{Node: topology.Node{Name: "main", Role: topology.Primary, Addr: "127.0.0.1:3"},
			Error: "connection refused", SecondsBehind: -1, HeartbeatLagMs: -1},
	}}
}

func TestStatusWriteTable(t *testing.T) {
	var b bytes.Buffer
	if err := sampleStatus().WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"│ 0/primary   │     0 │ primary │ 127.0.0.1:1 │  42 │ up    │ -   │ -   │     - │            - │ 0-1-5 │",
		"│ 0/replica-1 │     0 │ replica │ 127.0.0.1:2 │   - │ up    │ Yes │ No  │     3 │          2.2 │ 0-1-5 │",
		"│ main        │     - │ primary │ 127.0.0.1:3 │   - │ down  │ ?   │ ?   │     - │            - │       │",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks row %q:\n%s", want, b.String())
		}
	}
}

func TestStatusErrAndProblems(t *testing.T) {
	for _, tc := range []struct {
		name     string
		mainUp   bool
		wantDown bool
	}{
		{"a primary down", false, true},
		{"every primary up", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := sampleStatus()
			if tc.mainUp {
				s.Nodes[2].Up, s.Nodes[2].Error = true, ""
			}
			err := s.Err()
			if got := errors.Is(err, ErrPrimaryDown); got != tc.wantDown {
				t.Fatalf("got %v, want ErrPrimaryDown %v", err, tc.wantDown)
			}
			if tc.wantDown && !strings.Contains(err.Error(), "a primary is down: main (") {
				t.Errorf("got %q, want it to name main", err)
			}
			var b bytes.Buffer
			s.WriteProblems(&b)
			want := "0/replica-1: replication error: Error 1062\n"
			if !tc.mainUp {
				want += "main: connection refused\n"
			}
			if b.String() != want {
				t.Errorf("got problems %q, want %q", b.String(), want)
			}
		})
	}
}

func TestStatusJSON(t *testing.T) {
	var b bytes.Buffer
	if err := sampleStatus().WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Name  string           `json:"name"`
		Nodes []map[string]any `json:"nodes"`
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Name != "lab" || len(got.Nodes) != 3 {
		t.Fatalf("got %+v, want lab with 3 nodes", got)
	}
	if pid, ok := got.Nodes[0]["pid"]; !ok || pid != 42.0 {
		t.Errorf("got pid %v, want 42", pid)
	}
	if _, ok := got.Nodes[1]["pid"]; ok {
		t.Error("got a pid for a node without one, want none")
	}
}
