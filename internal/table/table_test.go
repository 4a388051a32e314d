package table

import (
	"strings"
	"testing"
)

func TestNumeric(t *testing.T) {
	for s, want := range map[string]bool{
		"12": true, "1,234.5": true, "-3": true, "0.125ms": true, "2.5×": true, "40%": true, "-": true, "": true,
		"1e6": true, "512MiB": true, "0/primary": false, "up": false, "Yes": false, "0-25803-6": false, "127.0.0.1:24000": false, "idx_a": false,
	} {
		if got := Numeric(s); got != want {
			t.Errorf("Numeric(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestWriteAligns: numbers right, text left, headers as written.
func TestWriteAligns(t *testing.T) {
	var b strings.Builder
	if err := Write(&b, []string{"node", "qps"}, [][]string{{"0/primary", "5"}, {"0/replica-1", "12,345"}}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "node") || strings.Contains(out, "NODE") {
		t.Errorf("header case changed:\n%s", out)
	}
	if !strings.Contains(out, "│ 0/primary   │      5 │") {
		t.Errorf("want the name left and the number right:\n%s", out)
	}
}
