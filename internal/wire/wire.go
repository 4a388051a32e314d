// Package wire reads the pieces of the MySQL client/server protocol that
// scalelab's two raw speakers of it share: the proxy's relay, which logs in
// to a node on a connection of its own and copies its replies, and the
// bench's protocol loop, which drives a client's socket after go-sql-driver
// has logged it in. A server's error comes back as go-sql-driver's error
// type, so that callers classify it as they would the driver's.
package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/go-sql-driver/mysql"
)

// Capability flags, status flags and limits of the protocol.
const (
	// CapLongPassword is CLIENT_LONG_PASSWORD, which a MariaDB server
	// leaves out of its greeting (go-sql-driver's clientMySQL): without
	// it, the greeting and the client's answer carry MariaDB's extended
	// capabilities.
	CapLongPassword     = 1 << 0
	CapSecureConnection = 1 << 15
	CapPluginAuth       = 1 << 19
	// StatusMoreResults is SERVER_MORE_RESULTS_EXISTS.
	StatusMoreResults = 0x0008
	// MaxPayload is the largest payload of one packet; a payload this
	// long continues in the next packet.
	MaxPayload = 1<<24 - 1
)

// PutHeader writes a packet's header, its payload's length n (at most
// MaxPayload) and its sequence number, into h[:4].
func PutHeader(h []byte, n int, seq byte) {
	h[0], h[1], h[2], h[3] = byte(n), byte(n>>8), byte(n>>16), seq
}

// AppendLenencString appends s to b as a length-encoded string.
func AppendLenencString(b []byte, s string) []byte {
	switch n := uint64(len(s)); {
	case n < 0xfb:
		b = append(b, byte(n))
	case n < 1<<16:
		b = append(b, 0xfc, byte(n), byte(n>>8))
	case n < 1<<24:
		b = append(b, 0xfd, byte(n), byte(n>>8), byte(n>>16))
	default:
		b = append(b, 0xfe, byte(n), byte(n>>8), byte(n>>16), byte(n>>24), byte(n>>32), byte(n>>40), byte(n>>48), byte(n>>56))
	}
	return append(b, s...)
}

// Lenenc reads a length-encoded integer at the start of b: its value, its
// size in bytes, and false when b is cut short or does not start with one
// (0xfb, a NULL, or 0xff).
func Lenenc(b []byte) (v uint64, n int, ok bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	switch b[0] {
	case 0xfb, 0xff:
		return 0, 0, false
	case 0xfc:
		n = 3
	case 0xfd:
		n = 4
	case 0xfe:
		n = 9
	default:
		return uint64(b[0]), 1, true
	}
	if len(b) < n {
		return 0, 0, false
	}
	for i := n - 1; i >= 1; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v, n, true
}

// LenencString reads a length-encoded string at the start of b: its
// bytes (b's own), the size of the length and the string together, and
// false when b is cut short or does not start with one (a NULL).
func LenencString(b []byte) (s []byte, n int, ok bool) {
	v, size, ok := Lenenc(b)
	if !ok || uint64(len(b)-size) < v {
		return nil, 0, false
	}
	end := size + int(v)
	return b[size:end], end, true
}

// ServerError is the error of an ERR packet's payload p, as go-sql-driver
// returns it; false when p is too short to be one.
func ServerError(p []byte) (*mysql.MySQLError, bool) {
	if len(p) < 3 {
		return nil, false
	}
	e := &mysql.MySQLError{Number: binary.LittleEndian.Uint16(p[1:])}
	msg := p[3:]
	if len(msg) >= 6 && msg[0] == '#' {
		copy(e.SQLState[:], msg[1:6])
		msg = msg[6:]
	}
	e.Message = string(msg)
	return e, true
}

// Handshake is what a server's greeting (HandshakeV10) says.
type Handshake struct {
	// Caps are the server's capability flags; ExtCaps are MariaDB's
	// extended ones, zero from a MySQL server (see CapLongPassword).
	Caps, ExtCaps uint32
	// Scramble is the authentication challenge, without its NUL.
	Scramble []byte
	// Plugin is the authentication method, when the server names one.
	Plugin string
}

// ErrNotV10 is a greeting of another protocol than 10.
var ErrNotV10 = errors.New("wire: the greeting is not protocol 10")

// ParseHandshake reads a server's greeting payload p.
func ParseHandshake(p []byte) (Handshake, error) {
	var h Handshake
	bad := errors.New("wire: malformed greeting")
	if len(p) < 1 || p[0] != 10 {
		return h, fmt.Errorf("%w: protocol %v", ErrNotV10, p[:min(1, len(p))])
	}
	_, rest, ok := bytes.Cut(p[1:], []byte{0}) // server version
	if !ok || len(rest) < 4+8+1+2 {
		return h, bad
	}
	rest = rest[4:] // connection id
	h.Scramble = append(h.Scramble, rest[:8]...)
	rest = rest[9:]
	h.Caps = uint32(binary.LittleEndian.Uint16(rest))
	rest = rest[2:]
	// The collation (1 byte), the status (2), the upper capability flags
	// (2), the scramble's length (1) and 10 bytes reserved, of which
	// MariaDB's extended capabilities are the last 4.
	if len(rest) < 1+2+2+1+10 {
		return h, bad
	}
	h.Caps |= uint32(binary.LittleEndian.Uint16(rest[3:])) << 16
	authLen := int(rest[5])
	if h.Caps&CapLongPassword == 0 {
		h.ExtCaps = binary.LittleEndian.Uint32(rest[12:])
	}
	rest = rest[16:]
	if h.Caps&CapSecureConnection != 0 {
		n := max(13, authLen-8)
		if len(rest) < n {
			return h, bad
		}
		h.Scramble = append(h.Scramble, rest[:n-1]...) // without its NUL
		rest = rest[n:]
	}
	if h.Caps&CapPluginAuth != 0 {
		name, _, _ := bytes.Cut(rest, []byte{0})
		h.Plugin = string(name)
	}
	return h, nil
}

// Greeting builds the HandshakeV10 payload that ParseHandshake reads, as a
// MariaDB 10.11 server sends one: capability flags caps, MariaDB's
// extended ones ext (sent when caps lacks CapLongPassword), the 20-byte
// scramble, and mysql_native_password. Tests play a server's first packet
// with it.
func Greeting(caps, ext uint32, scramble []byte) []byte {
	p := append([]byte{10}, "10.11.19-MariaDB\x00"...)
	p = binary.LittleEndian.AppendUint32(p, 42) // connection id
	p = append(p, scramble[:8]...)
	p = append(p, 0)
	p = binary.LittleEndian.AppendUint16(p, uint16(caps))
	p = append(p, 45)                          // collation
	p = binary.LittleEndian.AppendUint16(p, 2) // status
	p = binary.LittleEndian.AppendUint16(p, uint16(caps>>16))
	p = append(p, byte(len(scramble)+1))
	p = append(p, 0, 0, 0, 0, 0, 0) // reserved
	p = binary.LittleEndian.AppendUint32(p, ext)
	p = append(append(p, scramble[8:]...), 0)
	return append(p, "mysql_native_password\x00"...)
}

// OKStatus reads the server status flags of an OK packet's payload p (also
// one that ends a result set under CLIENT_DEPRECATE_EOF); false when p is
// cut short.
func OKStatus(p []byte) (uint16, bool) {
	at, ok := okStatusAt(p)
	if !ok {
		return 0, false
	}
	return binary.LittleEndian.Uint16(p[at:]), true
}

// OKWarningsAt is where the two bytes of the warning count of an OK
// packet's payload p are (the info, when the packet has one, follows
// them); false when p is cut short.
func OKWarningsAt(p []byte) (int, bool) {
	at, ok := okStatusAt(p)
	if !ok || len(p) < at+4 {
		return 0, false
	}
	return at + 2, true
}

// okStatusAt is where the status flags of an OK packet's payload p are,
// after its header, affected rows and last insert id; false when p is cut
// short.
func okStatusAt(p []byte) (int, bool) {
	at := 1
	for range 2 { // affected rows, last insert id
		if at > len(p) {
			return 0, false
		}
		_, n, ok := Lenenc(p[at:])
		if !ok {
			return 0, false
		}
		at += n
	}
	if len(p) < at+2 {
		return 0, false
	}
	return at, true
}
