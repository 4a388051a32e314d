package bench

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/scalelab/scalelab/internal/wire"
	"github.com/scalelab/scalelab/replica"
)

// scalelab's own protocol loop. A direct target's clients send their
// queries and read the replies on the connection's socket themselves, as a
// C client such as sysbench does, instead of through go-sql-driver. The
// driver still connects and logs in; the loop takes the socket over for a
// client's run and gives it back in the state the driver left it in. Per
// query it builds one packet in a buffer it keeps (the values rendered
// straight into it), makes one write, reads the reply into a buffer it keeps
// and steps over the rows without decoding them: no allocation and no
// interface call per row. The driver's path allocated a rows object, a
// column list, an argument list and the rendered text per query.

// Pool is a direct target: a *sql.DB whose connections a run can also
// drive with scalelab's own protocol loop (TargetConfig.Driver turns it
// off). OpenTarget returns one for a server.
type Pool struct {
	*sql.DB
	// lean dialed the pool's connections, so that a run can find each
	// client's socket: to drive it with the protocol loop (unless
	// lean.driverOnly), and to cut it off when the run is cancelled. Nil
	// when the DSN brought its own dialer.
	lean *leanSockets
}

// Loops is how many client runs the protocol loop has driven on the
// pool's connections so far: one a client a level and iteration. A client
// whose connection it cannot drive (TLS, compression) goes through the
// driver, and is not counted.
func (p *Pool) Loops() int64 {
	if p.lean == nil || p.lean.driverOnly {
		return 0
	}
	return p.lean.loops.Load()
}

// leanSockets are the connections a Pool dialed, as a client claims them:
// the driver does not say which socket a connection of its own uses, so a
// client sends a query with a token through the driver, and the socket
// that sees the token go out is that client's.
type leanSockets struct {
	// readTimeout and writeTimeout are the DSN's: the loop bounds each
	// read and write by them, as the driver does.
	readTimeout, writeTimeout time.Duration
	// driverOnly: the queries go through the driver (TargetConfig.Driver,
	// or DSN options the loop does not follow); the sockets are watched
	// only to be cut off.
	driverOnly bool
	next       atomic.Uint64
	loops      atomic.Int64 // claims that succeeded
	claims     atomic.Int32 // claims in flight: while above 0, sockets look at what they write
	mu         sync.Mutex
	claimed    map[uint64]*leanSocket
}

// claimPrefix starts a claim query: claimPrefix, the token, "*/".
const claimPrefix = "SELECT 1 /*scalelab-bench-claim:"

// dial is the driver's DialFunc: the connection the driver would make,
// watched.
func (ls *leanSockets) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := replica.Dial(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	s := &leanSocket{Conn: c, owner: ls}
	if _, ok := c.(syscall.Conn); ok {
		// The driver checks a pooled connection's descriptor before
		// handing it out, and replaces one the server has closed.
		return leanSysSocket{s}, nil
	}
	return s, nil
}

// leanSysSocket is a leanSocket over a connection with a descriptor.
type leanSysSocket struct{ *leanSocket }

func (s leanSysSocket) SyscallConn() (syscall.RawConn, error) {
	return s.Conn.(syscall.Conn).SyscallConn()
}

// claim finds the socket under the driver connection q, and returns it
// with a leanConn that drives it, or with a nil leanConn when the loop
// cannot or must not drive it: the pool is driverOnly, or the handshake
// turned on TLS or compression. The socket is nil for a connection it did
// not dial.
func (ls *leanSockets) claim(ctx context.Context, q driver.QueryerContext) (*leanSocket, *leanConn) {
	token := ls.next.Add(1)
	ls.claims.Add(1)
	rows, err := q.QueryContext(ctx, claimPrefix+strconv.FormatUint(token, 10)+"*/", nil)
	ls.claims.Add(-1)
	if err == nil {
		_, err = drainRows(rows, nil)
	}
	ls.mu.Lock()
	s := ls.claimed[token]
	delete(ls.claimed, token)
	ls.mu.Unlock()
	if err != nil || s == nil {
		return nil, nil
	}
	if ls.driverOnly || s.sniff != sniffDone {
		return s, nil
	}
	caps, ext := s.serverCaps&s.clientCaps, s.serverExt&s.clientExt
	if caps&capProtocol41 == 0 || caps&capsNotFollowed != 0 || ext&^extCacheMetadata != 0 {
		return s, nil
	}
	// The driver set deadlines for its own reads and writes; the loop
	// sets its own, if any.
	if err := s.Conn.SetDeadline(time.Time{}); err != nil {
		return s, nil
	}
	ls.loops.Add(1)
	return s, &leanConn{readTimeout: ls.readTimeout, writeTimeout: ls.writeTimeout, sock: s, eofs: caps&capDeprecateEOF == 0, cachedMeta: s.serverExt&s.clientExt&extCacheMetadata != 0, in: make([]byte, leanBuffer), out: make([]byte, 4, 256)}
}

// Capability flags of the handshake that the loop looks at.
const (
	capCompress     = 0x20
	capProtocol41   = 0x200
	capSSL          = 0x800
	capDeprecateEOF = 0x1000000
	// capsNotFollowed change the framing in ways the loop does not
	// follow: TLS, compression, optional result metadata (MySQL), query
	// attributes (MySQL). A connection with any of them goes through the
	// driver.
	capsNotFollowed = capSSL | capCompress | 1<<25 | 1<<27
	// extCacheMetadata (MariaDB) lets a server leave out a result's
	// column definitions when they have not changed since the statement's
	// last execution; the column count packet then says whether they
	// follow. It is the only one of MariaDB's extended capabilities the
	// loop follows (progress reports, bulk operations and the others send
	// the driver's way).
	extCacheMetadata = 0x10
)

// Where a socket is in reading its handshake.
const (
	sniffGreeting = iota // the server's first packet is coming
	sniffResponse        // the client's answer is coming
	sniffDone            // both sides' capabilities are known
	sniffFailed          // the handshake was not one the loop knows
)

// leanSocket is a connection as the driver sees it: it reads the
// capabilities of both sides as the handshake passes, and the claim
// queries as they go out.
type leanSocket struct {
	net.Conn
	owner                  *leanSockets
	sniff                  int
	hello                  []byte // the server's greeting, until it is whole
	serverCaps, clientCaps uint32
	serverExt, clientExt   uint32      // MariaDB's extended capabilities
	mu                     sync.Mutex  // guards closed, and the descriptor against cutOff after Close
	closed                 bool        // Close ran
	cut                    atomic.Bool // the loop cut it off, mid-reply
	// stmts and driverStmts are the statements prepared on the
	// connection, by text, by the protocol loop and through the driver:
	// they stay prepared for the next run of a client on it, and the
	// server frees them when the connection closes. Only the client that
	// holds the connection touches them.
	stmts       map[string]leanStmt
	driverStmts map[string]driver.Stmt
}

func (s *leanSocket) Read(b []byte) (int, error) {
	n, err := s.Conn.Read(b)
	if s.sniff == sniffGreeting && n > 0 {
		s.greeting(b[:n])
	}
	return n, err
}

// greeting collects the server's greeting and reads its capabilities.
func (s *leanSocket) greeting(b []byte) {
	s.hello = append(s.hello, b...)
	if len(s.hello) < 4 {
		return
	}
	n := int(s.hello[0]) | int(s.hello[1])<<8 | int(s.hello[2])<<16
	if len(s.hello) < 4+n {
		return
	}
	h, err := wire.ParseHandshake(s.hello[4 : 4+n])
	s.hello, s.sniff = nil, sniffFailed
	if err != nil {
		return
	}
	s.serverCaps, s.serverExt = h.Caps, h.ExtCaps
	s.sniff = sniffResponse
}

func (s *leanSocket) Write(b []byte) (int, error) {
	if s.cut.Load() {
		// The driver's goodbye (COM_QUIT) on a connection the loop cut:
		// there is no one to tell, and the driver would log the failure.
		return len(b), nil
	}
	switch {
	case s.sniff == sniffResponse && len(b) >= 8:
		s.clientCaps, s.sniff = binary.LittleEndian.Uint32(b[4:]), sniffDone
		// The flags, the largest packet, the collation and 19 bytes of
		// filler come before MariaDB's extended flags.
		if len(b) >= 36 && s.clientCaps&wire.CapLongPassword == 0 {
			s.clientExt = binary.LittleEndian.Uint32(b[32:])
		}
	case s.owner.claims.Load() > 0 && len(b) > 5 && b[4] == comQuery && bytes.HasPrefix(b[5:], []byte(claimPrefix)):
		rest := b[5+len(claimPrefix):]
		if end := bytes.IndexByte(rest, '*'); end > 0 {
			if token, err := strconv.ParseUint(string(rest[:end]), 10, 64); err == nil {
				s.owner.mu.Lock()
				if s.owner.claimed == nil {
					s.owner.claimed = map[uint64]*leanSocket{}
				}
				s.owner.claimed[token] = s
				s.owner.mu.Unlock()
			}
		}
	}
	return s.Conn.Write(b)
}

// cutOff ends the I/O of a cancelled query: it shuts a blocking connection
// down (its descriptor stays its own until the driver closes it, so a read
// about to start cannot land on a new connection that got the number), and
// closes any other (Go's own connections keep their descriptor until their
// last call returns).
func (s *leanSocket) cutOff() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cut.Store(true)
	if s.closed {
		return // the descriptor may be another connection's by now
	}
	if sh, ok := s.Conn.(interface{ Shutdown() error }); ok {
		sh.Shutdown()
		return
	}
	s.closed = true
	s.Conn.Close()
}

// Close closes the connection once: the loop may close it to end a
// cancelled query, and the driver closes it when it discards it.
func (s *leanSocket) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return s.Conn.Close()
}

// Commands and reply markers of the protocol.
const (
	comQuery       = 0x03
	comStmtPrepare = 0x16
	comStmtExecute = 0x17
	comStmtClose   = 0x19

	markOK     = 0x00
	markEOF    = 0xfe
	markERR    = 0xff
	markInfile = 0xfb

	typeLongLong = 0x08
)

// leanBuffer is the read buffer of a client. A packet longer than it is a
// row or a column definition (replies that end a result are far shorter),
// and is skipped without being kept.
const leanBuffer = 64 << 10

// ErrLocalInfile is a query's error for LOAD DATA LOCAL INFILE, whose file
// scalelab's protocol loop does not send: the server is told there is none.
var ErrLocalInfile = errors.New("bench: LOAD DATA LOCAL INFILE is not supported (the server was sent no file)")

// errLost wraps the error that lost a connection's protocol state: every
// later query of that client fails with it, and the connection is discarded
// after the run.
var errLost = errors.New("bench: connection lost")

// leanConn is one client's socket, driven by the protocol loop. It is not
// safe for concurrent use.
type leanConn struct {
	sock *leanSocket
	eofs bool // the server ends column definitions and rows with EOF packets (no CLIENT_DEPRECATE_EOF)
	// cachedMeta: a column count packet says whether the column
	// definitions follow (MariaDB's MARIADB_CLIENT_CACHE_METADATA).
	cachedMeta bool
	out        []byte // the packet being sent: a 4-byte header, then its payload
	in         []byte // read buffer: in[r:w] is read and not used yet
	r, w       int
	seq        byte
	ints       []int64
	stmts      []leanStmt // the client's prepared statements, by template index
	err        error      // set when the connection's state is lost
	// readTimeout and writeTimeout bound each read and write (the DSN's
	// readTimeout and writeTimeout); zero is no bound.
	readTimeout, writeTimeout time.Duration
}

// leanStmt is a server-side prepared statement; id 0 is none (the server
// numbers them from 1).
type leanStmt struct {
	id     uint32
	params int
}

// query runs template t as text, with values from rend.
func (c *leanConn) query(ctx context.Context, t *Template, rend *Renderer) error {
	if c.err != nil {
		return c.err
	}
	c.out = rend.AppendText(append(c.out[:4], comQuery), t)
	return c.roundTrip(ctx, c.results)
}

// prepare prepares template i, t, on the connection, unless it already
// is: by this client, or on this socket in an earlier run.
func (c *leanConn) prepare(ctx context.Context, i int, t *Template) error {
	if c.err != nil {
		return c.err
	}
	for len(c.stmts) <= i {
		c.stmts = append(c.stmts, leanStmt{})
	}
	if c.stmts[i].id != 0 {
		return nil
	}
	text := t.PreparedText()
	if st, ok := c.sock.stmts[text]; ok {
		c.stmts[i] = st
		return nil
	}
	c.out = append(append(c.out[:4], comStmtPrepare), text...)
	var st leanStmt
	if err := c.roundTrip(ctx, func() (err error) { st, err = c.prepared(); return err }); err != nil {
		return err
	}
	c.stmts[i] = st
	if c.sock.stmts == nil {
		c.sock.stmts = map[string]leanStmt{}
	}
	c.sock.stmts[text] = st
	return nil
}

// execute runs template i, t, as a server-side prepared statement with
// values from rend as its parameters (signed BIGINTs, as go-sql-driver
// sends an int64), with the binary protocol, as sysbench's
// --db-ps-mode=auto does. The run prepares its statements before its clock
// starts (prepare); one the server refused then is prepared here, at its
// turn, and its failure counts as the query's.
func (c *leanConn) execute(ctx context.Context, i int, t *Template, rend *Renderer) error {
	if c.err != nil {
		return c.err
	}
	if i >= len(c.stmts) || c.stmts[i].id == 0 {
		if err := c.prepare(ctx, i, t); err != nil {
			return err
		}
	}
	st := c.stmts[i]
	c.ints = rend.Ints(t, c.ints[:0])
	if len(c.ints) != st.params {
		return fmt.Errorf("bench: %d values for a prepared statement with %d parameters: %s", len(c.ints), st.params, clip(t.PreparedText()))
	}
	b := append(c.out[:4], comStmtExecute)
	b = binary.LittleEndian.AppendUint32(b, st.id)
	b = append(b, 0, 1, 0, 0, 0) // no cursor, one iteration
	if st.params > 0 {
		for range (st.params + 7) / 8 {
			b = append(b, 0) // no NULLs
		}
		b = append(b, 1) // types follow
		for range st.params {
			b = append(b, typeLongLong, 0)
		}
		for _, v := range c.ints {
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		}
	}
	c.out = b
	return c.roundTrip(ctx, c.results)
}

// finish reports whether the connection is still usable. Its prepared
// statements stay (see leanSocket.stmts).
func (c *leanConn) finish() bool {
	if c.err == nil && c.r != c.w {
		c.protocolf("%d bytes past the last reply", c.w-c.r)
	}
	c.stmts = nil
	return c.err == nil
}

// roundTrip sends c.out as a command and reads its reply with read. A
// cancellable ctx closes the connection when it ends, which ends a read
// that waits.
func (c *leanConn) roundTrip(ctx context.Context, read func() error) error {
	var stop func() bool
	if ctx.Done() != nil {
		if err := ctx.Err(); err != nil {
			return err
		}
		stop = context.AfterFunc(ctx, c.sock.cutOff)
	}
	c.seq = 0
	err := c.send()
	if err == nil {
		err = read()
	}
	if stop != nil && !stop() {
		// Cut off, before the reply ended or just after: either way the
		// connection is gone, and no more I/O may touch it.
		if lost := c.lose(ctx.Err()); err != nil {
			return lost
		}
	}
	return err
}

// send writes c.out as a command's packet, or packets when its payload is
// too long for one.
func (c *leanConn) send() error {
	n := len(c.out) - 4
	if n < wire.MaxPayload {
		wire.PutHeader(c.out, n, c.seq)
		c.seq++
		return c.write(c.out)
	}
	for p := c.out[4:]; ; {
		k := min(len(p), wire.MaxPayload)
		var h [4]byte
		wire.PutHeader(h[:], k, c.seq)
		c.seq++
		if err := c.write(h[:]); err != nil {
			return err
		}
		if err := c.write(p[:k]); err != nil {
			return err
		}
		if p = p[k:]; k < wire.MaxPayload {
			return nil
		}
	}
}

// write writes b to the socket, within writeTimeout if set. A failed or
// partial write loses the connection: the server would read the next
// command as the rest of this one.
func (c *leanConn) write(b []byte) error {
	if c.writeTimeout > 0 {
		if err := c.sock.Conn.SetWriteDeadline(time.Now().Add(c.writeTimeout)); err != nil {
			return c.lose(err)
		}
	}
	if _, err := c.sock.Conn.Write(b); err != nil {
		return c.lose(err)
	}
	return nil
}

// lose marks the connection's state as lost, for good, and returns the
// error.
func (c *leanConn) lose(err error) error {
	if c.err == nil {
		c.err = fmt.Errorf("%w: %w", errLost, err)
	}
	return c.err
}

// protocolf loses the connection to a reply the loop cannot follow.
func (c *leanConn) protocolf(format string, args ...any) error {
	return c.lose(fmt.Errorf("unexpected reply: "+format, args...))
}

// fill reads until k unused bytes are buffered.
func (c *leanConn) fill(k int) error {
	if c.w-c.r >= k {
		return nil
	}
	if c.r+k > len(c.in) {
		c.w = copy(c.in, c.in[c.r:c.w])
		c.r = 0
	}
	for c.w-c.r < k {
		if c.readTimeout > 0 {
			if err := c.sock.Conn.SetReadDeadline(time.Now().Add(c.readTimeout)); err != nil {
				return c.lose(err)
			}
		}
		n, err := c.sock.Conn.Read(c.in[c.w:])
		if err != nil {
			return c.lose(err)
		}
		c.w += n
	}
	return nil
}

// packet reads the next packet of a reply. It returns its payload, or nil
// and big set for a payload longer than the buffer, which it skips (with
// the packets that continue it).
func (c *leanConn) packet() (p []byte, big bool, err error) {
	for {
		if err := c.fill(4); err != nil {
			return nil, false, err
		}
		h := c.in[c.r : c.r+4]
		n := int(h[0]) | int(h[1])<<8 | int(h[2])<<16
		if h[3] != c.seq {
			// The server's own error, out of turn (a connection it
			// killed, or timed out): its error, and the connection lost.
			if n < 512 && c.fill(4+n) == nil && n > 3 && c.in[c.r+4] == markERR {
				return nil, false, c.lose(c.serverError(c.in[c.r+4 : c.r+4+n]))
			}
			return nil, false, c.protocolf("packet %d where %d was due", h[3], c.seq)
		}
		c.seq++
		c.r += 4
		if n <= len(c.in) && !big {
			if err := c.fill(n); err != nil {
				return nil, false, err
			}
			p, c.r = c.in[c.r:c.r+n], c.r+n
			if n < wire.MaxPayload {
				return p, false, nil
			}
		} else if err := c.skip(n); err != nil {
			return nil, false, err
		}
		big = true
		if n < wire.MaxPayload {
			return nil, true, nil
		}
	}
}

// skip reads n bytes and drops them.
func (c *leanConn) skip(n int) error {
	for n > 0 {
		if c.r == c.w {
			c.r, c.w = 0, 0
			if err := c.fill(1); err != nil {
				return err
			}
		}
		k := min(n, c.w-c.r)
		c.r += k
		n -= k
	}
	return nil
}

// results reads a command's reply to its end: every result set, each
// row stepped over, as mysqlslap times a query until its last row.
func (c *leanConn) results() error {
	for {
		p, big, err := c.packet()
		if err != nil {
			return err
		}
		if big || len(p) == 0 {
			return c.protocolf("a first packet of %d bytes", len(p))
		}
		var status uint16
		switch p[0] {
		case markOK:
			status, err = c.okStatus(p)
		case markERR:
			return c.serverError(p)
		case markInfile:
			return c.refuseInfile()
		default:
			status, err = c.resultSet(p)
		}
		if err != nil || status&wire.StatusMoreResults == 0 {
			return err
		}
	}
}

// resultSet reads a result set whose column count is p, and returns the
// status of the packet that ends it.
func (c *leanConn) resultSet(p []byte) (uint16, error) {
	cols, n, ok := wire.Lenenc(p)
	if !ok || cols == 0 {
		return 0, c.protocolf("column count % x", p)
	}
	if !c.cachedMeta || len(p) <= n || p[n] != 0 {
		if err := c.skipPackets(int(cols)); err != nil {
			return 0, err
		}
	}
	for {
		p, big, err := c.packet()
		switch {
		case err != nil:
			return 0, err
		case big:
			continue // a long row
		case len(p) == 0:
			return 0, c.protocolf("an empty row")
		case p[0] == markERR:
			return 0, c.serverError(p)
		case p[0] == markEOF && (!c.eofs || len(p) < 9):
			// A text row starting with 0xfe (a value of 2^24 bytes or
			// more) is longer than an EOF packet; a binary row starts with 0.
			return c.okStatus(p)
		}
	}
}

// skipPackets steps over n packets (column or parameter definitions) and
// the EOF packet after them when the server sends one.
func (c *leanConn) skipPackets(n int) error {
	if n > 0 && c.eofs {
		n++
	}
	for range n {
		if _, _, err := c.packet(); err != nil {
			return err
		}
	}
	return nil
}

// okStatus reads the server status of an OK packet, or of an EOF packet
// when the server sends those.
func (c *leanConn) okStatus(p []byte) (uint16, error) {
	if p[0] == markEOF && c.eofs {
		if len(p) < 5 {
			return 0, c.protocolf("EOF packet % x", p)
		}
		return binary.LittleEndian.Uint16(p[3:]), nil
	}
	status, ok := wire.OKStatus(p)
	if !ok {
		return 0, c.protocolf("OK packet % x", p)
	}
	return status, nil
}

// serverError is the error of an ERR packet, as go-sql-driver returns it,
// so that a run counts errors by number either way.
func (c *leanConn) serverError(p []byte) error {
	e, ok := wire.ServerError(p)
	if !ok {
		return c.protocolf("ERR packet % x", p)
	}
	return e
}

// refuseInfile answers a LOAD DATA LOCAL INFILE request with no file (an
// empty packet), reads the server's reply, and returns ErrLocalInfile.
func (c *leanConn) refuseInfile() error {
	c.out = c.out[:4]
	if err := c.send(); err != nil {
		return c.lose(err)
	}
	p, big, err := c.packet()
	switch {
	case err != nil:
		return err
	case big || len(p) == 0:
		return c.protocolf("a reply of %d bytes to an empty file", len(p))
	case p[0] == markERR:
		return c.serverError(p)
	}
	return ErrLocalInfile
}

// prepared reads the reply to COM_STMT_PREPARE.
func (c *leanConn) prepared() (leanStmt, error) {
	p, big, err := c.packet()
	switch {
	case err != nil:
		return leanStmt{}, err
	case !big && len(p) > 0 && p[0] == markERR:
		return leanStmt{}, c.serverError(p)
	case big || len(p) < 12 || p[0] != markOK:
		return leanStmt{}, c.protocolf("a prepare reply of %d bytes", len(p))
	}
	st := leanStmt{id: binary.LittleEndian.Uint32(p[1:]), params: int(binary.LittleEndian.Uint16(p[7:]))}
	cols := int(binary.LittleEndian.Uint16(p[5:]))
	if err := c.skipPackets(st.params); err != nil {
		return leanStmt{}, err
	}
	if err := c.skipPackets(cols); err != nil {
		return leanStmt{}, err
	}
	if st.id == 0 {
		return leanStmt{}, c.protocolf("statement id 0")
	}
	return st, nil
}
