package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/scalelab/scalelab/failover"
	"github.com/scalelab/scalelab/internal/profile"
	"github.com/scalelab/scalelab/proxy"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
	"github.com/spf13/cobra"
)

func newProxyCmd() *cobra.Command {
	var topo, user, password, cpuProfile string
	var backendMaxOpen, threads int
	var multiWrites, relay bool
	var failoverBuffer, switchBuffer time.Duration
	var auto failover.WatchConfig
	var autoFailover bool
	var cfg proxy.Config
	c := &cobra.Command{
		Use:   "proxy",
		Short: "Serve the router over the MySQL protocol, for any MySQL client",
		Long: `proxy listens for MySQL clients (the mariadb or mysql CLI, sysbench, any
driver in any language) and runs their statements through scalelab's router:
reads go to replicas, writes and transactions to the primary, and sharded
tables to the shard their key hashes to. Each client connection is its own
router session.

Clients log in as the topology's application user (or --user/--password),
with mysql_native_password or caching_sha2_password.

In a client:
  SET scalelab_consistency = 'read-your-writes';   -- or eventual, strong
  SELECT /*+ scalelab_consistency=strong */ ...;   -- for one statement
(The mariadb and mysql command-line clients strip comments before they
send a statement, hints included, unless started with --comments (-c):
without it the hint never reaches the proxy and the read is eventual. SET
scalelab_consistency works from any client.)
  SHOW scalelab_route SELECT * FROM t WHERE id = 1; -- where would it go?

Router refusals (for example a cross-shard transaction) come back as error
1235 (SQLSTATE 42000); backend errors keep their own number. Metrics are on
http://<--metrics>/metrics. SIGTERM or Ctrl-C drains: statements in flight
finish, idle clients get error 1053, then the proxy exits.

Failovers (scalelab failover) replace the topology file; the proxy follows
the new primaries without a restart. Meanwhile a write for a shard whose
primary is down or read-only waits up to --failover-buffer for the new
primary, or for the same one to answer again, instead of failing (reads go
on to the replicas); a write that may have run on the old primary is never
sent again, and one the old primary acknowledged after the failover fails
with error 1180: the new primary may not have it.

Reshards and table moves (scalelab reshard or movetables --switch) replace
it too, with other shards or keyspaces; the proxy follows them at once. A
write that the switch held (it changed nothing) waits up to --switch-buffer
and runs again where the new topology sends it; clients see a slow write,
not an error. A write inside a transaction gets the hold's error instead.

With --auto-failover the proxy also watches the primaries, as scalelab
failover --watch does: a primary that misses --misses probes in a row, and
whose replicas confirm they lost it too, is failed over (an emergency
reparent), and the writes buffered meanwhile go to the new primary. It
needs the sandbox the topology file belongs to.`,
		Example: `  scalelab proxy
  mariadb -h127.0.0.1 -P6033 -uscalelab -p scalelab
  sysbench oltp_point_select --mysql-host=127.0.0.1 --mysql-port=6033 ... run
  scalelab proxy --auto-failover --interval 500ms --misses 3`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			if threads < 0 {
				return usagef("--threads %d: give a count of threads, or 0 for one per core", threads)
			}
			t, err := loadTopology(c.ErrOrStderr(), topo)
			if err != nil {
				return err
			}
			if user == "" {
				user, password = t.User.Name, t.User.Password
			} else if !c.Flags().Changed("password") {
				return usagef("--user %s needs --password", user)
			}
			cfg.Users = map[string]string{user: password}
			if threads > 0 {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(threads))
			}
			if autoFailover {
				sb, err := openSandbox(topo)
				if err != nil {
					return fmt.Errorf("--auto-failover fails over the sandbox the topology belongs to: %w", err)
				}
				auto.Cluster = sb.FollowingCluster()
				auto.Progress = func(s string) { fmt.Fprintln(stderr(c), "auto-failover:", s) }
			}
			stop, err := profile.StartCPU(cpuProfile)
			if err != nil {
				return err
			}
			defer stop()
			cfg.Logf = func(format string, args ...any) { fmt.Fprintf(stderr(c), format+"\n", args...) }
			r, err := router.Open(c.Context(), t, router.Config{Replica: replica.Config{Pool: replica.PoolConfig{MaxOpen: backendMaxOpen}, TimesAsText: true, RawIO: true}, AllowMultiShardWrites: multiWrites,
				TopologyPath: topo, OnFollow: func(err error) { followed(stderr(c), err) }, FailoverBuffer: failoverBuffer, SwitchBuffer: switchBuffer, Logf: cfg.Logf})
			if err != nil {
				return err
			}
			defer r.Close()
			if autoFailover {
				// The watcher publishes the new topology; the router
				// follows it at once rather than at its next poll.
				auto.OnFailover = func(*failover.Result) {
					ok, err := r.Follow(auto.Cluster.Topology())
					if ok || err != nil {
						followed(stderr(c), err)
					}
				}
				ctx, cancel := context.WithCancel(c.Context())
				defer cancel()
				go func() {
					if err := failover.Watch(ctx, auto); err != nil {
						fmt.Fprintln(stderr(c), "auto-failover stopped:", err)
					}
				}()
			}
			cfg.NoRelay = !relay || backendMaxOpen > 0
			srv, err := proxy.New(r, cfg)
			if err != nil {
				return &usageError{err}
			}
			return srv.Serve(c.Context(), func() {
				fmt.Fprintf(stderr(c), "scalelab proxy on %s for topology %s (user %s, threads: %d)\n", srv.Addr(), t.Name, user, runtime.GOMAXPROCS(0))
				if a := srv.MetricsAddr(); a != nil {
					fmt.Fprintf(stderr(c), "metrics on http://%s/metrics\n", a)
				}
			})
		},
	}
	addTopologyFlag(c, &topo)
	c.Flags().StringVar(&cfg.Listen, "listen", proxy.DefaultListen, "address for MySQL clients")
	c.Flags().DurationVar(&failoverBuffer, "failover-buffer", failover.DefaultBuffer, "hold a write for a shard without a usable primary this long, waiting for a failover (0: fail it at once)")
	c.Flags().DurationVar(&switchBuffer, "switch-buffer", router.DefaultSwitchBuffer, "hold a write that a reshard's or a table move's switch stopped this long, retrying it where the new topology sends it (below 0: fail it at once)")
	c.Flags().BoolVar(&multiWrites, "allow-multi-shard-writes", false, "let UPDATE and DELETE without the shard key run on every shard")
	c.Flags().BoolVar(&autoFailover, "auto-failover", false, "watch the primaries and fail a lost one over (as scalelab failover --watch)")
	c.Flags().DurationVar(&auto.Interval, "interval", failover.DefaultWatchInterval, "--auto-failover: time between probes of each primary")
	c.Flags().IntVar(&auto.Misses, "misses", failover.DefaultMisses, "--auto-failover: probes in a row a primary must miss")
	c.Flags().StringVar(&cfg.Metrics, "metrics", proxy.DefaultMetrics, "address of the Prometheus /metrics endpoint, or - for none")
	c.Flags().StringVar(&user, "user", "", "user clients log in as (default: the topology's application user)")
	c.Flags().StringVar(&password, "password", "", "password for --user")
	c.Flags().IntVar(&cfg.MaxConnections, "max-connections", 0, "most client connections at once; more get error 1040 (0: no limit)")
	c.Flags().DurationVar(&cfg.IdleTimeout, "idle-timeout", 0, "close a client idle this long, with error 4031 (0: never)")
	c.Flags().DurationVar(&cfg.ReadTimeout, "read-timeout", proxy.DefaultReadTimeout, "close a client that sent part of a packet and nothing more this long, with error 1159, rolling its transaction back (as the servers' net_read_timeout; between commands --idle-timeout applies; negative: never)")
	c.Flags().DurationVar(&cfg.LoginTimeout, "login-timeout", proxy.DefaultLoginTimeout, "close a connection that has not logged in this long after connecting (as MySQL's connect_timeout; negative: never)")
	c.Flags().IntVar(&cfg.MaxQueryBytes, "max-query-bytes", proxy.DefaultMaxQueryBytes, "refuse a statement longer than this with error 1153, before parsing it (as max_allowed_packet; negative: no limit)")
	c.Flags().IntVar(&backendMaxOpen, "backend-max-open", 0, "most connections to each backend node; clients queue past it (0: no limit; keep it under the servers' max_connections)")
	c.Flags().BoolVar(&relay, "relay", true, "copy the response to a read that goes unchanged to one node (a text statement, or a prepared statement's execution) straight to the client, byte for byte, on connections of the proxy's own (off: decode and encode its rows, as for a merged result; off too with --backend-max-open, which those connections would pass)")
	c.Flags().IntVar(&threads, "threads", 0, "threads that run statements at once, as haproxy's nbthread (0: one per core); 1 is one event loop, the least CPU per statement on a small machine")
	c.Flags().DurationVar(&cfg.DrainTimeout, "drain-timeout", proxy.DefaultDrainTimeout, "on SIGTERM, how long statements in flight may run before they are cut off")
	c.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the proxy to this file when it stops (for go tool pprof)")
	_ = c.Flags().MarkHidden("cpuprofile")
	return c
}

// followed reports on stderr that the proxy's router followed a failover in
// the topology file, or could not.
func followed(w io.Writer, err error) {
	if err != nil {
		fmt.Fprintf(w, "topology changed, not followed: %v (restart the proxy)\n", err)
		return
	}
	fmt.Fprintln(w, "topology changed: following it (new primaries, keyspaces or shards)")
}
