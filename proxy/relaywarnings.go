package proxy

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/scalelab/scalelab/internal/wire"
	"github.com/scalelab/scalelab/router"
)

// listWarnings lists, with SHOW WARNINGS, the conditions of the statement
// bc just answered, for the session to answer the client's own SHOW
// WARNINGS (router.Session.RelayedConditions): the connection is the one
// that holds them. An error leaves bc unfit for another statement.
func (bc *backendConn) listWarnings(deprecateEOF bool) ([]router.Condition, error) {
	if err := bc.writePacket(0, append([]byte{comQuery}, "SHOW WARNINGS"...)); err != nil {
		return nil, err
	}
	b, err := bc.readPacket()
	if err != nil {
		return nil, err
	}
	if p := b[4:]; len(p) > 0 && p[0] == 0xff {
		return nil, fmt.Errorf("proxy: relay: SHOW WARNINGS: %w", backendError(p))
	} else if n, _, ok := wire.Lenenc(p); !ok || n != 3 {
		return nil, fmt.Errorf("proxy: relay: SHOW WARNINGS answered %x", p[:min(len(p), 9)])
	}
	skip := 3 // the column definitions
	if !deprecateEOF {
		skip++ // and their EOF
	}
	for range skip {
		if _, err := bc.readPacket(); err != nil {
			return nil, err
		}
	}
	conds := []router.Condition{}
	for {
		b, err := bc.readPacket()
		if err != nil {
			return nil, err
		}
		p := b[4:]
		switch {
		case len(p) > 0 && p[0] == 0xff:
			return nil, fmt.Errorf("proxy: relay: SHOW WARNINGS: %w", backendError(p))
		case len(p) > 0 && p[0] == 0xfe && len(p) < wire.MaxPayload:
			return conds, nil
		}
		var cols [3]string
		for i := range cols {
			s, n, ok := wire.LenencString(p)
			if !ok {
				return nil, errors.New("proxy: relay: SHOW WARNINGS: a row cut short")
			}
			cols[i], p = string(s), p[n:]
		}
		code, err := strconv.ParseUint(cols[1], 10, 16)
		if err != nil {
			return nil, fmt.Errorf("proxy: relay: SHOW WARNINGS: code %q", cols[1])
		}
		conds = append(conds, router.Condition{Level: cols[0], Code: uint16(code), Message: cols[2]})
	}
}
