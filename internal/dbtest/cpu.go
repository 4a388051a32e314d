package dbtest

import (
	"testing"
	"time"

	"github.com/scalelab/scalelab/internal/profile"
)

// ClientCPU starts counting this process's user and system CPU; the
// function it returns reports it per iteration as client-cpu-µs/op. Call
// that at the end of the benchmark, after the loop: on a 2-core machine a
// client's CPU is time its servers did not get, so a wall-clock figure
// reads better beside it.
func ClientCPU(b *testing.B) func() {
	start := profile.SelfCPU()
	return func() {
		b.ReportMetric(float64(profile.SelfCPU()-start)/float64(time.Microsecond)/float64(b.N), "client-cpu-µs/op")
	}
}
