package reshard

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// ErrBusy is returned when another workflow command (a reshard, a table
// move or a vdiff) runs on the same sandbox: one at a time, since each
// acts on the state the other is changing. The error names the holder.
var ErrBusy = errors.New("reshard: another workflow command is running on this sandbox")

// lockFile, next to the workflow's state, is locked for a command's run.
const lockFile = "workflow.lock"

// Lock is a sandbox's workflow lock, held (see LockDir).
type Lock struct{ f *os.File }

// LockDir takes the workflow lock of the sandbox whose state lives in dir,
// without waiting: an exclusive flock(2) on dir/workflow.lock, into which
// it writes the holder's pid and command line. If another process, or
// another LockDir of this one, holds it, LockDir returns an error wrapping
// ErrBusy that names the holder. The kernel releases the lock when the
// holder's process ends, however it ends, so a killed command leaves
// nothing to clean up; the file stays (deleting it would race with a
// command that has just opened it), except that Purge deletes it with
// its sandbox, and LockDir refuses a lock it got on a deleted file. Run,
// VDiff, Forget and Purge take it themselves; Release gives it back.
func LockDir(dir string) (*Lock, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("reshard: the workflow lock: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (%s); wait for it to end", ErrBusy, holder(f))
		}
		return nil, fmt.Errorf("reshard: lock %s: %w", f.Name(), err)
	}
	// A sandbox's purge deletes the lock file while it holds it (Purge):
	// a command that opened the file before and got the lock after holds
	// a lock nobody else can see. The file must still be dir's.
	if !sameFile(f, f.Name()) {
		f.Close()
		return nil, fmt.Errorf("reshard: the workflow lock: the sandbox in %s was deleted as this command started: %w", dir, os.ErrNotExist)
	}
	me := fmt.Sprintf("pid %d: %s", os.Getpid(), commandLine())
	if err := f.Truncate(0); err == nil {
		// Only a message reads it: a failed write leaves the lock held.
		_, _ = f.WriteAt([]byte(me+"\n"), 0)
	}
	return &Lock{f: f}, nil
}

// Release gives the lock back. It may be called more than once, and on
// a nil Lock.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// Remove deletes the lock file and gives the lock back, for a sandbox
// that is deleted (Purge): the file goes while the lock is held, so no
// command can take the lock on it (see LockDir).
func (l *Lock) Remove() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := os.Remove(l.f.Name())
	return errors.Join(err, l.Release())
}

// Purge deletes a sandbox's workflow with the sandbox: under the
// workflow lock of dir it forgets the workflow in progress (so that a new
// sandbox in dir does not resume it), runs purge (the sandbox's own, which
// stops its nodes and deletes its files), then deletes the lock file, and
// dir if that leaves it empty. A dir that does not exist is left to purge.
// It returns an error wrapping ErrBusy, before purge runs, while another
// workflow command runs on the sandbox.
func Purge(dir string, purge func() error) error {
	lock, err := LockDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return purge()
	}
	if err != nil {
		return err
	}
	defer lock.Release()
	if err := forgetIn(dir); err != nil {
		return err
	}
	if err := purge(); err != nil {
		return err
	}
	if err := lock.Remove(); err != nil {
		return err
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, os.ErrNotExist) && !errors.Is(err, unix.ENOTEMPTY) && !errors.Is(err, unix.EEXIST) {
		return err
	}
	return nil
}

// sameFile reports whether the open file f is the one at path.
func sameFile(f *os.File, path string) bool {
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	pi, err := os.Stat(path)
	return err == nil && os.SameFile(fi, pi)
}

// holder is what the holder of the lock in f wrote there.
func holder(f *os.File) string {
	b := make([]byte, 4096)
	n, _ := f.ReadAt(b, 0)
	if s := strings.TrimSpace(string(b[:n])); s != "" {
		return s
	}
	return "its pid is not written yet"
}

// commandLine is this process's command line, as a user typed it.
func commandLine() string {
	args := append([]string{filepath.Base(os.Args[0])}, os.Args[1:]...)
	return strings.Join(strings.Fields(strings.Join(args, " ")), " ")
}
