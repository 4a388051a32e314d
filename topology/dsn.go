package topology

import (
	"time"

	"github.com/go-sql-driver/mysql"
)

// DefaultDialTimeout bounds a connection attempt to a node.
const DefaultDialTimeout = 2 * time.Second

// MySQLConfig returns a driver config for connecting to addr as cred, in the
// topology's database. It is the only place scalelab builds connection
// settings for a node; callers adjust the copy (timeouts, interpolation).
func (t *Topology) MySQLConfig(addr string, cred Credentials) *mysql.Config {
	cfg := mysql.NewConfig()
	cfg.User = cred.Name
	cfg.Passwd = cred.Password
	cfg.Net = "tcp"
	cfg.Addr = addr
	cfg.DBName = t.DatabaseName()
	cfg.Timeout = DefaultDialTimeout
	cfg.ParseTime = true
	cfg.AllowNativePasswords = true
	return cfg
}
