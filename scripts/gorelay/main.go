// Command gorelay is the plainest TCP relay Go's standard library makes:
// for each client, one connection to the backend and one goroutine per
// direction copying bytes (read, then write) through the net package. It
// parses nothing. scripts/bench-proxy.sh runs it (GORELAY=1) beside
// haproxy and scalelab proxy, to show what the Go runtime's goroutine and
// network-poller model costs a relayed statement before any routing:
//
//	go build -o gorelay ./scripts/gorelay
//	GOMAXPROCS=1 ./gorelay 127.0.0.1:16037 /path/to/mysqld.sock
//
// The backend is a unix socket when it starts with a slash, a TCP address
// otherwise.
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"strings"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gorelay LISTEN-ADDR BACKEND (a unix socket path or host:port)")
		os.Exit(2)
	}
	listen, backend := os.Args[1], os.Args[2]
	network := "tcp"
	if strings.HasPrefix(backend, "/") {
		network = "unix"
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gorelay:", err)
		os.Exit(1)
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, "gorelay:", err)
			os.Exit(1)
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
