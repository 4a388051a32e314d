package proxy

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/router"
	"vitess.io/vitess/go/sqltypes"
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
	// prepared are the statement texts a node prepared (see check), by
	// database and text, until a DDL statement passes.
	prepared map[string]struct{}
}

func newDescriber(r *router.Router) *describer {
	return &describer{r: r, cache: map[string][]*querypb.Field{}, prepared: map[string]struct{}{}}
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

// textExact reports whether the rows of query, prepared in database db,
// read in the text protocol carry every value as a binary client gets it
// from a server: it was described (columns), and returns no FLOAT and no
// DOUBLE with fixed decimals, whose text the server rounds (a FLOAT to 6
// digits). False when it was not described.
func (d *describer) textExact(db, query string) bool {
	d.mu.Lock()
	f, ok := d.cache[db+"\x00"+query]
	d.mu.Unlock()
	if !ok {
		return false
	}
	for _, c := range f {
		if c.Type == sqltypes.Float32 || c.Type == sqltypes.Float64 && c.Decimals < notFixedDecimals {
			return false
		}
	}
	return true
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
	conn, done, err := d.homeConn(ctx, home, db, true)
	if err != nil {
		return nil, err
	}
	defer done()
	text := "SELECT * FROM (" + query + ") AS scalelab_describe LIMIT 0"
	args := make([]any, params) // all NULL
	// Prepared on the server, as the client's statement is: a column is
	// named as the text has it (SUM(?)), where one the driver wrote with
	// its parameters in it was named SUM(NULL), and a client that keys
	// rows by the prepare's names (Ruby's mysql2) found no SUM(?).
	var rows *sql.Rows
	if params == 0 {
		rows, err = conn.QueryContext(ctx, text)
	} else {
		var stmt *sql.Stmt
		if stmt, err = conn.PrepareContext(ctx, text); err != nil {
			return nil, err
		}
		defer stmt.Close()
		rows, err = stmt.QueryContext(ctx, args...)
		if err != nil {
			// A LIMIT ? takes no NULL: every parameter 0 then (whose
			// columns of a bare ? say INT).
			for i := range args {
				args[i] = int64(0)
			}
			rows, err = stmt.QueryContext(ctx, args...)
		}
	}
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
	return columnFields(cts, router.ColumnDefs(rows)), rows.Err()
}

// errHomeDown is the home primary down, for a question only it answers.
var errHomeDown = errors.New("proxy: the keyspace's first primary is down")

// homeConn is a connection of the describer's, and what hands it back,
// to the primary of the first shard of keyspace home, in database db.
// While that primary is down (a health check missed it), a healthy
// replica of its shard answers when replica, and none otherwise
// (errHomeDown): each question would wait out its timeout on it, on every
// prepare. The session USEd another database than the pool's: the
// connection USEs it too, and is dropped at the end rather than returned
// to the pool changed.
func (d *describer) homeConn(ctx context.Context, home int, db string, replica bool) (conn *sql.Conn, done func(), err error) {
	sets := d.r.Sets()
	if home >= len(sets) {
		return nil, nil, sql.ErrNoRows
	}
	set := sets[home]
	node := set.Primary()
	if !set.Healthy(node) {
		node = nil
		if replica {
			node = set.HealthyReplica()
		}
		if node == nil {
			return nil, nil, errHomeDown
		}
	}
	conn, err = node.DB.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	done = func() { conn.Close() }
	if db != "" && db != d.r.Topology().DatabaseName() {
		done = func() {
			conn.Raw(func(any) error { return driver.ErrBadConn })
			conn.Close()
		}
		if _, err := conn.ExecContext(ctx, useStatement(db)); err != nil {
			done()
			return nil, nil, err
		}
	}
	return conn, done, nil
}

// forget drops every cached description and prepared text; called
// after DDL.
func (d *describer) forget() {
	d.mu.Lock()
	clear(d.cache)
	clear(d.prepared)
	d.mu.Unlock()
}

// prepareRefusals are the errors a server's COM_STMT_PREPARE gives for
// the text itself and the schema it names, the same on every connection
// of a session without state of its own: the client gets them at its
// prepare, as from the server, rather than at the statement's first
// execution. Errors of the moment (a lock, a timeout, a full server) are
// not among them.
var prepareRefusals = map[uint16]bool{
	1044: true, // ER_DBACCESS_DENIED_ERROR
	1049: true, // ER_BAD_DB_ERROR
	1052: true, // ER_NON_UNIQ_ERROR
	1054: true, // ER_BAD_FIELD_ERROR
	1060: true, // ER_DUP_FIELDNAME
	1064: true, // ER_PARSE_ERROR
	1065: true, // ER_EMPTY_QUERY
	1066: true, // ER_NONUNIQ_TABLE
	1109: true, // ER_UNKNOWN_TABLE
	1111: true, // ER_INVALID_GROUP_FUNC_USE
	1142: true, // ER_TABLEACCESS_DENIED_ERROR
	1143: true, // ER_COLUMNACCESS_DENIED_ERROR
	1146: true, // ER_NO_SUCH_TABLE
	1149: true, // ER_SYNTAX_ERROR
	1222: true, // ER_WRONG_NUMBER_OF_COLUMNS_IN_SELECT
	1241: true, // ER_OPERAND_COLUMNS
	1248: true, // ER_DERIVED_MUST_HAVE_ALIAS
	1295: true, // ER_UNSUPPORTED_PS
	1305: true, // ER_SP_DOES_NOT_EXIST
	1630: true, // ER_FUNC_INEXISTENT_NAME_COLLISION
	1055: true, // ER_WRONG_FIELD_WITH_GROUP (with ONLY_FULL_GROUP_BY)
	1056: true, // ER_WRONG_GROUP_FIELD
	1221: true, // ER_WRONG_USAGE
	1235: true, // ER_NOT_SUPPORTED_YET
	1247: true, // ER_ILLEGAL_REFERENCE
	1250: true, // ER_TABLENAME_NOT_ALLOWED_HERE
	1582: true, // ER_WRONG_PARAMCOUNT_TO_NATIVE_FCT
	1583: true, // ER_WRONG_PARAMETERS_TO_NATIVE_FCT
	4078: true, // ER_ILLEGAL_PARAMETER_DATA_TYPES2_FOR_OPERATION (MariaDB)
	4079: true, // ER_ILLEGAL_PARAMETER_DATA_TYPE_FOR_OPERATION (MariaDB)
}

// check prepares the text of a client's COM_STMT_PREPARE on the primary
// of the first shard of the keyspace that holds its tables (every table
// of a keyspace lives there), and closes it again, and returns the
// server's error when the server refuses the text (prepareRefusals): a
// syntax error, a table, column or function it does not know. Otherwise
// the prepare goes on as before (see ComPrepare), statements being routed
// at their executions.
//
// The check is made for statements that run on a node as given (reads,
// writes, and texts the router cannot parse, which go to a primary), in
// ASCII (the pooled connection's character set may not be the client's),
// and only for a session without state beyond its database and login
// (keep): a session variable such as sql_mode changes the grammar, and a
// temporary table the names, on the session's own connections only. A
// text that prepared is remembered, by database, until a DDL statement.
func (d *describer) check(ctx context.Context, st *router.Statement, query, db string, keep bool) error {
	switch st.Kind {
	case router.Read, router.LockingRead, router.Write, router.Unparsed:
	default:
		return nil
	}
	if keep || !ascii(query) {
		return nil
	}
	key := db + "\x00" + query
	d.mu.Lock()
	_, ok := d.prepared[key]
	d.mu.Unlock()
	if ok {
		return nil
	}
	home, err := d.r.Home(st)
	if err != nil {
		return nil
	}
	if ok, err := d.prepareOn(ctx, home, query, db); !ok {
		return err
	}
	d.mu.Lock()
	if len(d.prepared) >= describeCacheSize {
		clear(d.prepared)
	}
	d.prepared[key] = struct{}{}
	d.mu.Unlock()
	return nil
}

// prepareOn prepares query, in database db, on the primary of the first
// shard of keyspace home, and closes it again. ok is true when the node
// prepared it; err is the server's error when it refuses the text
// (prepareRefusals); neither when the node could not be asked, or
// refused it for a reason of the moment.
func (d *describer) prepareOn(ctx context.Context, home int, query, db string) (ok bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, describeTimeout)
	defer cancel()
	// (Only the primary: a replica may not have a table yet, which
	// would refuse a text the primary prepares.)
	conn, done, err := d.homeConn(ctx, home, db, false)
	if err != nil {
		return false, nil
	}
	defer done()
	stmt, err := conn.PrepareContext(ctx, query)
	if err != nil {
		var me *mysql.MySQLError
		if errors.As(err, &me) && prepareRefusals[me.Number] {
			return false, toSQLError(me)
		}
		return false, nil
	}
	stmt.Close() // a close that fails leaves the statement to the connection's end
	return true, nil
}

// ascii reports whether s is all ASCII.
func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
