//go:build !unix

package lab

import "time"

// processCPU is not measured here: the labs report no client CPU.
func processCPU() time.Duration { return 0 }
