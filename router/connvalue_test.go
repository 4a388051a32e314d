package router_test

import (
	"context"
	"errors"
	"testing"

	"github.com/scalelab/scalelab/router"
)

// TestConnectionValuesRefused: statements that read a value of the
// connection that ran the statement before them are refused where the
// router cannot answer them: the diagnostics (SHOW WARNINGS and the
// like) everywhere, FOUND_ROWS() and the others on the pooled router. A
// SHOW WARNINGS after a statement with a warning answered another
// connection's warnings (or none), and the pooled FOUND_ROWS() 1 after a
// SELECT SQL_CALC_FOUND_ROWS that found 4.
func TestConnectionValuesRefused(t *testing.T) {
	r, _ := openRouter(t, router.Config{Replica: quiet()})
	ctx := context.Background()
	s := r.NewSession()
	defer s.Close()
	var n int64
	if err := s.GetContext(ctx, &n, "SELECT CAST('abc' AS SIGNED)"); err != nil {
		t.Fatal(err) // a warning: truncated incorrect INTEGER value
	}
	for _, q := range []string{"SHOW WARNINGS", "SHOW COUNT(*) WARNINGS", "SELECT @@warning_count", "SHOW ERRORS", "GET DIAGNOSTICS @n = NUMBER", "SHOW WARNINGS;;", "SHOW COUNT(*) WARNINGS;", "show errors ; ;",
		"SET STATEMENT max_statement_time=100 FOR SHOW WARNINGS", "GET DIAGNOSTICS@n=NUMBER", "PREPARE s FROM 'SHOW WARNINGS'",
		"PREPARE s FROM 'SELECT FOUND_ROWS()'", "SELECT @@identity", "SELECT @@last_insert_id", "SHOW SESSION VARIABLES LIKE 'last_insert_id'"} {
		for name, run := range map[string]func() error{
			"session": func() error { _, err := s.QueryContext(ctx, q); return err },
			"pooled":  func() error { _, err := r.QueryContext(ctx, q); return err },
		} {
			if err := run(); !errors.Is(err, router.ErrConnectionValue) {
				t.Errorf("%s through the %s: %v, want ErrConnectionValue", q, name, err)
			}
		}
	}
	for _, q := range []string{"SELECT FOUND_ROWS()", "SELECT LAST_INSERT_ID()", "SELECT ROW_COUNT()", "SELECT CONNECTION_ID()", "SELECT LAST_INSERT_ID(5)"} {
		if _, err := r.QueryContext(ctx, q); !errors.Is(err, router.ErrConnectionValue) {
			t.Errorf("%s through the pooled router: %v, want ErrConnectionValue", q, err)
		}
	}
	// The session answers these itself.
	if err := s.GetContext(ctx, &n, "SELECT ROW_COUNT()"); err != nil {
		t.Errorf("SELECT ROW_COUNT() in a session: %v", err)
	}
}
