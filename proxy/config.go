package proxy

import (
	"errors"
	"fmt"
	"net"
	"time"
)

// Defaults for Config fields.
const (
	DefaultListen        = "127.0.0.1:6033"
	DefaultMetrics       = "127.0.0.1:9104"
	DefaultDrainTimeout  = 30 * time.Second
	DefaultServerVersion = "8.0.40-scalelab"
	// DefaultRowBatch is how many bytes of row data the proxy collects
	// before it hands them to the client connection; results stream in
	// batches of this size, so a large result is never held whole.
	DefaultRowBatch = 16 << 10
	// DefaultLoginTimeout bounds the handshake, as MySQL's connect_timeout.
	DefaultLoginTimeout = 10 * time.Second
	// DefaultReadTimeout bounds the wait for the rest of a packet a
	// client has begun, as the servers' net_read_timeout.
	DefaultReadTimeout = 30 * time.Second
	// DefaultMaxQueryBytes bounds one statement's text, as MySQL's
	// max_allowed_packet does. Parsing costs about a hundred times the
	// text in memory, so it is below the server's 16 MiB.
	DefaultMaxQueryBytes = 4 << 20
)

// ErrNoUsers is returned by New when Config.Users is empty.
var ErrNoUsers = errors.New("proxy: no users: pass the topology's application user or --user/--password")

// Config tunes a Server. New copies it; later changes have no effect.
type Config struct {
	// Listen is the MySQL protocol address. Empty means DefaultListen;
	// "127.0.0.1:0" picks a free port (see Server.Addr).
	Listen string
	// Metrics is the address of the Prometheus /metrics endpoint. Empty
	// means DefaultMetrics; "-" turns the endpoint off.
	Metrics string
	// Users maps a user name to its password. Clients log in with
	// mysql_native_password or caching_sha2_password. At least one user
	// is required.
	Users map[string]string
	// MaxConnections bounds open client connections; a client past the
	// limit gets error 1040 (Too many connections) and is closed. Zero
	// means no limit.
	MaxConnections int
	// LoginTimeout closes a connection that has not logged in this long
	// after it connected, so that silent sockets cannot hold the
	// MaxConnections slots. Zero means DefaultLoginTimeout (10s); negative
	// means never.
	LoginTimeout time.Duration
	// MaxQueryBytes bounds the text of one statement; a longer one gets
	// error 1153 (ER_NET_PACKET_TOO_LARGE) before it is parsed. Zero means
	// DefaultMaxQueryBytes (4 MiB); negative means no limit.
	MaxQueryBytes int
	// IdleTimeout closes a client connection that has sent nothing for
	// this long, with error 4031, as MySQL's wait_timeout does. Zero means
	// never.
	IdleTimeout time.Duration
	// ReadTimeout closes a client connection that has sent part of a
	// packet and then nothing more for this long, with error 1159, as a
	// server's net_read_timeout does; its session ends, so its
	// transaction rolls back and its locks go. It applies only after
	// login (LoginTimeout bounds the handshake), while a packet is partly
	// read; IdleTimeout applies there too, the sooner of the two, and
	// alone between commands. Zero means DefaultReadTimeout (30s);
	// negative means never.
	ReadTimeout time.Duration
	// DrainTimeout bounds Shutdown when its context has no deadline. Zero
	// means DefaultDrainTimeout.
	DrainTimeout time.Duration
	// ServerVersion is the version string clients see. Empty means
	// DefaultServerVersion; it must start with a MySQL version number.
	ServerVersion string
	// RowBatch is how many bytes of rows are sent to the client at a time.
	// Zero means DefaultRowBatch.
	RowBatch int
	// NoRelay turns the relay off: every statement's rows are decoded
	// from the backend and encoded again for the client, as scatter
	// results always are. With the relay on, a read that goes unchanged
	// to one node (a text statement, or a prepared statement's execution,
	// routed by its parameters), from a client without session state, is
	// copied to the client byte for byte. The relay is off too when the
	// nodes' pools are capped (replica.PoolConfig.MaxOpen) or keep no idle
	// connections.
	NoRelay bool
	// Logf receives one line per notable event (rejected connection, idle
	// close, drain). Nil means no logging.
	Logf func(format string, args ...any)
}

func (c Config) withDefaults() (Config, error) {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.Metrics == "" {
		c.Metrics = DefaultMetrics
	}
	if len(c.Users) == 0 {
		return c, ErrNoUsers
	}
	users := make(map[string]string, len(c.Users))
	for u, p := range c.Users {
		if u == "" {
			return c, errors.New("proxy: a user name is empty")
		}
		users[u] = p
	}
	c.Users = users
	if c.MaxConnections < 0 {
		return c, fmt.Errorf("proxy: max connections %d: want 0 (no limit) or more", c.MaxConnections)
	}
	switch {
	case c.LoginTimeout == 0:
		c.LoginTimeout = DefaultLoginTimeout
	case c.LoginTimeout < 0:
		c.LoginTimeout = 0 // never
	}
	switch {
	case c.MaxQueryBytes == 0:
		c.MaxQueryBytes = DefaultMaxQueryBytes
	case c.MaxQueryBytes < 0:
		c.MaxQueryBytes = 0 // no limit
	}
	switch {
	case c.ReadTimeout == 0:
		c.ReadTimeout = DefaultReadTimeout
	case c.ReadTimeout < 0:
		c.ReadTimeout = 0 // never
	}
	if c.IdleTimeout < 0 {
		return c, fmt.Errorf("proxy: idle timeout %v: want 0 (never) or more", c.IdleTimeout)
	}
	if c.DrainTimeout <= 0 {
		c.DrainTimeout = DefaultDrainTimeout
	}
	if c.ServerVersion == "" {
		c.ServerVersion = DefaultServerVersion
	}
	if c.RowBatch <= 0 {
		c.RowBatch = DefaultRowBatch
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
	for _, a := range []struct{ name, addr string }{{"listen", c.Listen}, {"metrics", c.Metrics}} {
		if a.name == "metrics" && a.addr == "-" {
			continue
		}
		if _, _, err := net.SplitHostPort(a.addr); err != nil {
			return c, fmt.Errorf("proxy: %s address %q: want host:port", a.name, a.addr)
		}
	}
	return c, nil
}
