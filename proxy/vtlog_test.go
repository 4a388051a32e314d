package proxy_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/proxy"
)

// TestFailedLoginLogsOneLine: a failed login is logged as one plain line
// through Logf, not as the protocol library's JSON with a source path.
func TestFailedLoginLogsOneLine(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	f := startProxy(t, proxy.Config{Logf: func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, fmt.Sprintf(format, args...))
	}}, quiet())
	db := f.open(t, func(c *mysql.Config) { c.Passwd = "wrong" })
	if err := db.Ping(); err == nil {
		t.Fatal("a wrong password logged in")
	}
	mu.Lock()
	defer mu.Unlock()
	found := false
	for _, l := range lines {
		if strings.ContainsAny(l, "{}") || strings.Contains(l, ".go:") || strings.Contains(l, "\n") {
			t.Errorf("log line %q is not one plain line", l)
		}
		found = found || strings.Contains(l, "authenticating user "+f.topo.User.Name)
	}
	if !found {
		t.Errorf("no line names the failed login: %q", lines)
	}
}
