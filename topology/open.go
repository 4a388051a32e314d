package topology

import (
	"database/sql"
	"fmt"

	"github.com/go-sql-driver/mysql"
)

// OpenDB returns a pool of connections to the node at addr as cred, in the
// topology's database (see MySQLConfig). Statement arguments are
// interpolated on the client, as the router does. conns > 0 caps the pool
// at conns open and conns idle connections; 0 keeps database/sql's
// defaults. It does no I/O: the pool connects on first use, so a node that
// is down shows up then, with the driver's message. Close the pool when done.
func (t *Topology) OpenDB(addr string, cred Credentials, conns int) (*sql.DB, error) {
	cfg := t.MySQLConfig(addr, cred)
	cfg.InterpolateParams = true
	c, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	db := sql.OpenDB(c)
	if conns > 0 {
		db.SetMaxOpenConns(conns)
		db.SetMaxIdleConns(conns)
	}
	return db, nil
}
