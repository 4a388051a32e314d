package sandbox

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSameShape(t *testing.T) {
	twoShards := &Sandbox{State: State{Nodes: []NodeState{
		{Name: "-80/primary", Shard: "-80"}, {Name: "-80/replica-1", Shard: "-80"},
		{Name: "80-/primary", Shard: "80-"}, {Name: "80-/replica-1", Shard: "80-"},
	}}}
	withMain := &Sandbox{State: State{Nodes: append(append([]NodeState{}, twoShards.State.Nodes...), NodeState{Name: "main"})}}
	for _, tc := range []struct {
		name string
		sb   *Sandbox
		cfg  Config
		want bool
	}{
		{"same", twoShards, Config{Shards: 2, Replicas: 1}, true},
		{"more shards", twoShards, Config{Shards: 4, Replicas: 1}, false},
		{"fewer replicas", twoShards, Config{Shards: 2, Replicas: 0}, false},
		{"main asked", twoShards, Config{Shards: 2, Replicas: 1, Main: true}, false},
		{"main kept", withMain, Config{Shards: 2, Replicas: 1, Main: true}, true},
		{"main not asked", withMain, Config{Shards: 2, Replicas: 1}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.sb.SameShape(tc.cfg); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPidOfUnknownNode(t *testing.T) {
	sb := &Sandbox{}
	if got := sb.Pid("no/such"); got != 0 {
		t.Errorf("got pid %d, want 0", got)
	}
}

func TestEventString(t *testing.T) {
	for _, tc := range []struct {
		e    Event
		want string
	}{
		{Event{Step: "replication ok"}, "replication ok"},
		{Event{Node: "-80/replica-1", Step: "started"}, "-80/replica-1    started"},
	} {
		if got := tc.e.String(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

// TestDownWithoutRunningNodes: a sandbox whose nodes are all stopped goes
// down at once, and with purge leaves nothing of what it made.
func TestDownWithoutRunningNodes(t *testing.T) {
	for _, purge := range []bool{false, true} {
		t.Run(map[bool]string{false: "stop", true: "purge"}[purge], func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "sb")
			node := filepath.Join(dir, "node-1")
			if err := os.MkdirAll(node, 0o700); err != nil {
				t.Fatal(err)
			}
			sb := &Sandbox{Dir: dir, State: State{Nodes: []NodeState{{Name: "0/primary", Shard: "0", Dir: node, Socket: filepath.Join(node, "s.sock")}}}}
			stopped, err := sb.Down(context.Background(), purge)
			if err != nil || stopped != 0 {
				t.Fatalf("got %d stopped, %v; want 0, nil", stopped, err)
			}
			_, statErr := os.Stat(dir)
			if gone := errors.Is(statErr, os.ErrNotExist); gone != purge {
				t.Errorf("got dir gone %v, want %v", gone, purge)
			}
		})
	}
}
