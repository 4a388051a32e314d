package proxy_test

import (
	"encoding/binary"
	"fmt"
	"testing"
)

// TestResetConnectionStatus: the OK that answers COM_RESET_CONNECTION
// carries the status flags of the fresh session, autocommit on and no
// transaction, as the server's does; the protocol library sent none,
// which a driver that reads its session's state from the flags (MariaDB
// Connector/J's getAutoCommit) took for autocommit off. Each answer is
// compared with the first shard primary's to the same packets, with the
// relay on and off, and the session works after it: a prepared statement
// of before is gone, and a new one runs.
func TestResetConnectionStatus(t *testing.T) {
	againstNode(t, func(t *testing.T, f *fixture, rc, node *rawClient) {
		// The status flags of an OK (the marker, no rows, no id, the
		// flags) that say whether a transaction is open, whether it is
		// read-only, and whether autocommit is on. (The server also flags the session
		// state it tracks, which the proxy does not offer.)
		const inTrans, autocommit, readOnly = 0x0001, 0x0002, 0x2000
		flags := func(p []byte) string {
			if len(p) < 5 || p[0] != 0 || p[1] != 0 || p[2] != 0 {
				return fmt.Sprintf("not a bare OK: %q", p)
			}
			f := binary.LittleEndian.Uint16(p[3:])
			return fmt.Sprintf("in a transaction %v (read-only %v), autocommit %v", f&inTrans != 0, f&readOnly != 0, f&autocommit != 0)
		}
		same := func(what string, payload []byte) {
			t.Helper()
			rc.write(payload)
			node.write(payload)
			if got, want := flags(rc.read()), flags(node.read()); got != want {
				t.Errorf("%s: the proxy answered %s, the server %s", what, got, want)
			}
		}
		query := func(q string) []byte { return append([]byte{0x03}, q...) }
		reset := []byte{0x1f}
		same("reset of a new session", reset)
		same("BEGIN", query("BEGIN"))
		same("reset in a transaction", reset)
		same("SET autocommit = 0", query("SET autocommit = 0"))
		same("reset with autocommit off", reset)
		same("a statement after the reset", query("DO 1"))
		same("START TRANSACTION READ ONLY", query("START TRANSACTION READ ONLY"))
		same("reset in a read-only transaction", reset)
		same("SET TRANSACTION READ ONLY", query("SET TRANSACTION READ ONLY"))
		same("BEGIN after it", query("BEGIN"))
		same("COMMIT", query("COMMIT"))

		// The database stays the one in use, as the server's does:
		// the proxy went back to the topology's, and a client whose
		// pool reset its connection read and wrote another
		// database's tables of the same name.
		database := func(rc *rawClient) string {
			rc.write(query("SELECT DATABASE()"))
			vals := rc.textValues()
			if len(vals) != 1 {
				return fmt.Sprintf("%q", vals)
			}
			return vals[0]
		}
		same("USE information_schema", query("USE information_schema"))
		same("reset in another database", reset)
		if got, want := database(rc), database(node); got != want || want != "information_schema" {
			t.Errorf("the database after a reset: the proxy's %s, the server's %s", got, want)
		}
		same("USE the topology's", query("USE "+f.topo.DatabaseName()))

		const q = "SELECT v FROM kvs WHERE id = ?"
		old := rc.prepare(q)
		rc.write(reset)
		if p := rc.read(); p[0] != 0 {
			t.Fatalf("reset: %q", p)
		}
		rc.write(append([]byte{0x17}, byte(old), byte(old>>8), byte(old>>16), byte(old>>24), 0, 1, 0, 0, 0, 0))
		if p := rc.read(); p[0] != 0xff {
			t.Errorf("a statement prepared before the reset ran after it: %q", p)
		}
		if got := rc.execute(rc.prepare(q), true, 9103); fmt.Sprint(got) != "[three]" {
			t.Errorf("a statement prepared after the reset: got %q, want [three]", got)
		}
	})
}
