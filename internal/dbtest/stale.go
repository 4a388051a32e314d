package dbtest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// testRelay reports whether the process is a netsim relay process run by
// a test binary (tests' sandboxes run their relays as the test binary).
func testRelay(pid string, cmdline []byte) bool {
	args := strings.Split(string(cmdline), "\x00")
	if len(args) < 2 || args[1] != "netsim-relay" {
		return false
	}
	exe, err := os.Readlink(filepath.Join("/proc", pid, "exe"))
	exe = strings.TrimSuffix(exe, " (deleted)")
	return err == nil && strings.HasSuffix(exe, ".test")
}

// reapOrphans kills servers, and the netsim relays of tests, left behind by an earlier test binary that died
// before its TestMain could stop them (a panic, a timeout, a kill -9): test
// servers run from a data dir under the temp dir named scalelab-test-*, and
// an orphan's parent is gone, so it was handed to process 1. Servers of
// running test binaries, and anything else, are left alone. It returns how
// many it stopped.
func reapOrphans() int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	marker := filepath.Join(os.TempDir(), "scalelab-test-")
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !strings.Contains(string(cmd), "--defaults-file="+marker) && !testRelay(e.Name(), cmd) {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// Fields after the parenthesized name: state, ppid, …
		i := strings.LastIndexByte(string(stat), ')')
		f := strings.Fields(string(stat[i+1:]))
		if len(f) < 2 || f[0] == "Z" || f[1] != "1" {
			continue
		}
		pids = append(pids, pid)
	}
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	// Wait for the ports to be released.
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range pids {
		for time.Now().Before(deadline) {
			if _, err := os.Stat(filepath.Join("/proc", strconv.Itoa(pid), "cmdline")); err != nil {
				break
			}
			b, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
			if j := strings.LastIndexByte(string(b), ')'); j > 0 && j+2 < len(b) && b[j+2] == 'Z' {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return len(pids)
}
