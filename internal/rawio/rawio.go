// Package rawio reads and writes a network connection's non-blocking
// socket with raw system calls, and waits in Go's network poller only when
// the socket is not ready.
//
// A read or write through the net package enters the runtime's system
// call state; one that takes longer than the runtime monitor's tick (a
// write to a loopback TCP socket runs the peer's receive path and wake-up
// inside it, 15-20 µs) has its processor handed to another thread, and
// taken back after. On a proxy with one processor those hand-offs cost
// more than the calls. A raw call on a non-blocking socket cannot block:
// it returns EAGAIN instead, and the caller then parks in the poller as
// the net package would.
package rawio

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
)

// Conn does the reads and writes of one connection with raw system calls.
// One read and one write may run at once, as on a net.Conn; two reads may
// not.
type Conn struct {
	*state
}

// state is a connection's descriptor and the arguments and results of
// its read and write in progress, which the functions handed to the
// poller use: they are made once, so that a call allocates nothing.
type state struct {
	rc             syscall.RawConn
	rp, wp         []byte
	rn, wn         int
	rerrno, werrno syscall.Errno
	// wrote is set once WriteRead's write is done.
	wrote                        bool
	readFn, writeFn, writeReadFn func(fd uintptr) bool
	// fd is the descriptor while Serve's step runs, which readNow reads;
	// step is that step, and serveFn the function Serve hands the poller.
	fd      uintptr
	step    func(read func(p []byte) (int, error)) bool
	readNow func(p []byte) (int, error)
	serveFn func(fd uintptr) bool
}

// New returns the raw I/O of c, or false when c has no descriptor to
// use (a connection that is not a socket of this process).
func New(c net.Conn) (Conn, bool) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return Conn{}, false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return Conn{}, false
	}
	s := &state{rc: rc}
	s.readFn, s.writeFn, s.writeReadFn = s.read, s.write, s.writeRead
	s.readNow, s.serveFn = s.readOnce, s.serve
	return Conn{s}, true
}

func (s *state) read(fd uintptr) bool {
	for {
		s.rn, s.rerrno = rawRead(fd, s.rp)
		if s.rerrno != syscall.EINTR {
			return s.rerrno != syscall.EAGAIN
		}
	}
}

func (s *state) write(fd uintptr) bool {
	for {
		s.wn, s.werrno = rawWrite(fd, s.wp)
		if s.werrno != syscall.EINTR {
			return s.werrno != syscall.EAGAIN
		}
	}
}

// writeRead writes wp whole, then tells the poller to wait for the
// answer; called again once it is there, it reads it. A write that stops
// (EAGAIN, an error) ends the call with wrote unset.
func (s *state) writeRead(fd uintptr) bool {
	if s.wrote {
		return s.read(fd)
	}
	for len(s.wp) > 0 {
		n, errno := rawWrite(fd, s.wp)
		switch {
		case errno == syscall.EINTR:
			continue
		case errno != 0:
			s.werrno = errno
			return true
		case n == 0:
			s.werrno = syscall.EIO
			return true
		}
		s.wp = s.wp[n:]
	}
	s.wrote = true
	return false
}

// WriteRead writes w, then reads into p as Read does, for a request and
// its answer: without the read that Read would make first and that finds
// nothing yet (the peer has not answered), a system call and a failure a
// round trip. The write is made inside the read's wait, after the poller
// has forgotten the socket's last readiness, so the readiness the answer
// brings cannot be missed. It is for a peer that sends nothing but
// answers (a server, not a client that may send the next request before
// it reads this answer): bytes already waiting when it is called, which
// brought their readiness before, are only read once more arrive. A write
// that does not go through at once (the socket's buffer is full) is
// finished as Write does, and then read as Read does.
func (c Conn) WriteRead(w, p []byte) (int, error) {
	if len(p) == 0 {
		_, err := c.Write(w)
		return 0, err
	}
	c.wp, c.rp, c.werrno, c.wrote = w, p, 0, false
	err := c.rc.Read(c.writeReadFn)
	rest, wrote, errno := c.wp, c.wrote, c.werrno
	c.wp, c.rp = nil, nil
	switch {
	case err != nil:
		return 0, err
	case !wrote && errno != syscall.EAGAIN:
		return 0, os.NewSyscallError("write", errno)
	case !wrote:
		if _, err := c.Write(rest); err != nil {
			return 0, err
		}
		return c.Read(p)
	}
	return c.readResult()
}

// Read reads into p: at most one read(2) that returns data, with waits in
// the poller (and its deadline) while there is none. It returns io.EOF
// when the peer has closed the connection.
func (c Conn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c.rp = p
	err := c.rc.Read(c.readFn)
	c.rp = nil
	if err != nil {
		return 0, err
	}
	return c.readResult()
}

// readResult is the outcome of the read just made.
func (c Conn) readResult() (int, error) {
	n, errno := c.rn, c.rerrno
	switch {
	case errno != 0:
		return 0, os.NewSyscallError("read", errno)
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// Write writes all of p, waiting in the poller (and its deadline) while
// the socket's buffer is full.
func (c Conn) Write(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		c.wp = p[written:]
		err := c.rc.Write(c.writeFn)
		c.wp = nil
		n, errno := c.wn, c.werrno
		switch {
		case err != nil:
			return written, err
		case errno != 0:
			return written, os.NewSyscallError("write", errno)
		case n == 0:
			return written, errors.New("rawio: write wrote nothing")
		}
		written += n
	}
	return written, nil
}

// ErrWouldBlock is what Serve's read returns when the socket has nothing
// to read yet.
var ErrWouldBlock = errors.New("rawio: nothing to read yet")

// Serve calls step inside one wait of the poller for reading, until step
// returns true. step reads with read, one read(2) that does not wait
// (ErrWouldBlock when there is nothing; io.EOF when the peer closed),
// does what it will with the bytes (answers them, say), and returns false
// to wait until more come and be called again. The error is the wait's,
// or the poller's: the read deadline passed, the connection was closed.
//
// The poller forgets a socket's readiness once, before step's first
// call, and never while Serve lasts. So a step that has read all the
// socket held may return false without reading again, for the read that
// would find nothing: any byte that came since its read has brought
// readiness that ends the wait. On a TCP socket, a read that returned
// less than it asked for has read all the bytes it held (short of urgent
// data, where a read stops at the mark), but not the end of the stream:
// a peer that closed as it sent them brought its close's readiness with
// theirs, and only the next read returns io.EOF. So after a short read a
// step may skip that read only when something else will bring readiness
// if the peer has closed: an answer written since, which a closed peer's
// system answers with a reset. Without one, it reads again, until
// ErrWouldBlock. A step must not read the connection otherwise (Read
// would wait for the lock Serve holds); it may write it.
func (c Conn) Serve(step func(read func(p []byte) (int, error)) bool) error {
	c.step = step
	err := c.rc.Read(c.serveFn)
	c.step = nil
	return err
}

func (s *state) serve(fd uintptr) bool {
	s.fd = fd
	return s.step(s.readNow)
}

// errNotServing is what Serve's read returns once Serve has returned.
var errNotServing = errors.New("rawio: read after Serve returned")

// readOnce is Serve's read.
func (s *state) readOnce(p []byte) (int, error) {
	if s.step == nil {
		return 0, errNotServing
	}
	if len(p) == 0 {
		return 0, nil
	}
	for {
		n, errno := rawRead(s.fd, p)
		switch {
		case errno == syscall.EINTR:
			continue
		case errno == syscall.EAGAIN:
			return 0, ErrWouldBlock
		case errno != 0:
			return 0, os.NewSyscallError("read", errno)
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// Idle reports whether the connection is open with nothing to read, by a
// peek that does not wait: a pooled connection with bytes waiting (an error
// the server sent, as MySQL does at its wait_timeout) or at EOF is not.
func (c Conn) Idle() bool {
	idle := false
	c.rc.Read(func(fd uintptr) bool {
		idle = peekIdle(fd)
		return true
	})
	return idle
}
