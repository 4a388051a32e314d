package proxy

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/internal/rawio"
	"github.com/scalelab/scalelab/internal/wire"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
	vtmysql "vitess.io/vitess/go/mysql"
)

// The relay: a text read that the router sends unchanged to one node, from
// a client whose session has no state of its own (but its login's
// character set), is sent on a raw connection to that node, and the
// node's response is copied back to the client packet for packet, never
// decoded into rows and encoded again.
// The router still picks the node (replica or primary, by health, lag and
// consistency mode), counts and traces the statement, and retries a read
// on a replica that failed under it, as for any statement; only the bytes
// take the short way. The raw connections log in with the capabilities
// that shape a response (CLIENT_DEPRECATE_EOF, CLIENT_FOUND_ROWS) set as
// the client's are, and with the collation id the client's login named,
// so the node's response is the one the client expects: the node reads
// the statement's bytes and writes the result's in the client's character
// set, and names its collation in the columns, as for the client's own
// login (an id the node does not know, as MySQL 8's 255 on MariaDB, gets
// the node's default there as here).

const (
	comQuery = 0x03
	// maxRelayQuery is the longest COM_QUERY the relay reads ahead of the
	// protocol library; a longer one takes the library's path.
	maxRelayQuery = 64 << 10
	// relayFlush is how many bytes of a response are gathered before they
	// are written to the client.
	relayFlush = 16 << 10
	// relayIdle is how many idle raw connections are kept per node, over
	// its capability sets and collations, at most; fewer when the node's
	// pool keeps fewer (replica.PoolConfig.MaxIdle).
	relayIdle = 64
	// relayPeekAfter is how long a raw connection may be idle before its
	// reuse peeks at it (see backendConn.alive).
	relayPeekAfter = time.Second
	// relayLoginTimeout bounds a raw connection's login.
	relayLoginTimeout = 10 * time.Second
	// relayCaps are the capabilities taken from the client.
	relayCaps = vtmysql.CapabilityClientDeprecateEOF | vtmysql.CapabilityClientFoundRows
)

// Capability flags of the raw connections' login.
// CLIENT_LONG_PASSWORD (bit 0) is left out: MariaDB does not offer it,
// and reads a client without it as one that knows MariaDB's extended
// capabilities, of which the relay asks none.
const (
	capLongFlag      = 1 << 2
	capConnectWithDB = 1 << 3
	capProtocol41    = 1 << 9
	capTransactions  = 1 << 13
	capMultiResults  = 1 << 17
)

// errNoRelay is a node the relay cannot log in to (an authentication
// method it does not speak, TLS): the statement takes the library's path,
// and the relay stays off.
var errNoRelay = errors.New("proxy: relay unavailable")

// errRelayBroken ends a client's connection whose response was cut after
// part of it was sent: nothing else can be said on it. It is not a
// connection error (replica.IsConnError), so the router does not try the
// statement again.
var errRelayBroken = errors.New("proxy: relayed response cut off")

// relayPools keeps idle raw connections per node, capability set and
// collation, up to relayIdle a node in all (see put).
type relayPools struct {
	mu   sync.Mutex
	idle map[relayKey][]*backendConn
	// idleOf counts the idle connections of each node, over its keys.
	idleOf map[*replica.Node]int
	closed bool
	// off is set when a node's login cannot be done; the relay is then
	// skipped for every statement.
	off  atomic.Bool
	logf func(format string, args ...any)
}

type relayKey struct {
	node *replica.Node
	caps uint32
	// coll is the collation id the connection logs in with: the
	// client's login's.
	coll uint8
}

// backendConn is a raw, logged-in connection to a node.
type backendConn struct {
	net.Conn
	r   *bufio.Reader
	key relayKey
	buf []byte  // a reused packet buffer
	hdr [4]byte // a packet's header, as read
	// used is when the connection was last put back idle.
	used time.Time
	// stmts are the statements prepared on the connection, by text.
	stmts map[string]backendStmt
	// request, when set, is written by the next read from the node, in
	// the same call (see writeReader).
	request []byte
}

// writeReader writes a request and reads its answer in one call, without
// the read that would find no answer yet (rawio.Conn.WriteRead); the
// node's connections from DialRaw are.
type writeReader interface {
	WriteRead(w, p []byte) (int, error)
}

// backendSource is what a backendConn's bufio.Reader reads from: the
// connection, after writing the request waiting to go, if any.
type backendSource struct{ bc *backendConn }

func (s backendSource) Read(p []byte) (int, error) {
	bc := s.bc
	if w := bc.request; w != nil {
		bc.request = nil
		if wr, ok := bc.Conn.(writeReader); ok {
			return wr.WriteRead(w, p)
		}
		if _, err := bc.Conn.Write(w); err != nil {
			return 0, err
		}
	}
	return bc.Conn.Read(p)
}

func newRelayPools(logf func(string, ...any)) *relayPools {
	return &relayPools{idle: map[relayKey][]*backendConn{}, idleOf: map[*replica.Node]int{}, logf: logf}
}

// get returns an idle connection for key, or logs in a new one; reused
// says which.
func (p *relayPools) get(ctx context.Context, key relayKey) (bc *backendConn, reused bool, err error) {
	for {
		p.mu.Lock()
		l := p.idle[key]
		if len(l) == 0 {
			p.mu.Unlock()
			break
		}
		bc = l[len(l)-1]
		p.idle[key] = l[:len(l)-1]
		p.idleOf[key.node]--
		p.mu.Unlock()
		if bc.alive() {
			return bc, true, nil
		}
		bc.Close()
	}
	switch pool := key.node.Pool(); {
	case pool.MaxOpen > 0:
		return nil, false, fmt.Errorf("%w: the node's pool is capped at %d connections, which the relay's own would pass", errNoRelay, pool.MaxOpen)
	case pool.MaxIdle < 0:
		return nil, false, fmt.Errorf("%w: the node's pool keeps no idle connections, so the relay would log in for every statement", errNoRelay)
	}
	bc, err = dialBackend(ctx, key)
	return bc, false, err
}

// alive checks an idle connection before it is used again, as the
// router's pools do (CheckConnLiveness). It is dropped if it was made
// while its node was the primary and the node is a replica now, since a
// statement stuck on it could not be ended if the node froze; and, once
// it has been idle for relayPeekAfter, if the server sent it something or
// closed it (a restart, an error at its wait_timeout). A connection used
// just before is not peeked at (a system call a statement): one that died
// since fails before any answer, and the statement is sent again on a new
// one (see relayRun.on).
func (bc *backendConn) alive() bool {
	if bc.r.Buffered() > 0 {
		return false
	}
	if r, ok := bc.Conn.(interface{ Retired() bool }); ok && r.Retired() {
		return false
	}
	if time.Since(bc.used) < relayPeekAfter {
		return true
	}
	if _, ok := bc.Conn.(syscall.Conn); !ok {
		return true // nothing to look at
	}
	raw, ok := rawio.New(bc.Conn)
	return ok && raw.Idle()
}

// put keeps bc for reuse, or closes it.
func (p *relayPools) put(bc *backendConn) {
	if cap(bc.buf) > 1<<20 {
		bc.buf = nil // a long row's buffer is not kept
	}
	bc.used = time.Now()
	p.mu.Lock()
	keep := relayIdle
	if n := bc.key.node.Pool().MaxIdle; n < keep {
		keep = n // as the node's pool keeps (none when negative)
	}
	var drop *backendConn
	if !p.closed && keep > 0 && bc.r.Buffered() == 0 {
		if p.idleOf[bc.key.node] >= keep {
			drop = p.evict(bc.key)
		}
		p.idle[bc.key] = append(p.idle[bc.key], bc)
		p.idleOf[bc.key.node]++
		bc = nil
	}
	p.mu.Unlock()
	for _, c := range []*backendConn{bc, drop} {
		if c != nil {
			c.Close()
		}
	}
}

// evict takes the node's longest idle connection of the key with the
// most of them, key's own included, to make room for one of key: the
// clients of one collation do not keep every idle place of a node when
// those of another come (each would log in for every statement). Called
// with p.mu held, with the node's places full.
func (p *relayPools) evict(key relayKey) *backendConn {
	from := key
	for k, l := range p.idle {
		if k.node == key.node && len(l) > len(p.idle[from]) {
			from = k
		}
	}
	l := p.idle[from]
	if len(l) == 0 {
		return nil
	}
	bc := l[0]
	p.idle[from] = append(l[:0], l[1:]...)
	p.idleOf[from.node]--
	return bc
}

// close closes the idle connections; those in use close when put back.
func (p *relayPools) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.idleOf, p.closed = map[relayKey][]*backendConn{}, map[*replica.Node]int{}, true
	p.mu.Unlock()
	for _, l := range idle {
		for _, bc := range l {
			bc.Close()
		}
	}
}

// dialBackend connects to key's node and logs in as its pool does, within
// relayLoginTimeout and ctx's deadline.
func dialBackend(ctx context.Context, key relayKey) (*backendConn, error) {
	c, cfg, err := key.node.DialRaw(ctx)
	if err != nil {
		return nil, err
	}
	bc := &backendConn{Conn: c, key: key}
	bc.r = bufio.NewReaderSize(backendSource{bc}, relayFlush)
	deadline := time.Now().Add(relayLoginTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	c.SetDeadline(deadline)
	if err := bc.login(cfg, key.caps, key.coll); err != nil {
		c.Close()
		return nil, err
	}
	c.SetDeadline(time.Time{})
	return bc, nil
}

// readPacket reads one packet into bc.buf: its 4-byte header, then its
// payload.
func (bc *backendConn) readPacket() ([]byte, error) {
	hdr := bc.hdr[:]
	if _, err := io.ReadFull(bc.r, hdr); err != nil {
		return nil, err
	}
	n := int(hdr[0]) | int(hdr[1])<<8 | int(hdr[2])<<16
	if cap(bc.buf) < 4+n {
		bc.buf = make([]byte, 4+n, max(4+n, 2*cap(bc.buf)))
	}
	b := bc.buf[:4+n]
	copy(b, hdr[:])
	if _, err := io.ReadFull(bc.r, b[4:]); err != nil {
		return nil, err
	}
	return b, nil
}

func (bc *backendConn) writePacket(seq byte, payload []byte) error {
	b := make([]byte, 4, 4+len(payload))
	wire.PutHeader(b, len(payload), seq)
	_, err := bc.Write(append(b, payload...))
	return err
}

// login answers the node's handshake as the user of cfg, with
// mysql_native_password, the method of the topology's users, and
// collation id coll. A node that asks for another method, or for TLS,
// gives errNoRelay.
func (bc *backendConn) login(cfg *mysql.Config, clientCaps uint32, coll uint8) error {
	if cfg.TLS != nil || cfg.TLSConfig != "" && cfg.TLSConfig != "false" {
		return fmt.Errorf("%w: the node's connections use TLS", errNoRelay)
	}
	if cfg.Collation != "" && cfg.Collation != "utf8mb4_general_ci" {
		return fmt.Errorf("%w: collation %s", errNoRelay, cfg.Collation)
	}
	b, err := bc.readPacket()
	if err != nil {
		return err
	}
	if len(b) > 4 && b[4] == 0xff {
		return backendError(b[4:])
	}
	h, err := parseHandshake(b[4:])
	if err != nil {
		return err
	}
	caps := uint32(capLongFlag|capProtocol41|capTransactions|wire.CapSecureConnection|capMultiResults|wire.CapPluginAuth) | clientCaps&relayCaps
	if cfg.DBName != "" {
		caps |= capConnectWithDB
	}
	if h.Caps&caps != caps {
		return fmt.Errorf("%w: the node lacks capabilities %#x", errNoRelay, caps&^h.Caps)
	}
	if h.Plugin != "" && h.Plugin != "mysql_native_password" {
		return fmt.Errorf("%w: authentication method %s", errNoRelay, h.Plugin)
	}
	auth := nativePassword(h.Scramble, cfg.Passwd)
	resp := make([]byte, 0, 64+len(cfg.User)+len(cfg.DBName))
	resp = binary.LittleEndian.AppendUint32(resp, caps)
	resp = binary.LittleEndian.AppendUint32(resp, wire.MaxPayload)
	resp = append(resp, coll)
	resp = append(resp, make([]byte, 23)...)
	resp = append(append(resp, cfg.User...), 0)
	resp = append(append(resp, byte(len(auth))), auth...)
	if cfg.DBName != "" {
		resp = append(append(resp, cfg.DBName...), 0)
	}
	resp = append(append(resp, "mysql_native_password"...), 0)
	seq := b[3] + 1
	if err := bc.writePacket(seq, resp); err != nil {
		return err
	}
	for range 2 {
		b, err := bc.readPacket()
		if err != nil {
			return err
		}
		switch {
		case len(b) < 5:
			return errors.New("proxy: relay login: empty packet")
		case b[4] == 0x00:
			return nil
		case b[4] == 0xff:
			return backendError(b[4:])
		case b[4] == 0xfe: // switch of method
			plugin, data, _ := bytes.Cut(b[5:], []byte{0})
			if string(plugin) != "mysql_native_password" {
				return fmt.Errorf("%w: authentication method %s", errNoRelay, plugin)
			}
			if len(data) > 0 && data[len(data)-1] == 0 {
				data = data[:len(data)-1]
			}
			if err := bc.writePacket(b[3]+1, nativePassword(data, cfg.Passwd)); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%w: unexpected login packet %#x", errNoRelay, b[4])
		}
	}
	return fmt.Errorf("%w: login did not end", errNoRelay)
}

// parseHandshake reads a node's greeting; one of another protocol than
// 10 is errNoRelay.
func parseHandshake(p []byte) (wire.Handshake, error) {
	h, err := wire.ParseHandshake(p)
	if errors.Is(err, wire.ErrNotV10) {
		return h, fmt.Errorf("%w: %v", errNoRelay, err)
	}
	if err != nil {
		return h, fmt.Errorf("proxy: relay login: %w", err)
	}
	return h, nil
}

// nativePassword is mysql_native_password's answer to scramble:
// SHA1(password) XOR SHA1(scramble + SHA1(SHA1(password))).
func nativePassword(scramble []byte, password string) []byte {
	if password == "" {
		return nil
	}
	h1 := sha1.Sum([]byte(password))
	h2 := sha1.Sum(h1[:])
	s := sha1.New()
	s.Write(scramble[:min(20, len(scramble))])
	s.Write(h2[:])
	h3 := s.Sum(nil)
	for i := range h3 {
		h3[i] ^= h1[i]
	}
	return h3
}

// backendError turns an ERR packet's payload into the error it reports.
func backendError(p []byte) error {
	if e, ok := wire.ServerError(p); ok {
		return e
	}
	return errors.New("proxy: relay: malformed error packet")
}

// relayRun is one relayed statement on its way to the client.
type relayRun struct {
	c *clientConn
	// packet is the COM_QUERY packet, header included.
	packet []byte
	caps   uint32
	coll   uint8 // the client login's collation id
	out    []byte
	// sent is set once part of the response has been written to the
	// client.
	sent bool
	// errCode is the number of the error the node answered, or 0.
	errCode uint16
	// answered is set once a packet of the answer has been read.
	answered bool
	// stmt, for the execution of a prepared statement, is its text: it
	// is prepared on the raw connection, and packet, a COM_STMT_EXECUTE,
	// is sent with that statement's id. stmtID is the client's id of it,
	// and params its parameter count.
	stmt   string
	stmtID uint32
	params int
	// warnings is the warning count of the answer's last packet, and
	// conds, when it is not 0, the conditions the node listed after it
	// (nil when it could not: see listWarnings).
	warnings uint16
	conds    []router.Condition
}

// on runs the statement on node: on an idle raw connection, and again
// on a new one if that one turns out dead before it answered.
func (rr *relayRun) on(ctx context.Context, node *replica.Node) error {
	p := rr.c.l.s.relay
	key := relayKey{node: node, caps: rr.caps, coll: rr.coll}
	for {
		bc, reused, err := p.get(ctx, key)
		if err != nil {
			if errors.Is(err, errNoRelay) && p.off.CompareAndSwap(false, true) {
				p.logf("proxy: relay off: node %s: %v", node.Name, err)
			}
			return err
		}
		stuck := node.Stuck()
		rr.answered = false
		err = rr.exchange(bc)
		if err == nil && rr.warnings > 0 && rr.errCode == 0 {
			// The client has its answer: a connection whose listing
			// failed is dropped, and the conditions stay unknown.
			if rr.conds, err = bc.listWarnings(rr.caps&vtmysql.CapabilityClientDeprecateEOF != 0); err != nil {
				rr.conds = nil
				bc.Close()
				return nil
			}
		}
		if err == nil || errors.Is(err, errStmtDeclined) || errors.Is(err, errStmtNotNow) {
			p.put(bc)
			return err
		}
		bc.Close()
		if rr.sent {
			return fmt.Errorf("%w: node %s: %v", errRelayBroken, node.Name, err)
		}
		rr.out = rr.out[:0]
		if !reused || rr.answered || node.Stuck() != stuck || !replica.IsConnError(err) {
			// The router retries a read on a replica that failed, or
			// that stopped answering, elsewhere (once).
			return err
		}
		// An idle connection that failed before any answer (the node
		// closed it since it was checked): the statement never ran.
	}
}

// exchange sends the statement on bc and copies the response to the
// client, packet for packet: the result sets up to the last, each ended
// by an OK, EOF or ERR packet that does not announce another.
func (rr *relayRun) exchange(bc *backendConn) error {
	deprecateEOF := rr.caps&vtmysql.CapabilityClientDeprecateEOF != 0
	if rr.stmt != "" {
		st, err := bc.prepared(rr.stmt, deprecateEOF)
		if err != nil {
			return err
		}
		if st.params != rr.params {
			return fmt.Errorf("%w: %d parameters, the proxy counted %d", errStmtDeclined, st.params, rr.params)
		}
		binary.LittleEndian.PutUint32(rr.packet[5:], st.id)
	}
	if bc.r.Buffered() == 0 {
		bc.request = rr.packet // written by the first read of the answer
	} else if _, err := bc.Write(rr.packet); err != nil {
		return err
	}
	const (
		first = iota
		columns
		columnsEOF
		rows
	)
	state, left, more := first, 0, false
	for {
		b, err := bc.readPacket()
		if err != nil {
			return err
		}
		rr.answered = true
		if len(b) > 4 && b[4] == 0xff && !more && !rr.sent {
			// An error of the connection, not of the statement (the node
			// shuts down, kills it, is full): the router's connection
			// error, so that a read on a replica is tried elsewhere.
			if e := backendError(b[4:]); replica.IsConnError(e) {
				// As the first packet, the error was the connection's
				// before the statement ran (an idle connection's, sent
				// at a kill or a shutdown): no answer to it.
				rr.answered = state != first
				return e
			}
		}
		if err := rr.send(b); err != nil {
			return err
		}
		cont := more
		more = len(b)-4 == wire.MaxPayload
		if cont {
			continue // the rest of a long packet
		}
		p := b[4:]
		if len(p) == 0 {
			return errors.New("proxy: relay: empty packet from the node")
		}
		switch state {
		case first:
			switch p[0] {
			case 0x00:
				if status, warnings := okStatusWarnings(p); status&wire.StatusMoreResults == 0 {
					rr.warnings = warnings
					return rr.finish()
				}
			case 0xff:
				rr.errCode = errNumber(p)
				return rr.finish()
			case 0xfb:
				return errors.New("proxy: relay: the node asked for a local file")
			default:
				n, _, ok := wire.Lenenc(p)
				if !ok || n == 0 || n > 4096 {
					return fmt.Errorf("proxy: relay: column count packet %x", p[:min(len(p), 9)])
				}
				state, left = columns, int(n)
			}
		case columns:
			if left--; left == 0 {
				state = rows
				if !deprecateEOF {
					state = columnsEOF
				}
			}
		case columnsEOF:
			state = rows
		case rows:
			switch {
			case p[0] == 0xff:
				rr.errCode = errNumber(p)
				return rr.finish()
			case p[0] == 0xfe && len(p) < wire.MaxPayload:
				status, warnings := okStatusWarnings(p)
				if !deprecateEOF && len(p) >= 5 {
					// EOF: 0xfe, warnings, status.
					status, warnings = binary.LittleEndian.Uint16(p[3:]), binary.LittleEndian.Uint16(p[1:])
				}
				if status&wire.StatusMoreResults == 0 {
					rr.warnings = warnings
					return rr.finish()
				}
				state = first
			}
		}
	}
}

// errNumber is the error number of an ERR packet's payload.
func errNumber(p []byte) uint16 {
	if len(p) < 3 {
		return 0
	}
	return binary.LittleEndian.Uint16(p[1:])
}

// okStatusWarnings reads the status flags and the warning count of an OK
// packet (also one that ends a result set with CLIENT_DEPRECATE_EOF),
// which follow each other, in one walk over its numbers; 0 for what is
// cut short.
func okStatusWarnings(p []byte) (status, warnings uint16) {
	if at, ok := wire.OKWarningsAt(p); ok {
		return binary.LittleEndian.Uint16(p[at-2:]), binary.LittleEndian.Uint16(p[at:])
	}
	status, _ = wire.OKStatus(p)
	return status, 0
}

// send gathers packet b for the client, writing when enough has gathered.
func (rr *relayRun) send(b []byte) error {
	rr.out = append(rr.out, b...)
	if len(rr.out) < relayFlush {
		return nil
	}
	return rr.flush()
}

// finish sends the rest of a whole response. It is counted first, so that
// a client that reads /metrics after its answer finds it counted.
func (rr *relayRun) finish() error {
	m := rr.c.l.s.metrics
	m.relayed.Inc()
	if rr.errCode != 0 {
		m.errors.WithLabelValues(strconv.Itoa(int(rr.errCode))).Inc()
	}
	return rr.flush()
}

func (rr *relayRun) flush() error {
	if len(rr.out) == 0 {
		return nil
	}
	rr.sent = true
	_, err := rr.c.Write(rr.out)
	rr.out = rr.out[:0]
	if err != nil {
		return fmt.Errorf("%w: writing to the client: %v", errRelayBroken, err)
	}
	return nil
}

// relayOn reports whether the relay may take the client's statements: not
// those of a client whose collation id a login cannot name (one above 255,
// which only COM_CHANGE_USER sends), as the relay's connections log in
// with it.
func (c *clientConn) relayOn() bool {
	s := c.l.s
	return s.relay != nil && !s.relay.off.Load() && c.vc != nil && c.vc.CharacterSet <= 0xff
}

// newRun starts a relayed statement, with the connection's buffers. The
// connection has one relayRun, reused, and the function that runs it on a
// node is made once.
func (c *clientConn) newRun() *relayRun {
	c.run = relayRun{c: c, caps: c.vc.Capabilities & relayCaps, coll: uint8(c.vc.CharacterSet), out: c.outBuf[:0], packet: c.packetBuf[:0]}
	if c.runOn == nil {
		c.runOn = c.run.on
	}
	return &c.run
}

// relay offers the COM_QUERY payload p (the command byte cut) to the
// relay. handled is false when the statement is to take the protocol
// library's path, with nothing sent; an error ends the client's
// connection.
func (c *clientConn) relay(p []byte) (handled bool, err error) {
	if !c.relayOn() || c.l.s.cfg.MaxQueryBytes > 0 && len(p) > c.l.s.cfg.MaxQueryBytes {
		return false, nil
	}
	n := 1 + len(p)
	rr := c.newRun()
	rr.packet = append(rr.packet, byte(n), byte(n>>8), byte(n>>16), 0, comQuery)
	rr.packet = append(rr.packet, p...)
	return c.relayRun(rr, string(p), nil)
}

// relayRun routes query, with the parameters args, and sends rr's packet
// to the node it goes to.
func (c *clientConn) relayRun(rr *relayRun, query string, args []any) (handled bool, err error) {
	s := c.l.s
	cl, ok := c.vc.ClientData.(*client)
	if !ok {
		return false, nil
	}
	cl.endPending = false // (a statement the library ended has been asked for)
	mode, hinted, err := router.ConsistencyHint(query)
	if err != nil {
		return false, nil
	}
	if hinted {
		prev := cl.sess.Consistency()
		cl.sess.SetConsistency(mode)
		defer cl.sess.SetConsistency(prev)
	}
	if _, ok := routeTarget(query); ok {
		return false, nil
	}
	start := time.Now()
	st, handled, err := cl.sess.Relay(s.stmtCtx, query, args, c.runOn)
	c.packetBuf, c.outBuf = rr.packet[:0], rr.out[:0]
	if cap(c.outBuf) > 1<<20 {
		c.outBuf = nil // a long answer's buffer is not kept
	}
	if err != nil && errors.Is(err, router.ErrInternal) {
		// The session is closed: the client is told, if its answer
		// has not begun, and its connection ends.
		c.internalError()
		if !rr.sent {
			c.writeError(toSQLError(err), 1)
		}
		return true, io.EOF
	}
	if handled && !rr.sent && (errors.Is(err, errStmtDeclined) || errors.Is(err, errStmtNotNow)) {
		if errors.Is(err, errStmtDeclined) {
			c.sniff.decline(rr.stmtID)
		}
		handled = false
	}
	if !handled || errors.Is(err, errNoRelay) && !rr.sent {
		c.declined = st
		return false, nil
	}
	cl.sess.RelayedConditions(st, rr.warnings, rr.conds, err != nil || rr.errCode != 0)
	kind := st.Kind.String()
	if obs, ok := s.metrics.byKind[kind]; ok {
		obs.Observe(time.Since(start).Seconds())
	}
	switch {
	case err != nil && rr.sent:
		return true, err
	case err != nil:
		if werr := c.writeError(toSQLError(err), 1); werr != nil {
			return true, werr
		}
	}
	return true, nil
}
