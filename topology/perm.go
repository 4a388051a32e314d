package topology

import (
	"errors"
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

// LoadChecked reads and validates a topology file, as Load does, and
// passes warn the *ExposedError when other users can use the file: it
// holds the sandbox's passwords. warn may be nil.
func LoadChecked(path string, warn func(*ExposedError)) (*Topology, error) {
	t, err := Load(path)
	if err != nil {
		return nil, err
	}
	var exposed *ExposedError
	if err := CheckPermissions(path); errors.As(err, &exposed) && warn != nil {
		warn(exposed)
	}
	return t, nil
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
