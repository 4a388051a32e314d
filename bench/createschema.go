package bench

import (
	"context"
	"fmt"
	"strings"
)

// CreateSchema creates the database name if it does not exist, as
// mysqlslap's --create-schema does, through e (a connection that need not
// have a current database). The name is quoted as an identifier, so any name
// is safe to pass.
//
// With grant set, e must hold the GRANT OPTION (a sandbox's admin user):
// the statement grant (flavor.GrantApp) then gives the application user
// its privileges on the new database, which it has on no other.
func CreateSchema(ctx context.Context, e Execer, name string, grant func(db string) (string, []any)) error {
	if name == "" {
		return fmt.Errorf("bench: create schema: empty database name")
	}
	if _, err := e.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS "+quoteIdent(name)); err != nil {
		return fmt.Errorf("create schema %s: %w", name, err)
	}
	if grant != nil {
		q, args := grant(name)
		if _, err := e.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("create schema %s: grant the application user: %w", name, err)
		}
	}
	return nil
}

// quoteIdent quotes name as a MySQL identifier: backticks around it, and
// every backtick in it doubled.
func quoteIdent(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}
