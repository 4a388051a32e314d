// Package profile writes a CPU profile of scalelab itself, for the hidden
// --cpuprofile flags of bench and proxy (read it with go tool pprof), and
// reads the CPU time the process has used (SelfCPU), for the labs' and the
// benchmarks' client CPU.
package profile

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// StartCPU writes a CPU profile of this process to path until the returned
// func is called; with no path, it does nothing.
func StartCPU(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create CPU profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("start CPU profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
