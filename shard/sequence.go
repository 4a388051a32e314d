package shard

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-sql-driver/mysql"
)

// DefaultSequenceDatabase is the database that holds the sequences table
// when SequenceConfig.Database is empty: scalelab's own database, which
// `scalelab up` creates on every primary.
const DefaultSequenceDatabase = "scalelab_meta"

// DefaultSequenceBlock is how many ids one reservation takes when neither
// SequenceConfig.Block nor the sequence's row says otherwise: the default
// cache of a Vitess sequence.
const DefaultSequenceBlock = 1000

// maxIdentifier is the longest name MySQL and MariaDB accept for a database,
// and the width of the sequences table's name column.
const maxIdentifier = 64

var (
	// ErrBadSequenceConfig is returned (wrapped) by NewSequence for an
	// invalid SequenceConfig or a nil *sql.DB, and by a Sequence that was not
	// built by NewSequence.
	ErrBadSequenceConfig = errors.New("shard: bad sequence config")

	// ErrBadSequenceCount is returned (wrapped) by Sequence.NextN for a count
	// below 1.
	ErrBadSequenceCount = errors.New("shard: bad sequence count")

	// ErrBadSequenceRow is returned (wrapped) when a sequence's stored row
	// cannot be used, such as a cache of 0 when SequenceConfig.Block is 0.
	ErrBadSequenceRow = errors.New("shard: bad sequence row")

	// ErrSequenceExhausted is returned (wrapped) when a reservation would
	// take next_id past the largest BIGINT UNSIGNED.
	ErrSequenceExhausted = errors.New("shard: sequence exhausted")
)

// SequenceConfig configures a Sequence. NewSequence validates it and keeps a
// copy, so changing it afterwards has no effect.
type SequenceConfig struct {
	// Name names the sequence: its row in the sequences table, usually the
	// name of the sharded table whose ids it hands out. Required; at most 64
	// characters.
	Name string

	// Database is the database, on the node that holds the sequences (the
	// topology's main node, or else the first shard's primary: see
	// vschema.Schema.SequenceHome), that holds the sequences table. Empty means DefaultSequenceDatabase ("scalelab_meta").
	// The database must exist; the table is created on first use.
	Database string

	// Block is how many ids one reservation takes from the table, and so how
	// many ids are lost at most when the process stops. Zero means the
	// row's cache column, which is DefaultSequenceBlock (1000) for a row this
	// Sequence creates and which an operator can change with UPDATE, as in
	// Vitess. A non-zero Block overrides the row's cache for this Sequence
	// only; a new row stores it as its cache.
	Block uint64

	// Start is the lowest id the Sequence hands out. A new row starts at
	// Start, and an existing row whose next_id is below Start is moved up to
	// it, so set Start above the largest id of a table that already has rows.
	// Zero means 1, because 0 is not a valid AUTO_INCREMENT-style id.
	Start uint64
}

// Sequence hands out ids for a sharded table, where no single AUTO_INCREMENT
// can, the way a Vitess sequence table does: a row in a sequences table on
// one primary holds the next free id, and each Sequence reserves a block of
// ids from it at a time (SELECT … FOR UPDATE, then UPDATE next_id, in one
// transaction) and hands them out from memory.
//
// Ids are unique across every Sequence and process that shares the row: a
// mutex orders callers within the process and the row lock orders
// reservations across processes. Within one Sequence they increase. They are
// not gap-free: the unused ids of a block are lost when the process stops or
// a reservation fails, and two processes interleave their blocks, so ids
// from different processes are not in the order they were handed out.
//
// A Sequence is built by NewSequence and is safe for concurrent use. It
// never closes the *sql.DB it was given.
type Sequence struct {
	db  *sql.DB
	cfg SequenceConfig

	// SQL, built once from the quoted database name.
	ddl, insert, selectForUpdate, update, past string

	// refill admits one reservation at a time, so that callers that find
	// the block empty wait for one round trip instead of each making their
	// own; unlike a mutex, waiting on it respects ctx. The holder also owns
	// ready and is the only writer of limit.
	refill chan struct{}
	ready  bool // the table exists and the row was inserted once

	mu    sync.Mutex
	next  uint64 // the next id to hand out
	limit uint64 // the first id past the reserved block; next == limit means empty
}

// NewSequence returns a Sequence that reserves ids through db, a pool to the
// node that holds the sequences table: the topology's main node, or else the
// first shard's primary (vschema.Schema.SequenceHome).
// It validates and copies cfg and does no I/O; the table and the row are
// created on first use. An invalid cfg or a nil db yields an error wrapping
// ErrBadSequenceConfig.
func NewSequence(db *sql.DB, cfg SequenceConfig) (*Sequence, error) {
	if db == nil {
		return nil, fmt.Errorf("%w: nil *sql.DB: pass a pool to the primary that holds the sequences table", ErrBadSequenceConfig)
	}
	if cfg.Database == "" {
		cfg.Database = DefaultSequenceDatabase
	}
	if cfg.Start == 0 {
		cfg.Start = 1
	}
	if err := checkIdentifier("name", cfg.Name); err != nil {
		return nil, err
	}
	if err := checkIdentifier("database", cfg.Database); err != nil {
		return nil, err
	}
	table := quoteIdentifier(cfg.Database) + ".sequences"
	return &Sequence{
		db:              db,
		cfg:             cfg,
		ddl:             SequenceDDL(cfg.Database),
		insert:          "INSERT IGNORE INTO " + table + " (name, next_id, cache) VALUES (?, ?, ?)",
		selectForUpdate: "SELECT next_id, cache FROM " + table + " WHERE name = ? FOR UPDATE",
		update:          "UPDATE " + table + " SET next_id = ? WHERE name = ?",
		past:            "UPDATE " + table + " SET next_id = GREATEST(next_id, ?) WHERE name = ?",
		refill:          make(chan struct{}, 1),
	}, nil
}

// SequenceDDL returns the statement that creates the sequences table in
// database, if it does not exist. A Sequence runs it on first use; it is
// exported for tools that create the table up front. database is quoted, so
// any name is safe.
func SequenceDDL(database string) string {
	return "CREATE TABLE IF NOT EXISTS " + quoteIdentifier(database) + ".sequences (" +
		"name VARCHAR(64) NOT NULL PRIMARY KEY, " +
		"next_id BIGINT UNSIGNED NOT NULL, " +
		"cache BIGINT UNSIGNED NOT NULL" +
		") ENGINE=InnoDB"
}

// Name returns the sequence's name, SequenceConfig.Name.
func (s *Sequence) Name() string { return s.cfg.Name }

// Next returns a new id. It reserves a block from the table when the cached
// one is used up, and otherwise does no I/O. If ctx is done, Next returns
// ctx's error (wrapped) and no id, even when ids are cached. If a
// reservation fails, the error is wrapped with the sequence's name and no id
// is handed out; the next call tries again.
func (s *Sequence) Next(ctx context.Context) (uint64, error) {
	return s.NextN(ctx, 1)
}

// NextN returns the first of n new, consecutive ids, first through
// first+n-1, for a multi-row INSERT. When fewer than n cached ids are left,
// it reserves at least n more, in whole blocks; the cached ids it skips are
// lost unless the new block follows on from them. n below 1 yields an error
// wrapping ErrBadSequenceCount. Otherwise it behaves as Next.
func (s *Sequence) NextN(ctx context.Context, n int) (uint64, error) {
	if n < 1 {
		return 0, fmt.Errorf("%w: sequence %s: asked for %d ids, want at least 1", ErrBadSequenceCount, s.cfg.Name, n)
	}
	if s.refill == nil {
		return 0, fmt.Errorf("%w: a zero Sequence has no table: build it with NewSequence", ErrBadSequenceConfig)
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("next id from sequence %s: %w", s.cfg.Name, err)
	}
	if id, ok := s.take(n); ok {
		return id, nil
	}
	select {
	case s.refill <- struct{}{}:
	case <-ctx.Done():
		return 0, fmt.Errorf("wait for a block of sequence %s: %w", s.cfg.Name, ctx.Err())
	}
	defer func() { <-s.refill }()
	// Another caller may have reserved a block while this one waited.
	if id, ok := s.take(n); ok {
		return id, nil
	}
	return s.reserve(ctx, n)
}

// Past makes every id the Sequence hands out from now on greater than
// id, as a server's AUTO_INCREMENT counter moves past an id a row was
// given explicitly: cached ids up to id are dropped, and an id at or past
// the reserved block moves the row's next_id past it too, for the next
// reservation of every process (one round trip). A process that holds a
// block reserved earlier may still hand out ids up to id from it.
func (s *Sequence) Past(ctx context.Context, id uint64) error {
	if s.refill == nil {
		return fmt.Errorf("%w: a zero Sequence has no table: build it with NewSequence", ErrBadSequenceConfig)
	}
	if id == math.MaxUint64 {
		return nil
	}
	s.mu.Lock()
	switch {
	case id < s.next:
		s.mu.Unlock()
		return nil
	case id < s.limit:
		s.next = id + 1
		s.mu.Unlock()
		return nil
	}
	s.mu.Unlock()
	select {
	case s.refill <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("move sequence %s past %d: %w", s.cfg.Name, id, ctx.Err())
	}
	defer func() { <-s.refill }()
	s.mu.Lock()
	if id >= s.limit {
		// No cached id is left, and the next reservation starts past id
		// (see reserveTx) even if the row below cannot be moved.
		s.next, s.limit = id+1, id+1
	} else if id >= s.next {
		s.next = id + 1
	}
	s.mu.Unlock()
	if !s.ready {
		if err := s.create(ctx); err != nil {
			return err
		}
		s.ready = true
	}
	if _, err := s.db.ExecContext(ctx, s.past, id+1, s.cfg.Name); err != nil {
		return fmt.Errorf("move sequence %s past %d: %w", s.cfg.Name, id, err)
	}
	return nil
}

// take hands out n cached ids if there are that many.
func (s *Sequence) take(n int) (uint64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.limit-s.next < uint64(n) {
		return 0, false
	}
	id := s.next
	s.next += uint64(n)
	return id, true
}

// reserve takes a new block of at least n ids from the table and hands out
// the first n. The caller holds refill.
func (s *Sequence) reserve(ctx context.Context, n int) (uint64, error) {
	if !s.ready {
		if err := s.create(ctx); err != nil {
			return 0, err
		}
		s.ready = true
	}
	s.mu.Lock()
	limit := s.limit
	s.mu.Unlock()

	start, end, err := s.reserveTx(ctx, n, limit)
	if errors.Is(err, sql.ErrNoRows) {
		// Someone deleted the row since create inserted it: insert it
		// again, once.
		if err = s.insertRow(ctx); err == nil {
			start, end, err = s.reserveTx(ctx, n, limit)
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		err = fmt.Errorf("%w: the row vanished twice while reserving ids", ErrBadSequenceRow)
	}
	if err != nil {
		return 0, fmt.Errorf("reserve ids for sequence %s in %s: %w", s.cfg.Name, s.cfg.Database, err)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if start != s.limit {
		// Another process reserved since our last block: its unused ids
		// are lost, as in Vitess.
		s.next = start
	}
	s.limit = end
	id := s.next
	s.next += uint64(n)
	return id, nil
}

// create makes the table, if missing, and the sequence's row, if missing.
func (s *Sequence) create(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, s.ddl); err != nil {
		return s.translate("create sequences table", err)
	}
	return s.insertRow(ctx)
}

// insertRow inserts the sequence's row unless it exists. It runs in its own
// autocommit statement, not in reserveTx's transaction: two processes that
// both found the row missing, each holding a locking read, would deadlock
// on their inserts, whereas here the loser's INSERT IGNORE waits for the
// winner's and then does nothing.
func (s *Sequence) insertRow(ctx context.Context) error {
	cache := s.cfg.Block
	if cache == 0 {
		cache = DefaultSequenceBlock
	}
	if _, err := s.db.ExecContext(ctx, s.insert, s.cfg.Name, s.cfg.Start, cache); err != nil {
		return s.translate("insert sequence row", err)
	}
	return nil
}

// reserveTx moves the row's next_id past a new block of at least n ids and
// returns the block [start, end). limit is the end of this Sequence's
// current block: next_id is never taken below it (nor below Start), so ids
// keep increasing even if someone moved the row back. It returns an error
// wrapping sql.ErrNoRows if the row is missing.
func (s *Sequence) reserveTx(ctx context.Context, n int, limit uint64) (start, end uint64, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	var cache uint64
	if err := tx.QueryRowContext(ctx, s.selectForUpdate, s.cfg.Name).Scan(&start, &cache); err != nil {
		return 0, 0, fmt.Errorf("lock sequence row: %w", err)
	}
	block := s.cfg.Block
	if block == 0 {
		block = cache
	}
	if block == 0 {
		return 0, 0, fmt.Errorf("%w: cache is 0: set the row's cache to a block size such as %d, or set SequenceConfig.Block",
			ErrBadSequenceRow, DefaultSequenceBlock)
	}
	start = max(start, s.cfg.Start, limit)
	blocks := uint64(n) / block
	if uint64(n)%block != 0 {
		blocks++
	}
	if blocks > math.MaxUint64/block || start > math.MaxUint64-blocks*block {
		return 0, 0, fmt.Errorf("%w: next_id %d plus %d blocks of %d passes the largest BIGINT UNSIGNED", ErrSequenceExhausted, start, blocks, block)
	}
	end = start + blocks*block
	if _, err := tx.ExecContext(ctx, s.update, end, s.cfg.Name); err != nil {
		return 0, 0, fmt.Errorf("advance next_id to %d: %w", end, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, fmt.Errorf("commit: %w", err)
	}
	return start, end, nil
}

// translate wraps a server error from creating the table or row, with advice
// for the errors a user can fix.
func (s *Sequence) translate(what string, err error) error {
	var me *mysql.MySQLError
	switch {
	case errors.As(err, &me) && me.Number == 1049: // ER_BAD_DB_ERROR
		return fmt.Errorf("%s for sequence %s: database %s does not exist on this primary: run scalelab up, which creates it, or CREATE DATABASE it: %w",
			what, s.cfg.Name, s.cfg.Database, err)
	case errors.As(err, &me) && (me.Number == 1044 || me.Number == 1142): // ER_DBACCESS_DENIED_ERROR, ER_TABLEACCESS_DENIED_ERROR
		// A user without privileges on a database cannot tell whether it
		// exists.
		return fmt.Errorf("%s for sequence %s: database %s does not exist on this primary, or the user has no privileges on it: run scalelab up, which creates it and grants them: %w",
			what, s.cfg.Name, s.cfg.Database, err)
	}
	return fmt.Errorf("%s for sequence %s in %s: %w", what, s.cfg.Name, s.cfg.Database, err)
}

// checkIdentifier rejects a name MySQL would not store: empty, longer than
// 64 characters, or holding a NUL.
func checkIdentifier(field, name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: %s is empty: give the sequence a %s, such as the sharded table's name", ErrBadSequenceConfig, field, field)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: %s %q is not valid UTF-8", ErrBadSequenceConfig, field, name)
	case utf8.RuneCountInString(name) > maxIdentifier:
		return fmt.Errorf("%w: %s %q has %d characters, want at most %d", ErrBadSequenceConfig, field, name, utf8.RuneCountInString(name), maxIdentifier)
	case strings.ContainsRune(name, 0):
		return fmt.Errorf("%w: %s %q holds a NUL character", ErrBadSequenceConfig, field, name)
	}
	return nil
}

// quoteIdentifier quotes name for SQL with backticks, doubling any inside,
// so that no name can end the identifier early.
func quoteIdentifier(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}
