package bench

import (
	"errors"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// within reports whether got is within 0.1% of want, the histogram's
// precision with 3 significant digits.
func within(got, want time.Duration) bool {
	diff := got - want
	if diff < 0 {
		diff = -diff
	}
	return diff <= want/1000
}

func TestRecorderStats(t *testing.T) {
	r := NewRecorder()
	for i := 1; i <= 1000; i++ {
		r.Record(time.Duration(i) * time.Millisecond)
	}
	r.RecordError(&mysql.MySQLError{Number: 1062})
	r.RecordError(errors.New("boom"))
	s := r.Stats(2*time.Second, 4)
	checks := []struct {
		name      string
		got, want time.Duration
	}{
		{"min", s.Min, 1 * time.Millisecond},
		{"mean", s.Mean, 500500 * time.Microsecond},
		{"p50", s.P50, 500 * time.Millisecond},
		{"p90", s.P90, 900 * time.Millisecond},
		{"p95", s.P95, 950 * time.Millisecond},
		{"p99", s.P99, 990 * time.Millisecond},
		{"p99.9", s.P999, 999 * time.Millisecond},
		{"max", s.Max, 1000 * time.Millisecond},
	}
	for _, c := range checks {
		if !within(c.got, c.want) {
			t.Errorf("%s: got %v, want %v ± 0.1%%", c.name, c.got, c.want)
		}
	}
	if s.Count != 1000 || s.Errors != 2 || s.Clients != 4 || s.QPS != 500 {
		t.Errorf("got count %d errors %d clients %d qps %v, want 1000 2 4 500", s.Count, s.Errors, s.Clients, s.QPS)
	}
	if s.ErrorsByKind["1062 ER_DUP_ENTRY"] != 1 || s.ErrorsByKind[ErrorKindOther] != 1 {
		t.Errorf("got errors by kind %v, want one 1062 ER_DUP_ENTRY and one other", s.ErrorsByKind)
	}
}

func TestRecorderClampsAndMerges(t *testing.T) {
	a, b := NewRecorder(), NewRecorder()
	a.Record(100 * time.Nanosecond) // below the histogram's 1µs
	b.Record(2 * time.Minute)       // above its 60s
	b.RecordError(&mysql.MySQLError{Number: 1213})
	a.Merge(b)
	s := a.Stats(time.Second, 2)
	if s.Count != 2 || s.Errors != 1 || s.ErrorsByKind["1213 ER_LOCK_DEADLOCK"] != 1 {
		t.Errorf("got count %d errors %v, want 2 and one 1213 ER_LOCK_DEADLOCK", s.Count, s.ErrorsByKind)
	}
	if s.Min != 100*time.Nanosecond || s.Max != 2*time.Minute {
		t.Errorf("got min %v max %v, want exact 100ns and 2m", s.Min, s.Max)
	}
	if s.P50 < s.Min || s.P999 > s.Max {
		t.Errorf("got p50 %v p99.9 %v, want percentiles within [min, max]", s.P50, s.P999)
	}
	a.Reset()
	if s := a.Stats(0, 1); s.Count != 0 || s.Errors != 0 || s.QPS != 0 || s.P99 != 0 || len(s.ErrorsByKind) != 0 {
		t.Errorf("after Reset got %+v, want empty stats", s)
	}
}
