package proxy

import "encoding/binary"

// The protocol library reads a COM_STMT_EXECUTE parameter's unsigned flag
// from the wrong bit (0x20, the column flag, where the parameter type has
// 0x80), so a uint64 above math.MaxInt64 reaches the handler as a
// negative int64. The sniffer watches the client's packets as they are
// read and keeps the parameter types of the last COM_STMT_EXECUTE, from
// which the handler restores the unsigned parameters.

// comStmtExecute is the COM_STMT_EXECUTE command byte.
const comStmtExecute = 0x17

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
	// unsigned keeps, per statement id, which parameters are unsigned,
	// for executions that do not resend the types.
	unsigned map[uint32][]bool
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
		if s.remaining == 0 && len(s.cur) > 0 && s.cur[0] == comStmtExecute {
			s.last = append(s.last[:0], s.cur...)
		}
	}
}

// unsignedParams reports which of the n parameters of the last
// COM_STMT_EXECUTE of statement id were sent as unsigned, or nil.
func (s *sniffer) unsignedParams(id uint32, n int) []bool {
	b := s.last
	if len(b) < 10 || binary.LittleEndian.Uint32(b[1:5]) != id {
		return nil
	}
	pos := 10 + (n+7)/8 // command, id, flags, iteration count, NULL bitmap
	if pos >= len(b) {
		return nil
	}
	if b[pos] != 1 { // the types were sent with an earlier execution
		return s.unsigned[id]
	}
	pos++
	if pos+2*n > len(b) {
		return nil
	}
	out := make([]bool, n)
	for i := range out {
		out[i] = b[pos+2*i+1]&0x80 != 0
	}
	if s.unsigned == nil {
		s.unsigned = map[uint32][]bool{}
	}
	s.unsigned[id] = out
	return out
}
