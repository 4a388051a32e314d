package proxy_test

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/scalelab/scalelab/proxy"
)

// newDecimal is MYSQL_TYPE_NEWDECIMAL, the type of a DECIMAL parameter
// (Connector/J's setBigDecimal sends one).
const newDecimal = 0xf6

// executeOne runs prepared statement id with one parameter of type typ,
// its value (length-encoded, as a string's) or NULL when value is nil,
// and returns the first column of each row (see result).
func (rc *rawClient) executeOne(id uint32, typ byte, value []byte) []string {
	rc.t.Helper()
	p := binary.LittleEndian.AppendUint32([]byte{0x17}, id)
	p = append(p, 0, 1, 0, 0, 0)
	if value == nil {
		p = append(p, 1, 1, typ, 0) // the NULL bitmap: the parameter; its type
	} else {
		p = append(p, 0, 1, typ, 0, byte(len(value)))
		p = append(p, value...)
	}
	rc.write(p)
	return rc.result()
}

// paramRows are the prepared test rows (setupPrepared), over shards.
const paramRows = " FROM kvs WHERE id IN (9101, 9102, 9103, 9104)"

// paramClients are a raw client of a proxy with the prepared test rows,
// and one of the first shard's primary, whose answers to the same
// parameters are the ones to match.
func paramClients(t *testing.T) (rc, node *rawClient) {
	t.Helper()
	f := startProxy(t, proxy.Config{}, quiet())
	setupPrepared(t, f)
	return dialRaw(t, f), dialRawAt(t, f, f.topo.Shards[0].Primary.HostPort)
}

// TestDecimalParameter: a DECIMAL parameter of a statement the router
// rewrites for several shards is read as the server reads it, a DECIMAL:
// 0.1 * 3 is 0.3 (as a string, '0.1' * 3 was the DOUBLE
// 0.30000000000000004), and compared with a string it compares as a
// number ('1.0' = 1 is true; as the string '1' it was false, and the
// rows were lost).
func TestDecimalParameter(t *testing.T) {
	rc, node := paramClients(t)
	tests := []struct {
		proxied, server, arg string
		want                 func(server string) []string
	}{
		{"SELECT DISTINCT CONCAT(? * 3)" + paramRows, "SELECT CONCAT(? * 3)", "0.1", func(s string) []string { return []string{s} }},
		{"SELECT DISTINCT CONCAT(? / 3)" + paramRows, "SELECT CONCAT(? / 3)", "-2.50", func(s string) []string { return []string{s} }},
		// The server's '1.0' = ? is 1 (true): every row is read.
		{"SELECT v" + paramRows + " AND '1.0' = ? ORDER BY v", "SELECT CONCAT('1.0' = ?)", "1", func(s string) []string {
			if s == "1" {
				return []string{"NULL", "four", "one", "three"}
			}
			return nil
		}},
	}
	for _, tc := range tests {
		server := node.executeOne(node.prepare(tc.server), newDecimal, []byte(tc.arg))
		if len(server) != 1 {
			t.Fatalf("%s (%s) on the server: %q", tc.server, tc.arg, server)
		}
		got := rc.executeOne(rc.prepare(tc.proxied), newDecimal, []byte(tc.arg))
		if want := tc.want(server[0]); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s (DECIMAL %s): got %q, want %q (the server's %s is %s)", tc.proxied, tc.arg, got, want, tc.server, server[0])
		}
	}
}

// TestTypedNullParameter: a NULL parameter sent with a string's type is a
// NULL of that type in a statement the router rewrites for several
// shards, as the server reads it: COALESCE(?, 1) is then the string '1',
// and divided by 3 a DOUBLE, where the bare NULL made it the integer 1
// and the quotient a DECIMAL. (A LONGLONG's NULL is a BIGINT's, which
// gives what the bare NULL gives here.) A DOUBLE's or FLOAT's NULL is
// left out: the server reads it as a DOUBLE at the top of the select
// list (PHP's bind_param("d", null): COALESCE(?, 1) / 3 is the DOUBLE
// 1/3, which the client matrix checks) and as the bare NULL inside
// CONCAT, as here ('0.3333'); the router binds NULL + 0e0, a DOUBLE,
// which gives the first.
func TestTypedNullParameter(t *testing.T) {
	rc, node := paramClients(t)
	for _, typ := range []byte{0xfd, 0xfe, 0x0f, 0xfc, 0x08, 0x06} { // VAR_STRING, STRING, VARCHAR, BLOB, LONGLONG, NULL
		want := node.executeOne(node.prepare("SELECT CONCAT(COALESCE(?, 1) / 3)"), typ, nil)
		got := rc.executeOne(rc.prepare("SELECT DISTINCT CONCAT(COALESCE(?, 1) / 3)"+paramRows), typ, nil)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("a NULL of type %#x: got %q, the server's %q", typ, got, want)
		}
	}
}

// TestBinaryParameter: a BLOB parameter (PHP's "b", JDBC's setBytes, a
// Node.js Buffer) of a statement the router rewrites for several shards
// is a binary string, as the server reads it: compared with a string
// byte by byte, so 'ONE' is not 'one', and its CHARSET() is binary. It was
// bound as text of the connection's collation. A VAR_STRING is text.
func TestBinaryParameter(t *testing.T) {
	rc, node := paramClients(t)
	for _, typ := range []byte{0xfc, 0xfb, 0xfa, 0xf9, 0xfd, 0xfe} { // BLOB, LONG_BLOB, MEDIUM_BLOB, TINY_BLOB, VAR_STRING, STRING
		for _, tc := range []struct{ proxied, server string }{
			{"SELECT DISTINCT CONCAT(? = 'one')" + paramRows, "SELECT CONCAT(? = 'one')"},
			{"SELECT DISTINCT CHARSET(?)" + paramRows, "SELECT CHARSET(?)"},
		} {
			want := node.executeOne(node.prepare(tc.server), typ, []byte("ONE"))
			got := rc.executeOne(rc.prepare(tc.proxied), typ, []byte("ONE"))
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s with 'ONE' of type %#x: got %q, the server's %q", tc.proxied, typ, got, want)
			}
		}
	}
}
