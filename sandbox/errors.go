package sandbox

import (
	"errors"
	"fmt"
)

var (
	// ErrNoServer means no server binary was found.
	ErrNoServer = errors.New("sandbox: no mariadbd or mysqld on PATH: install one (apt-get install mariadb-server, or brew install mysql), set SCALELAB_MYSQLD to a server binary, or run docker compose up and pass --topology docker/topology.yaml")
	// ErrRunning means the sandbox dir already has running nodes.
	ErrRunning = errors.New("sandbox: already running")
	// ErrNotFound means the dir holds no sandbox state.
	ErrNotFound = errors.New("sandbox: no sandbox here")
)

// PortInUseError reports a port that another process already listens on.
type PortInUseError struct {
	Port int
	Err  error
}

func (e *PortInUseError) Error() string {
	return fmt.Sprintf("sandbox: port %d on 127.0.0.1 is already in use: stop whatever listens there or pick another --base-port", e.Port)
}

func (e *PortInUseError) Unwrap() error { return e.Err }

// NodeError wraps a failure of one node with its name and error log.
type NodeError struct {
	Node string
	Log  string // path of the node's error log
	Err  error
}

func (e *NodeError) Error() string {
	return fmt.Sprintf("sandbox: node %s: %v (see %s)", e.Node, e.Err, e.Log)
}

func (e *NodeError) Unwrap() error { return e.Err }
