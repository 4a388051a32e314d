package difftest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// The rows are chosen to break merges: names that differ only in case,
// accents or trailing spaces (equal under the collation), punctuation that
// sorts differently by bytes and by collation ('a-b', 'a_b', 'x3@',
// 'x342@'), ties in every column, NULL parents, ids near the top of
// BIGINT UNSIGNED, images without likes, and values of which some shards
// hold none.

// trickyNames are spelled so that a byte-wise or lower-cased merge orders
// and groups them differently from the server.
var trickyNames = []string{
	"Alice", "alice", "ALICE", "Álice", "alice ", "Bob", "bob", "bob ", "Bób",
	"Zoë", "zoe", "ZOE", "Zoe", "a-b", "a_b", "a b", "ab", "a.b", "a,b", "x3@", "x342@", "x34@", "x3", "x",
	"Émile", "émile", "emile", "Emile", "Ørjan", "orjan", "Ærø", "aero", "straße", "strasse", "ß",
	"", " lead", "  lead", "lead", "O'Brien", "o'brien", "percent%", "under_score", "back\\slash",
	"日本", "にほん", "Ελλάδα", "ελλάδα", "Zürich", "zurich", "Zurich", "Ångström", "angstrom",
	"0", "00", "1", "10", "9", "-1", "1e2", "NULL", "null", "zzz", "ZZZ", "~tilde", "!bang", "#hash",
}

// dataset is the rows of the three sample tables.
type dataset struct {
	users  []string // VALUES tuples
	images []string
	likes  []string
}

func quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// userIDs are the users' ids: a dense run, and a few at the top of the
// BIGINT UNSIGNED range, whose hash lands on any shard.
func userIDs() []uint64 {
	var ids []uint64
	for id := uint64(1); id <= 90; id++ {
		ids = append(ids, id)
	}
	return append(ids, 1<<63-1, 1<<63, 1<<63+5, 18446744073709551615, 4294967296)
}

func makeDataset(seed uint64) dataset {
	rnd := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	base := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	// Few distinct timestamps, so ORDER BY dt has ties; some with
	// microseconds, some on the second.
	stamp := func() string {
		t := base.Add(time.Duration(rnd.IntN(40)) * time.Hour)
		if rnd.IntN(3) == 0 {
			t = t.Add(time.Duration(rnd.IntN(5)*250000) * time.Microsecond)
		}
		return quote(t.Format("2006-01-02 15:04:05.000000"))
	}
	var d dataset
	uids := userIDs()
	for i, id := range uids {
		name := trickyNames[i%len(trickyNames)]
		email := fmt.Sprintf("%s%d@example.%s", strings.ToLower(strings.TrimSpace(name)), i%7, []string{"com", "org", "COM"}[i%3])
		d.users = append(d.users, fmt.Sprintf("(%d, %s, %s, %s)", id, quote(name), quote(email), stamp()))
	}
	const images = 400
	for id := 1; id <= images; id++ {
		user := uids[rnd.IntN(len(uids))]
		parent := "NULL"
		if id > 20 && rnd.IntN(3) > 0 {
			// Children of a few popular parents, which live on any shard.
			parent = fmt.Sprint(1 + rnd.IntN(20))
		}
		name := trickyNames[rnd.IntN(len(trickyNames))]
		if rnd.IntN(4) == 0 {
			name = fmt.Sprintf("img%03d", rnd.IntN(60))
		}
		path := fmt.Sprintf("/u/%d/%s.jpg", user%13, []string{"a", "B", "c", "a "}[id%4])
		d.images = append(d.images, fmt.Sprintf("(%d, %d, %s, %s, %s, %s)", id, user, parent, quote(name), quote(path), stamp()))
	}
	// Likes for the first 300 images only: the rest have none.
	likeID := 1
	for img := 1; img <= 300; img++ {
		n := rnd.IntN(6)
		if img%10 == 0 {
			n = 0
		}
		for k := 0; k < n; k++ {
			user := uids[rnd.IntN(len(uids))]
			d.likes = append(d.likes, fmt.Sprintf("(%d, %d, %d, %s)", likeID, img, user, stamp()))
			likeID++
		}
	}
	return d
}

// inserts returns the INSERT statements that load d, in batches.
func (d dataset) inserts() []string {
	var out []string
	add := func(table, cols string, rows []string) {
		for len(rows) > 0 {
			n := min(len(rows), 100)
			out = append(out, "INSERT INTO "+table+" ("+cols+") VALUES "+strings.Join(rows[:n], ", "))
			rows = rows[n:]
		}
	}
	add("users", "id, name, email, created_at", d.users)
	add("images", "id, user_id, parent_id, name, path, dt", d.images)
	add("likes", "id, image_id, user_id, dt", d.likes)
	return out
}
