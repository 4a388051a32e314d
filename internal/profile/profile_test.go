package profile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestStartCPU(t *testing.T) {
	stop, err := StartCPU("")
	if err != nil {
		t.Fatal(err)
	}
	stop()
	path := filepath.Join(t.TempDir(), "cpu.pprof")
	if stop, err = StartCPU(path); err != nil {
		t.Fatal(err)
	}
	stop()
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Errorf("profile %s: %v, size %v; want a written profile", path, err, fi)
	}
	if _, err := StartCPU(filepath.Join(t.TempDir(), "no", "such", "dir", "p")); err == nil {
		t.Error("a profile in a missing dir started")
	}
}
