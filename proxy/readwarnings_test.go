package proxy_test

import (
	"encoding/binary"
	"fmt"
	"net"
	"strconv"
	"testing"

	"github.com/scalelab/scalelab/internal/wire"
	vtmysql "vitess.io/vitess/go/mysql"
	"vitess.io/vitess/go/mysql/collations"
)

// TestReadWarningCount: the packet that ends the rows of an answer
// through the proxy carries the warning count that the server holding
// the rows gives, whatever the client's login: PyMySQL's (the
// utf8mb4_general_ci of the proxy's own pools, so that the session keeps
// no state and its reads run on pooled connections, and no
// CLIENT_DEPRECATE_EOF, so that the count is in an EOF packet), one in
// latin1, whose session keeps its character set on connections of its
// own, and go-sql-driver's (an OK packet ends the rows); in the
// read-your-writes mode too; text and prepared. Before, a read the proxy
// did not relay (a locking read, SET STATEMENT … FOR, a write's RETURNING
// rows) on a pooled connection ended in 0 warnings, where the server,
// a latin1 client and the mariadb client said 1.
func TestReadWarningCount(t *testing.T) {
	logins := []struct {
		name  string
		coll  collations.ID
		eof   bool   // no CLIENT_DEPRECATE_EOF: an EOF packet ends the rows
		first string // run first, through the proxy only
	}{
		{"PyMySQL utf8mb4", 45, true, ""},
		{"PyMySQL latin1", 8, true, ""},
		{"deprecated EOF", 45, false, ""},
		{"read-your-writes", 45, true, "SET scalelab_consistency = 'read-your-writes'"},
	}
	relayOnAndOff(t, func(t *testing.T, f *fixture) {
		// 9101 is a row of kvs (setupPrepared); a key of no row, and
		// the node of each: the primary of its shard.
		missing := 9901
		nodeOf := func(id int) string {
			return f.topo.Shards[shardOfKey(t, f, id)].Primary.HostPort
		}
		tests := []struct {
			name, q string
			id      int // the row's key: the server's answer is its shard's
		}{
			{"relayed read", "SELECT id FROM kvs WHERE id = 9101 AND n <> 'x'", 9101},
			{"locking read", "SELECT id FROM kvs WHERE id = 9101 AND n <> 'x' FOR UPDATE", 9101},
			{"SET STATEMENT", "SET STATEMENT max_statement_time = 10 FOR SELECT id FROM kvs WHERE id = 9101 AND n <> 'x'", 9101},
			{"DELETE RETURNING", fmt.Sprintf("DELETE FROM kvs WHERE id = %d AND id <> 'x' RETURNING id", missing), missing},
			{"INSERT IGNORE RETURNING", "INSERT IGNORE INTO kvs (id, v) VALUES (9101, 'dup') RETURNING id, v", 9101},
			// DOUBLE rows, which the proxy reads from the server in the
			// binary protocol for a prepared statement's execution.
			{"locking read of a DOUBLE", "SELECT id, n * 1e0 FROM kvs WHERE id = 9101 AND n <> 'x' FOR UPDATE", 9101},
		}
		for _, l := range logins {
			t.Run(l.name, func(t *testing.T) {
				dial := func(addr string) *rawClient {
					return dialRawWith(t, f, addr, func(p *vtmysql.ConnParams) {
						p.Charset, p.DisableClientDeprecateEOF = l.coll, l.eof
					})
				}
				proxied := dial(net.JoinHostPort(f.host, strconv.Itoa(f.port)))
				if l.first != "" {
					if _, err := proxied.c.ExecuteFetch(l.first, 1, false); err != nil {
						t.Fatalf("%s: %v", l.first, err)
					}
				}
				for _, tc := range tests {
					node := dial(nodeOf(tc.id))
					t.Run(tc.name, func(t *testing.T) {
						want := node.endWarnings(tc.q, false)
						if want == 0 {
							t.Fatalf("the server gives no warning: the case tests nothing")
						}
						if got := proxied.endWarnings(tc.q, false); got != want {
							t.Errorf("text: got %d warnings, want %d", got, want)
						}
						if got := proxied.endWarnings(tc.q, true); got != want {
							t.Errorf("prepared: got %d warnings, want %d", got, want)
						}
					})
				}
			})
		}
	})
}

// endWarnings runs q, a statement that returns rows, as a COM_QUERY or,
// when prepared, as a prepared statement's execution, reads its rows, and
// returns the warning count of the packet that ends them.
func (rc *rawClient) endWarnings(q string, prepared bool) uint16 {
	rc.t.Helper()
	if prepared {
		id := rc.prepare(q)
		// No cursor, one iteration, no parameters.
		rc.write(append(binary.LittleEndian.AppendUint32([]byte{0x17}, id), 0, 1, 0, 0, 0))
		defer rc.write(binary.LittleEndian.AppendUint32([]byte{0x19}, id)) // COM_STMT_CLOSE: no answer
	} else {
		rc.write(append([]byte{0x03}, q...))
	}
	first := rc.read()
	if first[0] == 0xff || first[0] == 0x00 {
		rc.t.Fatalf("%s: not rows: %q", q, first)
	}
	cols, _, _ := wire.Lenenc(first)
	for range cols {
		rc.read()
	}
	deprecated := rc.c.Capabilities&vtmysql.CapabilityClientDeprecateEOF != 0
	if !deprecated {
		rc.read()
	}
	for {
		p := rc.read()
		switch {
		case p[0] == 0xff:
			rc.t.Fatalf("%s: %q", q, p)
		case p[0] != 0xfe || len(p) >= 1<<24-1:
			continue // a row
		case !deprecated:
			return binary.LittleEndian.Uint16(p[1:])
		}
		at, ok := wire.OKWarningsAt(p)
		if !ok {
			rc.t.Fatalf("%s: the end of the rows has no warning count: %q", q, p)
		}
		return binary.LittleEndian.Uint16(p[at:])
	}
}
