package proxy

import (
	"context"
	"time"

	"github.com/scalelab/scalelab/replica"
)

// The collation of the greeting. A server's greeting names its default
// collation (collation_server), and a client that is told no character
// set of its own logs in with that one: PHP's mysqlnd, and PDO. The
// protocol library's greeting names 255, MySQL 8's utf8mb4_0900_ai_ci,
// whatever the nodes: MariaDB does not know it and gives such a login its
// default set (latin1 on a server of no configuration), so the session
// was the server's, but the client believed it utf8mb4
// (mysqli::character_set_name) and escaped its strings for it. The proxy
// asks the nodes for their collation_server when it starts, and names it
// in the greetings that follow; until one answers, the library's 255.

// greetingRetry is how often the nodes are asked again for their
// collation while none has answered.
const greetingRetry = 2 * time.Second

// greetingQuery is a node's default collation's id.
const greetingQuery = `SELECT ID FROM information_schema.COLLATIONS WHERE COLLATION_NAME = @@GLOBAL.collation_server`

// learnGreeting asks the nodes for their default collation until one
// answers, or ctx ends. One above 255, which a greeting cannot name
// (MariaDB 11's utf8mb4_uca1400_ai_ci), leaves the library's.
func (s *Server) learnGreeting(ctx context.Context) {
	for {
		id, failed, _ := askNodes(ctx, s.r.NodesHealthyFirst(), func(ctx context.Context, n *replica.Node) (int, error) {
			var id int
			err := n.DB.QueryRowContext(ctx, greetingQuery).Scan(&id)
			return id, err
		})
		if failed == nil {
			if id > 0 && id <= 0xff {
				s.greetColl.Store(uint32(id))
			}
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(greetingRetry):
		}
	}
}

// greeting returns a copy of the greeting packet p (header included)
// that names the nodes' collation, and true, once it is known; p and
// false otherwise, and when p is no protocol 10 greeting.
func (s *Server) greeting(p []byte) ([]byte, bool) {
	coll := s.greetColl.Load()
	if coll == 0 || len(p) < 5 || p[4] != 10 {
		return p, false
	}
	// The protocol version, the server version up to its NUL, the
	// connection id, the first 8 bytes of the scramble, a filler and
	// the lower capability flags come before the collation.
	at := 5
	for at < len(p) && p[at] != 0 {
		at++
	}
	at += 1 + 4 + 8 + 1 + 2
	if at >= len(p) || int(p[0])|int(p[1])<<8|int(p[2])<<16 != len(p)-4 {
		return p, false
	}
	own := append([]byte(nil), p...)
	own[at] = byte(coll)
	return own, true
}
