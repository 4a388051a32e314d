package feed_test

import (
	"context"
	"testing"
	"time"

	"github.com/scalelab/scalelab/feed"
)

// The feed benchmarks build one page per op against the 4-shard sandbox
// (reads on the replicas) and report the statements a page costs:
//
//	SCALELAB_REQUIRE_DB=1 go test -run '^$' -bench Feed -benchtime 3s ./feed

func BenchmarkFeedNPlusOne(b *testing.B) {
	f := setup(b)
	r := openRouter(b, f.topo)
	ctx := context.Background()
	b.ReportAllocs()
	before := r.Stats()
	for b.Loop() {
		if _, err := feed.FeedNPlusOne(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(feed.Diff(before, r.Stats()).Statements)/float64(b.N), "stmts/op")
}

func BenchmarkFeedBatched(b *testing.B) {
	f := setup(b)
	r := openRouter(b, f.topo)
	ctx := context.Background()
	b.ReportAllocs()
	before := r.Stats()
	for b.Loop() {
		// A new Loaders per page, as per request.
		l, err := feed.New(r, feed.Config{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := feed.FeedBatched(ctx, r, l); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(feed.Diff(before, r.Stats()).Statements)/float64(b.N), "stmts/op")
}

// BenchmarkFeedSpeedup builds an N+1 page and a batched page in turn, so
// both see the same machine load, and reports each one's mean latency and
// their ratio (speedup: how many times faster the batched page is).
func BenchmarkFeedSpeedup(b *testing.B) {
	f := setup(b)
	r := openRouter(b, f.topo)
	ctx := context.Background()
	var naive, batched time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := feed.FeedNPlusOne(ctx, r); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		l, err := feed.New(r, feed.Config{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := feed.FeedBatched(ctx, r, l); err != nil {
			b.Fatal(err)
		}
		naive += mid.Sub(start)
		batched += time.Since(mid)
	}
	n := float64(b.N)
	b.ReportMetric(naive.Seconds()*1000/n, "nplusone-ms/page")
	b.ReportMetric(batched.Seconds()*1000/n, "batched-ms/page")
	b.ReportMetric(float64(naive)/float64(batched), "speedup")
}
