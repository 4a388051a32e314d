package router_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
)

// execAll runs queries through r, in order, and fails the test at the
// first that fails.
func execAll(t *testing.T, r *router.Router, queries ...string) {
	t.Helper()
	for _, q := range queries {
		if _, err := r.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// TestVariableNameReadOtherwiseRefused: MariaDB reads @a'#' as the
// variable @a and then the string '#', so the text below locks a row; the
// parser reads a name a' and then a comment, so it would route the text
// as a plain read, to a replica, where the lock guards nothing. The
// router refuses it, and the same text with a space runs as a locking
// read.
func TestVariableNameReadOtherwiseRefused(t *testing.T) {
	r, sb := openRouter(t, router.Config{Replica: quiet()})
	ctx := context.Background()
	execAll(t, r, "CREATE TABLE IF NOT EXISTS var_lock (id INT PRIMARY KEY)", "INSERT IGNORE INTO var_lock VALUES (1)")
	const q = "SELECT @a'#', id FROM var_lock WHERE id = 1 FOR UPDATE"
	// What the server does with the text: a second transaction cannot
	// take the row's lock.
	db := dbtest.Open(t, sb.Topology, sb.Topology.Shards[0].Primary.HostPort)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	var id int
	err = db.QueryRowContext(ctx, "SELECT id FROM var_lock WHERE id = 1 FOR UPDATE NOWAIT").Scan(&id)
	if me := (*mysql.MySQLError)(nil); !errors.As(err, &me) || me.Number != 1205 {
		t.Fatalf("a second locking read of the row: %v; want error 1205, the server having locked it", err)
	}
	tx.Rollback()

	s := r.NewSession()
	defer s.Close()
	var got []int
	if err := s.SelectContext(ctx, &got, q); !errors.Is(err, router.ErrUnsupported) || !strings.Contains(err.Error(), "variable's name") {
		t.Errorf("%s: got %v, %v; want ErrUnsupported naming the variable", q, got, err)
	}
	tr, err := r.Route("SELECT @a '#', id FROM var_lock WHERE id = 1 FOR UPDATE")
	if err != nil || tr.Kind != "locking-read" {
		t.Errorf("with a space: %+v, %v; want a locking read", tr, err)
	}
}

// TestVersionedCommentSkippedRefused: MariaDB leaves a versioned comment
// of MySQL 5.7 or later to MySQL, and the parser, at version 8.0.40, runs
// it: to MariaDB the text below is a DELETE, to the parser an EXPLAIN of
// one, a read. The router refuses it in an unsharded topology too, and
// still runs a text whose skipped comment changes nothing of its route.
func TestVersionedCommentSkippedRefused(t *testing.T) {
	r, sb := openRouter(t, router.Config{Replica: quiet()})
	ctx := context.Background()
	execAll(t, r, "CREATE TABLE IF NOT EXISTS ver_skip (id INT PRIMARY KEY)", "INSERT IGNORE INTO ver_skip VALUES (1), (2)")
	const q = "/*!80000 EXPLAIN */ DELETE FROM ver_skip WHERE id = %d"
	db := dbtest.Open(t, sb.Topology, sb.Topology.Shards[0].Primary.HostPort)
	res, err := db.ExecContext(ctx, strings.Replace(q, "%d", "2", 1))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("the server deleted %d rows; want 1, MariaDB skipping the comment", n)
	}
	s := r.NewSession()
	defer s.Close()
	if _, err := s.ExecContext(ctx, strings.Replace(q, "%d", "1", 1)); !errors.Is(err, router.ErrUnsupported) || !strings.Contains(err.Error(), "versioned comment") {
		t.Errorf("through the router: %v; want ErrUnsupported naming the versioned comment", err)
	}
	var n int
	if err := s.GetContext(ctx, &n, "SELECT COUNT(*) /*!80000 , 2 */ FROM ver_skip WHERE id = 1 /*!50000 LOCK IN SHARE MODE */"); err != nil || n != 1 {
		t.Errorf("a skipped comment that changes no route: %d, %v; want 1 row left", n, err)
	}
}

// TestLexingSessionStateRefused: a client character set in which a
// backslash can end a character, and a sql_mode that changes where
// strings end, make the servers read a text's strings otherwise than the
// router's parser (SELECT 'x\' FROM t FOR UPDATE #' locks under
// NO_BACKSLASH_ESCAPES, and reads as a plain read to the parser), so a
// session refuses them in an unsharded topology too; modes and character
// sets that change no string's end still run.
func TestLexingSessionStateRefused(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	ctx := context.Background()
	for _, tc := range []struct {
		set     string
		refused bool
	}{
		{"SET sql_mode = 'NO_BACKSLASH_ESCAPES'", true},
		{"SET SESSION sql_mode = 'STRICT_TRANS_TABLES,ANSI_QUOTES'", true},
		{"SET sql_mode = 'ORACLE'", true},
		{"SET sql_mode = 1048576", true},
		{"SET sql_mode = 0x414e53495f51554f544553", true},
		{"SET NAMES gbk", true},
		{"SET NAMES 'sjis'", true},
		{"SET CHARACTER SET big5", true},
		{"SET character_set_client = cp932", true},
		{"SET NAMES gb18030", true},
		{"SET sql_mode = ANSI_QUOTES", true},
		{"SET sql_mode = NO_BACKSLASH_ESCAPES", true},
		{"SET sql_mode = STRICT_TRANS_TABLES", false},
		{"SET character_set_client = 28", true},
		{"/*!40101 SET @@sql_mode := 'ANSI_QUOTES' */", true},
		{"/*!40101 SET NAMES gbk, @x := 1 */", true},
		// What drivers and dumps send.
		{"/*!40101 SET NAMES utf8mb4 */", false},
		{"SET NAMES 'utf8mb4' COLLATE 'utf8mb4_unicode_ci'", false},
		{"SET character_set_results = NULL", false},
		{"SET @@SESSION.sql_mode = CONCAT(CONCAT(@@sql_mode, ',STRICT_ALL_TABLES'), ',NO_AUTO_VALUE_ON_ZERO')", false},
		{"/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */", false},
		{"SET sql_mode = 'STRICT_TRANS_TABLES,PIPES_AS_CONCAT'", false},
		{"SET sql_mode = CONCAT(@@sql_mode, ',STRICT_TRANS_TABLES')", false},
		{"SET sql_mode = 0", false},
		{"SET NAMES utf8mb4", false},
		{"SET NAMES latin1", false},
	} {
		s := r.NewSession()
		_, err := s.ExecContext(ctx, tc.set)
		if got := errors.Is(err, router.ErrUnsupported); got != tc.refused || err != nil && !tc.refused {
			t.Errorf("%s: %v; refused %v, want %v", tc.set, err, got, tc.refused)
		}
		s.Close()
	}
}

// TestComputedLexingStateReadBack: a SET whose sql_mode or client
// character set the text does not show (a variable, a function, DEFAULT)
// runs on the session's primary connection, and the router reads back
// what the server made of it. A value that moves where strings end is set
// back and refused; any other runs, and every connection of the session
// holds the value read on the primary, whatever the text computes on its
// node.
func TestComputedLexingStateReadBack(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		sets    []string // all but the last must run
		refused bool
	}{
		// The session keeps its own connections (a user variable, an open
		// transaction's branch) before the SET, so the check after a
		// refusal reads the connection that ran it.
		{"a function giving NO_BACKSLASH_ESCAPES", []string{"SET @pin = 1", "SET sql_mode = CONCAT('NO_BACKSLASH', '_ESCAPES')"}, true},
		{"a variable holding ANSI_QUOTES", []string{"SET @m = 'ANSI_QUOTES'", "SET sql_mode = @m"}, true},
		{"flags computed to ANSI_QUOTES", []string{"SET @pin = 1", "SET sql_mode = 4 | 0"}, true},
		{"a variable holding gbk", []string{"SET @c = 'gbk'", "SET character_set_client = @c"}, true},
		{"in a transaction", []string{"BEGIN", "SELECT 1 FROM DUAL FOR UPDATE", "SET @@SESSION.sql_mode = LOWER('ansi')"}, true},
		{"a mode taken out", []string{"SET sql_mode = REPLACE(@@sql_mode, 'STRICT_TRANS_TABLES', '')"}, false},
		{"DEFAULT", []string{"SET sql_mode = DEFAULT, character_set_client = DEFAULT"}, false},
		{"a dump's restore", []string{"SET @OLD_SQL_MODE = @@SQL_MODE, SQL_MODE = 'NO_AUTO_VALUE_ON_ZERO'", "SET SQL_MODE = @OLD_SQL_MODE"}, false},
		{"a variable holding utf8mb4", []string{"SET @c = 'utf8mb4'", "SET character_set_client = @c"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := r.NewSession()
			defer s.Close()
			last := len(tc.sets) - 1
			for _, q := range tc.sets[:last] {
				if _, err := s.ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			_, err := s.ExecContext(ctx, tc.sets[last])
			if got := errors.Is(err, router.ErrUnsupported); got != tc.refused || err != nil && !tc.refused {
				t.Fatalf("%s: %v; refused %v, want %v", tc.sets[last], err, got, tc.refused)
			}
			if !tc.refused {
				return
			}
			// The primary's connection, which ran the refused SET, holds
			// the modes it held before.
			var got struct {
				Mode string `db:"m"`
				CS   string `db:"cs"`
			}
			if err := s.GetContext(ctx, &got, "SELECT @@SESSION.sql_mode AS m, @@SESSION.character_set_client AS cs FROM DUAL FOR UPDATE"); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(got.Mode, "ANSI") || strings.Contains(got.Mode, "BACKSLASH") || got.CS != "utf8mb4" {
				t.Errorf("after the refusal, the session's primary connection reads sql_mode %q, character set %s", got.Mode, got.CS)
			}
		})
	}

	// A value computed otherwise on a replica (read_only is 1 there) is
	// the primary's on the session's replica connection too.
	s := r.NewSession()
	defer s.Close()
	if _, err := s.ExecContext(ctx, "SET sql_mode = IF(@@read_only, 'ANSI_QUOTES', 'STRICT_ALL_TABLES')"); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Mode string `db:"m"`
	}
	var tr router.Trace
	if err := s.GetContext(router.WithTrace(ctx, &tr), &got, "SELECT @@SESSION.sql_mode AS m"); err != nil {
		t.Fatal(err)
	}
	if tr.Route != router.RouteReplica {
		t.Fatalf("the read ran on %s (%s); the test wants it on a replica", tr.Node, tr.Route)
	}
	if got.Mode != "STRICT_ALL_TABLES" {
		t.Errorf("the session's replica connection reads sql_mode %q; want the primary's STRICT_ALL_TABLES", got.Mode)
	}
}

// TestLexingReadBackEdges: the read-back of a computed sql_mode or client
// character set holds where a review found it did not: under a results
// character set that converts what it reads (ucs2), on the session's
// replica connections when the SET fails on one of them, for SET NAMES
// DEFAULT (the server's global character set), and for a user variable
// named @sql_mode, which is no server variable and must run once.
func TestLexingReadBackEdges(t *testing.T) {
	r, sb := openRouter(t, router.Config{Replica: quiet()})
	ctx := context.Background()
	exec := func(t *testing.T, s *router.Session, queries ...string) {
		t.Helper()
		for _, q := range queries {
			if _, err := s.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	// mode reads the session's sql_mode on its primary connection (a
	// locking read) or on a replica connection.
	mode := func(t *testing.T, s *router.Session, primary bool) string {
		t.Helper()
		q := "SELECT @@SESSION.sql_mode"
		if primary {
			q += " FROM DUAL FOR UPDATE"
		}
		var m string
		if err := s.GetContext(ctx, &m, q); err != nil {
			t.Fatal(err)
		}
		return m
	}

	t.Run("results in ucs2", func(t *testing.T) {
		s := r.NewSession()
		defer s.Close()
		exec(t, s, "SET @m = 'NO_BACKSLASH_ESCAPES'", "SELECT 1", "SET character_set_results = 'ucs2'")
		if _, err := s.ExecContext(ctx, "SET sql_mode = @m"); !errors.Is(err, router.ErrUnsupported) {
			t.Errorf("SET sql_mode = @m under ucs2 results: %v; want a refusal", err)
		}
		exec(t, s, "SET character_set_results = 'utf8mb4'")
		if m := mode(t, s, true); strings.Contains(m, "BACKSLASH") {
			t.Errorf("the primary connection holds %s after the refusal", m)
		}
	})

	t.Run("mixed with other assignments", func(t *testing.T) {
		s := r.NewSession()
		defer s.Close()
		for _, q := range []string{"SET character_set_results = 'ucs2', sql_mode = CONCAT('NO_BACKSLASH', '_ESCAPES')", "SET @a = 1, sql_mode = DEFAULT", "SET GLOBAL sql_mode = @m"} {
			if _, err := s.ExecContext(ctx, q); !errors.Is(err, router.ErrUnsupported) {
				t.Errorf("%s: %v; want a refusal", q, err)
			}
		}
	})

	t.Run("failing on one replica", func(t *testing.T) {
		_, port, _ := net.SplitHostPort(sb.Topology.Shards[0].Replicas[1].HostPort)
		q := "SET sql_mode = IF(@@read_only, IF(@@port = " + port + ", 'NO_SUCH_MODE', 'NO_BACKSLASH_ESCAPES'), '')"
		for range 5 { // the session's reads spread over both replicas
			s := r.NewSession()
			exec(t, s, "SET @pin = 1", "SELECT 1", "SELECT 1", "SELECT 1")
			_, err := s.ExecContext(ctx, q)
			if err == nil {
				t.Fatalf("%s ran; the second replica refuses the mode", q)
			}
			for range 4 {
				if m := mode(t, s, false); strings.Contains(m, "BACKSLASH") {
					t.Fatalf("the SET failed (%v), and a replica connection of the session kept %s", err, m)
				}
			}
			s.Close()
		}
	})

	t.Run("user variable @sql_mode", func(t *testing.T) {
		s := r.NewSession()
		defer s.Close()
		exec(t, s, "SET @sql_mode = 0", "SET @sql_mode = @sql_mode + 1")
		var n int
		if err := s.GetContext(ctx, &n, "SELECT @sql_mode FROM DUAL FOR UPDATE"); err != nil || n != 1 {
			t.Errorf("@sql_mode = %d (%v) after one increment; want 1", n, err)
		}
	})

	t.Run("SET NAMES DEFAULT under a global gbk", func(t *testing.T) {
		for _, n := range sb.Topology.Nodes() {
			db := dbtest.OpenAdmin(t, sb.Topology, n.Addr)
			var old string
			if err := db.QueryRowContext(ctx, "SELECT @@GLOBAL.character_set_client").Scan(&old); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ExecContext(ctx, "SET GLOBAL character_set_client = gbk"); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if _, err := db.ExecContext(ctx, "SET GLOBAL character_set_client = "+old); err != nil {
					t.Error(err)
				}
			})
		}
		for _, q := range []string{"SET NAMES DEFAULT", "SET CHARACTER SET DEFAULT", "SET character_set_client = DEFAULT"} {
			s := r.NewSession()
			if _, err := s.ExecContext(ctx, q); !errors.Is(err, router.ErrUnsupported) {
				t.Errorf("%s: %v; want a refusal", q, err)
			}
			var cs string
			if err := s.GetContext(ctx, &cs, "SELECT @@SESSION.character_set_client FROM DUAL FOR UPDATE"); err != nil || cs == "gbk" {
				t.Errorf("after %s the session's primary connection reads in %q (%v)", q, cs, err)
			}
			s.Close()
		}
	})
}

// TestSequencesOnPrimary: NEXTVAL advances a sequence, so it runs on the
// primary (a replica, read-only, refuses it), and the values a session
// gets go up; LASTVAL reads the connection's last value, which the
// router's pooled connections do not keep, so it is refused.
func TestSequencesOnPrimary(t *testing.T) {
	r, sb := openRouter(t, router.Config{Replica: quiet()})
	ctx := context.Background()
	execAll(t, r, "CREATE SEQUENCE IF NOT EXISTS seq_primary")
	if err := replica.WaitCaughtUp(ctx, sb.Topology, 0); err != nil {
		t.Fatal(err)
	}
	// Where the read would have gone: the replica refuses it.
	rdb := dbtest.Open(t, sb.Topology, sb.Topology.Shards[0].Replicas[0].HostPort)
	var v int64
	if err := rdb.QueryRowContext(ctx, "SELECT NEXTVAL(seq_primary)").Scan(&v); err == nil {
		t.Fatalf("NEXTVAL on a replica gave %d; the test wants a replica that refuses it", v)
	}
	s := r.NewSession()
	defer s.Close()
	prev := int64(0)
	for _, q := range []string{"SELECT NEXTVAL(seq_primary)", "SELECT NEXT VALUE FOR seq_primary", "SELECT NEXTVAL(seq_primary)"} {
		if err := s.GetContext(ctx, &v, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if v <= prev {
			t.Errorf("%s: %d after %d; want a greater value", q, v, prev)
		}
		prev = v
	}
	for _, q := range []string{"SELECT LASTVAL(seq_primary)", "SELECT PREVIOUS VALUE FOR seq_primary"} {
		if err := s.GetContext(ctx, &v, q); !errors.Is(err, router.ErrUnsupported) {
			t.Errorf("%s: %d, %v; want ErrUnsupported", q, v, err)
		}
	}
}

// TestServerLexingRefusedAtOpen: servers whose sql_mode makes every
// connection read strings otherwise than the parser (here ANSI_QUOTES, in
// the primary's global mode, which new connections take) are refused when
// the router opens, rather than routed by a reading the servers do not
// share.
func TestServerLexingRefusedAtOpen(t *testing.T) {
	sb := dbtest.Sandbox(t)
	ctx := context.Background()
	admin := dbtest.OpenAdmin(t, sb.Topology, sb.Topology.Shards[0].Primary.HostPort)
	var old string
	if err := admin.QueryRowContext(ctx, "SELECT @@GLOBAL.sql_mode").Scan(&old); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ExecContext(ctx, "SET GLOBAL sql_mode = CONCAT(@@GLOBAL.sql_mode, ',ANSI_QUOTES')"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "SET GLOBAL sql_mode = ?", old); err != nil {
			t.Errorf("restoring the global sql_mode: %v", err)
		}
	})
	r, err := router.Open(ctx, sb.Topology, router.Config{Replica: quiet()})
	if err == nil {
		r.Close()
	}
	if !errors.Is(err, router.ErrUnsupported) || !strings.Contains(err.Error(), "ANSI_QUOTES") {
		t.Fatalf("router.Open over a server with ANSI_QUOTES: %v; want ErrUnsupported naming the mode", err)
	}
}
