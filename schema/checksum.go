package schema

import (
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
	"time"
)

// datetime6 is how MariaDB and MySQL render a DATETIME(6) value as a string.
const datetime6 = "2006-01-02 15:04:05.000000"

// Checksum fingerprints a table's rows the way the server computes it with
// ChecksumSQL: Count is COUNT(*), and CRC is the BIT_XOR over the rows of
// CRC32(CONCAT_WS('#', every column in DDL order)). Because XOR ignores row
// order, it does not matter how rows were loaded or how a shard returns
// them; because CONCAT_WS skips NULL, a NULL and a missing value look the
// same, which is fine for nullable parent_id alone.
//
// The zero value is the checksum of no rows. Two checksums are equal exactly
// when == says so. A Checksum is a value; Add is not safe for concurrent use.
type Checksum struct {
	Count uint64
	CRC   uint64
}

// Add accumulates one row, rendering each value as CONCAT_WS does: ids in
// decimal, strings as their bytes, times in UTC as 2006-01-02
// 15:04:05.000000, and nil (NULL) skipped with its separator. The rendering
// matches the server only if the row was stored in UTC: the go-sql-driver
// default loc=UTC does that.
func (c *Checksum) Add(r Row) {
	var arr [256]byte
	c.Count++
	c.CRC ^= uint64(crc32.ChecksumIEEE(appendConcatWS(arr[:0], r.Values())))
}

// Combine returns the checksum of the union of two disjoint row sets, such
// as one table's shards: counts add and CRCs XOR, which is also how to
// combine the per-shard results of ChecksumSQL.
func (c Checksum) Combine(o Checksum) Checksum {
	return Checksum{Count: c.Count + o.Count, CRC: c.CRC ^ o.CRC}
}

// String returns the checksum as "N rows, crc 0xXXXXXXXX" for messages.
func (c Checksum) String() string {
	return fmt.Sprintf("%d rows, crc 0x%08x", c.Count, c.CRC)
}

// appendConcatWS appends what CONCAT_WS('#', values...) returns on the
// server. The value types are the ones Row.Values documents.
func appendConcatWS(b []byte, values []any) []byte {
	sep := false
	for _, v := range values {
		if v == nil {
			continue
		}
		if sep {
			b = append(b, '#')
		}
		sep = true
		switch v := v.(type) {
		case uint64:
			b = strconv.AppendUint(b, v, 10)
		case string:
			b = append(b, v...)
		case time.Time:
			b = v.UTC().AppendFormat(b, datetime6)
		default:
			panic(fmt.Sprintf("schema: checksum of a %T value", v)) // unreachable: Row is closed
		}
	}
	return b
}

// ChecksumSQL returns the query that computes table's Checksum on a server,
// one row of two BIGINT UNSIGNED columns to scan into Count and CRC:
//
//	SELECT COUNT(*), BIT_XOR(CRC32(CONCAT_WS('#', `id`, ...))) FROM `likes`
//
// BIT_XOR of no rows is 0, so an empty table matches the zero Checksum. On a
// sharded table run it on every shard's primary and Combine the results. An
// unknown table returns an error wrapping ErrUnknownTable.
func ChecksumSQL(table string) (string, error) {
	t, err := lookupTable(table)
	if err != nil {
		return "", err
	}
	cols := make([]string, len(t.columns))
	for i, c := range t.columns {
		cols[i] = quoteIdent(c.name)
	}
	return "SELECT COUNT(*), BIT_XOR(CRC32(CONCAT_WS('#', " + strings.Join(cols, ", ") + "))) FROM " + quoteIdent(t.name), nil
}

// Checksum streams every row of table and returns its Checksum, the value
// that ChecksumSQL must return after a complete load. An unknown table
// returns an error wrapping ErrUnknownTable.
func (g *Generator) Checksum(table string) (Checksum, error) {
	n, err := g.Count(table)
	if err != nil {
		return Checksum{}, err
	}
	var c Checksum
	err = g.Range(table, 1, n, func(r Row) error {
		c.Add(r)
		return nil
	})
	return c, err
}
