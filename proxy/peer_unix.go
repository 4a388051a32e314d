//go:build unix

package proxy

import (
	"net"
	"syscall"
)

// peerClosed reports whether the peer of c has closed the connection (or
// reset it), without taking any byte the peer sent: a read that peeks,
// and does not wait, finds the end of the stream.
func peerClosed(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	closed := false
	var b [1]byte
	_ = rc.Control(func(fd uintptr) {
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		closed = n == 0 && err == nil || err == syscall.ECONNRESET
	})
	return closed
}
