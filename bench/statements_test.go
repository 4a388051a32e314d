package bench

import (
	"slices"
	"strings"
	"testing"
)

func TestSplitStatements(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"one", "SELECT 1", []string{"SELECT 1"}},
		{"mysqlslap style", "SELECT 1; SELECT 2;", []string{"SELECT 1", "SELECT 2"}},
		{"empty parts", " ; ;SELECT 1;;", []string{"SELECT 1"}},
		{"semicolon in string", "INSERT INTO t VALUES ('a;b'); SELECT 2", []string{"INSERT INTO t VALUES ('a;b')", "SELECT 2"}},
		{"escaped quote", `SELECT 'it\'s;'; SELECT "x"";"`, []string{`SELECT 'it\'s;'`, `SELECT "x"";"`}},
		{"backticks", "SELECT `a;b` FROM t; DO 1", []string{"SELECT `a;b` FROM t", "DO 1"}},
		{"comments", "SELECT 1 -- a;b\n; /* c;d */ SELECT 2 # e;f", []string{"SELECT 1 -- a;b", "/* c;d */ SELECT 2 # e;f"}},
		{"unclosed quote", "SELECT 'a;b", []string{"SELECT 'a;b"}},
		{"none", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := SplitStatements(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzSplitStatements(f *testing.F) {
	f.Add("SELECT 1; SELECT 'a;b' -- c\n; /* d */")
	f.Fuzz(func(t *testing.T, s string) {
		for _, stmt := range SplitStatements(s) {
			if stmt == "" || stmt != strings.TrimSpace(stmt) || !strings.Contains(s, stmt) {
				t.Fatalf("SplitStatements(%q) gave %q: want a trimmed, non-empty part of the input", s, stmt)
			}
		}
	})
}
