package loader_test

import (
	"context"
	"fmt"

	"github.com/scalelab/scalelab/bench/loader"
	"github.com/scalelab/scalelab/router"
)

// A request handler makes its own Loaders, so nothing it caches outlives
// the request, and measures its round trips with the router's counters.
func ExampleFeedBatched() {
	handle := func(ctx context.Context, r *router.Router) error {
		loaders, err := loader.New(r, loader.Config{})
		if err != nil {
			return err
		}
		before := r.Stats()
		items, err := loader.FeedBatched(ctx, r, loaders)
		if err != nil {
			return err
		}
		fmt.Printf("%d images in %d statements\n", len(items), loader.Diff(before, r.Stats()).Statements)
		return nil
	}
	_ = handle
}
