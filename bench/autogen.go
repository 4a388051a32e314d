package bench

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// LoadType is the kind of workload AutoGenerate builds, as mysqlslap's
// --auto-generate-sql-load-type.
type LoadType string

// The load types of mysqlslap.
const (
	LoadRead   LoadType = "read"   // full scans of the table
	LoadWrite  LoadType = "write"  // single-row INSERTs
	LoadKey    LoadType = "key"    // primary-key point reads
	LoadUpdate LoadType = "update" // primary-key UPDATEs
	LoadMixed  LoadType = "mixed"  // INSERTs and full scans, alternating
)

// LoadTypes lists the load types, for flag help.
func LoadTypes() []LoadType { return []LoadType{LoadRead, LoadWrite, LoadKey, LoadUpdate, LoadMixed} }

// Defaults of AutoGenConfig, mysqlslap's own.
const (
	DefaultLoadType      = LoadMixed
	DefaultIntCols       = 1
	DefaultCharCols      = 1
	DefaultAutoRows      = 100
	DefaultUniqueQueries = 10
	// AutoTable is the table that generated workloads use, mysqlslap's t1.
	AutoTable = "t1"
	// autoCharLen is the width of the generated VARCHAR columns and of the
	// strings written to them, as in mysqlslap.
	autoCharLen = 128
)

// AutoGenConfig shapes a generated workload. The zero value of each field
// is its default.
type AutoGenConfig struct {
	// LoadType is the kind of statements. Empty means DefaultLoadType.
	LoadType LoadType
	// IntCols and CharCols are how many INT (intcol1…) and VARCHAR(128)
	// (charcol1…) columns t1 has besides its id. Zero means 1 each.
	IntCols, CharCols int
	// Rows is how many rows Setup inserts before the workload runs (the
	// ids of key and update statements are drawn from 1..Rows). Zero means
	// DefaultAutoRows.
	Rows int
	// UniqueQueries is how many distinct statements Queries holds, each with
	// its own string literals; integers and ids are drawn per execution.
	// Zero means DefaultUniqueQueries.
	UniqueQueries int
	// Seed fixes the generated strings and prepopulated values.
	Seed uint64
	// Engine is t1's storage engine (mysqlslap's --engine). Empty means
	// the server's default.
	Engine string
	// SecondaryIndexes adds that many secondary indexes to t1, on its
	// first INT columns (mysqlslap's
	// --auto-generate-sql-secondary-indexes); at most IntCols.
	SecondaryIndexes int
}

// Workload is a generated workload, ready for Config.
type Workload struct {
	// Setup drops and recreates t1 and inserts Rows rows. Use it as
	// Config.PreQuery: like mysqlslap, every iteration then starts from the
	// same table.
	Setup []string
	// Queries are the templates, for Config.Queries.
	Queries []string
	// Cleanup drops t1, for Config.PostQuery.
	Cleanup []string
}

// AutoGenerate builds the workload of mysqlslap --auto-generate-sql: a table
// t1 (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, intcol1 INT,
// charcol1 VARCHAR(128), …) in the current database, prepopulated with
// Rows rows, and statements of the chosen load type. It does no I/O, and
// returns an error for an unknown load type or a negative count.
func AutoGenerate(cfg AutoGenConfig) (*Workload, error) {
	if cfg.LoadType == "" {
		cfg.LoadType = DefaultLoadType
	}
	if !slices.Contains(LoadTypes(), cfg.LoadType) {
		return nil, fmt.Errorf("bench: unknown load type %q: use one of %v", cfg.LoadType, LoadTypes())
	}
	if cfg.IntCols < 0 || cfg.CharCols < 0 || cfg.Rows < 0 || cfg.UniqueQueries < 0 {
		return nil, fmt.Errorf("bench: auto-generate: columns (%d, %d), rows %d and unique queries %d must not be negative",
			cfg.IntCols, cfg.CharCols, cfg.Rows, cfg.UniqueQueries)
	}
	if cfg.IntCols == 0 && cfg.CharCols == 0 {
		cfg.IntCols, cfg.CharCols = DefaultIntCols, DefaultCharCols
	}
	if cfg.Rows == 0 {
		cfg.Rows = DefaultAutoRows
	}
	if cfg.UniqueQueries == 0 {
		cfg.UniqueQueries = DefaultUniqueQueries
	}
	g := &autogen{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x736c6170))}
	w := &Workload{
		Setup:   []string{"DROP TABLE IF EXISTS " + AutoTable, g.create(), g.prepopulate()},
		Cleanup: []string{"DROP TABLE IF EXISTS " + AutoTable},
	}
	for i := range cfg.UniqueQueries {
		w.Queries = append(w.Queries, g.query(i))
	}
	return w, nil
}

type autogen struct {
	cfg AutoGenConfig
	rng *rand.Rand
}

func (g *autogen) create() string {
	var b strings.Builder
	b.WriteString("CREATE TABLE " + AutoTable + " (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY")
	for i := 1; i <= g.cfg.IntCols; i++ {
		fmt.Fprintf(&b, ", intcol%d INT", i)
	}
	for i := 1; i <= g.cfg.CharCols; i++ {
		fmt.Fprintf(&b, ", charcol%d VARCHAR(%d)", i, autoCharLen)
	}
	for i := 1; i <= min(g.cfg.SecondaryIndexes, g.cfg.IntCols); i++ {
		fmt.Fprintf(&b, ", INDEX (intcol%d)", i)
	}
	b.WriteString(")")
	if g.cfg.Engine != "" {
		b.WriteString(" ENGINE=" + quoteIdent(g.cfg.Engine))
	}
	return b.String()
}

// prepopulate is one multi-row INSERT of literal values: ids 1..Rows.
func (g *autogen) prepopulate() string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + AutoTable + " VALUES ")
	for r := range g.cfg.Rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(NULL")
		for range g.cfg.IntCols {
			b.WriteString(", " + strconv.FormatInt(int64(g.rng.Int32()), 10))
		}
		for range g.cfg.CharCols {
			b.WriteString(", '" + g.str() + "'")
		}
		b.WriteString(")")
	}
	return b.String()
}

// query is the i-th distinct statement of the load type.
func (g *autogen) query(i int) string {
	switch g.cfg.LoadType {
	case LoadRead:
		return "SELECT " + g.columns() + " FROM " + AutoTable
	case LoadWrite:
		return g.insert()
	case LoadKey:
		return "SELECT " + g.columns() + " FROM " + AutoTable + " WHERE id = " + g.id()
	case LoadUpdate:
		return "UPDATE " + AutoTable + " SET " + g.assignments() + " WHERE id = " + g.id()
	}
	if i%2 == 0 { // mixed
		return g.insert()
	}
	return "SELECT " + g.columns() + " FROM " + AutoTable
}

func (g *autogen) columns() string {
	var cols []string
	for i := 1; i <= g.cfg.IntCols; i++ {
		cols = append(cols, "intcol"+strconv.Itoa(i))
	}
	for i := 1; i <= g.cfg.CharCols; i++ {
		cols = append(cols, "charcol"+strconv.Itoa(i))
	}
	return strings.Join(cols, ",")
}

func (g *autogen) insert() string {
	vals := []string{"NULL"}
	for i := 1; i <= g.cfg.IntCols; i++ {
		vals = append(vals, "{i"+strconv.Itoa(i)+":uniform(0,2147483647)}")
	}
	for range g.cfg.CharCols {
		vals = append(vals, "'"+g.str()+"'")
	}
	return "INSERT INTO " + AutoTable + " VALUES (" + strings.Join(vals, ",") + ")"
}

func (g *autogen) assignments() string {
	var set []string
	for i := 1; i <= g.cfg.IntCols; i++ {
		set = append(set, fmt.Sprintf("intcol%d = {i%d:uniform(0,2147483647)}", i, i))
	}
	for i := 1; i <= g.cfg.CharCols; i++ {
		set = append(set, fmt.Sprintf("charcol%d = '%s'", i, g.str()))
	}
	return strings.Join(set, ", ")
}

func (g *autogen) id() string { return "{id:uniform(1," + strconv.Itoa(g.cfg.Rows) + ")}" }

// str is a random alphanumeric string of autoCharLen characters: no quote,
// backslash or brace can end the literal or start a placeholder.
func (g *autogen) str() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, autoCharLen)
	for i := range b {
		b[i] = alphabet[g.rng.IntN(len(alphabet))]
	}
	return string(b)
}
