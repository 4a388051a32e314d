package proxy

import (
	"encoding/binary"
	"testing"
)

// TestSnifferUnsignedParams feeds a COM_STMT_EXECUTE packet in pieces, as
// reads may split it, and reads back which parameters were unsigned.
func TestSnifferUnsignedParams(t *testing.T) {
	payload := []byte{comStmtExecute, 7, 0, 0, 0, 0, 1, 0, 0, 0}
	payload = append(payload, 0)                      // NULL bitmap of 3 parameters
	payload = append(payload, 1)                      // new params bound
	payload = append(payload, 8, 0x80, 8, 0, 3, 0x80) // LONGLONG unsigned, LONGLONG, LONG unsigned
	payload = append(payload, make([]byte, 20)...)    // the values
	pkt := make([]byte, 4, 4+len(payload))
	pkt[0] = byte(len(payload))
	pkt = append(pkt, payload...)
	var s sniffer
	for len(pkt) > 0 {
		n := min(3, len(pkt))
		s.feed(pkt[:n])
		pkt = pkt[n:]
	}
	types, _ := s.lastTypes(7, 3)
	got := unsignedWidths(types)
	want := []int{8, 0, 4}
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("got %v, want %v", got, want)
	}
	if types, _ := s.lastTypes(8, 3); unsignedWidths(types) != nil {
		t.Error("another statement id: got types, want none")
	}
	// An execution that does not resend the types reuses the last ones.
	again := append([]byte{comStmtExecute}, binary.LittleEndian.AppendUint32(nil, 7)...)
	again = append(again, 0, 1, 0, 0, 0, 0, 0)
	s.feed(append([]byte{byte(len(again)), 0, 0, 0}, again...))
	types, _ = s.lastTypes(7, 3)
	if got := unsignedWidths(types); len(got) != 3 || got[0] != 8 || got[1] != 0 || got[2] != 4 {
		t.Errorf("without types: got %v, want %v", got, want)
	}
}

// TestAsUnsigned: an unsigned integer the library read as signed, at each
// width a parameter has.
func TestAsUnsigned(t *testing.T) {
	for _, c := range []struct {
		v     int64
		width int
		want  uint64
	}{
		{-56, 1, 200},
		{-1, 2, 65535},
		{-1, 4, 4294967295},
		{-1, 8, 18446744073709551615},
		{7, 1, 7},
	} {
		if got := asUnsigned(c.v, c.width); got != c.want {
			t.Errorf("asUnsigned(%d, %d) = %d, want %d", c.v, c.width, got, c.want)
		}
	}
}

// TestSnifferForgetsClosed: the types kept for a statement go when the
// client closes it (a client that prepares and closes a statement per
// query, as go-sql-driver does, must not grow them without end).
func TestSnifferForgetsClosed(t *testing.T) {
	var s sniffer
	s.setTypes(7, []byte{8, 0})
	s.setTypes(8, []byte{8, 0})
	s.decline(7)
	closeStmt := append([]byte{comStmtClose}, binary.LittleEndian.AppendUint32(nil, 7)...)
	s.feed(append([]byte{byte(len(closeStmt)), 0, 0, 0}, closeStmt...))
	if _, ok := s.types[7]; ok || s.declined[7] {
		t.Errorf("statement 7 closed: types %v, declined %v kept", s.types[7], s.declined[7])
	}
	if _, ok := s.types[8]; !ok {
		t.Error("statement 8 lost its types when 7 closed")
	}
}
