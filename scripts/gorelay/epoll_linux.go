package main

import (
	"fmt"
	"net"
	"os"
	"runtime"
	"syscall"
	"unsafe"
)

// eventLoop relays every connection from one goroutine, locked to its
// thread: it waits in epoll_wait(2) on the listening socket and on every
// client's and backend's socket (level-triggered, all non-blocking), and
// copies what a ready one holds to its peer with read(2) and write(2).
// A write that finds the peer's buffer full waits for it in ppoll(2): a
// statement's answer fits a socket's buffer, and the relay is a measure,
// not a server. It returns only on an error of the listener or the loop.
func eventLoop(listen, network, backend string) error {
	runtime.LockOSThread()
	addr, err := net.ResolveTCPAddr("tcp", listen)
	if err != nil {
		return err
	}
	lfd, err := listenRaw(addr)
	if err != nil {
		return err
	}
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return os.NewSyscallError("epoll_create1", err)
	}
	if err := watch(ep, lfd); err != nil {
		return err
	}
	peer := map[int32]int32{}
	buf := make([]byte, 16<<10)
	events := make([]syscall.EpollEvent, 64)
	for {
		n, err := epollWait(ep, events)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return os.NewSyscallError("epoll_wait", err)
		}
		for _, ev := range events[:n] {
			fd := ev.Fd
			if int(fd) == lfd {
				if err := acceptAll(ep, lfd, network, backend, peer); err != nil {
					return err
				}
				continue
			}
			to, ok := peer[fd]
			if !ok {
				continue // closed by its peer's event in this batch
			}
			if !copyOnce(int(fd), int(to), buf) {
				delete(peer, fd)
				delete(peer, to)
				syscall.Close(int(fd)) // closing drops it from the epoll set
				syscall.Close(int(to))
			}
		}
	}
}

// listenRaw is a non-blocking TCP listening socket on addr (IPv4).
func listenRaw(addr *net.TCPAddr) (int, error) {
	ip := addr.IP.To4()
	if ip == nil {
		return -1, fmt.Errorf("gorelay -epoll listens on IPv4 only, not %s", addr)
	}
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	sa := &syscall.SockaddrInet4{Port: addr.Port}
	copy(sa.Addr[:], ip)
	if err := syscall.Bind(fd, sa); err != nil {
		return -1, os.NewSyscallError("bind", err)
	}
	if err := syscall.Listen(fd, 1024); err != nil {
		return -1, os.NewSyscallError("listen", err)
	}
	return fd, nil
}

// watch adds fd to the epoll set ep, for reading.
func watch(ep, fd int) error {
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}
	return os.NewSyscallError("epoll_ctl", syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, fd, &ev))
}

// acceptAll accepts every client waiting, connects each to the backend,
// and adds both sockets to the set. A client whose backend cannot be
// reached is closed, and the loop goes on.
func acceptAll(ep, lfd int, network, backend string, peer map[int32]int32) error {
	for {
		c, _, err := syscall.Accept4(lfd, syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
		switch {
		case err == syscall.EAGAIN:
			return nil
		case err == syscall.EINTR || err == syscall.ECONNABORTED:
			continue
		case err != nil:
			return os.NewSyscallError("accept4", err)
		}
		syscall.SetsockoptInt(c, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
		b, err := dialRaw(network, backend)
		if err == nil {
			err = watch(ep, c)
		}
		if err == nil {
			err = watch(ep, b)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "gorelay:", err)
			syscall.Close(c)
			if b >= 0 {
				syscall.Close(b)
			}
			continue
		}
		peer[int32(c)], peer[int32(b)] = int32(b), int32(c)
	}
}

// dialRaw connects to the backend (a blocking connect: a local socket
// answers at once) and makes the socket non-blocking.
func dialRaw(network, backend string) (int, error) {
	var fd int
	var sa syscall.Sockaddr
	var err error
	if network == "unix" {
		fd, err = syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		sa = &syscall.SockaddrUnix{Name: backend}
	} else {
		var addr *net.TCPAddr
		if addr, err = net.ResolveTCPAddr("tcp", backend); err != nil {
			return -1, err
		}
		ip := addr.IP.To4()
		if ip == nil {
			return -1, fmt.Errorf("gorelay -epoll connects to IPv4 only, not %s", backend)
		}
		in := &syscall.SockaddrInet4{Port: addr.Port}
		copy(in.Addr[:], ip)
		sa = in
		fd, err = syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	}
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	if err := syscall.Connect(fd, sa); err != nil {
		syscall.Close(fd)
		return -1, os.NewSyscallError("connect", err)
	}
	if network != "unix" {
		syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return -1, os.NewSyscallError("fcntl", err)
	}
	return fd, nil
}

// copyOnce reads what fd holds (one read) and writes it all to to. It
// reports false when either side is closed or fails.
func copyOnce(fd, to int, buf []byte) bool {
	n, err := rawIO(syscall.SYS_READ, fd, buf)
	switch {
	case err == syscall.EAGAIN || err == syscall.EINTR:
		return true
	case err != nil || n == 0:
		return false
	}
	for p := buf[:n]; len(p) > 0; {
		w, err := rawIO(syscall.SYS_WRITE, to, p)
		switch {
		case err == syscall.EAGAIN:
			if !waitWritable(to) {
				return false
			}
			continue
		case err == syscall.EINTR:
			continue
		case err != nil || w == 0:
			return false
		}
		p = p[w:]
	}
	return true
}

// waitWritable waits in ppoll(2) until fd can take more bytes.
func waitWritable(fd int) bool {
	pfd := struct {
		fd             int32
		events, revent int16
	}{fd: int32(fd), events: 0x4} // POLLOUT
	for {
		_, _, e := syscall.Syscall6(syscall.SYS_PPOLL, uintptr(unsafe.Pointer(&pfd)), 1, 0, 0, 0, 0)
		if e == syscall.EINTR {
			continue
		}
		return e == 0 && pfd.revent&0x4 != 0
	}
}

// epollWait is epoll_wait(2) without the runtime's system call state: the
// loop's thread keeps its processor while it waits, as a C event loop's
// does. Through syscall.EpollWait, the runtime's monitor would see a
// processor in a system call and wake every 20 µs to hand it off (10k
// nanosleeps a second under load, more CPU than the relaying). The wait
// is cut short (EINTR) by the signal that preempts a goroutine that runs
// too long, and the loop then lets the runtime have its way.
func epollWait(ep int, events []syscall.EpollEvent) (int, error) {
	n, _, e := syscall.RawSyscall6(syscall.SYS_EPOLL_PWAIT, uintptr(ep), uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), ^uintptr(0), 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// rawIO is read(2) or write(2) of a non-blocking socket, which cannot
// block, without the runtime's system call state.
func rawIO(trap uintptr, fd int, p []byte) (int, error) {
	n, _, e := syscall.RawSyscall(trap, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}
