package shard

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/go-sql-driver/mysql"
	"vitess.io/vitess/go/vt/sqlparser"
)

// A hold stops writes to one table on one server while a reshard or a
// table move switches, as Vitess's denied tables do: three triggers
// refuse every INSERT, UPDATE and DELETE of the table with error
// HoldErrno and a message that starts with HoldPrefix, so that the
// statement changes nothing, and a router that sees the error waits for
// the new topology and runs the statement again where it now belongs
// (router.Config.SwitchBuffer). The triggers stop every client, root
// included, except sessions that set the user variable HoldBypass (the
// reshard's own copy and catch-up).
const (
	HoldErrno  = 1644 // ER_SIGNAL_EXCEPTION
	HoldPrefix = "scalelab-hold: "
	// HoldBypass is the user variable that lets a session write through
	// a hold; a connector sets it with mysql.Config.Params.
	HoldBypass = "@scalelab_hold_bypass"
)

// holdEvents are the writes a hold refuses, with their trigger suffixes.
var holdEvents = [][2]string{{"INSERT", "i"}, {"UPDATE", "u"}, {"DELETE", "d"}}

// IsHeld reports whether err is a hold's refusal: the statement did not
// change anything and may run again once the switch is over.
func IsHeld(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == HoldErrno && strings.HasPrefix(me.Message, HoldPrefix)
}

// HoldStatements are the statements that hold table of database schema
// (empty: the session's) on a server; each is idempotent. Run them with
// sql_log_bin off, so that the hold stays on that server and out of the
// binlog the catch-up reads.
func HoldStatements(schema, table, why string) []string {
	msg := HoldPrefix + "writes to " + table + " are held: " + why + "; retry"
	if len(msg) > 128 { // MESSAGE_TEXT's limit
		msg = msg[:128]
	}
	var out []string
	for _, ev := range holdEvents {
		out = append(out, "CREATE TRIGGER IF NOT EXISTS "+holdTrigger(schema, table, ev[1])+
			" BEFORE "+ev[0]+" ON "+qualify(schema, table)+
			" FOR EACH ROW IF "+HoldBypass+" IS NULL THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = "+
			sqlparser.String(sqlparser.NewStrLiteral(msg))+", MYSQL_ERRNO = 1644; END IF")
	}
	return out
}

// ReleaseStatements drop the hold triggers of table of database schema;
// each is idempotent.
func ReleaseStatements(schema, table string) []string {
	var out []string
	for _, ev := range holdEvents {
		out = append(out, "DROP TRIGGER IF EXISTS "+holdTrigger(schema, table, ev[1]))
	}
	return out
}

// HoldsQuery lists the tables a server holds, as schema.table.
const HoldsQuery = "SELECT DISTINCT CONCAT(EVENT_OBJECT_SCHEMA, '.', EVENT_OBJECT_TABLE) FROM information_schema.TRIGGERS WHERE TRIGGER_NAME LIKE 'scalelab\\_hold\\_%' ORDER BY 1"

func qualify(schema, name string) string {
	q := sqlparser.String(sqlparser.NewIdentifierCS(name))
	if schema == "" {
		return q
	}
	return sqlparser.String(sqlparser.NewIdentifierCS(schema)) + "." + q
}

// holdTrigger names the hold trigger of table of schema for one event,
// within the 64 characters a name may have.
func holdTrigger(schema, table, ev string) string {
	name := "scalelab_hold_" + table
	if len(name) > 60 {
		sum := sha256.Sum256([]byte(table))
		name = "scalelab_hold_" + hex.EncodeToString(sum[:8])
	}
	return qualify(schema, name+"_"+ev)
}
