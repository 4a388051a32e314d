package sqltext

import "testing"

func TestQuoteEnd(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{`'abc' x`, 4},
		{`'it''s' x`, 6},
		{`'a\'b' x`, 5},
		{"`a\\`b` x", 3}, // no backslash escapes in identifiers
		{"`a``b` x", 5},
		{`"a""b" x`, 5},
		{`'open`, 5},
		{`'ends with \'`, 13},
	}
	for _, tt := range tests {
		if got := QuoteEnd(tt.s, 0); got != tt.want {
			t.Errorf("QuoteEnd(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

func TestLineEnd(t *testing.T) {
	if got := LineEnd("-- a\nb", 0); got != 4 {
		t.Errorf("got %d, want 4", got)
	}
	if got := LineEnd("# a", 1); got != 3 {
		t.Errorf("got %d, want 3", got)
	}
}
