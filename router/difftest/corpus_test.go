package difftest

import (
	"bufio"
	"context"
	"os"
	"strings"
	"testing"
)

// corpusEntry is one statement of testdata/corpus.sql with its tags.
type corpusEntry struct {
	line int
	sql  string
	opts cmpOpts
	// refuse, when set, is text the router's refusal must contain; the
	// statement must then be refused.
	refuse string
	// either allows a refusal as well as the same answer.
	either bool
}

// readCorpus reads a corpus file: one statement per line; blank lines and
// lines starting with -- are skipped. Tags in brackets lead a statement:
//
//	[ordered]       the ORDER BY fully determines the row order
//	[ci]            equal values under the collation may differ in bytes
//	[noproxy]       compare through the router only
//	[refuse:SHAPE]  the router must refuse it, naming SHAPE
//	[either]        the same answer, or a refusal
//
// Untagged statements must give the same answer as the unsharded server,
// compared as multisets.
func readCorpus(t *testing.T, path string) []corpusEntry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "--") {
			continue
		}
		e := corpusEntry{line: n}
		for strings.HasPrefix(line, "[") {
			end := strings.IndexByte(line, ']')
			if end < 0 {
				t.Fatalf("%s:%d: unclosed tag", path, n)
			}
			tag := line[1:end]
			line = strings.TrimSpace(line[end+1:])
			switch {
			case tag == "ordered":
				e.opts.ordered = true
			case tag == "ci":
				e.opts.collation = true
			case tag == "noproxy":
				e.opts.noProxy = true
			case tag == "either":
				e.either = true
			case strings.HasPrefix(tag, "refuse:"):
				e.refuse = strings.TrimPrefix(tag, "refuse:")
			default:
				t.Fatalf("%s:%d: unknown tag [%s]", path, n, tag)
			}
		}
		e.sql = strings.TrimSuffix(line, ";")
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestHandCorpus runs the hand-written corpus: every statement must give
// the unsharded server's answer, or be refused where its tags say so.
func TestHandCorpus(t *testing.T) { runCorpus(t, "corpus.sql", 300) }

// TestHandCorpus2 runs the second corpus (sessions' habits, collations,
// parser differences, literals) the same way.
func TestHandCorpus2(t *testing.T) { runCorpus(t, "corpus2.sql", 150) }

// TestHandCorpus3 runs the third corpus (an independent tester's: key
// comparisons whose type the rest of the statement decides, values that
// print alike but compare apart, per-statement state, merged aggregates,
// column names) the same way.
func TestHandCorpus3(t *testing.T) { runCorpus(t, "corpus3.sql", 150) }

// TestHandCorpus4 runs the fourth corpus (an independent tester's: the
// names and metadata of scattered statements' columns, dates and times
// merged across shards, NULL order, LIMIT and OFFSET edges and big
// unsigned values) the same way.
func TestHandCorpus4(t *testing.T) { runCorpus(t, "corpus4.sql", 150) }

// runCorpus runs testdata/name, which must hold at least min statements.
func runCorpus(t *testing.T, name string, min int) {
	e := setup(t)
	corpus := readCorpus(t, "testdata/"+name)
	if len(corpus) < min {
		t.Fatalf("%s has %d statements, want at least %d", name, len(corpus), min)
	}
	runEntries(t, e, name, corpus)
}

// runEntries checks each statement of a corpus (of file name) against
// its tags.
func runEntries(t *testing.T, e *env, name string, corpus []corpusEntry) {
	t.Helper()
	ctx := context.Background()
	counts := map[verdict]int{}
	for _, c := range corpus {
		v, detail := e.check(ctx, c.sql, c.opts)
		counts[v]++
		switch {
		case v == invalid:
			t.Errorf("%s:%d: the unsharded server rejects it: %s\n  %s", name, c.line, detail, c.sql)
		case v == differ:
			t.Errorf("%s:%d: DIFFERENT RESULT: %s\n  %s", name, c.line, detail, c.sql)
		case v == dataError && !c.either:
			t.Errorf("%s:%d: a shard raised an error the server did not: %s\n  %s", name, c.line, detail, c.sql)
		case c.refuse != "" && v != refused:
			t.Errorf("%s:%d: ran, want a refusal naming %q\n  %s", name, c.line, c.refuse, c.sql)
		case c.refuse != "" && !strings.Contains(detail, c.refuse):
			t.Errorf("%s:%d: refusal %q does not name %q\n  %s", name, c.line, detail, c.refuse, c.sql)
		case v == refused && c.refuse == "" && !c.either:
			t.Errorf("%s:%d: refused, want the same answer: %s\n  %s", name, c.line, detail, c.sql)
		}
	}
	t.Logf("%d statements: %d same, %d refused, %d different, %d invalid",
		len(corpus), counts[same], counts[refused], counts[differ], counts[invalid])
}

// TestHandCorpus5 runs the fifth corpus (an independent tester's: key
// literals in numeric contexts, pinned set operations and CTEs, window
// functions, DECIMAL overflow and AVG halves, protocol edges) the same way.
func TestHandCorpus5(t *testing.T) { runCorpus(t, "corpus5.sql", 100) }

// TestHandCorpus6 runs the sixth corpus (an independent review's: grouped
// DECIMAL sums that saturate in the server's order, GET_FORMAT in
// scattered GROUP BY and ORDER BY, sums and averages that round).
func TestHandCorpus6(t *testing.T) { runCorpus(t, "corpus6.sql", 1) }

// TestHandCorpus7 runs the seventh corpus (an independent review's:
// negative integer literals as shard keys, which the hash vindex maps to
// the shards of the big unsigned ids; signs that make no key; negative
// literals in IN lists, joins, aggregates and column names; precedence
// next to a key comparison).
func TestHandCorpus7(t *testing.T) { runCorpus(t, "corpus7.sql", 100) }

// TestHandCorpus8 runs the eighth corpus (an independent tester's:
// merged types, DECIMAL scales, unsigned values past 2^63, DOUBLE edges,
// TIME and DATETIME(6), collations and binary strings, NULLs, grouped
// and DISTINCT shapes, LIMIT and OFFSET edges) the same way.
func TestHandCorpus8(t *testing.T) { runCorpus(t, "corpus8.sql", 100) }
