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
func CreateSchema(ctx context.Context, e Execer, name string) error {
	if name == "" {
		return fmt.Errorf("bench: create schema: empty database name")
	}
	if _, err := e.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS "+quoteIdent(name)); err != nil {
		return fmt.Errorf("create schema %s: %w", name, err)
	}
	return nil
}

// quoteIdent quotes name as a MySQL identifier: backticks around it, and
// every backtick in it doubled.
func quoteIdent(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}
