// Package feed fetches the sample application's rows in batches, the way
// graph-gophers/dataloader does for GraphQL: the Load calls of one request
// are collected for a moment, and then each loader sends one
// SELECT … WHERE key IN (…) per shard, to all shards at once, through the
// router, instead of one query per call (the N+1 problem). Keys are split by
// shard with the topology's vindex and shard map, so every statement is a
// single-shard one, and a shard that fails fails only its own keys. Loaders
// live for one request, so their cache never serves an earlier request's
// rows. The feed, one page of the newest images with their authors and like
// counts, is written both ways, FeedNPlusOne and FeedBatched, for the
// benches to compare; Diff turns the router's counters into round trips.
//
//	loaders, err := feed.New(r, feed.Config{}) // per request, no I/O
//	if err != nil {
//		return err
//	}
//	author := loaders.Users.Load(ctx, img.UserID) // queued, not sent
//	likes := loaders.LikeCounts.Load(ctx, img.ID)
//	u, err := author() // waits for the batch: one statement per shard
//	if errors.Is(err, feed.ErrNotFound) { /* no such user */ }
//	n, err := likes()
//
//	before := r.Stats()
//	items, err := feed.FeedBatched(ctx, r, loaders)
//	fmt.Println(feed.Diff(before, r.Stats()).Statements) // 12 on 4 shards; FeedNPlusOne: 104
package feed
