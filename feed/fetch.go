package feed

import (
	"context"
	"database/sql"
	"strings"

	"github.com/scalelab/scalelab/schema"
)

// querier is what the fetches run on: the router, which sends a statement
// whose IN list holds one shard's keys to that shard alone.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// The statements, each completed by an IN list of placeholders. Their
// columns are in the order the scan functions read them.
const (
	usersByID      = "SELECT id, name, email, created_at FROM users WHERE id IN ("
	imagesByID     = "SELECT id, user_id, parent_id, name, path, dt FROM images WHERE id IN ("
	likesByImageID = "SELECT id, image_id, user_id, dt FROM likes WHERE image_id IN ("
	likeCounts     = "SELECT image_id, COUNT(*) FROM likes WHERE image_id IN ("
)

// inQuery completes prefix with an IN list of len(keys) placeholders and
// suffix, and returns the keys as its arguments.
func inQuery(prefix string, keys []uint64, suffix string) (string, []any) {
	var b strings.Builder
	b.Grow(len(prefix) + 3*len(keys) + len(suffix))
	b.WriteString(prefix)
	args := make([]any, len(keys))
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('?')
		args[i] = k
	}
	b.WriteString(")")
	b.WriteString(suffix)
	return b.String(), args
}

// scanner is the Scan method of *sql.Rows and *sql.Row.
type scanner interface{ Scan(dest ...any) error }

func scanUser(s scanner) (schema.User, error) {
	var u schema.User
	err := s.Scan(&u.ID, &u.Name, &u.Email, &u.CreatedAt)
	return u, err
}

func scanImage(s scanner) (schema.Image, error) {
	var img schema.Image
	err := s.Scan(&img.ID, &img.UserID, &img.ParentID, &img.Name, &img.Path, &img.Dt)
	return img, err
}

func scanLike(s scanner) (schema.Like, error) {
	var l schema.Like
	err := s.Scan(&l.ID, &l.ImageID, &l.UserID, &l.Dt)
	return l, err
}

// collect runs query and adds every row to a map by key.
func collect[V any](ctx context.Context, q querier, query string, args []any, n int, add func(m map[uint64]V, s scanner) error) (map[uint64]V, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := make(map[uint64]V, n)
	for rows.Next() {
		if err := add(m, rows); err != nil {
			return nil, err
		}
	}
	return m, rows.Err()
}

// fetchByID fetches rows by their ids; scan reads one row and its id.
func fetchByID[V any](q querier, prefix string, scan func(scanner) (V, uint64, error)) fetchFunc[V] {
	return func(ctx context.Context, keys []uint64) (map[uint64]V, error) {
		query, args := inQuery(prefix, keys, "")
		return collect(ctx, q, query, args, len(keys), func(m map[uint64]V, s scanner) error {
			v, id, err := scan(s)
			m[id] = v
			return err
		})
	}
}

func fetchUsers(q querier) fetchFunc[schema.User] {
	return fetchByID(q, usersByID, func(s scanner) (schema.User, uint64, error) {
		u, err := scanUser(s)
		return u, u.ID, err
	})
}

func fetchImages(q querier) fetchFunc[schema.Image] {
	return fetchByID(q, imagesByID, func(s scanner) (schema.Image, uint64, error) {
		img, err := scanImage(s)
		return img, img.ID, err
	})
}

func fetchLikes(q querier) fetchFunc[[]schema.Like] {
	return func(ctx context.Context, keys []uint64) (map[uint64][]schema.Like, error) {
		query, args := inQuery(likesByImageID, keys, " ORDER BY image_id, id")
		return collect(ctx, q, query, args, len(keys), func(m map[uint64][]schema.Like, s scanner) error {
			l, err := scanLike(s)
			m[l.ImageID] = append(m[l.ImageID], l)
			return err
		})
	}
}

// fetchLikeCounts counts the likes of the images on the server; an image
// with no likes has no row.
func fetchLikeCounts(q querier) fetchFunc[int64] {
	return func(ctx context.Context, keys []uint64) (map[uint64]int64, error) {
		query, args := inQuery(likeCounts, keys, " GROUP BY image_id")
		return collect(ctx, q, query, args, len(keys), func(m map[uint64]int64, s scanner) error {
			var id uint64
			var n int64
			err := s.Scan(&id, &n)
			m[id] = n
			return err
		})
	}
}
