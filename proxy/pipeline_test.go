package proxy_test

import (
	"errors"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/scalelab/scalelab/proxy"
	vtmysql "vitess.io/vitess/go/mysql"
)

// TestPipelinedRequests: a client may send its next commands before it
// reads the answers to the last (Connector/J 3 pipelines a prepare and
// its execution; any client may send COM_STMT_CLOSE, which has no answer,
// just ahead of its next command). The proxy answers every one, in order,
// whether the relay takes it (SELECT n) or the protocol library does
// (COM_PING), sent at once, in bursts, or at random gaps. A request
// missed in the proxy's wait for the next one would leave the client
// waiting for its answer.
func TestPipelinedRequests(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	vc := f.vtConn(t)
	deprecateEOF := vc.Capabilities&vtmysql.CapabilityClientDeprecateEOF != 0
	c := vc.GetRawConn()
	relayed := f.relayed(t)

	const requests = 3000
	ping := func(i int) bool { return i%7 == 3 }
	go func() {
		rnd := uint32(7)
		var burst []byte
		for i := range requests {
			if ping(i) {
				burst = append(burst, packet(0, 0x0e)...)
			} else {
				burst = append(burst, packet(0, append([]byte{0x03}, "SELECT "+strconv.Itoa(i)...)...)...)
			}
			rnd = rnd*1664525 + 1013904223
			if i < 50 || rnd>>30 == 0 { // the first 50 at once, then bursts of about four
				continue
			}
			if _, err := c.Write(burst); err != nil {
				return
			}
			burst = burst[:0]
			if rnd>>28&1 == 0 {
				time.Sleep(time.Duration(rnd>>20&0xff) * time.Microsecond)
			}
		}
		c.Write(burst)
	}()

	c.SetReadDeadline(time.Now().Add(60 * time.Second))
	read := func() []byte {
		var hdr [4]byte
		if _, err := io.ReadFull(c, hdr[:]); err != nil {
			t.Fatalf("reading an answer: %v (the proxy missed a request, or closed)", err)
		}
		p := make([]byte, int(hdr[0])|int(hdr[1])<<8|int(hdr[2])<<16)
		if _, err := io.ReadFull(c, p); err != nil {
			t.Fatalf("reading an answer: %v", err)
		}
		return p
	}
	for i := range requests {
		if ping(i) {
			if p := read(); len(p) == 0 || p[0] != 0x00 {
				t.Fatalf("answer %d, to COM_PING: % x, want an OK packet", i, p)
			}
			continue
		}
		want := strconv.Itoa(i)
		if p := read(); len(p) != 1 || p[0] != 1 {
			t.Fatalf("answer %d: column count % x, want 1", i, p)
		}
		read() // the column
		if !deprecateEOF {
			read()
		}
		row := read()
		if len(row) == 0 || int(row[0]) != len(row)-1 || string(row[1:]) != want {
			t.Fatalf("answer %d: row % x, want %q", i, row, want)
		}
		if p := read(); len(p) == 0 || p[0] != 0xfe {
			t.Fatalf("answer %d: % x where the result set ends", i, p)
		}
	}
	if n := f.relayed(t) - relayed; n < requests/2 {
		t.Errorf("%v of %d SELECTs relayed: the test does not exercise the relay", n, requests-requests/7)
	}
	// Nothing more: the proxy answered each request once.
	c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if n, err := c.Read(make([]byte, 1)); n > 0 || !isTimeout(err) {
		t.Errorf("after the last answer: %d bytes, %v; want nothing", n, err)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
