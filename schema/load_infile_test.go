package schema

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/scalelab/scalelab/internal/dbtest"
)

func TestAppendTSV(t *testing.T) {
	dt := time.Date(2024, 2, 29, 23, 59, 58, 123000, time.FixedZone("X", 3600))
	tests := []struct {
		name string
		vals []any
		want string
	}{
		{"like", Like{ID: 1, ImageID: 2, UserID: 3, Dt: dt}.Values(), "1\t2\t3\t2024-02-29 22:59:58.000123\n"},
		{"NULL parent", Image{ID: 10, UserID: 3, Name: "Misty river", Path: "photos/3/10.jpg", Dt: dt}.Values(),
			"10\t3\t\\N\tMisty river\tphotos/3/10.jpg\t2024-02-29 22:59:58.000123\n"},
		{"escapes", []any{uint64(1), "a\tb\nc\\d\re\x00f", `\N`}, "1\ta\\tb\\nc\\\\d\\re\\0f\t\\\\N\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(appendTSV(nil, tc.vals)); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestInsertSQL(t *testing.T) {
	got := insertSQL(TableLikes, columnsOf(TableLikes), 2)
	want := "INSERT INTO `likes` (`id`, `image_id`, `user_id`, `dt`) VALUES (?,?,?,?),(?,?,?,?)"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestInfileEscapingOnServer checks appendTSV against a real server's
// LOAD DATA: every awkward string comes back byte for byte, and \N is NULL.
func TestInfileEscapingOnServer(t *testing.T) {
	sb := dbtest.Sandbox(t)
	topo := sb.Topology
	db := dbtest.Open(t, topo, topo.Shards[0].Primary.HostPort)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, q := range []string{
		"DROP TABLE IF EXISTS load_escape",
		"CREATE TABLE load_escape (id BIGINT UNSIGNED PRIMARY KEY, s VARCHAR(64) NULL) DEFAULT CHARSET=utf8mb4",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { db.ExecContext(context.Background(), "DROP TABLE IF EXISTS load_escape") })

	want := []sql.NullString{
		{String: "tab\there", Valid: true},
		{String: "new\nline", Valid: true},
		{String: `back\slash`, Valid: true},
		{String: "cr\rlf\r\n", Valid: true},
		{String: "nul\x00byte", Valid: true},
		{String: `\N`, Valid: true},
		{String: "N", Valid: true},
		{String: "", Valid: true},
		{}, // NULL
		{String: "caf\u00e9 \u2603", Valid: true},
	}
	var b []byte
	for i, s := range want {
		var v any
		if s.Valid {
			v = s.String
		}
		b = appendTSV(b, []any{uint64(i), v})
	}
	mysql.RegisterReaderHandler("schema-escape-test", func() io.Reader { return bytes.NewReader(b) })
	defer mysql.DeregisterReaderHandler("schema-escape-test")
	res, err := db.ExecContext(ctx, infileSQL("schema-escape-test", "load_escape", []string{"id", "s"}))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != int64(len(want)) {
		t.Fatalf("loaded %d rows, want %d", n, len(want))
	}
	for i, w := range want {
		var got sql.NullString
		if err := db.QueryRowContext(ctx, "SELECT s FROM load_escape WHERE id = ?", i).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != w {
			t.Errorf("row %d: got %q (valid %v), want %q (valid %v)", i, got.String, got.Valid, w.String, w.Valid)
		}
	}
}
