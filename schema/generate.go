package schema

import (
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"time"
)

// Defaults for the zero fields of Config. The default start is
// 2024-01-01 00:00:00 UTC, so the default window is the two calendar years
// 2024 and 2025, fixed so that output never depends on the clock.
const (
	DefaultUsers  = 10_000
	DefaultImages = 100_000
	DefaultLikes  = 1_000_000
	DefaultSpan   = 731 * 24 * time.Hour
	DefaultZipfS  = 1.1
)

func defaultStart() time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) }

// The range of a DATETIME column; a window outside it cannot be stored.
var (
	minDatetime = time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)
	endDatetime = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
)

const (
	// reshareOneIn: one image in this many re-shares an earlier image.
	reshareOneIn = 10
	// likeDelayMean is the mean of the exponential delay between an image
	// and a like of it: most likes come in the first days.
	likeDelayMean = 48 * time.Hour
)

// ErrInvalidConfig is returned (wrapped) by NewGenerator for a Config it
// cannot use; the message names the field and what it accepts.
var ErrInvalidConfig = errors.New("schema: invalid config")

// ErrIDRange is returned (wrapped) by Range for ids outside a table.
var ErrIDRange = errors.New("schema: id out of range")

// Config sets what a Generator produces. The same Config always produces the
// same rows, on every run and machine with the same Go version.
type Config struct {
	// Seed selects the data set. Every value, including 0, is a seed.
	Seed int64
	// Users, Images and Likes are the row counts; ids run 1..count in each
	// table. Zero means DefaultUsers, DefaultImages and DefaultLikes;
	// negative is an error.
	Users, Images, Likes int
	// Start is the beginning of the window that every timestamp falls in.
	// Zero means 2024-01-01 00:00:00 UTC. It is converted to UTC and
	// truncated to the microsecond, the precision of DATETIME(6).
	Start time.Time
	// Span is the length of the window [Start, Start+Span). Zero means
	// DefaultSpan; it must be at least a microsecond, and the window must
	// lie within DATETIME's years 1000 to 9999.
	Span time.Duration
	// ZipfS is the exponent s of the Zipf distribution of likes over
	// images: the image of popularity rank k gets likes in proportion to
	// (k+1)^-s, so larger means more skew. Zero means DefaultZipfS; it
	// must be greater than 1.
	ZipfS float64
}

// Generator produces the sample rows of a Config as pure functions of the
// seed, the table and the row id: a row never depends on another table's
// stream or on the rows before it, so any table or id range can be generated
// alone, in any order, by any number of goroutines. Rows are streamed and
// never held, so memory does not grow with the row counts.
//
// The data looks like a photo site's: users join over the window; an image's
// owner joined before it was posted, one image in ten re-shares an earlier
// image (ParentID), image timestamps grow with the id, likes fall on images
// by a Zipf distribution so a few images get most of them, and a like comes
// after its image and from a user who had joined by then. All strings are
// ASCII, and all times are UTC with microseconds.
//
// A Generator is immutable and safe for concurrent use.
type Generator struct {
	cfg    Config
	spanUS uint64 // the window in microseconds, at least 1
	users  uint64
	images uint64
	likes  uint64

	// Keys that seed each table's rows and timestamps, derived from Seed
	// and a name so that the streams are independent of each other.
	userKey, userTimeKey   uint64
	imageKey, imageTimeKey uint64
	likeKey                uint64

	// Popularity rank r is image (r*permMul+permAdd) mod images + 1, so
	// the most liked images are spread over the window, not the oldest.
	permMul, permAdd uint64
}

// NewGenerator returns a Generator for cfg with its zero fields set to their
// defaults. It returns an error wrapping ErrInvalidConfig if a field is out
// of range. It does no I/O and does not generate anything yet.
func NewGenerator(cfg Config) (*Generator, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	seed := uint64(cfg.Seed)
	g := &Generator{
		cfg:          cfg,
		spanUS:       uint64(cfg.Span / time.Microsecond),
		users:        uint64(cfg.Users),
		images:       uint64(cfg.Images),
		likes:        uint64(cfg.Likes),
		userKey:      streamKey(seed, "users"),
		userTimeKey:  streamKey(seed, "users.created_at"),
		imageKey:     streamKey(seed, "images"),
		imageTimeKey: streamKey(seed, "images.dt"),
		likeKey:      streamKey(seed, "likes"),
	}
	permKey := streamKey(seed, "likes.image_rank")
	g.permMul = mix64(permKey) % g.images
	for gcd(g.permMul, g.images) != 1 {
		g.permMul = (g.permMul + 1) % g.images
	}
	g.permAdd = mix64(permKey^1) % g.images
	return g, nil
}

func (c *Config) setDefaults() error {
	for _, f := range []struct {
		name string
		n    *int
		def  int
	}{
		{"Users", &c.Users, DefaultUsers},
		{"Images", &c.Images, DefaultImages},
		{"Likes", &c.Likes, DefaultLikes},
	} {
		switch {
		case *f.n < 0:
			return fmt.Errorf("%w: %s is %d: want a row count, or 0 for the default %d", ErrInvalidConfig, f.name, *f.n, f.def)
		case *f.n == 0:
			*f.n = f.def
		}
	}
	if c.Start.IsZero() {
		c.Start = defaultStart()
	}
	c.Start = c.Start.UTC().Truncate(time.Microsecond)
	switch {
	case c.Span == 0:
		c.Span = DefaultSpan
	case c.Span < time.Microsecond:
		return fmt.Errorf("%w: Span is %v: want at least 1µs, or 0 for the default %v", ErrInvalidConfig, c.Span, DefaultSpan)
	}
	c.Span = c.Span.Truncate(time.Microsecond)
	if c.Start.Before(minDatetime) || c.Start.Add(c.Span).After(endDatetime) {
		return fmt.Errorf("%w: window %s + %v leaves DATETIME's years 1000 to 9999: move Start or shorten Span",
			ErrInvalidConfig, c.Start.Format(time.RFC3339), c.Span)
	}
	switch {
	case c.ZipfS == 0:
		c.ZipfS = DefaultZipfS
	case !(c.ZipfS > 1): // also rejects NaN
		return fmt.Errorf("%w: ZipfS is %v: want more than 1, or 0 for the default %v", ErrInvalidConfig, c.ZipfS, DefaultZipfS)
	}
	return nil
}

// Config returns the generator's Config with every default filled in.
func (g *Generator) Config() Config { return g.cfg }

// Count returns the number of rows of table, or an error wrapping
// ErrUnknownTable.
func (g *Generator) Count(table string) (uint64, error) {
	switch table {
	case TableUsers:
		return g.users, nil
	case TableImages:
		return g.images, nil
	case TableLikes:
		return g.likes, nil
	}
	_, err := lookupTable(table)
	return 0, err
}

// Users calls fn with every user in id order, 1 to Config().Users. It stops
// at the first error from fn and returns that error unchanged.
func (g *Generator) Users(fn func(User) error) error {
	return each(g.newStream(), 1, g.users, g.user, fn)
}

// Images calls fn with every image in id order, 1 to Config().Images. It
// stops at the first error from fn and returns that error unchanged.
func (g *Generator) Images(fn func(Image) error) error {
	return each(g.newStream(), 1, g.images, g.image, fn)
}

// Likes calls fn with every like in id order, 1 to Config().Likes. It stops
// at the first error from fn and returns that error unchanged. It does not
// allocate per row.
func (g *Generator) Likes(fn func(Like) error) error {
	return each(g.newStream(), 1, g.likes, g.like, fn)
}

// Range calls fn with the rows first to last (inclusive) of table, in id
// order, as User, Image or Like values; the rows are the same ones the
// whole-table stream produces. Use it to split a load across workers. If
// first > last it calls fn for no row. It returns an error wrapping
// ErrUnknownTable or ErrIDRange before calling fn if the table is unknown or
// the range leaves 1..Count(table), and otherwise the first error from fn,
// unchanged.
func (g *Generator) Range(table string, first, last uint64, fn func(Row) error) error {
	n, err := g.Count(table)
	if err != nil {
		return err
	}
	if first > last {
		return nil
	}
	if first < 1 || last > n {
		return fmt.Errorf("%w: %s %d..%d: ids run 1..%d", ErrIDRange, table, first, last, n)
	}
	s := g.newStream()
	switch table {
	case TableUsers:
		return each(s, first, last, g.user, func(u User) error { return fn(u) })
	case TableImages:
		return each(s, first, last, g.image, func(img Image) error { return fn(img) })
	default:
		return each(s, first, last, g.like, func(l Like) error { return fn(l) })
	}
}

func each[T any](s *stream, first, last uint64, gen func(*stream, uint64) T, fn func(T) error) error {
	for id := first; id <= last && id != 0; id++ {
		if err := fn(gen(s, id)); err != nil {
			return err
		}
	}
	return nil
}

// stream is the per-call scratch state of a generation loop. It is reseeded
// for every row, so a row's values depend only on its table and id.
type stream struct {
	pcg  rand.PCG
	r    *rand.Rand
	zipf *rand.Zipf
	buf  []byte
}

func (g *Generator) newStream() *stream {
	s := &stream{buf: make([]byte, 0, 128)}
	s.r = rand.New(&s.pcg)
	// v=1 makes rank k's weight (k+1)^-s, so rank 0 is the top image.
	s.zipf = rand.NewZipf(s.r, g.cfg.ZipfS, 1, g.images-1)
	return s
}

// seek positions the stream at row id of the table with the given key.
func (s *stream) seek(key, id uint64) {
	s.pcg.Seed(key, mix64(key^id))
}

func (g *Generator) user(s *stream, id uint64) User {
	s.seek(g.userKey, id)
	first := firstNames[s.r.IntN(len(firstNames))]
	last := lastNames[s.r.IntN(len(lastNames))]

	b := append(s.buf[:0], first...)
	b = append(b, ' ')
	b = append(b, last...)
	name := string(b)

	b = appendLower(b[:0], first)
	b = append(b, '.')
	b = appendLower(b, last)
	b = strconv.AppendUint(b, id, 10)
	b = append(b, "@example.com"...)
	email := string(b)
	s.buf = b

	return User{ID: id, Name: name, Email: email, CreatedAt: g.at(g.userOffset(id))}
}

func (g *Generator) image(s *stream, id uint64) Image {
	s.seek(g.imageKey, id)
	off := g.imageOffset(id)
	img := Image{ID: id, UserID: 1 + s.r.Uint64N(g.usersBefore(off)), Dt: g.at(off)}
	if id > 1 && s.r.Uint64N(reshareOneIn) == 0 {
		img.ParentID = sql.Null[uint64]{V: 1 + s.r.Uint64N(id-1), Valid: true}
	}

	b := append(s.buf[:0], adjectives[s.r.IntN(len(adjectives))]...)
	b = append(b, ' ')
	b = append(b, nouns[s.r.IntN(len(nouns))]...)
	img.Name = string(b)

	b = append(b[:0], "photos/"...)
	b = strconv.AppendUint(b, img.UserID, 10)
	b = append(b, '/')
	b = strconv.AppendUint(b, id, 10)
	b = append(b, ".jpg"...)
	img.Path = string(b)
	s.buf = b
	return img
}

func (g *Generator) like(s *stream, id uint64) Like {
	s.seek(g.likeKey, id)
	imageID := g.imageAtRank(s.zipf.Uint64())
	imageOff := g.imageOffset(imageID)

	// Exponential delay after the image, folded back into the window: a
	// like of an image posted near the end still falls before the end.
	remaining := g.spanUS - 1 - imageOff
	var delay uint64
	if d := s.r.ExpFloat64() * float64(likeDelayMean/time.Microsecond); d < float64(remaining) {
		delay = uint64(d)
	} else {
		delay = s.r.Uint64N(remaining + 1)
	}
	off := imageOff + delay
	return Like{ID: id, ImageID: imageID, UserID: 1 + s.r.Uint64N(g.usersBefore(off)), Dt: g.at(off)}
}

// at returns the time off microseconds into the window.
func (g *Generator) at(off uint64) time.Time {
	return g.cfg.Start.Add(time.Duration(off) * time.Microsecond)
}

// userOffset is when user id joined, in microseconds into the window. User 1
// joins at Start so that every image and like has a user who had joined.
func (g *Generator) userOffset(id uint64) uint64 {
	if id == 1 {
		return 0
	}
	return g.slotOffset(g.userTimeKey, id, g.users)
}

// imageOffset is when image id was posted, in microseconds into the window.
// It is a pure function of the seed and id so that a like can place itself
// after its image without generating the image.
func (g *Generator) imageOffset(id uint64) uint64 {
	return g.slotOffset(g.imageTimeKey, id, g.images)
}

// slotOffset splits the window into n equal slots and returns a point in
// slot id-1, jittered by a hash of key and id: timestamps grow with the id
// but are not evenly spaced. It is floor(((id-1)*span + jitter) / n) with a
// 128-bit product, since id*span overflows 64 bits for large tables.
func (g *Generator) slotOffset(key, id, n uint64) uint64 {
	jitter := mix64(key^id) % g.spanUS
	hi, lo := bits.Mul64(id-1, g.spanUS)
	lo, carry := bits.Add64(lo, jitter, 0)
	q, _ := bits.Div64(hi+carry, lo, n) // the quotient is < span, so no overflow
	return q
}

// usersBefore returns how many users had joined off microseconds into the
// window, at least 1: users 1..floor(off*users/span) all have userOffset
// <= off, because user k joins within slot k-1.
func (g *Generator) usersBefore(off uint64) uint64 {
	hi, lo := bits.Mul64(off, g.users)
	q, _ := bits.Div64(hi, lo, g.spanUS) // off < span, so q < users
	return max(q, 1)
}

// imageAtRank maps a popularity rank in [0, images) to an image id by a
// fixed permutation.
func (g *Generator) imageAtRank(rank uint64) uint64 {
	hi, lo := bits.Mul64(rank, g.permMul)
	lo, carry := bits.Add64(lo, g.permAdd, 0)
	_, rem := bits.Div64(hi+carry, lo, g.images)
	return rem + 1
}

// streamKey derives an independent 64-bit key from the seed and a name.
func streamKey(seed uint64, name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return mix64(seed ^ h.Sum64())
}

// mix64 is the SplitMix64 finalizer: a bijection on uint64 whose outputs for
// consecutive inputs look independent.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// The word lists are ASCII so that every charset and collation stores and
// checksums them byte for byte. Changing them changes every data set.
var (
	firstNames = [...]string{
		"Ada", "Alan", "Barbara", "Claude", "Dennis", "Donald", "Edsger", "Frances",
		"Grace", "Jean", "John", "Ken", "Leslie", "Linus", "Margaret", "Niklaus",
		"Radia", "Rob", "Shafi", "Sophie", "Tim", "Tony", "Vint", "Whitfield",
	}
	lastNames = [...]string{
		"Allen", "Backus", "Cerf", "Dijkstra", "Diffie", "Goldwasser", "Hamilton", "Hoare",
		"Hopper", "Kahn", "Knuth", "Lamport", "Liskov", "Lovelace", "McCarthy", "Perlman",
		"Pike", "Ritchie", "Sammet", "Shannon", "Thompson", "Torvalds", "Turing", "Wirth",
	}
	adjectives = [...]string{
		"Golden", "Misty", "Quiet", "Bright", "Lazy", "Frozen", "Hidden", "Wild",
		"Rainy", "Sunny", "Ancient", "Tiny", "Endless", "Crimson", "Silver", "Lonely",
	}
	nouns = [...]string{
		"sunset", "harbor", "mountain", "cat", "street", "forest", "coffee", "bridge",
		"garden", "beach", "skyline", "river", "market", "lighthouse", "desert", "train",
	}
)
