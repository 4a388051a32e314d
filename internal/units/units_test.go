package units

import (
	"encoding/json"
	"testing"
	"time"
)

func TestMsRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{{1500 * time.Microsecond, "1.5"}, {0, "0"}, {2 * time.Second, "2000"}, {1, "0.000001"}} {
		b, err := json.Marshal(Ms(tc.d))
		if err != nil || string(b) != tc.want {
			t.Errorf("%v: got %s, %v; want %s", tc.d, b, err, tc.want)
		}
		var back Ms
		if err := json.Unmarshal(b, &back); err != nil || back.D() != tc.d {
			t.Errorf("%s read back as %v, %v; want %v", b, back.D(), err, tc.d)
		}
	}
}
