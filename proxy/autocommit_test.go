package proxy_test

import (
	"context"
	"testing"

	"github.com/scalelab/scalelab/proxy"
	vtmysql "vitess.io/vitess/go/mysql"
)

// TestAutocommitFlag checks that the proxy's OK packets keep the
// autocommit status flag true to what the client set, wherever autocommit
// stands in a SET, and that a user variable of that name is not it.
func TestAutocommitFlag(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	ctx := context.Background()
	c, err := vtmysql.Connect(ctx, &vtmysql.ConnParams{
		Host: f.host, Port: f.port, Uname: f.topo.User.Name, Pass: f.topo.User.Password, DbName: f.topo.DatabaseName(),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, tc := range []struct {
		query string
		on    bool
	}{
		{"SET autocommit = 0", false},
		{"SET autocommit = 1", true},
		{"SET autocommit = 0, @flag_x = 1", false},
		{"SET @flag_x = 2, SESSION autocommit = 1", true},
		{"SET @autocommit = 0", true},
		{"SET @@autocommit = 0", false},
		{"SET autocommit = 1", true},
	} {
		res, err := c.ExecuteFetch(tc.query, 10, false)
		if err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		if got := res.StatusFlags&vtmysql.ServerStatusAutocommit != 0; got != tc.on {
			t.Errorf("%s: status flag autocommit = %v, want %v", tc.query, got, tc.on)
		}
	}
}
