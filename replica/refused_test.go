package replica

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestRefused: a statement whose connection was never made may run
// elsewhere; one whose connection broke after the dial may not.
func TestRefused(t *testing.T) {
	_, dialErr := net.Dial("unix", filepath.Join(t.TempDir(), "stopped-node.sock"))
	if dialErr == nil {
		t.Fatal("a dial to a socket that does not exist succeeded")
	}
	unix := func(op string, errno syscall.Errno) error {
		return &net.OpError{Op: op, Net: "unix", Err: os.NewSyscallError("connect", errno)}
	}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"a real dial to a removed socket", dialErr, true},
		{"a refused TCP dial, wrapped", fmt.Errorf("node: %w", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), true},
		{"a full listen queue", unix("dial", syscall.EAGAIN), true},
		{"a read that found no file", unix("read", syscall.ENOENT), false},
		{"a reset connection", unix("read", syscall.ECONNRESET), false},
		{"ENOENT over TCP", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ENOENT)}, false},
		{"another error", errors.New("invalid connection"), false},
		{"nil", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Refused(tc.err); got != tc.want {
				t.Errorf("Refused(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
