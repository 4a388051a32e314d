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
	got := s.unsignedParams(7, 3)
	want := []bool{true, false, true}
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("got %v, want %v", got, want)
	}
	if s.unsignedParams(8, 3) != nil {
		t.Error("another statement id: got types, want none")
	}
	// An execution that does not resend the types reuses the last ones.
	again := append([]byte{comStmtExecute}, binary.LittleEndian.AppendUint32(nil, 7)...)
	again = append(again, 0, 1, 0, 0, 0, 0, 0)
	s.feed(append([]byte{byte(len(again)), 0, 0, 0}, again...))
	if got := s.unsignedParams(7, 3); len(got) != 3 || !got[0] || got[1] {
		t.Errorf("without types: got %v, want %v", got, want)
	}
}
