package proxy

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"net"

	vtmysql "vitess.io/vitess/go/mysql"
	querypb "vitess.io/vitess/go/vt/proto/query"
)

// auth checks client logins against Config.Users. It accepts
// mysql_native_password and caching_sha2_password. The proxy knows each
// password in plain text, so a caching_sha2_password scramble can always be
// checked on the fast path: there is no cache to miss, and therefore no
// full authentication exchange (which would need TLS or RSA) is needed.
type auth struct {
	users    map[string]string
	methods  []vtmysql.AuthMethod
	onReject func() // counts refused logins; never nil after newAuth
}

var _ vtmysql.AuthServer = (*auth)(nil)

func newAuth(users map[string]string) *auth {
	a := &auth{users: users, onReject: func() {}}
	a.methods = []vtmysql.AuthMethod{
		vtmysql.NewMysqlNativeAuthMethod(a, a),
		&sha2Method{a: a},
	}
	return a
}

func (a *auth) AuthMethods() []vtmysql.AuthMethod { return a.methods }

func (a *auth) DefaultAuthMethodDescription() vtmysql.AuthMethodDescription {
	return vtmysql.MysqlNativePassword
}

// HandleUser accepts every name, so that an unknown user gets the same
// 1045 as a wrong password rather than an auth-method error.
func (a *auth) HandleUser(string) bool { return true }

// UserEntryWithHash checks a mysql_native_password scramble.
func (a *auth) UserEntryWithHash(c *vtmysql.Conn, salt []byte, user string, resp []byte, _ net.Addr) (vtmysql.Getter, error) {
	pw, ok := a.users[user]
	if ok && pw == "" && len(resp) == 0 {
		return accepted(c, user)
	}
	if !ok || pw == "" || subtle.ConstantTimeCompare(resp, vtmysql.ScrambleMysqlNativePassword(salt, []byte(pw))) != 1 {
		return nil, a.deny(user)
	}
	return accepted(c, user)
}

func (a *auth) deny(user string) error {
	a.onReject()
	return errAccessDenied(user)
}

// accepted is the login of user on c, as the protocol library keeps it.
// The connection is known to KILL from here on, before the client is told
// (a client that got its login's OK may send its id to another at once),
// and its session speaks the login's character set (loginNames).
func accepted(c *vtmysql.Conn, user string) (vtmysql.Getter, error) {
	if cc, ok := c.GetRawConn().(*clientConn); ok {
		cc.l.ready(cc, c.ConnectionID, user)
		if err := cc.l.s.loginNames(c); err != nil {
			return nil, err
		}
	}
	return userData(user), nil
}

type userData string

func (u userData) Get() *querypb.VTGateCallerID { return &querypb.VTGateCallerID{Username: string(u)} }

// sha2Method is caching_sha2_password with the fast path only.
type sha2Method struct{ a *auth }

// Fast-auth result bytes of caching_sha2_password's "more data" packet.
const (
	authMoreData    = 0x01
	sha2FastAuthOK  = 0x03
	saltLen         = 20
	saltTerminator  = 0x00
	scrambleSHA2Len = 32
)

func (m *sha2Method) Name() vtmysql.AuthMethodDescription   { return vtmysql.CachingSha2Password }
func (m *sha2Method) HandleUser(*vtmysql.Conn, string) bool { return true }
func (m *sha2Method) AllowClearTextWithoutTLS() bool        { return true }
func (m *sha2Method) AuthPluginData() ([]byte, error) {
	salt, err := newSalt()
	if err != nil {
		return nil, err
	}
	return append(salt, saltTerminator), nil
}

func (m *sha2Method) HandleAuthPluginData(c *vtmysql.Conn, user string, server, resp []byte, _ net.Addr) (vtmysql.Getter, error) {
	pw, ok := m.a.users[user]
	if !ok || len(server) < saltLen {
		return nil, m.a.deny(user)
	}
	if pw == "" {
		// An empty password sends an empty response and needs no more data.
		if len(bytes.TrimRight(resp, "\x00")) == 0 {
			return accepted(c, user)
		}
		return nil, m.a.deny(user)
	}
	want := vtmysql.ScrambleCachingSha2Password(server[:saltLen], []byte(pw))
	if len(resp) != scrambleSHA2Len || subtle.ConstantTimeCompare(resp, want) != 1 {
		return nil, m.a.deny(user)
	}
	// WritePacket wants room for the 4-byte header before the payload.
	if err := c.WritePacket([]byte{0, 0, 0, 0, authMoreData, sha2FastAuthOK}); err != nil {
		return nil, err
	}
	return accepted(c, user)
}

// newSalt returns 20 random printable bytes, without NUL or '$', as MySQL's
// scrambles are.
func newSalt() ([]byte, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	for i, b := range salt {
		salt[i] = b&0x7f | 0x21 // 0x21..0x7f: printable, never NUL
		if salt[i] == '$' || salt[i] == 0x7f {
			salt[i] = 'x'
		}
	}
	return salt, nil
}
