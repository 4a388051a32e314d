package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ClientFile is the client defaults file of a sandbox, in its dir: the
// application user's name, password and database, so that a mariadb or
// mysql command line that connects needs no password on it, and that
// command line keeps comments, so hints reach the proxy.
const ClientFile = "client.cnf"

// ClientDefaults writes the sandbox's client defaults file (mode 0600)
// when it is missing or out of date, and returns its path. Connect to a
// node with: mariadb --defaults-file=PATH -P PORT.
func (s *Sandbox) ClientDefaults() (string, error) {
	if s.Topology == nil {
		return "", fmt.Errorf("sandbox: %s has no topology", s.Dir)
	}
	t := s.Topology
	quote := func(v string) string { return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"` }
	// [mysql] is read by the mariadb and mysql command lines alone: they
	// strip comments, and with them the proxy's consistency hints
	// (/*+ scalelab_consistency=… */), unless told to keep them.
	body := fmt.Sprintf("# written by scalelab for the sandbox in this dir\n[client]\nhost=127.0.0.1\nuser=%s\npassword=%s\ndatabase=%s\n\n[mysql]\ncomments\n",
		quote(t.User.Name), quote(t.User.Password), quote(t.DatabaseName()))
	path := filepath.Join(s.Dir, ClientFile)
	if b, err := os.ReadFile(path); err == nil && string(b) == body {
		return path, nil
	}
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		return "", fmt.Errorf("sandbox: client defaults: %w", err)
	}
	return path, nil
}
