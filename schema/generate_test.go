package schema

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func newTestGenerator(t testing.TB, cfg Config) *Generator {
	t.Helper()
	g, err := NewGenerator(cfg)
	if err != nil {
		t.Fatalf("NewGenerator(%+v): %v", cfg, err)
	}
	return g
}

func checksums(t testing.TB, g *Generator) map[string]Checksum {
	t.Helper()
	m := make(map[string]Checksum)
	for _, table := range Tables() {
		c, err := g.Checksum(table)
		if err != nil {
			t.Fatalf("Checksum(%s): %v", table, err)
		}
		m[table] = c
	}
	return m
}

func TestNewGeneratorDefaults(t *testing.T) {
	g := newTestGenerator(t, Config{})
	got := g.Config()
	want := Config{
		Users: DefaultUsers, Images: DefaultImages, Likes: DefaultLikes,
		Start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Span: DefaultSpan, ZipfS: DefaultZipfS,
	}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if end := got.Start.Add(got.Span); !end.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("got default window end %v, want 2026-01-01", end)
	}
}

func TestNewGeneratorInvalid(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		field string
	}{
		{"negative users", Config{Users: -1}, "Users"},
		{"negative images", Config{Images: -5}, "Images"},
		{"negative likes", Config{Likes: -1}, "Likes"},
		{"negative span", Config{Span: -time.Hour}, "Span"},
		{"span under a microsecond", Config{Span: time.Nanosecond}, "Span"},
		{"start before year 1000", Config{Start: time.Date(999, 1, 1, 0, 0, 0, 0, time.UTC)}, "window"},
		{"end after year 9999", Config{Start: time.Date(9999, 6, 1, 0, 0, 0, 0, time.UTC), Span: 365 * 24 * time.Hour}, "window"},
		{"zipf s of 1", Config{ZipfS: 1}, "ZipfS"},
		{"zipf s negative", Config{ZipfS: -2}, "ZipfS"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewGenerator(tc.cfg)
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("got error %v, want ErrInvalidConfig", err)
			}
			if !strings.Contains(err.Error(), tc.field) {
				t.Errorf("got message %q, want it to name %s", err, tc.field)
			}
		})
	}
}

func TestDeterminism(t *testing.T) {
	base := Config{Seed: 42, Users: 200, Images: 2000, Likes: 20000}
	want := checksums(t, newTestGenerator(t, base))

	t.Run("same seed", func(t *testing.T) {
		got := checksums(t, newTestGenerator(t, base))
		for table, w := range want {
			if got[table] != w {
				t.Errorf("%s: got %v, want %v", table, got[table], w)
			}
		}
	})
	t.Run("same seed concurrently", func(t *testing.T) {
		g := newTestGenerator(t, base)
		var wg sync.WaitGroup
		got := make([]map[string]Checksum, 4)
		for i := range got {
			wg.Go(func() { got[i] = checksums(t, g) })
		}
		wg.Wait()
		for i := range got {
			for table, w := range want {
				if got[i][table] != w {
					t.Errorf("goroutine %d, %s: got %v, want %v", i, table, got[i][table], w)
				}
			}
		}
	})
	t.Run("different seed", func(t *testing.T) {
		cfg := base
		cfg.Seed = 43
		got := checksums(t, newTestGenerator(t, cfg))
		for table, w := range want {
			if got[table].CRC == w.CRC {
				t.Errorf("%s: got the same CRC %v for seeds 42 and 43, want different", table, w)
			}
		}
	})
	// A table's rows depend only on the seed and the counts they refer
	// to, so growing likes leaves users and images as they were.
	t.Run("tables independent", func(t *testing.T) {
		cfg := base
		cfg.Likes = 5
		got := checksums(t, newTestGenerator(t, cfg))
		for _, table := range []string{TableUsers, TableImages} {
			if got[table] != want[table] {
				t.Errorf("%s: got %v with other likes, want %v", table, got[table], want[table])
			}
		}
	})
}

func TestRangeMatchesStream(t *testing.T) {
	g := newTestGenerator(t, Config{Seed: 9, Users: 50, Images: 300, Likes: 3000})
	for _, table := range Tables() {
		t.Run(table, func(t *testing.T) {
			n, _ := g.Count(table)
			var all []string
			g.Range(table, 1, n, func(r Row) error {
				all = append(all, fmt.Sprint(r.Values()))
				return nil
			})
			if uint64(len(all)) != n {
				t.Fatalf("got %d rows, want %d", len(all), n)
			}
			// Generate a middle slice alone, as a load worker would.
			first, last := n/3, n/2
			var part []string
			err := g.Range(table, first, last, func(r Row) error {
				part = append(part, fmt.Sprint(r.Values()))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(part, all[first-1:last]) {
				t.Errorf("got rows %d..%d differing from the whole stream's", first, last)
			}
		})
	}
	t.Run("typed streams", func(t *testing.T) {
		var fromRange, fromLikes []Like
		g.Range(TableLikes, 1, 3000, func(r Row) error { fromRange = append(fromRange, r.(Like)); return nil })
		g.Likes(func(l Like) error { fromLikes = append(fromLikes, l); return nil })
		if !slices.Equal(fromRange, fromLikes) {
			t.Error("got Range(likes) differing from Likes, want the same rows")
		}
	})
}

func TestRangeErrors(t *testing.T) {
	g := newTestGenerator(t, Config{Users: 10, Images: 10, Likes: 10})
	stop := errors.New("stop")
	tests := []struct {
		name        string
		table       string
		first, last uint64
		want        error
		wantCalls   int
	}{
		{"unknown table", "follows", 1, 1, ErrUnknownTable, 0},
		{"id 0", TableUsers, 0, 3, ErrIDRange, 0},
		{"past the end", TableLikes, 5, 11, ErrIDRange, 0},
		{"empty", TableImages, 5, 4, nil, 0},
		{"fn error stops", TableImages, 1, 10, stop, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			err := g.Range(tc.table, tc.first, tc.last, func(Row) error {
				calls++
				if calls == 3 {
					return stop
				}
				return nil
			})
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Errorf("got error %v, want %v", err, tc.want)
			}
			if calls != tc.wantCalls {
				t.Errorf("got %d calls, want %d", calls, tc.wantCalls)
			}
		})
	}
}

// TestInvariants checks what the data promises: ids 1..N, timestamps in the
// window, image times growing with the id, re-shares of earlier images, a
// user joined before posting or liking, and a like never before its image.
func TestInvariants(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"small", Config{Seed: 1, Users: 300, Images: 3000, Likes: 30000}},
		{"more users than images", Config{Seed: 2, Users: 5000, Images: 100, Likes: 5000}},
		{"one of each", Config{Seed: 3, Users: 1, Images: 1, Likes: 1}},
		{"one microsecond window", Config{Seed: 4, Users: 10, Images: 10, Likes: 100, Span: time.Microsecond}},
		{"one day", Config{Seed: 5, Users: 20, Images: 500, Likes: 5000, Span: 24 * time.Hour,
			Start: time.Date(2030, 5, 6, 7, 8, 9, 123456789, time.FixedZone("X", -7*3600))}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := newTestGenerator(t, tc.cfg)
			cfg := g.Config()
			start, end := cfg.Start, cfg.Start.Add(cfg.Span)
			inWindow := func(what string, at time.Time) {
				if at.Before(start) || !at.Before(end) || at.Location() != time.UTC || at.Nanosecond()%1000 != 0 {
					t.Fatalf("%s: got %v, want a UTC microsecond in [%v, %v)", what, at, start, end)
				}
			}

			var joined []time.Time
			g.Users(func(u User) error {
				if u.ID != uint64(len(joined)+1) {
					t.Fatalf("got user id %d, want %d", u.ID, len(joined)+1)
				}
				inWindow(fmt.Sprintf("user %d created_at", u.ID), u.CreatedAt)
				if len(u.Name) > 64 || len(u.Email) > 128 {
					t.Fatalf("user %d: got name %q, email %q, want them within VARCHAR(64), VARCHAR(128)", u.ID, u.Name, u.Email)
				}
				joined = append(joined, u.CreatedAt)
				return nil
			})
			if joined[0] != start {
				t.Errorf("got user 1 created at %v, want Start %v", joined[0], start)
			}

			var posted []time.Time
			g.Images(func(img Image) error {
				if img.ID != uint64(len(posted)+1) {
					t.Fatalf("got image id %d, want %d", img.ID, len(posted)+1)
				}
				inWindow(fmt.Sprintf("image %d dt", img.ID), img.Dt)
				if n := len(posted); n > 0 && img.Dt.Before(posted[n-1]) {
					t.Fatalf("image %d: got dt %v before image %d's %v, want dt to grow with id", img.ID, img.Dt, n, posted[n-1])
				}
				if img.UserID < 1 || img.UserID > uint64(len(joined)) || img.Dt.Before(joined[img.UserID-1]) {
					t.Fatalf("image %d at %v: got user %d, want a user who had joined", img.ID, img.Dt, img.UserID)
				}
				if img.ParentID.Valid && (img.ParentID.V < 1 || img.ParentID.V >= img.ID) {
					t.Fatalf("image %d: got parent %d, want an earlier image", img.ID, img.ParentID.V)
				}
				if len(img.Name) > 128 || len(img.Path) > 255 {
					t.Fatalf("image %d: got name %q, path %q, too long", img.ID, img.Name, img.Path)
				}
				posted = append(posted, img.Dt)
				return nil
			})

			var n int
			g.Likes(func(l Like) error {
				n++
				inWindow(fmt.Sprintf("like %d dt", l.ID), l.Dt)
				if l.ImageID < 1 || l.ImageID > uint64(len(posted)) {
					t.Fatalf("like %d: got image %d, want 1..%d", l.ID, l.ImageID, len(posted))
				}
				if l.Dt.Before(posted[l.ImageID-1]) {
					t.Fatalf("like %d: got dt %v, before image %d's %v", l.ID, l.Dt, l.ImageID, posted[l.ImageID-1])
				}
				if l.UserID < 1 || l.UserID > uint64(len(joined)) || l.Dt.Before(joined[l.UserID-1]) {
					t.Fatalf("like %d at %v: got user %d, want a user who had joined", l.ID, l.Dt, l.UserID)
				}
				return nil
			})
			if n != cfg.Likes {
				t.Errorf("got %d likes, want %d", n, cfg.Likes)
			}
		})
	}
}

func TestReshares(t *testing.T) {
	g := newTestGenerator(t, Config{Seed: 1, Users: 100, Images: 20000, Likes: 1})
	var reshares int
	g.Images(func(img Image) error {
		if img.ParentID.Valid {
			reshares++
		}
		return nil
	})
	// One in ten, give or take sampling noise (sd about 42).
	if reshares < 1800 || reshares > 2200 {
		t.Errorf("got %d re-shares of 20000 images, want about 2000", reshares)
	}
}

// TestZipfSkew checks that a few images get most likes: the top 1% of
// images by likes must get far more than the 1% that a uniform choice gives.
// For s=1.1 over 10,000 images the expected top-1% share is about 65%.
func TestZipfSkew(t *testing.T) {
	tests := []struct {
		s        float64
		minShare float64
	}{
		{1.1, 0.50},
		{2.0, 0.95},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.s), func(t *testing.T) {
			const images, likes = 10_000, 200_000
			g := newTestGenerator(t, Config{Seed: 7, Users: 1000, Images: images, Likes: likes, ZipfS: tc.s})
			counts := make([]int, images+1)
			g.Likes(func(l Like) error {
				counts[l.ImageID]++
				return nil
			})
			slices.SortFunc(counts, func(a, b int) int { return b - a })
			top := 0
			for _, c := range counts[:images/100] {
				top += c
			}
			share := float64(top) / likes
			t.Logf("top 1%% of images got %.1f%% of likes", 100*share)
			if share < tc.minShare {
				t.Errorf("got top 1%% of images with %.1f%% of likes, want at least %.0f%%", 100*share, 100*tc.minShare)
			}
		})
	}
}

// TestLikesAreScattered checks that the popular images are not simply the
// oldest ones: the most liked image ids are spread over the id range.
func TestLikesAreScattered(t *testing.T) {
	const images = 10_000
	g := newTestGenerator(t, Config{Seed: 7, Users: 1000, Images: images, Likes: 100_000})
	counts := make([]int, images+1)
	g.Likes(func(l Like) error { counts[l.ImageID]++; return nil })
	ids := make([]int, images)
	for i := range ids {
		ids[i] = i + 1
	}
	slices.SortFunc(ids, func(a, b int) int { return counts[b] - counts[a] })
	var firstHalf int
	for _, id := range ids[:100] {
		if id <= images/2 {
			firstHalf++
		}
	}
	if firstHalf < 25 || firstHalf > 75 {
		t.Errorf("got %d of the 100 most liked images in the older half, want about 50", firstHalf)
	}
}

// TestStreamingMemory generates a million likes and checks that the heap
// does not grow with them: holding them would take about 40 MB.
func TestStreamingMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 1,000,000 likes")
	}
	const likes = 1_000_000
	const limit = 4 << 20
	g := newTestGenerator(t, Config{Seed: 1, Likes: likes})
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var n, peak uint64
	g.Likes(func(l Like) error {
		n++
		if n%100_000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
		return nil
	})
	if n != likes {
		t.Fatalf("got %d likes, want %d", n, likes)
	}
	if grew := int64(peak) - int64(base); grew > limit {
		t.Errorf("got heap growth %d bytes over %d likes, want at most %d", grew, likes, limit)
	}
}

func TestLikesDoNotAllocatePerRow(t *testing.T) {
	g := newTestGenerator(t, Config{Seed: 1, Likes: 10_000})
	allocs := testing.AllocsPerRun(3, func() {
		g.Likes(func(Like) error { return nil })
	})
	// A stream allocates its scratch state once per call.
	if allocs > 10 {
		t.Errorf("got %.0f allocations for 10,000 likes, want at most 10", allocs)
	}
}

// TestSampleGolden pins the generated data: any change to the generator
// changes every data set, and must be deliberate.
func TestSampleGolden(t *testing.T) {
	g := newTestGenerator(t, Config{Seed: 1, Users: 50, Images: 500, Likes: 5000})
	var b strings.Builder
	for _, table := range Tables() {
		c, err := g.Checksum(table)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s: %v\n", table, c)
		g.Range(table, 1, 5, func(r Row) error {
			fmt.Fprintf(&b, "  %s\n", appendConcatWS(nil, r.Values()))
			return nil
		})
	}
	checkGolden(t, "sample.txt", b.String())
}

func BenchmarkGenerateLikes(b *testing.B) {
	g := newTestGenerator(b, Config{Seed: 1, Likes: max(b.N, 1)})
	b.ReportAllocs()
	b.ResetTimer()
	var last Like
	g.Likes(func(l Like) error {
		last = l
		return nil
	})
	_ = last
}
