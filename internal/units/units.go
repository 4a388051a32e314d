// Package units holds the types that give scalelab's JSON one convention
// for durations: a float number of milliseconds, in a field named *_ms.
package units

import (
	"bytes"
	"strconv"
	"time"
)

// Ms is a duration that JSON writes as a float number of milliseconds
// (1.5 for 1.5ms), and reads back the same way.
type Ms time.Duration

// D returns d as a time.Duration.
func (d Ms) D() time.Duration { return time.Duration(d) }

// MarshalJSON writes d in milliseconds.
func (d Ms) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(d)/float64(time.Millisecond), 'f', -1, 64), nil
}

// UnmarshalJSON reads milliseconds; null leaves d unchanged.
func (d *Ms) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	*d = Ms(f * float64(time.Millisecond))
	return nil
}

// Round, String and Seconds are time.Duration's.
func (d Ms) Round(m time.Duration) time.Duration { return d.D().Round(m) }
func (d Ms) String() string                      { return d.D().String() }
func (d Ms) Seconds() float64                    { return d.D().Seconds() }
