package bench

import (
	"context"
	"testing"
	"time"
)

func BenchmarkRender(b *testing.B) {
	for _, bc := range []struct{ name, text string }{
		{"static", "SELECT * FROM users WHERE id = 42"},
		{"uniform", "SELECT * FROM users WHERE id = {id:uniform(1,100000)}"},
		{"zipf", "SELECT * FROM users WHERE id = {id:zipf(1,100000,1.1)}"},
		{"three", "UPDATE users SET visits = visits + {n:uniform(1,10)} WHERE id = {id:uniform(1,100000)} AND shard = {id}"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			tpl := MustParseTemplate(bc.text)
			r := NewRenderer(1, 1)
			b.ReportAllocs()
			for b.Loop() {
				_ = r.Render(tpl)
			}
		})
	}
}

func BenchmarkRecord(b *testing.B) {
	r := NewRecorder()
	b.ReportAllocs()
	d := time.Duration(0)
	for b.Loop() {
		d = (d + 7919*time.Microsecond) % (2 * time.Second)
		r.Record(d)
	}
}

// BenchmarkRunOverhead measures the runner's own cost per query (render,
// two clock reads, execute through the Target interface, record) against a
// target that does nothing: one op is one query.
func BenchmarkRunOverhead(b *testing.B) {
	for _, bc := range []struct {
		name  string
		query string
		conc  int
	}{
		{"static/1", "DO 1", 1},
		{"uniform/1", "UPDATE t SET v = v + 1 WHERE id = {id:uniform(1,100000)}", 1},
		{"uniform/4", "UPDATE t SET v = v + 1 WHERE id = {id:uniform(1,100000)}", 4},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			n := max(b.N, bc.conc)
			b.ResetTimer()
			res, err := Run(context.Background(), nopTarget{}, Config{Queries: []string{bc.query}, Concurrency: []int{bc.conc}, NumberOfQueries: n})
			if err != nil || res.Levels[0].Total.Count != int64(n) {
				b.Fatalf("got %v, %v; want %d queries", res, err, n)
			}
		})
	}
}
