package topology

import (
	"fmt"
	"os"
)

// ExposedError says that a topology file, which holds the sandbox's
// passwords, can be read or written by users other than its owner.
type ExposedError struct {
	Path string
	Mode os.FileMode
}

func (e *ExposedError) Error() string {
	return fmt.Sprintf("topology file %s is open to other users (mode %#o) and holds passwords: run chmod 600 %s", e.Path, e.Mode.Perm(), e.Path)
}

// CheckPermissions returns an *ExposedError when the file at path grants
// any permission to its group or others, as ssh checks a private key. It
// returns nil for a file only its owner can use, and the stat error for a
// file it cannot inspect.
func CheckPermissions(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return &ExposedError{Path: path, Mode: fi.Mode()}
	}
	return nil
}
