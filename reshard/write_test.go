package reshard

import (
	"bytes"
	"encoding/json"
	"github.com/scalelab/scalelab/internal/units"
	"strings"
	"testing"
	"time"
)

func TestResultWrite(t *testing.T) {
	res := &Result{
		From: []string{"-80", "80-"}, To: []string{"-40", "40-80", "80-"},
		Tables: []TableResult{
			{Table: "items", Total: 200, Moved: 50, PerShard: map[string]int64{"-40": 50, "40-80": 50, "80-": 100}},
			{Table: "empty", PerShard: map[string]int64{}},
		},
		Elapsed: units.Ms(1234567890 * time.Nanosecond),
	}
	var b bytes.Buffer
	if err := res.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"│ items │        200 │         50 │    25.0 │ -40:50 40-80:50 80-:100 │",
		"│ empty │          0 │          0 │     0.0 │ -40:0 40-80:0 80-:0     │",
		"[-80 80-] → [-40 40-80 80-]: moved 50 of 200 rows in 1.235s\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	if err := res.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var back Result
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back.Moved() != 50 || back.Elapsed != res.Elapsed {
		t.Errorf("JSON does not round-trip: %v, %+v", err, back)
	}
}
