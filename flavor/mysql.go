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

func (mySQL) HideIndex(table, name string, hide bool) string {
	if hide {
		return "ALTER TABLE " + table + " ALTER INDEX " + name + " INVISIBLE"
	}
	return "ALTER TABLE " + table + " ALTER INDEX " + name + " VISIBLE"
}

func (mySQL) Delay(d time.Duration) string {
	return "CHANGE REPLICATION SOURCE TO SOURCE_DELAY = " + strconv.Itoa(int(d.Round(time.Second).Seconds()))
}

func (mySQL) SemiSyncClientsQuery() string {
	return "SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_source_clients'"
}

func (mySQL) SemiSyncSource(on bool) string {
	return "SET GLOBAL rpl_semi_sync_source_enabled = " + onOff(on)
}

func (mySQL) SemiSyncStatusQuery(primary bool) string {
	if primary {
		return "SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_source_status'"
	}
	return "SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_replica_status'"
}

// ServerOptions: MySQL's community server has no thread pool (it is an
// Enterprise plugin), so a limited node keeps a thread per connection.
func (mySQL) ServerOptions(o NodeOptions) []string {
	opts := []string{
		"gtid_mode=ON",
		"enforce_gtid_consistency=ON",
		"log_replica_updates=ON",
		"mysqlx=OFF",
		"skip_replica_start=OFF",
	}
	if o.SemiSync {
		// Plugins in MySQL; the source_/replica_ names are 8.0.26's.
		opts = append(opts, "plugin-load-add=semisync_source.so", "plugin-load-add=semisync_replica.so",
			"rpl_semi_sync_source_enabled="+onOff(o.Primary), "rpl_semi_sync_replica_enabled=ON",
			"rpl_semi_sync_source_wait_point=AFTER_SYNC")
	}
	return opts
}

func (mySQL) ChangeSource(src Source) (string, []any) {
	return "CHANGE REPLICATION SOURCE TO SOURCE_HOST=?, SOURCE_PORT=?, SOURCE_USER=?, SOURCE_PASSWORD=?, SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1, SOURCE_CONNECT_RETRY=1",
		[]any{src.Host, src.Port, src.User, src.Password}
}

func (mySQL) StartReplica() string    { return "START REPLICA" }
func (mySQL) StopReplica() string     { return "STOP REPLICA" }
func (mySQL) StopIOThread() string    { return "STOP REPLICA IO_THREAD" }
func (mySQL) GTIDStateQuery() string  { return "SELECT @@GLOBAL.gtid_executed" }
func (mySQL) PrepareRejoin() []string { return nil } // auto-positioning uses gtid_executed

func (mySQL) SetReadOnly(on bool) []string {
	if on {
		return []string{"SET GLOBAL read_only = ON", "SET GLOBAL super_read_only = ON"}
	}
	return []string{"SET GLOBAL super_read_only = OFF", "SET GLOBAL read_only = OFF"}
}
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
		Received:      row["Retrieved_Gtid_Set"],
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
