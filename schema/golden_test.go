package schema

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// checkGolden compares got with testdata/name, or rewrites the file under
// -update. Golden files pin what must never change silently: the DDL and
// the generated data.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatalf("update golden file: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file: %v (run go test ./schema -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s changed (run go test ./schema -update if that is intended):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
