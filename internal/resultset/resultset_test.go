package resultset

import (
	"bytes"
	"testing"
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
