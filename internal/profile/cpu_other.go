//go:build !unix

package profile

import "time"

// SelfCPU is not measured here: it is always 0, and callers report no
// client CPU.
func SelfCPU() time.Duration { return 0 }
