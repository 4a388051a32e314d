package sandbox_test

import (
	"context"
	"database/sql"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/sandbox"
)

// TestNoOpenRoot: no node lets anyone in as root without the sandbox's
// password, over TCP or the unix socket, and no account but the sandbox's
// own (and the server's locked system accounts) exists.
func TestNoOpenRoot(t *testing.T) {
	sb := start(t, dbtest.RequireServer(t), sandbox.Config{Shards: 1, Replicas: 1, BasePort: basePortAccounts})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, n := range sb.State.Nodes {
		for _, try := range []struct {
			what string
			cfg  *mysql.Config
		}{
			{"root over TCP, no password", tcpConfig("root", "", n.Port)},
			{"root over the socket, no password", socketConfig("root", "", n.Socket)},
			{"anonymous over TCP", tcpConfig("", "", n.Port)},
		} {
			err := ping(ctx, try.cfg)
			var me *mysql.MySQLError
			if !errors.As(err, &me) || (me.Number != 1045 && me.Number != 1130 && me.Number != 1698) {
				t.Errorf("%s: %s: got %v, want access denied", n.Name, try.what, err)
			}
		}
		if err := ping(ctx, socketConfig("root", sb.State.RootPassword, n.Socket)); err != nil {
			t.Errorf("%s: root over the socket with the sandbox's password: %v", n.Name, err)
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(n.Port))
		// The application user works in its databases and reads
		// replication state, and cannot read password hashes.
		app := dbtest.Open(t, sb.Topology, addr)
		for _, q := range []string{"SELECT COUNT(*) FROM mysql.user", "SELECT COUNT(*) FROM mysql.global_priv"} {
			var c int
			err := app.QueryRowContext(ctx, q).Scan(&c)
			var me *mysql.MySQLError
			if !errors.As(err, &me) || (me.Number != 1142 && me.Number != 1044) {
				t.Errorf("%s: application user: %s: got %v, want access denied", n.Name, q, err)
			}
		}
		for _, q := range []string{"CREATE TABLE IF NOT EXISTS acct_probe (id INT PRIMARY KEY)", "SELECT @@GLOBAL.gtid_binlog_pos"} {
			if n.Role == "replica" && q[0] == 'C' {
				continue // replicas are read-only
			}
			if _, err := app.ExecContext(ctx, q); err != nil {
				t.Errorf("%s: application user: %s: %v", n.Name, q, err)
			}
		}
		admin := dbtest.OpenAdmin(t, sb.Topology, addr)
		rows, err := admin.QueryContext(ctx, "SELECT user, host FROM mysql.user")
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{
			"root@localhost": true, "mariadb.sys@localhost": true, "PUBLIC@": true,
			"mysql.sys@localhost": true, "mysql.session@localhost": true, "mysql.infoschema@localhost": true,
			sb.Topology.User.Name + "@%": true, sb.Topology.Admin.Name + "@%": true, sb.Topology.Replication.Name + "@%": true,
		}
		for rows.Next() {
			var u, h string
			if err := rows.Scan(&u, &h); err != nil {
				t.Fatal(err)
			}
			if !want[u+"@"+h] {
				t.Errorf("%s: unexpected account %s@%s", n.Name, u, h)
			}
		}
		rows.Close()
	}
}

func tcpConfig(user, pass string, port int) *mysql.Config {
	c := mysql.NewConfig()
	c.User, c.Passwd, c.Net, c.Addr = user, pass, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	c.Timeout = 5 * time.Second
	return c
}

func socketConfig(user, pass, socket string) *mysql.Config {
	c := mysql.NewConfig()
	c.User, c.Passwd, c.Net, c.Addr = user, pass, "unix", socket
	c.Timeout = 5 * time.Second
	return c
}

func ping(ctx context.Context, cfg *mysql.Config) error {
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return err
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	return db.PingContext(ctx)
}
