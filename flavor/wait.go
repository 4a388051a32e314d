package flavor

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// ErrNotApplied is returned (wrapped) by WaitApplied and WaitCaughtUp when a
// replica has not applied a GTID position within the timeout.
var ErrNotApplied = errors.New("replica did not apply the GTID position in time")

// Position reads q's executed GTID position: everything the server has
// committed so far.
func Position(ctx context.Context, q Queryer, f Flavor) (string, error) {
	pos, err := QueryText(ctx, q, f.GTIDPositionQuery())
	if err != nil {
		return "", fmt.Errorf("read the GTID position: %w", err)
	}
	return pos, nil
}

// WaitApplied blocks until replica has applied the GTID position pos, for at
// most timeout. It reports whether it was applied; a replica that was not in
// time gives false and no error. The wait runs on the server
// (MASTER_GTID_WAIT or WAIT_FOR_EXECUTED_GTID_SET), so it returns the moment
// the position is applied, without polling.
func WaitApplied(ctx context.Context, replica Queryer, f Flavor, pos string, timeout time.Duration) (bool, error) {
	q, args := f.WaitGTID(pos, timeout)
	// The server gives up after timeout; the client waits a little longer so
	// that the server's answer, not a canceled read, decides.
	wctx, cancel := context.WithTimeout(ctx, timeout+2*time.Second)
	defer cancel()
	res, err := QueryText(wctx, replica, q, args...)
	if err != nil {
		return false, err
	}
	n, err := strconv.ParseInt(res, 10, 64)
	return err == nil && !f.WaitTimedOut(n), nil
}

// WaitCaughtUp waits until every replica has applied the position primary
// had when the call began: everything written on the primary before it.
// A replica that is not in time is an error wrapping ErrNotApplied that
// names it by its index in replicas (from 1) or by names[i] when given.
func WaitCaughtUp(ctx context.Context, f Flavor, primary Queryer, replicas []Queryer, names []string, timeout time.Duration) error {
	if len(replicas) == 0 {
		return nil
	}
	pos, err := Position(ctx, primary, f)
	if err != nil {
		return fmt.Errorf("primary: %w", err)
	}
	for i, r := range replicas {
		name := "replica " + strconv.Itoa(i+1)
		if i < len(names) {
			name = names[i]
		}
		ok, err := WaitApplied(ctx, r, f, pos, timeout)
		if err != nil {
			return fmt.Errorf("wait for %s: %w", name, err)
		}
		if !ok {
			return fmt.Errorf("%w: %s has not applied %s after %v: check `scalelab status` for a stopped or lagging replica", ErrNotApplied, name, pos, timeout)
		}
	}
	return nil
}

// QueryText runs query on q and returns the first column of the first row as text ("" for
// NULL), reading every row so that the connection is free afterwards.
func QueryText(ctx context.Context, q Queryer, query string, args ...any) (string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var first sql.NullString
	dst := make([]any, len(cols))
	for i := range dst {
		dst[i] = new(sql.RawBytes)
	}
	dst[0] = &first
	seen := false
	for rows.Next() {
		if seen {
			continue
		}
		if err := rows.Scan(dst...); err != nil {
			return "", err
		}
		seen = true
	}
	return first.String, rows.Err()
}
