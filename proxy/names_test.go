package proxy_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/proxy"
	"github.com/scalelab/scalelab/router"
	vtmysql "vitess.io/vitess/go/mysql"
	"vitess.io/vitess/go/mysql/collations"
	"vitess.io/vitess/go/mysql/sqlerror"
)

// TestLoginCharacterSet: a client that logs in with a character set other
// than the pools' utf8mb4 gets the server's answers in it, through the
// proxy as from a shard primary: its strings are read in that set, its
// results come in it, its collation compares, and a reset keeps it. The
// proxy spoke utf8mb4 to every client, so a latin1 client (the mariadb
// client in a C locale) had 'é' counted as one character where the server
// counts two, and stored otherwise. A set the router refuses in SET NAMES
// refuses the login, and a client of the pools' own set after one of
// another gets utf8mb4 still. With the relay on, a session of another
// set has its reads relayed, on connections that log in with its set.
func TestLoginCharacterSet(t *testing.T) {
	relayOnAndOff(t, func(t *testing.T, f *fixture) {
		utf8 := f.open(t, nil)
		for _, q := range []string{"DELETE FROM kvs WHERE id IN (9111, 9112)", "REPLACE INTO kvs (id, v) VALUES (9110, 'é')"} {
			if _, err := utf8.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		proxyAddr := net.JoinHostPort(f.host, strconv.Itoa(f.port))
		primary, direct := nodeProbe(t, f, "INSERT INTO names_probe (id, v) VALUES (9110, _utf8mb4 0xC3A9)")
		// Each statement's rows on the proxy, and on the node the
		// statement of the same answer.
		checks := []struct{ proxy, node string }{
			{"SELECT @@character_set_client, @@collation_connection, @@character_set_results", ""},
			{"SELECT HEX('é'), CHAR_LENGTH('é'), 'é', 'a' = 'A', 'é' = 'e', 'é' = 'É'", ""},
			{"SELECT _utf8mb4 0xC3A9, HEX(CONVERT('é' USING utf8mb4))", ""},
			// A row of a sharded table, by its key (relayed when the
			// session speaks the pools' set) and over every shard.
			{"SELECT v, HEX(v) FROM kvs WHERE id = 9110", "SELECT v, HEX(v) FROM names_probe WHERE id = 9110"},
			{"SELECT v, CHAR_LENGTH(v) FROM kvs WHERE v = _utf8mb4 0xC3A9", "SELECT v, CHAR_LENGTH(v) FROM names_probe WHERE v = _utf8mb4 0xC3A9"},
		}
		// latin1, utf8mb3, a binary collation, another of utf8mb4,
		// binary, and MySQL 8's default, which MariaDB does not know:
		// it gives its own default set.
		for _, id := range []collations.ID{8, 33, 46, 224, 63, 255} {
			t.Run(strconv.Itoa(int(id)), func(t *testing.T) {
				charset := func(p *vtmysql.ConnParams) { p.Charset = id }
				rc := dialRawWith(t, f, proxyAddr, charset)
				node := dialRawWith(t, f, primary, charset)
				compare := func(when string) {
					t.Helper()
					for _, c := range checks {
						nq := c.node
						if nq == "" {
							nq = c.proxy
						}
						if got, want := fetch(rc.c, c.proxy), fetch(node.c, nq); got != want {
							t.Errorf("%s: %s: the proxy answered %s, the server %s", when, c.proxy, got, want)
						}
					}
					// The collation each column says its text is
					// in, by which some clients decode it; a read
					// by the key is relayed, in the login's set as
					// a utf8mb4 client's is in the pools'.
					before := f.relayed(t)
					if got, want := charsets(t, rc.c, "SELECT 'a', 1, v FROM kvs WHERE id = 9110"), charsets(t, node.c, "SELECT 'a', 1, v FROM names_probe WHERE id = 9110"); got != want {
						t.Errorf("%s: the columns' collations: the proxy's %s, the server's %s", when, got, want)
					}
					if n := f.relayed(t) - before; f.relay && n != 1 {
						t.Errorf("%s: %v reads by the key relayed, want 1", when, n)
					}
				}
				compare("after the login")
				rc.write([]byte{0x1f})
				node.write([]byte{0x1f})
				if p, q := rc.read(), node.read(); p[0] != 0 || q[0] != 0 {
					t.Fatalf("reset: the proxy answered %q, the server %q", p, q)
				}
				if id != 255 { // MariaDB's reset of an unknown one is its own (see the note of loginNames)
					compare("after a reset")
				}
			})
		}
		// Text written by a latin1 client is stored as the server
		// stores it: its bytes read as latin1.
		latin1 := func(p *vtmysql.ConnParams) { p.Charset = 8 }
		for _, w := range []struct {
			addr, table string
		}{{proxyAddr, "kvs"}, {primary, "names_probe"}} {
			c := dialRawWith(t, f, w.addr, latin1)
			if _, err := c.c.ExecuteFetch("REPLACE INTO "+w.table+" (id, v) VALUES (9111, 'é'), (9112, _utf8mb4 'é')", 0, false); err != nil {
				t.Fatal(err)
			}
		}
		// (Strong: another connection's writes, which a replica may
		// not have yet.)
		stored := fetch(dialRawAt(t, f, proxyAddr).c, "SELECT /*+ scalelab_consistency=strong */ HEX(v) FROM kvs WHERE id IN (9111, 9112) ORDER BY id")
		if want := fetch(direct.c, "SELECT HEX(v) FROM names_probe WHERE id IN (9111, 9112) ORDER BY id"); stored != want {
			t.Errorf("a latin1 client's 'é' (C3A9) and _utf8mb4 'é' were stored as %s, where the server stores %s", stored, want)
		}
		// The pools' connections go back to other clients in utf8mb4.
		for range 8 {
			var n int
			if err := utf8.QueryRow("SELECT CHAR_LENGTH(v) FROM kvs WHERE id = 9110").Scan(&n); err != nil || n != 1 {
				t.Fatalf("a utf8mb4 client after latin1 ones: CHAR_LENGTH('é') is %d (%v), want 1", n, err)
			}
		}
		// A collation id the server refuses a login (17, its set for file
		// names, which it does not list) refuses it through the proxy
		// too: the proxy took it for an unknown id and accepted it, and
		// every relayed read then failed on the relay's own login (the
		// first review).
		var codes []string
		for _, addr := range []string{proxyAddr, primary} {
			host, port, _ := net.SplitHostPort(addr)
			pn, _ := strconv.Atoi(port)
			c, err := vtmysql.Connect(context.Background(), &vtmysql.ConnParams{Host: host, Port: pn, Uname: f.topo.User.Name, Pass: f.topo.User.Password, DbName: f.topo.DatabaseName(), Charset: 17})
			if err == nil {
				c.Close()
				codes = append(codes, "accepted")
				continue
			}
			codes = append(codes, fmt.Sprint(sqlerror.NewSQLErrorFromError(err).(*sqlerror.SQLError).Num))
		}
		if codes[0] != codes[1] || codes[1] == "accepted" {
			t.Errorf("a login of collation 17: the proxy answered %s, the server %s", codes[0], codes[1])
		}
		// A set the router cannot parse strings of refuses the login.
		gbk := f.open(t, func(c *mysql.Config) { c.Collation = "gbk_chinese_ci" })
		if err := gbk.Ping(); err == nil || !strings.Contains(err.Error(), "gbk") {
			t.Errorf("a gbk login: got %v, want a refusal that names gbk", err)
		}
	})
}

// TestSetNamesAsksOnce: a SET that does not set the character set of
// results asks no node which collation the results name, whatever its
// words: the proxy asked on a new connection for every SET whose text
// held "char" or "names" (SET @char_count = 1), replaying the session's
// every SET, so that a session of many such SETs cost a node a
// connection and more statements at each (the first review).
func TestSetNamesAsksOnce(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	rc := dialRawAt(t, f, net.JoinHostPort(f.host, strconv.Itoa(f.port)))
	var nodes []string
	for _, n := range f.topo.Nodes() {
		nodes = append(nodes, n.Addr)
	}
	connections := func() int { return globalStatus(t, f, nodes, "Connections") }
	before := connections()
	for i := range 20 {
		for _, q := range []string{fmt.Sprintf("SET @char_count%d = 'names'", i), "SET sql_mode = 'PAD_CHAR_TO_FULL_LENGTH'"} {
			if _, err := rc.c.ExecuteFetch(q, 0, false); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	if n := connections() - before; n > 5 {
		t.Errorf("40 SETs of other variables opened %d connections on the nodes", n)
	}
}

// nodeProbe makes the node's copy of the sharded table's rows, which the
// node's answers read: names_probe, a table of kvs's columns on the first
// shard's primary alone, with the rows of insert, dropped when t ends. It
// returns that primary's address and a client of it.
func nodeProbe(t *testing.T, f *fixture, insert string) (string, *rawClient) {
	t.Helper()
	primary := f.topo.Shards[0].Primary.HostPort
	direct := dialRawAt(t, f, primary)
	for _, q := range []string{"DROP TABLE IF EXISTS names_probe", "CREATE TABLE names_probe LIKE kvs", insert} {
		if _, err := direct.c.ExecuteFetch(q, 0, false); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Cleanup(func() { direct.c.ExecuteFetch("DROP TABLE IF EXISTS names_probe", 0, false) })
	return primary, direct
}

// charsets is the collation id of each column of q's result on c.
func charsets(t *testing.T, c *vtmysql.Conn, q string) string {
	t.Helper()
	r, err := c.ExecuteFetch(q, 100, true)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	var ids []uint32
	for _, f := range r.Fields {
		ids = append(ids, f.Charset)
	}
	return fmt.Sprint(ids)
}

// fetch is the rows of q on c, or its error, as text.
func fetch(c *vtmysql.Conn, q string) string {
	r, err := c.ExecuteFetch(q, 100, false)
	if err != nil {
		return "error: " + err.Error()
	}
	var b strings.Builder
	for _, row := range r.Rows {
		for _, v := range row {
			fmt.Fprintf(&b, "%q ", v.ToString())
		}
		b.WriteString("; ")
	}
	return b.String()
}

// TestLoginCharacterSetPrimaryHung: a login of another character set
// than the pools' waits on no node it does not use. With the first
// shard's primary hung (it takes connections and never answers), a latin1
// login asks another node which set it is, and reads the second shard in
// latin1; the login ran SET NAMES on that primary, and waited for it
// with no bound. A SET of the client's own, which is checked on that
// primary, ends too.
func TestLoginCharacterSetPrimaryHung(t *testing.T) {
	f, hang := hungFirstPrimary(t, quiet())
	setupPrepared(t, f)
	key := shardKey(t, f, 1)
	if _, err := f.open(t, nil).Exec("REPLACE INTO kvs (id, v) VALUES (?, 'second')", key); err != nil {
		t.Fatal(err)
	}
	hang.hung.Store(true)
	done := make(chan string, 1)
	go func() {
		c, err := vtmysql.Connect(context.Background(), &vtmysql.ConnParams{Host: f.host, Port: f.port,
			Uname: f.topo.User.Name, Pass: f.topo.User.Password, DbName: f.topo.DatabaseName(), Charset: 8})
		if err != nil {
			done <- "login: " + err.Error()
			return
		}
		defer c.Close()
		got := fetch(c, fmt.Sprintf("SELECT @@character_set_client, HEX('é'), CHAR_LENGTH('é') FROM kvs WHERE id = %d", key))
		// A SET of the client's own is checked on a node: within a
		// bound, on the hung primary or another, never for good.
		c.ExecuteFetch("SET @x = 1", 0, false)
		done <- got
	}()
	if got, want := await(t, done, "a latin1 session with the first shard's primary hung"), `"latin1" "C3A9" "2" ; `; got != want {
		t.Errorf("a latin1 client with the first primary hung: got %s, want %s", got, want)
	}
	hang.hung.Store(false)
}

// hungFirstPrimary starts a proxy over the sharded topology whose first
// shard's primary it reaches through a relay that can hang (hangable).
func hungFirstPrimary(t *testing.T, rcfg router.Config) (*fixture, *hangTCP) {
	t.Helper()
	return hungPrimary(t, 0, rcfg)
}

// hungPrimary is hungFirstPrimary for shard i's primary.
func hungPrimary(t *testing.T, i int, rcfg router.Config) (*fixture, *hangTCP) {
	t.Helper()
	topo := *shardedTopology(t)
	topo.Shards = slices.Clone(topo.Shards)
	hang := hangable(t, topo.Shards[i].Primary.HostPort)
	topo.Shards[i].Primary.HostPort = hang.addr
	topo.Shards[i].Sockets = nil
	return startProxyOver(t, &topo, proxy.Config{}, rcfg), hang
}

// hangTCP relays connections to a node until hung is set: from then on
// it relays nothing, old connections or new, as a node stopped by
// SIGSTOP answers nothing.
type hangTCP struct {
	addr string
	hung atomic.Bool
	// mark, when set before hung, is text whose arrival while hung
	// (a statement sent to the hung node) sets marked.
	mark   []byte
	marked atomic.Bool
	// deaf, while set, drops what the node sends and relays the rest: a
	// statement runs, and its answer is lost.
	deaf atomic.Bool
	// before, while set, sees what goes to the node before it is
	// relayed, and may act on the node first.
	before atomic.Pointer[func([]byte)]
	mu     sync.Mutex
	conns  []net.Conn
}

// cut closes every connection relayed so far, as a node's restart does;
// new ones are relayed.
func (h *hangTCP) cut() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.conns {
		c.Close()
	}
	h.conns = nil
}

func hangable(t *testing.T, target string) *hangTCP {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &hangTCP{addr: ln.Addr().String()}
	copyUnlessHung := func(dst, src net.Conn, toNode bool) {
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if toNode && len(h.mark) > 0 && h.hung.Load() && bytes.Contains(buf[:n], h.mark) {
				h.marked.Store(true)
			}
			if fn := h.before.Load(); toNode && fn != nil && n > 0 {
				(*fn)(buf[:n])
			}
			for h.hung.Load() {
				time.Sleep(10 * time.Millisecond)
			}
			if n > 0 && (toNode || !h.deaf.Load()) {
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				dst.Close()
				return
			}
		}
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			h.mu.Lock()
			h.conns = append(h.conns, c, b)
			h.mu.Unlock()
			go copyUnlessHung(b, c, true)
			go copyUnlessHung(c, b, false)
		}
	}()
	t.Cleanup(func() {
		h.hung.Store(false)
		ln.Close()
		h.cut()
	})
	return h
}

// TestSetNamesResultsCollation: after a client's own SET of the
// character set of results (SET NAMES, SET CHARACTER SET, SET
// character_set_results), the text columns of its results name the
// collation the server names, through the proxy as on a shard primary
// that ran the same SETs; a reset gives the login's again. The proxy
// named the login's collation whatever the client set, so a client that
// decodes by it (mysql2, Connector/J) read a latin1 session's bytes as
// UTF-8.
func TestSetNamesResultsCollation(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	setupPrepared(t, f)
	proxyAddr := net.JoinHostPort(f.host, strconv.Itoa(f.port))
	primary, _ := nodeProbe(t, f, "INSERT INTO names_probe (id, v, n, d, b) VALUES (9101, 'one', 1.50, '2025-03-01 12:00:00.123456', x'00ff')")
	const (
		onProxy = "SELECT 'a', 1, v, b FROM kvs WHERE id = 9101"
		onNode  = "SELECT 'a', 1, v, b FROM names_probe WHERE id = 9101"
	)
	for _, c := range []struct {
		name  string
		login collations.ID
		sets  []string
	}{
		{"latin1", 45, []string{"SET NAMES latin1"}},
		{"a collation of latin1", 45, []string{"SET NAMES latin1 COLLATE latin1_german1_ci"}},
		{"then the connection's", 45, []string{"SET NAMES latin1 COLLATE latin1_german1_ci", "SET collation_connection = latin1_bin"}},
		{"results alone", 45, []string{"SET character_set_results = cp1251"}},
		{"character set", 45, []string{"SET CHARACTER SET koi8r"}},
		{"binary", 45, []string{"SET NAMES binary"}},
		{"back to utf8mb4", 8, []string{"SET NAMES utf8mb4"}},
		{"with a variable", 33, []string{"SET @cs = 'x', NAMES latin2"}},
		{"a SET of another variable after", 33, []string{"SET NAMES latin1", "SET @x = 1"}},
		{"from a variable", 45, []string{"SET @cs = 'cp1251'", "SET @@session.character_set_results = @cs"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			charset := func(p *vtmysql.ConnParams) { p.Charset = c.login }
			rc := dialRawWith(t, f, proxyAddr, charset)
			node := dialRawWith(t, f, primary, charset)
			for _, q := range c.sets {
				for _, conn := range []*vtmysql.Conn{rc.c, node.c} {
					if _, err := conn.ExecuteFetch(q, 0, false); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
			}
			if got, want := charsets(t, rc.c, onProxy), charsets(t, node.c, onNode); got != want {
				t.Errorf("after %q: the columns' collations: the proxy's %s, the server's %s", c.sets, got, want)
			}
			if got, want := fetch(rc.c, "SELECT HEX(v), HEX('é') FROM kvs WHERE id = 9101"), fetch(node.c, "SELECT HEX(v), HEX('é') FROM names_probe WHERE id = 9101"); got != want {
				t.Errorf("after %q: the proxy answered %s, the server %s", c.sets, got, want)
			}
			rc.write([]byte{0x1f})
			node.write([]byte{0x1f})
			if p, q := rc.read(), node.read(); p[0] != 0 || q[0] != 0 {
				t.Fatalf("reset: the proxy answered %q, the server %q", p, q)
			}
			if got, want := charsets(t, rc.c, onProxy), charsets(t, node.c, onNode); got != want {
				t.Errorf("after a reset: the columns' collations: the proxy's %s, the server's %s", got, want)
			}
		})
	}
}

// TestGreetingCollation: the proxy's greeting names the nodes' default
// collation, as a node's does, so that a client that logs in with the
// greeting's (PHP's mysqlnd) knows the set its session has: the greeting
// named MySQL 8's 255, which MariaDB gives its own default instead.
func TestGreetingCollation(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	node := greetingCollation(t, f.topo.Shards[0].Primary.HostPort)
	if node == 255 {
		t.Skip("the nodes' default collation is 255, the protocol library's own")
	}
	proxyAddr := net.JoinHostPort(f.host, strconv.Itoa(f.port))
	var got byte
	waitFor(t, "the proxy's greeting to name the nodes' collation", 10*time.Second, func() bool {
		got = greetingCollation(t, proxyAddr)
		return got == node
	})
	// A client that logs in with it gets the node's set, through the
	// relay and not.
	rc := dialRawWith(t, f, proxyAddr, func(p *vtmysql.ConnParams) { p.Charset = collations.ID(got) })
	direct := dialRawWith(t, f, f.topo.Shards[0].Primary.HostPort, func(p *vtmysql.ConnParams) { p.Charset = collations.ID(node) })
	for _, q := range []string{"SELECT @@character_set_client, @@collation_connection, @@character_set_results", "SELECT HEX('é')"} {
		if p, d := fetch(rc.c, q), fetch(direct.c, q); p != d {
			t.Errorf("%s: the proxy answered %s, the node %s", q, p, d)
		}
	}
}

// greetingCollation reads the collation id of the greeting at addr.
func greetingCollation(t *testing.T, addr string) byte {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var hdr [4]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		t.Fatal(err)
	}
	p := make([]byte, int(hdr[0])|int(hdr[1])<<8|int(hdr[2])<<16)
	if _, err := io.ReadFull(c, p); err != nil {
		t.Fatal(err)
	}
	at := 1 + strings.IndexByte(string(p[1:]), 0) + 1 + 4 + 8 + 1 + 2
	if p[0] != 10 || at >= len(p) {
		t.Fatalf("%s: greeting %q", addr, p)
	}
	return p[at]
}

// TestPrepareFirstPrimaryHung: while the first shard's primary is hung
// and its health check says so, a prepare is described by a replica of
// its shard, not by the primary, whose every question waited out its
// timeout (5 s on each prepare, and the prepare came back without its
// columns).
func TestPrepareFirstPrimaryHung(t *testing.T) {
	f, hang := hungFirstPrimary(t, quiet())
	setupPrepared(t, f)
	rc := dialRaw(t, f)
	hang.hung.Store(true)
	defer hang.hung.Store(false)
	waitFor(t, "the first primary's health check to fail", 30*time.Second, func() bool { return f.r.Sets()[0].PrimaryDown() })
	done := make(chan []string, 1)
	go func() { done <- prepares("SELECT v, n FROM kvs WHERE id > ?")(rc, 0) }()
	if got, want := await(t, done, "a prepare with the first shard's primary hung"), "prepared: 1 parameters, 2 columns"; fmt.Sprint(got) != "["+want+"]" {
		t.Errorf("a prepare with the first primary hung: %q, want %s", got, want)
	}
}
