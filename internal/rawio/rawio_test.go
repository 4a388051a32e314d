package rawio

import (
	"bytes"
	"errors"
	"io"
	"net"
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
