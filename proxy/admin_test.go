package proxy_test

import (
	"encoding/binary"
	"net"
	"regexp"
	"strconv"
	"testing"

	"github.com/scalelab/scalelab/proxy"
	"vitess.io/vitess/go/mysql/sqlerror"
)

// TestStatistics: COM_STATISTICS (mysqladmin status, mysqli::stat) gets
// the proxy's line of figures, in the server's form; the protocol library
// answered "not implemented". Its statements count those the proxy
// answered, relayed or not.
func TestStatistics(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	setupPrepared(t, f)
	addr := net.JoinHostPort(f.host, strconv.Itoa(f.port))
	rc := dialRawAt(t, f, addr)
	line := regexp.MustCompile(`^Uptime: (\d+)  Threads: (\d+)  Questions: (\d+)  Queries per second avg: \d+\.\d{3}$`)
	stat := func() (threads, questions int) {
		t.Helper()
		rc.write([]byte{0x09})
		p := rc.read()
		m := line.FindStringSubmatch(string(p))
		if m == nil {
			t.Fatalf("COM_STATISTICS: %q", p)
		}
		threads, _ = strconv.Atoi(m[2])
		questions, _ = strconv.Atoi(m[3])
		return threads, questions
	}
	threads, before := stat()
	if threads < 1 {
		t.Errorf("Threads: %d, with this client connected", threads)
	}
	// A read the relay takes, one it does not (a SET), and a write.
	for _, q := range []string{"SELECT v FROM kvs WHERE id = 9101", "SET @x = 1", "UPDATE kvs SET v = 'one' WHERE id = 9101"} {
		if _, err := rc.c.ExecuteFetch(q, 10, false); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, after := stat(); after-before != 3 {
		t.Errorf("Questions went from %d to %d over 3 statements", before, after)
	}
}

// TestProcessKill: COM_PROCESS_KILL N (PHP's mysqli::kill) is KILL
// CONNECTION N: it ends the proxy's connection N, and is refused for an
// id of none, as the statement is; the protocol library answered "not
// implemented".
func TestProcessKill(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	addr := net.JoinHostPort(f.host, strconv.Itoa(f.port))
	a, b := dialRawAt(t, f, addr), dialRawAt(t, f, addr)
	kill := func(p []byte) []byte {
		t.Helper()
		a.write(p)
		return a.read()
	}
	if p := kill(binary.LittleEndian.AppendUint32([]byte{0x0c}, b.c.ConnectionID)); p[0] != 0x00 {
		t.Fatalf("COM_PROCESS_KILL of another connection: %q, want OK", p)
	}
	if _, err := b.c.ExecuteFetch("SELECT 1", 1, false); err == nil {
		t.Error("the killed connection still answers")
	}
	for _, c := range []struct {
		name string
		p    []byte
		code sqlerror.ErrorCode
	}{
		{"an id of no connection", binary.LittleEndian.AppendUint32([]byte{0x0c}, 12345), sqlerror.ERNoSuchThread},
		{"a packet cut short", []byte{0x0c, 1}, sqlerror.ERUnknownComError},
	} {
		if p := kill(c.p); !isError(p, c.code) {
			t.Errorf("COM_PROCESS_KILL of %s: %q, want error %d", c.name, p, c.code)
		}
	}
	if got := fetch(a.c, "SELECT 1"); got != `"1" ; ` {
		t.Errorf("the killing connection after: %s", got)
	}
}
