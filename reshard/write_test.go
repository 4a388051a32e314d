package reshard

import (
	"bytes"
	"encoding/json"
	"github.com/scalelab/scalelab/internal/units"
	"github.com/scalelab/scalelab/shard"
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

func TestProgressWrite(t *testing.T) {
	behind := int64(334)
	p := &Progress{Workflow: "a reshard [-80 80-] → [-40 40-80 80-c0 c0-]", Phase: "caught-up", Online: true, RowsCopied: 1500, RowsTotal: 3000,
		Sources: []SourceProgress{
			{Shard: "-80", Applied: BinlogPos{"binlog.000001", 100}, Written: BinlogPos{"binlog.000001", 434}, Behind: &behind},
			{Shard: "80-", Applied: BinlogPos{"binlog.000001", 100}, Written: BinlogPos{"binlog.000002", 4}},
		}}
	var b strings.Builder
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`(online), after phase "caught-up"; 1500 of 3000 rows copied`, "shard -80: applied to binlog.000001:100, written to binlog.000001:434, 334 bytes behind", "shard 80-: applied to binlog.000001:100, written to binlog.000002:4, in another binlog file"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("got\n%s\nwant %q", b.String(), want)
		}
	}
}

func TestInside(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"-40", "-80", true}, {"40-80", "-80", true}, {"80-c0", "80-", true}, {"c0-", "80-", true},
		{"-40", "80-", false}, {"40-c0", "-80", false}, {"80-", "-80", false}, {"-80", "0", true},
	} {
		a, _ := shard.ParseKeyRange(tc.a)
		b, _ := shard.ParseKeyRange(tc.b)
		if got := inside(a, b); got != tc.want {
			t.Errorf("%s inside %s: %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
