// Command scalelab starts MySQL/MariaDB topologies on one machine, routes SQL
// over them, and measures what each scaling technique buys.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/scalelab/scalelab/netsim"
)

// Build information, set with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	// A sandbox's netsim relays run as this program.
	netsim.ServeIfAsked()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd := newRootCmd()
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "scalelab:", err)
	var ue *usageError
	if errors.As(err, &ue) {
		os.Exit(2)
	}
	os.Exit(1)
}
