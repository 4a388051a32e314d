// Package sqltext scans SQL text the way the server's lexer does for the
// few things callers skip over without parsing: quoted literals and line
// comments.
package sqltext

import "strings"

// QuoteEnd returns the index of the quote that closes the one at s[i], or
// len(s) when it is not closed. A doubled quote and, outside backticks, a
// backslash escape stay inside the literal.
func QuoteEnd(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch {
		case s[j] == '\\' && q != '`':
			j++
		case s[j] == q && j+1 < len(s) && s[j+1] == q:
			j++
		case s[j] == q:
			return j
		}
	}
	return len(s)
}

// LineEnd returns the index of the newline that ends the line holding
// s[i], or len(s).
func LineEnd(s string, i int) int {
	if end := strings.IndexByte(s[i:], '\n'); end >= 0 {
		return i + end
	}
	return len(s)
}
