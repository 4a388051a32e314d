package proxy_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/internal/wire"
)

// okInfo runs text as a COM_QUERY on rc and returns its OK packet's info
// (after the warnings, length-encoded, as servers write it), or the error.
func (rc *rawClient) okInfo(text string) string {
	rc.t.Helper()
	rc.write(append([]byte{0x03}, text...))
	p := rc.read()
	if p[0] != 0x00 {
		return fmt.Sprintf("not an OK packet: %q", p)
	}
	at, ok := wire.OKWarningsAt(p)
	if !ok {
		rc.t.Fatalf("%s: an OK packet without warnings: %q", text, p)
	}
	if len(p) == at+2 {
		return ""
	}
	info, _, ok := wire.LenencString(p[at+2:])
	if !ok {
		return fmt.Sprintf("info not length-encoded: %q", p[at+2:])
	}
	return string(info)
}

// TestOKInfo: a write's OK packet carries its info, as its server's
// does: the mariadb client prints it ("Rows matched: 3  Changed: 2
// Warnings: 0"), and Node.js's mysql2 reads an UPDATE's rows changed off
// it. Over shards, the shards' infos add up, and an INSERT split into
// rows of one (which say none) says what one server says of all. The
// proxy's OK packets had no info.
func TestOKInfo(t *testing.T) {
	f := writesProxy(t)
	rc := dialRaw(t, f)
	node := dialRawAt(t, f, f.topo.Shards[0].Primary.HostPort)
	// Four keys of each of the first two shards.
	var keys [2][]int
	for id := 9300; id < 9600 && (len(keys[0]) < 4 || len(keys[1]) < 4); id++ {
		tr, err := f.r.Route("SELECT v FROM kvs WHERE id = ?", id)
		if err != nil {
			t.Fatal(err)
		}
		for i := range keys {
			if len(tr.Shards) == 1 && tr.Shards[0] == f.topo.Shards[i].Name && len(keys[i]) < 4 {
				keys[i] = append(keys[i], id)
			}
		}
	}
	a, b := keys[0], keys[1]
	all := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(append(append([]int{}, a...), b...))), ", "), "[]")
	if got := node.okInfo("CREATE TABLE IF NOT EXISTS okinfo_probe (id BIGINT PRIMARY KEY, v VARCHAR(40))"); got != "" {
		t.Fatal(got)
	}
	for _, tc := range []string{
		"DELETE FROM {t} WHERE id IN (" + all + ")",
		fmt.Sprintf("INSERT INTO {t} (id, v) VALUES (%d, 'a'), (%d, 'b'), (%d, 'c'), (%d, 'd')", a[0], a[1], b[0], b[1]),
		fmt.Sprintf("INSERT INTO {t} (id, v) VALUES (%d, 'e'), (%d, 'f')", a[2], b[2]),
		fmt.Sprintf("UPDATE {t} SET v = 'x' WHERE id IN (%d, %d, %d)", a[0], a[1], b[0]),
		fmt.Sprintf("UPDATE {t} SET v = 'x' WHERE id IN (%d, %d, %d, %d)", a[0], a[1], b[0], b[1]),
		fmt.Sprintf("UPDATE {t} SET v = 'y' WHERE id = %d", a[0]),
		fmt.Sprintf("INSERT IGNORE INTO {t} (id, v) VALUES (%d, 'z'), (%d, 'z'), (%d, 'n')", a[0], b[2], a[3]),
		fmt.Sprintf("REPLACE INTO {t} (id, v) VALUES (%d, 'r'), (%d, 'r')", a[1], b[1]),
		fmt.Sprintf("INSERT INTO {t} (id, v) VALUES (%d, 'g')", b[3]),
		"DELETE FROM {t} WHERE id IN (" + all + ")",
	} {
		want := node.okInfo(strings.ReplaceAll(tc, "{t}", "okinfo_probe"))
		if got := rc.okInfo(strings.ReplaceAll(tc, "{t}", "kvs")); got != want {
			t.Errorf("%s: info %q, the server's %q", tc, got, want)
		}
	}
}
