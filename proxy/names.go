package proxy

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/internal/wire"
	"github.com/scalelab/scalelab/replica"
	vtmysql "vitess.io/vitess/go/mysql"
	"vitess.io/vitess/go/mysql/collations"
	"vitess.io/vitess/go/mysql/sqlerror"
	querypb "vitess.io/vitess/go/vt/proto/query"
	"vitess.io/vitess/go/vt/sqlparser"
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
	if !ok {
		return nil
	}
	return s.loginNamesOf(cl, c.CharacterSet)
}

// loginNamesOf gives cl's fresh session the character set of collation
// id, as loginNames.
func (s *Server) loginNamesOf(cl *client, id collations.ID) error {
	if id == pooledCollation {
		return nil
	}
	ln, err := s.namesOf(id)
	if err != nil {
		return err
	}
	if err := cl.sess.LoginNames(ln.stmt); err != nil {
		return toSQLError(fmt.Errorf("proxy: the character set of the login (collation %d, %s): %w", id, strings.TrimPrefix(ln.stmt, "SET NAMES "), err))
	}
	cl.names, cl.results = ln, ln.results
	return nil
}

// loginSet is the SET NAMES of a login's collation, and the collation the
// server names in the column definitions of its text results: the login's
// own, or for an id the server does not know, its default results set's.
type loginSet struct {
	stmt    string
	results uint32
	// refused, when set, is the server's refusal of a login of the id.
	refused *sqlerror.SQLError
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
// server's defaults, as it does; and whether it knows the id. MariaDB
// 10.10 and later list some collations (utf8mb4_uca1400_ai_ci, 2304) in
// COLLATION_CHARACTER_SET_APPLICABILITY only, by FULL_COLLATION_NAME and
// ID; namesQueryOld serves a server without those columns.
const (
	namesQuery = `SELECT COALESCE(c.CHARACTER_SET_NAME, @@GLOBAL.character_set_client), COALESCE(c.FULL_COLLATION_NAME, @@GLOBAL.collation_connection),
	COALESCE(c.ID, (SELECT d.ID FROM information_schema.COLLATIONS AS d WHERE d.CHARACTER_SET_NAME = @@GLOBAL.character_set_results AND d.IS_DEFAULT = 'Yes'), 0), c.ID IS NOT NULL
FROM (SELECT 1) AS one LEFT JOIN information_schema.COLLATION_CHARACTER_SET_APPLICABILITY AS c ON c.ID = ?`
	namesQueryOld = `SELECT COALESCE(c.CHARACTER_SET_NAME, @@GLOBAL.character_set_client), COALESCE(c.COLLATION_NAME, @@GLOBAL.collation_connection),
	COALESCE(c.ID, (SELECT d.ID FROM information_schema.COLLATIONS AS d WHERE d.CHARACTER_SET_NAME = @@GLOBAL.character_set_results AND d.IS_DEFAULT = 'Yes'), 0), c.ID IS NOT NULL
FROM (SELECT 1) AS one LEFT JOIN information_schema.COLLATIONS AS c ON c.ID = ?`
)

// erBadField is ER_BAD_FIELD_ERROR, a column the server does not have.
const erBadField = 1054

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
		if ln := v.(loginSet); ln.refused != nil {
			return loginSet{}, ln.refused
		}
		return v.(loginSet), nil
	}
	wait := s.cfg.LoginTimeout
	if wait <= 0 {
		wait = DefaultLoginTimeout
	}
	ctx, cancel := context.WithTimeout(s.ctx, wait)
	defer cancel()
	ln, failed, err := askNodes(ctx, s.r.NodesHealthyFirst(), func(ctx context.Context, n *replica.Node) (loginSet, error) {
		var cs, coll string
		var results uint32
		var known bool
		err := n.DB.QueryRowContext(ctx, namesQuery, int(id)).Scan(&cs, &coll, &results, &known)
		if se := (*mysql.MySQLError)(nil); errors.As(err, &se) && se.Number == erBadField {
			err = n.DB.QueryRowContext(ctx, namesQueryOld, int(id)).Scan(&cs, &coll, &results, &known)
		}
		if err == nil && !known && id <= 0xff {
			err = refusesLogin(ctx, n, uint8(id))
			if se := (*mysql.MySQLError)(nil); errors.As(err, &se) && !replica.IsConnError(err) {
				refused := sqlerror.NewSQLError(sqlerror.ErrorCode(se.Number), string(se.SQLState[:]), se.Message)
				s.names.Store(id, loginSet{refused: refused})
				return loginSet{}, final{refused}
			}
		}
		if err != nil {
			return loginSet{}, err
		}
		if cs = strings.ToLower(cs); slices.Contains(clientRefused, cs) {
			return loginSet{}, final{sqlerror.NewSQLError(sqlerror.ERWrongValueForVar, sqlerror.SSClientError, "Variable 'character_set_client' can't be set to the value of '"+cs+"'")}
		}
		ln := loginSet{stmt: "SET NAMES '" + cs + "' COLLATE '" + strings.ToLower(coll) + "'", results: results}
		if results > 0xff {
			// A collation a login cannot name (COM_CHANGE_USER's): the
			// server names another id in its results' columns, one an
			// older client knows (224 for utf8mb4_uca1400_ai_ci, 2304).
			if ln.results, err = s.resultsCollation([]string{ln.stmt}); err != nil {
				return loginSet{}, err
			}
		}
		return ln, nil
	})
	switch {
	case err != nil:
		return loginSet{}, err
	case failed != nil:
		return loginSet{}, sqlerror.NewSQLError(sqlerror.ERUnknownError, sqlerror.SSUnknownSQLState,
			fmt.Sprintf("proxy: the character set of the login (collation %d): no node answered which it is; log in again: %v", id, errors.Join(failed...)))
	}
	s.names.Store(id, ln)
	return ln, nil
}

// final is an answer to askNodes's question that any node would give:
// the nodes after are not asked.
type final struct{ error }

// askNodes asks ask of nodes in turn, each within nodeNamesTimeout and
// all within ctx, until one answers: its answer v, or the error err it
// wrapped in final. When none does, failed holds each node's error, with
// its name (never empty).
func askNodes[T any](ctx context.Context, nodes []*replica.Node, ask func(context.Context, *replica.Node) (T, error)) (v T, failed []error, err error) {
	for _, n := range nodes {
		if ctx.Err() != nil {
			failed = append(failed, ctx.Err())
			break
		}
		nctx, cancel := context.WithTimeout(ctx, nodeNamesTimeout)
		v, err := ask(nctx, n)
		cancel()
		if err == nil {
			return v, nil, nil
		}
		if f, ok := err.(final); ok {
			return v, nil, f.error
		}
		failed = append(failed, fmt.Errorf("%s: %w", n.Name, err))
	}
	if len(failed) == 0 {
		failed = append(failed, errors.New("no nodes"))
	}
	return v, failed, nil
}

// refusesLogin logs in to n with collation id, one n does not know: the
// server refuses some (17, its set for file names) as it refuses ucs2,
// and the error is the login's answer; the others get its default set.
// A node the relay cannot log in to (errNoRelay) is taken to accept it.
func refusesLogin(ctx context.Context, n *replica.Node, id uint8) error {
	bc, err := dialBackend(ctx, relayKey{node: n, coll: id})
	if errors.Is(err, errNoRelay) {
		return nil
	}
	if err != nil {
		return err
	}
	return bc.Close()
}

// setsResults reports whether the statement ast sets the session's
// character set of results: SET NAMES, SET CHARACTER SET (or CHARSET), or
// SET [SESSION] character_set_results, alone or among other assignments;
// many reports whether the value is one the statement reads from a
// variable.
func setsResults(ast sqlparser.Statement) (sets, many bool) {
	set, ok := ast.(*sqlparser.Set)
	if !ok {
		return false, false
	}
	for _, e := range set.Exprs {
		if e.Var.Scope != sqlparser.NoScope && e.Var.Scope != sqlparser.SessionScope {
			continue
		}
		switch strings.ToLower(e.Var.Name.String()) {
		case "names", "charset", "character_set_results":
			sets = true
			_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
				if _, ok := n.(*sqlparser.Variable); ok {
					many = true
				}
				return !many, nil
			}, e.Expr)
		}
	}
	return sets, many
}

// resultsVars are the SETs of vars that set the character set of
// results, in order (see setsResults): all of vars when one of them
// reads a variable, which another SET may have given. They are parsed
// here, not classified again by the router, which counts each statement
// it classifies.
func (s *Server) resultsVars(vars []string) []string {
	var own []string
	for _, v := range vars {
		ast, err := s.env.Parser().Parse(v)
		if err != nil {
			return vars
		}
		sets, many := setsResults(ast)
		if many {
			return vars
		}
		if sets {
			own = append(own, v)
		}
	}
	return own
}

// maxResultsKept bounds how many lists of SETs resultsCollation keeps the
// answer of: a SET that reads a variable brings the session's every SET,
// and the values of its user variables.
const maxResultsKept = 1024

// followResults makes cl's results name the collation the server names
// after the session's SETs: a client's own SET NAMES latin1, SET
// character_set_results = cp1251 or SET CHARACTER SET changes it, and a
// client that decodes a text column by its collation (mysql2,
// Connector/J) read those bytes in the login's set. A question no node
// answers leaves the collation as it was, and says so in the log.
func (s *Server) followResults(c *vtmysql.Conn, cl *client) {
	coll, err := s.resultsCollation(s.resultsVars(cl.sess.Vars()))
	if err != nil {
		s.cfg.Logf("proxy: connection %d: the collation of its results after its SET: %v", c.ConnectionID, err)
		return
	}
	if coll == utf8mb4GeneralCI {
		coll = 0 // the pools' own
	}
	cl.results = coll
}

// resultsCollation is the collation id a server names in the text
// columns of a session's results after the SET statements vars, those of
// the session's that set it (resultsVars), which begin with the login's
// character set when it is not the pools' (see LoginNames): a connection
// runs them and reads the column of SELECT 'x'. A server names the
// collation of character_set_results, which SQL does not show (after SET
// NAMES latin1 COLLATE latin1_german1_ci it is that collation, where
// @@character_set_results says latin1); with character_set_results NULL
// it names each column's own, and this the connection's. The answer is
// kept per vars: a pool whose every connection sends the same SET NAMES
// asks once.
func (s *Server) resultsCollation(vars []string) (uint32, error) {
	key := strings.Join(vars, "\x00")
	if v, ok := s.results.Load(key); ok {
		return v.(uint32), nil
	}
	ctx, cancel := context.WithTimeout(s.ctx, DefaultLoginTimeout)
	defer cancel()
	id, failed, err := askNodes(ctx, s.r.NodesHealthyFirst(), func(ctx context.Context, n *replica.Node) (uint32, error) {
		id, err := probeResults(ctx, n, vars)
		if se := (*mysql.MySQLError)(nil); errors.As(err, &se) && !replica.IsConnError(err) {
			return 0, final{err} // the statements' own error: any node gives it
		}
		return id, err
	})
	switch {
	case err != nil:
		return 0, err
	case failed != nil:
		return 0, fmt.Errorf("no node answered: %w", errors.Join(failed...))
	}
	if s.resultsLen.Add(1) > maxResultsKept {
		s.results.Clear()
		s.resultsLen.Store(1)
	}
	s.results.Store(key, id)
	return id, nil
}

// probeResults logs in to n in the pools' collation, runs vars, and reads
// the collation of the column of SELECT 'x'.
func probeResults(ctx context.Context, n *replica.Node, vars []string) (uint32, error) {
	bc, err := dialBackend(ctx, relayKey{node: n, coll: uint8(pooledCollation)})
	if err != nil {
		return 0, err
	}
	defer bc.Close()
	if d, ok := ctx.Deadline(); ok {
		bc.SetDeadline(d)
	}
	for _, q := range vars {
		if err := bc.writePacket(0, append([]byte{comQuery}, q...)); err != nil {
			return 0, err
		}
		b, err := bc.readPacket()
		switch {
		case err != nil:
			return 0, err
		case len(b) > 4 && b[4] == 0xff:
			return 0, backendError(b[4:])
		case len(b) < 5 || b[4] != 0x00:
			return 0, fmt.Errorf("%s answered %x", q, b[4:min(len(b), 13)])
		}
	}
	if err := bc.writePacket(0, append([]byte{comQuery}, "SELECT 'x'"...)); err != nil {
		return 0, err
	}
	for i := range 2 { // the column count, then the column
		b, err := bc.readPacket()
		if err != nil {
			return 0, err
		}
		if len(b) > 4 && b[4] == 0xff {
			return 0, backendError(b[4:])
		}
		if i == 1 {
			if id, ok := columnCollation(b[4:]); ok {
				return id, nil
			}
			return 0, fmt.Errorf("SELECT 'x': column definition %x", b[4:min(len(b), 40)])
		}
	}
	return 0, errors.New("unreachable")
}

// columnCollation reads the collation id of a column definition packet's
// payload p: after six length-encoded strings (catalog, schema, table and
// its name as written, column and its name as written) and the length of
// the fixed fields.
func columnCollation(p []byte) (uint32, bool) {
	for range 6 {
		_, n, ok := wire.LenencString(p)
		if !ok {
			return 0, false
		}
		p = p[n:]
	}
	if len(p) < 3 {
		return 0, false
	}
	return uint32(binary.LittleEndian.Uint16(p[1:])), true
}
