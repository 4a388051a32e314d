package replica

import (
	"context"
	"database/sql/driver"
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

// LoginError is the error of a pool's connection to a node that could not
// be made or logged in: the dial failed, or the server closed or broke
// the connection, or refused the login, before it took any statement. A
// statement that met it never ran.
type LoginError struct{ Err error }

func (e *LoginError) Error() string { return e.Err.Error() }
func (e *LoginError) Unwrap() error { return e.Err }

// loginConnector marks the errors of its connector's Connect as
// LoginErrors. Connect dials and logs in, and sends none of the caller's
// statements; over TCP a server that goes away after its greeting fails
// the login's read (mysql.ErrInvalidConn), over a unix socket usually its
// write (see LoginCutShort), and either way nothing ran.
type loginConnector struct{ driver.Connector }

func (c loginConnector) Connect(ctx context.Context) (driver.Conn, error) {
	var tc *trackedConn
	conn, err := c.Connector.Connect(dialedInto(ctx, &tc))
	if err != nil {
		return nil, &LoginError{Err: err}
	}
	if tc != nil {
		// Its answers' warning counts are followed (see Warnings). The
		// driver's watcher may have closed it already, on a cancelled
		// context: a closed connection is not kept.
		tc.mu.Lock()
		if !tc.closed {
			tc.tail, tc.owner = &packetTail{}, conn
			pooled.Store(conn, tc)
		}
		tc.mu.Unlock()
	}
	return conn, nil
}
