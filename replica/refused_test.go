package replica

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/topology"
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

// TestPoolLoginErrors: a node's pool reports every failure to connect or
// log in as a LoginError, whatever the transport and however the server
// went away: a refused port, and a server that greets and closes over
// TCP (the driver's read of the login's answer fails) and over a unix
// socket. The error stays what it wraps (errors.Is).
func TestPoolLoginErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := ln.Addr().String()
	ln.Close()
	tcpCut, _ := dbtest.CutLogin(t, "tcp")
	unixCut, _ := dbtest.CutLogin(t, "unix")
	for _, tc := range []struct{ name, net, addr string }{
		{"refused", "tcp", closedPort},
		{"cut over TCP", "tcp", tcpCut},
		{"cut over a unix socket", "unix", unixCut},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := mysql.NewConfig()
			cfg.Net, cfg.Addr, cfg.User = tc.net, tc.addr, "app"
			n, err := newNode(topology.Node{Name: "n", Addr: tc.addr}, cfg, PoolConfig{}, false)
			if err != nil {
				t.Fatal(err)
			}
			defer n.DB.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err = n.DB.ExecContext(ctx, "INSERT INTO t VALUES (1)")
			var le *LoginError
			if !errors.As(err, &le) {
				t.Fatalf("got %v (%T), want a LoginError", err, err)
			}
			if !IsConnError(err) {
				t.Errorf("IsConnError(%v) = false", err)
			}
			if tc.name == "refused" && !Refused(err) {
				t.Errorf("Refused(%v) = false through the LoginError", err)
			}
		})
	}
}
