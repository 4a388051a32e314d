package proxy

import (
	"bytes"
	"crypto/subtle"
	"encoding/binary"

	"github.com/scalelab/scalelab/internal/wire"
	vtmysql "vitess.io/vitess/go/mysql"
	"vitess.io/vitess/go/mysql/collations"
	"vitess.io/vitess/go/mysql/sqlerror"
)

// COM_CHANGE_USER logs a connection in again, as another user or the
// same, and starts its session over, as COM_RESET_CONNECTION does: PHP's
// persistent connections send it each time one is taken again
// (mysqli_change_user), and Connector/J's changeUser. The protocol
// library answers it "not implemented", so the proxy does: it asks the
// client to answer a new scramble with mysql_native_password (a switch
// of method, which every client of the protocol takes), checks the answer
// against Config.Users, and only then replaces the session, with the
// database and the character set the packet names. A refused change
// leaves the connection as it was, as the server does.

const comChangeUser = 0x11

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
// and, when sent, the collation; the method and attributes after are not
// read.
func parseChangeUser(p []byte) (changeUser, bool) {
	var cu changeUser
	user, p, ok := bytes.Cut(p[1:], []byte{0})
	if !ok || len(p) < 1 || len(p) < 1+int(p[0]) {
		return cu, false
	}
	cu.user, p = string(user), p[1+int(p[0]):]
	db, p, ok := bytes.Cut(p, []byte{0})
	if !ok {
		return cu, len(db) == 0 // a packet that ends before the database names none
	}
	cu.db = string(db)
	if len(p) >= 2 {
		cu.coll = collations.ID(binary.LittleEndian.Uint16(p))
	}
	return cu, true
}

// startChangeUser answers COM_CHANGE_USER (payload p) with a switch to
// mysql_native_password and a new scramble; the client's answer goes to
// finishChangeUser.
func (c *clientConn) startChangeUser(p []byte) error {
	cu, ok := parseChangeUser(p)
	if !ok { // the server's answer to one cut short
		_, err := c.Write(errorPacket(sqlerror.NewSQLError(sqlerror.ERUnknownComError, sqlerror.SSNetError, "Unknown command"), 1))
		return err
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
// change under way, and makes the change, or refuses it.
func (c *clientConn) finishChangeUser(resp []byte) error {
	cu := c.changing
	c.changing = nil
	s := c.l.s
	pw, known := s.cfg.Users[cu.user]
	if !known || !nativeAnswer(cu.scramble, pw, resp) {
		s.metrics.rejected.WithLabelValues("auth").Inc()
		_, err := c.Write(errorPacket(errAccessDenied(cu.user), 3))
		return err
	}
	// The new session, before the old one goes: a database or a
	// character set it cannot have refuses the change.
	h := &handler{s: s, env: s.env}
	ncl := &client{sess: s.r.NewSession()}
	coll := c.vc.CharacterSet
	if cu.coll != 0 {
		coll = cu.coll
	}
	err := s.loginNamesOf(ncl, coll)
	if err == nil && cu.db != "" {
		err = h.use(ncl, cu.db)
	}
	if err != nil {
		ncl.sess.Close()
		_, werr := c.Write(errorPacket(toSQLError(err), 3))
		return werr
	}
	h.endSession(c.vc, h.client(c.vc))
	c.vc.ClientData = ncl
	c.vc.User, c.vc.UserData = cu.user, userData(cu.user)
	c.vc.CharacterSet = coll
	c.l.ready(c, c.vc.ConnectionID, cu.user)
	c.vc.PrepareData = map[uint32]*vtmysql.PrepareData{}
	c.sniff.reset()
	c.vc.StatusFlags = c.vc.StatusFlags&^(vtmysql.ServerStatusInTrans|vtmysql.ServerStatusInTransReadonly) | vtmysql.ServerStatusAutocommit
	f := c.vc.StatusFlags
	_, err = c.Write([]byte{7, 0, 0, 3, 0x00, 0, 0, byte(f), byte(f >> 8), 0, 0})
	return err
}

// nativeAnswer reports whether resp is mysql_native_password's answer to
// scramble for password pw: empty for an empty password.
func nativeAnswer(scramble []byte, pw string, resp []byte) bool {
	if pw == "" {
		return len(resp) == 0
	}
	return subtle.ConstantTimeCompare(resp, vtmysql.ScrambleMysqlNativePassword(scramble, []byte(pw))) == 1
}
