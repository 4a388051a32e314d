package proxy_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/scalelab/scalelab/proxy"
	"github.com/scalelab/scalelab/replica"
	vtmysql "vitess.io/vitess/go/mysql"
)

// TestReadYourWritesAfterStoredFunction: a stored function that writes,
// called by a statement that is no write (a locking read, a read hinted
// strong, a read in a transaction, a SET), writes on the primary it runs
// on; the session's next read-your-writes read there sees the row. Before,
// the router kept a position for writes alone, and the read went to a
// replica that had not applied the function's write.
func TestReadYourWritesAfterStoredFunction(t *testing.T) {
	rcfg := quiet()
	rcfg.Replica.MaxLag = -1 // the stopped replica stays eligible
	f := startProxy(t, proxy.Config{}, rcfg)
	ctx := context.Background()
	home := f.topo.Shards[0] // where unsharded tables live
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS fnlog (id BIGINT PRIMARY KEY, v VARCHAR(10))",
		"CREATE TABLE IF NOT EXISTS fnone (id INT PRIMARY KEY)",
		"REPLACE INTO fnone VALUES (1)",
	} {
		if _, err := f.open(t, nil).ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	replicasReach(t, f, home.Name, "SELECT COUNT(*) FROM fnone", 1)
	primary := adminDB(t, f.topo, home.Primary.HostPort)
	if _, err := primary.Exec("DROP FUNCTION IF EXISTS fnwrite"); err != nil {
		t.Fatal(err)
	}
	if _, err := primary.Exec("CREATE FUNCTION fnwrite(i BIGINT) RETURNS INT DETERMINISTIC MODIFIES SQL DATA BEGIN REPLACE INTO fnlog VALUES (i, 'fn'); RETURN 1; END"); err != nil {
		t.Fatal(err)
	}
	replicasReach(t, f, home.Name, "SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_NAME = 'fnwrite'", 1)
	rep := adminDB(t, f.topo, home.Replicas[0].HostPort)
	for n, tc := range []struct {
		name  string
		calls []string // %d: the row's id
	}{
		{"locking read", []string{"SELECT fnwrite(%d) FROM fnone FOR UPDATE"}},
		{"read hinted strong", []string{"SELECT /*+ scalelab_consistency=strong */ fnwrite(%d) FROM fnone"}},
		{"read in a transaction", []string{"BEGIN", "SELECT fnwrite(%d) FROM fnone", "COMMIT"}},
		{"SET", []string{"SET @fn = (SELECT fnwrite(%d) FROM fnone FOR UPDATE)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := 1000 + n
			if _, err := rep.Exec("STOP SLAVE SQL_THREAD"); err != nil {
				t.Fatal(err)
			}
			defer rep.Exec("START SLAVE SQL_THREAD")
			conn, err := f.open(t, nil).Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			for _, q := range append([]string{"SET scalelab_consistency = 'read-your-writes'"}, tc.calls...) {
				if _, err := conn.ExecContext(ctx, strings.ReplaceAll(q, "%d", fmt.Sprint(id))); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			var onPrimary string
			if err := primary.QueryRow("SELECT v FROM fnlog WHERE id = ?", id).Scan(&onPrimary); err != nil {
				t.Fatalf("the function's row on the primary: %v", err)
			}
			if h := f.r.Sets()[0].Snapshot()[1].Health; h != replica.Healthy {
				t.Fatalf("the stopped replica is %v: the read below could not reach it, and proves nothing", h)
			}
			var v string
			if err := conn.QueryRowContext(ctx, "SELECT v FROM fnlog WHERE id = ?", id).Scan(&v); err != nil || v != onPrimary {
				t.Errorf("read-your-writes after the function wrote: %q, %v; want %q, which the primary has", v, err, onPrimary)
			}
		})
	}
}

// TestReadYourWritesOverReset: a client's writes stay its own over a
// COM_RESET_CONNECTION, which pools send at each checkout: its next
// read-your-writes read, after the reset, sees the write made before it.
// Before, the reset's fresh session knew no position, and the read went
// to a replica that had not applied the write.
func TestReadYourWritesOverReset(t *testing.T) {
	rcfg := quiet()
	rcfg.Replica.MaxLag = -1 // the stopped replica stays eligible
	f := startProxy(t, proxy.Config{}, rcfg)
	home := f.topo.Shards[0] // where unsharded tables live
	if _, err := f.open(t, nil).Exec("CREATE TABLE IF NOT EXISTS resetlog (id BIGINT PRIMARY KEY, v VARCHAR(10))"); err != nil {
		t.Fatal(err)
	}
	replicasReach(t, f, home.Name, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_NAME = 'resetlog'", 1)
	rep := adminDB(t, f.topo, home.Replicas[0].HostPort)
	if _, err := rep.Exec("STOP SLAVE SQL_THREAD"); err != nil {
		t.Fatal(err)
	}
	defer rep.Exec("START SLAVE SQL_THREAD")
	rc := dialRaw(t, f)
	ok := func(q string) {
		t.Helper()
		rc.write(append([]byte{0x03}, q...))
		if p := rc.read(); p[0] != 0 {
			t.Fatalf("%s: %q", q, p)
		}
	}
	ok("SET scalelab_consistency = 'read-your-writes'")
	ok("REPLACE INTO resetlog VALUES (1, 'written')")
	rc.write([]byte{0x1f}) // COM_RESET_CONNECTION
	if p := rc.read(); p[0] != 0 {
		t.Fatalf("reset: %q", p)
	}
	ok("SET scalelab_consistency = 'read-your-writes'") // the reset dropped the mode
	if h := f.r.Sets()[0].Snapshot()[1].Health; h != replica.Healthy {
		t.Fatalf("the stopped replica is %v: the read below could not reach it, and proves nothing", h)
	}
	rc.write(append([]byte{0x03}, "SELECT COUNT(*) FROM resetlog WHERE id = 1"...))
	if n := rc.textValues(); len(n) != 1 || n[0] != "1" {
		t.Errorf("read-your-writes after a reset: %q rows; want the 1 written before it", n)
	}
}

// textValues reads a text result set of one column: its values.
func (rc *rawClient) textValues() []string {
	rc.t.Helper()
	first := rc.read()
	if first[0] == 0xff || first[0] == 0x00 {
		return []string{fmt.Sprintf("not a result set: %q", first)}
	}
	rc.read() // the column
	if rc.c.Capabilities&vtmysql.CapabilityClientDeprecateEOF == 0 {
		rc.read()
	}
	var out []string
	for row := rc.read(); row[0] != 0xfe || len(row) >= 1<<24-1; row = rc.read() {
		out = append(out, string(row[1:1+int(row[0])]))
	}
	return out
}
