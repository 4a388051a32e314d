package proxy_test

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"

	vtmysql "vitess.io/vitess/go/mysql"
	"vitess.io/vitess/go/mysql/sqlerror"
	"vitess.io/vitess/go/sqltypes"
)

// diagnosticReads are the statements that read a connection's list of
// conditions, which TestShowWarnings compares after each step.
var diagnosticReads = []string{
	"SHOW WARNINGS",
	"SHOW WARNINGS LIMIT 1",
	"SHOW WARNINGS LIMIT 1, 1",
	"SHOW ERRORS",
	"SHOW COUNT(*) WARNINGS",
	"SHOW COUNT(*) ERRORS",
	"SELECT @@warning_count, @@SESSION.error_count",
}

// TestShowWarnings: SHOW WARNINGS and the other reads of the list of
// conditions get, through the proxy, what the server gives one connection
// that runs the same statements: the list of the last statement that
// raised conditions or used a table, as the mariadb client's
// --show-warnings and Connector/J's getWarnings() ask for it after a
// write that warned. Where the session does not know the list (after a
// SET, an error, or a read merged over shards), they are refused, never
// answered otherwise. Before, they were always refused, and the mariadb
// client printed an error after every write that warned.
func TestShowWarnings(t *testing.T) {
	relayOnAndOff(t, func(t *testing.T, f *fixture) {
		execReplicated(t, f, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'warn_t'",
			"CREATE TABLE IF NOT EXISTS warn_t (id INT PRIMARY KEY, v TINYINT)")
		// After each step the list is known (the proxy must answer as
		// the server), unknown (it must refuse), or as before the step
		// (kept), whether the proxy relays reads (on) or not (off): a
		// read it does not relay runs on a connection the session reads
		// the end of its answer on, its own or one of the pool's.
		const (
			known = iota
			unknown
			kept
		)
		steps := []struct {
			q       string
			on, off int
		}{
			{"DELETE FROM warn_t", known, known},
			{"INSERT IGNORE INTO warn_t VALUES (1, 1000)", known, known},
			{"INSERT IGNORE INTO warn_t VALUES (1, 1000), (2, 5), (3, -1000)", known, known},
			{"SELECT 1", kept, kept}, // no table, no condition: the list stays
			{"INSERT IGNORE INTO warn_t VALUES (2, 1000)", known, known},
			{"USE " + f.topo.DatabaseName(), kept, kept},
			{"BEGIN", kept, kept},
			{"SELECT v FROM warn_t WHERE id = 1 / 0", known, known}, // on the transaction's connection
			{"INSERT IGNORE INTO warn_t VALUES (2, 7)", known, known},
			{"UPDATE IGNORE warn_t SET v = v + 200 WHERE id IN (1, 2)", known, known},
			{"COMMIT", kept, kept},
			{"INSERT IGNORE INTO warn_t VALUES (1, 1000)", known, known},
			{"BEGIN", kept, kept},
			{"ROLLBACK", unknown, unknown}, // may warn of a table it could not roll back
			{"INSERT IGNORE INTO warn_t VALUES (1, 1000)", known, known},
			{"SHOW TABLES", unknown, unknown}, // whether it clears the list is the server's to tell
			{"INSERT IGNORE INTO warn_t VALUES (1, 1000)", known, known},
			{"SELECT * FROM (SELECT 1) AS d", unknown, unknown},
			{"INSERT IGNORE INTO warn_t VALUES (1, 1000)", known, known},
			{"prepare SELECT v FROM warn_t WHERE id = ?", unknown, unknown}, // a prepare clears it
			{"INSERT IGNORE INTO warn_t VALUES (1, 1000)", known, known},
			{"SELECT 1 / 0", known, known},
			// Read by the session, not by a pooled connection (which
			// holds another statement's list).
			{"SHOW WARNINGS;;", kept, kept},
			{"UPDATE warn_t SET v = 1 WHERE id = 3", known, known}, // uses a table, warns of nothing: cleared
			{"INSERT IGNORE INTO warn_t VALUES (3, 9)", known, known},
			{"SELECT v FROM warn_t WHERE id = 1", known, known}, // cleared
			{"INSERT IGNORE INTO warn_t VALUES (4, 999)", known, known},
			{"SELECT 1 / 0", known, known}, // warns, and the node lists it
			{"SELECT 2", kept, kept},
			{"SET @a = 1", unknown, unknown},
			// The session now runs its statements on connections of
			// its own, whose answers it reads.
			{"SELECT 1 / 0", known, known},
			{"SELECT 3", kept, kept},
			{"SELECT CAST(v AS CHAR(1)) FROM warn_t WHERE id = 1", known, known},
			{"SELECT v FROM warn_t WHERE id = 2", known, known},
			{"INSERT IGNORE INTO warn_t VALUES (4, 5)", known, known},
			{"INSERT INTO warn_t VALUES (4, 5)", unknown, unknown}, // an error
		}
		// A read of the table through the proxy goes to a replica: it
		// must have the primary's rows first, or a lagging replica
		// answers another read than the server's.
		primary := adminDB(t, f.topo, f.topo.Shards[0].Primary.HostPort)
		const sum = "SELECT CONCAT(COUNT(*), ':', COALESCE(SUM(v), 0)) FROM warn_t"
		caughtUp := func() {
			var want string
			if err := primary.QueryRow(sum).Scan(&want); err != nil {
				t.Fatal(err)
			}
			waitReplicated(t, f.topo, sum, want)
		}
		run := func(t *testing.T, rc *rawClient, proxy bool) []string {
			var out []string
			answers := true // the proxy must answer after the step
			for _, s := range steps {
				if proxy && strings.HasPrefix(s.q, "SELECT") && strings.Contains(s.q, "warn_t") {
					caughtUp()
				}
				var count uint16
				var err error
				var res *sqltypes.Result
				if q, ok := strings.CutPrefix(s.q, "prepare "); ok {
					rc.prepare(q)
				} else {
					res, count, err = rc.c.ExecuteFetchWithWarningCount(s.q, 100, false)
				}
				// (An error is the step's where it is one, or a read of
				// the list the proxy refuses where it does not know it.)
				if err != nil && !strings.HasPrefix(s.q, "INSERT INTO") && !(proxy && !answers && strings.HasPrefix(s.q, "SHOW WARNINGS")) {
					t.Fatalf("%s: %v", s.q, err)
				}
				after := s.on
				if !f.relay {
					after = s.off
				}
				if after != kept {
					answers = after == known
				}
				if answers && res != nil {
					// The statement's own answer and count. (Where the
					// list is not known, a read's count is 0.)
					out = append(out, fmt.Sprintf("%s: %d warnings, %v", s.q, count, res.Rows))
				}
				for _, d := range diagnosticReads {
					r, err := rc.c.ExecuteFetch(d, 100, true)
					if !answers {
						// The proxy must refuse; the server's answer is
						// not compared.
						if proxy {
							if se, ok := err.(*sqlerror.SQLError); !ok || se.Number() != sqlerror.ERNotSupportedYet {
								t.Errorf("after %s: %s answered %v (%v) where the session cannot know the list", s.q, d, r, err)
							}
						}
						out = append(out, fmt.Sprintf("%s; %s: refused", s.q, d))
						continue
					}
					if err != nil {
						t.Fatalf("after %s: %s: %v", s.q, d, err)
					}
					var names []string
					for _, fd := range r.Fields {
						names = append(names, fmt.Sprintf("%s %v %d %d %d", fd.Name, fd.Type, fd.ColumnLength, fd.Charset, fd.Flags))
					}
					out = append(out, fmt.Sprintf("%s; %s: %v %v", s.q, d, names, r.Rows))
				}
			}
			return out
		}
		got := run(t, dialRaw(t, f), true)
		want := run(t, dialRawAt(t, f, f.topo.Shards[0].Primary.HostPort), false)
		if len(got) != len(want) {
			t.Fatalf("%d answers through the proxy, %d from the server", len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("through the proxy:\n%s\nthe server:\n%s", got[i], want[i])
			}
		}

		// A client of another character set gets the lengths of its
		// own (a character of latin1 is one byte).
		latin1 := func(p *vtmysql.ConnParams) { p.Charset = 8 }
		rc := dialRawWith(t, f, net.JoinHostPort(f.host, strconv.Itoa(f.port)), latin1)
		node := dialRawWith(t, f, f.topo.Shards[0].Primary.HostPort, latin1)
		for _, c := range []*rawClient{rc, node} {
			if _, err := c.c.ExecuteFetch("INSERT IGNORE INTO warn_t VALUES (1, 1000)", 0, false); err != nil {
				t.Fatal(err)
			}
		}
		if got, want := fieldDefs(t, rc, "SHOW WARNINGS"), fieldDefs(t, node, "SHOW WARNINGS"); got != want {
			t.Errorf("SHOW WARNINGS to a latin1 client: the proxy's columns\n%s\nthe server's\n%s", got, want)
		}

		// In a text of several statements, each result carries its
		// own statement's count: the library ends a statement's rows
		// once the next one has run. (In a session with state, whose
		// reads the session follows.)
		multi := func(p *vtmysql.ConnParams) { p.Flags |= vtmysql.CapabilityClientMultiStatements }
		results := func(c *rawClient, text string) string {
			if err := c.c.WriteComQuery(text); err != nil {
				t.Fatal(err)
			}
			out := ""
			for more := true; more; {
				r, m, w, err := c.c.ReadQueryResult(100, false)
				if err != nil {
					t.Fatalf("%s: %v", text, err)
				}
				more = m
				out += fmt.Sprintf("%v, %d warnings; ", r.Rows, w)
			}
			return out
		}
		rc = dialRawWith(t, f, net.JoinHostPort(f.host, strconv.Itoa(f.port)), multi)
		node = dialRawWith(t, f, f.topo.Shards[0].Primary.HostPort, multi)
		for _, text := range []string{
			"SET @a = 1",
			"SELECT 1 / 0; SELECT 2",
			"SELECT 1 / 0; INSERT IGNORE INTO warn_t VALUES (1, 1000), (2, 1000)",
			"INSERT IGNORE INTO warn_t VALUES (1, 1000); SELECT 2; SHOW WARNINGS",
			"SELECT CAST('x' AS SIGNED), 1 / 0; SHOW COUNT(*) WARNINGS; SELECT 3",
		} {
			if got, want := results(rc, text), results(node, text); got != want {
				t.Errorf("%s: through the proxy\n%s\nthe server\n%s", text, got, want)
			}
		}
	})
}

// TestShowWarningsAcrossShards: a write over several shards that warned
// carries the count of every shard's conditions, but has no list one
// server would give (its rows are numbered shard by shard, and listed in
// the order the shards ran): SHOW WARNINGS is refused after it. A write of
// rows of one shard lists them, as the server.
func TestShowWarningsAcrossShards(t *testing.T) {
	f := writesProxy(t)
	rc := dialRaw(t, f)
	ids := []int{9101, 9102, 9103, 9104}
	var values []string
	for _, id := range ids {
		values = append(values, fmt.Sprintf("(%d, 'dup')", id))
	}
	q := "INSERT IGNORE INTO kvs (id, v) VALUES " + strings.Join(values, ", ")
	if _, n, err := rc.c.ExecuteFetchWithWarningCount(q, 0, false); err != nil || n != uint16(len(ids)) {
		t.Fatalf("%s: %d warnings, %v; want %d", q, n, err, len(ids))
	}
	for _, d := range diagnosticReads {
		if r, err := rc.c.ExecuteFetch(d, 100, false); err == nil {
			t.Errorf("%s after a write over shards that warned: %v, want it refused", d, r.Rows)
		}
	}

	// The rows of one shard: the first id's, and those that hash with it.
	r, err := rc.c.ExecuteFetch("SHOW scalelab_route SELECT * FROM kvs WHERE id = 9101", 100, false)
	if err != nil {
		t.Fatal(err)
	}
	shard := ""
	for _, row := range r.Rows {
		if row[0].ToString() == "shard" {
			shard = row[1].ToString()
		}
	}
	var same []int
	for _, id := range ids {
		r, err := rc.c.ExecuteFetch(fmt.Sprintf("SHOW scalelab_route SELECT * FROM kvs WHERE id = %d", id), 100, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range r.Rows {
			if row[0].ToString() == "shard" && row[1].ToString() == shard {
				same = append(same, id)
			}
		}
	}
	values, wantRows := nil, []string(nil)
	for _, id := range same {
		values = append(values, fmt.Sprintf("(%d, 'dup')", id))
		wantRows = append(wantRows, fmt.Sprintf("Warning 1062 Duplicate entry '%d' for key 'PRIMARY'", id))
	}
	q = "INSERT IGNORE INTO kvs (id, v) VALUES " + strings.Join(values, ", ")
	if _, err := rc.c.ExecuteFetch(q, 0, false); err != nil {
		t.Fatal(err)
	}
	r, err = rc.c.ExecuteFetch("SHOW WARNINGS", 100, false)
	if err != nil {
		t.Fatalf("SHOW WARNINGS after %s: %v", q, err)
	}
	var rows []string
	for _, row := range r.Rows {
		rows = append(rows, fmt.Sprintf("%s %s %s", row[0].ToString(), row[1].ToString(), row[2].ToString()))
	}
	if !slices.Equal(rows, wantRows) {
		t.Errorf("SHOW WARNINGS after %s:\n%s\nwant\n%s", q, strings.Join(rows, "\n"), strings.Join(wantRows, "\n"))
	}
}
