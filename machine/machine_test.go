package machine

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestParseBytes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Bytes
		text string
	}{
		{"512MiB", 512 << 20, "512MiB"},
		{"512M", 512 << 20, "512MiB"},
		{"2GiB", 2 << 30, "2GiB"},
		{"1.5GiB", 3 << 29, "1536MiB"},
		{"1048576", 1 << 20, "1MiB"},
		{"100", 100, "100"},
		{" 64 KiB ", 64 << 10, "64KiB"},
	} {
		got, err := ParseBytes(tc.in)
		if err != nil || got != tc.want || got.String() != tc.text {
			t.Errorf("ParseBytes(%q) = %d %q, %v; want %d %q", tc.in, got, got, err, tc.want, tc.text)
		}
	}
	for _, bad := range []string{"", "lots", "-1MiB", "MiB"} {
		if _, err := ParseBytes(bad); err == nil {
			t.Errorf("ParseBytes(%q) gave no error", bad)
		}
	}
}

// TestOpenFindsTheVersion checks which cgroup version Open finds under a
// root, and that a root with neither fails with ErrUnavailable. It runs
// without root: the parent is made in a temp dir.
func TestOpenFindsTheVersion(t *testing.T) {
	v2 := t.TempDir()
	if err := os.WriteFile(filepath.Join(v2, "cgroup.controllers"), []byte("cpu memory"), 0o644); err != nil {
		t.Fatal(err)
	}
	v1 := t.TempDir()
	for _, h := range v1Hierarchies {
		if err := os.Mkdir(filepath.Join(v1, h), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name, root string
		version    int
	}{
		{"unified", v2, 2},
		{"legacy", v1, 1},
		{"neither", t.TempDir(), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := Open(Config{Parent: "scalelab-test", Root: tc.root})
			if tc.version == 0 {
				if !errors.Is(err, ErrUnavailable) {
					t.Fatalf("got %v, want ErrUnavailable", err)
				}
				return
			}
			if err != nil || g.Version != tc.version {
				t.Fatalf("got %+v, %v; want version %d", g, err, tc.version)
			}
			if err := g.Remove(); err != nil {
				t.Errorf("remove: %v", err)
			}
		})
	}
	if _, err := Open(Config{Parent: "a/b", Root: v1}); err == nil {
		t.Error("a parent with a slash was accepted")
	}
}

func TestGroupName(t *testing.T) {
	if got := groupName("-80/replica-1"); got != "-80_replica-1" {
		t.Errorf("got %q", got)
	}
}

func TestQuota(t *testing.T) {
	for _, tc := range []struct {
		cores  float64
		q      int64
		period uint64
	}{
		{0.25, 2500, 10_000},
		{1.5, 15_000, 10_000},
		{0.1, 1000, 10_000},
		{0.05, 1000, 20_000},
		{0.01, 1000, 100_000},
	} {
		if q, p := quota(tc.cores); q != tc.q || p != tc.period {
			t.Errorf("quota(%g) = %d/%d, want %d/%d", tc.cores, q, p, tc.q, tc.period)
		}
	}
}
