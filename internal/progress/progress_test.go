package progress

import (
	"bytes"
	"testing"
	"time"
)

func TestCounter(t *testing.T) {
	type update struct {
		done, total int64
		elapsed     time.Duration
	}
	for _, tc := range []struct {
		name    string
		live    bool
		updates []update
		want    string // written before Finish
	}{
		{"not a terminal", false, []update{{10, 0, 3 * time.Second}}, ""},
		{"short run", true, []update{{10, 100, time.Second}, {20, 100, 1900 * time.Millisecond}}, ""},
		{"known total", true, []update{{10, 100, time.Second}, {40, 100, 3 * time.Second}},
			"\r[   3.0s] 40 queries of 100 (40%), 15 qps\x1b[K"},
		{"unknown total", true, []update{{500, 0, 2 * time.Second}, {1500, 0, 2500 * time.Millisecond}},
			"\r[   2.0s] 500 queries, 250 qps\x1b[K\r[   2.5s] 1500 queries, 2000 qps\x1b[K"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			c := newCounter(&b, tc.live)
			if c.Live() != tc.live {
				t.Errorf("got Live %v, want %v", c.Live(), tc.live)
			}
			for _, u := range tc.updates {
				c.Update(u.done, u.total, u.elapsed)
			}
			if got := b.String(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			c.Finish()
			wantErase := ""
			if tc.want != "" {
				wantErase = "\r\x1b[K"
			}
			if got := b.String()[len(tc.want):]; got != wantErase {
				t.Errorf("Finish wrote %q, want %q", got, wantErase)
			}
		})
	}
}

// fakeClock advances by step on every reading.
func fakeClock(step time.Duration) func() time.Time {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time {
		now = now.Add(step)
		return now
	}
}

func TestBarsWithoutTerminal(t *testing.T) {
	var b bytes.Buffer
	bars := newBars(&b)
	bars.now = fakeClock(250 * time.Millisecond)
	bars.Update("users", 0, 100)
	bars.Update("images", 500, 1000)
	bars.Update("users", 100, 100)
	bars.Update("images", 1000, 1000)
	bars.Finish()
	want := "users: 100 rows in 500ms (200 rows/s)\nimages: 1000 rows in 500ms (2000 rows/s)\n"
	if got := b.String(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestLog(t *testing.T) {
	var b bytes.Buffer
	l := NewLog(&b)
	l.start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l.now = fakeClock(1500 * time.Millisecond)
	l.Printf("%-6s %s", "0/a", "started")
	l.Line("ready")
	want := "[  1.5s] 0/a    started\n[  3.0s] ready\n"
	if got := b.String(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := l.Elapsed(); got != 4500*time.Millisecond {
		t.Errorf("got Elapsed %v, want 4.5s", got)
	}
}

func TestIsTerminal(t *testing.T) {
	if IsTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is a terminal, want not")
	}
}
