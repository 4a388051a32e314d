package proxy_test

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/scalelab/scalelab/proxy"
)

// executeDecimal runs prepared statement id with one DECIMAL parameter
// (MYSQL_TYPE_NEWDECIMAL, as Connector/J's setBigDecimal sends one), and
// returns the first column of each row (see result).
func (rc *rawClient) executeDecimal(id uint32, digits string) []string {
	rc.t.Helper()
	p := binary.LittleEndian.AppendUint32([]byte{0x17}, id)
	p = append(p, 0, 1, 0, 0, 0)
	p = append(p, 0)          // no NULLs
	p = append(p, 1, 0xf6, 0) // types: NEWDECIMAL
	p = append(p, byte(len(digits)))
	p = append(p, digits...)
	rc.write(p)
	return rc.result()
}

// TestDecimalParameter: a DECIMAL parameter of a statement the router
// rewrites for several shards is read as the server reads it, a DECIMAL:
// 0.1 * 3 is 0.3 (as a string, '0.1' * 3 was the DOUBLE
// 0.30000000000000004), and compared with a string it compares as a
// number ('1.0' = 1 is true; as the string '1' it was false, and the
// rows were lost).
func TestDecimalParameter(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	setupPrepared(t, f)
	rc := dialRaw(t, f)
	node := dialRawAt(t, f, f.topo.Shards[0].Primary.HostPort)
	const rows = " FROM kvs WHERE id IN (9101, 9102, 9103, 9104)"
	tests := []struct {
		proxied, server, arg string
		want                 func(server string) []string
	}{
		{"SELECT DISTINCT CONCAT(? * 3)" + rows, "SELECT CONCAT(? * 3)", "0.1", func(s string) []string { return []string{s} }},
		{"SELECT DISTINCT CONCAT(? / 3)" + rows, "SELECT CONCAT(? / 3)", "-2.50", func(s string) []string { return []string{s} }},
		// The server's '1.0' = ? is 1 (true): every row is read.
		{"SELECT v" + rows + " AND '1.0' = ? ORDER BY v", "SELECT CONCAT('1.0' = ?)", "1", func(s string) []string {
			if s == "1" {
				return []string{"NULL", "four", "one", "three"}
			}
			return nil
		}},
	}
	for _, tc := range tests {
		server := node.executeDecimal(node.prepare(tc.server), tc.arg)
		if len(server) != 1 {
			t.Fatalf("%s (%s) on the server: %q", tc.server, tc.arg, server)
		}
		got := rc.executeDecimal(rc.prepare(tc.proxied), tc.arg)
		if want := tc.want(server[0]); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s (DECIMAL %s): got %q, want %q (the server's %s is %s)", tc.proxied, tc.arg, got, want, tc.server, server[0])
		}
	}
}
