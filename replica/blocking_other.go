//go:build !linux

package replica

import (
	"context"
	"net"
)

// BlockingNet and RawNet are "tcp" where blocking sockets are not
// implemented.
const (
	BlockingNet = "tcp"
	RawNet      = "tcp"
)

// dialBlockingNet makes no connection: BlockingNet and RawNet are "tcp".
func dialBlockingNet(context.Context, string, string) (net.Conn, bool, error) {
	return nil, false, nil
}
