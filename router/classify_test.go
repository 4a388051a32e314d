package router

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	c, err := newClassifier(0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		sql    string
		want   Kind
		tables string
	}{
		{"select * from images order by dt desc limit 5", Read, "[images]"},
		{"SELECT i.id FROM images i JOIN likes l ON l.image_id = i.id WHERE i.id = 3", Read, "[images likes]"},
		{"select 1 union select 2", Read, "[]"},
		{"select * from t where id = 1 for update", LockingRead, "[t]"},
		{"select * from t where id = 1 lock in share mode", LockingRead, "[t]"},
		{"select * from t for share", LockingRead, "[t]"},

		{"select get_lock('x', 1)", LockingRead, "[]"},
		// Sequences change on the server that runs them; files are
		// written on its host.
		{"SELECT NEXTVAL(s)", LockingRead, "[]"},
		{"SELECT SETVAL(s, 100)", LockingRead, "[]"},
		{"SELECT NEXT VALUE FOR s", LockingRead, "[]"},
		{"SELECT db.nextval(s)", Read, "[]"},
		{"SELECT * FROM t INTO OUTFILE '/tmp/t.txt'", LockingRead, "[t]"},
		{"SELECT 1 /*M! , NEXT VALUE FOR s */", LockingRead, "[]"},
		{"SELECT 1 /*M! , NEXTVAL(s), \\N */", LockingRead, "[]"},
		{"SELECT v INTO DUMPFILE '/tmp/v' FROM t LIMIT 1", LockingRead, "[t]"},
		{"SELECT v INTO @v FROM t LIMIT 1", Read, "[t]"},
		{"(select * from a) union (select * from b for update)", LockingRead, "[a b]"},
		{"insert into t (id) values (1)", Write, "[t]"},
		{"replace into t (id) values (1)", Write, "[t]"},
		{"update t set v = 1 where id = 2", Write, "[t]"},
		{"delete from t where id = 2", Write, "[t]"},
		{"create table t (id int primary key)", DDL, "[t]"},
		{"alter table t add index (v)", DDL, "[t]"},
		{"drop table t", DDL, "[t]"},
		{"begin", Begin, "[]"},
		{"start transaction", Begin, "[]"},
		{"commit", Commit, "[]"},
		{"rollback", Rollback, "[]"},
		{"savepoint a", TxOther, "[]"},
		{"set names utf8mb4", SessionState, "[]"},
		{"set @x = 1", SessionState, "[]"},
		{"use scalelab", SessionState, "[]"},
		{"show tables", Read, "[]"},
		{"explain select * from t", Read, "[]"},
		{"this is not sql", Unparsed, "[]"},
		{"select * from", Unparsed, "[]"},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			st := c.Classify(tc.sql)
			if st.Kind != tc.want {
				t.Errorf("got %s, want %s (err %v)", st.Kind, tc.want, st.Err)
			}
			if got := fmtList(st.Tables); tc.want != Unparsed && got != tc.tables && tc.tables != "[]" {
				t.Errorf("got tables %s, want %s", got, tc.tables)
			}
			if again := c.Classify(tc.sql); again != st {
				t.Error("second classification was not served from the cache")
			}
		})
	}
}

func fmtList(s []string) string {
	out := "["
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}

// FuzzClassify: no input panics the classifier, and anything that does not
// parse is Unparsed (which the router sends to the primary only).
func FuzzClassify(f *testing.F) {
	for _, s := range []string{"select 1", "select * from t where id in (1,2) for update", "insert into t values (1)", "begin", "set @a=1", "/* x */ select", "select * from t where a = 'unterminated",
		"SELECT c FROM t WHERE id = 1 /*M! FOR UPDATE */", "SELECT '/*M!' /*M! , GET_LOCK('a', 1) */", "CREATE /*M! /* n */ TEMPORARY */ TABLE x (id INT)",
		"/*!99999 don't */ SELECT 1 /*M! , 2 */", "SELECT 4 //**/ 2", "SELECT 'a\\' /*M! FOR UPDATE */ -- '"} {
		f.Add(s)
	}
	c, err := newClassifier(16)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		st := c.Classify(q)
		if st.Kind == Unparsed && st.Err == nil {
			t.Fatalf("unparsed %q without a parse error", q)
		}
		if st.Kind != Unparsed && st.AST == nil {
			t.Fatalf("%q classified %s without an AST", q, st.Kind)
		}
	})
}

func BenchmarkClassifyCached(b *testing.B) {
	c, _ := newClassifier(0)
	q := "select id, user_id, name, path, dt from images where id = 12345"
	c.Classify(q)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Classify(q)
	}
}

func BenchmarkClassifyUncached(b *testing.B) {
	c, _ := newClassifier(0)
	q := "select id, user_id, name, path, dt from images where id = 12345"
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.parse(q)
	}
}

// TestSticky checks which statements make state of their connection that a
// Session must keep its own connection for, parsed or not.
func TestSticky(t *testing.T) {
	c, err := newClassifier(0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		sql  string
		want bool
	}{
		{"SELECT GET_LOCK('a', 1)", true},
		{"select release_lock('a')", true},
		{"SELECT RELEASE_ALL_LOCKS()", true},
		{"SELECT IS_USED_LOCK('a') = CONNECTION_ID()", false}, // looks, takes nothing
		{"SELECT IS_FREE_LOCK('a')", false},
		{"DO GET_LOCK('a', 0)", true},
		{"SELECT id FROM t WHERE id IN (SELECT GET_LOCK('a', 0))", true},
		{"CREATE TEMPORARY TABLE tmp (id INT)", true},
		{"create temporary table tmp select * from t", true},
		{"DROP TEMPORARY TABLE tmp", true},
		{"LOCK TABLES t READ", true},
		{"UNLOCK TABLES", true},
		{"PREPARE s FROM 'SELECT 1'", true},
		{"EXECUTE s", true},
		{"DEALLOCATE PREPARE s", true},
		{"HANDLER t OPEN", true},
		{"/* c */ handler t read first", true},
		{"BACKUP LOCK t", true},
		{"SELECT GET_LOCK('a', 1) FROM DUAL WHERE 1 LIMIT ROWS EXAMINED 5", true},
		{"SELECT `GET_LOCK`('a', 1)", true},
		{"SELECT get_lock ('a', 1)", true},
		{"SELECT 'get_lock', `get_lock` ('a', 1) FROM DUAL WHERE 1 LIMIT ROWS EXAMINED 5", true},
		{"CREATE OR REPLACE TEMPORARY TABLE tmp (id INT)", true},
		{"CREATE TEMPORARY SEQUENCE s", true},
		{"FLUSH TABLES WITH READ LOCK", true},
		{"FLUSH TABLES t WITH READ LOCK", true},
		{"FLUSH TABLES t FOR EXPORT", true},
		{"BACKUP STAGE START", true},
		{"LOCK TABLE t WRITE", true},
		{"SET ROLE r", true},
		{"DROP PREPARE s", true},
		// A procedure runs on its caller's connection: what it SETs
		// and creates stays there.
		{"CALL p()", true},
		{"call p", true},
		{"/* c */ CALL db.p(1, 'a')", true},
		{"CALL p()\f", true}, // the parser does not read it
		{"SELECT 'CALL p()' FROM t", false},
		{"FLUSH TABLES", false},
		{"SELECT * FROM t WHERE id = 1 FOR UPDATE", false},
		{"SELECT 'GET_LOCK' FROM t", false},
		{"CREATE TABLE tmp (id INT)", false},
		{"DROP TABLE tmp", false},
		{"SELECT * FROM locks", false},
		{"SET @v = 1", false},
		{"INSERT INTO t VALUES (1)", false},
		// MariaDB runs what /*M! … */ holds; the parser skips it.
		{"CREATE /*M! TEMPORARY */ TABLE tmp (id INT)", true},
		{"CREATE /*M!100100 TEMPORARY */ TABLE tmp (id INT)", true},
		{"SELECT /*M! GET_LOCK('a', 1), */ 1", true},
		{"SELECT /*M!100000 RELEASE_LOCK('a') + */ 1 FROM t", true},
		{"CREATE /*M! OR REPLACE */ TABLE tmp (id INT)", false},
		{"SELECT 1 /*M! + 1 */ FROM t", false},
		{"SELECT /* GET_LOCK('a', 1) */ 1", false},
		// Texts the parser cannot read (\f, \N): a comment or a line
		// break between a function's name and its parenthesis, or none.
		{"SELECT GET_LOCK/**/('L', 0)\f", true},
		{"SELECT GET_LOCK\n('L', 0), \\N", true},
		{"SELECT 1 /* GET_LOCK('L', 0) */\f", false},
	}
	for _, tc := range tests {
		if got := c.Classify(tc.sql).Sticky; got != tc.want {
			t.Errorf("%s: sticky %v, want %v", tc.sql, got, tc.want)
		}
	}
}

// TestIsCall: a CALL, parsed or not, is one; a text naming one is not.
func TestIsCall(t *testing.T) {
	c, err := newClassifier(0)
	if err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]bool{
		"CALL p()": true, "call db.p(1)": true, "/* c */ CALL p": true, "CALL p()\f": true,
		"SELECT 'CALL p()'": false, "DO 1": false, "CALLS": false, "SELECT 1 /* CALL p() */\f": false,
	} {
		if got := c.Classify(q).IsCall(); got != want {
			t.Errorf("%q: IsCall %v, want %v", q, got, want)
		}
	}
}

// TestConnectionIDFlag: which statements call CONNECTION_ID() as they
// run, so that a Session keeps the connection whose id they answer.
func TestConnectionIDFlag(t *testing.T) {
	c, err := newClassifier(100)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		sql  string
		want bool
	}{
		{"SELECT CONNECTION_ID()", true},
		{"select connection_id() + 1 FROM t WHERE id = 1", true},
		{"UPDATE jobs SET owner = CONNECTION_ID() WHERE owner IS NULL LIMIT 1", true},
		{"SELECT id FROM jobs WHERE owner = CONNECTION_ID()", true},
		{"SET @me = CONNECTION_ID()", true},
		{"SELECT IS_USED_LOCK('a') = CONNECTION_ID()", true},
		{"SELECT * FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()", true},
		{"SELECT 1 /*M! , CONNECTION_ID() */", true},
		{"SELECT CONNECTION_ID/**/()\f", true}, // unparsed
		{"CREATE TABLE t2 AS SELECT CONNECTION_ID() AS c", true},
		{"SELECT mariadb_schema.CONNECTION_ID()", true}, // MariaDB's name of the built-in
		{"SELECT Oracle_Schema.connection_id()", true},
		// Called later, by another connection, or not at all.
		{"CREATE VIEW v AS SELECT CONNECTION_ID()", false},
		{"CREATE PROCEDURE p() SELECT CONNECTION_ID()", false},
		{"SELECT db.connection_id()", false},
		{"SELECT 'CONNECTION_ID()'", false},
		{"SELECT 1 /* CONNECTION_ID() */", false},
		{"SELECT connection_id FROM t", false},
	} {
		if got := c.Classify(tc.sql).ConnectionID; got != tc.want {
			t.Errorf("%s: ConnectionID %v, want %v", tc.sql, got, tc.want)
		}
	}
	// The router answers it by rewriting the statement, which a text it
	// cannot parse, or a MariaDB comment, keeps it from: refused.
	for _, q := range []string{
		"SET STATEMENT max_statement_time = 10 FOR UPDATE jobs SET owner = CONNECTION_ID() WHERE id = 1",
		"BEGIN NOT ATOMIC SELECT CONNECTION_ID(); END",
		"lbl: BEGIN NOT ATOMIC SELECT CONNECTION_ID(); END",
		"SELECT 1 /*M! , CONNECTION_ID() */",
	} {
		if st := c.Classify(q); !errors.Is(st.refused, errUnparsedReadsSession) && !errors.Is(st.refused, errCommentReadsSession) {
			t.Errorf("%s: refused %v, want the refusal of a session value the router cannot rewrite", q, st.refused)
		}
	}
}

// TestUnparsedWrite: which statements the parser cannot read run as
// writes, for their count of changed rows; any that may return rows does
// not.
func TestUnparsedWrite(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"SET STATEMENT max_statement_time=10 FOR UPDATE t SET a = 7 WHERE id IN (1, 2)", true},
		{"set statement max_statement_time = 10 for delete from t where id = 1", true},
		{"SET STATEMENT max_statement_time=10 FOR INSERT INTO t (id) VALUES (1)", true},
		{"/* c */ SET STATEMENT a=1, b=2 FOR REPLACE INTO t (id) VALUES (1)", true},
		{"SET STATEMENT max_statement_time=10 FOR SELECT * FROM t FOR UPDATE", false},
		{"SET STATEMENT max_statement_time=10 FOR DELETE FROM t WHERE id = 1 RETURNING id", false},
		{"DELETE FROM t WHERE id = 1 RETURNING id", false},
		{"INSERT INTO t (id) VALUES (1) RETURNING *", false},
		{"SET STATEMENT x='a FOR UPDATE b' FOR SELECT 1", false},
		{"SET STATEMENT max_statement_time=10", false},
		{"SELECT 1 FROM DUAL WHERE 1 = 1 LIMIT ROWS EXAMINED 10", false},
		{"BEGIN NOT ATOMIC UPDATE t SET a = 1; END", false},
		{"SET STATEMENT max_statement_time=10 FOR UPDATE t SET a = 1; SELECT * FROM t", false},
		{"SET STATEMENT max_statement_time=10 FOR UPDATE t SET a = ';'", false},
	} {
		if got := unparsedWrite(tc.text); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.text, got, tc.want)
		}
	}
}

// TestMariaDBCommentFlags: the SQL of a /*M! … */ comment, which MariaDB
// runs and the parser skips, counts for the flags that make a session keep
// its connections or refuse a statement: as if written plainly, or, where
// the plain text does not parse, from the comments' SQL alone (never from
// a string outside them). A lock a comment adds to a read makes it a
// locking read. A read of the session's values in a text with such a
// comment is flagged for refusal (CommentReadsSession), not for the
// rewrite, which works on the syntax tree: it holds neither the comment's
// calls nor the comment.
func TestMariaDBCommentFlags(t *testing.T) {
	c, err := newClassifier(0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		sql                                   string
		sticky, assigns, setsID, readsSession bool
		commentReads                          bool
		kind                                  Kind
	}{
		{sql: "CREATE /*M! TEMPORARY */ TABLE tmp (id INT)", sticky: true, kind: DDL},
		// A comment whose body holds */ (in a comment or a string of its
		// own) ends the parser's comment early: the text is unparsed,
		// for the primary, and its flags are those of the SQL MariaDB
		// runs.
		{sql: "CREATE /*M! /* a note */ TEMPORARY */ TABLE tmp (id INT)", sticky: true, kind: Unparsed},
		{sql: "CREATE /*M! -- a note\n TEMPORARY */ TABLE tmp (id INT)", sticky: true, kind: DDL},
		{sql: "CREATE /*M! # a note */\n TEMPORARY */ TABLE tmp (id INT)", sticky: true, kind: Unparsed},
		{sql: "SELECT 1 /*M! INTO @v */", assigns: true, kind: Read},
		{sql: "SELECT /*M! @v := */ 1", assigns: true, kind: Read},
		{sql: "SELECT /*M! '*/', @v := */ 1", assigns: true, kind: Unparsed},
		{sql: "SELECT /*M! LAST_INSERT_ID(5) + */ 1", setsID: true, kind: Read},
		// The plain text does not parse (RETURNING, ROWS EXAMINED): the
		// comments' SQL alone decides.
		{sql: "UPDATE t SET note = 'x:=1' WHERE id = 1 /*M! RETURNING id */", kind: Write},
		{sql: "SELECT id FROM t WHERE note = 'a := b' /*M! LIMIT ROWS EXAMINED 1000 */", kind: Read},
		{sql: "DELETE FROM t WHERE note = 'x INTO @y' /*M! RETURNING id */", kind: Write},
		{sql: "SELECT a FROM t WHERE b = 'GET_LOCK(' /*M!100000 LIMIT ROWS EXAMINED 5 */", kind: Read},
		{sql: "DELETE FROM t WHERE id = 1 /*M! RETURNING GET_LOCK('a', 1) */", sticky: true, kind: Write},
		{sql: "DELETE FROM t WHERE id = 1 /*M! RETURNING @v := id */", assigns: true, kind: Write},
		{sql: "DELETE FROM t WHERE id = 1 /*M! RETURNING LAST_INSERT_ID(id) */", setsID: true, kind: Write},
		// Locks: for the primary.
		{sql: "SELECT c FROM t WHERE id = 1 /*M! FOR UPDATE */", kind: LockingRead},
		{sql: "SELECT c FROM t WHERE id = 1 /*M!100300 LOCK IN SHARE MODE */", kind: LockingRead},
		{sql: "SELECT c FROM t WHERE id = 1 /*M! FOR UPDATE SKIP LOCKED */", kind: LockingRead},
		{sql: "SELECT c FROM t WHERE note = 'FOR UPDATE' /*M! LIMIT ROWS EXAMINED 5 */", kind: Read},
		{sql: "SELECT c FROM t WHERE id = 1 LIMIT 1 /*M! ROWS EXAMINED 10 FOR UPDATE */", kind: LockingRead},
		// Reads of the session's values: refused.
		{sql: "SELECT 1 FROM t /*M! WHERE ROW_COUNT() > 0 */", commentReads: true, kind: Read},
		{sql: "INSERT INTO t (a) VALUES (1 /*M! + LAST_INSERT_ID() */)", commentReads: true, kind: Write},
		{sql: "SELECT /*M! FOUND_ROWS() + */ 1", commentReads: true, kind: Read},
		{sql: "SELECT LAST_INSERT_ID() /*M! , 2 */", readsSession: true, commentReads: true, kind: Read},
		{sql: "SELECT a FROM t WHERE b = 1 /*M! AND ROW_COUNT() > 0 LIMIT ROWS EXAMINED 5 */", commentReads: true, kind: Read},
		{sql: "DELETE FROM t WHERE id = 1 /*M! RETURNING LAST_INSERT_ID(), LAST_INSERT_ID(id) */", setsID: true, commentReads: true, kind: Write},
		{sql: "SELECT 1 /*M! + 2 */ FROM t", kind: Read},
		{sql: "SELECT '/*M! nothing' FROM t", kind: Read},
		{sql: "SELECT LAST_INSERT_ID()", readsSession: true, kind: Read},
		// A marker in a string or another comment is none, and hides no
		// real one after it.
		{sql: "SELECT c FROM t WHERE note = '/*M!' /*M! FOR UPDATE */", kind: LockingRead},
		{sql: "SELECT c FROM t WHERE note = 'x' # see /*M!\n /*M! FOR UPDATE */", kind: LockingRead},
		{sql: "SELECT c FROM t WHERE note = 'x' -- see /*M!\n /*M! FOR UPDATE */", kind: LockingRead},
		{sql: "SELECT '/*M!', 1 /*M! + LAST_INSERT_ID() */", commentReads: true, kind: Read},
		{sql: "SELECT '/*M!' /*M! , LAST_INSERT_ID() */, '*/'", commentReads: true, kind: Read},
		{sql: "SELECT '/*M!' /*M! , GET_LOCK('a', 1) */", sticky: true, kind: LockingRead},
		{sql: "CREATE /* '/*M!' */ /*M! TEMPORARY */ TABLE x (id INT)", sticky: true, kind: DDL},
		{sql: "SELECT c FROM t WHERE b = 1 LIMIT 1 /*M! ROWS EXAMINED 10 FOR#x\nUPDATE */", kind: LockingRead},
		// The parser ends the comment at the inner */: unparsed, for the
		// primary.
		{sql: "SELECT c FROM t WHERE b = 1 LIMIT 1 /*M! ROWS EXAMINED 10 FOR/* x */UPDATE */", kind: Unparsed},
		// A view's calls run when it is read, on that connection.
		{sql: "SELECT 1 /*M! , GET_LOCK\f('a', 1) */", sticky: true, kind: Read},
		{sql: "SELECT 1 /*M! + LAST_INSERT_ID\v() */", commentReads: true, kind: Read},
		{sql: "SELECT c FROM t WHERE a = 'x' /*M! --\x7f ' \n FOR UPDATE */", kind: LockingRead},
		{sql: "CREATE VIEW v AS SELECT LAST_INSERT_ID() AS id", kind: DDL},
		{sql: "CREATE TABLE t2 AS SELECT LAST_INSERT_ID() AS id", readsSession: true, kind: DDL},
	}
	for _, tc := range tests {
		st := c.Classify(tc.sql)
		if st.refused != nil && !errors.Is(st.refused, errCommentReadsSession) {
			t.Errorf("%s: refused: %v", tc.sql, st.refused)
		}
		got := [5]bool{st.Sticky, st.Assigns, st.SetsLastInsertID, st.LastInsertID || st.RowCount || st.FoundRows, errors.Is(st.refused, errCommentReadsSession)}
		want := [5]bool{tc.sticky, tc.assigns, tc.setsID, tc.readsSession, tc.commentReads}
		if got != want {
			t.Errorf("%s: sticky, assigns, sets LAST_INSERT_ID, reads session values, reads them with a comment: %v, want %v", tc.sql, got, want)
		}
		if st.Kind != tc.kind {
			t.Errorf("%s: kind %v, want %v", tc.sql, st.Kind, tc.kind)
		}
	}
}

// TestParserReadsOtherwise: texts the parser reads otherwise than the
// server may are refused, whatever they do; those it reads alike are not.
// A // the parser takes for a comment is a division to MariaDB, and then
// the rest of the line runs (the first text locks); a versioned comment
// holding a */ in a string of its own ends there on a server its version
// leaves out (MariaDB, for 50700 to 99999). A text with a /*M! comment is
// refused as unread when the router cannot read it as every server
// would: a comment, string or quoted name that does not end, a text read
// otherwise without backslash escapes, and a versioned comment (/*!NNNNN,
// /*M!NNNNNN) holding a */ that a server it leaves out would end it at.
func TestParserReadsOtherwise(t *testing.T) {
	c, err := newClassifier(0)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		sql  string
		want error
	}{
		{"SELECT c FROM t WHERE a = 1 //**/ 2 FOR UPDATE", errSlashSlash},
		{"SELECT GET_LOCK/**/('a', 1) //**/ 1", errSlashSlash},
		{"SELECT FOUND_ROWS() //**/ 1", errSlashSlash},
		{"SELECT id /*!50000 , '*/' */ //**/ 2 FROM t FOR UPDATE", errSlashSlash},
		{"SELECT @a' //', 1 FROM t FOR UPDATE", errSlashSlash},
		{"SELECT c FROM t /*!50700 '*/ FOR UPDATE -- ' */", errVersionedUnread},
		{"SELECT id /*!90000 ' */ //**/ 2 FROM t FOR UPDATE", errSlashSlash},
		{"SELECT 'http://x' FROM t", nil},
		{"SELECT * FROM users WHERE id = 1 AND name = 'O\\'Brien' AND bio = 'see http://x'", nil},
		{"SELECT 1 FROM t -- see //\n WHERE a = 1", nil},
		{"SELECT 1 FROM t /* // */ WHERE a = 1", nil},
		{"SELECT c FROM t /*!50700 FOR UPDATE */", nil},
		{"SELECT c FROM t WHERE a = 4 / 2", nil},
		{"SELECT 'a\\' /*M! FOR UPDATE */ -- '", errCommentUnread},
		{"/*!99999 don't */ SELECT c FROM t WHERE id = 1 /*M! FOR UPDATE */ /*!99999 won't */", errCommentUnread},
		{"SELECT c FROM t WHERE a = 'x' /*!90000 ' */ /*M! FOR UPDATE */ -- ' */", errCommentUnread},
		{"SELECT c FROM t WHERE a = 'x' /*!999999 ' */ /*M! FOR UPDATE */ -- ' */", errCommentUnread},
		{"SELECT c FROM t WHERE a = 'x' /*M!999999 ' */ /*M! FOR UPDATE */ -- ' */", errCommentUnread},
		{"CREATE /*!90000 ' */ /*M! TEMPORARY */ TABLE x (id INT) -- ' */", errCommentUnread},
		// A versioned comment with no */ of its own reads alike either way.
		{"CREATE /*M!100100 TEMPORARY */ TABLE x (id INT)", nil},
		{"SELECT /*!50000 1 */ /*M! , 2 */", nil},
		// The parser takes quotes into a variable's unquoted name, and
		// ends a quoted one at a byte an unquoted one cannot hold: MariaDB
		// locks for each of the first four.
		{"SELECT @a'#', 1 FROM t FOR UPDATE", errVariableUnread},
		{"SELECT @a\"#\", 1 FROM t FOR UPDATE", errVariableUnread},
		{"SELECT @'a''#', 1 FROM t FOR UPDATE", errVariableUnread},
		{"SELECT @@sql_mode'#', 1 FROM t FOR UPDATE", errVariableUnread},
		{"SELECT @a`x`, 1 FROM t", errVariableUnread},
		{"SELECT @a '#', 1 FROM t FOR UPDATE", nil},
		{"SELECT @'abc', @\"d$e\", @`a'#` FROM t", nil},
		{"SELECT @@session.sql_mode, @a.b, @a_b$c, @x:=1 FROM t", nil},
		{"SELECT 1 FROM t WHERE a = '@b''#' FOR UPDATE", nil},
		// MariaDB skips a versioned comment of MySQL 5.7 on, which the
		// parser runs: refused where the skipped text routes with more care.
		{"/*!80000 EXPLAIN */ DELETE FROM t WHERE id = 1", errVersionedReadsOtherwise},
		{"/*!50700 EXPLAIN */ SELECT a FROM t WHERE id = 1 FOR UPDATE", errVersionedReadsOtherwise},
		{"/*!80040 DESCRIBE */ SELECT GET_LOCK('L', 0)", errVersionedReadsOtherwise},
		{"SELECT /*!80000 LAST_INSERT_ID(), */ 1", errVersionedReadsOtherwise},
		{"SELECT 1 /*!90000 , 2 */", nil},
		{"SELECT 1 /*!80000 , 2 */ FROM t /*!40101 FOR UPDATE */", nil},
		{"/*!80000 EXPLAIN */ SELECT LAST_INSERT_ID()", errVersionedReadsOtherwise},
		// The connection's last value of a sequence.
		{"SELECT LASTVAL(s)", errSequenceSession},
		{"INSERT INTO t (id) VALUES (LASTVAL(s))", errSequenceSession},
		{"SELECT PREVIOUS VALUE FOR s", errSequenceSession},
		{"SELECT PREVIOUS\n VALUE /* x */ FOR s", errSequenceSession},
		{"CREATE VIEW v AS SELECT LASTVAL(s)", nil},
		{"CREATE TABLE t2 AS SELECT LASTVAL(s) AS v", errSequenceSession},
		// The same, in SQL that MariaDB runs and the parser skips.
		{"SELECT /*M! @a'#', */ id FROM t WHERE id = 1 /*M! FOR UPDATE */", errVariableUnread},
		{"SELECT 1 /*M! , LASTVAL(s) */", errSequenceSession},
		{"SELECT 1 /*M! , PREVIOUS VALUE FOR s */", errSequenceSession},
		{"SELECT /*!80000 db. */ LASTVAL(s)", errVersionedReadsOtherwise},
		{"SET NAMES /*!80000 utf8mb4, @x = */ 'gbk'", errVersionedReadsOtherwise},
		{"/*!50700 SELECT 1 */", nil},
		{"SELECT @@session.`sql_mode`, @a.`b` FROM t", nil},
		{"SELECT db.lastval(s), NEXTVAL(s)", nil},
		// KILL names a connection of one server: every form, parsed or
		// not (MariaDB's HARD and SOFT, QUERY ID, USER, an expression).
		{"KILL 5", errKill},
		{"kill connection 5", errKill},
		{"KILL QUERY 5", errKill},
		{"/* a */ KILL 5", errKill},
		{"KILL/**/5", errKill},
		{"KILL HARD QUERY 5", errKill},
		{"KILL SOFT CONNECTION 5", errKill},
		{"KILL QUERY ID 5", errKill},
		{"KILL USER scalelab", errKill},
		{"KILL CONNECTION USER 'scalelab'@'%'", errKill},
		{"KILL (5)", errKill},
		{"KILL 2+3", errKill},
		{"KILL(5)", errKill},
		{"/*!KILL 5 */", errKill},
		{"# a\nKILL 5", errKill},
		{"-- a\n\v KILL 5", errKill},
		{"KILL\v5", errKill},
		{"SET STATEMENT max_statement_time = 1 FOR KILL QUERY 5", errKill},
		{"PREPARE s FROM 'KILL /* x */ 5'", errKill},
		{"PREPARE s FROM 'SELECT \\'KILL 5\\''", nil},
		{"/*M! KILL HARD 5 */", errKill},
		{"/*M!100000 KILL 5 */", errKill},
		{"SELECT 1 /*M! , 2 */; KILL 5", errKill},
		{"SELECT kill_count FROM killers", nil},
		{"SELECT 'kill' FROM t", nil},
		{"SELECT `kill` FROM t", nil},
		{"SELECT 'KILL 5'", nil},
	} {
		st := c.Classify(tc.sql)
		if tc.want == nil && st.refused != nil || tc.want != nil && !errors.Is(st.refused, tc.want) {
			t.Errorf("%s: refused %v, want %v", tc.sql, st.refused, tc.want)
		}
	}
}

func TestMariaDBPlain(t *testing.T) {
	for _, tc := range []struct {
		in, plain, bodies string
		ok                bool
	}{
		{"SELECT 1", "SELECT 1", "", true},
		{"CREATE /*M! TEMPORARY */ TABLE t", "CREATE   TEMPORARY   TABLE t", " TEMPORARY  ", true},
		{"CREATE /*M!100100 TEMPORARY*/ TABLE t", "CREATE   TEMPORARY  TABLE t", " TEMPORARY ", true},
		{"SELECT /*M!50500 1*/ + /*M!1 */", "SELECT   1  +  1  ", " 1 1  ", true},
		// MariaDB reads a body as SQL: its strings, quoted names and
		// comments may hold */; the bodies leave its comments out.
		{"CREATE /*M! /* a */ TEMPORARY */ TABLE t", "CREATE   /* a */ TEMPORARY   TABLE t", "   TEMPORARY  ", true},
		{"SELECT /*M! 'a*/b', */ 1", "SELECT   'a*/b',   1", " 'a*/b',  ", true},
		{"SELECT /*M! 'it''s */', \"q\"\"*/\", */ 1", "SELECT   'it''s */', \"q\"\"*/\",   1", " 'it''s */', \"q\"\"*/\",  ", true},
		{"SELECT /*M! \"q\\\"*/\", */ 1", "SELECT /*M! \"q\\\"*/\", */ 1", "", false}, // read otherwise without backslash escapes
		{"SELECT /*M! `c*/` */ 1", "SELECT   `c*/`   1", " `c*/`  ", true},
		{"SELECT /*M! 2 -- x */\n , */ 1", "SELECT   2 -- x */\n ,   1", " 2   ,  ", true},
		{"SELECT /*M! 2 --x */ 1", "SELECT   2 --x   1", " 2 --x  ", true},
		// A marker outside the SQL is none.
		{"SELECT '/*M! x */' /*M! , 2 */", "SELECT '/*M! x */'   , 2  ", " , 2  ", true},
		{"SELECT /* /*M! x */ 1", "SELECT /* /*M! x */ 1", "", true},
		{"SELECT 1 -- /*M! x */", "SELECT 1 -- /*M! x */", "", true},
		{"SELECT `/*M!` /*M! + 1 */", "SELECT `/*M!`   + 1  ", " + 1  ", true},
		// What does not end is not read.
		{"SELECT /*M! unclosed", "SELECT /*M! unclosed", "", false},
		{"SELECT /*M!x*/ 1 /*M! and an unclosed one", "SELECT /*M!x*/ 1 /*M! and an unclosed one", "", false},
		{"SELECT /*M! 'unclosed */ 1", "SELECT /*M! 'unclosed */ 1", "", false},
		{"SELECT /*M! /* unclosed", "SELECT /*M! /* unclosed", "", false},
		// Read otherwise without backslash escapes (NO_BACKSLASH_ESCAPES,
		// ANSI_QUOTES): a lock, or a string.
		{"SELECT 'a\\' /*M! FOR UPDATE */ -- '", "SELECT 'a\\' /*M! FOR UPDATE */ -- '", "", false},
		{"SELECT \"a\\\" /*M! FOR UPDATE */ -- \"", "SELECT \"a\\\" /*M! FOR UPDATE */ -- \"", "", false},
		{"SELECT 'a\\n' /*M! , 1 */", "SELECT 'a\\n'   , 1  ", " , 1  ", true},
		{"SELECT 'no marker", "SELECT 'no marker", "", true},
	} {
		plain, bodies, ok := mariaDBPlain(tc.in)
		if plain != tc.plain || bodies != tc.bodies || ok != tc.ok {
			t.Errorf("mariaDBPlain(%q) = %q, %q, %v; want %q, %q, %v", tc.in, plain, bodies, ok, tc.plain, tc.bodies, tc.ok)
		}
	}
}

// TestLongStatementsAreNotCached: a long statement's syntax tree is not
// kept after it ran.
func TestLongStatementsAreNotCached(t *testing.T) {
	c, err := newClassifier(10)
	if err != nil {
		t.Fatal(err)
	}
	long := "SELECT * FROM images WHERE id = 1" + strings.Repeat(" OR id = 2", maxCachedBytes/10)
	if st := c.Classify(long); st.Kind != Read {
		t.Fatalf("kind %v, want read", st.Kind)
	}
	c.Classify("SELECT 1")
	if n := len(c.cache); n != 1 {
		t.Errorf("cache holds %d statements, want 1 (the short one)", n)
	}
}

// TestClassifierCacheKeepsWorkingSet: statements with literals inlined,
// one more of them than the cache holds, sent in random order, are parsed
// again rarely: the cache makes room one statement at a time, not by
// starting over.
func TestClassifierCacheKeepsWorkingSet(t *testing.T) {
	const size, rounds = 100, 50
	c, err := newClassifier(size)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range rounds * (size + 1) {
		c.Classify(fmt.Sprintf("SELECT c FROM sbtest1 WHERE id = %d", rng.IntN(size+1)))
	}
	// Each statement is parsed once to start with; after that a miss
	// needs the one statement out of the cache, about 1 in size+1 (1%),
	// where starting over missed about 1 in 6 here.
	calls, again := rounds*(size+1), c.parsed.Load()-(size+1)
	if again > uint64(calls)/20 {
		t.Errorf("%d of %d statements parsed again, want at most 5%%", again, calls)
	}
	if n := len(c.cache); n > size {
		t.Errorf("the cache holds %d statements, more than its %d", n, size)
	}
}

// TestUnparsedTextChecks: in a text the parser cannot read (here for its
// \f or \N), the checks for a variable's assignment and the session's
// values read through comments, line breaks and missing spaces, as
// MariaDB does.
func TestUnparsedTextChecks(t *testing.T) {
	c, err := newClassifier(0)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		sql             string
		assigns, setsID bool
		refused         error
	}{
		{"SELECT 1 INTO/**/@x\f", true, false, nil},
		{"SELECT 1 INTO@x\f", true, false, nil},
		{"SELECT 1 INTO\n@x\f", true, false, nil},
		{"SELECT 1 /*!50000 INTO @x */\f", true, false, nil},
		{"SELECT 1 INTO OUTFILE '/tmp/x'\f", false, false, nil},
		{"SELECT LAST_INSERT_ID/**/(5)\f", false, true, nil},
		{"SELECT LAST_INSERT_ID/**/()\f", false, false, errUnparsedReadsSession},
		{"SELECT LAST_INSERT_ID(/**/)\f", false, false, errUnparsedReadsSession},
		{"SELECT \\N, ROW_COUNT -- x\n ()", false, false, errUnparsedReadsSession},
		{"SELECT 1 -- LAST_INSERT_ID()\n\f", false, false, nil},
		{"SELECT LASTVAL/**/(s)\f", false, false, errSequenceSession},
	} {
		st := c.Classify(tc.sql)
		if st.Kind != Unparsed {
			t.Errorf("%q: kind %v; the test wants a text the parser cannot read", tc.sql, st.Kind)
		}
		if st.Assigns != tc.assigns || st.SetsLastInsertID != tc.setsID || !errors.Is(st.refused, tc.refused) || tc.refused == nil && st.refused != nil {
			t.Errorf("%q: assigns %v, sets LAST_INSERT_ID %v, refused %v; want %v, %v, %v", tc.sql, st.Assigns, st.SetsLastInsertID, st.refused, tc.assigns, tc.setsID, tc.refused)
		}
	}
}

func TestKillText(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  bool
	}{
		{"KILL 5", true},
		{"kill query 5", true},
		{"  (KILL 5)", true},
		{"\v\fKILL 5", true},
		{"/* a */ KILL 5", true},
		{"# a\nKILL 5", true},
		{"-- a\nKILL 5", true},
		{"/*!KILL 5 */", true},
		{"/*M! KILL */ 5", true},
		{"KILL", true},
		{"KILL/**/5", true},
		{"KILLS 5", false},
		{"SELECT 'KILL 5'", false},
		{"SET STATEMENT max_statement_time = 1 FOR KILL 5", false}, // refused by the router, not answered
		{"/* KILL 5 */ SELECT 1", false},
		{"", false},
	} {
		if got := KillText(tc.query); got != tc.want {
			t.Errorf("KillText(%q) = %v, want %v", tc.query, got, tc.want)
		}
	}
}

// TestDiagnosticsRefused: the statements that read the diagnostics of the
// statement before, which ran on another connection, are refused; those
// that name such words otherwise are not.
func TestDiagnosticsRefused(t *testing.T) {
	c, err := newClassifier(100)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		sql  string
		want bool
	}{
		{"SHOW WARNINGS", true},
		{"show warnings limit 1, 2", true},
		{"SHOW ERRORS", true},
		{"SHOW COUNT(*) WARNINGS", true},
		{"show count ( * ) errors", true},
		{"SELECT @@warning_count", true},
		{"SELECT @@session.error_count, 1", true},
		{"SELECT @@WARNING_COUNT + 0 FROM t WHERE id = 1", true},
		{"GET DIAGNOSTICS @n = NUMBER", true},
		{"GET CURRENT DIAGNOSTICS CONDITION 1 @m = MESSAGE_TEXT", true},
		{"SET STATEMENT max_statement_time = 1 FOR SELECT @@warning_count", true},
		{"SET STATEMENT max_statement_time=100 FOR SHOW WARNINGS", true},
		{"SET STATEMENT max_statement_time=100 FOR SHOW COUNT(*) WARNINGS", true},
		{"GET DIAGNOSTICS@n=NUMBER", true},
		{"PREPARE s FROM 'SHOW WARNINGS'", true},
		{"PREPARE s FROM 'SELECT @@warning_count'", true},
		{"PREPARE s FROM 'SELECT FOUND_ROWS()'", true},
		{"SELECT @@identity", true},
		{"SELECT @@session.last_insert_id + 1", true},
		{"SHOW SESSION VARIABLES LIKE 'last_insert_id'", true},
		{"SHOW VARIABLES LIKE 'identity'", true},
		{"SHOW VARIABLES WHERE Variable_name = 'warning_count'", true},
		{"SELECT @@max_error_count FROM t LIMIT 1 ROWS EXAMINED 5", false},
		{"SHOW VARIABLES LIKE 'max_connections'", false},
		{"SHOW VARIABLES LIKE '%id%'", true},
		{"SHOW SESSION VARIABLES LIKE 'last\\_insert\\_id'", true},
		{"SHOW VARIABLES LIKE 'max_error_count'", false},
		{"PREPARE s FROM 'SELECT 1'", false},
		// A user variable, a column, a stored program's own diagnostics.
		{"SELECT @warning_count", false},
		{"SELECT warning_count FROM t", false},
		{"CREATE PROCEDURE p() SELECT @@warning_count", false},
		{"CREATE PROCEDURE p() BEGIN DECLARE n INT; GET DIAGNOSTICS n = NUMBER; END", false},
		{"SHOW VARIABLES LIKE 'max_error_count'", false},
	} {
		if got := errors.Is(c.Classify(tc.sql).refused, ErrConnectionValue); got != tc.want {
			t.Errorf("%s: refused as a read of diagnostics %v, want %v", tc.sql, got, tc.want)
		}
	}
}

// TestTxControlUnparsed: the forms of transaction control the parser does
// not read are the statements they mean, or refused; none runs unparsed,
// on a pooled connection (BEGIN WORK left one in a transaction, where
// other sessions' writes went uncommitted).
func TestTxControlUnparsed(t *testing.T) {
	c, err := newClassifier(0)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		sql     string
		want    Kind
		refused string // a refusal naming it, or ""
	}{
		{"BEGIN WORK", Begin, ""},
		{"begin work;", Begin, ""},
		{"BEGIN /* c */ WORK", Begin, ""},
		{"COMMIT WORK", Commit, ""},
		{"COMMIT AND NO CHAIN", Commit, ""},
		{"COMMIT WORK AND NO CHAIN NO RELEASE", Commit, ""},
		{"COMMIT NO RELEASE", Commit, ""},
		{"ROLLBACK WORK", Rollback, ""},
		{"ROLLBACK WORK AND NO CHAIN", Rollback, ""},
		{"ROLLBACK WORK TO SAVEPOINT sp1", TxOther, ""},
		{"ROLLBACK WORK TO sp1", TxOther, ""},
		{"COMMIT AND CHAIN", Unparsed, "AND CHAIN or RELEASE"},
		{"COMMIT WORK RELEASE", Unparsed, "AND CHAIN or RELEASE"},
		{"ROLLBACK AND CHAIN", Unparsed, "AND CHAIN or RELEASE"},
		{"XA START 'x'", Unparsed, "XA transactions"},
		{"xa commit 'x' one phase", Unparsed, "XA transactions"},
		{"XA PREPARE 'x'", Unparsed, "XA transactions"},
		{"BEGIN WORK NOW", Unparsed, "transaction control"},
		{"COMMIT SOMETIMES", Unparsed, "transaction control"},
	} {
		st := c.Classify(tc.sql)
		switch {
		case st.Kind != tc.want:
			t.Errorf("%q: kind %v, want %v", tc.sql, st.Kind, tc.want)
		case tc.refused == "" && st.refused != nil:
			t.Errorf("%q: refused (%v), want it run", tc.sql, st.refused)
		case tc.refused != "" && (st.refused == nil || !strings.Contains(st.refused.Error(), tc.refused)):
			t.Errorf("%q: refused %v, want a refusal naming %q", tc.sql, st.refused, tc.refused)
		}
	}
	// Still unparsed and not transaction control: a compound statement.
	if st := c.Classify("BEGIN NOT ATOMIC SELECT 1; END"); st.Kind != Unparsed || errors.Is(st.refused, errTxControlUnread) {
		t.Errorf("BEGIN NOT ATOMIC: kind %v, refused %v", st.Kind, st.refused)
	}
}

// TestCommitsImplicitly: the statements that commit a connection's open
// transaction before they run, and some that look like them but do not.
func TestCommitsImplicitly(t *testing.T) {
	c, err := newClassifier(0)
	if err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]bool{
		"CREATE TABLE x (id INT)":            true,
		"ANALYZE TABLE t":                    true,
		"ANALYZE NO_WRITE_TO_BINLOG TABLE t": true,
		"ANALYZE SELECT * FROM t":            false, // MariaDB's EXPLAIN of a run
		"CHECK TABLE t":                      true,
		"CHECKSUM TABLE t":                   false,
		"OPTIMIZE LOCAL TABLE t":             true,
		"REPAIR TABLE t":                     true,
		"LOCK TABLES t WRITE":                true,
		"LOCK TABLE t READ":                  true,
		"UNLOCK TABLES":                      true,
		"FLUSH TABLES":                       true,
		"START SLAVE":                        true,
		"SELECT 1":                           false,
		"DO 1":                               false,
		"UPDATE t SET a = 1":                 false,
		"LOAD DATA INFILE '/f' INTO TABLE t": false,
	} {
		if got := commitsImplicitly(c.Classify(q)); got != want {
			t.Errorf("commitsImplicitly(%q) = %v, want %v", q, got, want)
		}
	}
}

func TestReturningAt(t *testing.T) {
	for _, tt := range []struct {
		q    string
		want string // the text from the clause on, "" for none
	}{
		{"INSERT INTO t (a) VALUES (1) RETURNING a", "RETURNING a"},
		{"insert into t (a) values (1) returning a, b AS c", "returning a, b AS c"},
		{"DELETE FROM t WHERE id = 1 RETURNING *", "RETURNING *"},
		{"INSERT INTO t (a) VALUES ('x RETURNING y')", ""},
		{"INSERT INTO t (`returning`) VALUES (1)", ""},
		{"INSERT INTO t (returning) VALUES (1)", ""},
		{"INSERT INTO t (a) VALUES (1) /* RETURNING a */", ""},
		{"INSERT INTO t (a) VALUES (1) -- RETURNING a\n", ""},
		{"INSERT INTO t (a) VALUES (@returning)", ""},
		{"INSERT INTO t (a) SELECT x.returning FROM x", ""},
		{"INSERT INTO t (a) VALUES (\"RETURNING\") RETURNING a", "RETURNING a"},
		{"INSERT INTO t (a) VALUES (1)RETURNING(a)", "RETURNING(a)"},
		{"INSERT INTO returnings (a) VALUES (1)", ""},
		{"RETURNING 1", "RETURNING 1"},
	} {
		got := ""
		if at := returningAt(tt.q); at >= 0 {
			got = tt.q[at:]
		}
		if got != tt.want {
			t.Errorf("returningAt(%q): %q, want %q", tt.q, got, tt.want)
		}
	}
}

func TestSetStatementFor(t *testing.T) {
	for _, tt := range []struct {
		q    string
		rest string // the text after FOR, "-" for none
		vars string
	}{
		{"SET STATEMENT max_statement_time=5 FOR SELECT 1", " SELECT 1", "max_statement_time"},
		{"set statement Max_Statement_Time = 5, lock_wait_timeout=2 for update t set a = 1", " update t set a = 1", "max_statement_time lock_wait_timeout"},
		{"SET STATEMENT optimizer_switch='index_merge=off,for=1' FOR SELECT 1", " SELECT 1", "optimizer_switch"},
		{"/* c */ SET STATEMENT a=(1+2) FOR SELECT 1", " SELECT 1", "a"},
		{"SET STATEMENT a=1 /* FOR */ FOR SELECT 1", "-", ""},
		{"SET STATEMENT `a`=1 FOR SELECT 1", "-", ""},
		{"SET", "-", ""},
		{"SET STATEMENT", "-", ""},
		{"SET STATEMENT FOR SELECT 1", "-", ""},
		{"SET @a = 1", "-", ""},
		{"SET STATEMENT a=1", "-", ""},
		{",", "-", ""},
		{"SET STATEMENT ,", "-", ""},
		{"SET STATEMENT a='unclosed FOR SELECT 1", "-", ""},
	} {
		at, vars := setStatementFor(tt.q)
		rest := "-"
		if at >= 0 {
			rest = tt.q[at:]
		}
		if rest != tt.rest || strings.Join(vars, " ") != tt.vars && at >= 0 {
			t.Errorf("setStatementFor(%q): %q %q, want %q %q", tt.q, rest, vars, tt.rest, tt.vars)
		}
	}
}

// TestReturningOf: which texts the router reads as a statement with a
// RETURNING clause it may route by the statement without it.
func TestReturningOf(t *testing.T) {
	c, err := newClassifier(64)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		q    string
		want bool
	}{
		{"INSERT INTO t (a) VALUES (1) RETURNING a", true},
		{"INSERT INTO t (a) VALUES (1) RETURNING a;", true},
		{"INSERT INTO t (a) VALUES (1) RETURNING a ; ;", true},
		{"INSERT INTO t (a) VALUES (1)\vRETURNING a", true},
		{"DELETE FROM t WHERE id = 1 /* c */ RETURNING *", true},
		{"INSERT INTO t (a) VALUES (1) RETURNING a, (SELECT COUNT(*) FROM u)", false},
		{"INSERT INTO t (a) VALUES (1) RETURNING a IN (SELECT b FROM u)", false},
		{"INSERT INTO t (a) VALUES (1) --RETURNING a", false},
		{"INSERT INTO t (a) VALUES (1) RETURNING a; SELECT 1", false},
		{"INSERT INTO t (a) VALUES (1) RETURNING ?", false},
		{"INSERT INTO t (a) VALUES (1) RETURNING", false},
		{"RETURNING 1", false},
		{"UPDATE t SET a = 1 RETURNING a", false},
		{"SELECT 1 RETURNING", false},
	} {
		if got := c.returningOf(tt.q) != nil; got != tt.want {
			t.Errorf("returningOf(%q): %v, want %v", tt.q, got, tt.want)
		}
	}
}
