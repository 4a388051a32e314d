package shard_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/shard"
)

// The DDL is golden: routers of different versions share the table.
func TestSequenceDDL(t *testing.T) {
	tests := []struct {
		name, database, want string
	}{
		{
			name:     "default",
			database: shard.DefaultSequenceDatabase,
			want:     "CREATE TABLE IF NOT EXISTS `scalelab_meta`.sequences (name VARCHAR(64) NOT NULL PRIMARY KEY, next_id BIGINT UNSIGNED NOT NULL, cache BIGINT UNSIGNED NOT NULL) ENGINE=InnoDB",
		},
		{
			name:     "backtick quoted",
			database: "a`b",
			want:     "CREATE TABLE IF NOT EXISTS `a``b`.sequences (name VARCHAR(64) NOT NULL PRIMARY KEY, next_id BIGINT UNSIGNED NOT NULL, cache BIGINT UNSIGNED NOT NULL) ENGINE=InnoDB",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := shard.SequenceDDL(tc.database); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestNewSequenceConfig(t *testing.T) {
	db := unconnectedDB(t)
	tests := []struct {
		name    string
		db      *sql.DB
		cfg     shard.SequenceConfig
		wantErr error
	}{
		{name: "valid", db: db, cfg: shard.SequenceConfig{Name: "users"}},
		{name: "valid with everything", db: db, cfg: shard.SequenceConfig{Name: "users", Database: "meta", Block: 7, Start: 100}},
		{name: "64 characters", db: db, cfg: shard.SequenceConfig{Name: strings.Repeat("é", 64)}},
		{name: "nil db", cfg: shard.SequenceConfig{Name: "users"}, wantErr: shard.ErrBadSequenceConfig},
		{name: "no name", db: db, cfg: shard.SequenceConfig{}, wantErr: shard.ErrBadSequenceConfig},
		{name: "name too long", db: db, cfg: shard.SequenceConfig{Name: strings.Repeat("n", 65)}, wantErr: shard.ErrBadSequenceConfig},
		{name: "database too long", db: db, cfg: shard.SequenceConfig{Name: "users", Database: strings.Repeat("d", 65)}, wantErr: shard.ErrBadSequenceConfig},
		{name: "NUL in name", db: db, cfg: shard.SequenceConfig{Name: "us\x00ers"}, wantErr: shard.ErrBadSequenceConfig},
		{name: "invalid UTF-8", db: db, cfg: shard.SequenceConfig{Name: "\xff"}, wantErr: shard.ErrBadSequenceConfig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seq, err := shard.NewSequence(tc.db, tc.cfg)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("got error %v, want %v", err, tc.wantErr)
			}
			if err == nil && seq.Name() != tc.cfg.Name {
				t.Errorf("Name: got %q, want %q", seq.Name(), tc.cfg.Name)
			}
		})
	}
}

// Argument errors come before any I/O, so they need no server.
func TestSequenceBadCalls(t *testing.T) {
	seq, err := shard.NewSequence(unconnectedDB(t), shard.SequenceConfig{Name: "users"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		seq     *shard.Sequence
		n       int
		wantErr error
	}{
		{name: "zero ids", seq: seq, n: 0, wantErr: shard.ErrBadSequenceCount},
		{name: "negative ids", seq: seq, n: -1, wantErr: shard.ErrBadSequenceCount},
		{name: "zero Sequence", seq: &shard.Sequence{}, n: 1, wantErr: shard.ErrBadSequenceConfig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, err := tc.seq.NextN(t.Context(), tc.n)
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("got id %d, error %v, want error %v", id, err, tc.wantErr)
			}
		})
	}
}

func TestSequenceConcurrent(t *testing.T) {
	const goroutines, perGoroutine = 8, 10_000
	db := openPrimary(t)
	seq := newSequence(t, db, shard.SequenceConfig{Name: uniqueName(t)})

	ids := collect(t, []*shard.Sequence{seq}, goroutines, perGoroutine)
	checkDistinct(t, ids, goroutines*perGoroutine)
}

// Two Sequences with their own pools stand for two router processes that
// start at once on a sequence whose row does not exist yet, so they also race
// to create it.
func TestSequenceTwoProcesses(t *testing.T) {
	const goroutines, perGoroutine = 4, 5_000
	name := uniqueName(t)
	a := newSequence(t, openPrimary(t), shard.SequenceConfig{Name: name})
	b := newSequence(t, openPrimary(t), shard.SequenceConfig{Name: name})

	ids := collect(t, []*shard.Sequence{a, b}, goroutines, perGoroutine)
	checkDistinct(t, ids, 2*goroutines*perGoroutine)
}

func TestSequenceBlock(t *testing.T) {
	db := openPrimary(t)
	createTable(t, db)
	type row struct{ next, cache uint64 }
	tests := []struct {
		name      string
		existing  *row // the row before the first Next; nil means none
		cfg       shard.SequenceConfig
		wantFirst uint64
		want      row // the row after the first Next
	}{
		{name: "default block", wantFirst: 1, want: row{1001, 1000}},
		{name: "block 50", cfg: shard.SequenceConfig{Block: 50}, wantFirst: 1, want: row{51, 50}},
		{name: "block 1", cfg: shard.SequenceConfig{Block: 1}, wantFirst: 1, want: row{2, 1}},
		{name: "row cache", existing: &row{100, 7}, wantFirst: 100, want: row{107, 7}},
		{name: "block overrides row cache", existing: &row{100, 7}, cfg: shard.SequenceConfig{Block: 20}, wantFirst: 100, want: row{120, 7}},
		{name: "start on new row", cfg: shard.SequenceConfig{Block: 10, Start: 5000}, wantFirst: 5000, want: row{5010, 10}},
		{name: "start above existing row", existing: &row{100, 10}, cfg: shard.SequenceConfig{Start: 500}, wantFirst: 500, want: row{510, 10}},
		{name: "start below existing row", existing: &row{900, 10}, cfg: shard.SequenceConfig{Start: 500}, wantFirst: 900, want: row{910, 10}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Name = uniqueName(t)
			if tc.existing != nil {
				insertRow(t, db, cfg.Name, tc.existing.next, tc.existing.cache)
			}
			seq := newSequence(t, db, cfg)

			id, err := seq.Next(t.Context())
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			if id != tc.wantFirst {
				t.Errorf("first id: got %d, want %d", id, tc.wantFirst)
			}
			next, cache := storedRow(t, db, cfg.Name)
			if got := (row{next, cache}); got != tc.want {
				t.Errorf("row after Next: got %+v, want %+v", got, tc.want)
			}

			// The rest of the block comes from memory.
			block := tc.want.next - tc.wantFirst
			for i := uint64(1); i < block; i++ {
				id, err := seq.Next(t.Context())
				if err != nil {
					t.Fatalf("Next: %v", err)
				}
				if want := tc.wantFirst + i; id != want {
					t.Fatalf("id %d of the block: got %d, want %d", i, id, want)
				}
			}
			if next, _ := storedRow(t, db, cfg.Name); next != tc.want.next {
				t.Errorf("next_id after using the block: got %d, want %d (unchanged)", next, tc.want.next)
			}
		})
	}
}

// NextN hands out consecutive ids, extends its block when no other process
// reserved in between, and skips to the row's next_id when one did.
func TestSequenceNextN(t *testing.T) {
	db := openPrimary(t)
	name := uniqueName(t)
	a := newSequence(t, db, shard.SequenceConfig{Name: name, Block: 10})
	b := newSequence(t, db, shard.SequenceConfig{Name: name, Block: 10})
	seqs := map[string]*shard.Sequence{"a": a, "b": b}
	steps := []struct {
		seq        string
		n          int
		wantFirst  uint64
		wantStored uint64
	}{
		{seq: "a", n: 3, wantFirst: 1, wantStored: 11},   // a reserves [1, 11)
		{seq: "a", n: 5, wantFirst: 4, wantStored: 11},   // from memory
		{seq: "a", n: 5, wantFirst: 9, wantStored: 21},   // 9, 10 are left: the new block [11, 21) follows on
		{seq: "a", n: 25, wantFirst: 14, wantStored: 51}, // three blocks, following on: [21, 51)
		{seq: "b", n: 1, wantFirst: 51, wantStored: 61},  // b reserves [51, 61)
		{seq: "a", n: 20, wantFirst: 61, wantStored: 81}, // a's 39..50 are lost: b took 51..60
		{seq: "b", n: 9, wantFirst: 52, wantStored: 81},  // from b's memory
		{seq: "b", n: 1, wantFirst: 81, wantStored: 91},  // b's block is used up
	}
	for i, st := range steps {
		first, err := seqs[st.seq].NextN(t.Context(), st.n)
		if err != nil {
			t.Fatalf("step %d: %s.NextN(%d): %v", i, st.seq, st.n, err)
		}
		if first != st.wantFirst {
			t.Errorf("step %d: %s.NextN(%d): got %d, want %d", i, st.seq, st.n, first, st.wantFirst)
		}
		if got, _ := storedRow(t, db, name); got != st.wantStored {
			t.Errorf("step %d: next_id: got %d, want %d", i, got, st.wantStored)
		}
	}
}

// TestSequencePast: Past moves a sequence past an id given to a row
// explicitly, as a server's AUTO_INCREMENT counter does: within the
// cached block by dropping the ids up to it, past the block by moving the
// row too, so that another process's next block starts past it.
func TestSequencePast(t *testing.T) {
	db := openPrimary(t)
	name := uniqueName(t)
	a := newSequence(t, db, shard.SequenceConfig{Name: name, Block: 10})
	b := newSequence(t, db, shard.SequenceConfig{Name: name, Block: 10})
	steps := []struct {
		seq        *shard.Sequence
		past       uint64 // 0: NextN(1)
		wantFirst  uint64
		wantStored uint64
	}{
		{seq: a, wantFirst: 1, wantStored: 11},                   // a reserves [1, 11)
		{seq: a, past: 5, wantStored: 11},                        // in a's block: 2..5 dropped
		{seq: a, wantFirst: 6, wantStored: 11},                   // from memory
		{seq: a, past: 3, wantStored: 11},                        // below what a handed out: nothing
		{seq: a, wantFirst: 7, wantStored: 11},                   // from memory
		{seq: a, past: 40, wantStored: 41},                       // past a's block: the row moves
		{seq: a, wantFirst: 41, wantStored: 51},                  // a's next block starts past it
		{seq: b, past: 100, wantStored: 101},                     // b has no block: the row moves
		{seq: a, past: 45, wantStored: 101},                      // in a's block
		{seq: a, wantFirst: 46, wantStored: 101},                 // from memory
		{seq: b, wantFirst: 101, wantStored: 111},                // b's block starts past 100
		{seq: a, past: 1<<64 - 1, wantFirst: 0, wantStored: 111}, // the largest id: nothing past it to move to
	}
	for i, st := range steps {
		if st.past > 0 {
			if err := st.seq.Past(t.Context(), st.past); err != nil {
				t.Fatalf("step %d: Past(%d): %v", i, st.past, err)
			}
		} else {
			first, err := st.seq.NextN(t.Context(), 1)
			if err != nil || first != st.wantFirst {
				t.Errorf("step %d: NextN(1): got %d, %v, want %d", i, first, err, st.wantFirst)
			}
		}
		if got, _ := storedRow(t, db, name); got != st.wantStored {
			t.Errorf("step %d: next_id: got %d, want %d", i, got, st.wantStored)
		}
	}
}

// A deleted row is recreated, and the ids keep increasing past the ones
// this Sequence already handed out instead of starting again at Start.
func TestSequenceRowDeleted(t *testing.T) {
	db := openPrimary(t)
	name := uniqueName(t)
	seq := newSequence(t, db, shard.SequenceConfig{Name: name, Block: 5})
	for want := uint64(1); want <= 5; want++ {
		if got, err := seq.Next(t.Context()); err != nil || got != want {
			t.Fatalf("Next: got %d, %v, want %d, nil", got, err, want)
		}
	}
	if _, err := db.ExecContext(t.Context(), "DELETE FROM scalelab_meta.sequences WHERE name = ?", name); err != nil {
		t.Fatal(err)
	}
	if got, err := seq.Next(t.Context()); err != nil || got != 6 {
		t.Fatalf("Next after DELETE: got %d, %v, want 6, nil", got, err)
	}
	if got, _ := storedRow(t, db, name); got != 11 {
		t.Errorf("next_id: got %d, want 11", got)
	}
}

func TestSequenceContext(t *testing.T) {
	db := openPrimary(t)
	tests := []struct {
		name    string
		warm    int  // ids to take first; fewer than the block of 3 leaves some cached
		lock    bool // hold the row lock from another transaction
		ctx     func(t *testing.T) context.Context
		wantErr error
	}{
		{name: "cancelled, nothing cached", ctx: cancelled, wantErr: context.Canceled},
		{name: "cancelled, ids cached", warm: 1, ctx: cancelled, wantErr: context.Canceled},
		{name: "deadline while the row is locked", warm: 3, lock: true, ctx: func(t *testing.T) context.Context {
			ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
			t.Cleanup(cancel)
			return ctx
		}, wantErr: context.DeadlineExceeded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seq := newSequence(t, db, shard.SequenceConfig{Name: uniqueName(t), Block: 3})
			var before uint64
			if tc.warm > 0 {
				id, err := seq.NextN(t.Context(), tc.warm)
				if err != nil {
					t.Fatalf("NextN: %v", err)
				}
				before = id + uint64(tc.warm) - 1
			}
			var release func()
			if tc.lock {
				release = lockRow(t, db, seq.Name())
			}

			id, err := seq.Next(tc.ctx(t))
			if !errors.Is(err, tc.wantErr) || id != 0 {
				t.Errorf("got id %d, error %v, want 0, %v", id, err, tc.wantErr)
			}
			if release != nil {
				release()
			}

			// The Sequence recovers, and never repeats an id.
			id, err = seq.Next(t.Context())
			if err != nil {
				t.Fatalf("Next after the failure: %v", err)
			}
			if id <= before {
				t.Errorf("Next after the failure: got %d, want above %d", id, before)
			}
		})
	}
}

func TestSequenceMissingDatabase(t *testing.T) {
	db := openPrimary(t)
	seq := newSequence(t, db, shard.SequenceConfig{Name: "users", Database: "scalelab_no_such_db"})
	id, err := seq.Next(t.Context())
	var me *mysql.MySQLError
	// The application user, without privileges on a database it was not
	// granted, gets 1142 or 1044 where an admin would get 1049.
	if !errors.As(err, &me) || (me.Number != 1049 && me.Number != 1142 && me.Number != 1044) {
		t.Fatalf("got id %d, error %v, want MySQL error 1049, 1142 or 1044", id, err)
	}
	if !strings.Contains(err.Error(), "scalelab up") {
		t.Errorf("got %q, want advice to run scalelab up", err)
	}
}

func BenchmarkSequenceNext(b *testing.B) {
	db := openPrimary(b)
	for _, block := range []uint64{1, 100, shard.DefaultSequenceBlock} {
		b.Run(fmt.Sprintf("block=%d", block), func(b *testing.B) {
			seq := newSequence(b, db, shard.SequenceConfig{Name: uniqueName(b), Block: block})
			b.ReportAllocs()
			for b.Loop() {
				if _, err := seq.Next(b.Context()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ids/s")
		})
	}
	b.Run(fmt.Sprintf("block=%d/parallel", shard.DefaultSequenceBlock), func(b *testing.B) {
		seq := newSequence(b, db, shard.SequenceConfig{Name: uniqueName(b)})
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := seq.Next(context.Background()); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ids/s")
	})
}

// collect runs goroutines goroutines on each of seqs, each taking
// perGoroutine ids, all starting together. It checks that each goroutine saw
// its ids increase and returns them all.
func collect(t *testing.T, seqs []*shard.Sequence, goroutines, perGoroutine int) []uint64 {
	t.Helper()
	start := make(chan struct{})
	results := make([][]uint64, len(seqs)*goroutines)
	errs := make([]error, len(results))
	var wg sync.WaitGroup
	for i := range results {
		seq := seqs[i%len(seqs)]
		wg.Go(func() {
			<-start
			ids := make([]uint64, 0, perGoroutine)
			for range perGoroutine {
				id, err := seq.Next(t.Context())
				if err != nil {
					errs[i] = err
					return
				}
				if n := len(ids); n > 0 && id <= ids[n-1] {
					errs[i] = fmt.Errorf("got id %d after %d, want increasing ids", id, ids[n-1])
					return
				}
				ids = append(ids, id)
			}
			results[i] = ids
		})
	}
	close(start)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	return slices.Concat(results...)
}

func checkDistinct(t *testing.T, ids []uint64, want int) {
	t.Helper()
	if len(ids) != want {
		t.Fatalf("got %d ids, want %d", len(ids), want)
	}
	slices.Sort(ids)
	for i := 1; i < len(ids); i++ {
		if ids[i] == ids[i-1] {
			t.Fatalf("id %d handed out twice", ids[i])
		}
	}
	if got := len(slices.Compact(ids)); got != want {
		t.Errorf("got %d distinct ids, want %d", got, want)
	}
}

func openPrimary(t testing.TB) *sql.DB {
	t.Helper()
	sb := dbtest.Sandbox(t)
	return dbtest.Open(t, sb.Topology, sb.Topology.Shards[0].Primary.HostPort)
}

func newSequence(t testing.TB, db *sql.DB, cfg shard.SequenceConfig) *shard.Sequence {
	t.Helper()
	seq, err := shard.NewSequence(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// unconnectedDB returns a pool that has never connected, for tests that must
// do no I/O.
func unconnectedDB(t *testing.T) *sql.DB {
	t.Helper()
	conn, err := mysql.NewConnector(mysql.NewConfig())
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	t.Cleanup(func() { db.Close() })
	return db
}

var nameSeq atomic.Int64

// uniqueName returns a sequence name no other test (or -count run) uses.
func uniqueName(t testing.TB) string {
	return fmt.Sprintf("%.48s-%d", t.Name(), nameSeq.Add(1))
}

func createTable(t *testing.T, db *sql.DB) {
	t.Helper()
	if _, err := db.ExecContext(t.Context(), shard.SequenceDDL(shard.DefaultSequenceDatabase)); err != nil {
		t.Fatal(err)
	}
}

func insertRow(t *testing.T, db *sql.DB, name string, next, cache uint64) {
	t.Helper()
	_, err := db.ExecContext(t.Context(), "INSERT INTO scalelab_meta.sequences (name, next_id, cache) VALUES (?, ?, ?)", name, next, cache)
	if err != nil {
		t.Fatal(err)
	}
}

func storedRow(t *testing.T, db *sql.DB, name string) (next, cache uint64) {
	t.Helper()
	err := db.QueryRowContext(t.Context(), "SELECT next_id, cache FROM scalelab_meta.sequences WHERE name = ?", name).Scan(&next, &cache)
	if err != nil {
		t.Fatalf("read sequence row %s: %v", name, err)
	}
	return next, cache
}

// lockRow holds the sequence's row lock, as another process reserving a
// block would, until release is called.
func lockRow(t *testing.T, db *sql.DB, name string) (release func()) {
	t.Helper()
	tx, err := db.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var next uint64
	if err := tx.QueryRowContext(t.Context(), "SELECT next_id FROM scalelab_meta.sequences WHERE name = ? FOR UPDATE", name).Scan(&next); err != nil {
		tx.Rollback()
		t.Fatal(err)
	}
	return func() { tx.Rollback() }
}

func cancelled(t *testing.T) context.Context {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	return ctx
}
