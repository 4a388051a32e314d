// Command scalelab starts MySQL/MariaDB topologies on one machine, routes SQL
// over them, and measures what each scaling technique buys.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"syscall"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/netsim"
)

// Build information, set with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	// A sandbox's netsim relays run as this program.
	netsim.ServeIfAsked()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The driver logs a connection it drops (a node killed by chaos or a
	// failover) to stderr; the command reports what matters itself.
	_ = mysql.SetLogger(log.New(io.Discard, "", 0))
	cmd := newRootCmd()
	cmd.SetArgs(nodeArgsLast(os.Args[1:]))
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "scalelab:", err)
	var ue *usageError
	var ie *interruptedError
	switch {
	case errors.As(err, &ue):
		os.Exit(2)
	case errors.As(err, &ie):
		os.Exit(130)
	}
	os.Exit(1)
}

// nodeName matches a node name that starts with a dash, as the nodes of
// shard -80 do (-80/replica-1): the flag parser would read it as flags.
var nodeName = regexp.MustCompile(`^-[0-9a-fA-F]*/(primary|replica-[0-9]+)$`)

// nodeFlags are the flags whose value is a node name.
var nodeFlags = []string{"--node", "--to", "--rejoin"}

// nodeArgsLast moves such node names after a "--", keeping their order
// after the other arguments, so that scalelab stop -80/replica-1 and
// scalelab chaos lag -80/replica-1 --delay 3s work as written.
func nodeArgsLast(args []string) []string {
	if slices.Contains(args, "--") {
		return args
	}
	var rest, nodes []string
	for i, a := range args {
		// The value of a flag that names a node stays where it is: the
		// parser takes the word after the flag whatever it starts with.
		if nodeName.MatchString(a) && (i == 0 || !slices.Contains(nodeFlags, args[i-1])) {
			nodes = append(nodes, a)
		} else {
			rest = append(rest, a)
		}
	}
	if len(nodes) == 0 {
		return args
	}
	return append(append(rest, "--"), nodes...)
}
