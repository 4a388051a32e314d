package proxy

import (
	"encoding/binary"

	"github.com/scalelab/scalelab/router"
)

// The protocol library reads a COM_STMT_EXECUTE parameter's unsigned flag
// from the wrong bit (0x20, the column flag, where the parameter type has
// 0x80), so a uint64 above math.MaxInt64 reaches the handler as a
// negative int64. The sniffer watches the client's packets as they are
// read and keeps the parameter types of the last COM_STMT_EXECUTE, from
// which the handler restores the unsigned parameters, and the types of
// NULLs, which it reads as NULLs of no type.

// comStmtExecute is the COM_STMT_EXECUTE command byte.
const comStmtExecute = 0x17

// comStmtClose, comSetOption (multi statements on or off) and
// comResetConnection are COM_STMT_CLOSE, COM_SET_OPTION and
// COM_RESET_CONNECTION.
const (
	comStmtSendLongData = 0x18
	comStmtClose        = 0x19
	comStmtReset        = 0x1a
	comSetOption        = 0x1b
	comResetConnection  = 0x1f
)

// maxSniff bounds how much of one packet the sniffer keeps.
const maxSniff = 1 << 12

// sniffer follows the packet stream of one client connection. It is used
// by the connection's reader only (the protocol library reads a
// connection from one goroutine at a time).
type sniffer struct {
	hdr       [4]byte
	hn        int // header bytes read
	remaining int // payload bytes left in the current packet
	cur       []byte
	// last is the start of the last COM_STMT_EXECUTE payload.
	last []byte
	// types keeps, per statement id, the parameter types (a type byte and
	// a flag byte each) last sent, for executions that do not resend them.
	types map[uint32][]byte
	// declined holds the statements a node would not prepare: the relay
	// leaves them to the library.
	declined map[uint32]bool
	// badLongData holds the statements sent long data for a parameter
	// they do not have: the server refuses their executions until a
	// COM_STMT_RESET (see clientConn.dropLongData).
	badLongData map[uint32]bool
	// typed holds the statements an execution has sent parameter types
	// for (see clientConn.refuseExecute).
	typed map[uint32]bool
	// longData, when set, is called with the statement id of each
	// COM_STMT_SEND_LONG_DATA once its last byte is read, before the
	// protocol library handles it.
	longData func(id uint32)
}

func (s *sniffer) feed(p []byte) {
	for len(p) > 0 {
		if s.remaining == 0 {
			take := min(4-s.hn, len(p))
			copy(s.hdr[s.hn:], p[:take])
			s.hn += take
			p = p[take:]
			if s.hn == 4 {
				s.hn = 0
				s.remaining = int(s.hdr[0]) | int(s.hdr[1])<<8 | int(s.hdr[2])<<16
				s.cur = s.cur[:0]
			}
			continue
		}
		take := min(s.remaining, len(p))
		if keep := min(take, maxSniff-len(s.cur)); keep > 0 {
			s.cur = append(s.cur, p[:keep]...)
		}
		s.remaining -= take
		p = p[take:]
		if s.remaining == 0 && len(s.cur) > 0 {
			switch s.cur[0] {
			case comStmtExecute:
				s.last = append(s.last[:0], s.cur...)
			case comStmtSendLongData:
				if s.longData != nil && len(s.cur) >= 5 {
					s.longData(binary.LittleEndian.Uint32(s.cur[1:]))
				}
			case comStmtClose:
				if len(s.cur) >= 5 {
					s.forget(binary.LittleEndian.Uint32(s.cur[1:]))
				}
			}
		}
	}
}

// reset drops what is kept of every statement: the client reset its
// connection (see clientConn.resetConnection, which the packet goes to).
func (s *sniffer) reset() {
	clear(s.types)
	clear(s.declined)
	clear(s.badLongData)
	clear(s.typed)
}

// forget drops what is kept of statement id, which the client closed.
func (s *sniffer) forget(id uint32) {
	delete(s.types, id)
	delete(s.declined, id)
	delete(s.badLongData, id)
	delete(s.typed, id)
}

// decline records that a node would not prepare statement id.
func (s *sniffer) decline(id uint32) {
	if s.declined == nil {
		s.declined = map[uint32]bool{}
	}
	s.declined[id] = true
}

// markTyped records that an execution sent statement id's parameter
// types.
func (s *sniffer) markTyped(id uint32) {
	if s.typed == nil {
		s.typed = map[uint32]bool{}
	}
	s.typed[id] = true
}

// setTypes keeps the parameter types t of statement id.
func (s *sniffer) setTypes(id uint32, t []byte) {
	if s.types == nil {
		s.types = map[uint32][]byte{}
	}
	s.types[id] = append(s.types[id][:0], t...)
}

// lastTypes reads the last COM_STMT_EXECUTE of statement id, of n
// parameters: its NULL bitmap, and the types of its parameters (sent with
// it, or kept from the execution that sent them); nil when there is no
// such execution.
func (s *sniffer) lastTypes(id uint32, n int) (types, nulls []byte) {
	b := s.last
	if len(b) < 10 || binary.LittleEndian.Uint32(b[1:5]) != id {
		return nil, nil
	}
	pos := 10 + (n+7)/8 // command, id, flags, iteration count, NULL bitmap
	if pos >= len(b) {
		return nil, nil
	}
	if b[pos] == 1 { // the types are sent with this execution
		if pos+1+2*n > len(b) {
			return nil, nil
		}
		s.setTypes(id, b[pos+1:pos+1+2*n])
	}
	t := s.types[id]
	if len(t) != 2*n {
		return nil, nil
	}
	return t, b[10:pos]
}

// unsignedWidths reports, for each parameter of types t (lastTypes), the
// width in bytes of an integer sent as unsigned, or 0; nil for no types.
func unsignedWidths(t []byte) []int {
	if t == nil {
		return nil
	}
	out := make([]int, len(t)/2)
	for i := range out {
		switch t[2*i] {
		case typeTiny, typeShort, typeLong, typeInt24, typeLongLong:
			if t[2*i+1]&paramUnsigned != 0 {
				out[i] = intWidth(t[2*i])
			}
		}
	}
	return out
}

// binaryParams reports, for each parameter of types t (lastTypes),
// whether it was sent as a BLOB (TINY_BLOB to BLOB: PHP's "b", JDBC's
// setBytes, a Node.js Buffer), which the server reads as a string of the
// binary character set, whatever its flags, where the protocol library
// reads one without its binary flag as text; nil for no types.
func binaryParams(t []byte) []bool {
	if t == nil {
		return nil
	}
	out := make([]bool, len(t)/2)
	for i := range out {
		out[i] = t[2*i] >= typeTinyBlob && t[2*i] <= typeBlob
	}
	return out
}

// typedNulls reports, for each parameter of types t and NULL bitmap
// nulls (lastTypes), the type of a NULL sent with one the server keeps
// (PHP's bind_param("s", $null) sends a VAR_STRING, "d" a DOUBLE, "i" a
// LONGLONG, "b" a BLOB), or 0; nil for no types.
func typedNulls(t, nulls []byte) []router.TypedNull {
	if t == nil {
		return nil
	}
	out := make([]router.TypedNull, len(t)/2)
	for i := range out {
		if nulls[i/8]&(1<<(i%8)) == 0 {
			continue
		}
		switch t[2*i] {
		case typeVarchar, typeVarString, typeString:
			out[i] = router.NullString
		case typeTinyBlob, typeMediumBlob, typeLongBlob, typeBlob:
			out[i] = router.NullBinary
		case typeFloat, typeDouble:
			out[i] = router.NullDouble
		case typeTiny, typeShort, typeLong, typeLongLong:
			out[i] = router.NullSigned
			if t[2*i+1]&paramUnsigned != 0 {
				out[i] = router.NullUnsigned
			}
		}
	}
	return out
}

// asUnsigned is the unsigned integer of width bytes that the library read
// as the signed v.
func asUnsigned(v int64, width int) uint64 {
	u := uint64(v)
	if width < 8 {
		u &= 1<<(8*width) - 1
	}
	return u
}
