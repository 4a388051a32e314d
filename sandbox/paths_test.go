package sandbox

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenRefusesForeignPaths: a state that names dirs outside its
// sandbox (a copied sandbox dir, or a crafted state.json) is refused
// before anything can be stopped or deleted.
func TestOpenRefusesForeignPaths(t *testing.T) {
	victim := t.TempDir()
	keep := filepath.Join(victim, "precious")
	if err := os.WriteFile(keep, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	original := t.TempDir()
	for _, tc := range []struct {
		name string
		node func(dir string) NodeState
	}{
		{"dir elsewhere", func(string) NodeState {
			return NodeState{Name: "n", Port: 24000, Dir: victim, Socket: filepath.Join(victim, "mysqld.sock")}
		}},
		{"dir of the original sandbox", func(string) NodeState {
			d := filepath.Join(original, "node-24000")
			return NodeState{Name: "n", Port: 24000, Dir: d, Socket: socketPath(d, 24000)}
		}},
		{"dir escaping with ..", func(dir string) NodeState {
			d := filepath.Join(dir, "..", filepath.Base(victim))
			return NodeState{Name: "n", Port: 24000, Dir: d, Socket: socketPath(d, 24000)}
		}},
		{"socket elsewhere", func(dir string) NodeState {
			d := filepath.Join(dir, "node-24000")
			return NodeState{Name: "n", Port: 24000, Dir: d, Socket: keep}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeState(t, dir, tc.node(dir))
			_, err := Open(dir)
			if !errors.Is(err, ErrForeignPath) || !strings.Contains(err.Error(), "refusing") {
				t.Fatalf("got %v, want ErrForeignPath", err)
			}
			if _, err := os.Stat(keep); err != nil {
				t.Fatalf("the file outside the sandbox: %v", err)
			}
		})
	}
	// The sandbox's own paths open.
	dir := t.TempDir()
	d := filepath.Join(dir, "node-24000")
	writeState(t, dir, NodeState{Name: "n", Port: 24000, Dir: d, Socket: socketPath(d, 24000)})
	if _, err := Open(dir); err != nil {
		t.Fatalf("own paths: %v", err)
	}
}

func writeState(t *testing.T, dir string, n NodeState) {
	t.Helper()
	b, err := json.Marshal(State{Nodes: []NodeState{n}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, stateFile), b, 0o600); err != nil {
		t.Fatal(err)
	}
}
