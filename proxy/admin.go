package proxy

import (
	"encoding/binary"
	"fmt"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/scalelab/scalelab/internal/wire"
	"vitess.io/vitess/go/mysql/sqlerror"
)

// The commands of the protocol that clients send for a server's own
// business, which the protocol library answers "not implemented":
//
//   - COM_PROCESS_KILL N is KILL CONNECTION N (see kill.go): PHP's
//     mysqli::kill sends it, where libmariadb sends the statement.
//   - COM_STATISTICS is answered with the proxy's own figures, in the
//     server's form of one line: its uptime, the client connections open,
//     the statements it has answered and their mean rate. `mysqladmin
//     status`, the mariadb client's status command and mysqli::stat ask
//     for it. The figures are the proxy's, not a node's: the client talks
//     to the proxy, and a node's would count other clients' statements.

const (
	comStatistics  = 0x09
	comProcessKill = 0x0c
)

// processKill answers COM_PROCESS_KILL (payload p, the command byte
// included) as KILL CONNECTION of its id.
func (c *clientConn) processKill(p []byte) error {
	if len(p) < 5 {
		return c.writeError(sqlerror.NewSQLError(sqlerror.ERUnknownComError, sqlerror.SSNetError, "Unknown command"), 1)
	}
	s := c.l.s
	id := binary.LittleEndian.Uint32(p[1:])
	if err := (&handler{s: s, env: s.env}).kill(c.vc, fmt.Sprintf("KILL CONNECTION %d", id)); err != nil {
		return c.writeError(toSQLError(err), 1)
	}
	_, err := c.Write(okPacket(c.vc.StatusFlags, 1))
	return err
}

// statistics answers COM_STATISTICS: a packet of one line of text, as the
// server's, with no OK or error header.
func (c *clientConn) statistics() error {
	line := c.l.s.statisticsLine()
	b := append(make([]byte, 4, 4+len(line)), line...)
	wire.PutHeader(b, len(line), 1)
	_, err := c.Write(b)
	return err
}

// statisticsLine is the proxy's line for COM_STATISTICS.
func (s *Server) statisticsLine() string {
	up := time.Since(s.startedAt)
	secs := max(int64(up/time.Second), 1)
	q := s.statements()
	return fmt.Sprintf("Uptime: %d  Threads: %d  Questions: %d  Queries per second avg: %.3f",
		secs, s.Connections(), q, float64(q)/up.Seconds())
}

// statements is how many statements the proxy has answered: the samples
// of its latency histogram, which every statement is observed in, relayed
// or not.
func (s *Server) statements() uint64 {
	var n uint64
	for _, obs := range s.metrics.byKind {
		h, ok := obs.(interface{ Write(*dto.Metric) error })
		if !ok {
			continue
		}
		var m dto.Metric
		if h.Write(&m) == nil && m.Histogram != nil {
			n += m.Histogram.GetSampleCount()
		}
	}
	return n
}

// adminCommand reports whether the command byte cmd is one the proxy
// answers in place of the protocol library (see above).
func adminCommand(cmd byte) bool { return cmd == comStatistics || cmd == comProcessKill }
