package proxy

import (
	"bytes"
	"crypto/subtle"
	"encoding/binary"
	"time"

	"github.com/scalelab/scalelab/internal/wire"
	vtmysql "vitess.io/vitess/go/mysql"
	"vitess.io/vitess/go/mysql/collations"
	"vitess.io/vitess/go/mysql/sqlerror"
)

// COM_CHANGE_USER logs a connection in again, as another user or the
// same, and starts its session over, as COM_RESET_CONNECTION does: PHP's
// persistent connections send it each time one is taken again, as
// mysqli::change_user and the C library's mysql_change_user do. The protocol
// library answers it "not implemented", so the proxy does: it asks the
// client to answer a new scramble with mysql_native_password (a switch
// of method, which every client of the protocol takes), checks the answer
// against Config.Users, and replaces the session with one of the
// database and the character set the packet names. A refused change
// starts the session over in its database and the server's default
// character set, as the server does.

const comChangeUser = 0x11

// maxChangeUser bounds a COM_CHANGE_USER packet the proxy reads (its
// connection attributes make it long); a longer one is the protocol
// library's to refuse.
const maxChangeUser = 1 << 20

// unknownCollation is a collation id no server knows: a login of it gets
// the server's default character set (see namesOf).
const unknownCollation collations.ID = 0

// changeUserDelay is how long a refused change waits before its answer,
// and maxChangeFailures how many a connection may have: a server's
// (MariaDB's) bounds on guessing passwords over one connection.
const (
	changeUserDelay   = time.Second
	maxChangeFailures = 3
)

// maxAuthAnswer bounds the client's answer to the scramble (20 bytes for
// mysql_native_password); a longer one ends the connection.
const maxAuthAnswer = 1 << 10

// changeUser is a COM_CHANGE_USER whose client has yet to answer the
// proxy's scramble.
type changeUser struct {
	user, db string
	// coll is the collation the packet names, or 0 when it names none.
	coll     collations.ID
	scramble []byte
}

// parseChangeUser reads the COM_CHANGE_USER payload p (the command byte
// included) of a client of the 4.1 protocol with CLIENT_SECURE_CONNECTION,
// which the proxy's greeting asks of every client: the user, the answer
// to the login's scramble (unused: the proxy asks again), the database,
// and the collation; the method and attributes after are not read.
func parseChangeUser(p []byte) (changeUser, bool) {
	var cu changeUser
	user, p, ok := bytes.Cut(p[1:], []byte{0})
	if !ok || len(p) < 1 || len(p) < 1+int(p[0]) {
		return cu, false
	}
	cu.user, p = string(user), p[1+int(p[0]):]
	db, p, ok := bytes.Cut(p, []byte{0})
	if !ok || len(p) < 2 { // the server refuses one without the collation
		return cu, false
	}
	cu.db, cu.coll = string(db), collations.ID(binary.LittleEndian.Uint16(p))
	return cu, true
}

// startChangeUser answers COM_CHANGE_USER (payload p) with a switch to
// mysql_native_password and a new scramble; the client's answer goes to
// finishChangeUser. A packet cut short, or any change on a connection
// refused maxChangeFailures changes, is refused (1047) as a wrong
// password is (see refuseChange), as the server refuses it.
func (c *clientConn) startChangeUser(p []byte) error {
	cu, ok := parseChangeUser(p)
	if !ok || c.changeFailures >= maxChangeFailures {
		return c.refuseChange(sqlerror.NewSQLError(sqlerror.ERUnknownComError, sqlerror.SSNetError, "Unknown command"), 1)
	}
	salt, err := newSalt()
	if err != nil {
		return err
	}
	cu.scramble = salt
	method := string(vtmysql.MysqlNativePassword)
	b := make([]byte, 4, 4+1+len(method)+1+len(salt)+1)
	b = append(b, 0xfe)
	b = append(append(b, method...), 0)
	b = append(append(b, salt...), 0)
	wire.PutHeader(b, len(b)-4, 1)
	c.changing = &cu
	_, err = c.Write(b)
	return err
}

// finishChangeUser checks the client's answer resp to the scramble of the
// change under way, and makes the change, or refuses it (refuseChange).
func (c *clientConn) finishChangeUser(resp []byte) error {
	cu := c.changing
	c.changing = nil
	s := c.l.s
	h := &handler{s: s, env: s.env}
	var err error
	if pw, known := s.cfg.Users[cu.user]; !known || !nativeAnswer(cu.scramble, pw, resp) {
		err = errAccessDeniedUsing(cu.user, len(resp) > 0)
	}
	// The new session: a database or a character set it cannot have
	// refuses the change.
	ncl := &client{sess: s.newSession(c.vc)}
	if err == nil {
		err = s.loginNamesOf(ncl, cu.coll)
	}
	if err == nil && cu.db != "" {
		err = h.use(ncl, cu.db)
	}
	if err != nil {
		ncl.sess.Close()
		s.cfg.Logf("proxy: connection %d: COM_CHANGE_USER to %s refused: %v", c.vc.ConnectionID, cu.user, err)
		return c.refuseChange(toSQLError(err), 3)
	}
	ncl.sess.KeepPositions(h.client(c.vc).sess) // the client's writes
	h.endSession(c.vc, h.client(c.vc))
	c.vc.ClientData = ncl
	c.vc.User, c.vc.UserData = cu.user, userData(cu.user)
	c.vc.CharacterSet = cu.coll
	c.l.ready(c, c.vc.ConnectionID, cu.user)
	c.freshState()
	_, err = c.Write(okPacket(c.vc.StatusFlags, 3))
	return err
}

// refuseChange refuses a COM_CHANGE_USER with e, in a packet of sequence
// number seq, as the server does: the session starts over all the same,
// in its database and the server's default character set (whatever the
// login's or the session's SET NAMES), the refusal comes a second later,
// and it counts towards maxChangeFailures.
func (c *clientConn) refuseChange(e *sqlerror.SQLError, seq byte) error {
	s := c.l.s
	h := &handler{s: s, env: s.env}
	def, err := s.namesOf(unknownCollation)
	if err != nil {
		return err // no node answers: the connection ends
	}
	h.startOver(c.vc, h.client(c.vc), collations.ID(def.results))
	c.freshState()
	c.changeFailures++
	time.Sleep(changeUserDelay)
	return c.writeError(e, seq)
}

// freshState drops what the protocol library and the sniffer keep of the
// session's prepared statements, and its transaction's status flags, for
// a session that started over.
func (c *clientConn) freshState() {
	c.vc.PrepareData = map[uint32]*vtmysql.PrepareData{}
	c.sniff.reset()
	c.vc.StatusFlags = c.vc.StatusFlags&^(vtmysql.ServerStatusInTrans|vtmysql.ServerStatusInTransReadonly) | vtmysql.ServerStatusAutocommit
}

// nativeAnswer reports whether resp is mysql_native_password's answer to
// scramble for password pw: empty for an empty password.
func nativeAnswer(scramble []byte, pw string, resp []byte) bool {
	if pw == "" {
		return len(resp) == 0
	}
	return subtle.ConstantTimeCompare(resp, vtmysql.ScrambleMysqlNativePassword(scramble, []byte(pw))) == 1
}
