package proxy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/scalelab/scalelab/replica"
	vtmysql "vitess.io/vitess/go/mysql"
	"vitess.io/vitess/go/mysql/collations"
	"vitess.io/vitess/go/mysql/sqlerror"
)

// pooledCollation is the collation of the router's connections to the
// nodes: utf8mb4_general_ci, which go-sql-driver's login asks for when
// the topology names none (the relay's connections refuse any other).
const pooledCollation collations.ID = 45

// loginNames gives the session of c the character set and collation that
// c's login asked for, as a server does: the server reads the client's
// strings in it and sends results in it. The proxy's sessions spoke the
// pools' utf8mb4 to every client, so a client that logs in with latin1
// (the mariadb client in a C locale, libraries whose default it is) had
// its text read as UTF-8 and stored otherwise than the server stores it,
// and got UTF-8 bytes back where the server sends latin1. The session
// holds SET NAMES as if the client had sent it, without running it at
// the login (router.Session.LoginNames): the login waits on no node. A
// set the server refuses a client (ucs2…), or whose strings the router
// cannot parse (gbk, sjis…), refuses the login, with the reason.
func (s *Server) loginNames(c *vtmysql.Conn) error {
	cl, ok := c.ClientData.(*client)
	if !ok || c.CharacterSet == pooledCollation {
		return nil
	}
	stmt, err := s.namesOf(c.CharacterSet)
	if err != nil {
		return err
	}
	if err := cl.sess.LoginNames(stmt); err != nil {
		return toSQLError(fmt.Errorf("proxy: the character set of the login (collation %d, %s): %w", c.CharacterSet, strings.TrimPrefix(stmt, "SET NAMES "), err))
	}
	cl.names = stmt
	return nil
}

// namesQuery is the character set and collation the server gives a login
// that asks for collation ? : that collation's, and for an id the server
// does not know (MySQL 8's utf8mb4_0900_ai_ci, 255, on MariaDB), the
// server's defaults, as it does.
const namesQuery = `SELECT COALESCE(c.CHARACTER_SET_NAME, @@GLOBAL.character_set_client), COALESCE(c.COLLATION_NAME, @@GLOBAL.collation_connection)
FROM (SELECT 1) AS one LEFT JOIN information_schema.COLLATIONS AS c ON c.ID = ?`

// clientRefused are the character sets a server refuses as a client's
// (its parser cannot read them), at the login as in SET NAMES.
var clientRefused = []string{"ucs2", "utf16", "utf16le", "utf32"}

// nodeNamesTimeout bounds the question to one node in namesOf, so that a
// node that does not answer leaves the others time.
const nodeNamesTimeout = 2 * time.Second

// namesOf is the SET NAMES that gives a session collation id's character
// set and collation, asked of the nodes (each primary, then each
// replica) until one answers, and kept: a login of an id asked before
// waits on none.
func (s *Server) namesOf(id collations.ID) (string, error) {
	if v, ok := s.names.Load(id); ok {
		return v.(string), nil
	}
	wait := s.cfg.LoginTimeout
	if wait <= 0 {
		wait = DefaultLoginTimeout
	}
	ctx, cancel := context.WithTimeout(s.ctx, wait)
	defer cancel()
	var nodes []*replica.Node
	sets := s.r.Sets()
	for _, set := range sets {
		nodes = append(nodes, set.Primary())
	}
	for _, set := range sets {
		nodes = append(nodes, set.Replicas()...)
	}
	var errs []error
	for _, n := range nodes {
		if ctx.Err() != nil {
			break
		}
		nctx, ncancel := context.WithTimeout(ctx, nodeNamesTimeout)
		var cs, coll string
		err := n.DB.QueryRowContext(nctx, namesQuery, int(id)).Scan(&cs, &coll)
		ncancel()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", n.Name, err))
			continue
		}
		cs = strings.ToLower(cs)
		for _, refused := range clientRefused {
			if cs == refused {
				return "", sqlerror.NewSQLError(sqlerror.ERWrongValueForVar, sqlerror.SSClientError, "Variable 'character_set_client' can't be set to the value of '"+cs+"'")
			}
		}
		stmt := "SET NAMES '" + cs + "' COLLATE '" + strings.ToLower(coll) + "'"
		s.names.Store(id, stmt)
		return stmt, nil
	}
	return "", sqlerror.NewSQLError(sqlerror.ERUnknownError, sqlerror.SSUnknownSQLState,
		fmt.Sprintf("proxy: the character set of the login (collation %d): no node answered which it is; log in again: %v", id, errors.Join(errs...)))
}
