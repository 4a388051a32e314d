package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// alive reports whether pid is a live (not zombie) process whose command line
// mentions marker. The marker guards against a recycled pid: a node's
// process always names its own defaults file.
func alive(pid int, marker string) bool {
	if pid <= 0 {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			if _, err := os.Stat("/proc/self"); err == nil {
				return false // a /proc without this pid: it is gone
			}
			// No /proc (macOS): fall back to signal 0.
			return syscall.Kill(pid, 0) == nil
		}
		return false
	}
	// The state follows the parenthesized command name.
	if i := bytes.LastIndexByte(stat, ')'); i > 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
		return false
	}
	if marker == "" {
		return true
	}
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return false
	}
	return strings.Contains(string(cmdline), marker)
}

// waitPortFree waits, for at most d, until port can be bound again. A
// killed server's main thread is a zombie, and so counts as gone, a moment
// before its last thread has closed its sockets; starting it again in that
// moment would find its own port taken.
func waitPortFree(ctx context.Context, port int, d time.Duration) {
	poll(ctx, d, func() bool { return portFree(port) == nil })
}

// terminate stops pid: SIGTERM, a wait of up to grace, then SIGKILL and a
// short wait. It returns an error only if the process outlives SIGKILL.
func terminate(ctx context.Context, pid int, marker string, grace time.Duration) error {
	if !alive(pid, marker) {
		return nil
	}
	_ = syscall.Kill(pid, syscall.SIGTERM)
	if waitGone(ctx, pid, marker, grace) {
		return nil
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	if waitGone(context.Background(), pid, marker, 10*time.Second) {
		return nil
	}
	return fmt.Errorf("process %d survived SIGKILL", pid)
}

func waitGone(ctx context.Context, pid int, marker string, d time.Duration) bool {
	return poll(ctx, d, func() bool { return !alive(pid, marker) })
}

// poll checks done every 20 ms until it holds, for at most d, and reports
// whether it held.
func poll(ctx context.Context, d time.Duration, done func() bool) bool {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !done() {
		select {
		case <-deadline.C:
			return false
		case <-ctx.Done():
			return false
		case <-tick.C:
		}
	}
	return true
}

// strays lists the live processes whose command line mentions marker, such
// as a node's dir: what a killed `scalelab` left running, like a
// mariadb-install-db whose pid was never recorded. It needs /proc; without
// one it finds nothing.
func strays(marker string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		if alive(pid, marker) {
			pids = append(pids, pid)
		}
	}
	return pids
}
