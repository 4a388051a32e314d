package proxy_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/proxy"
	"github.com/scalelab/scalelab/replica"
)

// TestClassifiedOnce checks that a statement a client sends through the
// proxy is classified once and parsed once, whatever its kind: the proxy
// hands it to the router's one session entry point, which decides between
// rows and counts, transaction control and session state itself.
func TestClassifiedOnce(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	db := f.open(t, func(c *mysql.Config) { c.InterpolateParams = true })
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("CREATE TABLE IF NOT EXISTS once_kv (id BIGINT PRIMARY KEY, v BIGINT)"); err != nil {
		t.Fatal(err)
	}
	// Reads go to replicas: they must have the table first.
	if err := replica.WaitCaughtUp(t.Context(), f.topo, 0); err != nil {
		t.Fatal(err)
	}
	// Each statement text is new to the router, so each is parsed: a
	// second classification would come from the cache and show only in
	// the classification count.
	tag := time.Now().UnixNano()
	for _, tc := range []struct {
		name  string
		query string
		rows  bool
	}{
		{"point read", fmt.Sprintf("SELECT v FROM once_kv WHERE id = %d", tag%1000), true},
		{"scatter read", fmt.Sprintf("SELECT COUNT(*) + %d FROM once_kv", tag), true},
		{"write", fmt.Sprintf("REPLACE INTO once_kv VALUES (%d, 1)", tag%1000), false},
		{"begin", "BEGIN", false},
		{"write in a transaction", fmt.Sprintf("UPDATE once_kv SET v = %d WHERE id = %d", tag, tag%1000), false},
		{"commit", "COMMIT", false},
		{"session state", fmt.Sprintf("SET @once = %d", tag), false},
		{"autocommit", "SET autocommit = 1", false},
		{"unparsed", fmt.Sprintf("SHOW /* %d */ STATUS LIKE 'Uptime'", tag), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := f.r.Stats()
			var err error
			if tc.rows {
				rows, qerr := db.Query(tc.query)
				if err = qerr; err == nil {
					for rows.Next() {
					}
					err = rows.Close()
				}
			} else {
				_, err = db.Exec(tc.query)
			}
			if err != nil {
				t.Fatal(err)
			}
			after := f.r.Stats()
			classified, parsed := after.Classified-before.Classified, after.Parsed-before.Parsed
			if classified != 1 || parsed > 1 {
				t.Errorf("%q: classified %d times, parsed %d times; want 1 and at most 1", tc.query, classified, parsed)
			}
		})
	}
}
