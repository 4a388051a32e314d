package replica

import (
	"context"
	"encoding/binary"
	"sync"

	"github.com/scalelab/scalelab/internal/wire"
)

// The warning count of a statement's answer is in its last packet, an OK
// or an EOF packet, and so is a write's info ("Rows matched: 1  Changed:
// 0  Warnings: 0"), which go-sql-driver reads and drops: a pool's
// connection follows the packets it reads (packetTail), and LastOK reads
// the last one, given the driver's connection.

// packetTail follows the packets read on a connection, keeping the first
// bytes of the last one.
type packetTail struct {
	hdr  [4]byte
	hdrN int       // bytes of the current packet's header read; 4 in its payload
	left int       // bytes of the current packet's payload still to come
	size int       // the current packet's payload length
	head [128]byte // an OK packet's header, numbers and info
	n    int       // bytes of head held
}

// feed follows the bytes b read.
func (t *packetTail) feed(b []byte) {
	for len(b) > 0 {
		if t.hdrN < 4 {
			k := copy(t.hdr[t.hdrN:], b)
			t.hdrN += k
			b = b[k:]
			if t.hdrN < 4 {
				return
			}
			t.size = int(t.hdr[0]) | int(t.hdr[1])<<8 | int(t.hdr[2])<<16
			t.left, t.n = t.size, 0
			if t.left == 0 {
				t.hdrN = 0
			}
			continue
		}
		k := min(t.left, len(b))
		chunk := b[:k]
		if t.n == 0 {
			t.head[0], t.n, chunk = chunk[0], 1, chunk[1:]
		}
		if t.n < len(t.head) && (t.head[0] == 0x00 || t.head[0] == 0xfe) {
			// (Only a packet that may end an answer is kept past its
			// first byte: a row's are not copied.)
			t.n += copy(t.head[t.n:], chunk)
		}
		t.left -= k
		b = b[k:]
		if t.left == 0 {
			t.hdrN = 0
		}
	}
}

// ok reads the warning count and the info of the last packet, when it
// is whole and an OK or EOF packet.
func (t *packetTail) ok() (a OK, ok bool) {
	p := t.head[:t.n]
	if t.hdrN != 0 || len(p) == 0 || t.size == 1<<24-1 {
		return OK{}, false
	}
	switch {
	case p[0] == 0xfe && t.size == 5:
		// EOF: 0xfe, warnings, status (an OK has 7 bytes at least).
		if len(p) >= 3 {
			return OK{Warnings: binary.LittleEndian.Uint16(p[1:])}, true
		}
	case p[0] == 0x00 || p[0] == 0xfe:
		// OK (0xfe ends rows under CLIENT_DEPRECATE_EOF): the header,
		// affected rows and insert id (length-encoded), status, warnings,
		// then the info, to the end (or length-encoded, with session
		// tracking, which the driver does not ask for).
		at, found := wire.OKWarningsAt(p)
		if !found {
			return OK{}, false
		}
		a.Warnings = binary.LittleEndian.Uint16(p[at:])
		if p[0] == 0x00 {
			a.IsOK = true
			rows, n, _ := wire.Lenenc(p[1:])
			id, _, _ := wire.Lenenc(p[1+n:])
			a.Affected, a.InsertID = rows, id
		}
		if info := p[at+2:]; t.size == t.n {
			if len(info) > 0 && int(info[0]) == len(info)-1 {
				info = info[1:]
			}
			a.Info = string(info)
		}
		return a, true
	}
	return OK{}, false
}

// OK is what the last packet of an answer says beyond what go-sql-driver
// keeps.
type OK struct {
	Warnings uint16
	// IsOK is set for an OK packet (0x00), whose numbers follow: the
	// rows affected and the id generated, as it says them. A CALL's
	// answer ends in one, after any result sets, which go-sql-driver
	// reads past.
	IsOK               bool
	Affected, InsertID uint64
	// Info is an OK packet's text, such as "Rows matched: 1  Changed: 0
	// Warnings: 0" (an UPDATE's) or "Records: 3  Duplicates: 1
	// Warnings: 0" (an INSERT of several rows'); "" when it has none, or
	// it was longer than kept.
	Info string
}

// pooled maps the driver's connections of the nodes' pools to the
// connections they read from.
var pooled sync.Map // driver.Conn → *trackedConn

// dialedKey carries, in the context of a pool's Connect, where dial puts
// the connection it made.
type dialedKey struct{}

// dialedInto is ctx for a Connect whose connection dial puts in *tc.
func dialedInto(ctx context.Context, tc **trackedConn) context.Context {
	return context.WithValue(ctx, dialedKey{}, tc)
}

// LastOK returns what the last packet of the answer to the last
// statement on dc, a driver connection of a node's pool (as
// database/sql's Conn.Raw gives it), says: its warning count and info. ok
// is false for another connection, or when the last packet read is
// neither an OK nor an EOF packet.
func LastOK(dc any) (a OK, ok bool) {
	v, found := pooled.Load(dc)
	if !found {
		return OK{}, false
	}
	tc := v.(*trackedConn)
	if tc.tail == nil {
		return OK{}, false
	}
	return tc.tail.ok()
}
