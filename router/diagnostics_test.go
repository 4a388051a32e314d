package router

import (
	"reflect"
	"testing"
)

func TestParseDiagnosticsRead(t *testing.T) {
	list := func(errors bool, offset, limit int64) diagnosticsRead {
		return diagnosticsRead{errors: errors, offset: offset, limit: limit}
	}
	tests := []struct {
		text string
		want diagnosticsRead
		ok   bool
	}{
		{"SHOW WARNINGS", list(false, 0, -1), true},
		{"show warnings;", list(false, 0, -1), true},
		{"  SHOW /* c */ Warnings  ", list(false, 0, -1), true},
		{"SHOW ERRORS", list(true, 0, -1), true},
		{"SHOW WARNINGS LIMIT 3", list(false, 0, 3), true},
		{"SHOW WARNINGS LIMIT 2, 5", list(false, 2, 5), true},
		{"SHOW WARNINGS LIMIT 2,5", list(false, 2, 5), true},
		{"SHOW ERRORS LIMIT 5 OFFSET 2", list(true, 2, 5), true},
		{"SHOW WARNINGS LIMIT 0", list(false, 0, 0), true},
		{"SHOW COUNT(*) WARNINGS", diagnosticsRead{count: true, limit: -1}, true},
		{"show count ( * ) errors", diagnosticsRead{count: true, errors: true, limit: -1}, true},
		{"SELECT @@warning_count", diagnosticsRead{count: true, columns: []string{"@@warning_count"}, limit: -1}, true},
		{"SELECT @@SESSION.warning_count, @@error_count;", diagnosticsRead{count: true, columns: []string{"@@SESSION.warning_count", "@@error_count"}, limit: -1}, true},

		// Not answered: the session refuses them, as before.
		{"SHOW WARNINGS LIMIT -1", diagnosticsRead{}, false},
		{"SHOW WARNINGS LIMIT x", diagnosticsRead{}, false},
		{"SHOW WARNINGS LIMIT 1, 2, 3", diagnosticsRead{}, false},
		{"SHOW WARNINGS WHERE 1", diagnosticsRead{}, false},
		{"SHOW COUNT(*) WARNINGS LIMIT 1", diagnosticsRead{}, false},
		{"SHOW VARIABLES LIKE 'warning_count'", diagnosticsRead{}, false},
		{"SELECT @@warning_count + 1", diagnosticsRead{}, false},
		{"SELECT @@warning_count AS w", diagnosticsRead{}, false},
		{"SELECT @@GLOBAL.warning_count", diagnosticsRead{}, false},
		{"SELECT @@warning_count FROM DUAL", diagnosticsRead{}, false},
		{"SELECT @@identity", diagnosticsRead{}, false},
		{"GET DIAGNOSTICS @n = NUMBER", diagnosticsRead{}, false},
		{"SET STATEMENT max_error_count = 1 FOR SHOW WARNINGS", diagnosticsRead{}, false},
		{"SHOW", diagnosticsRead{}, false},
	}
	for _, tt := range tests {
		got, ok := parseDiagnosticsRead(tt.text)
		if ok != tt.ok || ok && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseDiagnosticsRead(%q) = %+v, %v; want %+v, %v", tt.text, got, ok, tt.want, tt.ok)
		}
	}
}

// TestSessionConditions: the list a session keeps, statement after
// statement, as a server keeps a connection's (see noteConditions).
func TestSessionConditions(t *testing.T) {
	c, err := newClassifier(0)
	if err != nil {
		t.Fatal(err)
	}
	dup := []Condition{{"Warning", 1062, "Duplicate entry '1' for key 'PRIMARY'"}}
	table := c.Classify("INSERT INTO t (id) VALUES (1)")
	dual := c.Classify("SELECT 1")
	s := &Session{condsKnown: true}
	answer := func(q string) *DiagnosticsAnswer {
		t.Helper()
		a, ok := s.answerDiagnostics(q)
		if !ok {
			return nil
		}
		return a
	}
	if a := answer("SHOW WARNINGS"); a == nil || len(a.Conditions) != 0 {
		t.Fatalf("a new session's list: %+v, want an empty one", a)
	}
	s.noteConditions(table, diagnostics{count: 1, conds: dup, listed: true})
	if a := answer("SHOW WARNINGS"); a == nil || !reflect.DeepEqual(a.Conditions, dup) {
		t.Fatalf("after a write that warned: %+v, want %v", a, dup)
	}
	s.noteConditions(dual, diagnostics{listed: true})
	if a := answer("SHOW COUNT(*) WARNINGS"); a == nil || a.Counts[0] != 1 {
		t.Fatalf("after SELECT 1: %+v, want the list kept", a)
	}
	s.noteConditions(table, diagnostics{count: 2, listed: false})
	if a := answer("SHOW WARNINGS"); a != nil {
		t.Fatalf("after a write whose conditions were not listed: %+v, want none", a)
	}
	s.noteConditions(table, diagnostics{listed: true})
	if a := answer("SHOW WARNINGS"); a == nil || len(a.Conditions) != 0 {
		t.Fatalf("after a write of a table that warned of nothing: %+v, want an empty list", a)
	}
	s.noteConditions(table, diagnostics{}) // an answer whose last packet was not read
	if a := answer("SHOW WARNINGS"); a != nil {
		t.Fatalf("after a write whose answer's count was not read: %+v, want none", a)
	}
	s = &Session{condsKnown: true}
	s.noteConditions(table, diagnostics{}.add(diagnostics{listed: true}))
	if a := answer("SHOW WARNINGS"); a != nil {
		t.Fatalf("after a write over shards, one of whose answers was not read: %+v, want none", a)
	}
	s.noteConditions(table, diagnostics{count: 1, conds: dup, listed: true})
	s.pendingConds = true // a relayed read the caller did not tell of
	if a := answer("SHOW WARNINGS"); a != nil {
		t.Fatalf("after a relayed read not told of: %+v, want none", a)
	}
	s.RelayedConditions(dual, 0, nil, false)
	if a := answer("SHOW WARNINGS"); a == nil || !reflect.DeepEqual(a.Conditions, dup) {
		t.Fatalf("after a relayed SELECT 1: %+v, want %v", a, dup)
	}
	s.pendingConds = true
	s.RelayedConditions(table, 1, nil, false)
	if a := answer("SHOW WARNINGS"); a != nil {
		t.Fatalf("after a relayed read that warned, not listed: %+v, want none", a)
	}

	// Which statements that raise nothing keep the list, clear it, or
	// leave it unknown.
	for _, tt := range []struct {
		q    string
		want string
	}{
		{"SELECT 1", "kept"},
		{"SELECT NOW(), 1 + 2, @a FROM DUAL", "kept"},
		{"SELECT NEXTVAL(seq)", "unknown"},  // a sequence is a table to the server
		{"SELECT f(1)", "unknown"},          // a stored function may read one
		{"SELECT a FROM `dual`", "unknown"}, // a table named dual
		{"SELECT * FROM t WHERE id = 1", "cleared"},
		{"SELECT (SELECT 1 FROM t) FROM DUAL", "cleared"},
		{"UPDATE t SET v = 1 WHERE id = 1", "cleared"},
		{"DELETE FROM t WHERE id = 1", "cleared"},
		{"SELECT * FROM (SELECT 1) AS d", "unknown"},
		{"SELECT (SELECT 1) FROM DUAL", "unknown"},
		{"SELECT 1 UNION SELECT 2", "unknown"},
		{"SHOW TABLES", "unknown"},
		{"SHOW CREATE DATABASE d", "unknown"},
		{"CREATE TABLE t2 (id INT)", "unknown"},
		{"CALL p()", "unknown"},
	} {
		s := &Session{condsKnown: true}
		s.noteConditions(table, diagnostics{count: 1, conds: dup, listed: true})
		s.noteConditions(c.Classify(tt.q), diagnostics{listed: true})
		a, ok := s.answerDiagnostics("SHOW WARNINGS")
		got := "unknown"
		switch {
		case ok && len(a.Conditions) == 1:
			got = "kept"
		case ok && len(a.Conditions) == 0:
			got = "cleared"
		}
		if got != tt.want {
			t.Errorf("%s, raising nothing, after a write that warned: the list %s, want %s", tt.q, got, tt.want)
		}
	}
}
