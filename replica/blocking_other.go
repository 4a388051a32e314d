//go:build !linux

package replica

// BlockingNet is "tcp" where blocking sockets are not implemented.
const BlockingNet = "tcp"
