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
	"unsafe"

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

// RawNet is BlockingNet with raw system calls: a read or write neither
// tells the Go scheduler that it blocks nor lets it hand the goroutine's
// processor to another thread, which on a small machine costs more than
// the call (a wake-up of the runtime's monitor for every other query). The
// goroutine holds its processor while it waits, so it is for a load
// generator that runs one client a thread with GOMAXPROCS at least the
// number of clients (bench.Config.ThreadPerClient). Each wait is bounded
// by a socket timeout (rawWait) and then retried, so that a stop of the
// world for the garbage collector waits at most that long.
const RawNet = "tcp-raw"

// rawWait bounds one raw read or write.
const rawWait = 50 * time.Millisecond

func init() {
	mysql.RegisterDialContext(BlockingNet, func(ctx context.Context, addr string) (net.Conn, error) { return dialBlocking(ctx, addr, false) })
	mysql.RegisterDialContext(RawNet, func(ctx context.Context, addr string) (net.Conn, error) { return dialBlocking(ctx, addr, true) })
}

// dialBlockingNet dials BlockingNet and RawNet, as the driver does when a
// Config names them, and reports false for any other network.
func dialBlockingNet(ctx context.Context, network, addr string) (net.Conn, bool, error) {
	switch network {
	case BlockingNet:
		c, err := dialBlocking(ctx, addr, false)
		return c, true, err
	case RawNet:
		c, err := dialBlocking(ctx, addr, true)
		return c, true, err
	}
	return nil, false, nil
}

func dialBlocking(ctx context.Context, addr string, raw bool) (net.Conn, error) {
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
	if raw {
		tv := syscall.NsecToTimeval(rawWait.Nanoseconds())
		for _, opt := range []int{syscall.SO_RCVTIMEO, syscall.SO_SNDTIMEO} {
			if err := syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, opt, &tv); err != nil {
				syscall.Close(fd)
				return nil, fmt.Errorf("replica: socket timeout: %w", err)
			}
		}
	}
	return &blockingConn{fd: fd, remote: net.TCPAddrFromAddrPort(ap), raw: raw}, nil
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
	raw    bool // RawNet
}

// call runs a read or write on the socket: as a raw system call (a timeout
// comes back as EAGAIN and is retried by the caller), or a plain one.
func (c *blockingConn) call(trap uintptr, b []byte) (int, error) {
	if !c.raw {
		if trap == syscall.SYS_READ {
			return syscall.Read(c.fd, b)
		}
		return syscall.Write(c.fd, b)
	}
	if len(b) == 0 {
		return 0, nil
	}
	n, _, e := syscall.RawSyscall(trap, uintptr(c.fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// again reports whether err only means "try again": a signal, or a raw
// call's timeout.
func again(err error) bool {
	return errors.Is(err, syscall.EINTR) || errors.Is(err, syscall.EAGAIN)
}

func (c *blockingConn) Read(b []byte) (int, error) {
	for {
		n, err := c.call(syscall.SYS_READ, b)
		switch {
		case again(err):
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
		n, err := c.call(syscall.SYS_WRITE, b[written:])
		if again(err) {
			continue
		}
		if err != nil {
			return written, &net.OpError{Op: "write", Net: "tcp", Addr: c.remote, Err: err}
		}
		written += n
	}
	return written, nil
}

// Shutdown makes a read or a write blocked on c return, without giving up
// its descriptor: Close does that, once no call uses it. (Closing a
// descriptor that another thread is about to read would let that read
// land on whatever connection gets the number next.)
func (c *blockingConn) Shutdown() error { return syscall.Shutdown(c.fd, syscall.SHUT_RDWR) }

func (c *blockingConn) Close() error {
	_ = syscall.Shutdown(c.fd, syscall.SHUT_RDWR)
	return syscall.Close(c.fd)
}

func (c *blockingConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *blockingConn) RemoteAddr() net.Addr             { return c.remote }
func (c *blockingConn) SetDeadline(time.Time) error      { return nil }
func (c *blockingConn) SetReadDeadline(time.Time) error  { return nil }
func (c *blockingConn) SetWriteDeadline(time.Time) error { return nil }
