// Command gorelay is the plainest TCP relay Go makes, in two models. It
// parses nothing. scripts/bench-proxy.sh runs it beside haproxy and
// scalelab proxy, to show what a Go process's model of I/O costs a
// relayed statement before any routing:
//
//   - goroutines (the default): for each client, one connection to the
//     backend and one goroutine per direction copying bytes (read, then
//     write) through the net package: the runtime's goroutines and
//     network poller, as scalelab proxy uses them (GORELAY=1);
//   - -epoll: one goroutine, locked to its thread, that waits in
//     epoll_wait(2) itself on every socket and calls read(2) and
//     write(2) on the ready ones, as haproxy's event loop does in C: no
//     goroutine parks or wakes per message, no poller descriptor locks
//     (EPOLLRELAY=1). It is what an event-loop redesign of the proxy's
//     relay could save, measured before building it.
//
// Usage:
//
//	go build -o gorelay ./scripts/gorelay
//	GOMAXPROCS=1 ./gorelay 127.0.0.1:16037 /path/to/mysqld.sock
//	GOMAXPROCS=1 ./gorelay -epoll 127.0.0.1:16038 /path/to/mysqld.sock
//
// The backend is a unix socket when it starts with a slash, a TCP address
// otherwise.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
)

func main() {
	epoll := flag.Bool("epoll", false, "relay every connection from one event loop on epoll_wait (Linux only), not a goroutine per direction")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: gorelay [-epoll] LISTEN-ADDR BACKEND (a unix socket path or host:port)")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 2 {
		flag.Usage()
		os.Exit(2)
	}
	listen, backend := flag.Arg(0), flag.Arg(1)
	network := "tcp"
	if strings.HasPrefix(backend, "/") {
		network = "unix"
	}
	var err error
	if *epoll {
		err = eventLoop(listen, network, backend)
	} else {
		err = goroutines(listen, network, backend)
	}
	fmt.Fprintln(os.Stderr, "gorelay:", err)
	os.Exit(1)
}

// goroutines listens on listen and relays each connection with a
// goroutine per direction.
func goroutines(listen, network, backend string) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go relay(c, network, backend)
	}
}

// relay copies between client c and a new connection to the backend
// until either side closes.
func relay(c net.Conn, network, backend string) {
	defer c.Close()
	b, err := net.Dial(network, backend)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gorelay:", err)
		return
	}
	defer b.Close()
	go func() {
		copyPlain(b, c)
		b.Close()
	}()
	copyPlain(c, b)
}

// copyPlain copies with reads and writes of a 16 KiB buffer, as haproxy
// does without splicing: io.Copy would hand a unix socket to a TCP
// socket's ReadFrom, which splices.
func copyPlain(dst io.Writer, src io.Reader) {
	buf := make([]byte, 16<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
