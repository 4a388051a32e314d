package proxy

import "context"

// Serve starts s (see Start), calls started, if set, once s listens, and
// serves until ctx is done. Then it says so through Config.Logf and shuts
// down gracefully within DrainTimeout (see Shutdown), whose error it
// returns.
func (s *Server) Serve(ctx context.Context, started func()) error {
	if err := s.Start(ctx); err != nil {
		return err
	}
	if started != nil {
		started()
	}
	<-ctx.Done()
	s.cfg.Logf("shutting down: draining %d connection(s), at most %v", s.Connections(), s.cfg.DrainTimeout)
	return s.Shutdown(context.Background())
}
