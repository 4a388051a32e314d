package router

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/scalelab/scalelab/shard"
	"vitess.io/vitess/go/vt/sqlparser"
)

// keyRanges holds, per sharded table, the range of its shard-key column's
// type, read from the server. A server that lets an INSERT through with a
// key beyond that range (INSERT IGNORE, or a session without strict mode)
// stores the range's bound: INSERT IGNORE of 4294967303 into an INT
// column stores 2147483647. The row belongs to the shard of the bound, so
// planInsert routes by it; hashed as sent, the row landed on a shard where
// no read of 2147483647 looked. A strict session is refused by the server
// on whichever shard the row is sent to.
type keyRanges struct {
	mu sync.Mutex
	m  map[string]keyRange // by table, once read
}

// keyRange is what the server said of a table's shard-key column: its
// range, when ok (an integer type, or a DECIMAL without a fraction).
type keyRange struct {
	r  shard.IntRange
	ok bool
}

func (k *keyRanges) get(table string) (keyRange, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	kr, known := k.m[table]
	return kr, known
}

func (k *keyRanges) set(table string, kr keyRange) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = map[string]keyRange{}
	}
	k.m[table] = kr
}

// forget drops every range read, after DDL that may have changed one; it
// reports whether there were any.
func (k *keyRanges) forget() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	had := len(k.m) > 0
	k.m = nil
	return had
}

// keyRangeQuery reads a column's type. A table named in another case than
// the server's is found too (the router matches sharded tables without
// case); the exact name wins when both exist.
const keyRangeQuery = `SELECT DATA_TYPE, COLUMN_TYPE, COALESCE(NUMERIC_PRECISION, 0), COALESCE(NUMERIC_SCALE, 0)
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND LOWER(TABLE_NAME) = ? AND LOWER(COLUMN_NAME) = LOWER(?)
ORDER BY TABLE_NAME = ? DESC LIMIT 1`

// insertTable is the table an INSERT or REPLACE writes, lower-cased, and
// its schema's name ("" when unqualified); ok is false for any other
// statement.
func insertTable(st *Statement) (table, schema string, ok bool) {
	if st.Kind != Write {
		return "", "", false
	}
	ins, isIns := st.AST.(*sqlparser.Insert)
	if !isIns {
		return "", "", false
	}
	tn, isName := ins.Table.Expr.(sqlparser.TableName)
	if !isName {
		return "", "", false
	}
	return strings.ToLower(tn.Name.String()), tn.Qualifier.String(), true
}

// learnKeyRange reads, once per table, the range of the shard-key column
// of the sharded table st inserts into, for planInsert (see keyRanges).
// It asks the primaries of the table's shards in turn; when none answers,
// the INSERT is not run, since its rows could not be routed as the server
// would store them. A table no shard has is left to the INSERT to report.
func (r *Router) learnKeyRange(ctx context.Context, st *Statement) error {
	table, schema, ok := insertTable(st)
	if !ok {
		return nil
	}
	rule, sharded := r.vs.rule(table)
	if !sharded {
		return nil
	}
	if _, known := r.keys.get(table); known {
		return nil
	}
	var qual any
	if schema != "" {
		qual = schema
	}
	sets := r.vs.curSets()
	var errs []error
	for _, i := range r.vs.keyspaceShards(table) {
		if i >= len(sets) {
			continue
		}
		var dataType, columnType string
		var precision, scale int64
		err := sets[i].Primary().DB.QueryRowContext(ctx, keyRangeQuery, qual, table, rule.Column, table).
			Scan(&dataType, &columnType, &precision, &scale)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			continue // not on this shard (yet): the next may have it
		case err != nil:
			errs = append(errs, fmt.Errorf("shard %s: %w", sets[i].Shard, err))
			continue
		}
		r.keys.set(table, columnRange(dataType, strings.Contains(strings.ToLower(columnType), "unsigned"), precision, scale))
		r.vs.invalidate() // plans kept from before route by the range now
		return nil
	}
	if len(errs) > 0 {
		return fmt.Errorf("router: reading the type of %s.%s, which decides where a key beyond its range lands: %w", table, rule.Column, errors.Join(errs...))
	}
	return nil
}

// columnRange is the range of a column of dataType (information_schema's
// DATA_TYPE); ok is false for a type whose values the router does not
// clamp.
func columnRange(dataType string, unsigned bool, precision, scale int64) keyRange {
	var bits uint
	switch strings.ToLower(dataType) {
	case "tinyint":
		bits = 8
	case "smallint":
		bits = 16
	case "mediumint":
		bits = 24
	case "int", "integer":
		bits = 32
	case "bigint":
		bits = 64
	case "decimal", "numeric":
		if scale != 0 || precision <= 0 {
			return keyRange{}
		}
		if precision >= 20 {
			// Wider than any 64-bit key: nothing to clamp a key to.
			if unsigned {
				return keyRange{r: shard.IntRange{Min: 0, Max: math.MaxUint64}, ok: true}
			}
			return keyRange{r: shard.IntRange{Min: math.MinInt64, Max: math.MaxUint64}, ok: true}
		}
		top := uint64(1)
		for range precision {
			top *= 10
		}
		top-- // 10^p - 1
		if unsigned {
			return keyRange{r: shard.IntRange{Min: 0, Max: top}, ok: true}
		}
		min := int64(math.MinInt64)
		if top <= math.MaxInt64 {
			min = -int64(top)
		}
		return keyRange{r: shard.IntRange{Min: min, Max: top}, ok: true}
	default:
		return keyRange{}
	}
	if unsigned {
		return keyRange{r: shard.IntRange{Min: 0, Max: math.MaxUint64 >> (64 - bits)}, ok: true}
	}
	return keyRange{r: shard.IntRange{Min: -1 << (bits - 1), Max: 1<<(bits-1) - 1}, ok: true}
}

// clampKey is key value v as the server stores it into table's shard-key
// column (see keyRanges).
func (r *Router) clampKey(table string, v any) any {
	if kr, _ := r.keys.get(table); kr.ok {
		return kr.r.Clamp(v)
	}
	return v
}

// forgetKeyRanges drops the ranges read, after DDL through the router,
// which may have changed a key column's type: the next INSERT into each
// table reads its range again.
func (r *Router) forgetKeyRanges() {
	if r.keys.forget() {
		r.vs.invalidate()
	}
}
