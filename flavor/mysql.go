package flavor

import (
	"strconv"
	"time"
)

type mySQL struct{}

var _ Flavor = mySQL{}

func (mySQL) Name() string { return MySQL }

func (mySQL) InstallArgs(server, datadir, tmpdir, user string) (string, []string) {
	return server, []string{
		"--no-defaults",
		"--initialize-insecure",
		"--datadir=" + datadir,
		"--tmpdir=" + tmpdir,
		"--user=" + user,
		"--innodb-log-file-size=16M",
	}
}

// ServerOptions: MySQL's community server has no thread pool (it is an
// Enterprise plugin), so a limited node keeps a thread per connection.
func (mySQL) ServerOptions(float64) []string {
	return []string{
		"gtid_mode=ON",
		"enforce_gtid_consistency=ON",
		"log_replica_updates=ON",
		"mysqlx=OFF",
		"skip_replica_start=OFF",
	}
}

func (mySQL) ChangeSource(src Source) (string, []any) {
	return "CHANGE REPLICATION SOURCE TO SOURCE_HOST=?, SOURCE_PORT=?, SOURCE_USER=?, SOURCE_PASSWORD=?, SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1, SOURCE_CONNECT_RETRY=1",
		[]any{src.Host, src.Port, src.User, src.Password}
}

func (mySQL) StartReplica() string       { return "START REPLICA" }
func (mySQL) StopReplica() string        { return "STOP REPLICA" }
func (mySQL) ResetReplica() string       { return "RESET REPLICA ALL" }
func (mySQL) ReplicaStatusQuery() string { return "SHOW REPLICA STATUS" }

func (mySQL) ParseReplicaStatus(row map[string]string) ReplicaStatus {
	if row == nil {
		return ReplicaStatus{SecondsBehind: -1}
	}
	port, _ := strconv.Atoi(row["Source_Port"])
	return ReplicaStatus{
		Configured:    true,
		IORunning:     row["Replica_IO_Running"],
		SQLRunning:    row["Replica_SQL_Running"],
		SecondsBehind: parseSeconds(row["Seconds_Behind_Source"]),
		LastError:     firstNonEmpty(row["Last_IO_Error"], row["Last_SQL_Error"]),
		SourcePort:    port,
	}
}

func (mySQL) GTIDPositionQuery() string { return "SELECT @@GLOBAL.gtid_executed" }

// LastGTIDQuery reads the whole executed set, which contains the session's
// last write; waiting for it is correct, if sometimes longer than needed.
func (mySQL) LastGTIDQuery() string { return "SELECT @@GLOBAL.gtid_executed" }

func (mySQL) WaitGTID(gtid string, timeout time.Duration) (string, []any) {
	return "SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?)", []any{gtid, timeout.Seconds()}
}

// WAIT_FOR_EXECUTED_GTID_SET returns 0 on success and 1 on timeout.
func (mySQL) WaitTimedOut(result int64) bool { return result != 0 }

func (mySQL) TableOptions() string {
	return "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci"
}

func (mySQL) ExplainAnalyze(stmt string) string { return "EXPLAIN ANALYZE " + stmt }

func (mySQL) AppGrant() string {
	return "SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER, CREATE TEMPORARY TABLES, LOCK TABLES, EXECUTE, CREATE VIEW, SHOW VIEW, TRIGGER, REFERENCES"
}

func (mySQL) AppGlobalGrant() string { return "REPLICATION CLIENT" }

func (mySQL) AdminGrant() string { return "ALL PRIVILEGES" }
