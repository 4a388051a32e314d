//go:build linux

package replica

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"
)

// BlockingNet is a go-sql-driver network name (use it as mysql.Config.Net)
// whose connections use blocking socket calls, as sysbench and mysqlslap
// do. Go's netpoller answers each read of a reply that has not arrived
// yet with a failed read, an epoll wait and a second read; for a point
// select those system calls are most of the client's CPU. A blocking read
// is one. The connections ignore deadlines (go-sql-driver sets none unless
// told to), a blocked read holds its OS thread, and Close shuts the socket
// down first, so that a read blocked in another goroutine (a cancelled
// query) returns at once.
const BlockingNet = "tcp-blocking"

func init() {
	mysql.RegisterDialContext(BlockingNet, dialBlocking)
}

func dialBlocking(ctx context.Context, addr string) (net.Conn, error) {
	ap, err := resolve(ctx, addr)
	if err != nil {
		return nil, err
	}
	family := syscall.AF_INET
	var sa syscall.Sockaddr
	if ap.Addr().Is4() {
		sa = &syscall.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	} else {
		family = syscall.AF_INET6
		sa = &syscall.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
	}
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("replica: socket: %w", err)
	}
	if err := syscall.Connect(fd, sa); err != nil {
		syscall.Close(fd)
		return nil, &net.OpError{Op: "dial", Net: "tcp", Addr: net.TCPAddrFromAddrPort(ap), Err: err}
	}
	_ = syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
	return &blockingConn{fd: fd, remote: net.TCPAddrFromAddrPort(ap)}, nil
}

func resolve(ctx context.Context, addr string) (netip.AddrPort, error) {
	if ap, err := netip.ParseAddrPort(addr); err == nil {
		return ap, nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return netip.AddrPort{}, err
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(ips) == 0 {
		return netip.AddrPort{}, fmt.Errorf("replica: resolve %s: %v", host, err)
	}
	return netip.ParseAddrPort(net.JoinHostPort(ips[0].Unmap().String(), port))
}

// blockingConn is a TCP connection driven by blocking read and write calls.
type blockingConn struct {
	fd     int
	remote net.Addr
}

func (c *blockingConn) Read(b []byte) (int, error) {
	for {
		n, err := syscall.Read(c.fd, b)
		switch {
		case errors.Is(err, syscall.EINTR):
			continue
		case err != nil:
			return 0, &net.OpError{Op: "read", Net: "tcp", Addr: c.remote, Err: err}
		case n == 0 && len(b) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func (c *blockingConn) Write(b []byte) (int, error) {
	written := 0
	for written < len(b) {
		n, err := syscall.Write(c.fd, b[written:])
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return written, &net.OpError{Op: "write", Net: "tcp", Addr: c.remote, Err: err}
		}
		written += n
	}
	return written, nil
}

func (c *blockingConn) Close() error {
	_ = syscall.Shutdown(c.fd, syscall.SHUT_RDWR)
	return syscall.Close(c.fd)
}

func (c *blockingConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *blockingConn) RemoteAddr() net.Addr             { return c.remote }
func (c *blockingConn) SetDeadline(time.Time) error      { return nil }
func (c *blockingConn) SetReadDeadline(time.Time) error  { return nil }
func (c *blockingConn) SetWriteDeadline(time.Time) error { return nil }
