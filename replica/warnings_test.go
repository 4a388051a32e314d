package replica

import "testing"

// packet frames payload as the server sends it.
func packet(seq byte, payload ...byte) []byte {
	n := len(payload)
	return append([]byte{byte(n), byte(n >> 8), byte(n >> 16), seq}, payload...)
}

// TestPacketTail: the warning count and info are read off the last whole
// packet of an answer, whatever the reads cut it into: an OK packet with
// short and long length-encoded numbers, with its info as the rest or
// length-encoded, an EOF packet, an OK ending rows, and none for a row, a
// packet cut short or an error.
func TestPacketTail(t *testing.T) {
	row := packet(2, 0x00) // a row of one empty string: not an OK packet's length
	tests := []struct {
		name   string
		stream []byte
		want   uint16
		info   string
		ok     bool
	}{
		{"OK", packet(1, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00), 3, "", true},
		{"OK with long numbers", packet(1, 0x00, 0xfc, 0x10, 0x27, 0xfe, 1, 2, 3, 4, 5, 6, 7, 8, 0x02, 0x00, 0x07, 0x01), 263, "", true},
		{"OK with info", packet(1, append([]byte{0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00}, "Rows matched: 1  Changed: 0  Warnings: 0"...)...), 0, "Rows matched: 1  Changed: 0  Warnings: 0", true},
		{"OK with length-encoded info", packet(1, append([]byte{0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00, 38}, "Records: 4  Duplicates: 2  Warnings: 1"...)...), 1, "Records: 4  Duplicates: 2  Warnings: 1", true},
		{"EOF after rows", append(append(packet(1, 0x01), row...), packet(3, 0xfe, 0x05, 0x00, 0x02, 0x00)...), 5, "", true},
		{"OK after rows", append(row, packet(3, 0xfe, 0x00, 0x00, 0x02, 0x00, 0x09, 0x00)...), 9, "", true},
		{"a row last", row, 0, "", false},
		{"cut short", packet(1, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00)[:6], 0, "", false},
		{"an error", packet(1, 0xff, 0x28, 0x04, '#'), 0, "", false},
	}
	for _, tt := range tests {
		for _, chunk := range []int{1, 2, 3, 5, len(tt.stream)} {
			var tail packetTail
			for b := tt.stream; len(b) > 0; {
				k := min(chunk, len(b))
				tail.feed(b[:k])
				b = b[k:]
			}
			if a, ok := tail.ok(); a.Warnings != tt.want || ok != tt.ok || a.Info != tt.info {
				t.Errorf("%s, read %d bytes at a time: %d, %q, %v; want %d, %q, %v", tt.name, chunk, a.Warnings, a.Info, ok, tt.want, tt.info, tt.ok)
			}
		}
	}
}
