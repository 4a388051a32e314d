package schema

import (
	"database/sql"
	"errors"
	"hash/crc32"
	"testing"
	"time"
)

// TestCRC32MatchesServer pins the polynomial: the MariaDB and MySQL manuals
// both give CRC32('MySQL') = 3259397556.
func TestCRC32MatchesServer(t *testing.T) {
	if got, want := crc32.ChecksumIEEE([]byte("MySQL")), uint32(3259397556); got != want {
		t.Errorf("got %d, want %d", got, want)
	}
}

func TestConcatWS(t *testing.T) {
	dt := time.Date(2024, 2, 29, 23, 59, 58, 123000, time.UTC)
	tests := []struct {
		name string
		row  Row
		want string
	}{
		{"user", User{ID: 7, Name: "Ada Lovelace", Email: "ada.lovelace7@example.com", CreatedAt: dt},
			"7#Ada Lovelace#ada.lovelace7@example.com#2024-02-29 23:59:58.000123"},
		{"image with NULL parent skips it and its separator",
			Image{ID: 10, UserID: 3, Name: "Misty river", Path: "photos/3/10.jpg", Dt: dt},
			"10#3#Misty river#photos/3/10.jpg#2024-02-29 23:59:58.000123"},
		{"image with parent", Image{ID: 10, UserID: 3, ParentID: sql.Null[uint64]{V: 4, Valid: true}, Name: "x", Path: "y", Dt: dt},
			"10#3#4#x#y#2024-02-29 23:59:58.000123"},
		{"like, whole second still has six digits", Like{ID: 18446744073709551615, ImageID: 1, UserID: 2, Dt: time.Date(2025, 12, 31, 1, 2, 3, 0, time.UTC)},
			"18446744073709551615#1#2#2025-12-31 01:02:03.000000"},
		{"non-UTC time renders in UTC", Like{ID: 1, ImageID: 1, UserID: 1, Dt: dt.In(time.FixedZone("X", 3600))},
			"1#1#1#2024-02-29 23:59:58.000123"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(appendConcatWS(nil, tc.row.Values())); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			var c Checksum
			c.Add(tc.row)
			want := Checksum{Count: 1, CRC: uint64(crc32.ChecksumIEEE([]byte(tc.want)))}
			if c != want {
				t.Errorf("got %v, want %v", c, want)
			}
		})
	}
}

func TestChecksumOrderAndShards(t *testing.T) {
	g, err := NewGenerator(Config{Seed: 3, Users: 10, Images: 100, Likes: 1000})
	if err != nil {
		t.Fatal(err)
	}
	want, err := g.Checksum(TableLikes)
	if err != nil {
		t.Fatal(err)
	}
	// Split by odd and even image id, as two shards would, and add in
	// reverse order within each.
	var rows []Like
	g.Likes(func(l Like) error { rows = append(rows, l); return nil })
	var shards [2]Checksum
	for i := len(rows) - 1; i >= 0; i-- {
		shards[rows[i].ImageID%2].Add(rows[i])
	}
	if got := shards[0].Combine(shards[1]); got != want {
		t.Errorf("got combined shards %v, want %v", got, want)
	}
	if shards[0].Count == 0 || shards[1].Count == 0 {
		t.Errorf("got shard counts %d and %d, want both non-zero", shards[0].Count, shards[1].Count)
	}
	if (Checksum{}).Combine(want) != want {
		t.Error("got a change from combining with the zero Checksum, want none")
	}
}

func TestChecksumSQL(t *testing.T) {
	tests := []struct{ table, want string }{
		{"users", "SELECT COUNT(*), BIT_XOR(CRC32(CONCAT_WS('#', `id`, `name`, `email`, `created_at`))) FROM `users`"},
		{"images", "SELECT COUNT(*), BIT_XOR(CRC32(CONCAT_WS('#', `id`, `user_id`, `parent_id`, `name`, `path`, `dt`))) FROM `images`"},
		{"likes", "SELECT COUNT(*), BIT_XOR(CRC32(CONCAT_WS('#', `id`, `image_id`, `user_id`, `dt`))) FROM `likes`"},
	}
	for _, tc := range tests {
		t.Run(tc.table, func(t *testing.T) {
			got, err := ChecksumSQL(tc.table)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
	if _, err := ChecksumSQL("follows"); !errors.Is(err, ErrUnknownTable) {
		t.Errorf("got error %v, want ErrUnknownTable", err)
	}
}
