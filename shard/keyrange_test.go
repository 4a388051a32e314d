package shard

import (
	"bytes"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
)

func hexBytes(t testing.TB, s string) []byte {
	t.Helper()
	if s == "" {
		return nil
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad test hex %q: %v", s, err)
	}
	return b
}

func TestParseKeyRange(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		start, end string // hex; "" is open
		str        string // want String()
		wantErr    bool
	}{
		{name: "zero", in: "0", str: "-"},
		{name: "dash", in: "-", str: "-"},
		{name: "lower half", in: "-80", end: "80", str: "-80"},
		{name: "upper half", in: "80-", start: "80", str: "80-"},
		{name: "middle", in: "40-80", start: "40", end: "80", str: "40-80"},
		{name: "four hex digits", in: "4000-8000", start: "40", end: "80", str: "40-80"},
		{name: "upper case", in: "-C0", end: "c0", str: "-c0"},
		{name: "zero start", in: "00-80", end: "80", str: "-80"},
		{name: "long prefix", in: "0080-", start: "0080", str: "0080-"},
		{name: "empty", in: "", wantErr: true},
		{name: "no dash", in: "80", wantErr: true},
		{name: "two dashes", in: "-40-80", wantErr: true},
		{name: "odd digits", in: "8-", wantErr: true},
		{name: "not hex", in: "zz-", wantErr: true},
		{name: "zero end", in: "-00", wantErr: true},
		{name: "start equals end", in: "80-80", wantErr: true},
		{name: "start above end", in: "c0-80", wantErr: true},
		{name: "trailing zeros equal", in: "8000-80", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kr, err := ParseKeyRange(tc.in)
			if tc.wantErr {
				if !errors.Is(err, ErrBadKeyRange) {
					t.Fatalf("ParseKeyRange(%q): got error %v, want one wrapping ErrBadKeyRange", tc.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseKeyRange(%q): got error %v, want nil", tc.in, err)
			}
			if want := hexBytes(t, tc.start); !bytes.Equal(kr.Start, want) {
				t.Errorf("ParseKeyRange(%q).Start: got %x, want %x", tc.in, kr.Start, want)
			}
			if want := hexBytes(t, tc.end); !bytes.Equal(kr.End, want) {
				t.Errorf("ParseKeyRange(%q).End: got %x, want %x", tc.in, kr.End, want)
			}
			if got := kr.String(); got != tc.str {
				t.Errorf("ParseKeyRange(%q).String(): got %q, want %q", tc.in, got, tc.str)
			}
		})
	}
}

func TestKeyRangeContains(t *testing.T) {
	tests := []struct {
		name  string
		shard string
		ksid  string // hex
		want  bool
	}{
		{name: "full holds zero", shard: "-", ksid: "0000000000000000", want: true},
		{name: "full holds max", shard: "0", ksid: "ffffffffffffffff", want: true},
		{name: "lower holds zero", shard: "-80", ksid: "0000000000000000", want: true},
		{name: "lower holds below end", shard: "-80", ksid: "7fffffffffffffff", want: true},
		{name: "lower excludes end", shard: "-80", ksid: "8000000000000000", want: false},
		{name: "upper holds start", shard: "80-", ksid: "8000000000000000", want: true},
		{name: "upper holds max", shard: "80-", ksid: "ffffffffffffffff", want: true},
		{name: "upper excludes below", shard: "80-", ksid: "7fffffffffffffff", want: false},
		{name: "middle holds start", shard: "40-80", ksid: "4000000000000000", want: true},
		{name: "middle excludes end", shard: "40-80", ksid: "8000000000000000", want: false},
		{name: "short ksid at start", shard: "40-80", ksid: "40", want: true},
		{name: "empty ksid", shard: "-80", ksid: "", want: true},
		{name: "empty ksid above", shard: "80-", ksid: "", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kr, err := ParseKeyRange(tc.shard)
			if err != nil {
				t.Fatal(err)
			}
			ksid := hexBytes(t, tc.ksid)
			if got := kr.Contains(ksid); got != tc.want {
				t.Errorf("%s.Contains(%x): got %v, want %v", tc.shard, ksid, got, tc.want)
			}
		})
	}
}

func TestKeyRangeOverlaps(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{name: "halves", a: "-80", b: "80-", want: false},
		{name: "full and half", a: "-", b: "80-", want: true},
		{name: "full and full", a: "0", b: "-", want: true},
		{name: "parent and child", a: "-80", b: "40-80", want: true},
		{name: "adjacent", a: "-40", b: "40-80", want: false},
		{name: "partial", a: "20-60", b: "40-80", want: true},
		{name: "disjoint", a: "-20", b: "c0-", want: false},
		{name: "same", a: "40-80", b: "40-80", want: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ParseKeyRange(tc.a)
			if err != nil {
				t.Fatal(err)
			}
			b, err := ParseKeyRange(tc.b)
			if err != nil {
				t.Fatal(err)
			}
			if got := a.Overlaps(b); got != tc.want {
				t.Errorf("%s.Overlaps(%s): got %v, want %v", tc.a, tc.b, got, tc.want)
			}
			if got := b.Overlaps(a); got != tc.want {
				t.Errorf("%s.Overlaps(%s): got %v, want %v", tc.b, tc.a, got, tc.want)
			}
		})
	}
}

func TestCheckPartition(t *testing.T) {
	tests := []struct {
		name    string
		names   []string
		wantErr string // substring; "" means valid
	}{
		{name: "one shard zero", names: []string{"0"}},
		{name: "one shard dash", names: []string{"-"}},
		{name: "halves", names: []string{"-80", "80-"}},
		{name: "halves reversed", names: []string{"80-", "-80"}},
		{name: "quarters shuffled", names: []string{"80-c0", "-40", "c0-", "40-80"}},
		{name: "uneven", names: []string{"-40", "40-80", "80-"}},
		{name: "mixed widths", names: []string{"-4000", "40-80", "8000-"}},
		{name: "none", names: nil, wantErr: "no shards"},
		{name: "gap in middle", names: []string{"-40", "80-"}, wantErr: "gap"},
		{name: "missing start", names: []string{"40-80", "80-"}, wantErr: "below 40"},
		{name: "missing end", names: []string{"-40", "40-80"}, wantErr: "to the end"},
		{name: "overlap", names: []string{"-80", "40-"}, wantErr: "overlaps"},
		{name: "duplicate", names: []string{"-80", "-80", "80-"}, wantErr: "overlaps"},
		{name: "full and half", names: []string{"-", "80-"}, wantErr: "overlaps"},
		{name: "two full", names: []string{"0", "-"}, wantErr: "overlaps"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ranges := make([]KeyRange, len(tc.names))
			for i, n := range tc.names {
				kr, err := ParseKeyRange(n)
				if err != nil {
					t.Fatal(err)
				}
				ranges[i] = kr
			}
			err := CheckPartition(tc.names, ranges)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("CheckPartition(%q): got error %v, want nil", tc.names, err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("CheckPartition(%q): got error %v, want one containing %q", tc.names, err, tc.wantErr)
			}
		})
	}
}

func TestGenerateNames(t *testing.T) {
	tests := []struct {
		n    int
		want []string
	}{
		{1, []string{"0"}},
		{2, []string{"-80", "80-"}},
		{3, []string{"-55", "55-aa", "aa-"}},
		{4, []string{"-40", "40-80", "80-c0", "c0-"}},
		{8, []string{"-20", "20-40", "40-60", "60-80", "80-a0", "a0-c0", "c0-e0", "e0-"}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.want, ","), func(t *testing.T) {
			got, err := GenerateNames(tc.n)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("GenerateNames(%d): got %q, want %q", tc.n, got, tc.want)
			}
		})
	}
}

func TestGenerateNamesPartition(t *testing.T) {
	for _, n := range []int{1, 2, 3, 5, 6, 7, 16, 100, 255, 256, 257, 1000, 65536} {
		names, err := GenerateNames(n)
		if err != nil {
			t.Fatalf("GenerateNames(%d): %v", n, err)
		}
		if len(names) != n {
			t.Fatalf("GenerateNames(%d): got %d names, want %d", n, len(names), n)
		}
		if _, err := NewMap(names); err != nil {
			t.Errorf("GenerateNames(%d) does not partition the keyspace: %v", n, err)
		}
	}
	for _, n := range []int{0, -1, 65537} {
		if _, err := GenerateNames(n); err == nil {
			t.Errorf("GenerateNames(%d): got no error, want one", n)
		}
	}
}

func FuzzParseKeyRange(f *testing.F) {
	for _, s := range []string{"0", "-", "-80", "80-", "40-80", "4000-8000", "00-", "-00", "8-", "zz", "c0-80", "0080-ff00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		kr, err := ParseKeyRange(name)
		if err != nil {
			if !errors.Is(err, ErrBadKeyRange) {
				t.Fatalf("ParseKeyRange(%q): got error %v, want one wrapping ErrBadKeyRange", name, err)
			}
			return
		}
		s := kr.String()
		kr2, err := ParseKeyRange(s)
		if err != nil {
			t.Fatalf("ParseKeyRange(%q) = %q, which does not parse: %v", name, s, err)
		}
		if !bytes.Equal(kr.Start, kr2.Start) || !bytes.Equal(kr.End, kr2.End) {
			t.Fatalf("round trip of %q via %q: got %x-%x, want %x-%x", name, s, kr2.Start, kr2.End, kr.Start, kr.End)
		}
		if s2 := kr2.String(); s2 != s {
			t.Fatalf("String of %q: got %q, want %q", s, s2, s)
		}
		if !kr.Contains(kr.Start) {
			t.Fatalf("%q does not contain its own start %x", name, kr.Start)
		}
		if len(kr.End) > 0 && kr.Contains(kr.End) {
			t.Fatalf("%q contains its end %x", name, kr.End)
		}
	})
}
