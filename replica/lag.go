package replica

import (
	"context"
	"database/sql"
)

// Lag is measured the way pt-heartbeat measures it: the primary's writer
// stores its clock in a heartbeat row every HeartbeatInterval, and a
// replica's lag is how old the row it has applied is. Unlike the server's
// Seconds_Behind_Master it has sub-second resolution (the interval), and it
// keeps growing while the SQL thread is stopped instead of going NULL.

// beat writes the heartbeat row on the primary.
func (s *Set) beat(ctx context.Context) error {
	_, err := s.primary.DB.ExecContext(ctx,
		"INSERT INTO `"+MetaDatabase+"`.heartbeat (id, ts) VALUES (1, UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE ts = VALUES(ts)")
	if err != nil {
		s.Fail(s.primary, err)
	}
	return err
}

// measureLag reads every replica's heartbeat age concurrently. A replica
// that cannot be read keeps its last figure; one without the row yet has
// no figure.
func (s *Set) measureLag(ctx context.Context) {
	done := make(chan struct{}, len(s.replicas))
	for _, r := range s.replicas {
		go func() {
			defer func() { done <- struct{}{} }()
			if !r.health.ok() {
				return
			}
			lctx, cancel := context.WithTimeout(ctx, s.cfg.ProbeTimeout)
			defer cancel()
			var us sql.NullInt64
			err := r.DB.QueryRowContext(lctx,
				"SELECT TIMESTAMPDIFF(MICROSECOND, ts, UTC_TIMESTAMP(6)) FROM `"+MetaDatabase+"`.heartbeat WHERE id = 1").Scan(&us)
			switch {
			case err == sql.ErrNoRows:
				r.lagMicro.Store(-1)
			case err != nil:
				s.Fail(r, err)
			case us.Valid:
				r.lagMicro.Store(max(us.Int64, 0))
			}
		}()
	}
	for range s.replicas {
		<-done
	}
}
