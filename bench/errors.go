package bench

import (
	"context"
	"database/sql/driver"
	"errors"
	"strconv"
	"syscall"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/replica"
)

var (
	// ErrNoQueries is returned by Run when Config.Queries is empty.
	ErrNoQueries = errors.New("bench: no queries: set Config.Queries to at least one statement")
	// ErrUnknownFormat is returned by Write for a format it does not know.
	ErrUnknownFormat = errors.New("bench: unknown report format")
)

// Error kinds that ClassifyError returns besides MySQL server errors, whose
// kind is "NUMBER NAME" (e.g. "1062 ER_DUP_ENTRY") or "mysql NUMBER".
const (
	ErrorKindDeadline    = "deadline exceeded"
	ErrorKindCanceled    = "canceled"
	ErrorKindConnRefused = "connection refused"
	ErrorKindBadConn     = "bad connection"
	ErrorKindOther       = "other"
)

// mysqlErrorNames names the server errors a scaling lab meets most: routing
// mistakes (read-only replicas), contention, timeouts and schema mistakes.
var mysqlErrorNames = map[uint16]string{
	1040: "ER_CON_COUNT_ERROR",
	1044: "ER_DBACCESS_DENIED_ERROR",
	1045: "ER_ACCESS_DENIED_ERROR",
	1046: "ER_NO_DB_ERROR",
	1048: "ER_BAD_NULL_ERROR",
	1049: "ER_BAD_DB_ERROR",
	1050: "ER_TABLE_EXISTS_ERROR",
	1053: "ER_SERVER_SHUTDOWN",
	1054: "ER_BAD_FIELD_ERROR",
	1062: "ER_DUP_ENTRY",
	1064: "ER_PARSE_ERROR",
	1146: "ER_NO_SUCH_TABLE",
	1205: "ER_LOCK_WAIT_TIMEOUT",
	1213: "ER_LOCK_DEADLOCK",
	1290: "ER_OPTION_PREVENTS_STATEMENT",
	1317: "ER_QUERY_INTERRUPTED",
	1927: "ER_CONNECTION_KILLED",
	1451: "ER_ROW_IS_REFERENCED_2",
	1452: "ER_NO_REFERENCED_ROW_2",
	1792: "ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION",
	1836: "ER_READ_ONLY_MODE",
	1969: "ER_STATEMENT_TIMEOUT",
	3024: "ER_QUERY_TIMEOUT",
}

// ClassifyError returns the kind of a failed query, the key of
// Stats.ErrorsByKind: "NUMBER NAME" for a MySQL server error whose name is
// known ("1290 ER_OPTION_PREVENTS_STATEMENT"), "mysql NUMBER" for another
// server error, or one of the ErrorKind constants. It looks through wrapped
// errors. It returns "" for a nil error.
func ClassifyError(err error) string {
	var myErr *mysql.MySQLError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &myErr):
		if name, ok := mysqlErrorNames[myErr.Number]; ok {
			return strconv.Itoa(int(myErr.Number)) + " " + name
		}
		return "mysql " + strconv.Itoa(int(myErr.Number))
	case errors.Is(err, context.DeadlineExceeded):
		return ErrorKindDeadline
	case errors.Is(err, context.Canceled):
		return ErrorKindCanceled
	case replica.Refused(err):
		return ErrorKindConnRefused
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, mysql.ErrInvalidConn), replica.LoginCutShort(err),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, errLost):
		return ErrorKindBadConn
	}
	return ErrorKindOther
}

// endsSession reports whether err is a server error that ends the
// connection's session: the connection was killed (KILL CONNECTION, or the
// server's timeouts), or the server is shutting down.
func endsSession(err error) bool {
	var myErr *mysql.MySQLError
	if !errors.As(err, &myErr) {
		return false
	}
	switch myErr.Number {
	case 1053, 1927: // ER_SERVER_SHUTDOWN, ER_CONNECTION_KILLED
		return true
	}
	return false
}
