package bench

import (
	"errors"
	"os"
	"path/filepath"
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

func TestReadStatements(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "q.sql")
	if err := os.WriteFile(file, []byte("SELECT 1;\n-- a comment; with a semicolon\nSELECT ';'\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, in string
		want     []string
		wantErr  bool
	}{
		{"text", "SELECT 1; SELECT 2;", []string{"SELECT 1", "SELECT 2"}, false},
		{"at file", "@" + file, []string{"SELECT 1", "-- a comment; with a semicolon\nSELECT ';'"}, false},
		{"path", file, []string{"SELECT 1", "-- a comment; with a semicolon\nSELECT ';'"}, false},
		{"a dir is text", dir, []string{dir}, false},
		{"empty", "", nil, false},
		{"missing at file", "@" + filepath.Join(dir, "nope.sql"), nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadStatements(tc.in)
			if (err != nil) != tc.wantErr || !slices.Equal(got, tc.want) {
				t.Errorf("got %q, %v; want %q, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestParseConcurrency(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    []int
		wantErr bool
	}{
		{"1", []int{1}, false},
		{"1,10,100", []int{1, 10, 100}, false},
		{" 4 , 2 ", []int{4, 2}, false},
		{"1,x", nil, true},
		{"0", nil, true},
		{"1,,4", nil, true},
		{"", nil, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseConcurrency(tc.in)
			if !slices.Equal(got, tc.want) || errors.Is(err, ErrBadConcurrency) != tc.wantErr {
				t.Errorf("got %v, %v; want %v, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}
