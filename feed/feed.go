package feed

import (
	"context"
	"fmt"
	"strconv"

	"github.com/graph-gophers/dataloader/v7"
	"github.com/scalelab/scalelab/router"
	"github.com/scalelab/scalelab/schema"
)

// FeedPageSize is the number of images on one feed page.
const FeedPageSize = 50

// feedQuery is the front page: the newest images, newest first, with id
// breaking ties so the order is total. Over shards the router scatters it
// and heap-merges the shards' streams.
var feedQuery = "SELECT id, user_id, parent_id, name, path, dt FROM images ORDER BY dt DESC, id DESC LIMIT " + strconv.Itoa(FeedPageSize)

// FeedItem is one image of a feed page with its author and its number of
// likes.
type FeedItem struct {
	Image  schema.Image
	Author schema.User
	Likes  int64
}

// feedImages reads the page's images, newest first.
func feedImages(ctx context.Context, q querier) ([]schema.Image, error) {
	rows, err := q.QueryContext(ctx, feedQuery)
	if err != nil {
		return nil, fmt.Errorf("loader: feed: read the newest images: %w", err)
	}
	defer rows.Close()
	images := make([]schema.Image, 0, FeedPageSize)
	for rows.Next() {
		img, err := scanImage(rows)
		if err != nil {
			return nil, fmt.Errorf("loader: feed: read the newest images: %w", err)
		}
		images = append(images, img)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("loader: feed: read the newest images: %w", err)
	}
	return images, nil
}

// FeedNPlusOne builds one feed page the naive way: after the page's images,
// one query per image for its author and one for its like count, one after
// another: 1 + 2×FeedPageSize statements (the first goes to every shard).
// It returns what FeedBatched returns. An image whose author is missing
// fails the page with an error wrapping ErrNotFound.
func FeedNPlusOne(ctx context.Context, r *router.Router) ([]FeedItem, error) {
	images, err := feedImages(ctx, r)
	if err != nil {
		return nil, err
	}
	items := make([]FeedItem, len(images))
	for i, img := range images {
		author, err := userByID(ctx, r, img.UserID)
		if err != nil {
			return nil, fmt.Errorf("loader: feed: author of image %d: %w", img.ID, err)
		}
		var likes int64
		if err := r.GetContext(ctx, &likes, "SELECT COUNT(*) FROM likes WHERE image_id = ?", img.ID); err != nil {
			return nil, fmt.Errorf("loader: feed: likes of image %d: %w", img.ID, err)
		}
		items[i] = FeedItem{Image: img, Author: author, Likes: likes}
	}
	return items, nil
}

func userByID(ctx context.Context, q querier, id uint64) (schema.User, error) {
	rows, err := q.QueryContext(ctx, "SELECT id, name, email, created_at FROM users WHERE id = ?", id)
	if err != nil {
		return schema.User{}, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return schema.User{}, err
		}
		return schema.User{}, notFound(schema.TableUsers, "id", id)
	}
	u, err := scanUser(rows)
	if err != nil {
		return schema.User{}, err
	}
	return u, rows.Close()
}

// FeedBatched builds the same page as FeedNPlusOne through the request's
// loaders: the authors of all images in one batch and their like counts in
// another, each one statement per shard, both batches at once. It primes
// l.Images with the page's images, so later loads of them in the request
// cost nothing. It flushes the batches itself instead of waiting for
// Config.Wait.
func FeedBatched(ctx context.Context, r *router.Router, l *Loaders) ([]FeedItem, error) {
	images, err := feedImages(ctx, r)
	if err != nil {
		return nil, err
	}
	authors := make([]dataloader.Thunk[schema.User], len(images))
	likes := make([]dataloader.Thunk[int64], len(images))
	for i, img := range images {
		l.Images.Prime(ctx, img.ID, img)
		authors[i] = l.Users.Load(ctx, img.UserID)
		likes[i] = l.LikeCounts.Load(ctx, img.ID)
	}
	// Every key is queued: start both batches now.
	l.Users.Flush()
	l.LikeCounts.Flush()
	items := make([]FeedItem, len(images))
	for i, img := range images {
		author, err := authors[i]()
		if err != nil {
			return nil, fmt.Errorf("loader: feed: author of image %d: %w", img.ID, err)
		}
		n, err := likes[i]()
		if err != nil {
			return nil, fmt.Errorf("loader: feed: likes of image %d: %w", img.ID, err)
		}
		items[i] = FeedItem{Image: img, Author: author, Likes: n}
	}
	return items, nil
}
