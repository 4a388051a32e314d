package replica

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"

	"github.com/go-sql-driver/mysql"
)

// stalled reports whether err is a probe of the node running out of time
// (its own deadline, or a network timeout) while ctx, the Set's, is
// still open: the node did not answer.
func stalled(ctx context.Context, err error) bool {
	return ctx.Err() == nil && timedOut(err)
}

// timedOut reports whether err is a deadline or a network timeout.
func timedOut(err error) bool {
	var ne net.Error
	return err != nil && (errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout())
}

// frozen reports whether n finished no statement since it had finished
// before: a probe that times out on a node that still finishes statements
// met a busy node (a saturated CPU quota queues every statement), not a
// frozen one, and shunning it would fail the reads it is serving.
func frozen(n *Node, before uint64) bool { return n.finished.Load() == before }

// unresponsive shuns n at once and ends the statements stuck on it: it
// did not answer a trivial read within the probe timeout.
func (s *Set) unresponsive(n *Node, err error) {
	n.health.shun(fmt.Sprintf("no answer within %v: %v", n.probeTimeout, err))
	n.endStuck(n.probeTimeout)
}

// Lag is measured the way pt-heartbeat measures it: the primary's writer
// stores its clock in a heartbeat row every HeartbeatInterval, and a
// replica's lag is how old the row it has applied is. Unlike the server's
// Seconds_Behind_Master it has sub-second resolution (the interval), and it
// keeps growing while the SQL thread is stopped instead of going NULL.

// The heartbeat's statements: the table, the primary's write, and a
// replica's reading of the row's age in microseconds.
const (
	heartbeatTable = "CREATE TABLE IF NOT EXISTS `" + MetaDatabase + "`.heartbeat (id INT PRIMARY KEY, ts DATETIME(6) NOT NULL)"
	heartbeatWrite = "INSERT INTO `" + MetaDatabase + "`.heartbeat (id, ts) VALUES (1, UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE ts = VALUES(ts)"
	heartbeatAge   = "SELECT TIMESTAMPDIFF(MICROSECOND, ts, UTC_TIMESTAMP(6)) FROM `" + MetaDatabase + "`.heartbeat WHERE id = 1"
)

// beatIfWritable writes the heartbeat as the admin user on a node taken
// for a primary, unless the node is read-only: the admin's writes pass
// read_only, so on a primary demoted by a failover since (a topology read
// before it) the heartbeat would be an errant transaction. It returns the
// statements it sent, which the server's Questions counter counts. The
// table is made on first use; even CREATE TABLE IF NOT EXISTS is logged,
// so it too runs only on a writable node.
func beatIfWritable(ctx context.Context, db *sql.DB) (sent int) {
	var readOnly bool
	if err := db.QueryRowContext(ctx, "SELECT @@GLOBAL.read_only").Scan(&readOnly); err != nil || readOnly {
		return 1
	}
	_, err := db.ExecContext(ctx, heartbeatWrite)
	if noTable(err) {
		_, _ = db.ExecContext(ctx, heartbeatTable)
		_, _ = db.ExecContext(ctx, heartbeatWrite)
		return 4
	}
	return 2
}

// noTable reports a server's ER_NO_SUCH_TABLE.
func noTable(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == 1146
}

// createHeartbeat creates the heartbeat table on the primary.
func (s *Set) createHeartbeat(ctx context.Context) error {
	_, err := s.Primary().checks.ExecContext(ctx, heartbeatTable)
	return err
}

// beat writes the heartbeat row on the primary, creating the table if a
// primary that was down when the Set opened lacks it.
func (s *Set) beat(ctx context.Context) error {
	const q = heartbeatWrite
	p := s.Primary()
	_, err := p.checks.ExecContext(ctx, q)
	if noTable(err) {
		if err = s.createHeartbeat(ctx); err == nil {
			_, err = p.checks.ExecContext(ctx, q)
		}
	}
	if err != nil && !timedOut(err) {
		// A beat that ran out of time is judged by the caller: busy or
		// frozen (see frozen).
		s.Fail(ctx, p, err)
	}
	return err
}

// measureLag reads every replica's heartbeat age concurrently. A replica
// whose connection fails serves no reads until a reading succeeds; one
// that does not answer within the probe timeout is shunned at once, and
// the statements stuck on it are ended so that reads retry elsewhere (a
// frozen server never closes its connections). One without
// the row yet, or whose server returns an error, has no figure.
func (s *Set) measureLag(ctx context.Context) {
	replicas := s.Replicas()
	done := make(chan struct{}, len(replicas))
	for _, r := range replicas {
		go func() {
			defer func() { done <- struct{}{} }()
			if !r.health.ok() {
				return
			}
			lctx, cancel := context.WithTimeout(ctx, r.probeTimeout)
			defer cancel()
			before := r.finished.Load()
			var us sql.NullInt64
			err := r.checks.QueryRowContext(lctx, heartbeatAge).Scan(&us)
			switch {
			case err == sql.ErrNoRows:
				r.lagMicro.Store(lagUnknown)
			case stalled(ctx, err) && !frozen(r, before):
				r.lagMicro.Store(lagUnknown) // busy: no figure this time
			case stalled(ctx, err):
				r.lagMicro.Store(lagFailed)
				s.unresponsive(r, err)
			case IsConnError(err):
				r.lagMicro.Store(lagFailed)
				s.Fail(lctx, r, err)
			case err != nil:
				// A server error (the heartbeat table not replicated yet):
				// no figure, as before the first row.
				r.lagMicro.Store(lagUnknown)
			case us.Valid:
				r.lagMicro.Store(max(us.Int64, 0))
			}
		}()
	}
	for range replicas {
		<-done
	}
}
