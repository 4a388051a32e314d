package proxy_test

import (
	"encoding/binary"
	"fmt"
	"testing"
)

// TestStmtReset: COM_STMT_RESET, and COM_STMT_EXECUTE of a statement
// not prepared, are answered as the server answers them, with the relay
// on and off. The protocol library panicked, and cut the
// client off, on a reset of a statement it did not know or a reset cut
// short, and, with the relay off, on long data sent in the same write as
// the reset before it (the proxy saw the long data before the library
// had applied the reset). Each answer is compared with the first shard
// primary's answer to the same packet.
func TestStmtReset(t *testing.T) {
	againstNode(t, func(t *testing.T, f *fixture, rc, node *rawClient) {
		const q = "SELECT v FROM kvs WHERE id = ?"
		id, nodeID := rc.prepare(q), node.prepare(q)

		// Each packet, to the proxy and to the node: the same answer
		// (up to n bytes of it).
		same := func(what string, proxyPkt, nodePkt []byte, n int) {
			t.Helper()
			rc.write(proxyPkt)
			node.write(nodePkt)
			got, want := rc.read(), node.read()
			if fmt.Sprintf("%q", got[:min(n, len(got))]) != fmt.Sprintf("%q", want[:min(n, len(want))]) {
				t.Errorf("%s: the proxy answered %q, the server %q", what, got, want)
			}
		}
		same("reset", stmtResetPayload(id), stmtResetPayload(nodeID), 1<<20)
		same("reset of an unknown statement", stmtResetPayload(777), stmtResetPayload(777), 1<<20)
		// The server reads the id's missing bytes from its buffer:
		// the error's number only.
		same("reset cut short", []byte{0x1a, 1}, []byte{0x1a, 1}, 3)
		// An execution of a statement not prepared: the server's 1243,
		// where the protocol library answered 2014.
		execute := func(id uint32) []byte {
			// No cursor, one iteration.
			return append(binary.LittleEndian.AppendUint32([]byte{0x17}, id), 0, 1, 0, 0, 0)
		}
		same("execute of an unknown statement", execute(777), execute(777), 1<<20)
		same("execute cut short", []byte{0x17, 1}, []byte{0x17, 1}, 3)
		if got := rc.execute(id, true, 9103); fmt.Sprint(got) != "[three]" {
			t.Fatalf("after the resets: got %q, want [three]", got)
		}

		// Long data, a reset, and long data again in one write: the
		// reset drops the first, and the execution reads the second.
		longData := func(data string) []byte { return packet(0, longDataPayload(id, 0, data)...) }
		burst := append(longData("9101"), packet(0, stmtResetPayload(id)...)...)
		burst = append(burst, longData("9104")...)
		if _, err := rc.c.GetRawConn().Write(burst); err != nil {
			t.Fatal(err)
		}
		if p := rc.read(); p[0] != 0 {
			t.Fatalf("the reset in one write with long data: %q", p)
		}
		if got := execTyped(t, rc, id, stmtParam{typ: 252}); fmt.Sprint(got) != "[four]" {
			t.Errorf("long data after a reset in one write: got %q, want [four]", got)
		}
	})
}

// stmtResetPayload is a COM_STMT_RESET of statement id.
func stmtResetPayload(id uint32) []byte {
	return binary.LittleEndian.AppendUint32([]byte{0x1a}, id)
}

// longDataPayload is a COM_STMT_SEND_LONG_DATA of data for parameter
// param of statement id.
func longDataPayload(id uint32, param uint16, data string) []byte {
	p := binary.LittleEndian.AppendUint32([]byte{0x18}, id)
	p = binary.LittleEndian.AppendUint16(p, param)
	return append(p, data...)
}
