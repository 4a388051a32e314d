package bench

import (
	"github.com/scalelab/scalelab/internal/sqltext"
	"os"
	"strings"
	"unicode"
)

// SplitStatements splits s at every ';' that is outside quotes ('…', "…",
// `…`) and comments (-- …, # …, /* … */), trims each statement and drops the
// empty ones. It is the --query splitting of mysqlslap, except that a ';'
// inside a string literal does not end the statement.
func SplitStatements(s string) []string { return SplitStatementsBy(s, ";") }

// SplitStatementsBy is SplitStatements with another delimiter, such as
// mysqlslap's --delimiter; an empty one means ";".
func SplitStatementsBy(s, delim string) []string {
	if delim == "" {
		delim = ";"
	}
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'' || c == '"' || c == '`':
			i = sqltext.QuoteEnd(s, i)
		case c == '#' || (c == '-' && strings.HasPrefix(s[i:], "-- ")) || (c == '-' && s[i:] == "--"):
			i = sqltext.LineEnd(s, i)
		case c == '/' && strings.HasPrefix(s[i:], "/*"):
			if end := strings.Index(s[i+2:], "*/"); end >= 0 {
				i += 2 + end + 1
			} else {
				i = len(s)
			}
		case strings.HasPrefix(s[i:], delim):
			out = appendStatement(out, s[start:i])
			start = i + len(delim)
			i += len(delim) - 1
		}
	}
	return appendStatement(out, s[min(start, len(s)):])
}

func appendStatement(out []string, stmt string) []string {
	if stmt = strings.TrimSpace(stmt); stmt != "" {
		out = append(out, stmt)
	}
	return out
}

// rowKeywords are the leading keywords of statements that return a result
// set, so they are sent with QueryContext and their rows are read.
var rowKeywords = map[string]bool{
	"SELECT": true, "WITH": true, "SHOW": true, "EXPLAIN": true,
	"DESCRIBE": true, "DESC": true, "VALUES": true, "TABLE": true,
	"CALL": true, "ANALYZE": true, "HELP": true, "CHECK": true,
	"CHECKSUM": true, "OPTIMIZE": true, "REPAIR": true,
}

// returnsRows reports whether stmt's first keyword, after blanks, comments
// and opening parentheses, starts a statement that returns rows.
func returnsRows(stmt string) bool {
	i := 0
	for i < len(stmt) {
		switch c := stmt[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(':
			i++
		case c == '#' || strings.HasPrefix(stmt[i:], "-- "):
			i = sqltext.LineEnd(stmt, i)
		case strings.HasPrefix(stmt[i:], "/*"):
			end := strings.Index(stmt[i+2:], "*/")
			if end < 0 {
				return false
			}
			i += 2 + end + 2
		default:
			j := i
			for j < len(stmt) && (unicode.IsLetter(rune(stmt[j])) || stmt[j] == '_') {
				j++
			}
			return rowKeywords[strings.ToUpper(stmt[i:j])]
		}
	}
	return false
}

// ReadStatements reads the value of a statement option, as scalelab
// bench's --query: "@FILE" or the path of an existing regular file is
// read, anything else is SQL text; either is split by SplitStatements. An
// empty value gives no statements. It returns the file's read error.
func ReadStatements(v string) ([]string, error) { return ReadStatementsBy(v, ";") }

// ReadStatementsBy is ReadStatements with another delimiter (see
// SplitStatementsBy).
func ReadStatementsBy(v, delim string) ([]string, error) {
	if v == "" {
		return nil, nil
	}
	path := ""
	if strings.HasPrefix(v, "@") {
		path = v[1:]
	} else if st, err := os.Stat(v); err == nil && st.Mode().IsRegular() {
		path = v
	}
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		v = string(b)
	}
	return SplitStatementsBy(v, delim), nil
}
