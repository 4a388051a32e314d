package router

import (
	"errors"
	"strings"
	"testing"
)

// The KILL corpus: texts that MariaDB 10.11 runs as, or with, a KILL
// (killCorpusRuns, killCorpusDefines), which the router must refuse
// (errKill), and texts that are no KILL (killCorpusNot), which it must not
// refuse for one. What MariaDB does with each row was checked on a
// MariaDB 10.11.19 server (a victim connection's id in place of 5, the
// statement sent alone without CLIENT_MULTI_STATEMENTS as the router's
// pools send it, EXECUTE s after each PREPARE), unless a row says
// otherwise.
//
// A row's top is set when MariaDB runs the text as a KILL statement
// itself: KillText, which tells the proxy which texts it answers, should
// say so. Its any is set when any refusal keeps the text off the backends
// as well as errKill does: the router refuses it because it cannot read a
// comment to one end.

type killCorpusRow struct {
	q        string
	top, any bool
}

var killCorpusRuns = []killCorpusRow{
	// Case and MariaDB's forms.
	{q: "KILL 5", top: true},
	{q: "kill 5", top: true},
	{q: "KiLl CoNnEcTiOn 5", top: true},
	{q: "KILL QUERY 5", top: true},
	{q: "KILL HARD 5", top: true},
	{q: "KILL SOFT CONNECTION 5", top: true},
	{q: "KILL HARD QUERY 5", top: true},
	{q: "KILL QUERY ID 5", top: true},
	{q: "KILL USER root", top: true},
	{q: "KILL USER CURRENT_USER()", top: true},
	{q: "KILL HARD USER 'nobody'@'%'", top: true},
	{q: "KILL 5;", top: true},
	{q: "KILL 5 ;  ", top: true},

	// MariaDB's spaces: \t \n \v \f \r, and in a single-byte client
	// character set (SET NAMES latin1, which the router allows) 0xa0
	// (latin1, latin2, latin5, latin7, cp1250, greek, hebrew, dec8,
	// armscii8, geostd8) or 0xff (cp852, cp866, keybcs2).
	{q: "KILL\t5", top: true},
	{q: "KILL\n5", top: true},
	{q: "KILL\r5", top: true},
	{q: "KILL\f5", top: true},
	{q: "KILL\v5", top: true},
	{q: "\t\n\r\f\v KILL 5", top: true},
	{q: "KILL 5\v", top: true},
	{q: "KILL\xa05", top: true},                             // latin1: KILL 5
	{q: "\xa0KILL 5", top: true},                            // latin1
	{q: "KILL\xa0QUERY\xa05", top: true},                    // latin1
	{q: "KILL\xff5", top: true},                             // cp852
	{q: "SET STATEMENT max_statement_time=1 FOR\xa0KILL 5"}, // latin1
	{q: "--\xa0'\nKILL 5 -- '", top: true},                  // latin1: --0xa0 starts a comment, the ' is in it
	{q: "--\x80'\nKILL 5 -- '", top: true},                  // cp1250: 0x80 is a control character there

	// Comments.
	{q: "/* x */KILL 5", top: true},
	{q: "KILL/* x */5", top: true},
	{q: "KILL/**/5", top: true},
	{q: "/**/KILL/**/QUERY/**/5", top: true},
	{q: "# x\nKILL 5", top: true},
	{q: "#\nKILL 5", top: true},
	{q: "# x\r\nKILL 5", top: true},
	{q: "#'\nKILL 5 -- '", top: true},
	{q: "-- x\nKILL 5", top: true},
	{q: "--\nKILL 5", top: true},
	{q: "--\tx\nKILL 5", top: true},
	{q: "--\vx\nKILL 5", top: true},
	{q: "--\fx\nKILL 5", top: true},
	{q: "--\rx\nKILL 5", top: true},
	{q: "--\x01x\nKILL 5", top: true},
	{q: "--\x7fx\nKILL 5", top: true},
	{q: "KILL -- x\n5", top: true},
	{q: "KILL # x\n5", top: true},
	{q: "KILL 5 -- x", top: true},

	// Executable comments MariaDB runs: /*! */, /*!NNNNN */ below 50700,
	// /*!NNNNNN */ up to its own version, /*M! */ and /*M!NNNNN[N] */ of
	// any version up to its own, MySQL's included.
	{q: "/*!KILL 5*/", top: true},
	{q: "/*! KILL 5 */", top: true},
	{q: "/*!00000 KILL 5 */", top: true},
	{q: "/*!40000 KILL 5 */", top: true},
	{q: "/*!50699 KILL 5 */", top: true},
	{q: "/*!100000 KILL 5 */", top: true},
	{q: "/*!101100 KILL 5 */", top: true},
	{q: "/*!100000KILL 5*/", top: true},
	{q: "/*!40000KILL*/ 5", top: true},
	{q: "/*!KILL*/ 5", top: true},
	{q: "KILL /*!5*/", top: true},
	{q: "KILL /*!40000 QUERY */ 5", top: true},
	{q: "KILL /*!100000 QUERY */ 5", top: true},
	{q: "/*!40101 KILL */ /*!40101 5 */", top: true},
	{q: "/*!40000 /* x */ KILL 5 */", top: true},
	{q: "/*M!KILL 5*/", top: true},
	{q: "/*M! KILL 5 */", top: true},
	{q: "/*M!100000 KILL 5 */", top: true},
	{q: "/*M!101100 KILL 5 */", top: true},
	{q: "/*M!100000KILL 5*/", top: true},
	{q: "/*M!50700 KILL 5 */", top: true},
	{q: "/*M!80000 KILL 5 */", top: true},
	{q: "/*M!99999 KILL 5 */", top: true},
	{q: "/*M!00000 KILL 5 */", top: true},
	{q: "KILL /*M! HARD */ 5", top: true},
	{q: "KILL /*M!100000 QUERY */ 5", top: true},
	{q: "/*M! KILL */ 5", top: true},
	{q: "/*M! KILL */ /*!5*/", top: true},
	{q: "/*M! /* x */ KILL 5 */", top: true},
	{q: "/*!100000 KILL */ 5", top: true},
	{q: "/*!100000 KILL(5) */ /*!80000 DO 1 */", top: true},
	{q: "/*!100000 KILL */ /*!80000 DO */ 5", top: true},
	{q: "/*!100000 KILL HARD */ /*!80000 DO */ 5", top: true},
	{q: "/*!100000 KILL */ /*!80000 DO */ (5)", top: true},
	{q: "/*M! KILL */ /*!80000 DO */ (5)", top: true, any: true},

	// Comments MariaDB skips (MySQL's versions 50700 to 99999, six-digit
	// versions above its own) where the parser (MySQL 8.0.40) runs their
	// SQL, or skips them too. MariaDB ends a skipped comment at its first
	// */, whatever quote or -- or # comes before it.
	{q: "/*!80000 DO */ KILL(5)", top: true},
	{q: "/*!80000 SELECT */ KILL(5)", top: true},
	{q: "/*!80000 SET @a = */ KILL(5)", top: true},
	{q: "/*!50700 DO */ KILL(5)", top: true},
	{q: "/*!80040 DO */ KILL(5)", top: true},
	{q: "/*!80000 DO */ KILL +5", top: true},
	{q: "/*!80000 SELECT */ KILL +5", top: true},
	{q: "/*!80000 SELECT 1 AS */ KILL 5", top: true},
	{q: "/*!80000 DO 1 + */ KILL 5", top: true},
	{q: "/*!99999 DO */ KILL(5)", top: true},
	{q: "/*!50700 SELECT 1 */ KILL 5", top: true},
	{q: "/*!50700 -- */ KILL 5 -- */", top: true},
	{q: "/*!50700 -- */ KILL QUERY 5 -- */", top: true},
	{q: "/*!50700 -- */ kill\v5 -- */", top: true},
	{q: "/*!50700 # */ KILL 5 # */", top: true},
	{q: "/*!50700 /* */ -- */ KILL 5 -- */", top: true},
	{q: "/*!50700 SELECT 1 -- */ KILL 5 -- */", top: true},
	{q: "/*!50700 ' */ KILL 5 -- '*/", top: true},
	{q: "/*!50700' */ KILL 5 -- '*/", top: true},
	{q: "/*!80000 \" */ KILL 5 -- \"*/", top: true},
	{q: "/*!80000 ` */ KILL 5 -- `*/", top: true},
	{q: "/*!99999 ' */ KILL 5 -- '*/", top: true},
	{q: "/*!101200 ' */ KILL 5 -- '*/", top: true},
	{q: "/*!101200 -- */ KILL 5 -- */", top: true},
	{q: "/*!101200 # */ KILL 5 # */", top: true},
	{q: "/*!999999 ' */ KILL 5 -- '*/", top: true},
	{q: "/*M!999999 ' */ KILL 5 -- '*/", top: true, any: true},
	{q: "/*M!999999 -- */ KILL 5 -- */", top: true, any: true},
	{q: "/*!50700 SELECT '*/ KILL 5 -- ' */", top: true, any: true},
	{q: "/*!80000 DO '*/ KILL 5 -- ' */", top: true, any: true},
	{q: "/*!80000 SET @a = '*/ KILL 5 -- ' */", top: true, any: true},
	{q: "SET STATEMENT max_statement_time=1 FOR /*!50700 -- */ KILL 5 -- */"},
	{q: "BEGIN NOT ATOMIC /*!50700 -- */ KILL 5; END -- */"},
	{q: "/*!50700 -- */ EXECUTE IMMEDIATE 'KILL 5' -- */"},
	{q: "/*!50700 -- */ PREPARE s FROM 'KILL 5' -- */"},
	{q: "/*!50700 ' */ EXECUTE IMMEDIATE 'KILL 5' -- '*/"},

	// Parentheses, expressions, variables.
	{q: "KILL(5)", top: true},
	{q: "KILL (5)", top: true},
	{q: "KILL ((5))", top: true},
	{q: "KILL 0+5", top: true},
	{q: "KILL -(-5)", top: true},
	{q: "KILL @v", top: true},
	{q: "KILL QUERY @v", top: true},
	{q: "KILL '5'", top: true},
	{q: "KILL 5.0", top: true},
	{q: "KILL IF(1,5,0)", top: true},
	{q: "KILL (SELECT 5)", top: true},
	{q: "KILL @@pseudo_thread_id", top: true},

	// SET STATEMENT … FOR.
	{q: "SET STATEMENT max_statement_time=1 FOR KILL 5"},
	{q: "set statement max_statement_time=1 for kill 5"},
	{q: "SET STATEMENT max_statement_time=1 FOR /* x */ KILL 5"},
	{q: "SET STATEMENT max_statement_time=1 FOR EXECUTE IMMEDIATE 'KILL 5'"},
	{q: "SET STATEMENT max_statement_time=1 FOR PREPARE s FROM 'KILL 5'"},

	// PREPARE … FROM: its EXECUTE runs the KILL. MariaDB takes any
	// expression: a string in any form, or one the router cannot read.
	{q: "PREPARE s FROM 'KILL 5'"},
	{q: "PREPARE s FROM \"KILL 5\""},
	{q: "PREPARE s FROM 'kill 5'"},
	{q: "PREPARE s FROM 'KILL ?'"},
	{q: "PREPARE s FROM '/*!KILL 5*/'"},
	{q: "PREPARE s FROM '/*M!KILL 5*/'"},
	{q: "PREPARE s FROM 'KI\\LL 5'"},
	{q: "PREPARE s FROM 'K\\ILL 5'"},
	{q: "PREPARE s FROM 'KILL\\t5'"},
	{q: "PREPARE s FROM 'KI' 'LL 5'"},
	{q: "PREPARE s FROM 'KI' \"LL 5\""},
	{q: "PREPARE s FROM 'SET STATEMENT max_statement_time=1 FOR KILL 5'"},
	{q: "PREPARE s FROM 'BEGIN NOT ATOMIC KILL 5; END'"},
	{q: "PREPARE s FROM 'IF 1 THEN KILL 5; END IF'"},
	{q: "/*M! PREPARE s FROM 'KILL 5' */"},
	{q: "PREPARE s /*M! FROM 'KILL 5' */"},
	{q: "PREPARE s FROM _latin1'KILL 5'"},
	{q: "PREPARE s FROM _utf8mb4 'KILL 5'"},
	{q: "PREPARE s FROM _binary'KILL 5'"},
	{q: "PREPARE s FROM N'KILL 5'"},
	{q: "PREPARE s FROM X'4B494C4C2035'"},
	{q: "PREPARE s FROM 0x4B494C4C2035"},
	{q: "PREPARE s FROM b'010010110100100101001100010011000010000000110101'"},
	{q: "PREPARE s FROM ('KILL 5')"},
	{q: "PREPARE s FROM 'KILL 5' COLLATE utf8mb4_bin"},
	{q: "PREPARE s FROM CAST('KILL 5' AS CHAR)"},
	{q: "PREPARE s FROM LOWER('KILL 5')"},
	{q: "PREPARE s FROM CONCAT('KI', 'LL 5')"},
	{q: "PREPARE s FROM (CONCAT('KI', 'LL 5'))"},
	{q: "PREPARE s FROM @q"}, // after SET @q = 'KILL 5'

	// EXECUTE IMMEDIATE runs its text now.
	{q: "EXECUTE IMMEDIATE 'KILL 5'"},
	{q: "execute immediate 'kill 5'"},
	{q: "EXECUTE IMMEDIATE \"KILL 5\""},
	{q: "EXECUTE IMMEDIATE 'KILL ?' USING 5"},
	{q: "EXECUTE IMMEDIATE 'KILL ?' USING @v"},
	{q: "EXECUTE IMMEDIATE 'KI' 'LL 5'"},
	{q: "EXECUTE IMMEDIATE ('KILL 5')"},
	{q: "EXECUTE IMMEDIATE _latin1'KILL 5'"},
	{q: "EXECUTE IMMEDIATE N'KILL 5'"},
	{q: "EXECUTE IMMEDIATE X'4B494C4C2035'"},
	{q: "EXECUTE IMMEDIATE CONCAT('KI', 'LL 5')"},
	{q: "EXECUTE IMMEDIATE @q"}, // after SET @q = 'KILL 5'
	{q: "/*M! EXECUTE IMMEDIATE 'KILL 5' */"},

	// Compound statements.
	{q: "BEGIN NOT ATOMIC KILL 5; END"},
	{q: "begin not atomic kill 5; end"},
	{q: "BEGIN NOT ATOMIC DECLARE v INT DEFAULT 5; KILL v; END"},
	{q: "BEGIN NOT ATOMIC SELECT 1; /* x */ KILL 5; END"},
	{q: "BEGIN NOT ATOMIC l: BEGIN KILL 5; END l; END"},
	{q: "BEGIN NOT ATOMIC EXECUTE IMMEDIATE 'KILL 5'; END"},
	{q: "BEGIN NOT ATOMIC PREPARE s FROM 'KILL 5'; EXECUTE s; END"},
	{q: "BEGIN NOT ATOMIC EXECUTE IMMEDIATE CONCAT('KI', 'LL 5'); END"},
	{q: "BEGIN NOT ATOMIC DECLARE q TEXT DEFAULT 'KILL 5'; EXECUTE IMMEDIATE q; END"},
	{q: "IF 1 THEN KILL 5; END IF"},
	{q: "IF 0 THEN SELECT 1; ELSE KILL 5; END IF"},
	{q: "IF 1 THEN EXECUTE IMMEDIATE 'KILL 5'; END IF"},
	{q: "CASE WHEN 1 THEN KILL 5; END CASE"},
	{q: "CASE 1 WHEN 1 THEN KILL 5; END CASE"},
	{q: "WHILE 1 DO KILL 5; END WHILE"},
	{q: "WHILE 1 DO EXECUTE IMMEDIATE 'KILL 5'; END WHILE"},
	{q: "REPEAT KILL 5; UNTIL 1 END REPEAT"},
	{q: "FOR i IN 1..1 DO KILL 5; END FOR"},
	{q: "FOR i IN 1..1 DO EXECUTE IMMEDIATE 'KILL 5'; END FOR"},

	// Events: the server's scheduler runs the KILL later.
	{q: "CREATE EVENT e1 ON SCHEDULE AT CURRENT_TIMESTAMP + INTERVAL 1 HOUR DO KILL 5"},
	{q: "CREATE DEFINER=CURRENT_USER EVENT e2 ON SCHEDULE EVERY 1 HOUR DO KILL 5"},
	{q: "CREATE EVENT e4 ON SCHEDULE EVERY 1 HOUR DO BEGIN KILL 5; END"},
	{q: "ALTER EVENT e1 DO KILL 5"},
	{q: "CREATE EVENT e3 ON SCHEDULE EVERY 1 HOUR DO EXECUTE IMMEDIATE 'KILL 5'"},
	{q: "ALTER EVENT e1 DO EXECUTE IMMEDIATE 'KILL 5'"},
	{q: "CREATE EVENT e5 ON SCHEDULE EVERY 1 HOUR DO PREPARE s FROM 'KILL 5'"},

	// Several statements: the router's pools do not take them (MariaDB
	// answers 1064 without CLIENT_MULTI_STATEMENTS), but a server that did
	// would run the KILL.
	{q: "SELECT 1; KILL 5"},
	{q: "SELECT 1;KILL 5"},
	{q: "SELECT 'a;'; KILL 5"},
	{q: "DO 1;\vKILL 5"},
	{q: "SELECT 1 --1; KILL 5"},
	{q: "SELECT 1 /*M! , 2 */; KILL 5"},
}

// killCorpusDefines are stored programs whose body runs a KILL: on every
// CALL, on every INSERT into the table, on every call of the function.
// The router refuses most of them already (it cannot parse them, and
// KILL is a word of the text); CREATE PROCEDURE, which the parser reads,
// should be no exception.
var killCorpusDefines = []string{
	"CREATE PROCEDURE p1() KILL 5",
	"CREATE PROCEDURE p3() BEGIN KILL 5; END",
	"CREATE OR REPLACE PROCEDURE p5(i INT) KILL i",
	"CREATE PROCEDURE p2() EXECUTE IMMEDIATE 'KILL 5'",
	"CREATE FUNCTION f2() RETURNS INT BEGIN KILL 5; RETURN 1; END",
	"CREATE TRIGGER tr2 BEFORE INSERT ON tt FOR EACH ROW KILL 5",
}

// killCorpusNot are no KILL, to MariaDB: the router must not refuse them
// for one.
var killCorpusNot = []string{
	"SELECT 'KILL 5'",
	"SELECT \"KILL 5\"",
	"SELECT 'kill' FROM t",
	"SELECT `kill` FROM t",
	"SELECT `KILL 5` FROM t",
	"SELECT 1 AS `kill`",
	"SELECT kill_count FROM killers",
	"SELECT killed, skill, overkill FROM t",
	"SELECT t.kill FROM t",
	"SELECT @kill",
	"SET @kill = 5",
	"SELECT 1 -- KILL 5",
	"SELECT 1 # KILL 5",
	"/* KILL 5 */ SELECT 1",
	"SELECT 1 /* KILL 5 */",
	"SELECT 'a\\'KILL 5'",
	"SELECT 'it''s KILL time'",
	"SELECT \"a\\\"KILL 5\"",
	"SELECT _latin1'KILL 5'",
	"SELECT X'4B494C4C2035'",
	"SELECT CONCAT('KI', 'LL 5')",
	"INSERT INTO log (msg) VALUES ('KILL 5')",
	"UPDATE t SET note = 'kill' WHERE id = 1",
	"SELECT * FROM t WHERE a LIKE '%kill%'",
	"DO 'KILL 5'",
	"SELECT JSON_VALUE('{\"kill\": 5}', '$.kill')",
	"SHOW PROCESSLIST",
	"SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND = 'Killed'",
	"SELECT 1 /*M! , 'KILL 5' */",
	"SELECT 1 /*!40000 , 'KILL 5' */",
	"PREPARE s FROM 'SELECT ''KILL 5'''",
	"PREPARE s FROM 'SELECT kill_count FROM t'",
	"PREPARE s FROM 'SELECT 1 -- KILL 5'",
	"EXECUTE IMMEDIATE 'SELECT ''KILL 5'''",
	"SET STATEMENT max_statement_time=1 FOR SELECT kill_count FROM t",
	"SET STATEMENT max_statement_time=1 FOR SELECT @kill",
	"SET STATEMENT max_statement_time=1 FOR SELECT t.kill FROM t",
	"BEGIN NOT ATOMIC SELECT t.kill FROM t; END",
	"CREATE EVENT e10 ON SCHEDULE EVERY 1 HOUR DO UPDATE t SET t.kill = 0",
}

// killCorpusEither are no KILL to MariaDB 10.11 either, but a router may
// refuse them for one: comments it skips that another server runs, or
// texts it fails. They are logged, not checked.
var killCorpusEither = []string{
	"/*!50700 KILL 5 */ SELECT 1",
	"/*!99999 KILL 5 */ SELECT 1",
	"/*!101200 KILL 5 */ SELECT 1",
	"/*M!999999 KILL 5 */ SELECT 1",
	"SELECT 1 /*!50700 , (KILL 5) */",
	"/*m! KILL 5 */",          // lower-case m: a plain comment
	"/*m! KILL 5 */ SELECT 1", // the same
	"PREPARE s FROM '/*m!KILL 5*/'",
	"SELECT 1 --KILL 5",                 // 1 - -KILL: a syntax error
	"(KILL 5)",                          // a syntax error
	"KILL\u00a05",                       // a syntax error in utf8mb4 and latin1
	"KILL\x005",                         // a syntax error
	"l: BEGIN NOT ATOMIC KILL 5; END l", // a syntax error outside a stored program
	"l: LOOP KILL 5; LEAVE l; END LOOP l",
	"PREPARE s FROM 'EXECUTE IMMEDIATE ''KILL 5'''", // 1295: not preparable
	"SELECT 1 /*M! ; KILL 5 */",                     // 1064 even with several statements
	"SELECT 1 /*!100000 ; KILL 5; */",
	// A text the parser cannot read is refused when KILL is a word of it
	// anywhere, strings and comments included: the router cannot tell
	// where the server ends them (a versioned comment it skips, a client
	// character set in which 0xa0 is a space).
	"SET STATEMENT max_statement_time=1 FOR SELECT 'KILL 5'",
	"SET STATEMENT max_statement_time=1 FOR SELECT `kill` FROM t",
	"SET STATEMENT max_statement_time=1 FOR SELECT 1 -- KILL 5",
	"BEGIN NOT ATOMIC SELECT 'KILL 5'; END",
	"BEGIN NOT ATOMIC /* KILL 5 */ SELECT 1; END",
	"CREATE EVENT e9 ON SCHEDULE EVERY 1 HOUR DO INSERT INTO log VALUES ('KILL 5')",
}

func TestKillCorpus(t *testing.T) {
	c, err := newClassifier(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("runs", func(t *testing.T) {
		for _, r := range killCorpusRuns {
			st := c.Classify(r.q)
			switch {
			case errors.Is(st.refused, errKill), errors.Is(st.refused, errDynamicSQL):
			case r.any && st.refused != nil:
			case st.refused != nil:
				t.Errorf("%q: refused %v, want errKill", r.q, st.refused)
			default:
				t.Errorf("%q: not refused (kind %v), want errKill: MariaDB runs a KILL", r.q, st.Kind)
			}
		}
	})
	t.Run("defines", func(t *testing.T) {
		for _, q := range killCorpusDefines {
			if st := c.Classify(q); !errors.Is(st.refused, errKill) && !errors.Is(st.refused, errDynamicSQL) {
				t.Errorf("%q: refused %v (kind %v), want errKill: its body runs a KILL", q, st.refused, st.Kind)
			}
		}
	})
	t.Run("not", func(t *testing.T) {
		for _, q := range killCorpusNot {
			if st := c.Classify(q); errors.Is(st.refused, errKill) {
				t.Errorf("%q: refused as a KILL, which MariaDB does not run", q)
			}
		}
	})
	t.Run("either", func(t *testing.T) {
		for _, q := range killCorpusEither {
			t.Logf("%q: refused %v, KillText %v", q, c.Classify(q).refused, KillText(q))
		}
	})
	// KillText: the proxy answers a text MariaDB runs as a KILL statement
	// itself, and no other. A text with an executable comment is refused
	// whichever way KillText answers (by the proxy, or by the router with
	// errKill), so only a text without one is checked.
	t.Run("KillText", func(t *testing.T) {
		for _, r := range killCorpusRuns {
			if got := KillText(r.q); got != r.top {
				// A text the router refuses is kept off the backends
				// either way.
				if refused := c.Classify(r.q).refused; strings.Contains(r.q, "/*!") || strings.Contains(r.q, "/*M!") || !got && refused != nil {
					t.Logf("KillText(%q) = %v, MariaDB runs it as a KILL statement: %v", r.q, got, r.top)
					continue
				}
				t.Errorf("KillText(%q) = %v, want %v", r.q, got, r.top)
			}
		}
		for _, q := range append(append([]string{}, killCorpusDefines...), killCorpusNot...) {
			if KillText(q) {
				t.Errorf("KillText(%q) = true, want false", q)
			}
		}
	})
}
