package bench

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/internal/dbtest"
)

func TestClassifyError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"read only", &mysql.MySQLError{Number: 1290, Message: "The MySQL server is running with the --read-only option so it cannot execute this statement"}, "1290 ER_OPTION_PREVENTS_STATEMENT"},
		{"wrapped duplicate", fmt.Errorf("route insert: %w", &mysql.MySQLError{Number: 1062, SQLState: [5]byte{'2', '3', '0', '0', '0'}, Message: "Duplicate entry '1' for key 'PRIMARY'"}), "1062 ER_DUP_ENTRY"},
		{"mariadb read only", &mysql.MySQLError{Number: 1836, Message: "Running in read-only mode"}, "1836 ER_READ_ONLY_MODE"},
		{"unnamed number", &mysql.MySQLError{Number: 4242, Message: "?"}, "mysql 4242"},
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), ErrorKindDeadline},
		{"canceled", context.Canceled, ErrorKindCanceled},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}, ErrorKindConnRefused},
		{"bad conn", driver.ErrBadConn, ErrorKindBadConn},
		{"invalid conn", mysql.ErrInvalidConn, ErrorKindBadConn},
		{"reset", &net.OpError{Op: "read", Net: "tcp", Err: &os.SyscallError{Syscall: "read", Err: syscall.ECONNRESET}}, ErrorKindBadConn},
		{"login cut short", fmt.Errorf("query: %w", dbtest.CutLoginErr(t)), ErrorKindBadConn},
		{"other", errors.New("router: no healthy replica"), ErrorKindOther},
		{"other naming a bad connection", errors.New("not a bad connection"), ErrorKindOther},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ClassifyError(tc.err); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
