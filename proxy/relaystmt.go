package proxy

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/scalelab/scalelab/internal/wire"
	"github.com/scalelab/scalelab/replica"
	"github.com/scalelab/scalelab/router"
	vtmysql "vitess.io/vitess/go/mysql"
	"vitess.io/vitess/go/mysql/sqlerror"
	"vitess.io/vitess/go/sqltypes"
)

// The relay of prepared statements: a COM_STMT_EXECUTE of a statement the
// relay would take as text (a read that goes unchanged to one node, from a
// session without state of its own) is routed by its parameters, sent to
// the node as a COM_STMT_EXECUTE of the same statement prepared on the raw
// connection, and the node's binary result is copied back packet for
// packet. Each raw connection prepares a statement the first time it
// runs it, and keeps up to relayStmts of them.
//
// The client's prepare still goes the protocol library's way (the proxy
// answers it, and prepares nothing on a node), as do executions the relay
// does not take: those with a cursor, with long data sent before them,
// with a parameter the relay does not decode as the node does (see
// execArgs), of a statement a node would not prepare, or that found the
// node's max_prepared_stmt_count reached. The library's record of the statement (its parameter
// types) is kept as if it had read each relayed execution itself, so that
// a later one it does read finds the types an earlier one sent.

const (
	comStmtPrepare = 0x16
	// relayStmts is how many prepared statements a raw connection keeps;
	// a node's max_prepared_stmt_count (16382 by default) is shared by
	// every connection to it.
	relayStmts = 32
)

// errStmtDeclined is a statement the node would not prepare, or prepared
// with another parameter count: its executions take the library's path,
// which reports the node's error if there is one. errStmtNotNow is one
// the node had no room for (max_prepared_stmt_count): this execution
// takes the library's path, and the next is offered to the relay again.
var (
	errStmtDeclined = errors.New("proxy: the node did not prepare the statement")
	errStmtNotNow   = errors.New("proxy: the node has no room for another prepared statement")
)

// erMaxPreparedStmtCount is ER_MAX_PREPARED_STMT_COUNT_REACHED.
const erMaxPreparedStmtCount = 1461

// backendStmt is a statement prepared on a raw connection.
type backendStmt struct {
	id     uint32
	params int
}

// prepared returns query's statement on bc, preparing it first if bc has
// not. A statement the node refuses gives errStmtDeclined, unless the
// refusal is the connection's (replica.IsConnError).
func (bc *backendConn) prepared(query string, deprecateEOF bool) (backendStmt, error) {
	if st, ok := bc.stmts[query]; ok {
		return st, nil
	}
	if bc.stmts == nil {
		bc.stmts = map[string]backendStmt{}
	}
	if err := bc.closeStmts(relayStmts - 1); err != nil {
		return backendStmt{}, err
	}
	if err := bc.writePacket(0, append([]byte{comStmtPrepare}, query...)); err != nil {
		return backendStmt{}, err
	}
	b, err := bc.readPacket()
	if err != nil {
		return backendStmt{}, err
	}
	p := b[4:]
	switch {
	case len(p) > 0 && p[0] == 0xff:
		e := backendError(p)
		switch {
		case replica.IsConnError(e):
			return backendStmt{}, e
		case errNumber(p) == erMaxPreparedStmtCount:
			// The node is full of other connections' statements: this
			// one gives its own back, so that the next prepare here may
			// find room.
			if err := bc.closeStmts(0); err != nil {
				return backendStmt{}, err
			}
			return backendStmt{}, fmt.Errorf("%w: %v", errStmtNotNow, e)
		}
		return backendStmt{}, fmt.Errorf("%w: %v", errStmtDeclined, e)
	case len(p) < 12 || p[0] != 0x00:
		return backendStmt{}, fmt.Errorf("proxy: relay: prepare answered %x", p[:min(len(p), 12)])
	}
	st := backendStmt{id: binary.LittleEndian.Uint32(p[1:]), params: int(binary.LittleEndian.Uint16(p[7:]))}
	cols := int(binary.LittleEndian.Uint16(p[5:]))
	// The parameters' definitions, then the columns', each list ended by
	// an EOF packet unless CLIENT_DEPRECATE_EOF.
	for _, n := range []int{st.params, cols} {
		if n > 0 && !deprecateEOF {
			n++
		}
		for range n {
			if _, err := bc.readPacket(); err != nil {
				return backendStmt{}, err
			}
		}
	}
	bc.stmts[query] = st
	return st, nil
}

// closeStmts closes statements on the node until keep are left, any ones;
// COM_STMT_CLOSE has no answer.
func (bc *backendConn) closeStmts(keep int) error {
	for q, st := range bc.stmts {
		if len(bc.stmts) <= keep {
			break
		}
		delete(bc.stmts, q)
		if err := bc.writePacket(0, binary.LittleEndian.AppendUint32([]byte{comStmtClose}, st.id)); err != nil {
			return err
		}
	}
	return nil
}

// relayExecute offers the COM_STMT_EXECUTE payload p (the command byte
// included) to the relay; handled and the error are as for relay.
func (c *clientConn) relayExecute(p []byte) (handled bool, err error) {
	if !c.relayOn() || len(p) < 10 {
		return false, nil
	}
	id := binary.LittleEndian.Uint32(p[1:])
	pd := c.vc.PrepareData[id]
	if pd == nil || p[5] != 0 || binary.LittleEndian.Uint32(p[6:]) != 1 || c.sniff.declined[id] {
		return false, nil // unknown, a cursor, a batch, or refused before
	}
	for _, bv := range pd.BindVars {
		if bv != nil {
			return false, nil // long data (COM_STMT_SEND_LONG_DATA) waits
		}
	}
	n := int(pd.ParamsCount)
	rr := c.newRun()
	rr.stmt, rr.stmtID, rr.params = pd.PrepareStmt, id, n
	rr.packet = append(rr.packet, 0, 0, 0, 0)
	var args []any
	if n == 0 {
		rr.packet = append(rr.packet, p...)
	} else {
		at := 10 + (n+7)/8 // the flag that says whether types follow
		if len(p) <= at {
			return false, nil
		}
		var types, vals []byte
		switch p[at] {
		case 1:
			if len(p) < at+1+2*n {
				return false, nil
			}
			types, vals = p[at+1:at+1+2*n], p[at+1+2*n:]
			if !c.keepTypes(id, types) {
				return false, nil
			}
		case 0:
			// The node's statement may be another connection's than the
			// last execution's: the types are always sent. They are the
			// library's too, or the execution is left to it.
			types, vals = c.sniff.types[id], p[at+1:]
			if len(types) != 2*n || !c.sameTypes(pd.ParamsType, types) {
				return false, nil
			}
		default:
			return false, nil
		}
		var ok bool
		if args, ok = execArgs(c.argsBuf[:0], p[10:at], types, vals); !ok {
			clear(c.argsBuf[:cap(c.argsBuf)]) // what it decoded before it stopped
			return false, nil
		}
		c.argsBuf = args
		defer func() {
			clear(args) // nothing of the statement is kept
			if cap(args) > 256 {
				c.argsBuf = nil // nor a long list's array
			}
		}()
		rr.packet = append(append(rr.packet, p[:at]...), 1)
		rr.packet = append(append(rr.packet, types...), vals...)
	}
	size := len(rr.packet) - 4
	if size >= wire.MaxPayload {
		return false, nil
	}
	wire.PutHeader(rr.packet, size, 0) // the client's sequence number, 0
	return c.relayRun(rr, pd.PrepareStmt, args)
}

// resetStmt answers COM_STMT_RESET (payload p, the command byte
// included), which the protocol library is not handed: it left the
// statement's long data as nil entries that the next
// COM_STMT_SEND_LONG_DATA dereferenced, and a reset of a statement it
// did not know, or cut short, dereferenced a nil record; both panicked
// and cut the client off. The long data goes, and the client is told OK;
// an unknown statement gets the server's error, and the connection goes
// on (a packet cut short names the statement of the bytes it has, where
// the server reads stale bytes of its buffer). Nothing is kept for the
// statement on a node between executions (long data waits in the
// library's record), so none is told.
func (c *clientConn) resetStmt(p []byte) error {
	id := stmtID(p)
	pd := c.vc.PrepareData[id]
	if pd == nil || len(p) < 5 {
		return c.writeError(errUnknownStmt(id, "mysqld_stmt_reset"), 1)
	}
	clear(pd.BindVars)
	delete(c.sniff.badLongData, id)
	_, err := c.Write(okPacket(c.vc.StatusFlags, 1))
	return err
}

// stmtID is the statement id of a command on a prepared statement
// (payload p, the command byte included): of the bytes there are, for a
// packet cut short.
func stmtID(p []byte) uint32 {
	var b [4]byte
	copy(b[:], p[1:])
	return binary.LittleEndian.Uint32(b[:])
}

// refuseExecute is the server's error for the COM_STMT_EXECUTE of
// statement id (pd, the library's record of it, nil for none) whose head
// is p (the command byte included, through the parameters' types when
// its flag says they follow, see checkExecute), when it refuses it before
// the statement runs, or nil. The proxy answers
// these itself, where the protocol library answered with client errors'
// numbers (2027, and 2014 "statement ID is not found from record"), or
// ran the statement. In the server's order:
//   - a packet too short for the statement id, the flags and the
//     iteration count: 1835;
//   - a statement the connection has not prepared: 1243;
//   - with parameters, a flag of their types other than 0 and 1, types
//     cut short, or no types in an execution sent for lastStmtID: 1835;
//   - a statement sent long data for a parameter it does not have: 1210;
//   - with parameters, a packet that ends before the flag of their types;
//     or without their types, and some parameter not NULL, when no
//     execution has sent them yet (the library took each such parameter
//     for NULL, and answered the statement run with NULLs): 1210.
//
// An execution it lets pass that sends the types whole marks the
// statement as given them; one it refuses leaves it as it was, as the
// server reads the types only once it takes the execution.
func (c *clientConn) refuseExecute(p []byte, id uint32, pd *vtmysql.PrepareData, viaLast bool) *sqlerror.SQLError {
	switch {
	case len(p) < 10:
		return errMalformed()
	case pd == nil:
		return errUnknownStmt(id, "mysqld_stmt_execute")
	}
	n := int(pd.ParamsCount)
	flag := typesFlagAt(pd.ParamsCount)
	typed := n > 0 && len(p) > flag && p[flag] == 1
	switch {
	case n > 0 && (len(p) > flag && p[flag] > 1 || typed && len(p) < flag+1+2*n || viaLast && !typed):
		return errMalformed()
	case c.sniff.badLongData[id]:
		return errWrongArguments("mysqld_stmt_send_long_data")
	case n == 0:
		return nil
	case len(p) <= flag, !typed && !c.sniff.typed[id] && !allNull(p[10:flag], n):
		return errWrongArguments("mysqld_stmt_execute")
	}
	if typed {
		// The server keeps the types once it has read them all, even
		// if a value after them is one it refuses.
		c.sniff.markTyped(id)
	}
	return nil
}

// typesFlagAt is the offset, in a COM_STMT_EXECUTE of a statement of n
// parameters, of the flag that says whether their types follow: after the
// command, the statement id, flags, the iteration count and the NULL
// bitmap.
func typesFlagAt(n uint16) int {
	return 10 + (int(n)+7)/8
}

// allNull reports whether the NULL bitmap b marks each of n parameters.
func allNull(b []byte, n int) bool {
	for i := range n {
		if b[i/8]&(1<<(i%8)) == 0 {
			return false
		}
	}
	return true
}

// longDataHeader is the length of COM_STMT_SEND_LONG_DATA's head: the
// command byte, the statement id and the parameter's number.
const longDataHeader = 7

// dropLongData reports whether the COM_STMT_SEND_LONG_DATA whose head is
// p (at most longDataHeader bytes of it) is one the server drops, with no
// answer, as it answers none: one cut short, or for a statement not
// prepared, or for a parameter the statement does not have, which it
// then refuses to execute (see refuseExecute) until a COM_STMT_RESET. The
// protocol library answered each with an error packet, which the client
// read as the answer to its next command, and every answer after it came
// one command late.
func (c *clientConn) dropLongData(p []byte) bool {
	if len(p) < longDataHeader {
		return true
	}
	id := stmtID(p)
	pd := c.vc.PrepareData[id]
	if pd == nil {
		return true
	}
	if binary.LittleEndian.Uint16(p[5:]) < pd.ParamsCount {
		return false
	}
	if c.sniff.badLongData == nil {
		c.sniff.badLongData = map[uint32]bool{}
	}
	c.sniff.badLongData[id] = true
	return true
}

// dropResetParams drops the parameters of statement id that a
// COM_STMT_RESET left as nil entries in the protocol library's record,
// before the library reads the COM_STMT_SEND_LONG_DATA that follows: it
// appends the data to the entry it finds, and a nil one panicked and cut
// the client off. An execution the library runs makes the record anew; a
// relayed one, or none, left it as the reset did.
func (c *clientConn) dropResetParams(id uint32) {
	if pd := c.vc.PrepareData[id]; pd != nil {
		for k, bv := range pd.BindVars {
			if bv == nil {
				delete(pd.BindVars, k)
			}
		}
	}
}

// keepTypes records the parameter types t of statement id, as the
// protocol library does when it reads them: the library's own record, and
// the sniffer's (see unsignedWidths). It reports false for a type the
// library would refuse, which it is then left to do.
func (c *clientConn) keepTypes(id uint32, t []byte) bool {
	pd := c.vc.PrepareData[id]
	if len(pd.ParamsType) != len(t)/2 {
		return false
	}
	for i := range pd.ParamsType {
		if _, err := sqltypes.MySQLToType(t[2*i], int64(t[2*i+1])); err != nil {
			return false
		}
	}
	for i := range pd.ParamsType {
		typ, _ := sqltypes.MySQLToType(t[2*i], int64(t[2*i+1]))
		pd.ParamsType[i] = int32(typ)
	}
	c.sniff.setTypes(id, t)
	return true
}

// sameTypes reports whether the library's record of a statement's
// parameter types, lib, is what the types t give.
func (c *clientConn) sameTypes(lib []int32, t []byte) bool {
	for i := range lib {
		typ, err := sqltypes.MySQLToType(t[2*i], int64(t[2*i+1]))
		if err != nil || int32(typ) != lib[i] {
			return false
		}
	}
	return true
}

// MySQL's field types, as a parameter's type byte gives them.
const (
	typeDecimal    = 0
	typeTiny       = 1
	typeShort      = 2
	typeLong       = 3
	typeFloat      = 4
	typeDouble     = 5
	typeLongLong   = 8
	typeInt24      = 9
	typeVarchar    = 15
	typeBit        = 16
	typeJSON       = 245
	typeNewDecimal = 246
	typeEnum       = 247
	typeSet        = 248
	typeTinyBlob   = 249
	typeMediumBlob = 250
	typeLongBlob   = 251
	typeBlob       = 252
	typeVarString  = 253
	typeString     = 254
	// paramUnsigned is the unsigned flag of a parameter's type.
	paramUnsigned = 0x80
)

// execArgs decodes the parameters of an execution, for routing: null is
// the NULL bitmap, types the type and flag bytes, vals the values. Each
// is the Go value the library's path would give the router (see bindArgs
// and argOf), and the value the node reads from the same bytes, which the
// relay sends it. ok is false for a short packet, and for a type that is
// not decoded here, or that the node and the library read differently:
// dates and times, YEAR and INT24 (the server reads both as a string),
// NULL without its bit in the bitmap (a string too), geometry, and flags
// other than unsigned. The values are appended to args[:0], whose
// array is reused when it is long enough.
func execArgs(args []any, null, types, vals []byte) (_ []any, ok bool) {
	args = append(args[:0], make([]any, len(types)/2)...)
	pos := 0
	fixed := func(n int) (uint64, bool) {
		if pos+n > len(vals) {
			return 0, false
		}
		var v uint64
		for i := n - 1; i >= 0; i-- {
			v = v<<8 | uint64(vals[pos+i])
		}
		pos += n
		return v, true
	}
	for i := range args {
		if null[i/8]&(1<<(i%8)) != 0 {
			continue
		}
		typ, flags := types[2*i], types[2*i+1]
		if flags&^paramUnsigned != 0 {
			// Flags the server ignores and the library reads (0x20 as
			// unsigned): the two would disagree.
			return nil, false
		}
		unsigned := flags&paramUnsigned != 0
		switch typ {
		case typeTiny, typeShort, typeLong, typeLongLong:
			width := intWidth(typ)
			v, ok := fixed(width)
			if !ok {
				return nil, false
			}
			if unsigned {
				args[i] = v
			} else {
				shift := 64 - 8*width
				args[i] = int64(v<<shift) >> shift
			}
		case typeFloat:
			v, ok := fixed(4)
			if !ok {
				return nil, false
			}
			args[i] = float64(math.Float32frombits(uint32(v)))
		case typeDouble:
			v, ok := fixed(8)
			if !ok {
				return nil, false
			}
			args[i] = math.Float64frombits(v)
		case typeDecimal, typeNewDecimal, typeVarchar, typeBit, typeJSON, typeEnum, typeSet,
			typeTinyBlob, typeMediumBlob, typeLongBlob, typeBlob, typeVarString, typeString:
			b, n, ok := wire.LenencString(vals[pos:])
			if !ok {
				return nil, false
			}
			pos += n
			// A BLOB parameter is a binary string to the server (see
			// binaryParams). The library reads BIT as binary, and a text
			// type with the flag 0x80 (its binary flag) too.
			text := typ == typeVarchar || typ == typeVarString || typ == typeString
			switch {
			case typ >= typeTinyBlob && typ <= typeBlob:
				args[i] = router.Binary(append([]byte{}, b...))
			case typ == typeBit || text && unsigned:
				args[i] = append([]byte{}, b...)
			default:
				args[i] = string(b)
			}
		default:
			return nil, false
		}
	}
	return args, true
}

// intWidth is how many bytes an integer parameter of type typ takes.
func intWidth(typ byte) int {
	switch typ {
	case typeTiny:
		return 1
	case typeShort:
		return 2
	case typeLongLong:
		return 8
	}
	return 4
}
