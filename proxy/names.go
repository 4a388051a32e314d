package proxy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	vtmysql "vitess.io/vitess/go/mysql"
	"vitess.io/vitess/go/mysql/collations"
	"vitess.io/vitess/go/mysql/sqlerror"
	querypb "vitess.io/vitess/go/vt/proto/query"
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
	ln, err := s.namesOf(c.CharacterSet)
	if err != nil {
		return err
	}
	if err := cl.sess.LoginNames(ln.stmt); err != nil {
		return toSQLError(fmt.Errorf("proxy: the character set of the login (collation %d, %s): %w", c.CharacterSet, strings.TrimPrefix(ln.stmt, "SET NAMES "), err))
	}
	cl.names = ln
	return nil
}

// loginSet is the SET NAMES of a login's collation, and the collation the
// server names in the column definitions of its text results: the login's
// own, or for an id the server does not know, its default results set's.
type loginSet struct {
	stmt    string
	results uint32
}

// relabel makes the text columns of fields, which the router's results
// describe as the pools' utf8mb4, say the collation coll the client's
// results come in: a client that decodes a column by its collation
// (mysql2, Connector/J) read a latin1 session's bytes as UTF-8.
func relabel(fields []*querypb.Field, coll uint32) {
	for _, f := range fields {
		if f.Charset == utf8mb4GeneralCI {
			f.Charset = coll
		}
	}
}

// namesQuery is the character set and collation the server gives a login
// that asks for collation ? : that collation's, and for an id the server
// does not know (MySQL 8's utf8mb4_0900_ai_ci, 255, on MariaDB), the
// server's defaults, as it does.
const namesQuery = `SELECT COALESCE(c.CHARACTER_SET_NAME, @@GLOBAL.character_set_client), COALESCE(c.COLLATION_NAME, @@GLOBAL.collation_connection),
	COALESCE(c.ID, (SELECT d.ID FROM information_schema.COLLATIONS AS d WHERE d.CHARACTER_SET_NAME = @@GLOBAL.character_set_results AND d.IS_DEFAULT = 'Yes'), 0)
FROM (SELECT 1) AS one LEFT JOIN information_schema.COLLATIONS AS c ON c.ID = ?`

// clientRefused are the character sets a server refuses as a client's
// (its parser cannot read them), at the login as in SET NAMES.
var clientRefused = []string{"ucs2", "utf16", "utf16le", "utf32"}

// nodeNamesTimeout bounds the question to one node in namesOf, so that a
// node that does not answer leaves the others time.
const nodeNamesTimeout = 2 * time.Second

// namesOf is the SET NAMES that gives a session collation id's character
// set and collation, asked of the nodes (the healthy ones first, each
// primary then each replica) until one answers, and kept: a login of an
// id asked before waits on none.
func (s *Server) namesOf(id collations.ID) (loginSet, error) {
	if v, ok := s.names.Load(id); ok {
		return v.(loginSet), nil
	}
	wait := s.cfg.LoginTimeout
	if wait <= 0 {
		wait = DefaultLoginTimeout
	}
	ctx, cancel := context.WithTimeout(s.ctx, wait)
	defer cancel()
	var errs []error
	for _, n := range s.r.NodesHealthyFirst() {
		if ctx.Err() != nil {
			break
		}
		nctx, ncancel := context.WithTimeout(ctx, nodeNamesTimeout)
		var cs, coll string
		var results uint32
		err := n.DB.QueryRowContext(nctx, namesQuery, int(id)).Scan(&cs, &coll, &results)
		ncancel()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", n.Name, err))
			continue
		}
		if cs = strings.ToLower(cs); slices.Contains(clientRefused, cs) {
			return loginSet{}, sqlerror.NewSQLError(sqlerror.ERWrongValueForVar, sqlerror.SSClientError, "Variable 'character_set_client' can't be set to the value of '"+cs+"'")
		}
		ln := loginSet{stmt: "SET NAMES '" + cs + "' COLLATE '" + strings.ToLower(coll) + "'", results: results}
		s.names.Store(id, ln)
		return ln, nil
	}
	return loginSet{}, sqlerror.NewSQLError(sqlerror.ERUnknownError, sqlerror.SSUnknownSQLState,
		fmt.Sprintf("proxy: the character set of the login (collation %d): no node answered which it is; log in again: %v", id, errors.Join(errs...)))
}
