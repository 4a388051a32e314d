package router

import (
	"strings"

	"vitess.io/vitess/go/vt/sqlparser"
)

// shapeOf is query with its plain literals made placeholders, and those
// literals, for a relayed statement's classification. Statements that
// differ only in such literals (point selects by id, the commonest
// statement a proxy relays) then share one parse and one entry of the
// classifier's cache, where each text of its own is parsed again once a
// table has more ids than the cache holds texts (a parse is about as
// costly as the rest of the proxy's work on a statement).
//
// Only a SELECT's text has a shape. A literal becomes a placeholder only as a plain operand: digits alone,
// or a single-quoted string with no escape in it, right after '=', '<',
// '>', '(' or ',' (spaces aside), and not part of a name. Every other
// literal (LIMIT 10, INTERVAL 1 DAY, -5, 1.5, 0x1f, 'it”s', _utf8mb4'x',
// DATE '2024-01-01', ORDER BY 2) stays as written, so the shape's parse
// reads it as the text's parse does. ok is false for a text with a
// comment (hints and versioned comments live there), a placeholder or a
// ':' of its own, an unclosed quote, a comment marker even in a string,
// or a text too long for the classifier's cache: the caller classifies
// the text itself then, as it does when the shape does not parse.
//
// The literals route as the literals in the text would (see keyValue),
// handed to the router as *textLiteral arguments.
//
// The shape is appended to out and the literals to lits, buffers the
// caller may keep: a shape that is already in the classifier's cache
// allocates nothing.
func shapeOf(query string, out []byte, lits []textLiteral) (shape []byte, _ []textLiteral, ok bool) {
	if !selectText(query) || len(query) > maxCachedBytes ||
		// The classifier reads these markers in the whole text, strings
		// included (see parse), where the shape would not have them.
		strings.Contains(query, "/*M!") || versionedComment(query) {
		return nil, nil, false
	}
	var prev byte // the last byte written that is not a space
	for i := 0; i < len(query); {
		c := query[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			end, plain := quoteEnd(query, i)
			if end < 0 {
				return nil, nil, false
			}
			if c == '\'' && plain && operandAfter(prev) && (i == 0 || !nameByte(query[i-1])) {
				lits = append(lits, textLiteral{typ: sqlparser.StrVal, val: query[i+1 : end-1]})
				out = append(out, '?')
			} else {
				out = append(out, query[i:end]...)
			}
			prev, i = query[end-1], end
		case nameByte(c) || c == '.' || c == '@':
			// A name, a number or both (5abc is a name): up to the next
			// byte that can be neither.
			j := i
			for j < len(query) && (nameByte(query[j]) || query[j] == '.' || query[j] == '@') {
				j++
			}
			if allDigits(query[i:j]) && operandAfter(prev) {
				lits = append(lits, textLiteral{typ: sqlparser.IntVal, val: query[i:j]})
				out = append(out, '?')
			} else {
				out = append(out, query[i:j]...)
			}
			prev, i = query[j-1], j
		case c == '?' || c == ':' || c == '#' ||
			c == '-' && i+1 < len(query) && query[i+1] == '-' ||
			c == '/' && i+1 < len(query) && (query[i+1] == '*' || query[i+1] == '/'): // the parser reads // as a comment
			return nil, nil, false
		default:
			out = append(out, c)
			if !isSpace(c) {
				prev = c
			}
			i++
		}
	}
	return out, lits, true
}

// selectText reports whether query starts with SELECT, after spaces and
// opening parentheses: the reads the relay takes. (The parser logs a
// warning for a DDL statement it cannot parse, which a shape of one with
// VARCHAR(?) would be.)
func selectText(query string) bool {
	i := 0
	for i < len(query) && (isSpace(query[i]) || query[i] == '(') {
		i++
	}
	return len(query)-i >= 6 && strings.EqualFold(query[i:i+6], "select")
}

// textLiteral is a literal of a statement's text that shapeOf made a
// placeholder: the parser's type of it and its value as the parser gives
// it (Literal.Val).
type textLiteral struct {
	typ sqlparser.ValType
	val string
}

// operandAfter reports whether a literal right after prev is a plain
// operand: of a comparison, or in a list.
func operandAfter(prev byte) bool {
	switch prev {
	case '=', '<', '>', '(', ',':
		return true
	}
	return false
}

// nameByte is a byte of a name or a number outside quotes.
func nameByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '$' || c >= 0x80
}

// allDigits reports whether s is decimal digits alone.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// quoteEnd is the index just past the quote that closes the one at
// q[start], with backslash escapes and doubled quotes as MySQL reads them
// (backticks have no backslash escape), or -1 if none closes it; plain is
// false when the quoted text has an escape.
func quoteEnd(q string, start int) (end int, plain bool) {
	return quoteEndMode(q, start, true)
}

// quoteEndMode is quoteEnd, with backslash escapes or without (as with
// NO_BACKSLASH_ESCAPES).
func quoteEndMode(q string, start int, backslash bool) (end int, plain bool) {
	quote := q[start]
	plain = true
	for i := start + 1; i < len(q); i++ {
		switch c := q[i]; {
		case c == '\\' && quote != '`' && backslash:
			plain = false
			i++
		case c == quote && i+1 < len(q) && q[i+1] == quote:
			plain = false
			i++
		case c == quote:
			return i + 1, plain
		}
	}
	return -1, false
}
