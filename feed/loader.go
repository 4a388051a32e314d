package feed

import (
	"context"
	"fmt"
	"time"

	"github.com/graph-gophers/dataloader/v7"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/schema"
)

// Defaults for the zero fields of Config.
const (
	// DefaultBatchCapacity bounds a batch at 1000 keys: a quarter of that
	// per shard on 4 shards, an IN list that the server resolves with a
	// handful of primary-key lookups and that stays far below
	// max_allowed_packet.
	DefaultBatchCapacity = 1000
	// DefaultWait is 1ms, not dataloader's 16ms: a round trip to a local
	// server takes about 0.1ms, so 16ms would cost more than the queries it
	// saves. 1ms is still enough for the goroutines of one request to queue
	// their keys; code that knows it has queued them all calls Flush and
	// waits for nothing.
	DefaultWait = time.Millisecond
)

// Config tunes the loaders of a request. The zero value is usable.
type Config struct {
	// BatchCapacity is the most keys one batch holds; the Load that fills a
	// batch starts it at once, and later keys go to a new batch. Zero means
	// DefaultBatchCapacity; negative is an error.
	BatchCapacity int
	// Wait is how long a batch collects keys after its first Load before it
	// runs, unless it fills up or is flushed first. Zero means DefaultWait;
	// negative is an error.
	Wait time.Duration
}

func (c Config) withDefaults() (Config, error) {
	if c.BatchCapacity < 0 {
		return c, fmt.Errorf("%w: BatchCapacity is %d: want 1 or more, or 0 for the default %d", ErrInvalidConfig, c.BatchCapacity, DefaultBatchCapacity)
	}
	if c.Wait < 0 {
		return c, fmt.Errorf("%w: Wait is %v: want a positive duration, or 0 for the default %v", ErrInvalidConfig, c.Wait, DefaultWait)
	}
	if c.BatchCapacity == 0 {
		c.BatchCapacity = DefaultBatchCapacity
	}
	if c.Wait == 0 {
		c.Wait = DefaultWait
	}
	return c, nil
}

// Loaders are the batching loaders of one request. Make a new Loaders for
// every request (New is cheap and does no I/O): each loader caches what it
// loaded for as long as it lives, so sharing one across requests would
// serve one request's rows to a later one, however stale.
//
// Every loader collects the keys of concurrent Load calls into a batch,
// splits the batch by shard with the topology's vindex and shard map, and
// sends one SELECT … WHERE key IN (…) per shard through the router, all
// shards at once, so each is a single-shard statement. A key gets its own
// result: a missing key an error wrapping ErrNotFound (Users, Images), and
// the keys of a failed shard a *ShardError, while the other shards' keys
// get their rows. Errors of failed shards are not cached; not-found errors
// are, for the life of the Loaders.
//
// The batch runs with the context of the Load that opened it, so the calls
// of one batch should share a request's context. Loaders are safe for
// concurrent use.
type Loaders struct {
	// Users loads users by id.
	Users *dataloader.Loader[uint64, schema.User]
	// Images loads images by id.
	Images *dataloader.Loader[uint64, schema.Image]
	// LikesByImage loads the likes of an image by image id, in like id
	// order. An image with no likes, or no such image, gives a nil slice
	// and no error: likes are keyed by image_id alone.
	LikesByImage *dataloader.Loader[uint64, []schema.Like]
	// LikeCounts loads how many likes an image has, counted by the server
	// (COUNT(*) … GROUP BY image_id). An image with no likes, or no such
	// image, gives 0.
	LikeCounts *dataloader.Loader[uint64, int64]
}

// New returns the loaders of one request, reading through r. It validates
// cfg and splits keys by shard with r's routing schema, but does no I/O.
func New(r *router.Router, cfg Config) (*Loaders, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	vs := r.VSchema()
	splits := map[string]split{}
	for _, tc := range []struct{ table, column string }{
		{schema.TableUsers, "id"},
		{schema.TableImages, "id"},
		{schema.TableLikes, "image_id"},
	} {
		splits[tc.table] = newSplit(vs, tc.table, tc.column)
	}
	return &Loaders{
		Users:        newLoader(cfg, splits[schema.TableUsers], fetchUsers(r), notFoundResult[schema.User](schema.TableUsers, "id")),
		Images:       newLoader(cfg, splits[schema.TableImages], fetchImages(r), notFoundResult[schema.Image](schema.TableImages, "id")),
		LikesByImage: newLoader(cfg, splits[schema.TableLikes], fetchLikes(r), zeroResult[[]schema.Like]),
		LikeCounts:   newLoader(cfg, splits[schema.TableLikes], fetchLikeCounts(r), zeroResult[int64]),
	}, nil
}

// newLoader is the loader of one table (see batchFunc), which forgets
// the keys of a failed shard as its batch answers.
func newLoader[V any](cfg Config, s split, fetch fetchFunc[V], missing func(uint64) *dataloader.Result[V]) *dataloader.Loader[uint64, V] {
	var l *dataloader.Loader[uint64, V]
	l = dataloader.NewBatchedLoader(batchFunc(s, fetch, missing, func(ctx context.Context, key uint64) { l.Clear(ctx, key) }), options[V](cfg)...)
	return l
}

// Flush starts every loader's pending batch now instead of after Wait. Call
// it once the request has queued its keys with Load, which queues before it
// returns; LoadMany queues from goroutines of its own, so keys of a LoadMany
// called just before Flush may miss the flushed batch and wait for the next.
func (l *Loaders) Flush() {
	l.Users.Flush()
	l.Images.Flush()
	l.LikesByImage.Flush()
	l.LikeCounts.Flush()
}

func options[V any](cfg Config) []dataloader.Option[uint64, V] {
	return []dataloader.Option[uint64, V]{
		dataloader.WithBatchCapacity[uint64, V](cfg.BatchCapacity),
		// A full batch's keys all fit in the queue, so a Load never blocks
		// on a slow batch goroutine.
		dataloader.WithInputCapacity[uint64, V](cfg.BatchCapacity),
		dataloader.WithWait[uint64, V](cfg.Wait),
	}
}

func notFoundResult[V any](table, column string) func(uint64) *dataloader.Result[V] {
	return func(key uint64) *dataloader.Result[V] {
		return &dataloader.Result[V]{Error: notFound(table, column, key)}
	}
}

func zeroResult[V any](uint64) *dataloader.Result[V] { return &dataloader.Result[V]{} }
