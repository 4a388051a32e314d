package router

import (
	"errors"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
)

// TestPartialWriteKinds: a write over several shards left in part is an
// ErrPartialWrite (1180 through the proxy), naming the shards that took
// it; a statement that runs shard by shard (DDL) and failed on a later
// shard keeps its server's error (1050, a table that exists), which
// migration tools look for.
func TestPartialWriteKinds(t *testing.T) {
	exists := &mysql.MySQLError{Number: 1050, Message: "Table 't' already exists"}
	write := &partialWrite{committed: []string{"-80"}, error: exists}
	ddl := &partialWrite{committed: []string{"-80"}, shardByShard: true, error: exists}
	if !errors.Is(write, ErrPartialWrite) || !strings.Contains(write.Error(), "shards -80 committed") {
		t.Errorf("a write left in part: %v; want ErrPartialWrite naming -80", write)
	}
	var me *mysql.MySQLError
	if errors.Is(ddl, ErrPartialWrite) || !errors.As(ddl, &me) || me.Number != 1050 || !strings.Contains(ddl.Error(), "ran on shards -80") {
		t.Errorf("DDL that failed on a later shard: %v; want the server's 1050, naming -80, and no ErrPartialWrite", ddl)
	}
}
