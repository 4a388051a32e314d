package router

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/scalelab/scalelab/internal/sqltext"
	"vitess.io/vitess/go/vt/sqlparser"
)

// Kind is what a statement does, as far as routing cares.
type Kind int

// Statement kinds.
const (
	// Unparsed statements could not be parsed; they go to the primary and
	// never to a replica.
	Unparsed Kind = iota
	// Read is a SELECT (or UNION, EXPLAIN, SHOW) without a locking clause.
	Read
	// LockingRead is SELECT … FOR UPDATE / LOCK IN SHARE MODE / FOR SHARE,
	// or one that calls a locking function: it goes to the primary.
	LockingRead
	// Write is INSERT, REPLACE, UPDATE, DELETE, LOAD DATA.
	Write
	// DDL changes the schema.
	DDL
	// Begin, Commit and Rollback control transactions (with savepoints
	// counted as Commit-less transaction statements: TxOther).
	Begin
	Commit
	Rollback
	TxOther
	// SessionState is SET or USE: it changes the connection's state.
	SessionState
	// Other is everything else that parses (CALL, LOCK TABLES, FLUSH…): it
	// goes to the primary.
	Other
)

var kindNames = [...]string{"unparsed", "read", "locking-read", "write", "ddl", "begin", "commit", "rollback", "tx", "session", "other"}

// ReturnsRows reports whether a statement of kind k may return rows: reads,
// and what the router does not classify further (SHOW, CALL, anything
// unparsed). Writes, DDL, transaction control and session state do not.
func (k Kind) ReturnsRows() bool {
	switch k {
	case SessionState, Write, DDL, Begin, Commit, Rollback, TxOther:
		return false
	}
	return true
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Statement is the classification of one statement text. It is immutable
// and shared through the cache.
type Statement struct {
	Kind Kind
	// Text is the statement as given.
	Text string
	// Tables are the tables the statement names, lower-cased, without
	// schema qualifiers, in order of appearance.
	Tables []string
	// AST is the parsed statement, nil when Kind is Unparsed. Never modify
	// it: it is shared.
	AST sqlparser.Statement
	// Err is the parse error of an Unparsed statement.
	Err error
	// SetVars are the variables a SET statement assigns (lower-cased).
	SetVars []string
	// ArgShapes is true when a placeholder sits in a LIMIT or alone in a
	// select list, where binding it as text needs care (see bindArgs).
	ArgShapes bool
	// Assigns is true when the statement assigns a user variable (:=).
	Assigns bool
	// LastInsertID, RowCount and FoundRows are true when the statement
	// calls LAST_INSERT_ID() (without an argument), ROW_COUNT() or
	// FOUND_ROWS(): values of the connection that ran the previous
	// statement, which a Session answers from its own statements, or
	// refuses (see Session).
	LastInsertID, RowCount, FoundRows bool
	// SetsLastInsertID is true when the statement calls LAST_INSERT_ID
	// with an argument, which sets the connection's value: an INSERT,
	// UPDATE or DELETE reports it in its answer, which the Session keeps;
	// it refuses any other statement that does (see Session).
	SetsLastInsertID bool
	// CallsFunction is true when the statement calls a function by name
	// (a FuncExpr: a built-in, or a stored function, which the parser
	// does not tell apart). A stored function may write, and a statement
	// of any kind that calls one on a primary may have written there
	// (SELECT next_id('orders') in a transaction, SET @a = f()): the
	// session's read-your-writes reads of that shard then go to the
	// primary (see gtids.wroteUntracked).
	CallsFunction bool
	// Sticky is true when the statement makes state of the connection
	// that runs it that the router does not keep itself: a named lock
	// (GET_LOCK and the other locking functions), a temporary table,
	// LOCK TABLES, a HANDLER, an SQL-level prepared statement. A Session
	// that runs one keeps its own connections from then on (see Session);
	// the pooled Router refuses it.
	Sticky bool
	// ConnectionID is true when the statement calls CONNECTION_ID() as it
	// runs: the id of the connection that runs it, which a pooled
	// connection would give, another for each statement. A Session that
	// runs one keeps its own connections from then on, as after a Sticky
	// statement, so that the id it answers is the one its later
	// statements see (UPDATE … SET owner = CONNECTION_ID(), then a read
	// WHERE owner = CONNECTION_ID()); it makes no state of its own.
	ConnectionID bool
	// ReadsAutocommit is true when the statement reads @@autocommit: a
	// Session whose autocommit is off keeps it on on its connections and
	// opens the transactions itself, so the servers would answer 1 where
	// the session's is 0 (see Session.do).
	ReadsAutocommit bool
	// NodeVariable is true when a read reads a variable whose value is
	// the server's own that runs it (@@server_id, @@port, @@read_only, a
	// GTID position; SHOW VARIABLES): over several shards it is refused,
	// as each would answer its own where one server answers once.
	// RoleVariable is true when that value tells the server's role
	// (@@read_only and its kin, GTID positions; SHOW VARIABLES lists
	// them): a replica's is not the primary's (@@read_only is 1 there,
	// which tells a client that checks it that it cannot write), and such
	// a read runs on the primary. One of its identity alone (@@port,
	// @@hostname) reads wherever a read goes, which shows where that is.
	// (Both stay Reads, which the proxy's relay may take.)
	NodeVariable, RoleVariable bool
	// MariaDBComment and VersionedComment are true when the text holds
	// /*M! … */ or a /*!NNNNN … */ from 5.7 on (see versionedComment).
	MariaDBComment, VersionedComment bool
	// refused, when set, refuses the statement in every topology, before
	// anything of it runs or is rewritten: a text the parser reads
	// otherwise than the server may (a // it takes for a comment, a
	// versioned comment whose end depends on the version, a /*M! … */
	// comment the router cannot read to its end), or one that reads a
	// value of the session where the router cannot rewrite it (in or
	// beside a /*M! comment, or in a text it cannot parse).
	refused error
	// returning, for an INSERT, REPLACE or DELETE with a RETURNING
	// clause (which the parser does not read: the statement is
	// Unparsed), is that clause and the statement without it, by which
	// the router routes it (see planReturning).
	returning *returning
	// setStatement, for SET STATEMENT … FOR a read or a write (which the
	// parser does not read: the statement is Unparsed), is the statement
	// it sets variables for, by which the router routes it (see
	// planSetStatement).
	setStatement *setStatement
	// memo is the plan of the statement without arguments, made over one
	// version of the routing schema (see Router.planStatement).
	memo atomic.Pointer[memoPlan]
	// recipe is the plan of the statement with arguments, where one of
	// them decides its shard (see Router.planStatement).
	recipe atomic.Pointer[recipe]
}

// DefaultCacheSize is how many statement texts the classifier remembers.
const DefaultCacheSize = 10000

// IsCall reports whether the statement is a CALL of a stored procedure,
// whose answer ends in an OK packet of its own, after any result sets.
func (st *Statement) IsCall() bool {
	if _, ok := st.AST.(*sqlparser.CallProc); ok {
		return true
	}
	return st.AST == nil && leadingWords(withoutComments(st.Text), 1) == "CALL"
}

// maxCachedBytes is the longest statement text the classifier caches.
const maxCachedBytes = 16 << 10

// classifier parses statements with the Vitess MySQL parser and caches the
// result by statement text, so the hot path does not parse again.
type classifier struct {
	parser *sqlparser.Parser
	max    int
	mu     sync.RWMutex
	cache  map[string]*Statement
	// classified counts Classify calls, and parsed the texts it parsed.
	classified, parsed atomic.Uint64
}

func newClassifier(max int) (*classifier, error) {
	p, err := sqlparser.New(sqlparser.Options{MySQLServerVersion: "8.0.40"})
	if err != nil {
		return nil, err
	}
	if max <= 0 {
		max = DefaultCacheSize
	}
	return &classifier{parser: p, max: max, cache: make(map[string]*Statement)}, nil
}

// Classify returns the statement's classification, from the cache when the
// same text was seen before. Safe for concurrent use.
func (c *classifier) Classify(query string) *Statement {
	c.classified.Add(1)
	return c.classify(query)
}

// classify is Classify, not counted.
func (c *classifier) classify(query string) *Statement {
	if len(query) > maxCachedBytes {
		// A long statement (a bulk INSERT, a generated OR chain) is rarely
		// sent twice, and its syntax tree is many times its size: keeping
		// it would hold that memory until the cache fills.
		return c.parse(query)
	}
	c.mu.RLock()
	st, ok := c.cache[query]
	c.mu.RUnlock()
	if ok {
		return st
	}
	st = c.parse(query)
	c.mu.Lock()
	if len(c.cache) >= c.max {
		// Statements with literals inlined can fill any cache. One entry
		// goes, the first that map order gives, which is random: no LRU
		// bookkeeping on every hit, and a working set about the cache's
		// size still hits, where starting over missed one statement in
		// ten with one statement more than the cache holds (sysbench's
		// 10,000 point selects and its BEGIN, say).
		for k := range c.cache {
			delete(c.cache, k)
			break
		}
	}
	c.cache[query] = st
	c.mu.Unlock()
	return st
}

// classifyShape is Classify of a shape (see shapeOf), without making the
// string when the cache has it, and not counted as a statement
// classified: the caller counts it if it uses it (Relay), and classifies
// the text otherwise.
func (c *classifier) classifyShape(shape []byte) *Statement {
	c.mu.RLock()
	st, ok := c.cache[string(shape)]
	c.mu.RUnlock()
	if ok {
		return st
	}
	return c.classify(string(shape))
}

func (c *classifier) parse(query string) *Statement {
	st := c.parseText(query)
	if st.VersionedComment && st.refused == nil {
		// The parser runs the SQL of /*!NNNNN … */ up to its own version
		// (8.0.40); MariaDB skips a MySQL version from 5.7 on, and a
		// six-digit version above its own. A text whose every such comment
		// left out routes with less care than the parser's reading (a
		// write, a lock or a session's state it does not see) is refused:
		// /*!80000 EXPLAIN */ DELETE … deletes on MariaDB.
		if skipped, ok := versionSkipped(query); ok && skipped != query && readsLess(st, c.parseText(skipped)) {
			st.refused = errVersionedReadsOtherwise
		}
	}
	if !st.MariaDBComment {
		return st
	}
	// MariaDB runs the SQL in /*M! … */ comments, which the parser skips:
	// what they hold may make connection state (CREATE /*M! TEMPORARY */
	// TABLE, SELECT 1 /*M! INTO @v */). The flags that make a session keep
	// its connections, or refuse the statement, are also those of the text
	// with that SQL written plainly when it parses, and else those the
	// comments' SQL alone shows. So does a lock a comment adds to a read
	// (SELECT … /*M! FOR UPDATE */), which makes it a locking read, for
	// the primary. Reads of the session's values (LAST_INSERT_ID(),
	// ROW_COUNT(), FOUND_ROWS()) in a text with such a comment are flagged
	// apart, for refusal: the router answers those by rewriting
	// the statement from its syntax tree, which holds neither the
	// comment's calls nor the comment.
	plain, bodies, ok := mariaDBPlain(query)
	switch {
	case !ok:
		st.refused = errCommentUnread
		return st
	case plain == query:
		return st
	}
	var sticky, connID, assigns, setsID, locking, reads, calls bool
	if in := c.parseText(plain); in.Kind != Unparsed {
		sticky, connID, assigns, setsID, calls = in.Sticky, in.ConnectionID, in.Assigns, in.SetsLastInsertID, in.CallsFunction
		locking = in.Kind == LockingRead
		st.NodeVariable = st.NodeVariable || in.NodeVariable
		st.RoleVariable = st.RoleVariable || in.RoleVariable
		reads = in.LastInsertID || in.RowCount || in.FoundRows || in.ConnectionID
		if st.refused == nil {
			st.refused = in.refused // the text as MariaDB runs it reads otherwise too
		}
	} else {
		words := strings.Fields(strings.ToUpper(bodies))
		calls = strings.Contains(bodies, "(")
		sticky = slices.Contains(words, "TEMPORARY") || textCallsHoldingLock(bodies)
		connID = textCallsConnectionID(bodies)
		locking = textLocks(words) || textPrimaryOnly(bodies)
		switch {
		case st.refused != nil:
		case runsKill(in.refused): // /*M! KILL HARD 5 */
			st.refused = in.refused
		case runsAsWritten(plain) && textCallsSequence(bodies):
			st.refused = errSequenceSession
		}
		if st.AST == nil || sqlparser.ASTToStatementType(st.AST) != sqlparser.StmtDDL {
			assigns = textAssignsIn(bodies)
			setsID = textCalls(bodies, "LAST_INSERT_ID", withArgs)
			reads = textCallsSession(bodies)
		}
		reads = reads || st.LastInsertID || st.RowCount || st.FoundRows || st.ConnectionID
	}
	st.Sticky = st.Sticky || sticky
	st.ConnectionID = st.ConnectionID || connID
	st.Assigns = st.Assigns || assigns
	st.SetsLastInsertID = st.SetsLastInsertID || setsID
	st.CallsFunction = st.CallsFunction || calls
	if reads {
		st.refused = errCommentReadsSession
	}
	if locking && st.Kind == Read {
		st.Kind = LockingRead
	}
	return st
}

// textLocks reports whether words, the upper-case words of SQL the
// parser does not read, hold a read's lock: FOR UPDATE, FOR SHARE or
// LOCK IN SHARE MODE.
func textLocks(words []string) bool {
	for i := range words {
		next := func(w ...string) bool {
			return i+len(w) < len(words) && slices.Equal(words[i+1:i+1+len(w)], w)
		}
		switch words[i] {
		case "FOR":
			if next("UPDATE") || next("SHARE") {
				return true
			}
		case "LOCK":
			if next("IN", "SHARE", "MODE") {
				return true
			}
		}
	}
	return false
}

// mariaDBPlain is query with the SQL of its /*M! … */ and /*M!NNNNN[N] …
// */ comments written plainly, as MariaDB runs it (the markers become
// spaces), and that SQL alone, the comments' bodies joined by spaces with
// their own comments left out. MariaDB reads the text, and a comment's
// body, as SQL: a marker in a string, a quoted name or another comment is
// none, and a comment ends at the first */ outside its body's strings,
// quoted names and comments (a /* … */, or a -- or # to the end of the
// line), so that CREATE /*M! /* note */ TEMPORARY */ TABLE makes a
// temporary table. ok is false when a comment, string or quoted name of
// a text with a marker does not end (MariaDB fails such a text), or when
// the text reads otherwise without backslash escapes, as a session with
// NO_BACKSLASH_ESCAPES or ANSI_QUOTES reads it: the router refuses it.
func mariaDBPlain(query string) (plain, bodies string, ok bool) {
	if !strings.Contains(query, "/*M!") {
		return query, "", true
	}
	plain, bodies, ok = mariaDBRead(query, true)
	if p, b, k := mariaDBRead(query, false); !ok || p != plain || b != bodies || k != ok {
		return query, "", false
	}
	return plain, bodies, true
}

// mariaDBRead is mariaDBPlain's reading, with backslash escapes in
// strings or without.
func mariaDBRead(query string, backslash bool) (plain, bodies string, ok bool) {
	var b, in strings.Builder
	last := 0 // query[last:i] is not written to b yet
	for i := 0; i < len(query); {
		if !strings.HasPrefix(query[i:], "/*M!") {
			end, _ := sqlToken(query, i, backslash)
			if end < 0 {
				return query, "", false
			}
			i = end
			continue
		}
		j := commentBodyEnd(query[i+4:], backslash)
		if j < 0 || versionSkipEnds(query[i+4:], j) {
			return query, "", false
		}
		body := query[i+4 : i+4+j]
		if n := len(body) - len(strings.TrimLeft(body, "0123456789")); n == 5 || n == 6 {
			body = body[n:] // a version: MariaDB reads 5 or 6 digits so
		}
		b.WriteString(query[last:i])
		b.WriteByte(' ')
		b.WriteString(body)
		b.WriteByte(' ')
		for k := 0; k < len(body); {
			end, comment := sqlToken(body, k, backslash)
			if comment {
				in.WriteByte(' ')
			} else {
				in.WriteString(body[k:end])
			}
			k = end
		}
		in.WriteByte(' ')
		i += 4 + j + 2
		last = i
	}
	if b.Len() == 0 {
		return query, "", true
	}
	b.WriteString(query[last:])
	return b.String(), in.String(), true
}

// commentBodyEnd is the index in s, the text after a /*M! or /*! marker,
// of the */ that ends the comment as SQL reads it, or -1 when none does.
func commentBodyEnd(s string, backslash bool) int {
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "*/") {
			return i
		}
		end, _ := sqlToken(s, i, backslash)
		if end < 0 {
			return -1
		}
		i = end
	}
	return -1
}

// tokensUnread reads query with the parser's own tokenizer, so that its
// every reading of strings, comments and names counts, and reports where
// it reads otherwise than MariaDB. slashSlash: it took a // for a comment
// to the end of the line, where MariaDB reads a division and then what
// follows (SELECT … 1 //**/ 2 FOR UPDATE locks). variable: it ended a
// variable's name (@name, @@name) elsewhere than MariaDB does, so that
// what follows reads otherwise too. Its tokenizer takes quotes into an
// unquoted name, where MariaDB ends the name at the quote: SELECT @a'#',
// 1 FROM t FOR UPDATE is @a and then the string '#' as a column's name to
// MariaDB, and locks, and to the parser a name a' and then a comment to
// the end of the line. It reads a quoted name ('…' or "…") to the first
// byte that cannot be in an unquoted one, where MariaDB reads it to its
// closing quote. A name in backquotes reads alike.
func (c *classifier) tokensUnread(query string) (slashSlash, variable bool) {
	tkn := c.parser.NewStringTokenizer(query)
	for {
		switch typ, val := tkn.Scan(); typ {
		case 0, sqlparser.LEX_ERROR:
			return slashSlash, variable
		case sqlparser.COMMENT:
			slashSlash = slashSlash || strings.HasPrefix(val, "//")
		case sqlparser.AT_ID, sqlparser.AT_AT_ID:
			end := tkn.Pos
			start := end - len(val)
			if start >= 1 && query[start-1] == '@' && query[start:end] == val { // else a `quoted` name: the value is the name unquoted
				variable = variable || variableNameEnd(query, start) != end
			}
		}
	}
}

// variableNameEnd is the index in query just past the name of a variable
// that starts at query[start], after its @ or @@, as MariaDB reads it: a
// quoted name to its closing quote, else letters, digits and '_', '$',
// '.' and the bytes of multi-byte characters (see nameByte), with a part
// after a dot in backquotes.
func variableNameEnd(query string, start int) int {
	if c := query[start]; c == '\'' || c == '"' {
		end, _ := quoteEndMode(query, start, true)
		return end
	}
	end := start
	for end < len(query) && (nameByte(query[end]) || query[end] == '.') {
		end++
		if query[end-1] == '.' && end < len(query) && query[end] == '`' {
			// @@session.`sql_mode`: a part in backquotes, after a dot.
			q, _ := quoteEndMode(query, end, true)
			if q < 0 {
				return len(query)
			}
			end = q
		}
	}
	return end
}

// versionSkipped is query with its versioned comments that MariaDB may
// skip (see mariaDBMaySkip) made spaces. ok is false when the router's
// lexer cannot read the text to its end.
func versionSkipped(query string) (string, bool) {
	var b strings.Builder
	last := 0
	for i := 0; i < len(query); {
		end, comment := sqlToken(query, i, true)
		if end < 0 {
			return query, false
		}
		if comment && strings.HasPrefix(query[i:], "/*!") {
			if mariaDBMaySkip(query[i+3 : end-2]) {
				b.WriteString(query[last:i])
				b.WriteByte(' ')
				last = end
			}
		}
		i = end
	}
	if last == 0 {
		return query, true
	}
	b.WriteString(query[last:])
	return b.String(), true
}

// readsLess reports whether st, the parser's reading of a text, routes it
// with less care than skip, its reading with some comments left out
// (unless that is empty): where skip is refused, as another statement (an
// EXPLAIN of it), as a SET of other values, as a plain read where skip is
// not one, without a connection state or a LAST_INSERT_ID(…) that skip
// makes, or with other reads of the session's values (which the router
// answers by rewriting the text).
func readsLess(st, skip *Statement) bool {
	if strings.Trim(skip.Text, sqlSpace+";") == "" {
		return false // MariaDB answers an empty text with an error, and runs nothing
	}
	if skip.refused != nil && st.refused == nil {
		return true
	}
	if st.AST != nil && skip.AST != nil {
		if sqlparser.ASTToStatementType(st.AST) != sqlparser.ASTToStatementType(skip.AST) {
			return true // /*!80000 EXPLAIN */ SELECT LAST_INSERT_ID() would be rewritten as an EXPLAIN
		}
		if st.Kind == SessionState && sqlparser.String(st.AST) != sqlparser.String(skip.AST) {
			return true // the session keeps what it reads a SET sets: SET NAMES /*!80000 utf8mb4, @x = */ 'gbk'
		}
	}
	return st.Kind == Read && skip.Kind != Read ||
		skip.Sticky && !st.Sticky || skip.ConnectionID && !st.ConnectionID || skip.Assigns && !st.Assigns || skip.SetsLastInsertID && !st.SetsLastInsertID ||
		st.LastInsertID != skip.LastInsertID || st.RowCount != skip.RowCount || st.FoundRows != skip.FoundRows
}

// versionedUnread reports whether query has a versioned comment
// (/*!NNNNN … */) that the router cannot read to one end (see
// versionSkipEnds), or anything else its lexer cannot follow.
func versionedUnread(query string) bool {
	for i := 0; i < len(query); {
		end, _ := sqlToken(query, i, true)
		if end < 0 {
			return true
		}
		i = end
	}
	return false
}

// versionSkipEnds reports whether body, the text after a /*! or /*M!
// marker whose comment runs to body[j], starts with a version and holds a
// */ before j. A server that the version leaves out skips the comment,
// and ends it at that first */ whatever strings the SQL reading sees
// there; the router does not know the server's version, so it cannot
// tell where such a comment ends.
func versionSkipEnds(body string, j int) bool {
	if len(body) == 0 || body[0] < '0' || body[0] > '9' {
		return false
	}
	return strings.Index(body, "*/") < j
}

// sqlToken is the index in s just past what starts at s[i]: a string or
// a quoted name, a comment (comment true: /* … */, /*!…*/ and /*M!…*/
// with SQL bodies, -- or # to the end of the line), or else one byte; -1
// when a string, quoted name or /* comment does not end. With backslash,
// a backslash in a string escapes the byte after it.
func sqlToken(s string, i int, backslash bool) (end int, comment bool) {
	switch c := s[i]; {
	case c == '\'', c == '"', c == '`':
		end, _ := quoteEndMode(s, i, backslash)
		return end, false
	case c == '/' && strings.HasPrefix(s[i:], "/*!") || strings.HasPrefix(s[i:], "/*M!"):
		skip := 3
		if s[i+2] == 'M' {
			skip = 4
		}
		j := commentBodyEnd(s[i+skip:], backslash)
		if j < 0 || versionSkipEnds(s[i+skip:], j) {
			return -1, true
		}
		return i + skip + j + 2, true
	case c == '/' && strings.HasPrefix(s[i:], "/*"):
		j := strings.Index(s[i+2:], "*/")
		if j < 0 {
			return -1, true
		}
		return i + 2 + j + 2, true
	case c == '#', c == '-' && strings.HasPrefix(s[i:], "--") && (i+2 == len(s) || s[i+2] <= ' ' || s[i+2] == 0x7f):
		if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
			return i + j + 1, true
		}
		return len(s), true
	}
	return i + 1, false
}

// txControl reads plain, a statement's text without comments that the
// parser could not read, as a statement of transaction control: BEGIN
// WORK, COMMIT WORK, COMMIT [WORK] AND NO CHAIN [NO RELEASE], ROLLBACK
// WORK [TO [SAVEPOINT] name] mean what the parser reads without the
// noise words (same). AND CHAIN and RELEASE, which open a transaction or
// end the connection after it, are refused, and so is any other text the
// parser does not read that starts as such a statement (START, XA,
// SAVEPOINT …), which must not run on a pooled connection. BEGIN NOT
// ATOMIC, a compound statement, is no transaction's. ok is false for
// anything else.
func txControl(plain string) (same string, refused error, ok bool) {
	fields := strings.Fields(strings.TrimRight(strings.TrimSpace(plain), "; \t\n"))
	if len(fields) == 0 {
		return "", nil, false
	}
	words := strings.Fields(strings.ToUpper(strings.Join(fields, " ")))
	verb, rest := words[0], words[1:]
	noisy := len(rest) > 0 && rest[0] == "WORK"
	if noisy {
		rest, fields = rest[1:], fields[1:]
	}
	fields = fields[1:]
	switch verb {
	case "BEGIN":
		switch {
		case len(rest) >= 2 && rest[0] == "NOT" && rest[1] == "ATOMIC":
			return "", nil, false
		case len(rest) == 0:
			return "BEGIN", nil, true
		}
	case "COMMIT", "ROLLBACK":
		if verb == "ROLLBACK" && len(rest) > 0 && rest[0] == "TO" {
			name := fields[1:]
			if len(rest) > 1 && rest[1] == "SAVEPOINT" {
				name = fields[2:]
			}
			if len(name) == 1 {
				return "ROLLBACK TO SAVEPOINT " + name[0], nil, true
			}
			break
		}
		chain, release := false, false
		for i := 0; i < len(rest); {
			switch {
			case i+2 <= len(rest) && rest[i] == "AND" && rest[i+1] == "CHAIN":
				chain, i = true, i+2
			case i+3 <= len(rest) && rest[i] == "AND" && rest[i+1] == "NO" && rest[i+2] == "CHAIN":
				i += 3
			case rest[i] == "RELEASE":
				release, i = true, i+1
			case i+2 <= len(rest) && rest[i] == "NO" && rest[i+1] == "RELEASE":
				i += 2
			default:
				return "", errTxControlUnread, true
			}
		}
		switch {
		case chain || release:
			return "", unsupported(verb+" AND CHAIN or RELEASE", "the session's transactions are the router's, which would not open the next one or end the connection; run "+verb+", then BEGIN, or close the connection"), true
		case noisy || len(rest) > 0:
			return verb, nil, true
		}
	case "START", "XA", "SAVEPOINT", "RELEASE":
	default:
		return "", nil, false
	}
	if verb == "XA" {
		return "", unsupported("XA transactions", "each shard would hold a branch of its own, and a write to another shard would commit at once; use BEGIN … COMMIT"), true
	}
	return "", errTxControlUnread, true
}

// errTxControlUnread refuses a statement of transaction control that the
// router cannot read.
var errTxControlUnread = unsupported("a statement of transaction control that the router cannot read", "write it as BEGIN, START TRANSACTION, COMMIT, ROLLBACK or SAVEPOINT")

func (c *classifier) parseText(query string) *Statement {
	c.parsed.Add(1)
	mariaDB, versioned := strings.Contains(query, "/*M!"), versionedComment(query)
	ast, err := c.parser.Parse(query)
	if err != nil {
		plain := withoutComments(query)
		if same, refused, ok := txControl(plain); ok {
			// A transaction statement in a form the parser does not
			// read: as the one it means, or refused. Run unparsed, on a
			// pooled connection, BEGIN WORK left that connection in a
			// transaction, where other sessions' writes then went
			// uncommitted.
			if refused != nil {
				return &Statement{Kind: Unparsed, Text: query, Err: err, refused: refused}
			}
			st := c.parseText(same)
			st.Text = query
			return st
		}
		st := &Statement{Kind: Unparsed, Text: query, Err: err, MariaDBComment: mariaDB, VersionedComment: versioned, Sticky: stickyText(plain),
			ConnectionID: runsAsWritten(plain) && textCallsConnectionID(plain), SetsLastInsertID: textSetsLastInsertID(plain), Assigns: textAssigns(plain)}
		if st.returning = c.returningOf(query); st.returning != nil {
			st.Tables = st.returning.prefix.Tables
		}
		st.ReadsAutocommit = strings.Contains(query, "@@") && slices.Contains(words(query), "autocommit")
		if st.setStatement = c.setStatementOf(query); st.setStatement != nil {
			// It does what its statement does: a read may go to a
			// replica, and a write is one (over shards too).
			st.Kind, st.Tables = st.setStatement.inner.Kind, st.setStatement.inner.Tables
		}
		switch {
		case textHasWord(plain, "PREPARE") || textHasWord(plain, "IMMEDIATE"):
			// SQL built at run time, which may be a KILL.
			st.refused = errDynamicSQL
		case textMentionsKill(query):
			// A KILL of MariaDB's own forms (KILL HARD, QUERY ID, USER,
			// an expression), or within a statement the parser does not
			// read (SET STATEMENT … FOR KILL 5, BEGIN NOT ATOMIC … END).
			st.refused = errKill
		case textReadsSession(plain):
			st.refused = errUnparsedReadsSession
		case textReadsSequence(plain):
			st.refused = errSequenceSession
		case textReadsDiagnostics(plain):
			st.refused = errDiagnostics
		}
		return st
	}
	bareGetFormat(ast)
	st := &Statement{AST: ast, Text: query, Tables: tablesOf(ast), ArgShapes: argShapes(ast), Assigns: assignsVariable(ast),
		MariaDBComment: mariaDB, VersionedComment: versioned, Sticky: sticky(ast, query), ConnectionID: callsConnectionID(ast)}
	st.LastInsertID, st.RowCount, st.FoundRows = sessionCalls(ast)
	if _, set := ast.(*sqlparser.Set); !set && strings.Contains(query, "@@") {
		st.ReadsAutocommit = readsVariable(ast, "autocommit")
	}
	var slashSlash, variable bool
	if strings.Contains(query, "//") || strings.Contains(query, "@") {
		slashSlash, variable = c.tokensUnread(query)
	}
	switch kill := c.killStatement(ast, query); {
	case kill != nil:
		st.refused = kill
	case slashSlash:
		st.refused = errSlashSlash
	case versioned && versionedUnread(query):
		st.refused = errVersionedUnread
	case variable:
		st.refused = errVariableUnread
	case runsNow(ast) && anyNode(ast, func(n sqlparser.SQLNode) bool { return sequenceCall(n) == "lastval" }):
		st.refused = errSequenceSession
	case sqlparser.ASTToStatementType(ast) != sqlparser.StmtDDL && readsDiagnostics(ast):
		st.refused = errDiagnostics
	default:
		st.refused = c.preparedReadsConnection(ast)
	}
	st.SetsLastInsertID = anyNode(ast, func(n sqlparser.SQLNode) bool {
		name, args := builtinCall(n)
		return name == "last_insert_id" && args > 0
	})
	st.CallsFunction = anyNode(ast, func(n sqlparser.SQLNode) bool {
		_, ok := n.(*sqlparser.FuncExpr)
		return ok
	})
	if sqlparser.ASTToStatementType(ast) == sqlparser.StmtDDL {
		// A stored program's body runs on the connection that calls it.
		st.Assigns, st.SetsLastInsertID = false, false
		if _, ok := ast.(*sqlparser.CreateTable); !ok {
			// So does a view's: the session's values are not its to
			// write in (CREATE VIEW v AS SELECT LAST_INSERT_ID() would
			// keep a constant). CREATE TABLE … SELECT reads them now.
			st.LastInsertID, st.RowCount, st.FoundRows = false, false, false
		}
	}
	if _, ok := ast.(*sqlparser.OtherAdmin); ok { // DO: the parser keeps no more
		plain := withoutComments(query)
		st.SetsLastInsertID, st.Assigns = textSetsLastInsertID(plain), textAssigns(plain)
	}
	switch s := ast.(type) {
	case *sqlparser.Select, *sqlparser.Union:
		st.Kind = Read
		if strings.Contains(query, "@@") {
			st.NodeVariable, st.RoleVariable = readsNodeVariable(ast)
		}
		if locks(ast) || primaryOnly(ast) {
			st.Kind = LockingRead
		}
	case *sqlparser.Show:
		st.Kind = Read
		if b, ok := s.Internal.(*sqlparser.ShowBasic); ok && (b.Command == sqlparser.VariableGlobal || b.Command == sqlparser.VariableSession) {
			st.NodeVariable, st.RoleVariable = true, true
		}
	case *sqlparser.ExplainStmt, *sqlparser.ExplainTab:
		st.Kind = Read
	case *sqlparser.Insert, *sqlparser.Update, *sqlparser.Delete, *sqlparser.Load:
		st.Kind = Write
	case *sqlparser.Begin:
		st.Kind = Begin
	case *sqlparser.Commit:
		st.Kind = Commit
	case *sqlparser.Rollback:
		st.Kind = Rollback
	case *sqlparser.Savepoint, *sqlparser.SRollback, *sqlparser.Release:
		st.Kind = TxOther
	case *sqlparser.Set:
		st.Kind = SessionState
		for _, e := range s.Exprs {
			st.SetVars = append(st.SetVars, strings.ToLower(e.Var.Name.String()))
		}
	case *sqlparser.Use:
		st.Kind = SessionState
	case sqlparser.DDLStatement, sqlparser.DBDDLStatement:
		st.Kind = DDL
	default:
		switch sqlparser.ASTToStatementType(ast) {
		case sqlparser.StmtDDL:
			st.Kind = DDL
		default:
			st.Kind = Other
		}
	}
	return st
}

// locks reports whether a SELECT anywhere in the statement takes row locks
// or calls a locking function (GET_LOCK and friends hold a session lock on
// the server that ran them, so they must always run on the primary).
func locks(ast sqlparser.Statement) bool {
	return anyNode(ast, func(node sqlparser.SQLNode) bool {
		switch n := node.(type) {
		case *sqlparser.Select:
			return n.Lock != sqlparser.NoLock
		case *sqlparser.Union:
			return n.Lock != sqlparser.NoLock
		}
		return lockFunc(node, false)
	})
}

// runsNow reports whether the expressions of statement ast run when it
// does: any statement but DDL, whose stored programs and views run theirs
// later, on the connection that calls them; CREATE TABLE … SELECT runs
// its query now.
func runsNow(ast sqlparser.Statement) bool {
	if _, ok := ast.(*sqlparser.CreateTable); ok {
		return true
	}
	return sqlparser.ASTToStatementType(ast) != sqlparser.StmtDDL
}

// textPrimaryOnly is primaryOnly for SQL the parser does not read, its
// comments left out (the bodies of /*M! … */): a call of NEXTVAL or
// SETVAL, NEXT VALUE FOR, INTO OUTFILE or INTO DUMPFILE, in a string too.
func textPrimaryOnly(text string) bool {
	words := spacedWords(text)
	return textCalls(text, "NEXTVAL", anyArgs) || textCalls(text, "SETVAL", anyArgs) ||
		strings.Contains(words, " NEXT VALUE FOR ") || strings.Contains(words, " INTO OUTFILE ") || strings.Contains(words, " INTO DUMPFILE ")
}

// primaryOnly reports whether a query changes the server that runs it, so
// that it must run on the primary as a locking read does: it advances or
// sets a sequence (NEXTVAL, SETVAL, NEXT VALUE FOR), or writes a file
// there (INTO OUTFILE or DUMPFILE).
func primaryOnly(ast sqlparser.Statement) bool {
	return anyNode(ast, func(node sqlparser.SQLNode) bool {
		switch n := node.(type) {
		case *sqlparser.Nextval:
			return true
		case *sqlparser.SelectInto:
			return n.Type != sqlparser.IntoVariables
		}
		switch sequenceCall(node) {
		case "nextval", "setval":
			return true
		}
		return false
	})
}

// readsNodeVariable reports whether ast reads a system variable whose
// value is the server's own, and whether one tells its role (see
// Statement.NodeVariable).
func readsNodeVariable(ast sqlparser.SQLNode) (node, role bool) {
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		v, ok := n.(*sqlparser.Variable)
		if !ok || v.Scope == sqlparser.VariableScope {
			return true, nil
		}
		name := v.Name.Lowered()
		if roleVariables[name] || strings.HasPrefix(name, "gtid_") {
			node, role = true, true
			return false, nil
		}
		node = node || nodeVariables[name] || strings.HasPrefix(name, "wsrep_") || strings.HasPrefix(name, "rpl_semi_sync_") ||
			strings.HasPrefix(name, "log_bin") || strings.HasPrefix(name, "relay_log")
		return true, nil
	}, ast)
	return node, role
}

// roleVariables tell whether the server is a primary or a replica (beside
// the gtid_ positions); nodeVariables are the server's identity, address
// and files (beside the wsrep_, rpl_semi_sync_, log_bin and relay_log
// families).
var (
	roleVariables = map[string]bool{"read_only": true, "super_read_only": true, "innodb_read_only": true}
	nodeVariables = map[string]bool{
		"server_id": true, "server_uuid": true, "hostname": true, "port": true, "socket": true, "report_host": true,
		"report_port": true, "datadir": true, "pid_file": true, "general_log_file": true, "slow_query_log_file": true,
		"log_error": true, "tmpdir": true, "binlog_format": true, "log_slave_updates": true, "log_replica_updates": true,
	}
)

// sequenceCall is the name of the sequence function that n calls
// (nextval, setval or lastval, MariaDB's, unqualified), or "".
func sequenceCall(n sqlparser.SQLNode) string {
	switch name, _ := builtinCall(n); name {
	case "nextval", "setval", "lastval":
		return name
	}
	return ""
}

// builtinCall is the lower-cased name of the function that n calls
// without a schema's qualifier (a built-in's name, or a function of the
// current schema's that shadows none), and how many arguments it passes;
// "" when n is no such call.
func builtinCall(n sqlparser.SQLNode) (name string, args int) {
	f, ok := n.(*sqlparser.FuncExpr)
	if !ok || !builtinQualifier(f.Qualifier) {
		return "", 0
	}
	return f.Name.Lowered(), len(f.Exprs)
}

// builtinQualifier reports whether a function called with qualifier q is
// a built-in one: no qualifier, or one of the schemas by which MariaDB
// names its built-ins in each SQL mode's flavour
// (mariadb_schema.CONNECTION_ID() is CONNECTION_ID()).
func builtinQualifier(q sqlparser.IdentifierCS) bool {
	switch strings.ToLower(q.String()) {
	case "", "mariadb_schema", "oracle_schema", "maxdb_schema":
		return true
	}
	return false
}

// sticky reports whether a statement, text parsed as ast, makes state
// of its connection that the router does not keep (see Statement.Sticky).
func sticky(ast sqlparser.Statement, text string) bool {
	switch n := ast.(type) {
	case *sqlparser.OtherAdmin:
		return stickyText(withoutComments(text)) // DO, HANDLER, XA, …: the parser keeps no more
	case *sqlparser.CreateTable:
		return n.Temp
	case *sqlparser.DropTable:
		return n.Temp
	case *sqlparser.Flush:
		return n.WithLock || n.ForExport
	case *sqlparser.LockTables, *sqlparser.UnlockTables, *sqlparser.PrepareStmt, *sqlparser.ExecuteStmt, *sqlparser.DeallocateStmt:
		return true
	case *sqlparser.CallProc:
		// A procedure runs on its caller's connection: what it SETs
		// (@x), the temporary tables it creates, the locks it takes and
		// its LAST_INSERT_ID() stay there.
		return true
	}
	return anyNode(ast, func(n sqlparser.SQLNode) bool { return lockFunc(n, true) })
}

// holdingLockFuncs are the functions that take or release a named lock,
// which the connection holds; lockFuncs adds those that only look.
var (
	holdingLockFuncs = []string{"get_lock", "release_lock", "release_all_locks"}
	lockFuncs        = slices.Concat(holdingLockFuncs, []string{"is_used_lock", "is_free_lock"})
)

// lockFunc reports whether n calls a function of named locks (one that
// takes or releases a lock, if holding), as the parser reads one or
// spelled so that it does not (`GET_LOCK`(…)).
func lockFunc(n sqlparser.SQLNode, holding bool) bool {
	switch f := n.(type) {
	case *sqlparser.LockingFunc:
		return !holding || f.Type == sqlparser.GetLock || f.Type == sqlparser.ReleaseLock || f.Type == sqlparser.ReleaseAllLocks
	case *sqlparser.FuncExpr:
		funcs := lockFuncs
		if holding {
			funcs = holdingLockFuncs
		}
		return builtinQualifier(f.Qualifier) && slices.Contains(funcs, f.Name.Lowered())
	}
	return false
}

// stickyPrefixes are the first words of statements that make state of
// their connection, for texts the parser does not read.
var stickyPrefixes = []string{
	"CALL ", "LOCK ", "UNLOCK ", "HANDLER ", "PREPARE ", "EXECUTE ", "DEALLOCATE ", "DROP PREPARE ",
	"CREATE TEMPORARY ", "CREATE OR REPLACE TEMPORARY ", "DROP TEMPORARY ",
	"BACKUP ", "XA ", "SET ROLE ", "FLUSH TABLES WITH READ LOCK", "FLUSH TABLE WITH READ LOCK",
}

// stickyText is sticky for a text the parser does not read, its comments
// left out (withoutComments), by its first words and its calls of the
// functions of named locks. It may say so of a text that only names one in
// a string: a Session then keeps its own connections for nothing worse
// than their cost.
func stickyText(text string) bool {
	lead := leadingWords(text, 6) + " "
	for _, p := range stickyPrefixes {
		if strings.HasPrefix(lead, p) {
			return true
		}
	}
	if strings.Contains(lead, " FOR EXPORT ") && strings.HasPrefix(lead, "FLUSH ") {
		return true
	}
	return textCallsHoldingLock(text)
}

// textCallsHoldingLock reports whether text, which the parser does not
// read, calls a function that takes or releases a named lock, in a string
// too.
func textCallsHoldingLock(text string) bool {
	for _, f := range holdingLockFuncs {
		if textCalls(text, strings.ToUpper(f), anyArgs) {
			return true
		}
	}
	return false
}

// callsConnectionID reports whether ast calls CONNECTION_ID() when it
// runs (see Statement.ConnectionID): a view's or a stored program's
// definition calls it later, on the connection that uses it.
func callsConnectionID(ast sqlparser.Statement) bool {
	return runsNow(ast) && anyNode(ast, func(n sqlparser.SQLNode) bool {
		name, _ := builtinCall(n)
		return name == "connection_id"
	})
}

// textCallsConnectionID reports whether text, which the parser does not
// read, calls CONNECTION_ID, in a string too.
func textCallsConnectionID(text string) bool {
	return textCalls(text, "CONNECTION_ID", anyArgs)
}

// textAssigns reports whether text, which the parser does not read, its
// comments left out (withoutComments), may assign a user variable: a
// statement that runs (not one that defines a stored program, whose body
// is another connection's business) holding := or INTO @ (in a string
// too).
func textAssigns(text string) bool {
	return runsAsWritten(text) && textAssignsIn(text)
}

// textAssignsIn reports whether text, SQL the parser does not read with
// its comments left out, holds := or INTO @, spaces or none between (in a
// string too).
func textAssignsIn(text string) bool {
	if strings.Contains(text, ":=") {
		return true
	}
	for rest := strings.ToUpper(text); ; {
		i := strings.Index(rest, "INTO")
		if i < 0 {
			return false
		}
		rest = rest[i+4:]
		if strings.HasPrefix(strings.TrimLeft(rest, sqlSpace), "@") {
			return true
		}
	}
}

// textSetsLastInsertID reports whether text, which the parser does not
// read, its comments left out (withoutComments), is a statement that runs
// and calls LAST_INSERT_ID with an argument.
func textSetsLastInsertID(text string) bool {
	return runsAsWritten(text) && textCalls(text, "LAST_INSERT_ID", withArgs)
}

// textReadsSession reports whether text, which the parser does not read,
// its comments left out (withoutComments), is a statement that runs and
// reads a value of the session: run as written, it would read a pooled
// connection's value, and the router cannot rewrite what it cannot parse.
func textReadsSession(text string) bool {
	return runsAsWritten(text) && textCallsSession(text)
}

// bareGetFormat makes the first argument of each GET_FORMAT(DATE, …) in
// ast print as the bare word it is: the parser reads it as a column and
// prints it quoted (`DATE`), which MariaDB rejects, so a statement the
// router rewrites (a scatter's, or one with its arguments bound) failed
// on every shard where the server answers.
func bareGetFormat(ast sqlparser.SQLNode) {
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		f, ok := n.(*sqlparser.FuncExpr)
		if !ok || !f.Name.EqualString("get_format") || len(f.Exprs) == 0 {
			return true, nil
		}
		if c, ok := f.Exprs[0].(*sqlparser.ColName); ok && c.Qualifier.IsEmpty() {
			switch w := strings.ToUpper(c.Name.String()); w {
			case "DATE", "TIME", "DATETIME", "TIMESTAMP":
				// A literal prints its text as it is.
				f.Exprs[0] = &sqlparser.Literal{Type: sqlparser.IntVal, Val: w}
			}
		}
		return true, nil
	}, ast)
}

// connectionVariables are the system variables that hold a value of the
// statement before on the connection (see errDiagnostics): last_gtid is
// the GTID of the last transaction the connection ran, which on a pooled
// connection is another session's.
var connectionVariables = []string{"warning_count", "error_count", "identity", "last_insert_id", "last_gtid"}

// readsDiagnostics reports whether ast reads the diagnostics, or another
// value, of the statement before it on its connection: SHOW WARNINGS,
// SHOW ERRORS, one of connectionVariables, or SHOW VARIABLES filtered to
// one of them (see errDiagnostics).
func readsDiagnostics(ast sqlparser.Statement) bool {
	if s, ok := ast.(*sqlparser.Show); ok {
		if b, ok := s.Internal.(*sqlparser.ShowBasic); ok {
			switch {
			case b.Command == sqlparser.Warnings || b.Command == sqlparser.Errors:
				return true
			case b.Command == sqlparser.VariableSession && b.Filter != nil:
				names := words(sqlparser.String(b.Filter.Filter))
				for _, v := range connectionVariables {
					if b.Filter.Filter == nil && likeMatch(strings.ToLower(b.Filter.Like), v) || slices.Contains(names, v) {
						return true
					}
				}
			}
		}
	}
	return anyNode(ast, func(n sqlparser.SQLNode) bool {
		v, ok := n.(*sqlparser.Variable)
		return ok && v.Scope != sqlparser.VariableScope && slices.Contains(connectionVariables, v.Name.Lowered())
	})
}

// textReadsDiagnostics is readsDiagnostics for text, which the parser
// does not read, its comments left out: SHOW WARNINGS, SHOW ERRORS, SHOW
// COUNT(*) WARNINGS or GET DIAGNOSTICS, first or after SET STATEMENT …
// FOR, or a statement that runs and names @@ and one of
// connectionVariables (in a string too).
func textReadsDiagnostics(text string) bool {
	phrase := spacedWords(strings.NewReplacer("(", " ( ", ")", " ) ", "@", " @", "=", " = ", ";", " ; ").Replace(text))
	if _, after, ok := strings.Cut(phrase, " FOR "); ok && strings.HasPrefix(phrase, " SET STATEMENT ") {
		phrase = " " + after
	}
	for _, p := range []string{" SHOW WARNINGS ", " SHOW ERRORS ", " SHOW COUNT ( * ) WARNINGS ", " SHOW COUNT ( * ) ERRORS ", " GET DIAGNOSTICS ", " GET CURRENT DIAGNOSTICS "} {
		if strings.HasPrefix(phrase, p) {
			return true
		}
	}
	if !runsAsWritten(text) || !strings.Contains(text, "@@") {
		return false
	}
	for _, w := range words(text) {
		if slices.Contains(connectionVariables, w) {
			return true
		}
	}
	return false
}

// likeMatch reports whether s matches the LIKE pattern p (% any run, _
// any one character, \ escaping the next).
func likeMatch(p, s string) bool {
	for len(p) > 0 {
		switch c := p[0]; {
		case c == '%':
			for p = p[1:]; len(p) > 0 && p[0] == '%'; p = p[1:] {
			}
			if p == "" {
				return true
			}
			for i := 0; i <= len(s); i++ {
				if likeMatch(p, s[i:]) {
					return true
				}
			}
			return false
		case s == "":
			return false
		case c == '_':
			p, s = p[1:], s[1:]
		default:
			if c == '\\' && len(p) > 1 {
				p = p[1:]
				c = p[0]
			}
			if c != s[0] {
				return false
			}
			p, s = p[1:], s[1:]
		}
	}
	return s == ""
}

// preparedReadsConnection refuses a PREPARE of a statement that reads a
// value of the statement before it (SHOW WARNINGS, FOUND_ROWS(), …): its
// EXECUTE runs it on the connection the session keeps, where the
// statement before ran on another, and the session cannot answer it
// itself, as it answers the statement prepared.
func (c *classifier) preparedReadsConnection(ast sqlparser.Statement) error {
	p, ok := ast.(*sqlparser.PrepareStmt)
	if !ok {
		return nil
	}
	lit, ok := p.Statement.(*sqlparser.Literal)
	if !ok || lit.Type != sqlparser.StrVal {
		return nil // refused as dynamic SQL
	}
	in := c.parse(lit.Val)
	switch {
	case errors.Is(in.refused, ErrConnectionValue):
		return in.refused
	case in.FoundRows || in.LastInsertID || in.RowCount:
		return fmt.Errorf("%w: a PREPARE of a statement that reads FOUND_ROWS(), LAST_INSERT_ID() or ROW_COUNT(): its EXECUTE would read the value of the connection the session keeps, where the statement before ran on another; run the statement itself, which the session answers", ErrConnectionValue)
	}
	return nil
}

// textReadsSequence reports whether text, which the parser does not read,
// its comments left out (withoutComments), is a statement that runs and
// reads the connection's last value of a sequence: LASTVAL(…) or PREVIOUS
// VALUE FOR, in a string too.
func textReadsSequence(text string) bool {
	return runsAsWritten(text) && textCallsSequence(text)
}

// textCallsSequence reports whether text, which the parser does not read,
// calls LASTVAL or PREVIOUS VALUE FOR, in a string too.
func textCallsSequence(text string) bool {
	return textCalls(text, "LASTVAL", anyArgs) || strings.Contains(spacedWords(text), "PREVIOUS VALUE FOR")
}

// spacedWords is text upper-cased, its words joined by one space, with a
// space before the first and after the last: a phrase of words matches
// however the text spaces them.
func spacedWords(text string) string {
	return " " + strings.Join(strings.Fields(strings.ToUpper(text)), " ") + " "
}

// withoutComments is text with each of its comments made a space, and
// the SQL of each executable one (/*!…*/, /*M!…*/) kept, its markers and
// version made spaces, as the text checks of a statement the parser does
// not read want it: GET_LOCK/**/('a', 1) calls GET_LOCK. One pass, nested
// executable comments too. A string, quoted name or comment that does not
// end ends the text.
func withoutComments(text string) string {
	if !strings.Contains(text, "/*") && !strings.Contains(text, "#") && !strings.Contains(text, "--") {
		return text
	}
	var b strings.Builder
	open := 0 // executable comments open at i
	for i := 0; i < len(text); {
		rest := text[i:]
		switch c := text[i]; {
		case c == '\'' || c == '"' || c == '`':
			end, _ := quoteEndMode(text, i, true)
			if end < 0 {
				return b.String()
			}
			b.WriteString(rest[:end-i])
			i = end
		case strings.HasPrefix(rest, "/*!") || strings.HasPrefix(rest, "/*M!"):
			i += 3
			if rest[2] == 'M' {
				i++
			}
			for i < len(text) && text[i] >= '0' && text[i] <= '9' {
				i++
			}
			open++
			b.WriteByte(' ')
		case open > 0 && strings.HasPrefix(rest, "*/"):
			open--
			i += 2
			b.WriteByte(' ')
		case strings.HasPrefix(rest, "/*"):
			end := strings.Index(rest[2:], "*/")
			if end < 0 {
				return b.String()
			}
			i += 2 + end + 2
			b.WriteByte(' ')
		case c == '#' || strings.HasPrefix(rest, "--") && (len(rest) == 2 || rest[2] <= ' ' || rest[2] == 0x7f):
			end := strings.IndexByte(rest, '\n')
			if end < 0 {
				return b.String()
			}
			i += end + 1
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// textCallsSession reports whether text, which the parser does not read,
// calls LAST_INSERT_ID() without an argument, ROW_COUNT(), FOUND_ROWS()
// or CONNECTION_ID(), in a string too.
func textCallsSession(text string) bool {
	return textCalls(text, "LAST_INSERT_ID", noArgs) || textCalls(text, "ROW_COUNT", anyArgs) || textCalls(text, "FOUND_ROWS", anyArgs) ||
		textCallsConnectionID(text)
}

// unparsedWrite reports whether text, a statement the parser cannot
// read, is an INSERT, UPDATE, DELETE or REPLACE (or SET STATEMENT … FOR
// one, its assignments without quotes) that returns no rows (no RETURNING
// word, in a string too) and is one statement (no semicolon, in a string
// too: a write then a query sent as one text would lose the query's
// rows): run as a query, its count of changed rows was lost, and the
// client was told 0.
func unparsedWrite(text string) bool {
	words := spacedWords(withoutComments(text))
	if strings.Contains(words, "RETURNING") || strings.Contains(text, ";") {
		return false
	}
	if strings.HasPrefix(words, " SET STATEMENT ") {
		i := strings.Index(words, " FOR ")
		if i < 0 || strings.ContainsAny(words[:i], "'\"`") {
			return false
		}
		words = words[i+4:]
	}
	for _, verb := range []string{" INSERT ", " UPDATE ", " DELETE ", " REPLACE "} {
		if strings.HasPrefix(words, verb) {
			return true
		}
	}
	return false
}

// runsAsWritten reports whether text begins as a statement whose
// expressions run when it does: a query, a write or DO, SET STATEMENT …
// FOR one, a CALL, or a compound statement (BEGIN NOT ATOMIC, IF, a
// labelled block…), rather than the definition of a procedure, function,
// trigger or event.
func runsAsWritten(text string) bool {
	words := leadingWords(text, 3)
	w, _, _ := strings.Cut(words, " ")
	switch w = strings.TrimLeft(w, "("); w {
	case "SELECT", "WITH", "DO", "INSERT", "REPLACE", "UPDATE", "DELETE", "VALUES", "TABLE", "CALL", "IF", "CASE", "WHILE", "LOOP", "REPEAT", "FOR", "":
		return true
	case "SET":
		return strings.HasPrefix(words, "SET STATEMENT ")
	case "BEGIN":
		return strings.HasPrefix(words, "BEGIN NOT ATOMIC")
	}
	return strings.HasSuffix(w, ":") // a label: lbl: BEGIN NOT ATOMIC …
}

// sqlSpace are the bytes MariaDB reads as spaces between words.
const sqlSpace = " \t\r\n\f\v"

// callArgs is the kind of call textCalls looks for.
type callArgs int

const (
	anyArgs  callArgs = iota // with arguments or without
	withArgs                 // with at least one
	noArgs                   // with none
)

// textCalls reports whether text, which the parser does not read, calls
// the function fn (upper-case), with the arguments args asks for, quoted
// (`fn`) or not. A call in a string counts too.
func textCalls(text, fn string, args callArgs) bool {
	upper := strings.ToUpper(strings.ReplaceAll(text, "`", ""))
	for rest := upper; ; {
		i := strings.Index(rest, fn)
		if i < 0 {
			return false
		}
		rest = strings.TrimLeft(rest[i+len(fn):], sqlSpace)
		in, ok := strings.CutPrefix(rest, "(")
		if !ok {
			continue
		}
		switch none := strings.HasPrefix(strings.TrimLeft(in, sqlSpace), ")"); {
		case args == anyArgs, args == withArgs && !none, args == noArgs && none:
			return true
		}
	}
}

// anyNode reports whether match holds for n or any node below it; the
// walk stops at the first.
func anyNode(n sqlparser.SQLNode, match func(sqlparser.SQLNode) bool) bool {
	if n == nil {
		return false
	}
	found := false
	_ = sqlparser.Walk(func(node sqlparser.SQLNode) (bool, error) {
		// Walk goes on to the siblings of a node it is told not to
		// descend into: found must stay set.
		found = found || match(node)
		return !found, nil
	}, n)
	return found
}

// tablesOf lists the tables a statement names.
func tablesOf(ast sqlparser.Statement) []string {
	var out []string
	seen := map[string]bool{}
	_ = sqlparser.Walk(func(node sqlparser.SQLNode) (bool, error) {
		if _, ok := node.(*sqlparser.ColName); ok {
			return false, nil // a column's qualifier names an alias, not a table
		}
		if t, ok := node.(sqlparser.TableName); ok && !t.Name.IsEmpty() {
			name := strings.ToLower(t.Name.String())
			if !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
		}
		return true, nil
	}, ast)
	// The walker does not enter RENAME TABLE's pairs, nor ALTER TABLE's
	// RENAME option.
	var renamed []sqlparser.TableName
	switch x := ast.(type) {
	case *sqlparser.RenameTable:
		for _, p := range x.TablePairs {
			renamed = append(renamed, p.FromTable, p.ToTable)
		}
	case *sqlparser.AlterTable:
		for _, o := range x.AlterOptions {
			if r, ok := o.(*sqlparser.RenameTableName); ok {
				renamed = append(renamed, r.Table)
			}
		}
	}
	for _, t := range renamed {
		if name := strings.ToLower(t.Name.String()); !t.Name.IsEmpty() && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

// argShapes finds a placeholder in a LIMIT or alone as a select
// expression.
func argShapes(ast sqlparser.Statement) bool {
	return anyNode(ast, func(n sqlparser.SQLNode) bool {
		switch x := n.(type) {
		case *sqlparser.Limit:
			_, a := x.Rowcount.(*sqlparser.Argument)
			_, b := x.Offset.(*sqlparser.Argument)
			return a || b
		case *sqlparser.AliasedExpr:
			_, a := x.Expr.(*sqlparser.Argument)
			return a
		}
		return false
	})
}

// KillText reports whether query, its comments left out (the SQL of an
// executable one kept), starts with KILL: the statements scalelab proxy
// answers itself, over its own connections. The router refuses these and
// every other statement that runs a KILL (errKill).
func KillText(query string) bool {
	w := strings.TrimLeft(withoutComments(query), sqlSpace+"(")
	return len(w) >= 4 && strings.EqualFold(w[:4], "kill") && (len(w) == 4 || !nameByte(w[4]))
}

// killStatement is the refusal of a parsed statement that runs, or may
// run, a KILL: KILL itself; a PREPARE of a KILL, which its EXECUTE would
// run, or of a statement the router cannot read (from a variable, an
// expression, a string with an introducer); the definition of a stored
// program with a KILL in its body, which a CALL would run. nil for any
// other.
func (c *classifier) killStatement(ast sqlparser.Statement, query string) error {
	switch x := ast.(type) {
	case *sqlparser.Kill:
		return errKill
	case *sqlparser.PrepareStmt:
		lit, ok := x.Statement.(*sqlparser.Literal)
		if !ok || lit.Type != sqlparser.StrVal {
			return errDynamicSQL
		}
		// The statement it prepares, as the router would classify it.
		if in := c.parse(lit.Val); runsKill(in.refused) {
			return in.refused
		}
	case *sqlparser.CreateProcedure:
		if textMentionsKill(query) {
			return errKill
		}
	}
	return nil
}

// runsKill reports whether refused is the refusal of a statement that
// runs, or may run, a KILL.
func runsKill(refused error) bool { return refused == errKill || refused == errDynamicSQL }

// textMentionsKill reports whether text holds KILL as a word anywhere,
// strings and comments included: a text the router reads as a string or
// a comment may not be one to the server (a versioned comment it skips,
// whose quote or -- the router reads as the start of a string or a
// comment; a client character set in which 0xa0 is a space). Only ASCII
// letters, digits, _ and $ make a word, and a digit before KILL does not
// (/*!100000KILL 5*/ runs it); a KILL right after a . or an @ is a name
// (t.kill, @kill).
func textMentionsKill(text string) bool {
	word := func(c byte) bool {
		return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '$'
	}
	for i := 0; i+4 <= len(text); i++ {
		if !strings.EqualFold(text[i:i+4], "kill") {
			continue
		}
		if p := text[max(i-1, 0)]; i > 0 && (word(p) && (p < '0' || p > '9') || p == '.' || p == '@') {
			continue
		}
		if i+4 < len(text) && word(text[i+4]) {
			continue
		}
		return true
	}
	return false
}

// textHasWord reports whether text, its comments left out
// (withoutComments), has word (upper-case) as a whole word outside its
// strings and quoted names.
func textHasWord(text, word string) bool {
	for i := 0; i < len(text); {
		switch c := text[i]; {
		case c == '\'' || c == '"' || c == '`':
			i = sqltext.QuoteEnd(text, i) + 1
		case nameByte(c):
			j := i + 1
			for j < len(text) && nameByte(text[j]) {
				j++
			}
			if strings.EqualFold(text[i:j], word) {
				return true
			}
			i = j
		default:
			i++
		}
	}
	return false
}
