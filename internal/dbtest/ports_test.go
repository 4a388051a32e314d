package dbtest

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestBasePortsUnique checks that no two test sandboxes in the repository
// share ports: every `BasePort: N` in a _test.go file must be at least
// 100 away from every other, and away from the user's default 24000 range.
func TestBasePortsUnique(t *testing.T) {
	root := filepath.Join("..", "..")
	re := regexp.MustCompile(`BasePort:\s*(\d+)`)
	type use struct {
		port int
		file string
	}
	var uses []use
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == ".scalelab") {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllSubmatch(b, -1) {
			n, _ := strconv.Atoi(string(m[1]))
			uses = append(uses, use{n, p})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(uses) == 0 {
		t.Fatal("found no BasePort in any test; the scan is broken")
	}
	sort.Slice(uses, func(i, j int) bool { return uses[i].port < uses[j].port })
	for i, u := range uses {
		if u.port >= 24000 && u.port < 25000 {
			t.Errorf("%s: BasePort %d is in the user's default sandbox range 24000-24999", u.file, u.port)
		}
		if i > 0 && u.port-uses[i-1].port < 100 {
			t.Errorf("%s: BasePort %d is within 100 of %d in %s", u.file, u.port, uses[i-1].port, uses[i-1].file)
		}
	}
}
