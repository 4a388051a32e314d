package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExposedTopologyWarns: a topology file others can read holds
// passwords in the open; every command that reads it says so, as ssh
// does for a private key.
func TestExposedTopologyWarns(t *testing.T) {
	b, err := os.ReadFile("../../docker/topology.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Nothing listens on ports 1 to 4 of a test machine: the commands fail
	// after reading the file, which is all this test needs.
	text := strings.NewReplacer("127.0.0.1:24000", "127.0.0.1:1", "127.0.0.1:24001", "127.0.0.1:2", "127.0.0.1:24002", "127.0.0.1:3", "127.0.0.1:24003", "127.0.0.1:4").Replace(string(b))
	for _, tc := range []struct {
		mode os.FileMode
		warn bool
	}{{0o644, true}, {0o640, true}, {0o600, false}} {
		p := filepath.Join(t.TempDir(), "topology.yaml")
		if err := os.WriteFile(p, []byte(text), tc.mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, tc.mode); err != nil {
			t.Fatal(err)
		}
		_, stderr, _ := runCLI(t, "status", "--topology", p)
		if got := strings.Contains(stderr, "warning: topology file "+p+" is open to other users") && strings.Contains(stderr, "chmod 600"); got != tc.warn {
			t.Errorf("mode %#o: warned=%v, want %v; stderr:\n%s", tc.mode, got, tc.warn, stderr)
		}
	}
}
