package feed_test

import (
	"context"
	"fmt"

	"github.com/scalelab/scalelab/feed"
	"github.com/scalelab/scalelab/router"
)

// A request handler makes its own Loaders, so nothing it caches outlives
// the request, and measures its round trips with the router's counters.
func ExampleFeedBatched() {
	handle := func(ctx context.Context, r *router.Router) error {
		loaders, err := feed.New(r, feed.Config{})
		if err != nil {
			return err
		}
		before := r.Stats()
		items, err := feed.FeedBatched(ctx, r, loaders)
		if err != nil {
			return err
		}
		fmt.Printf("%d images in %d statements\n", len(items), feed.Diff(before, r.Stats()).Statements)
		return nil
	}
	_ = handle
}
