package proxy_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scalelab/scalelab/internal/dbtest"
	"github.com/scalelab/scalelab/proxy"
)

var updateMatrix = flag.Bool("update-matrix", false, "rewrite the client matrix in the README from this run")

// matrixChecks are the checks every client program runs, in order (see
// testdata/clients).
var matrixChecks = []string{"auth", "types", "shard_key", "scatter", "transaction", "server_error", "refused_shape", "procedure"}

// matrixClients are the clients of the compatibility matrix: a program
// each, run by the interpreter of its language, and the Debian package
// that provides the library (for Node.js, the npm package, which
// testdata/clients/node/package.json pins and .ci/run installs). cmd is the command line, run in this
// package's directory: the interpreter, its own options, the program in
// testdata/clients and the program's arguments.
var matrixClients = []struct {
	name, pkg string
	cmd       []string
}{
	{"Python PyMySQL", "python3-pymysql", []string{"/usr/bin/python3", "testdata/clients/dbapi.py", "pymysql"}},
	{"Python mysqlclient", "python3-mysqldb", []string{"/usr/bin/python3", "testdata/clients/dbapi.py", "mysqldb"}},
	{"PHP mysqli", "php-mysql", []string{"php", "testdata/clients/php.php", "mysqli"}},
	{"PHP PDO", "php-mysql", []string{"php", "testdata/clients/php.php", "pdo"}},
	{"Ruby mysql2", "ruby-mysql2", []string{"ruby", "testdata/clients/mysql2.rb"}},
	{"Perl DBD::MariaDB", "libdbd-mariadb-perl", []string{"perl", "testdata/clients/dbd.pl"}},
	{"Java MariaDB Connector/J", "libmariadb-java", []string{"java", "-cp", connectorJ, "testdata/clients/Matrix.java", "text"}},
	{"Java MariaDB Connector/J, useServerPrepStmts", "libmariadb-java", []string{"java", "-cp", connectorJ, "testdata/clients/Matrix.java", "server-prepare"}},
	{"Node.js mysql2, query", "npm mysql2", []string{"node", "testdata/clients/node/matrix.js", "query"}},
	{"Node.js mysql2, execute", "npm mysql2", []string{"node", "testdata/clients/node/matrix.js", "execute"}},
}

// connectorJ is MariaDB Connector/J's jar by the name Debian's
// libmariadb-java gives it in every version. java runs Matrix.java from
// source (Java 11 and later), so there is nothing to build.
const connectorJ = "/usr/share/java/mariadb-java-client.jar"

// TestClientMatrix runs a real program per client library through the
// proxy: login, parameters of every common type (text and binary
// protocol, as each library sends them), a shard key in the library's own
// type, a scatter aggregate and ORDER BY … LIMIT, a transaction, a server
// error, a refused shape and a procedure with two result sets. The table
// of results is the README's; -update-matrix writes it there.
func TestClientMatrix(t *testing.T) {
	f := startProxy(t, proxy.Config{}, quiet())
	db := f.open(t, nil)
	ctx := context.Background()
	for _, q := range []string{
		"DROP TABLE IF EXISTS clientmatrix",
		"CREATE TABLE clientmatrix (id BIGINT PRIMARY KEY, i INT NULL, f DOUBLE NULL, d DECIMAL(10,2) NULL, s VARCHAR(40) NULL, n INT NULL, dt DATE NULL, b BLOB NULL)",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, s := range f.topo.Shards {
		admin := dbtest.OpenAdmin(t, f.topo, s.Primary.HostPort)
		for _, q := range []string{"DROP PROCEDURE IF EXISTS two", "CREATE PROCEDURE two() BEGIN SELECT 1 AS a; SELECT 2 AS b; END"} {
			if _, err := admin.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	require := os.Getenv(dbtest.EnvRequire) != ""
	var rows []string
	for i, c := range matrixClients {
		out, err := runClient(t, f, c.cmd, 1000*(i+1))
		if err != nil {
			if require {
				t.Errorf("%s (Debian package %s): %v", c.name, c.pkg, err)
			} else {
				t.Logf("%s: %v (skipped)", c.name, err)
			}
			continue
		}
		version, results := parseClient(out)
		row := []string{c.name, c.pkg + " " + version}
		for _, check := range matrixChecks {
			res, ok := results[check]
			switch {
			case !ok:
				t.Errorf("%s: check %s did not run:\n%s", c.name, check, out)
				row = append(row, "not run")
			case res != "":
				t.Errorf("%s: %s: %s", c.name, check, res)
				row = append(row, "FAIL")
			default:
				row = append(row, "ok")
			}
		}
		rows = append(rows, "| "+strings.Join(row, " | ")+" |")
	}
	if len(rows) != len(matrixClients) {
		return // some client could not run: the README keeps its table
	}
	table := "| client | library | " + strings.Join(matrixChecks, " | ") + " |\n|" + strings.Repeat("---|", len(matrixChecks)+2) + "\n" + strings.Join(rows, "\n") + "\n"
	checkReadmeMatrix(t, table)
}

// runClient runs one client program against the proxy and returns its
// output; an error when its interpreter or library is missing.
func runClient(t *testing.T, f *fixture, cmd []string, base int) (string, error) {
	if _, err := exec.LookPath(cmd[0]); err != nil {
		return "", fmt.Errorf("%s is not installed", cmd[0])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := exec.CommandContext(ctx, cmd[0], cmd[1:]...)
	c.Env = append(os.Environ(), "SL_HOST="+f.host, "SL_PORT="+strconv.Itoa(f.port), "SL_USER="+f.topo.User.Name,
		"SL_PASSWORD="+f.topo.User.Password, "SL_DB="+f.topo.DatabaseName(), "SL_BASE="+strconv.Itoa(base))
	out, err := c.CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "version ") {
		return "", fmt.Errorf("the program did not run: %v\n%s", err, out)
	}
	return string(out), nil
}

// parseClient reads a client program's output: its version, and for each
// check "" when it passed, else why it failed.
func parseClient(out string) (string, map[string]string) {
	version := ""
	results := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		switch f := strings.Fields(line); {
		case len(f) >= 2 && f[0] == "version":
			version = strings.Join(f[1:], " ")
		case len(f) == 2 && f[0] == "ok":
			results[f[1]] = ""
		case len(f) >= 2 && f[0] == "fail":
			name, why, _ := strings.Cut(strings.TrimPrefix(line, "fail "), ": ")
			results[name] = why
		}
	}
	return version, results
}

const matrixStart, matrixEnd = "<!-- client-matrix: written by TestClientMatrix -->\n", "<!-- end client-matrix -->"

// checkReadmeMatrix compares table with the README's client matrix, or
// writes it there with -update-matrix.
func checkReadmeMatrix(t *testing.T, table string) {
	path := filepath.Join("..", "README.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	i, j := strings.Index(readme, matrixStart), strings.Index(readme, matrixEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md has no client matrix between %q and %q", strings.TrimSpace(matrixStart), matrixEnd)
	}
	if readme[i+len(matrixStart):j] == table {
		return
	}
	if *updateMatrix {
		if err := os.WriteFile(path, []byte(readme[:i+len(matrixStart)]+table+readme[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the README's client matrix is not this run's; run go test ./proxy -run TestClientMatrix -args -update-matrix\n%s", table)
}
