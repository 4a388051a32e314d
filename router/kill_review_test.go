package router

import (
	"errors"
	"testing"
)

// TestKillTextsRefused: texts MariaDB runs as (or with) a KILL, which
// the parser does not read, are refused like KILL itself; each of these
// was sent to the first shard's primary as written.
func TestKillTextsRefused(t *testing.T) {
	c, err := newClassifier(0)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"\vKILL 5", // a vertical tab is a space to MariaDB
		"/* a */\vKILL 5",
		"SET STATEMENT max_statement_time=100 FOR KILL 5",
		"BEGIN NOT ATOMIC KILL 5; END",
		"IF 1 THEN KILL 5; END IF",
		"WHILE 1 DO KILL 5; END WHILE",
		"PREPARE s FROM 'KILL 5'", // its EXECUTE runs the KILL
	} {
		if st := c.Classify(q); !errors.Is(st.refused, errKill) {
			t.Errorf("%q: refused %v, want errKill", q, st.refused)
		}
	}
}
