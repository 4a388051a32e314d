package bench

import (
	"database/sql/driver"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
)

// A Template is a statement with parameter placeholders, parsed once and
// rendered once per execution. Placeholders are
//
//	{name:uniform(lo,hi)}    an integer drawn uniformly from [lo, hi]
//	{name:zipf(lo,hi,s)}     an integer in [lo, hi] with Zipf exponent s in [1.0001, 100];
//	                         lo is the most frequent value, then lo+1, …
//	{name:seq(start)}        start, start+1, … shared by all clients, so
//	                         generated keys are unique within a Run
//	{name}                   the value drawn for name earlier in the same statement
//
// A '{' that is not followed by a name and then ':' or '}' is literal text, so
// JSON ('{"a":1}') and ODBC escapes ({d '2024-01-01'}) pass through; "{{"
// is a literal '{' for the rare text that would otherwise parse as a
// placeholder.
//
// Values are substituted into the text as decimal literals rather than sent
// as '?' arguments. go-sql-driver/mysql turns arguments into a server-side
// prepare, execute and close (three round trips) unless interpolateParams is
// set, so substitution sends exactly the single COM_QUERY text that mysqlslap
// and sysbench send, and the router sees the literal shard key.
//
// A Template is safe for concurrent use; its seq counters are shared.
type Template struct {
	src         string // as given
	text        string // the rendered text when static
	parts       []part
	slots       int
	static      bool
	returnsRows bool
}

type partKind uint8

const (
	partText partKind = iota
	partUniform
	partZipf
	partSeq
	partRef
)

type part struct {
	kind   partKind
	text   string // partText; a placeholder's source, for messages
	slot   int    // the value slot this part writes (a generator) or reads (a reference)
	lo, hi int64
	zipf   zipf
	seq    *atomic.Int64
}

// TemplateError is returned by ParseTemplate for a placeholder it cannot
// parse.
type TemplateError struct {
	Placeholder string // the placeholder text, e.g. "{id:uniform(1,)}"
	Offset      int    // byte offset of the placeholder in the template
	Reason      string
}

func (e *TemplateError) Error() string {
	return fmt.Sprintf("bench: bad placeholder %s at byte %d: %s", e.Placeholder, e.Offset, e.Reason)
}

// ParseTemplate parses a statement with placeholders (see Template). The
// error, a *TemplateError, names the placeholder and says what is wrong.
func ParseTemplate(text string) (*Template, error) {
	t := &Template{src: text, returnsRows: returnsRows(text)}
	slots := map[string]int{}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			t.parts = append(t.parts, part{kind: partText, text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c != '{' {
			lit.WriteByte(c)
			i++
			continue
		}
		if i+1 < len(text) && text[i+1] == '{' {
			lit.WriteByte('{')
			i += 2
			continue
		}
		name := identAt(text, i+1)
		after := i + 1 + len(name)
		if name == "" || after >= len(text) || (text[after] != ':' && text[after] != '}') {
			lit.WriteByte(c)
			i++
			continue
		}
		end := strings.IndexByte(text[after:], '}')
		if end < 0 {
			return nil, &TemplateError{Placeholder: clip(text[i:]), Offset: i, Reason: "no closing '}'"}
		}
		end += after + 1
		ph := text[i:end]
		p, err := parsePlaceholder(name, text[after:end-1], slots)
		if err != "" {
			return nil, &TemplateError{Placeholder: ph, Offset: i, Reason: err}
		}
		flush()
		p.text = ph
		t.parts = append(t.parts, p)
		i = end
	}
	flush()
	t.slots = len(slots)
	t.static = t.slots == 0
	if t.static {
		// "{{" escapes still have to be undone in a statement without placeholders.
		for _, p := range t.parts {
			t.text += p.text
		}
	}
	return t, nil
}

// MustParseTemplate is ParseTemplate that panics on error, for templates
// fixed in code.
func MustParseTemplate(text string) *Template {
	t, err := ParseTemplate(text)
	if err != nil {
		panic(err)
	}
	return t
}

// String returns the template text as given.
func (t *Template) String() string { return t.src }

// parsePlaceholder parses spec, which is "" for {name} or ":func(args)", and
// returns a reason on error.
func parsePlaceholder(name, spec string, slots map[string]int) (part, string) {
	if spec == "" {
		slot, ok := slots[name]
		if !ok {
			return part{}, fmt.Sprintf("%s is not defined earlier in the statement (define it as {%s:uniform(lo,hi)}, or write {{ for a literal '{')", name, name)
		}
		return part{kind: partRef, slot: slot}, ""
	}
	if _, dup := slots[name]; dup {
		return part{}, fmt.Sprintf("%s is already defined; refer to it as {%s}", name, name)
	}
	spec = strings.TrimSpace(spec[1:])
	fn := identAt(spec, 0)
	rest := strings.TrimSpace(spec[len(fn):])
	if fn == "" || !strings.HasPrefix(rest, "(") || !strings.HasSuffix(rest, ")") {
		return part{}, "want name:function(arguments), e.g. {id:uniform(1,1000)}"
	}
	var args []string
	if inner := strings.TrimSpace(rest[1 : len(rest)-1]); inner != "" {
		args = strings.Split(inner, ",")
		for i := range args {
			args[i] = strings.TrimSpace(args[i])
		}
	}
	p := part{slot: len(slots)}
	switch fn {
	case "uniform":
		if len(args) != 2 {
			return part{}, fmt.Sprintf("uniform wants 2 integer arguments (lo, hi), got %d", len(args))
		}
		lo, hi, reason := parseRange(args)
		if reason != "" {
			return part{}, "uniform: " + reason
		}
		p.kind, p.lo, p.hi = partUniform, lo, hi
	case "zipf":
		if len(args) != 3 {
			return part{}, fmt.Sprintf("zipf wants 3 arguments (lo, hi, s), got %d", len(args))
		}
		lo, hi, reason := parseRange(args[:2])
		if reason != "" {
			return part{}, "zipf: " + reason
		}
		s, err := strconv.ParseFloat(args[2], 64)
		if err != nil || !(s >= 1.0001 && s <= 100) {
			return part{}, fmt.Sprintf("zipf: exponent s must be a number in [1.0001, 100], got %q", args[2])
		}
		z := newZipf(s, uint64(hi-lo))
		if !z.valid() {
			return part{}, fmt.Sprintf("zipf: exponent %v cannot be sampled over %d values", s, uint64(hi-lo)+1)
		}
		p.kind, p.lo, p.hi, p.zipf = partZipf, lo, hi, z
	case "seq":
		if len(args) > 1 {
			return part{}, fmt.Sprintf("seq wants at most 1 integer argument (start), got %d", len(args))
		}
		start := int64(1)
		if len(args) == 1 {
			n, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return part{}, fmt.Sprintf("seq: start %q is not an integer", args[0])
			}
			start = n
		}
		p.kind, p.seq = partSeq, new(atomic.Int64)
		p.seq.Store(start)
	default:
		return part{}, fmt.Sprintf("unknown function %q: use uniform, zipf or seq", fn)
	}
	slots[name] = p.slot
	return p, ""
}

func parseRange(args []string) (lo, hi int64, reason string) {
	lo, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil {
		return 0, 0, fmt.Sprintf("lo %q is not an integer", args[0])
	}
	hi, err = strconv.ParseInt(args[1], 10, 64)
	if err != nil {
		return 0, 0, fmt.Sprintf("hi %q is not an integer", args[1])
	}
	if lo > hi {
		return 0, 0, fmt.Sprintf("lo %d is greater than hi %d", lo, hi)
	}
	if lo < 0 && hi > math.MaxInt64+lo {
		return 0, 0, "the range is wider than 2^63-1"
	}
	return lo, hi, ""
}

// identAt returns the identifier ([A-Za-z_][A-Za-z0-9_]*) that starts at s[i].
func identAt(s string, i int) string {
	j := i
	for j < len(s) {
		c := s[j]
		if c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || (j > i && '0' <= c && c <= '9') {
			j++
			continue
		}
		break
	}
	return s[i:j]
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// A Renderer renders templates for one client. It is not safe for concurrent
// use: give each client its own. Its random stream is fixed by (seed,
// stream), so a run with the same Config.Seed draws the same values.
type Renderer struct {
	pcg  *rand.PCG
	rng  *rand.Rand
	buf  []byte
	vals []int64
	ints []int64 // Values' draws
}

// NewRenderer returns a Renderer whose random values come from the PCG
// stream (seed, stream).
func NewRenderer(seed, stream uint64) *Renderer {
	pcg := rand.NewPCG(seed, stream)
	return &Renderer{pcg: pcg, rng: rand.New(pcg), buf: make([]byte, 0, 256)}
}

func (r *Renderer) reseed(seed, stream uint64) { r.pcg.Seed(seed, stream) }

// Render returns the statement text with fresh values in its placeholders. A
// template without placeholders is returned as is, without allocating;
// otherwise the result is one new string, because the target (a router with a
// plan cache, say) may keep it.
func (r *Renderer) Render(t *Template) string {
	if t.static {
		return t.text
	}
	r.buf = r.AppendText(r.buf[:0], t)
	return string(r.buf)
}

// AppendText appends the statement text with fresh values in its
// placeholders to b, as Render would return it, and returns the extended
// buffer: scalelab's own protocol loop renders into its packet this way,
// without a string in between.
func (r *Renderer) AppendText(b []byte, t *Template) []byte {
	if t.static {
		return append(b, t.text...)
	}
	if len(r.vals) < t.slots {
		r.vals = make([]int64, t.slots)
	}
	for i := range t.parts {
		p := &t.parts[i]
		if p.kind == partText {
			b = append(b, p.text...)
			continue
		}
		b = strconv.AppendInt(b, r.value(p), 10)
	}
	return b
}

// QuotedPlaceholder returns the first placeholder of t that stands inside
// a quoted string or identifier ('…{id:uniform(1,9)}…', `t{n}`), where a
// prepared statement cannot take a parameter (PreparedText's ? would be a
// character of the string), or "" if there is none.
func (t *Template) QuotedPlaceholder() string {
	var quote byte // the quote character of the string or identifier t is in, or 0
	escaped := false
	for _, p := range t.parts {
		if p.kind != partText {
			if quote != 0 {
				return p.text
			}
			continue
		}
		for i := 0; i < len(p.text); i++ {
			c := p.text[i]
			switch {
			case escaped:
				escaped = false
			case quote == 0:
				if c == '\'' || c == '"' || c == '`' {
					quote = c
				}
			case c == '\\' && quote != '`':
				escaped = true
			case c == quote:
				quote = 0
			}
		}
	}
	return ""
}

// PreparedText is the template's statement for a server-side prepared
// statement: a ? for each placeholder, whose values Values draws.
func (t *Template) PreparedText() string {
	if t.static {
		return t.text
	}
	var b strings.Builder
	for _, p := range t.parts {
		if p.kind == partText {
			b.WriteString(p.text)
			continue
		}
		b.WriteByte('?')
	}
	return b.String()
}

// Values draws fresh values for the template's placeholders, in order, as
// Render would put them in its text, into args (reused when it is large
// enough).
func (r *Renderer) Values(t *Template, args []driver.NamedValue) []driver.NamedValue {
	args = args[:0]
	r.ints = r.Ints(t, r.ints[:0])
	for _, v := range r.ints {
		args = append(args, driver.NamedValue{Ordinal: len(args) + 1, Value: v})
	}
	return args
}

// Ints draws fresh values for the template's placeholders, in order, as
// Values does, and appends them to dst.
func (r *Renderer) Ints(t *Template, dst []int64) []int64 {
	if t.static {
		return dst
	}
	if len(r.vals) < t.slots {
		r.vals = make([]int64, t.slots)
	}
	for i := range t.parts {
		if p := &t.parts[i]; p.kind != partText {
			dst = append(dst, r.value(p))
		}
	}
	return dst
}

// value draws the value of placeholder part p and keeps it in its slot;
// a reference reads the slot.
func (r *Renderer) value(p *part) int64 {
	var v int64
	switch p.kind {
	case partUniform:
		v = p.lo + int64(r.uint64n(uint64(p.hi-p.lo)))
	case partZipf:
		v = p.lo + int64(p.zipf.sample(r.rng))
	case partSeq:
		v = p.seq.Add(1) - 1
	case partRef:
		return r.vals[p.slot]
	}
	r.vals[p.slot] = v
	return v
}

// uint64n returns a uniform value in [0, span], span included.
func (r *Renderer) uint64n(span uint64) uint64 {
	if span == math.MaxUint64 {
		return r.rng.Uint64()
	}
	return r.rng.Uint64N(span + 1)
}

// zipf draws from a Zipf distribution over [0, imax] with exponent s > 1 and
// v = 1, by the rejection-inversion method of Hörmann and Derflinger, the one
// math/rand uses. It is kept apart from a *rand.Rand (unlike rand.Zipf) so
// that a Template holds the constants once and every client's Renderer brings
// its own random source.
type zipf struct {
	imax, q, s       float64
	oneMinusQ, inv1Q float64
	hxm, hx0MinusHxm float64
}

func newZipf(s float64, imax uint64) zipf {
	z := zipf{imax: float64(imax), q: s, oneMinusQ: 1 - s}
	z.inv1Q = 1 / z.oneMinusQ
	z.hxm = z.h(z.imax + 0.5)
	z.hx0MinusHxm = z.h(0.5) - 1 - z.hxm // exp(log(v)*-q) is 1 for v = 1
	z.s = 1 - z.hinv(z.h(1.5)-math.Exp(-z.q*math.Log(2)))
	return z
}

func (z *zipf) h(x float64) float64    { return math.Exp(z.oneMinusQ*math.Log(1+x)) * z.inv1Q }
func (z *zipf) hinv(x float64) float64 { return math.Exp(z.inv1Q*math.Log(z.oneMinusQ*x)) - 1 }

// valid reports whether the constants are finite, which the sampler needs
// to terminate.
func (z *zipf) valid() bool {
	for _, f := range []float64{z.s, z.hxm, z.hx0MinusHxm, z.inv1Q} {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return false
		}
	}
	return z.hx0MinusHxm != 0
}

// sample draws one value. Each round accepts with high probability; the
// round limit only guards against floating-point corner cases, falling back
// to the last candidate.
func (z *zipf) sample(r *rand.Rand) uint64 {
	var k float64
	for range 1000 {
		ur := z.hxm + r.Float64()*z.hx0MinusHxm
		x := z.hinv(ur)
		k = min(max(math.Floor(x+0.5), 0), z.imax)
		if k-x <= z.s || ur >= z.h(k+0.5)-math.Exp(-math.Log(k+1)*z.q) {
			break
		}
	}
	return uint64(k)
}
