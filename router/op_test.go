package router

import (
	"slices"
	"testing"
)

// TestRewindDest: a select retried on another node (its replica failed
// while the rows were being scanned) scans into dest from where dest stood
// before the first try, so the rows the failed try appended are not
// returned twice.
func TestRewindDest(t *testing.T) {
	dest := []int{7} // a caller's slice that already holds a row
	o := &op{kind: opSelect, dest: &dest}
	o.rewindDest() // the first try
	dest = append(dest, 1, 2)
	o.rewindDest() // the retry
	if !slices.Equal(dest, []int{7}) {
		t.Fatalf("dest before the retry: %v, want [7]", dest)
	}
	dest = append(dest, 1, 2, 3)
	o.rewindDest()
	if !slices.Equal(dest, []int{7}) {
		t.Fatalf("dest before a third try: %v, want [7]", dest)
	}
	for _, bad := range []any{nil, dest, new(int), (*[]int)(nil)} {
		(&op{kind: opSelect, dest: bad}).rewindDest() // left for sqlx to refuse, no panic
	}
}
