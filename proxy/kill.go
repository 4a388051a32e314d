package proxy

import (
	"fmt"
	"strings"

	vtmysql "vitess.io/vitess/go/mysql"
	"vitess.io/vitess/go/mysql/sqlerror"
	"vitess.io/vitess/go/vt/sqlparser"
)

// KILL through the proxy. A client knows its connection by the id the
// proxy's handshake gave it (what mysql_thread_id() returns, and what the
// mariadb client's Ctrl-C and Connector/J's query timeout send KILL QUERY
// with), not by the id of any backend connection: those are pooled, and
// the same number on a server names another client's connection there.
// So the proxy answers KILL itself, over its own connections, and sends
// nothing to a backend:
//
//   - KILL [CONNECTION] N ends the proxy's connection N, as a server ends
//     its connection: the client is cut off, and its session rolls back
//     its transaction and hands its connections back. A statement it has
//     running on a backend runs to its end there.
//   - KILL QUERY N of the connection itself is the KILL itself, as on a
//     server (1317, and the connection goes on); of another connection it
//     is refused (1235): the proxy cannot stop a statement on a backend
//     without ending the connection that runs it.
//   - N of no connection of the proxy is 1094; of another user's, 1095.
//     The proxy's ids start above any a server gives (ConnectionIDBase).
//   - MariaDB's other forms (HARD and SOFT, QUERY ID, USER, an expression
//     for the id), and a KILL with an executable comment, are refused
//     with 1235. A statement that runs a KILL within (SET STATEMENT … FOR
//     KILL, a compound statement, PREPARE … FROM 'KILL …') is refused by
//     the router (errKill). A stored procedure that an administrator
//     wrote with a KILL in it still runs it, on the node CALL goes to.

// ConnectionIDBase is added to the proxy's connection ids (the protocol
// library numbers them from 1), so that they never name a server's
// connection: an id from SHOW PROCESSLIST or CONNECTION_ID(), which a
// backend answers, is then no proxy connection's, and KILL of it is 1094
// rather than the end of another client that happened to have the number.
// It stays below 2^31, for clients that keep the id as a signed 32-bit
// number.
const ConnectionIDBase = 1_000_000_000

// errConnectionKilled is MariaDB's ER_CONNECTION_KILLED, which a client
// that kills its own connection gets before the connection closes.
const errConnectionKilled = sqlerror.ErrorCode(1927)

// kill answers a KILL statement (router.KillText) from the client c.
func (h *handler) kill(c *vtmysql.Conn, query string) error {
	if strings.Contains(query, "/*!") || strings.Contains(query, "/*M!") {
		// MariaDB runs a /*M! comment's SQL, which the parser skips:
		// KILL /*M! QUERY */ N is a KILL QUERY.
		return sqlerror.NewSQLErrorf(sqlerror.ERNotSupportedYet, "42000",
			"KILL with an executable comment is %v: write KILL [CONNECTION | QUERY] N as plain SQL", errNotSupported)
	}
	// MariaDB reads a vertical tab and a form feed as spaces; the parser
	// does not. A KILL has no string for them to be in.
	query = strings.Map(func(r rune) rune {
		if r == '\v' || r == '\f' {
			return ' '
		}
		return r
	}, query)
	ast, err := h.env.Parser().Parse(query)
	k, ok := ast.(*sqlparser.Kill)
	if err != nil || !ok {
		return sqlerror.NewSQLErrorf(sqlerror.ERNotSupportedYet, "42000",
			"this form of KILL is %v: write KILL [CONNECTION | QUERY] N, where N is the connection id the proxy's login reported", errNotSupported)
	}
	self, ok := c.GetRawConn().(*clientConn)
	if !ok {
		return notSupported("KILL")
	}
	target, user := self.l.byID(k.ProcesslistID)
	switch {
	case target == nil:
		hint := ""
		if k.ProcesslistID <= ConnectionIDBase {
			hint = fmt.Sprintf(" (the proxy numbers its connections from %d, the id a client's login reports; SHOW PROCESSLIST and CONNECTION_ID() name a backend's connections, which the proxy does not kill)", ConnectionIDBase+1)
		}
		return sqlerror.NewSQLErrorf(sqlerror.ERNoSuchThread, sqlerror.SSUnknownSQLState, "Unknown thread id: %d%s", k.ProcesslistID, hint)
	case user != c.User:
		return sqlerror.NewSQLErrorf(sqlerror.ERKillDenied, sqlerror.SSUnknownSQLState, "You are not owner of thread %d", k.ProcesslistID)
	case k.Type == sqlparser.QueryType && target == self:
		return sqlerror.NewSQLError(sqlerror.ERQueryInterrupted, "70100", "Query execution was interrupted")
	case k.Type == sqlparser.QueryType:
		return sqlerror.NewSQLErrorf(sqlerror.ERNotSupportedYet, "42000",
			"KILL QUERY of another connection is %v: its statement runs on a pooled backend connection, which the proxy cannot interrupt alone; KILL CONNECTION %d ends that connection", errNotSupported, k.ProcesslistID)
	case target == self:
		// The error goes out, then the client's next read finds the
		// connection closed.
		self.killed.Store(true)
		return sqlerror.NewSQLError(errConnectionKilled, "70100", "Connection was killed")
	}
	target.cut()
	h.s.cfg.Logf("proxy: connection %d killed by connection %d", k.ProcesslistID, c.ConnectionID)
	return nil
}

// cut ends the connection from another goroutine, as a forced shutdown
// does: its client is told at once, and its own goroutine, whose next read
// fails, ends its session.
func (c *clientConn) cut() {
	c.killed.Store(true)
	c.shut()
}

// gone reports whether the connection's client has left while one of its
// statements runs: it was killed, or closed or reset its end.
func (c *clientConn) gone() bool {
	return c.killed.Load() || c.closed.Load() || peerClosed(c.Conn)
}

// byID returns the logged-in connection with the protocol connection id
// id, and its user; nil if there is none.
func (l *listener) byID(id uint64) (*clientConn, string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for c := range l.conns {
		if c.ready && uint64(c.id) == id {
			return c, c.user
		}
	}
	return nil, ""
}

// ready records a connection whose login was accepted, for KILL to find.
func (l *listener) ready(c *clientConn, id uint32, user string) {
	l.mu.Lock()
	c.ready, c.id, c.user = true, id, user
	l.mu.Unlock()
}
