package machine

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

// Available is the set of CPUs this process may run on.
func Available() (CPUs, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil, fmt.Errorf("machine: CPUs of this process: %w", err)
	}
	var out CPUs
	for c := 0; c < len(set)*64; c++ {
		if set.IsSet(c) {
			out = append(out, c)
		}
	}
	return out, nil
}

// Online is the set of the host's CPUs that are online, whatever this
// process may run on.
func Online() (CPUs, error) {
	b, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return nil, fmt.Errorf("machine: the host's CPUs: %w", err)
	}
	return ParseCPUs(string(b))
}

// Pin runs every thread of this process on cpus from now on, and returns
// what undoes it: every thread back on the CPUs this process had when
// Pin was called.
func Pin(cpus CPUs) (restore func() error, err error) {
	if len(cpus) == 0 {
		return nil, errors.New("machine: pin to no CPUs")
	}
	before, err := Available()
	if err != nil {
		return nil, err
	}
	if missing := cpus.Without(before); len(missing) > 0 {
		return nil, fmt.Errorf("machine: this process may run on CPUs %s only, not on %s", before, missing)
	}
	if err := setAll(cpus); err != nil {
		_ = setAll(before)
		return nil, err
	}
	return func() error { return setAll(before) }, nil
}

// setAll sets the affinity of every thread of this process. A thread
// inherits its maker's affinity, so one made during a pass by a thread not
// yet set would keep the old one: passes repeat until one finds no thread
// it had not set.
func setAll(cpus CPUs) error {
	var set unix.CPUSet
	for _, c := range cpus {
		set.Set(c)
	}
	done := map[int]bool{}
	for {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return fmt.Errorf("machine: threads of this process: %w", err)
		}
		fresh := false
		for _, t := range tasks {
			tid, err := strconv.Atoi(t.Name())
			if err != nil || done[tid] {
				continue
			}
			fresh, done[tid] = true, true
			// A thread may exit between the listing and here.
			if err := unix.SchedSetaffinity(tid, &set); err != nil && !errors.Is(err, unix.ESRCH) {
				return fmt.Errorf("machine: run thread %d on CPUs %s: %w", tid, cpus, err)
			}
		}
		if !fresh {
			return nil
		}
	}
}

// Client runs this process as a client of nodes kept on other CPUs: on
// cpus (none: where it runs now) with procs Go processors, unless
// $GOMAXPROCS sets them, and returns what undoes both. The CPUs come back
// first, so that the runtime's default number of processors, taken again
// then, follows them.
func Client(cpus CPUs, procs int) (restore func() error, err error) {
	undo := func() error { return nil }
	if len(cpus) > 0 {
		if undo, err = Pin(cpus); err != nil {
			return nil, err
		}
	}
	undoProcs := setProcs(procs)
	return func() error {
		err := undo()
		undoProcs()
		return err
	}, nil
}

// setProcs gives the Go scheduler n processors unless $GOMAXPROCS sets
// them, and returns what undoes it: the runtime's own default again, or
// the value set before, if the caller had set another.
func setProcs(n int) (restore func()) {
	if os.Getenv("GOMAXPROCS") != "" || n < 1 {
		return func() {}
	}
	prev := runtime.GOMAXPROCS(n)
	return func() {
		runtime.SetDefaultGOMAXPROCS()
		if runtime.GOMAXPROCS(0) != prev {
			runtime.GOMAXPROCS(prev)
		}
	}
}
