package resultset

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/scalelab/scalelab/router"
)

func TestWriteTable(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  Set
		want string
	}{
		{"names as sent", Set{Columns: []string{"a b", "NULL"}, Rows: [][]string{{"x", "NULL"}}}, `┌─────┬──────┐
│ a b │ NULL │
├─────┼──────┤
│ x   │ NULL │
└─────┴──────┘
`},
		{"no rows", Set{Columns: []string{"id"}, Rows: [][]string{}}, `┌────┐
│ id │
└────┘
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.set.WriteTable(&b); err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// TestFromDiagnostics: the session's own answer to SHOW WARNINGS and SHOW
// COUNT(*) WARNINGS reads as the server's result would.
func TestFromDiagnostics(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    router.DiagnosticsAnswer
		want Set
	}{
		{"a list", router.DiagnosticsAnswer{Conditions: []router.Condition{{Level: "Warning", Code: 1062, Message: "Duplicate entry '1' for key 'PRIMARY'"}}},
			Set{Columns: []string{"Level", "Code", "Message"}, Rows: [][]string{{"Warning", "1062", "Duplicate entry '1' for key 'PRIMARY'"}}}},
		{"an empty list", router.DiagnosticsAnswer{},
			Set{Columns: []string{"Level", "Code", "Message"}, Rows: [][]string{}}},
		{"counts", router.DiagnosticsAnswer{Columns: []string{"@@warning_count", "@@error_count"}, Counts: []uint64{3, 0}},
			Set{Columns: []string{"@@warning_count", "@@error_count"}, Rows: [][]string{{"3", "0"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FromResult(&router.Result{Diagnostics: &tc.d})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("%+v, want %+v", *got, tc.want)
			}
		})
	}
}
