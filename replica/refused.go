package replica

import (
	"errors"
	"net"
	"syscall"
)

// Refused reports whether err says that no connection to a node could be
// made, so nothing was sent: a refused TCP connection, or a dial to a unix
// socket that does not exist (a node stopped cleanly removes its socket)
// or whose listen queue is full, the unix counterparts of a refusal.
func Refused(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial" && op.Net == "unix" &&
		(errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.EAGAIN))
}
