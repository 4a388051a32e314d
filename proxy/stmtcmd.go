package proxy

import (
	"encoding/binary"

	vtmysql "vitess.io/vitess/go/mysql"
	"vitess.io/vitess/go/mysql/sqlerror"
)

// lastStmtID is the statement id MariaDB takes for the connection's last
// prepared statement, in COM_STMT_EXECUTE, COM_STMT_SEND_LONG_DATA,
// COM_STMT_RESET and COM_STMT_CLOSE: a client may send a COM_STMT_PREPARE
// and an execution of it in one write, without waiting for the id
// (MariaDB Connector/C's mariadb_stmt_execute_direct does). The last
// prepared statement is the one the last COM_STMT_PREPARE made; there is
// none after a prepare that failed, after the statement is closed, and
// after a reset of the connection. A prepare with SQL's PREPARE does not
// count. (A prepare the proxy lets through where the server would refuse
// it, see describer.check, makes a last statement.)
const lastStmtID = 0xFFFFFFFF

// stmtCommand looks at the head of the client's command on a prepared
// statement, of payload length n (whose first byte is read), before it
// goes on: it notes a COM_STMT_PREPARE, names the statement a command
// sent for lastStmtID by its id, and refuses a COM_STMT_EXECUTE the
// server would (see checkExecute). Like packets, it may return
// rawio.ErrWouldBlock and be called again for the same packet, and what
// it did before is done again to the same effect: the id it names is no
// longer lastStmtID, and a statement typed once stays typed.
func (c *clientConn) stmtCommand(n int) error {
	switch c.in[4] {
	case comStmtPrepare:
		// The id the statement gets if the prepare succeeds: the
		// protocol library (vitess v0.24) numbers its statements from
		// 1, and counts, and keeps, only a prepare that succeeded
		// (TestLastPreparedStatement's failed prepare says if that
		// changes).
		c.lastPrepared = c.vc.StatementID + 1
		if c.vc.Capabilities&vtmysql.CapabilityClientMultiStatements != 0 && n <= maxRelayQuery {
			if err := c.want(4 + n); err != nil {
				return err
			}
			if se := c.refuseMulti(string(c.in[5 : 4+n])); se != nil {
				c.refused, c.dropping = se, true
			}
		}
	case comStmtExecute:
		return c.checkExecute(n)
	case comStmtSendLongData, comStmtClose, comStmtReset:
		if n < 5 {
			return nil
		}
		if err := c.want(9); err != nil {
			return err
		}
		if raw := stmtID(c.in[4:9]); raw == lastStmtID {
			binary.LittleEndian.PutUint32(c.in[5:], c.stmtOf(raw))
		}
	}
	return nil
}

// stmtOf is the statement a command sent for id means: the last prepared
// one for lastStmtID, when there is one (otherwise lastStmtID, which no
// statement has, and the command gets the server's answer to a statement
// not prepared), and id itself for any other.
func (c *clientConn) stmtOf(id uint32) uint32 {
	if id == lastStmtID && c.vc.PrepareData[c.lastPrepared] != nil {
		return c.lastPrepared
	}
	return id
}

// checkExecute reads the head of the COM_STMT_EXECUTE of payload length
// n, up to its parameters' types, whatever its length: one the
// server refuses (see refuseExecute) is dropped, unread, and answered with
// the server's error (c.refused), where the protocol library answered
// those it read with its own, or ran them. Its statement id, when it is
// lastStmtID, becomes the statement's.
func (c *clientConn) checkExecute(n int) error {
	head := min(n, 10) // the command, the statement id, flags, iteration count
	if err := c.want(4 + head); err != nil {
		return err
	}
	raw := stmtID(c.in[4 : 4+head])
	id := c.stmtOf(raw)
	pd := c.vc.PrepareData[id]
	if pd != nil && pd.ParamsCount > 0 && head == 10 {
		// The NULL bitmap and the flag, then the types if it says they
		// follow.
		flag := typesFlagAt(pd.ParamsCount)
		head = min(n, flag+1)
		if err := c.want(4 + head); err != nil {
			return err
		}
		if head > flag && c.in[4+flag] == 1 {
			head = min(n, flag+1+2*int(pd.ParamsCount))
			if err := c.want(4 + head); err != nil {
				return err
			}
		}
	}
	if se := c.refuseExecute(c.in[4:4+head], id, pd, raw == lastStmtID); se != nil {
		c.refused, c.dropping = se, true
		return nil
	}
	if id != raw {
		binary.LittleEndian.PutUint32(c.in[5:], id)
	}
	return nil
}

// refuseMulti is the server's answer to the COM_STMT_PREPARE of q from a
// client with CLIENT_MULTI_STATEMENTS when q is not one statement, nil
// when it is. The protocol library splits such a client's text, and
// answered more than one statement, or none, with an error of its own
// that says nothing ("unknown error: <nil>", 1105); the server refuses
// the text as for any client (1064 for more than one, 1065 for none),
// which a node is asked for. A node that cannot be asked, or that
// prepares the text (one the library splits where the server does not),
// leaves the proxy's own 1064.
func (c *clientConn) refuseMulti(q string) *sqlerror.SQLError {
	s := c.l.s
	if pieces, err := s.env.Parser().SplitStatementToPieces(q); err == nil && len(pieces) == 1 {
		return nil
	}
	if max := s.cfg.MaxQueryBytes; max > 0 && len(q) > max {
		return errQueryTooLarge(len(q), max)
	}
	db := ""
	if cl, ok := c.vc.ClientData.(*client); ok {
		db = cl.sess.Database()
	}
	home, err := s.r.Home(s.r.Classify(q))
	if err != nil {
		home = 0
	}
	if _, err := s.describe.prepareOn(s.ctx, home, q, db); err != nil {
		return toSQLError(err)
	}
	return sqlerror.NewSQLError(sqlerror.ERParseError, sqlerror.SSClientError, "scalelab proxy: a prepared statement is one statement, and this text is not")
}
