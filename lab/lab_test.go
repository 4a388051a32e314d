package lab

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scalelab/scalelab/bench"
)

func TestNames(t *testing.T) {
	want := []string{"index", "pool", "replicas", "shards", "cube", "failover", "batch"}
	if got := Names(); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for _, n := range want {
		own := n == "shards" || n == "cube" || n == "failover"
		if got := NeedsOwnSandbox(n); got != own {
			t.Errorf("NeedsOwnSandbox(%q): got %v, want %v", n, got, own)
		}
	}
}

func TestRunUnknownLab(t *testing.T) {
	_, err := Run(context.Background(), "sharding", Config{})
	if !errors.Is(err, ErrUnknownLab) {
		t.Fatalf("got %v, want ErrUnknownLab", err)
	}
	if !strings.Contains(err.Error(), "index, pool, replicas, shards, cube, failover, batch") {
		t.Errorf("got %q, want it to name the labs", err)
	}
}

func TestSizes(t *testing.T) {
	for _, name := range SizeNames() {
		s, err := SizeNamed(name)
		if err != nil {
			t.Fatal(err)
		}
		if s.Name != name {
			t.Errorf("got name %q, want %q", s.Name, name)
		}
		if _, err := s.withDefaults(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := SizeNamed("huge"); err == nil || !strings.Contains(err.Error(), "small, demo, full") {
		t.Errorf("got %v, want an error naming the sizes", err)
	}
	// Zero fields take Demo's values; lists are sorted and deduplicated.
	s, err := Size{Duration: 3 * time.Second, PoolSizes: []int{8, 1, 8, 2}}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	d := Demo()
	if s.Duration != 3*time.Second || s.Rows != d.Rows || s.Name != "custom" || !slices.Equal(s.PoolSizes, []int{1, 2, 8}) || !slices.Equal(s.ShardCounts, d.ShardCounts) {
		t.Errorf("got %+v, want Demo's values but duration 3s and pool sizes [1 2 8]", s)
	}
	for _, bad := range []Size{{Duration: -time.Second}, {Rows: 5}, {PoolSizes: []int{0, 4}}, {ShardCounts: []int{64}}, {Replicas: 9}} {
		if _, err := bad.withDefaults(); err == nil {
			t.Errorf("%+v: got no error, want one", bad)
		}
	}
}

func sampleExperiment() *Experiment {
	return &Experiment{
		Name: "batch", Title: "N+1 queries against batched loading", Question: "What does a dataloader save?",
		Verdict: "the dataloader sent 6 statements instead of 102",
		Params:  map[string]any{"shards": 2, "page_items": 50},
		Tables:  []Table{{Title: "Feed pages", Header: []string{"way", "p50 ms"}, Rows: [][]string{{"N+1", "31.2"}, {"dataloader", "6.1"}}}},
		Notes:   []string{"each statement is one round trip"},
	}
}

func TestWrite(t *testing.T) {
	for _, tc := range []struct {
		f    Format
		want []string
	}{
		{FormatTable, []string{"== batch: N+1 queries against batched loading ==", "page items 50, shards 2", "Feed pages", "│ dataloader │    6.1 │", "Notes:\n- each statement", "Verdict: the dataloader sent 6"}},
		{FormatMarkdown, []string{"## batch: N+1 queries against batched loading", "_What does a dataloader save?_", "### Feed pages", "| dataloader |", "**Verdict:** the dataloader"}},
	} {
		t.Run(string(tc.f), func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, tc.f, sampleExperiment()); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("got\n%s\nwant it to contain %q", b.String(), w)
				}
			}
		})
	}
	if err := Write(&bytes.Buffer{}, "csv", sampleExperiment()); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("got %v, want ErrUnknownFormat", err)
	}
}

func TestWriteJSON(t *testing.T) {
	rep := &Report{Version: ReportVersion, Experiments: []Experiment{*sampleExperiment()}}
	var b bytes.Buffer
	if err := WriteJSON(&b, rep); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b.String())
	}
	if len(back.Experiments) != 1 || back.Experiments[0].Verdict != rep.Experiments[0].Verdict {
		t.Errorf("got %+v, want the report back", back)
	}
}

func TestInsertQuery(t *testing.T) {
	got := insertQuery("images", 42, 1000)
	for _, w := range []string{"INSERT INTO images (id, user_id, parent_id, name, path, dt) SELECT {b:seq(42)} * 100 + n, 1 + ({b} * 100 + n) % 1000", "FROM lab_digits"} {
		if !strings.Contains(got, w) {
			t.Errorf("got %q, want it to contain %q", got, w)
		}
	}
}

func TestSampleMerge(t *testing.T) {
	if p := newSample().P(99); p != 0 {
		t.Errorf("empty sample: got p99 %v, want 0", p)
	}
	s := newSample()
	for _, d := range []time.Duration{time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond, 100 * time.Millisecond} {
		s.record(d)
	}
	if st := s.stats(); st.Count != 4 || st.Min != time.Millisecond || st.Max != 100*time.Millisecond {
		t.Errorf("got count %d, min %v, max %v; want 4, 1ms, 100ms", st.Count, st.Min, st.Max)
	}
	if p := s.P(50); p < 1900*time.Microsecond || p > 2100*time.Microsecond {
		t.Errorf("got p50 %v, want about 2ms", p)
	}
	if p := s.P(100); p != 100*time.Millisecond {
		t.Errorf("got p100 %v, want 100ms", p)
	}
}

// TestSampleMergesRounds checks that the rounds of one side add up, error
// kinds included: two rounds that each timed out count both rounds'
// timeouts, as bench.Recorder.Merge sums them.
func TestSampleMergesRounds(t *testing.T) {
	round := func(ok []time.Duration, errs ...error) bench.Stats {
		r := bench.NewRecorder()
		for _, d := range ok {
			r.Record(d)
		}
		for _, err := range errs {
			r.RecordError(err)
		}
		return r.Stats(time.Second, 1)
	}
	timeout := context.DeadlineExceeded
	s := newSample()
	s.add(round([]time.Duration{time.Millisecond, 3 * time.Millisecond}, timeout, timeout))
	s.add(round([]time.Duration{2 * time.Millisecond}, timeout, timeout, timeout))
	s.add(round(nil))
	st := s.stats()
	kind := bench.ClassifyError(timeout)
	if st.Count != 3 || st.Errors != 5 || st.ErrorsByKind[kind] != 5 || len(st.ErrorsByKind) != 1 {
		t.Errorf("got %d ok, %d errors, by kind %v; want 3, 5, {%s: 5}", st.Count, st.Errors, st.ErrorsByKind, kind)
	}
	if st.Min != time.Millisecond || st.Max != 3*time.Millisecond || st.Mean != 2*time.Millisecond || st.Wall != 3*time.Second {
		t.Errorf("got min %v, mean %v, max %v, wall %v; want 1ms, 2ms, 3ms, 3s", st.Min, st.Mean, st.Max, st.Wall)
	}
	if err := s.err("side"); err == nil || !strings.Contains(err.Error(), "5 of 8 queries failed: "+kind+" ×5") {
		t.Errorf("got %v, want 5 of 8 queries failed, %s ×5", err, kind)
	}
}
