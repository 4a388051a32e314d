package proxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scalelab/scalelab/router"
	vtmysql "vitess.io/vitess/go/mysql"
	"vitess.io/vitess/go/vt/vtenv"
)

// ErrDrainTimeout is returned by Shutdown when connections were still busy
// at its deadline and had to be cut off.
var ErrDrainTimeout = errors.New("proxy: drain timed out; busy connections were closed")

// parserVersion is the MySQL version the statement splitter parses as.
const parserVersion = "8.0.40"

// Server is a MySQL wire-protocol front end over a router: every client
// connection gets its own router.Session. Its methods are safe for
// concurrent use.
type Server struct {
	r        *router.Router
	cfg      Config
	env      *vtenv.Environment
	metrics  *metrics
	describe *describer
	// relay keeps the raw connections of relayed reads (see relay.go);
	// nil when Config.NoRelay turns the relay off.
	relay *relayPools
	// names holds the SET NAMES of each login collation asked of the
	// nodes (see loginNames); results the collation of a session's
	// results after SETs of its character set, by login and SETs (see
	// resultsCollation), and resultsLen how many it holds.
	names      sync.Map
	results    sync.Map
	resultsLen atomic.Int64
	// greetColl is the nodes' default collation, which the greeting
	// names; 0 until one has answered (see learnGreeting).
	greetColl atomic.Uint32

	// ctx bounds every statement; it is canceled when a shutdown gives up
	// waiting, so statements stuck on a backend end too.
	ctx context.Context
	// stmtCtx is the context of statements: one without cancellation (see
	// handler.exec) and without values, whose Value allocates nothing
	// (context.WithoutCancel's boxes itself at every call).
	stmtCtx context.Context
	cancel  context.CancelFunc

	draining atomic.Bool
	mu       sync.Mutex
	started  bool
	// startedAt is when Start ran, for COM_STATISTICS's uptime.
	startedAt time.Time
	ln        *listener
	vl        *vtmysql.Listener
	web       *http.Server
	webLn     net.Listener
	wg        sync.WaitGroup
}

// New validates cfg and builds a Server over r. It does no I/O; call Start.
// Open r with replica.Config.TimesAsText, so that dates and times reach
// clients exactly as the servers sent them ('0000-00-00' included).
func New(r *router.Router, cfg Config) (*Server, error) {
	if r == nil {
		return nil, errors.New("proxy: nil router")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	env, err := vtenv.New(vtenv.Options{MySQLServerVersion: parserVersion})
	if err != nil {
		return nil, fmt.Errorf("proxy: parser: %w", err)
	}
	vitessLog(cfg.Logf)
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{r: r, cfg: cfg, env: env, metrics: newMetrics(r), describe: newDescriber(r), ctx: ctx, stmtCtx: context.Background(), cancel: cancel}
	if !cfg.NoRelay {
		s.relay = newRelayPools(cfg.Logf)
	}
	return s, nil
}

// Start listens on Config.Listen (and Config.Metrics) and serves clients
// in the background until Shutdown or Close.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("proxy: already started")
	}
	s.startedAt = time.Now()
	var lc net.ListenConfig
	// Plain TCP: the relay waits for a client's next request without a
	// read that finds nothing after a short read (see clientConn.frame),
	// which relies on TCP's reads; Multipath TCP, which Go's listeners
	// offer by default, is not asked of a MySQL server by its clients.
	lc.SetMultipathTCP(false)
	tcp, err := lc.Listen(ctx, "tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("proxy: listen on %s: %w (is another proxy running? pick another --listen)", s.cfg.Listen, err)
	}
	s.ln = newListener(tcp, s)
	a := newAuth(s.cfg.Users)
	a.onReject = func() { s.metrics.rejected.WithLabelValues("auth").Inc() }
	s.vl, err = vtmysql.NewListenerWithConfig(vtmysql.ListenerConfig{
		Listener:           s.ln,
		AuthServer:         a,
		Handler:            &handler{s: s, env: s.env},
		ConnReadBufferSize: 16 << 10,
		ConnBufferPooling:  true,
		// Responses are flushed when a command ends; the delay only bounds
		// how long a slow streaming result may sit in the buffer.
		FlushDelay: vtmysql.DefaultFlushDelay,
		// COM_QUERY goes to ComQueryMulti, which sends every result set
		// of a statement (a CALL's), not only the first.
		MultiQuery: true,
	})
	if err != nil {
		tcp.Close()
		return fmt.Errorf("proxy: %w", err)
	}
	s.vl.ServerVersion = s.cfg.ServerVersion
	if s.cfg.Metrics != "-" {
		s.webLn, err = lc.Listen(ctx, "tcp", s.cfg.Metrics)
		if err != nil {
			s.vl.Close()
			return fmt.Errorf("proxy: listen for metrics on %s: %w (pick another --metrics, or - for none)", s.cfg.Metrics, err)
		}
		mux := http.NewServeMux()
		mux.Handle("/metrics", s.metrics.handler())
		s.web = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := s.web.Serve(s.webLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.cfg.Logf("proxy: metrics: %v", err)
			}
		}()
	}
	s.started = true
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		s.learnGreeting(s.ctx)
	}()
	go func() {
		defer s.wg.Done()
		s.vl.Accept()
	}()
	return nil
}

// Addr is the address clients connect to (nil before Start).
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// MetricsAddr is the address of /metrics (nil before Start or when off).
func (s *Server) MetricsAddr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.webLn == nil {
		return nil
	}
	return s.webLn.Addr()
}

// Connections is the number of client connections open now.
func (s *Server) Connections() int {
	s.mu.Lock()
	ln := s.ln
	s.mu.Unlock()
	if ln == nil {
		return 0
	}
	return ln.open()
}

// MetricsHandler serves the proxy's Prometheus metrics.
func (s *Server) MetricsHandler() http.Handler { return s.metrics.handler() }

// Shutdown stops accepting, lets statements in flight finish, tells idle
// clients the server is shutting down (error 1053), and closes them. When
// ctx ends first (or DrainTimeout passes, if ctx has no deadline), it
// interrupts the statements left, closes their connections and returns
// ErrDrainTimeout. It does not close the router.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	started := s.started
	s.mu.Unlock()
	if !started {
		s.cancel()
		return nil
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.cfg.DrainTimeout)
		defer cancel()
	}
	s.draining.Store(true)
	s.vl.Close()
	busy := s.ln.open()
	s.cfg.Logf("proxy: draining %d connection(s)", busy)
	var err error
	select {
	case <-s.ln.drain():
	case <-ctx.Done():
		err = ErrDrainTimeout
		s.cancel()
		s.ln.closeAll()
		select {
		case <-s.ln.drain():
		case <-time.After(5 * time.Second):
		}
	}
	s.cancel()
	if s.relay != nil {
		s.relay.close()
	}
	if s.web != nil {
		wctx, cancel := context.WithTimeout(context.Background(), time.Second)
		s.web.Shutdown(wctx)
		cancel()
	}
	s.wg.Wait()
	return err
}

// Close stops the server at once: connections are closed and their
// statements interrupted.
func (s *Server) Close() error {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.Shutdown(ctx)
	if errors.Is(err, ErrDrainTimeout) {
		return nil
	}
	return err
}
