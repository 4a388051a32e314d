package machine

import (
	"errors"
	"fmt"
	"os"
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

// Pin runs every thread of this process on cpus from now on (threads made
// later inherit it from the thread that makes them), and returns what
// undoes it: every thread back on the CPUs it had.
func Pin(cpus CPUs) (restore func() error, err error) {
	if len(cpus) == 0 {
		return nil, errors.New("machine: pin to no CPUs")
	}
	before, err := Available()
	if err != nil {
		return nil, err
	}
	if err := setAll(cpus); err != nil {
		_ = setAll(before)
		return nil, err
	}
	return func() error { return setAll(before) }, nil
}

// setAll sets the affinity of every thread of this process.
func setAll(cpus CPUs) error {
	var set unix.CPUSet
	for _, c := range cpus {
		set.Set(c)
	}
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return fmt.Errorf("machine: threads of this process: %w", err)
	}
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		// A thread may exit between the listing and here.
		if err := unix.SchedSetaffinity(tid, &set); err != nil && !errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("machine: run thread %d on CPUs %s: %w", tid, cpus, err)
		}
	}
	return nil
}
