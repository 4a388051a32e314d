package topology

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Followers are the processes that route by a topology file and follow
// it when it changes (a router with router.Config.TopologyPath, such as
// scalelab proxy's). Each keeps a small file next to the topology file
// that says which version of it it routes by, so that a reshard's switch
// can wait until every running router routes by the new topology before
// it lets writes through again.
const followersDir = ".followers"

// FollowersDir is where the followers of the topology file at path keep
// their records.
func FollowersDir(path string) string { return filepath.Join(filepath.Dir(path), followersDir) }

// Version names the content of a topology file.
func Version(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}

// Follower is one process's record in the followers of a topology file.
type Follower struct{ path string }

// NewFollower records a follower of the topology file at path, which has
// followed no version yet.
func NewFollower(path string) (*Follower, error) {
	dir := FollowersDir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("topology: followers: %w", err)
	}
	var id [4]byte
	_, _ = rand.Read(id[:])
	return &Follower{path: filepath.Join(dir, strconv.Itoa(os.Getpid())+"-"+hex.EncodeToString(id[:]))}, nil
}

// Report records that the follower routes by version.
func (f *Follower) Report(version string) error {
	tmp := f.path + ".tmp"
	if err := os.WriteFile(tmp, []byte(version+"\n"), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, f.path)
}

// Close removes the record.
func (f *Follower) Close() error {
	err := os.Remove(f.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// WaitFollowers waits until every running follower of the topology file
// at path routes by version, for at most timeout, checking every few
// milliseconds. It returns the followers still behind (by pid) when the
// time is up. Records of processes that no longer run are removed.
func WaitFollowers(ctx context.Context, path, version string, timeout time.Duration) ([]int, error) {
	dir := FollowersDir(path)
	deadline := time.Now().Add(timeout)
	for {
		behind, err := followersBehind(dir, version)
		if err != nil || len(behind) == 0 || time.Now().After(deadline) {
			return behind, err
		}
		select {
		case <-ctx.Done():
			return behind, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func followersBehind(dir, version string) ([]int, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var behind []int
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, ".tmp") {
			continue
		}
		pid, err := strconv.Atoi(strings.SplitN(name, "-", 2)[0])
		if err != nil {
			continue
		}
		if !running(pid) {
			_ = os.Remove(filepath.Join(dir, name))
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			continue // closed meanwhile
		}
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(string(b)) != version {
			behind = append(behind, pid)
		}
	}
	return behind, nil
}

// running reports whether process pid exists.
func running(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
