package proxy_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"vitess.io/vitess/go/mysql/sqlerror"
)

// execPayload is a COM_STMT_EXECUTE of statement id: the NULL bitmap
// nulls, then the flag and types when types is not nil, then vals.
func execPayload(id uint32, nulls, types, vals []byte) []byte {
	p := binary.LittleEndian.AppendUint32([]byte{0x17}, id)
	p = append(p, 0, 1, 0, 0, 0)
	p = append(p, nulls...)
	if types != nil {
		p = append(p, 1)
		p = append(p, types...)
	} else {
		p = append(p, 0)
	}
	return append(p, vals...)
}

// lenencString is s as a length-encoded string, for values up to 16 MiB.
func lenencString(s string) []byte {
	n := len(s)
	switch {
	case n < 251:
		return append([]byte{byte(n)}, s...)
	case n < 1<<16:
		return append([]byte{0xfc, byte(n), byte(n >> 8)}, s...)
	}
	return append([]byte{0xfd, byte(n), byte(n >> 8), byte(n >> 16)}, s...)
}

// bigint is an 8-byte integer parameter's value.
func bigint(v int64) []byte {
	return binary.LittleEndian.AppendUint64(nil, uint64(v))
}

// stepper sends the same packets to the proxy and to a node and compares
// the answers: each client's statement ids, made by its own prepares,
// kept by name.
type stepper struct {
	t        *testing.T
	rc, node *rawClient
	ids      map[*rawClient]map[string]uint32
}

func newStepper(t *testing.T, rc, node *rawClient) *stepper {
	return &stepper{t: t, rc: rc, node: node, ids: map[*rawClient]map[string]uint32{rc: {}, node: {}}}
}

// prepare prepares q on both, as name.
func (s *stepper) prepare(name, q string) {
	for _, c := range []*rawClient{s.rc, s.node} {
		s.ids[c][name] = c.prepare(q)
	}
}

// same runs do on both (given each client's id of the statement named
// stmt, or the id stmt names if it is a number) and compares what they
// answered, a named statement's id in an error message read as its name.
func (s *stepper) same(what, stmt string, do func(c *rawClient, id uint32) []string) {
	s.t.Helper()
	ans := map[*rawClient]string{}
	for _, c := range []*rawClient{s.rc, s.node} {
		id, ok := s.ids[c][stmt]
		if !ok {
			var n uint32
			if _, err := fmt.Sscan(stmt, &n); err != nil {
				s.t.Fatalf("%s: no statement %s", what, stmt)
			}
			id = n
		}
		a := fmt.Sprintf("%q", do(c, id))
		if stmt != fmt.Sprint(id) {
			// An error names the id sent, each client's own.
			a = strings.ReplaceAll(a, fmt.Sprintf("(%d)", id), "("+stmt+")")
		}
		ans[c] = a
	}
	if ans[s.rc] != ans[s.node] {
		s.t.Errorf("%s: the proxy answered %s, the server %s", what, ans[s.rc], ans[s.node])
	}
}

// executes returns a do for same that sends the execution payload made
// by p and reads its answer.
func executes(p func(id uint32) []byte) func(c *rawClient, id uint32) []string {
	return func(c *rawClient, id uint32) []string {
		c.write(p(id))
		return c.result()
	}
}

// sends returns a do for same that sends the payload made by p and reads
// no answer (the server sends none). Its step compares nothing itself: an
// answer the proxy sent where the server sent none is read by the next
// step, as that one's, and fails it.
func sends(p func(id uint32) []byte) func(c *rawClient, id uint32) []string {
	return func(c *rawClient, id uint32) []string {
		c.write(p(id))
		return nil
	}
}

// TestLastPreparedStatement: MariaDB takes statement id 0xFFFFFFFF for
// the last statement COM_STMT_PREPARE made, in an execution, long data,
// a reset and a close, so that a client can send a prepare and its
// execution in one write (MariaDB Connector/C's
// mariadb_stmt_execute_direct). The proxy answered each as a statement
// not prepared. Each step is compared with a shard primary's answer.
func TestLastPreparedStatement(t *testing.T) {
	againstNode(t, func(t *testing.T, f *fixture, rc, node *rawClient) {
		s := newStepper(t, rc, node)
		const last = "4294967295"
		typed := func(v int64) func(id uint32) []byte {
			return func(id uint32) []byte { return execPayload(id, []byte{0}, []byte{8, 0}, bigint(v)) }
		}
		s.same("an execution of the last statement before any prepare", last, executes(typed(9103)))
		s.prepare("kv", "SELECT v FROM kvs WHERE id = ?")
		s.same("an execution of the last statement", last, executes(typed(9103)))
		s.same("one without the parameter types", last, executes(func(id uint32) []byte {
			return execPayload(id, []byte{0}, nil, bigint(9103))
		}))
		s.same("the statement by its id, without the types", "kv", executes(func(id uint32) []byte {
			return execPayload(id, []byte{0}, nil, bigint(9103))
		}))
		s.same("one cut after the NULL bitmap", last, executes(func(id uint32) []byte {
			return execPayload(id, []byte{0}, nil, nil)[:11]
		}))
		s.same("one cut short", last, executes(func(id uint32) []byte { return execPayload(id, nil, nil, nil)[:7] }))

		// A prepare and the execution of its statement in one write.
		s.same("a prepare and its execution in one write", last, func(c *rawClient, id uint32) []string {
			const q = "SELECT CONCAT(v, '!') FROM kvs WHERE id = ?"
			pkts := append(packet(0, append([]byte{0x16}, q...)...), packet(0, typed(9103)(id)...)...)
			if _, err := c.c.GetRawConn().Write(pkts); err != nil {
				t.Fatal(err)
			}
			s.ids[c]["bang"] = c.prepared(q)
			return c.result()
		})
		// (A fresh statement: one executed with a BIGINT parameter, sent
		// long data as a string, finds no row on MariaDB 10.11.)
		s.prepare("ld", "SELECT CONCAT(v, '~') FROM kvs WHERE id = ?")
		s.same("long data for the last statement, then its execution", last, func(c *rawClient, id uint32) []string {
			c.write(longDataPayload(id, 0, "9103"))
			c.write(execPayload(id, []byte{0}, []byte{0xfe, 0}, nil))
			return c.result()
		})
		s.same("long data for a parameter the last statement does not have", last, sends(func(id uint32) []byte {
			return longDataPayload(id, 5, "9103")
		}))
		s.same("its execution by its id", "ld", executes(typed(9103)))
		s.same("a reset of the last statement", last, func(c *rawClient, id uint32) []string {
			c.write(stmtResetPayload(id))
			return []string{fmt.Sprintf("%q", c.read())}
		})
		s.same("the execution by its id after it", "ld", executes(typed(9103)))
		s.same("a close of the last statement", last, sends(func(id uint32) []byte {
			return binary.LittleEndian.AppendUint32([]byte{0x19}, id)
		}))
		s.same("an execution of the closed statement by its id", "ld", executes(typed(9103)))
		s.same("the statement prepared before it", "bang", executes(typed(9103)))
		s.same("an execution of the last statement once it is closed", last, executes(typed(9103)))
		s.same("an older statement, still there", "kv", executes(typed(9103)))

		// The last statement closed by its own id, and the connection
		// reset, leave none.
		s.prepare("again", "SELECT CONCAT(v, '?') FROM kvs WHERE id = ?")
		s.same("a close of the last statement by its id", "again", sends(func(id uint32) []byte {
			return binary.LittleEndian.AppendUint32([]byte{0x19}, id)
		}))
		s.same("an execution of the last statement after that", last, executes(typed(9103)))
		s.prepare("reset", "SELECT CONCAT(v, '#') FROM kvs WHERE id = ?")
		s.same("a reset of the connection", last, func(c *rawClient, id uint32) []string {
			c.write([]byte{0x1f})
			return []string{fmt.Sprintf("%q", c.read())}
		})
		s.same("an execution of the last statement after a reset", last, executes(typed(9103)))

		// A prepare that fails leaves none.
		s.prepare("before", "SELECT CONCAT(v, '%') FROM kvs WHERE id = ?")
		s.same("a prepare that fails", last, func(c *rawClient, id uint32) []string {
			c.write(append([]byte{0x16}, "SELECT "+strings.Repeat("?, ", 1<<16)+"?"...))
			return []string{fmt.Sprintf("%q", c.read())}
		})
		s.same("an execution of the last statement after it", last, executes(typed(9103)))
	})
}

// TestExecuteRefusedWhole: an execution the server refuses before it runs
// its statement is refused whatever its length, and one of more than the
// 64 KiB the proxy reads whole is dropped unread, its answer the server's.
// The proxy let such a one through to the protocol library, which ran a
// statement sent bad long data, and answered one not prepared with a
// client error's number.
func TestExecuteRefusedWhole(t *testing.T) {
	againstNode(t, func(t *testing.T, f *fixture, rc, node *rawClient) {
		s := newStepper(t, rc, node)
		s.prepare("len", "SELECT CONCAT('n=', LENGTH(?))")
		long := func(id uint32) []byte {
			return execPayload(id, []byte{0}, []byte{0xfe, 0}, lenencString(strings.Repeat("x", 70000)))
		}
		s.same("an execution of 70,000 bytes", "len", executes(long))
		s.same("long data for parameter 5 of 1", "len", sends(func(id uint32) []byte { return longDataPayload(id, 5, "x") }))
		s.same("an execution of 70,000 bytes after it", "len", executes(long))
		s.same("one of a statement not prepared", "777", executes(long))
		s.same("a reset", "len", func(c *rawClient, id uint32) []string {
			c.write(stmtResetPayload(id))
			return []string{fmt.Sprintf("%q", c.read())}
		})
		s.same("an execution of 70,000 bytes after the reset", "len", executes(long))
		s.same("a short one after them", "len", executes(func(id uint32) []byte {
			return execPayload(id, []byte{0}, []byte{0xfe, 0}, lenencString("abc"))
		}))
	})
}

// TestExecuteWithoutTypes: a statement with parameters whose execution
// sends no types, when none before it did, is refused by the server
// (1210), unless each parameter is NULL; and so is an execution cut
// before the flag of the types. The protocol library took each such
// parameter for NULL, and answered the statement run with NULLs: an
// empty result, where the server gives an error.
func TestExecuteWithoutTypes(t *testing.T) {
	againstNode(t, func(t *testing.T, f *fixture, rc, node *rawClient) {
		s := newStepper(t, rc, node)
		s.prepare("kv", "SELECT v FROM kvs WHERE id = ?")
		untyped := executes(func(id uint32) []byte { return execPayload(id, []byte{0}, nil, bigint(9103)) })
		typed := executes(func(id uint32) []byte { return execPayload(id, []byte{0}, []byte{8, 0}, bigint(9103)) })
		s.same("a first execution without the types", "kv", untyped)
		s.same("one cut before the NULL bitmap", "kv", executes(func(id uint32) []byte { return execPayload(id, nil, nil, nil)[:10] }))
		s.same("one cut before the flag", "kv", executes(func(id uint32) []byte { return execPayload(id, []byte{0}, nil, nil)[:11] }))
		s.same("long data, and no types", "kv", func(c *rawClient, id uint32) []string {
			c.write(longDataPayload(id, 0, "9103"))
			c.write(execPayload(id, []byte{0}, nil, nil))
			return c.result()
		})
		s.same("the types sent", "kv", typed)
		s.same("then left out", "kv", untyped)

		s.prepare("two", "SELECT v FROM kvs WHERE id = ? OR id = ?")
		s.same("two parameters, both NULL, no types", "two", executes(func(id uint32) []byte { return execPayload(id, []byte{3}, nil, nil) }))
		s.same("one of them NULL, no types", "two", executes(func(id uint32) []byte { return execPayload(id, []byte{1}, nil, bigint(9103)) }))
		s.same("with the types", "two", executes(func(id uint32) []byte {
			return execPayload(id, []byte{0}, []byte{8, 0, 8, 0}, append(bigint(9103), bigint(9104)...))
		}))
	})
}

// TestExecuteTypesFlag: the flag after the NULL bitmap says whether the
// parameters' types follow. MariaDB refuses (1835) a flag other than 0
// and 1, and types cut short, and keeps no types from either: the
// execution without types after them is refused as a first one is
// (1210). The proxy took any flag but 1 for no types, and ran the
// statement with NULLs, and took types cut short for types sent, so that
// the next execution without types ran with NULLs too.
func TestExecuteTypesFlag(t *testing.T) {
	againstNode(t, func(t *testing.T, f *fixture, rc, node *rawClient) {
		s := newStepper(t, rc, node)
		const last = "4294967295"
		untyped := executes(func(id uint32) []byte { return execPayload(id, []byte{0}, nil, bigint(9103)) })
		flagged := func(flag byte, nulls byte) func(c *rawClient, id uint32) []string {
			return executes(func(id uint32) []byte {
				p := execPayload(id, []byte{nulls}, []byte{8, 0}, bigint(9103))
				p[11] = flag
				return p
			})
		}
		cut := executes(func(id uint32) []byte { return execPayload(id, []byte{0}, []byte{8}, nil) })

		s.prepare("a", "SELECT CONCAT(v, 'a') FROM kvs WHERE id = ?")
		s.same("the types cut short", "a", cut)
		s.same("an execution without types after it", "a", untyped)
		s.same("the flag 2", "a", flagged(2, 0))
		s.same("the flag 255", "a", flagged(255, 0))
		s.same("the flag 2, the parameter NULL", "a", flagged(2, 1))
		s.same("an execution without types after them", "a", untyped)
		s.same("the types cut short, of the last statement", last, cut)
		s.same("the flag 2, of the last statement", last, flagged(2, 0))
		s.same("the types sent", "a", flagged(1, 0))
		s.same("an execution without types then", "a", untyped)

		// The packet is checked before the statement's long data, and an
		// execution refused for its long data reads no types.
		s.prepare("ld", "SELECT CONCAT(v, 'ld') FROM kvs WHERE id = ?")
		s.same("long data for parameter 5 of 1", "ld", sends(func(id uint32) []byte { return longDataPayload(id, 5, "x") }))
		s.same("the flag 2 after it", "ld", flagged(2, 0))
		s.same("the types cut short after it", "ld", cut)
		s.same("no types, of the last statement, after it", last, untyped)
		s.same("the types sent after it", "ld", flagged(1, 0))
		s.same("a reset", "ld", func(c *rawClient, id uint32) []string {
			c.write(stmtResetPayload(id))
			return []string{fmt.Sprintf("%q", c.read())}
		})
		s.same("an execution without types after the reset", "ld", untyped)

		// Types longer than the proxy's first read buffer (16 KiB).
		const many = 10000
		s.prepare("many", "SELECT CONCAT('=', COALESCE(?"+strings.Repeat(", ?", many-1)+"))")
		allNulls := bytes.Repeat([]byte{0xff}, (many+7)/8)
		longTypes := bytes.Repeat([]byte{8, 0}, many)
		s.same("10,000 parameters, the types cut short", "many", executes(func(id uint32) []byte {
			return execPayload(id, allNulls, longTypes[:2*many-1], nil)
		}))
		s.same("10,000 parameters, without types, the first not NULL", "many", executes(func(id uint32) []byte {
			nulls := bytes.Clone(allNulls)
			nulls[0] = 0xfe
			return execPayload(id, nulls, nil, bigint(7))
		}))
		s.same("10,000 parameters, the types whole, the first not NULL", "many", executes(func(id uint32) []byte {
			nulls := bytes.Clone(allNulls)
			nulls[0] = 0xfe
			return execPayload(id, nulls, longTypes, bigint(7))
		}))

		s.prepare("zero", "SELECT 'zero'")
		s.same("the flag 2 of a statement without parameters", "zero", executes(func(id uint32) []byte {
			p := execPayload(id, nil, nil, nil)
			p[10] = 2
			return p
		}))
	})
}

// TestExecuteRefused16MiB: an execution of 16 MiB and more, in packets of
// 16 MiB - 1 bytes and the rest, that the server refuses is answered once,
// with the sequence number after its last packet, and the command after
// it gets its own answer. (A node refuses a packet past its
// max_allowed_packet, 16 MiB: the proxy alone.)
func TestExecuteRefused16MiB(t *testing.T) {
	relayOnAndOff(t, func(t *testing.T, f *fixture) {
		rc := dialRaw(t, f)
		id := rc.prepare("SELECT CONCAT('n=', LENGTH(?))")
		// An execution of n bytes, a string parameter's: the bytes after
		// its type are filler, never read.
		huge := func(id uint32, n int) []byte {
			p := execPayload(id, []byte{0}, []byte{0xfe, 0}, nil)
			return append(p, strings.Repeat("x", n-len(p))...)
		}
		for _, tc := range []struct {
			what    string
			payload []byte
			seq     byte
			code    sqlerror.ErrorCode
		}{
			{"16 MiB + 20 bytes of a statement not prepared", huge(777, 1<<24+20), 2, 1243},
			{"exactly 16 MiB - 1 bytes, then an empty packet, of a statement not prepared", huge(777, 1<<24-1), 2, 1243},
			{"32 MiB of a statement not prepared", huge(777, 1<<25), 3, 1243},
			{"16 MiB + 20 bytes after bad long data", huge(id, 1<<24+20), 2, 1210},
			{"16 MiB + 20 bytes with the flag of types 2", func() []byte {
				p := huge(id, 1<<24+20)
				p[11] = 2
				return p
			}(), 2, 1835},
		} {
			if tc.code == 1210 {
				rc.write(longDataPayload(id, 5, "x"))
			}
			rc.write(tc.payload)
			p, seq := rc.readSeq()
			if !isError(p, tc.code) || seq != tc.seq {
				t.Errorf("%s: answered %q with sequence number %d, want error %d with %d", tc.what, p, seq, tc.code, tc.seq)
			}
			rc.write(stmtResetPayload(id))
			if p := rc.read(); len(p) == 0 || p[0] != 0 {
				t.Errorf("%s: the reset after it answered %q, want OK", tc.what, p)
			}
			if got := rc.execute(id, true, 9103); fmt.Sprint(got) != "[n=4]" {
				t.Errorf("%s: the execution after it answered %q, want [n=4]", tc.what, got)
			}
		}
	})
}
