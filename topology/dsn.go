package topology

import (
	"net"
	"os"
	"slices"
	"time"

	"github.com/go-sql-driver/mysql"
)

// DefaultDialTimeout bounds a connection attempt to a node.
const DefaultDialTimeout = 2 * time.Second

// MySQLConfig returns a driver config for connecting to addr as cred, in the
// topology's database. It is the only place scalelab builds connection
// settings for a node; callers adjust the copy (timeouts, interpolation).
//
// A node on this host whose shard lists its unix socket (Shard.Sockets)
// is reached through that socket while it exists, else over TCP. A socket
// costs the node less per query than TCP over loopback, whose delivery
// also runs on the node's CPU outside its cgroup's accounting: on a
// simulated machine (scalelab up --node-cpu) that is work the node's
// quota does not cover.
func (t *Topology) MySQLConfig(addr string, cred Credentials) *mysql.Config {
	cfg := mysql.NewConfig()
	cfg.User = cred.Name
	cfg.Passwd = cred.Password
	cfg.Net = "tcp"
	cfg.Addr = addr
	if sock := t.Socket(addr); sock != "" {
		cfg.Net, cfg.Addr = "unix", sock
	}
	cfg.DBName = t.DatabaseName()
	cfg.Timeout = DefaultDialTimeout
	cfg.ParseTime = true
	cfg.AllowNativePasswords = true
	return cfg
}

// Socket returns the unix socket that reaches the node at addr: the one
// its shard lists, if addr is a loopback address and the socket exists on
// this host; else "". Under netsim it is always "": the relays carry the
// clients' traffic.
func (t *Topology) Socket(addr string) string {
	if t.Netsim != nil {
		return ""
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return ""
	}
	for _, s := range t.Shards {
		path, ok := s.Sockets[addr]
		if !ok || !s.has(addr) {
			continue
		}
		if fi, err := os.Stat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return path
		}
	}
	return ""
}

// has reports whether addr is one of the shard's nodes.
func (s Shard) has(addr string) bool {
	return slices.ContainsFunc(s.Addrs(), func(a Addr) bool { return a.HostPort == addr })
}

// UsesSockets reports whether any shard of t lists a socket; a nil
// topology lists none.
func (t *Topology) UsesSockets() bool {
	if t == nil {
		return false
	}
	for _, s := range t.Shards {
		if len(s.Sockets) > 0 {
			return true
		}
	}
	return false
}
