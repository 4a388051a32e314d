package proxy

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"sync"
	"time"

	"github.com/scalelab/scalelab/router"
	querypb "vitess.io/vitess/go/vt/proto/query"
	"vitess.io/vitess/go/vt/sqlparser"
)

// describeTimeout bounds the metadata query of one COM_STMT_PREPARE.
const describeTimeout = 5 * time.Second

// describeCacheSize is how many statement texts keep their columns.
const describeCacheSize = 4096

// describer finds the columns a prepared statement will return, because
// the MySQL protocol sends them in the COM_STMT_PREPARE response and some
// clients (libmariadb, hence sysbench) only read a result whose columns
// they were told about there. It asks the primary of the first shard of
// the statement's keyspace for the columns of the statement with every
// parameter NULL under LIMIT 0, which the server answers without reading
// rows. Every table of a keyspace lives on its first shard (unsharded
// tables only there, sharded ones on every shard), so this needs no more
// routing, and it is not counted as a routed statement.
// Results are cached by statement text until a DDL statement passes.
type describer struct {
	r     *router.Router
	mu    sync.Mutex
	cache map[string][]*querypb.Field
}

func newDescriber(r *router.Router) *describer {
	return &describer{r: r, cache: map[string][]*querypb.Field{}}
}

// columns returns the statement's result columns, or nil when it returns
// none or they cannot be found out (the client then learns them from the
// first execution, which go-sql-driver, for one, accepts).
func (d *describer) columns(ctx context.Context, st *router.Statement, query, db string, params int) []*querypb.Field {
	if st.Kind != router.Read || st.Assigns || st.SetsLastInsertID || st.Sticky {
		// The describing statement runs on a pooled connection: one that
		// would set a variable or a lock there is left to its execution,
		// which the session runs or refuses.
		return nil
	}
	switch st.AST.(type) {
	case *sqlparser.Select, *sqlparser.Union:
	default:
		return nil // SHOW and EXPLAIN cannot be wrapped in a derived table
	}
	key := db + "\x00" + query
	d.mu.Lock()
	f, ok := d.cache[key]
	d.mu.Unlock()
	if ok {
		return cloneFields(f)
	}
	home, err := d.r.Home(st) // the keyspace that holds the tables
	if err != nil {
		return nil
	}
	f, err = d.ask(ctx, home, query, db, params)
	if err != nil {
		return nil
	}
	d.mu.Lock()
	if len(d.cache) >= describeCacheSize {
		clear(d.cache)
	}
	d.cache[key] = f
	d.mu.Unlock()
	return cloneFields(f)
}

// cloneFields copies cached fields: the listener edits the fields it is
// given (their names), and connections run concurrently.
func cloneFields(fs []*querypb.Field) []*querypb.Field {
	out := make([]*querypb.Field, len(fs))
	for i, f := range fs {
		out[i] = f.CloneVT()
	}
	return out
}

func (d *describer) ask(ctx context.Context, home int, query, db string, params int) ([]*querypb.Field, error) {
	ctx, cancel := context.WithTimeout(ctx, describeTimeout)
	defer cancel()
	sets := d.r.Sets()
	if home >= len(sets) {
		return nil, sql.ErrNoRows
	}
	conn, err := sets[home].Primary().DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if db != "" && db != d.r.Topology().DatabaseName() {
		// The session USEd another database: describe there, then drop
		// the connection rather than return it to the pool changed.
		defer conn.Raw(func(any) error { return driver.ErrBadConn })
		if _, err := conn.ExecContext(ctx, useStatement(db)); err != nil {
			return nil, err
		}
	}
	args := make([]any, params) // all NULL
	rows, err := conn.QueryContext(ctx, "SELECT * FROM ("+query+") AS scalelab_describe LIMIT 0", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	for rows.Next() {
	}
	return columnFields(cts), rows.Err()
}

// forget drops every cached description; called after DDL.
func (d *describer) forget() {
	d.mu.Lock()
	clear(d.cache)
	d.mu.Unlock()
}
