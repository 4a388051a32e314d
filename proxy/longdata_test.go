package proxy_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestLongDataRefused: the server never answers COM_STMT_SEND_LONG_DATA.
// It drops one for a statement not prepared, or cut short, and reports
// one for a parameter the statement does not have at the statement's next
// execution. The protocol library answered each of them with an error
// packet, which the client, expecting none, read as the answer to its
// next command, and every answer after it was one command late. Each
// step is compared with the first shard primary's answers to the same
// packets, with the relay on and off.
func TestLongDataRefused(t *testing.T) {
	againstNode(t, func(t *testing.T, f *fixture, rc, node *rawClient) {
		const q = "SELECT v FROM kvs WHERE id = ?"
		id, nodeID := rc.prepare(q), node.prepare(q)
		// step sends packets (none answered by the server) and then
		// executes the statement with 9103, comparing the answers.
		step := func(what string, proxyPkts, nodePkts [][]byte) {
			t.Helper()
			for i := range proxyPkts {
				rc.write(proxyPkts[i])
				node.write(nodePkts[i])
			}
			got, want := rc.execute(id, true, 9103), node.execute(nodeID, true, 9103)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: the proxy's execution answered %q, the server's %q", what, got, want)
			}
		}
		step("long data for a statement not prepared", [][]byte{longDataPayload(777, 0, "9101")}, [][]byte{longDataPayload(777, 0, "9101")})
		step("long data cut short", [][]byte{{0x18, 1, 0}}, [][]byte{{0x18, 1, 0}})
		step("long data for parameter 5 of 1", [][]byte{longDataPayload(id, 5, "9101")}, [][]byte{longDataPayload(nodeID, 5, "9101")})
		step("the execution after that one", nil, nil)
		rc.write(longDataPayload(id, 5, "9101"))
		node.write(longDataPayload(nodeID, 5, "9101"))
		rc.write(stmtResetPayload(id))
		node.write(stmtResetPayload(nodeID))
		if got, want := rc.read(), node.read(); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
			t.Errorf("a reset after long data for parameter 5: the proxy answered %q, the server %q", got, want)
		}
		step("the execution after the reset", nil, nil)
		// Long data of 16 MiB and more, in two packets, for a statement
		// not prepared: neither is answered. (The node refuses a packet
		// past its max_allowed_packet, 16 MiB: the proxy alone.)
		rc.write(longDataPayload(777, 0, strings.Repeat("x", 1<<24)))
		if got := rc.execute(id, true, 9103); fmt.Sprint(got) != "[three]" {
			t.Errorf("long data of 16 MiB for a statement not prepared: the execution after it answered %q, want [three]", got)
		}
	})
}
