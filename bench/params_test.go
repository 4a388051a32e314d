package bench

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRenderStatic(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "SELECT 1", "SELECT 1"},
		{"json literal", `SELECT '{"a":1}'`, `SELECT '{"a":1}'`},
		{"odbc escape", "SELECT {d '2024-01-01'}", "SELECT {d '2024-01-01'}"},
		{"escaped brace", "SELECT '{{id}'", "SELECT '{id}'"},
		{"lone braces", "SELECT '}{'", "SELECT '}{'"},
		{"brace at end", "SELECT '{", "SELECT '{"},
	}
	r := NewRenderer(1, 1)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tpl, err := ParseTemplate(tc.in)
			if err != nil {
				t.Fatalf("ParseTemplate(%q): %v", tc.in, err)
			}
			if got := r.Render(tpl); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if got := tpl.String(); got != tc.in {
				t.Errorf("String() got %q, want %q", got, tc.in)
			}
		})
	}
}

func TestRenderUniformAndRef(t *testing.T) {
	tpl := MustParseTemplate("UPDATE t SET v = v + 1 WHERE id = {id:uniform(-3, 3)} OR parent = {id}")
	r := NewRenderer(42, 0)
	seen := map[int64]bool{}
	for range 2000 {
		q := r.Render(tpl)
		var a, b int64
		rest, ok := strings.CutPrefix(q, "UPDATE t SET v = v + 1 WHERE id = ")
		if !ok {
			t.Fatalf("got %q, want the template's text around the values", q)
		}
		as, bs, _ := strings.Cut(rest, " OR parent = ")
		a, _ = strconv.ParseInt(as, 10, 64)
		b, _ = strconv.ParseInt(bs, 10, 64)
		if a != b {
			t.Fatalf("got id %d and parent %d, want the same value for {id}", a, b)
		}
		if a < -3 || a > 3 {
			t.Fatalf("got %d, want a value in [-3, 3]", a)
		}
		seen[a] = true
	}
	if len(seen) != 7 {
		t.Errorf("got %d distinct values, want all 7 of [-3, 3]", len(seen))
	}
}

func TestRenderDeterministic(t *testing.T) {
	tpl := MustParseTemplate("SELECT {a:uniform(1,1000000)}, {b:zipf(1,1000,1.2)}")
	render := func(seed, stream uint64) []string {
		r := NewRenderer(seed, stream)
		var out []string
		for range 20 {
			out = append(out, r.Render(tpl))
		}
		return out
	}
	a, b, c := render(7, 1), render(7, 1), render(7, 2)
	if strings.Join(a, ";") != strings.Join(b, ";") {
		t.Errorf("same seed and stream: got %v and %v, want the same values", a, b)
	}
	if strings.Join(a, ";") == strings.Join(c, ";") {
		t.Errorf("different streams: got the same values %v", a)
	}
}

func TestRenderSeq(t *testing.T) {
	tpl := MustParseTemplate("INSERT INTO t VALUES ({n:seq(10)}, {n})")
	r1, r2 := NewRenderer(1, 1), NewRenderer(1, 2)
	got := []string{r1.Render(tpl), r2.Render(tpl), r1.Render(tpl)}
	want := []string{"INSERT INTO t VALUES (10, 10)", "INSERT INTO t VALUES (11, 11)", "INSERT INTO t VALUES (12, 12)"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("render %d: got %q, want %q", i, got[i], want[i])
		}
	}
	if got := r1.Render(MustParseTemplate("SELECT {n:seq()}")); got != "SELECT 1" {
		t.Errorf("seq(): got %q, want %q", got, "SELECT 1")
	}
}

func TestRenderZipf(t *testing.T) {
	const s = 1.5
	tpl := MustParseTemplate("{k:zipf(100,199,1.5)}")
	r := NewRenderer(3, 3)
	counts := map[int64]int{}
	const n = 200000
	for range n {
		v, err := strconv.ParseInt(r.Render(tpl), 10, 64)
		if err != nil || v < 100 || v > 199 {
			t.Fatalf("got %d (%v), want a value in [100, 199]", v, err)
		}
		counts[v]++
	}
	// P(rank k) ∝ 1/k^s, so rank 1 (100) is 2^s times as frequent as rank 2 (101).
	ratio := float64(counts[100]) / float64(counts[101])
	if want := 2.8284; ratio < want*0.95 || ratio > want*1.05 {
		t.Errorf("got count(100)/count(101) = %.3f, want about 2^%.1f = %.3f", ratio, s, want)
	}
	if counts[100] < counts[150] {
		t.Errorf("got count(100) = %d < count(150) = %d, want lo the most frequent", counts[100], counts[150])
	}
}

func TestParseTemplateErrors(t *testing.T) {
	tests := []struct {
		name, in, placeholder, reason string
	}{
		{"unknown function", "SELECT {id:gauss(1,2)}", "{id:gauss(1,2)}", `unknown function "gauss"`},
		{"missing argument", "SELECT {id:uniform(1,)}", "{id:uniform(1,)}", `hi "" is not an integer`},
		{"argument count", "SELECT {id:uniform(1)}", "{id:uniform(1)}", "uniform wants 2 integer arguments"},
		{"bad integer", "SELECT {id:uniform(a,2)}", "{id:uniform(a,2)}", `lo "a" is not an integer`},
		{"reversed range", "SELECT {id:uniform(9,2)}", "{id:uniform(9,2)}", "lo 9 is greater than hi 2"},
		{"zipf exponent", "SELECT {id:zipf(1,10,0.8)}", "{id:zipf(1,10,0.8)}", "exponent s must be a number in [1.0001, 100]"},
		{"unclosed", "SELECT {id:uniform(1,2", "{id:uniform(1,2", "no closing '}'"},
		{"no parens", "SELECT {id:uniform}", "{id:uniform}", "want name:function(arguments)"},
		{"undefined ref", "SELECT {id}", "{id}", "id is not defined earlier"},
		{"redefined", "SELECT {id:seq(1)}, {id:seq(1)}", "{id:seq(1)}", "id is already defined"},
		{"wide range", "SELECT {id:uniform(-9223372036854775808,9223372036854775807)}", "{id:uniform(-9223372036854775808,9223372036854775807)}", "wider than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseTemplate(tc.in)
			var te *TemplateError
			if !errors.As(err, &te) {
				t.Fatalf("got %v, want a *TemplateError", err)
			}
			if te.Placeholder != tc.placeholder {
				t.Errorf("got placeholder %q, want %q", te.Placeholder, tc.placeholder)
			}
			if !strings.Contains(te.Reason, tc.reason) {
				t.Errorf("got reason %q, want it to contain %q", te.Reason, tc.reason)
			}
			if !strings.Contains(err.Error(), tc.placeholder) {
				t.Errorf("got message %q, want it to name %s", err, tc.placeholder)
			}
		})
	}
}

func TestReturnsRows(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"SELECT 1", true},
		{"  select 1", true},
		{"(SELECT 1) UNION (SELECT 2)", true},
		{"/* hint */ SELECT 1", true},
		{"-- note\nSHOW TABLES", true},
		{"WITH x AS (SELECT 1) SELECT * FROM x", true},
		{"INSERT INTO t VALUES (1)", false},
		{"UPDATE t SET a=1", false},
		{"DO 1", false},
		{"", false},
		{"/* unclosed", false},
	}
	for _, tc := range tests {
		if got := returnsRows(tc.in); got != tc.want {
			t.Errorf("returnsRows(%q): got %v, want %v", tc.in, got, tc.want)
		}
	}
}

func FuzzParseTemplate(f *testing.F) {
	for _, s := range []string{
		"SELECT * FROM t WHERE id = {id:uniform(1,100000)}",
		"SELECT {id:zipf(1,100000,1.1)}, {id}",
		"INSERT INTO t VALUES ({n:seq(1)})",
		`SELECT '{"a":1}', {{x}`,
		"{a:uniform(1,2", "{a}", "{", "{{", "}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tpl, err := ParseTemplate(s)
		if err != nil {
			var te *TemplateError
			if !errors.As(err, &te) {
				t.Fatalf("got %T %v, want a *TemplateError", err, err)
			}
			if te.Offset < 0 || te.Offset >= len(s) || s[te.Offset] != '{' {
				t.Fatalf("got offset %d, want the index of a '{' in %q", te.Offset, s)
			}
			if ph := strings.TrimSuffix(te.Placeholder, "…"); !strings.HasPrefix(s[te.Offset:], ph) {
				t.Fatalf("got placeholder %q, want a prefix of %q", te.Placeholder, s[te.Offset:])
			}
			return
		}
		if tpl.String() != s {
			t.Fatalf("String() got %q, want %q", tpl.String(), s)
		}
		r := NewRenderer(1, 2)
		out := r.Render(tpl)
		if tpl.static && strings.Count(out, "{") != strings.Count(s, "{")-strings.Count(s, "{{") {
			t.Fatalf("static %q rendered %q: want only {{ escapes undone", s, out)
		}
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("rendered %q from valid UTF-8 %q: want valid UTF-8", out, s)
		}
	})
}

func TestPreparedTextAndValues(t *testing.T) {
	tpl := MustParseTemplate("SELECT * FROM t WHERE a = {a:uniform(5,5)} AND b BETWEEN {b:seq(7)} AND {b} + 1")
	if got, want := tpl.PreparedText(), "SELECT * FROM t WHERE a = ? AND b BETWEEN ? AND ? + 1"; got != want {
		t.Errorf("PreparedText = %q, want %q", got, want)
	}
	r := NewRenderer(1, 1)
	args := r.Values(tpl, nil)
	if len(args) != 3 {
		t.Fatalf("got %d values, want 3: %v", len(args), args)
	}
	for i, want := range []int64{5, 7, 7} {
		if args[i].Ordinal != i+1 || args[i].Value != want {
			t.Errorf("value %d = %+v, want ordinal %d value %d", i, args[i], i+1, want)
		}
	}
	if args = r.Values(tpl, args); args[1].Value != int64(8) || args[2].Value != int64(8) {
		t.Errorf("second draw: %v, want the seq at 8, repeated", args)
	}
	static := MustParseTemplate("SELECT 1")
	if static.PreparedText() != "SELECT 1" || len(r.Values(static, args)) != 0 {
		t.Error("a static template has parameters")
	}
}
