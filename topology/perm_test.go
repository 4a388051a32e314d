package topology

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCheckPermissions(t *testing.T) {
	for _, tc := range []struct {
		name    string
		mode    os.FileMode
		exposed bool
	}{
		{"owner only", 0o600, false},
		{"owner read only", 0o400, false},
		{"world readable", 0o644, true},
		{"group readable", 0o640, true},
		{"world writable", 0o602, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "topology.yaml")
			if err := os.WriteFile(p, []byte("x"), tc.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(p, tc.mode); err != nil { // past the umask
				t.Fatal(err)
			}
			err := CheckPermissions(p)
			var ee *ExposedError
			if got := errors.As(err, &ee); got != tc.exposed {
				t.Fatalf("mode %#o: got %v, want exposed=%v", tc.mode, err, tc.exposed)
			}
			if tc.exposed && ee.Mode.Perm() != tc.mode {
				t.Errorf("reported mode %#o, want %#o", ee.Mode.Perm(), tc.mode)
			}
		})
	}
}
