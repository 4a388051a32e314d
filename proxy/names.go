package proxy

import (
	"context"
	"errors"
	"fmt"
	"strings"

	vtmysql "vitess.io/vitess/go/mysql"
	"vitess.io/vitess/go/mysql/collations"
	"vitess.io/vitess/go/sqlescape"
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
// runs SET NAMES, as if the client had; a character set the router
// refuses in SET NAMES (gbk, sjis…) refuses the login, with the reason.
func (s *Server) loginNames(c *vtmysql.Conn) error {
	cl, ok := c.ClientData.(*client)
	if !ok || c.CharacterSet == pooledCollation {
		return nil
	}
	stmt, err := s.namesOf(c.CharacterSet)
	if err != nil {
		return toSQLError(fmt.Errorf("proxy: the character set of the login (collation %d): %w", c.CharacterSet, err))
	}
	if _, err := cl.sess.ExecContext(s.ctx, stmt); err != nil {
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

// namesOf is the SET NAMES that gives a session collation id's character
// set and collation, asked of the first node that answers and kept.
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
	var errs []error
	for _, set := range s.r.Sets() {
		var cs, coll string
		err := set.Primary().DB.QueryRowContext(ctx, namesQuery, int(id)).Scan(&cs, &coll)
		if err != nil {
			errs = append(errs, fmt.Errorf("shard %s: %w", set.Shard, err))
			continue
		}
		stmt := "SET NAMES " + sqlescape.EscapeID(cs) + " COLLATE " + sqlescape.EscapeID(coll)
		s.names.Store(id, stmt)
		return stmt, nil
	}
	return "", fmt.Errorf("no node answered which character set it is: %w", errors.Join(errs...))
}
