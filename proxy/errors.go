package proxy

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
	"vitess.io/vitess/go/mysql/sqlerror"
)

// Error numbers the proxy sends for failures that are its own, not a
// backend's. Backend errors reach the client with the server's own number
// and SQLSTATE.
const (
	// ErrNumRefused (ER_NOT_SUPPORTED_YET, SQLSTATE 42000) is a statement
	// the router refuses: a session statement outside a session, a
	// cross-shard transaction, a scatter shape it cannot merge correctly,
	// a bad scalelab_consistency value. The message is the router's.
	ErrNumRefused = sqlerror.ERNotSupportedYet
	// ErrNumBackend (ER_UNKNOWN_ERROR, SQLSTATE HY000) is a backend that
	// could not be reached or dropped the connection; and a statement
	// during which the router panicked (router.ErrInternal, a bug in
	// scalelab), after which the proxy closes the client's connection.
	ErrNumBackend = sqlerror.ERUnknownError
	// ErrNumInterrupted (ER_QUERY_INTERRUPTED, SQLSTATE 70100) is a
	// statement cut off by a forced shutdown.
	ErrNumInterrupted = sqlerror.ERQueryInterrupted
	// ErrNumTooManyConnections (ER_CON_COUNT_ERROR, SQLSTATE 08004) is
	// sent instead of the handshake when MaxConnections is reached.
	ErrNumTooManyConnections = sqlerror.ERConCount
	// ErrNumIdleTimeout (ER_CLIENT_INTERACTION_TIMEOUT, SQLSTATE HY000)
	// is sent before an idle connection is closed, as MySQL 8 does.
	ErrNumIdleTimeout = sqlerror.ErrorCode(4031)
	// ErrNumReadTimeout (ER_NET_READ_INTERRUPTED, SQLSTATE 08S01) is
	// sent before a connection that left a packet unfinished is closed
	// (Config.ReadTimeout), as a server's net_read_timeout gives.
	ErrNumReadTimeout = sqlerror.ErrorCode(1159)
	// ErrNumShutdown (ER_SERVER_SHUTDOWN, SQLSTATE 08S01) is sent to idle
	// connections while the proxy drains.
	ErrNumShutdown = sqlerror.ERServerShutdown
	// ErrNumTxRolledBack (ER_LOCK_DEADLOCK, SQLSTATE 40001) is a
	// transaction the router rolled back, which may be run again (its
	// shards were resharded since it began): the number and SQLSTATE by
	// which drivers and ORMs know a transaction rolled back and retry it.
	ErrNumTxRolledBack = sqlerror.ERLockDeadlock
	// ErrNumOutcomeUnknown (ER_ERROR_DURING_COMMIT) is a write that a
	// primary acknowledged after a failover replaced it: the new primary
	// may not have it.
	ErrNumOutcomeUnknown = sqlerror.ErrorCode(1180)
)

// toSQLError turns an error from the router into the error packet the
// client gets. The listener only recognizes *sqlerror.SQLError.
func toSQLError(err error) *sqlerror.SQLError {
	var se *sqlerror.SQLError
	if errors.As(err, &se) {
		return se
	}
	// The router's verdicts on a failure first: they wrap the server's
	// error that caused them (a 1053 or 1927 of a transaction's broken
	// connection), whose number would tell the client otherwise.
	switch {
	case errors.Is(err, router.ErrInternal):
		// (Before any error it wraps: the statement failed for a bug.)
		return sqlerror.NewSQLError(ErrNumBackend, sqlerror.SSUnknownSQLState, err.Error())
	case errors.Is(err, router.ErrPrimaryReplaced), errors.Is(err, router.ErrOutcomeUnknown), errors.Is(err, router.ErrPartialWrite):
		return sqlerror.NewSQLError(ErrNumOutcomeUnknown, sqlerror.SSUnknownSQLState, err.Error())
	case errors.Is(err, router.ErrTxLost), errors.Is(err, router.ErrTxResharded):
		return sqlerror.NewSQLError(ErrNumTxRolledBack, "40001", err.Error())
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		// The backend's own error: number, SQLSTATE and message unchanged.
		state := string(me.SQLState[:])
		if me.SQLState == [5]byte{} {
			state = sqlerror.SSUnknownSQLState
		}
		return sqlerror.NewSQLError(sqlerror.ErrorCode(me.Number), state, me.Message)
	}
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded) && !replica.DialFailed(err):
		// (A dial's timeout is a DeadlineExceeded too: it is the node's
		// connection failing, below.)
		return sqlerror.NewSQLError(ErrNumInterrupted, "70100", "scalelab proxy: statement interrupted: "+err.Error())
	case errors.Is(err, router.ErrStateLost):
		// (Before the connection's own error, whose hint is to retry.)
		return sqlerror.NewSQLError(ErrNumBackend, sqlerror.SSUnknownSQLState, err.Error())
	case errors.Is(err, router.ErrPrimaryDown), errors.Is(err, replica.ErrNoReplica):
		// A node the statement needs is down: the statement was not
		// declined, and may work once the node answers or a failover
		// replaces it, which SQLSTATE 42000 (a syntax or access error)
		// would tell the driver never to expect.
		return sqlerror.NewSQLError(ErrNumBackend, sqlerror.SSUnknownSQLState, err.Error())
	case errors.Is(err, router.ErrClosed):
		return sqlerror.NewSQLError(ErrNumShutdown, "08S01", "scalelab proxy: shutting down: "+err.Error())
	case replica.IsConnError(err):
		return sqlerror.NewSQLError(ErrNumBackend, sqlerror.SSUnknownSQLState, "scalelab proxy: backend connection failed: "+err.Error()+"; the router shuns failing nodes, so retry the statement")
	}
	// Everything else is the router declining the statement.
	return sqlerror.NewSQLError(ErrNumRefused, "42000", err.Error())
}

// errTooManyConnections is the error a client past MaxConnections gets.
func errTooManyConnections(max int) *sqlerror.SQLError {
	return sqlerror.NewSQLErrorf(ErrNumTooManyConnections, "08004",
		"Too many connections: the scalelab proxy allows %d (--max-connections); close idle clients or raise the limit", max)
}

// errIdle is the error an idle client gets before it is closed.
func errIdle(d time.Duration) *sqlerror.SQLError {
	return sqlerror.NewSQLErrorf(ErrNumIdleTimeout, sqlerror.SSUnknownSQLState,
		"The client was disconnected by the server because of inactivity: idle for more than %v (--idle-timeout); reconnect", d)
}

// errReadTimeout is the error of a client that left a packet unfinished
// for longer than the read timeout, as a server's net_read_timeout gives.
func errReadTimeout(d time.Duration) *sqlerror.SQLError {
	return sqlerror.NewSQLErrorf(ErrNumReadTimeout, sqlerror.SSNetError,
		"Got timeout reading communication packets: the rest of a packet did not come within %v (--read-timeout); its transaction was rolled back, reconnect", d)
}

// errLoginTimeout is the error of a client that did not log in within the
// login timeout.
func errLoginTimeout(d time.Duration) *sqlerror.SQLError {
	return sqlerror.NewSQLErrorf(erHandshakeError, sqlerror.SSNetError,
		"Bad handshake: no login within %v (--login-timeout); connect and log in at once", d)
}

// errShutdown is the error idle clients get while the proxy drains.
var errShutdown = sqlerror.NewSQLError(ErrNumShutdown, sqlerror.SSNetError,
	"Server shutdown in progress: the scalelab proxy is draining; reconnect to another proxy")

// errAccessDenied is ER_ACCESS_DENIED_ERROR, as MySQL words it.
func errAccessDenied(user string) *sqlerror.SQLError { return errAccessDeniedUsing(user, true) }

// errAccessDeniedUsing is errAccessDenied, saying whether the client sent
// a password.
func errAccessDeniedUsing(user string, password bool) *sqlerror.SQLError {
	using := "YES"
	if !password {
		using = "NO"
	}
	return sqlerror.NewSQLErrorf(sqlerror.ERAccessDeniedError, sqlerror.SSAccessDeniedError,
		"Access denied for user '%s' (using password: %s)", user, using)
}

// errUnknownStmt is the server's answer to a command on a statement the
// connection has not prepared: COM_STMT_RESET (in is "mysqld_stmt_reset")
// or COM_STMT_EXECUTE ("mysqld_stmt_execute").
func errUnknownStmt(id uint32, in string) *sqlerror.SQLError {
	return sqlerror.NewSQLErrorf(sqlerror.ERUnknownStmtHandler, sqlerror.SSUnknownSQLState,
		"Unknown prepared statement handler (%d) given to %s", id, in)
}

// okPacket is a raw MySQL OK packet with sequence id seq and status
// flags flags, and no rows affected, insert id or warnings: the answer to
// the commands the proxy answers itself (see listener.packets).
func okPacket(flags uint16, seq byte) []byte {
	return []byte{7, 0, 0, seq, 0x00, 0, 0, byte(flags), byte(flags >> 8), 0, 0}
}

// errorPacket encodes e as a raw MySQL ERR packet with sequence id seq, for
// the moments the proxy writes to a client outside a command (before the
// handshake, or to an idle connection).
func errorPacket(e *sqlerror.SQLError, seq byte) []byte {
	msg := e.Message
	if len(msg) > 512 {
		msg = msg[:512]
	}
	state := e.State
	if len(state) != 5 {
		state = sqlerror.SSUnknownSQLState
	}
	n := 1 + 2 + 1 + 5 + len(msg)
	b := make([]byte, 0, 4+n)
	b = append(b, byte(n), byte(n>>8), byte(n>>16), seq)
	b = append(b, 0xff, byte(e.Num), byte(e.Num>>8), '#')
	b = append(b, state...)
	return append(b, msg...)
}

// writeError answers the client's command with e, as sequence number
// seq, and counts it by its number, as the errors the handler sends are.
func (c *clientConn) writeError(e *sqlerror.SQLError, seq byte) error {
	c.l.s.metrics.errors.WithLabelValues(strconv.Itoa(int(e.Num))).Inc()
	_, err := c.Write(errorPacket(e, seq))
	return err
}

// describe is how a log line names an error.
func describe(e *sqlerror.SQLError) string {
	return fmt.Sprintf("%d (%s): %s", e.Num, e.State, e.Message)
}

// erHandshakeError is ER_HANDSHAKE_ERROR.
const erHandshakeError = sqlerror.ErrorCode(1043)

// erMalformedPacket is the server's ER_MALFORMED_PACKET, which the
// protocol library does not name.
const erMalformedPacket = sqlerror.ErrorCode(1835)

// errMalformed is the server's answer to a command whose packet it cannot
// read: a COM_STMT_EXECUTE cut short, or with a bad flag of parameter
// types.
func errMalformed() *sqlerror.SQLError {
	return sqlerror.NewSQLError(erMalformedPacket, sqlerror.SSUnknownSQLState, "Malformed communication packet")
}

// errWrongArguments is the server's answer to an execution of a statement
// whose parameters it cannot take: in is "mysqld_stmt_execute", or
// "mysqld_stmt_send_long_data" when long data for a parameter the
// statement does not have came before it.
func errWrongArguments(in string) *sqlerror.SQLError {
	return sqlerror.NewSQLErrorf(sqlerror.ERWrongArguments, sqlerror.SSUnknownSQLState, "Incorrect arguments to %s", in)
}

// errManySets is a statement with a second result set where the client's
// command takes one: a CALL run as a prepared statement. MySQL sends
// every set there too; the protocol library the proxy is built on sends
// one, so the proxy says so instead of dropping the rest.
var errManySets = sqlerror.NewSQLError(ErrNumRefused, "42000",
	"the procedure returned more than one result set, and the scalelab proxy sends a prepared statement's first only: run the CALL as a text query (COM_QUERY), which returns every set")

// errQueryTooLarge refuses a statement longer than MaxQueryBytes.
func errQueryTooLarge(n, max int) *sqlerror.SQLError {
	return sqlerror.NewSQLErrorf(sqlerror.ERNetPacketTooLarge, sqlerror.SSNetError,
		"Got a packet bigger than 'max_allowed_packet' bytes: the statement has %d bytes, the proxy takes at most %d (--max-query-bytes)", n, max)
}
