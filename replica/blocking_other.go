//go:build !linux

package replica

// BlockingNet and RawNet are "tcp" where blocking sockets are not
// implemented.
const (
	BlockingNet = "tcp"
	RawNet      = "tcp"
)
