package wire

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestLenenc(t *testing.T) {
	tests := []struct {
		in   []byte
		v    uint64
		n    int
		okay bool
	}{
		{[]byte{0}, 0, 1, true},
		{[]byte{250, 9}, 250, 1, true},
		{[]byte{0xfc, 0x34, 0x12}, 0x1234, 3, true},
		{[]byte{0xfd, 0x56, 0x34, 0x12}, 0x123456, 4, true},
		{[]byte{0xfe, 1, 2, 3, 4, 5, 6, 7, 8}, 0x0807060504030201, 9, true},
		{nil, 0, 0, false},
		{[]byte{0xfb}, 0, 0, false},          // NULL
		{[]byte{0xff, 1, 2}, 0, 0, false},    // an ERR marker
		{[]byte{0xfc, 0x34}, 0, 0, false},    // cut short
		{[]byte{0xfe, 1, 2, 3}, 0, 0, false}, // cut short
	}
	for _, tt := range tests {
		v, n, ok := Lenenc(tt.in)
		if v != tt.v || n != tt.n || ok != tt.okay {
			t.Errorf("Lenenc(% x) = %d, %d, %v; want %d, %d, %v", tt.in, v, n, ok, tt.v, tt.n, tt.okay)
		}
	}
}

func TestLenencString(t *testing.T) {
	long := append([]byte{0xfc, 0x2c, 0x01}, bytes.Repeat([]byte("x"), 300)...)
	tests := []struct {
		in   []byte
		s    string
		n    int
		okay bool
	}{
		{[]byte{0}, "", 1, true},
		{[]byte{3, 'a', 'b', 'c', 'd'}, "abc", 4, true},
		{long, string(long[3:]), 303, true},
		{[]byte{3, 'a', 'b'}, "", 0, false}, // cut short
		{[]byte{0xfb}, "", 0, false},        // NULL
		{nil, "", 0, false},
	}
	for _, tt := range tests {
		s, n, ok := LenencString(tt.in)
		if string(s) != tt.s || n != tt.n || ok != tt.okay {
			t.Errorf("LenencString(% .8x) = %q, %d, %v; want %q, %d, %v", tt.in, s, n, ok, tt.s, tt.n, tt.okay)
		}
	}
}

func TestOKStatus(t *testing.T) {
	tests := []struct {
		in     []byte
		status uint16
		okay   bool
	}{
		{[]byte{0x00, 0, 0, 0x02, 0x00, 0, 0}, 0x0002, true},
		{[]byte{0xfe, 0xfc, 0x10, 0x27, 0x05, 0x0a, 0x00}, 0x000a, true}, // 10000 rows, id 5, more results
		{[]byte{0x00, 0, 0, 0x02}, 0, false},
		{[]byte{0x00, 0xfc}, 0, false},
	}
	for _, tt := range tests {
		status, ok := OKStatus(tt.in)
		if status != tt.status || ok != tt.okay {
			t.Errorf("OKStatus(% x) = %#x, %v; want %#x, %v", tt.in, status, ok, tt.status, tt.okay)
		}
	}
}

func TestServerError(t *testing.T) {
	e, ok := ServerError(append([]byte{0xff, 0x1e, 0x04, '#', '4', '2', '0', '0', '0'}, "You have an error"...))
	if !ok || e.Number != 1054 || string(e.SQLState[:]) != "42000" || e.Message != "You have an error" {
		t.Errorf("an ERR packet with a state: %+v, %v", e, ok)
	}
	e, ok = ServerError(append([]byte{0xff, 0x15, 0x04}, "Access denied"...))
	if !ok || e.Number != 1045 || e.SQLState != [5]byte{} || e.Message != "Access denied" {
		t.Errorf("an ERR packet without a state: %+v, %v", e, ok)
	}
	if _, ok := ServerError([]byte{0xff, 0x15}); ok {
		t.Error("a cut ERR packet read as an error")
	}
}

// greeting is the greeting of a MariaDB 10.11 server with the scramble
// "abcdefghijklmnopqrst".
func greeting(caps, ext uint32) []byte { return Greeting(caps, ext, []byte("abcdefghijklmnopqrst")) }

func TestParseHandshake(t *testing.T) {
	const caps = CapSecureConnection | CapPluginAuth | 1<<24 | 0x200
	h, err := ParseHandshake(greeting(caps, 0x1d))
	if err != nil || h.Caps != caps || h.ExtCaps != 0x1d || !bytes.Equal(h.Scramble, []byte("abcdefghijklmnopqrst")) || h.Plugin != "mysql_native_password" {
		t.Errorf("a MariaDB greeting: %+v, %v", h, err)
	}
	// A MySQL server sets CLIENT_LONG_PASSWORD, and its reserved bytes are
	// not extended capabilities.
	h, err = ParseHandshake(greeting(caps|CapLongPassword, 0x1d))
	if err != nil || h.ExtCaps != 0 {
		t.Errorf("a MySQL greeting: %+v, %v", h, err)
	}
	if _, err := ParseHandshake([]byte{9, 'x', 0}); !errors.Is(err, ErrNotV10) {
		t.Errorf("protocol 9: %v, want ErrNotV10", err)
	}
	g := greeting(caps, 0)
	for _, n := range []int{5, 30, len(g) - 30} {
		if _, err := ParseHandshake(g[:n]); err == nil || errors.Is(err, ErrNotV10) {
			t.Errorf("a greeting cut at %d bytes: %v, want a malformed greeting", n, err)
		}
	}
}

func TestPutHeader(t *testing.T) {
	h := make([]byte, 4)
	PutHeader(h, MaxPayload, 7)
	if want := []byte{0xff, 0xff, 0xff, 7}; string(h) != string(want) {
		t.Errorf("got % x, want % x", h, want)
	}
	PutHeader(h, 0x030201, 0)
	if want := []byte{1, 2, 3, 0}; string(h) != string(want) {
		t.Errorf("got % x, want % x", h, want)
	}
}

func TestAppendLenencString(t *testing.T) {
	for _, n := range []int{0, 1, 250, 251, 65535, 65536, 1 << 24} {
		s := strings.Repeat("x", n)
		b := AppendLenencString([]byte{9}, s)
		got, size, ok := LenencString(b[1:])
		if !ok || string(got) != s || size != len(b)-1 || b[0] != 9 {
			t.Errorf("%d bytes: read back %d bytes, size %d, %v; want all %d", n, len(got), size, ok, len(b)-1)
		}
	}
}
