package topology

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNodeUnknown(t *testing.T) {
	topo, err := Parse([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		wantErr bool
	}{
		{"-80/primary", false},
		{"80-/primary", false},
		{MainNode, false},
		{"80-/replica-1", true},
		{"no/such", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := topo.Node(tc.name)
			if got := errors.Is(err, ErrNoNode); got != tc.wantErr {
				t.Fatalf("got error %v, want ErrNoNode %v", err, tc.wantErr)
			}
			if tc.wantErr {
				if want := `topology: no node "` + tc.name + `" in lab; nodes are [`; !strings.HasPrefix(err.Error(), want) {
					t.Errorf("got %q, want it to start %q", err, want)
				}
				return
			}
			if n.Name != tc.name {
				t.Errorf("got node %q, want %q", n.Name, tc.name)
			}
		})
	}
}

// TestOpenDB: the pool connects lazily (nothing listens on port 1) and is
// capped as asked.
func TestOpenDB(t *testing.T) {
	topo, err := Parse([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		conns    int
		wantOpen int // MaxOpenConnections; 0 is no limit
	}{
		{"capped", 3, 3},
		{"defaults", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := topo.OpenDB("127.0.0.1:1", topo.User, tc.conns)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if got := db.Stats().MaxOpenConnections; got != tc.wantOpen {
				t.Errorf("got MaxOpenConnections %d, want %d", got, tc.wantOpen)
			}
			if got := db.Stats().OpenConnections; got != 0 {
				t.Errorf("got %d open connections before first use, want 0", got)
			}
		})
	}
}

func TestLoadChecked(t *testing.T) {
	for _, tc := range []struct {
		mode os.FileMode
		warn bool
	}{{0o644, true}, {0o640, true}, {0o600, false}} {
		t.Run(tc.mode.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "topology.yaml")
			if err := os.WriteFile(path, []byte(good), tc.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			var warned *ExposedError
			topo, err := LoadChecked(path, func(e *ExposedError) { warned = e })
			if err != nil || topo.Name != "lab" {
				t.Fatalf("got %v, %v; want topology lab", topo, err)
			}
			if (warned != nil) != tc.warn || (warned != nil && warned.Path != path) {
				t.Errorf("got warning %v, want one: %v", warned, tc.warn)
			}
			if _, err := LoadChecked(path, nil); err != nil {
				t.Errorf("without warn: %v", err)
			}
		})
	}
	if _, err := LoadChecked(filepath.Join(t.TempDir(), "none.yaml"), nil); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("got %v, want a missing file error", err)
	}
}
