package sandbox

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindServerMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := findServer(context.Background(), "", nil)
	if !errors.Is(err, ErrNoServer) {
		t.Fatalf("got %v, want ErrNoServer", err)
	}
	for _, want := range []string{"apt-get install mariadb-server", "brew install mysql", "docker compose up"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestFindServerBadOverride(t *testing.T) {
	_, err := findServer(context.Background(), filepath.Join(t.TempDir(), "nope"), nil)
	if err == nil || !strings.Contains(err.Error(), EnvServer) {
		t.Fatalf("got %v, want an error naming %s", err, EnvServer)
	}
}
