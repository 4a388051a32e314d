package rawio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"testing"
	"time"
)

// pair returns both ends of a loopback TCP connection.
func pair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		accepted <- c
	}()
	client, err = net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// TestWriteWaitsForRoom writes far more than the socket buffers hold, to a
// peer that reads slowly: the write waits in the poller for room and
// delivers every byte, in order.
func TestWriteWaitsForRoom(t *testing.T) {
	c, s := pair(t)
	raw, ok := New(c)
	if !ok {
		t.Fatal("a TCP connection has no descriptor")
	}
	want := bytes.Repeat([]byte("0123456789abcdef"), 1<<18) // 4 MiB
	done := make(chan error, 1)
	go func() {
		n, err := raw.Write(want)
		if err == nil && n != len(want) {
			err = errors.New("short write")
		}
		done <- err
	}()
	got := make([]byte, 0, len(want))
	buf := make([]byte, 64<<10)
	for len(got) < len(want) {
		time.Sleep(time.Millisecond)
		n, err := s.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, buf[:n]...)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("the bytes read differ from those written")
	}
}

// TestReadDeadlineAndEOF: a read with nothing to read waits until the
// connection's deadline and fails as a timeout; a read returns what the
// peer sent, then io.EOF once the peer has closed.
func TestReadDeadlineAndEOF(t *testing.T) {
	c, s := pair(t)
	raw, _ := New(c)
	buf := make([]byte, 16)
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	_, err := raw.Read(buf)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("got %v, want a timeout", err)
	}
	c.SetReadDeadline(time.Time{})
	s.Write([]byte("hello"))
	n, err := raw.Read(buf)
	if err != nil || string(buf[:n]) != "hello" {
		t.Fatalf("got %q, %v; want hello", buf[:n], err)
	}
	s.Close()
	if _, err := raw.Read(buf); err != io.EOF {
		t.Fatalf("got %v after the peer closed, want io.EOF", err)
	}
}

// TestReadEndsOnClose: a read parked in the poller returns when the
// connection is closed under it, as the router's end of a stuck
// statement does.
func TestReadEndsOnClose(t *testing.T) {
	c, _ := pair(t)
	raw, _ := New(c)
	done := make(chan error, 1)
	go func() {
		_, err := raw.Read(make([]byte, 16))
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	c.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("got %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the read did not end when the connection closed")
	}
}

// TestIdle: a connection is idle until the peer sends a byte or closes.
func TestIdle(t *testing.T) {
	c, s := pair(t)
	raw, _ := New(c)
	if !raw.Idle() {
		t.Fatal("a fresh connection is not idle")
	}
	s.Write([]byte("x"))
	deadline := time.Now().Add(5 * time.Second)
	for raw.Idle() {
		if time.Now().After(deadline) {
			t.Fatal("still idle with a byte to read")
		}
		time.Sleep(time.Millisecond)
	}
	buf := make([]byte, 1)
	raw.Read(buf)
	if !raw.Idle() {
		t.Fatal("not idle once the byte was read")
	}
	s.Close()
	for raw.Idle() {
		if time.Now().After(deadline) {
			t.Fatal("still idle after the peer closed")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestWriteRead sends requests and reads their answers, from a peer that
// answers at once and from one that answers late (the answer arrives
// while WriteRead waits, after its write): each answer is read, in order.
// A request larger than the socket buffers goes whole, then its answer
// is read. A peer that closed gives an error or EOF, not a wait.
func TestWriteRead(t *testing.T) {
	c, s := pair(t)
	raw, ok := New(c)
	if !ok {
		t.Skip("no raw I/O on this platform")
	}
	go func() { // an echo server that answers each request's length
		buf := make([]byte, 1<<20)
		for i := 0; ; i++ {
			var hdr [4]byte
			if _, err := io.ReadFull(s, hdr[:]); err != nil {
				return
			}
			n := int(hdr[0]) | int(hdr[1])<<8 | int(hdr[2])<<16
			if _, err := io.ReadFull(s, buf[:n]); err != nil {
				return
			}
			if i%2 == 1 {
				time.Sleep(5 * time.Millisecond) // a late answer
			}
			s.Write([]byte{hdr[0], hdr[1], hdr[2], byte(i)})
		}
	}()
	for i, size := range []int{1, 100, 3, 4 << 20 / 4, 7, 1000000} {
		req := make([]byte, 4+size)
		req[0], req[1], req[2] = byte(size), byte(size>>8), byte(size>>16)
		got := make([]byte, 4)
		n, err := raw.WriteRead(req, got)
		if err == nil && n < 4 {
			_, err = io.ReadFull(raw, got[n:])
		}
		if err != nil {
			t.Fatalf("request %d (%d bytes): %v", i, size, err)
		}
		want := []byte{byte(size), byte(size >> 8), byte(size >> 16), byte(i)}
		if !bytes.Equal(got, want) {
			t.Fatalf("request %d (%d bytes): answer %v, want %v", i, size, got, want)
		}
	}
	s.Close()
	done := make(chan error, 1)
	go func() {
		_, err := raw.WriteRead([]byte{1, 0, 0, 0, 'x'}, make([]byte, 4))
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Error("a closed peer answered")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("WriteRead to a closed peer still waits")
	}
}

// TestServeMissesNoPipelinedRequest serves a client that sends its
// requests without waiting for the answers, in bursts and at random
// gaps: a step that answers what it has and waits without reading again
// after a read that took all there was, and an answer since, must still
// see every request. A readiness lost between a read and the wait would
// leave the client waiting for an answer forever.
func TestServeMissesNoPipelinedRequest(t *testing.T) {
	c, s := pair(t)
	raw, ok := New(s)
	if !ok {
		t.Skip("no raw I/O on this platform")
	}
	const requests = 20000
	served := make(chan error, 1)
	go func() {
		var in []byte
		buf := make([]byte, 7) // small, so that some reads fill it
		var stepErr error
		step := func(read func([]byte) (int, error)) bool {
			drained, answered := false, false
			for {
				for len(in) > 0 && len(in) >= 1+int(in[0]) {
					n := 1 + int(in[0])
					if _, err := raw.Write([]byte{in[n-1]}); err != nil {
						stepErr = err
						return true
					}
					answered = true
					in = in[n:]
				}
				if drained && answered {
					return false
				}
				n, err := read(buf)
				if errors.Is(err, ErrWouldBlock) {
					return false
				}
				if err != nil {
					stepErr = err
					return true
				}
				in = append(in, buf[:n]...)
				drained, answered = n < len(buf), false
			}
		}
		err := raw.Serve(step)
		if err == nil {
			err = stepErr
		}
		served <- err
	}()
	go func() { // the client's requests: a length byte, then that many bytes, the last its number
		rnd := uint32(1)
		for i := range requests {
			rnd = rnd*1664525 + 1013904223
			size := 1 + int(rnd>>24)%5
			req := make([]byte, 1+size)
			req[0], req[size] = byte(size), byte(i)
			if _, err := c.Write(req); err != nil {
				return
			}
			switch rnd >> 29 {
			case 0:
				time.Sleep(20 * time.Microsecond)
			case 1, 2:
				runtime.Gosched()
			}
		}
	}()
	got := make(chan error, 1)
	go func() {
		buf := make([]byte, 1)
		for i := range requests {
			if _, err := io.ReadFull(c, buf); err != nil {
				got <- fmt.Errorf("answer %d: %v", i, err)
				return
			}
			if buf[0] != byte(i) {
				got <- fmt.Errorf("answer %d is %d", i, buf[0])
				return
			}
		}
		got <- nil
	}()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the client still waits for an answer: a request was missed")
	}
	c.Close()
	select {
	case err := <-served:
		if !errors.Is(err, io.EOF) {
			t.Errorf("Serve after the client closed: %v, want EOF", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve goes on after the client closed")
	}
}

// TestServeDeadline: Serve's wait ends at the read deadline, with a
// timeout, and at a close; its read works only while it lasts.
func TestServeDeadline(t *testing.T) {
	c, s := pair(t)
	raw, ok := New(s)
	if !ok {
		t.Skip("no raw I/O on this platform")
	}
	c.Write([]byte("ab"))
	var read []byte
	var readFn func([]byte) (int, error)
	waiting := make(chan struct{}, 1)
	step := func(r func([]byte) (int, error)) bool {
		readFn = r
		buf := make([]byte, 16)
		n, err := r(buf)
		read = append(read, buf[:n]...)
		if errors.Is(err, ErrWouldBlock) {
			select {
			case waiting <- struct{}{}:
			default:
			}
			return false
		}
		return err != nil || string(read) == "ab"
	}
	if err := raw.Serve(step); err != nil || string(read) != "ab" {
		t.Fatalf("Serve: read %q, %v; want %q", read, err, "ab")
	}
	if _, err := readFn(make([]byte, 1)); err == nil {
		t.Error("Serve's read still reads after Serve returned")
	}
	s.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	err := raw.Serve(step)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("Serve past its deadline: %v, want a timeout", err)
	}
	s.SetReadDeadline(time.Time{})
	select { // a signal of the waits above, if any
	case <-waiting:
	default:
	}
	done := make(chan error, 1)
	go func() { done <- raw.Serve(step) }()
	<-waiting // this one's: step has been called and asked to wait
	s.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Serve on a closed connection: %v, want net.ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve still waits after the close")
	}
}

// TestServeEOFBehindShortRead: a peer that sends bytes and closes at
// once brings one readiness for both. The read that returns the bytes
// returns them short, without io.EOF, which the next read returns: a
// step that waited after the short read, having written nothing, would
// wait for ever (see Serve), so it reads again.
func TestServeEOFBehindShortRead(t *testing.T) {
	c, s := pair(t)
	raw, ok := New(s)
	if !ok {
		t.Skip("no raw I/O on this platform")
	}
	if _, err := c.Write([]byte("half")); err != nil {
		t.Fatal(err)
	}
	c.Close()
	var got []string
	step := func(read func([]byte) (int, error)) bool {
		buf := make([]byte, 16)
		for {
			n, err := read(buf)
			if errors.Is(err, ErrWouldBlock) {
				return false // not arrived yet: its readiness ends the wait
			}
			got = append(got, fmt.Sprintf("%q %v", buf[:n], err))
			if err != nil {
				return true
			}
		}
	}
	s.SetReadDeadline(time.Now().Add(10 * time.Second))
	if err := raw.Serve(step); err != nil {
		t.Fatalf("Serve: %v after reads %q", err, got)
	}
	want := []string{`"half" <nil>`, `"" EOF`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got reads %q, want %q", got, want)
	}
}
