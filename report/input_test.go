package report

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name      string
		data      string
		wantLab   bool
		wantBench bool
		wantErr   error
	}{
		{name: "lab report", data: `{"version":1,"experiments":[{"name":"index","verdict":"v"}]}`, wantLab: true},
		{name: "lab report without version", data: `{"experiments":[]}`, wantLab: true},
		{name: "bench results", data: `{"partial":false,"levels":[{"concurrency":4,"total":{"qps":10}}]}`, wantBench: true},
		{name: "bench results with white space after", data: "{\"levels\":[]}\n\n", wantBench: true},
		{name: "newer lab report", data: `{"version":99,"experiments":[]}`, wantErr: ErrNewerVersion},
		{name: "other object", data: `{"rows":[]}`, wantErr: ErrUnknownInput},
		{name: "array", data: `[1,2]`, wantErr: ErrUnknownInput},
		{name: "null", data: `null`, wantErr: ErrUnknownInput},
		{name: "empty", data: ``, wantErr: ErrUnknownInput},
		{name: "not JSON", data: "concurrency,qps\n1,100\n", wantErr: ErrUnknownInput},
		{name: "two documents", data: `{"levels":[]} {"levels":[]}`, wantErr: ErrUnknownInput},
		{name: "lab report of the wrong shape", data: `{"experiments":{"name":"x"}}`, wantErr: errAny},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := Decode("f.json", []byte(tc.data))
			switch {
			case tc.wantErr == errAny:
				if err == nil {
					t.Fatal("got no error, want one")
				}
				return
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("got error %v, want %v", err, tc.wantErr)
				}
				return
			case err != nil:
				t.Fatalf("got error %v, want none", err)
			}
			if got := in.Lab != nil; got != tc.wantLab {
				t.Errorf("got Lab set %v, want %v", got, tc.wantLab)
			}
			if got := in.Bench != nil; got != tc.wantBench {
				t.Errorf("got Bench set %v, want %v", got, tc.wantBench)
			}
			if in.Name != "f.json" {
				t.Errorf("got Name %q, want f.json", in.Name)
			}
		})
	}
}

var errAny = errors.New("any error")

// TestDecodeBenchJSON checks that what bench.Write's JSON says arrives in
// BenchResult, field by field.
func TestDecodeBenchJSON(t *testing.T) {
	in, err := Decode("b.json", sampleBenchJSON(t))
	if err != nil {
		t.Fatal(err)
	}
	want := sampleBench()
	if got, w := len(in.Bench.Levels), len(want.Levels); got != w {
		t.Fatalf("got %d levels, want %d", got, w)
	}
	for i, l := range in.Bench.Levels {
		w := want.Levels[i]
		ms := func(d interface{ Seconds() float64 }) float64 { return d.Seconds() * 1000 }
		for _, c := range []struct {
			field     string
			got, want float64
		}{
			{"concurrency", float64(l.Concurrency), float64(w.Concurrency)},
			{"queries", float64(l.Total.Queries), float64(w.Total.Count)},
			{"errors", float64(l.Total.Errors), float64(w.Total.Errors)},
			{"qps", l.Total.QPS, w.Total.QPS},
			{"wall_s", l.Total.WallS, w.Total.Wall.Seconds()},
			{"p50_ms", val(l.Total.P50Ms), ms(w.Total.P50)},
			{"p99_ms", val(l.Total.P99Ms), ms(w.Total.P99)},
			{"p999_ms", val(l.Total.P999Ms), ms(w.Total.P999)},
			{"max_ms", val(l.Total.MaxMs), ms(w.Total.Max)},
		} {
			if diff := c.got - c.want; diff > 1e-9 || diff < -1e-9 {
				t.Errorf("level %d %s: got %v, want %v", i, c.field, c.got, c.want)
			}
		}
		if got, w := len(l.Iterations), len(w.Iterations); got != w {
			t.Errorf("level %d: got %d iterations, want %d", i, got, w)
		}
	}
	if got := in.Bench.Levels[3].Total.ErrorsByKind["1205 ER_LOCK_WAIT_TIMEOUT"]; got != 7 {
		t.Errorf("errors by kind: got %d, want 7", got)
	}
}

func TestReadFile(t *testing.T) {
	for _, name := range []string{"lab.json", "bench.json"} {
		in, err := ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatalf("ReadFile(%s): %v", name, err)
		}
		if in.Name != name {
			t.Errorf("got Name %q, want %q", in.Name, name)
		}
	}
	bad := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(bad, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(bad)
	if !errors.Is(err, ErrUnknownInput) || !strings.Contains(err.Error(), bad) {
		t.Errorf("got %v, want ErrUnknownInput naming %s", err, bad)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: got %v, want os.ErrNotExist", err)
	}
}
