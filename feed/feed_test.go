package feed_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/scalelab/scalelab/feed"
	"github.com/scalelab/scalelab/router"
)

// TestFeed checks that the N+1 feed and the batched feed return the same
// page, that the page is the generator's newest images with their authors
// and like counts, and what each costs in statements.
func TestFeed(t *testing.T) {
	f := setup(t)
	r := openRouter(t, f.topo)
	ctx := context.Background()
	shards := uint64(len(f.topo.Shards))

	before := r.Stats()
	naive, err := feed.FeedNPlusOne(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	naiveTraffic := feed.Diff(before, r.Stats())

	// FeedBatched flushes its batches itself. A Wait longer than the test
	// keeps a slow or busy machine from starting a batch on the timer while
	// the feed is still queueing keys, which would split it in two.
	l := newLoaders(t, r, feed.Config{Wait: time.Hour})
	before = r.Stats()
	batched, err := feed.FeedBatched(ctx, r, l)
	if err != nil {
		t.Fatal(err)
	}
	batchedTraffic := feed.Diff(before, r.Stats())

	if !reflect.DeepEqual(naive, batched) {
		t.Errorf("the feeds differ:\nN+1:     %+v\nbatched: %+v", naive, batched)
	}
	want := f.newestImages(feed.FeedPageSize)
	if len(batched) != len(want) {
		t.Fatalf("got %d items, want %d", len(batched), len(want))
	}
	for i, it := range batched {
		img := want[i]
		wantItem := feed.FeedItem{Image: img, Author: f.users[img.UserID], Likes: int64(len(f.likes[img.ID]))}
		if !reflect.DeepEqual(it, wantItem) {
			t.Errorf("item %d: got %+v, want %+v", i, it, wantItem)
		}
	}

	// N+1: the page scatters to every shard, then 2 statements per image.
	if want := shards + 2*feed.FeedPageSize; naiveTraffic.Statements != want {
		t.Errorf("N+1 feed: got %d statements (%v), want %d", naiveTraffic.Statements, naiveTraffic.Routes, want)
	}
	// Batched: the page, then at most one statement per shard per batch.
	if max := 3 * shards; batchedTraffic.Statements > max || batchedTraffic.Routes[router.PlanScatter] != 1 || batchedTraffic.Routes[router.PlanMultiShard] != 0 {
		t.Errorf("batched feed: got %d statements (%v), want at most %d: one scatter and one single-shard statement per shard per batch", batchedTraffic.Statements, batchedTraffic.Routes, max)
	}
	t.Logf("N+1: %d statements %v; batched: %d statements %v", naiveTraffic.Statements, naiveTraffic.Routes, batchedTraffic.Statements, batchedTraffic.Routes)

	// The page's images are primed: loading one costs nothing.
	before = r.Stats()
	img, err := l.Images.Load(ctx, batched[0].Image.ID)()
	if err != nil || !reflect.DeepEqual(img, batched[0].Image) || feed.Diff(before, r.Stats()).Statements != 0 {
		t.Errorf("primed image %d: got %+v, %v with statements, want it from the cache", batched[0].Image.ID, img, err)
	}
}
