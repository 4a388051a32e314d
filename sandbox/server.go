package sandbox

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/scalelab/scalelab/flavor"
)

// EnvServer names the environment variable that overrides the server binary.
const EnvServer = "SCALELAB_MYSQLD"

// Server is a server binary with its detected flavor and version.
type Server struct {
	Path    string
	Flavor  flavor.Flavor
	Version flavor.Version
}

// FindServer locates the server binary: $SCALELAB_MYSQLD, else mariadbd,
// else mysqld on PATH. It runs --version to detect the flavor. When nothing
// is found the error is ErrNoServer, which says how to install one.
func FindServer(ctx context.Context) (Server, error) {
	return findServer(ctx, os.Getenv(EnvServer), sbinDirs)
}

// sbinDirs are searched after PATH: Debian installs mariadbd in /usr/sbin,
// which a non-root PATH often lacks.
var sbinDirs = []string{"/usr/sbin", "/usr/local/sbin", "/usr/local/mysql/bin"}

func findServer(ctx context.Context, override string, extraDirs []string) (Server, error) {
	path := override
	if path != "" {
		if st, err := os.Stat(path); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			return Server{}, fmt.Errorf("sandbox: %s=%s is not an executable server binary: point it at mariadbd or mysqld, or unset it", EnvServer, path)
		}
	} else {
		for _, name := range []string{"mariadbd", "mysqld"} {
			if p, err := lookPath(name, extraDirs); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		return Server{}, ErrNoServer
	}
	out, err := exec.CommandContext(ctx, path, "--no-defaults", "--version").CombinedOutput()
	if err != nil {
		return Server{}, fmt.Errorf("sandbox: run %s --version: %v: %s", path, err, strings.TrimSpace(string(out)))
	}
	f, v, err := flavor.Detect(string(out))
	if err != nil {
		return Server{}, fmt.Errorf("sandbox: %s: %w", path, err)
	}
	return Server{Path: path, Flavor: f, Version: v}, nil
}

// lookPath is exec.LookPath that also tries extraDirs.
func lookPath(name string, extraDirs []string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range extraDirs {
		p := dir + "/" + name
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}
