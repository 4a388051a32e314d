package flavor

import (
	"context"
	"database/sql"
)

// Queryer is what ReadReplicaStatus needs: a *sql.DB, *sql.Conn or *sql.Tx.
type Queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// ReadReplicaStatus runs f's replica status statement on q and parses its
// row by column name. A node that is not a replica gives a status whose
// Configured is false.
func ReadReplicaStatus(ctx context.Context, q Queryer, f Flavor) (ReplicaStatus, error) {
	rows, err := q.QueryContext(ctx, f.ReplicaStatusQuery())
	if err != nil {
		return ReplicaStatus{}, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return ReplicaStatus{}, err
	}
	if !rows.Next() {
		return f.ParseReplicaStatus(nil), rows.Err()
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return ReplicaStatus{}, err
	}
	row := make(map[string]string, len(cols))
	for i, c := range cols {
		row[c] = "NULL"
		if vals[i].Valid {
			row[c] = vals[i].String
		}
	}
	return f.ParseReplicaStatus(row), rows.Err()
}
