package flavor

import (
	"math"
	"path/filepath"
	"strconv"
	"time"
)

type mariaDB struct{}

var _ Flavor = mariaDB{}

func (mariaDB) Name() string { return MariaDB }

func (mariaDB) InstallArgs(server, datadir, tmpdir, user string) (string, []string) {
	prog := filepath.Join(filepath.Dir(server), "mariadb-install-db")
	if filepath.Dir(server) == "/usr/sbin" {
		// Debian puts the server in /usr/sbin and the installer in /usr/bin.
		prog = "mariadb-install-db"
	}
	return prog, []string{
		"--no-defaults",
		"--datadir=" + datadir,
		"--tmpdir=" + tmpdir,
		"--user=" + user,
		"--auth-root-authentication-method=normal",
		"--skip-test-db",
		"--skip-name-resolve",
		"--innodb-log-file-size=16M",
		"--innodb-buffer-pool-size=16M",
	}
}

func (mariaDB) ServerOptions(o NodeOptions) []string {
	opts := []string{
		"gtid_strict_mode=ON",
		"log_slave_updates=ON",
		"binlog_format=ROW",
	}
	if o.SemiSync {
		// Built in since 10.3. AFTER_SYNC: a commit is acknowledged to its
		// client only once a replica has the transaction, so a failover to
		// that replica loses no acknowledged write.
		opts = append(opts, "rpl_semi_sync_master_enabled="+onOff(o.Primary), "rpl_semi_sync_slave_enabled=ON",
			"rpl_semi_sync_master_wait_point=AFTER_SYNC")
	}
	if cpu := o.CPU; cpu > 0 {
		// A node with a fraction of a core runs its queries on a thread
		// pool with one group per core it has, as a server sized for its
		// machine would. With a thread per connection, every query wakes a
		// sleeping thread, and on a node throttled to a quarter of a core
		// those wake-ups cost more CPU than the query: a point select took
		// 38 µs of the group's CPU with a thread per connection and 31 µs
		// with the pool, and the slowest ones waited a second instead of
		// 0.15 s.
		opts = append(opts, "thread_handling=pool-of-threads",
			"thread_pool_size="+strconv.Itoa(int(math.Ceil(cpu))))
	}
	return opts
}

func (mariaDB) HideIndex(table, name string, hide bool) string {
	if hide {
		return "ALTER TABLE " + table + " ALTER INDEX " + name + " IGNORED"
	}
	return "ALTER TABLE " + table + " ALTER INDEX " + name + " NOT IGNORED"
}

func (mariaDB) Delay(d time.Duration) string {
	return "CHANGE MASTER TO MASTER_DELAY = " + strconv.Itoa(int(d.Round(time.Second).Seconds()))
}

func (mariaDB) SemiSyncClientsQuery() string {
	return "SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_clients'"
}

func (mariaDB) SemiSyncSource(on bool) string {
	return "SET GLOBAL rpl_semi_sync_master_enabled = " + onOff(on)
}

func (mariaDB) SemiSyncStatusQuery(primary bool) string {
	if primary {
		return "SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_status'"
	}
	return "SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_slave_status'"
}

func (mariaDB) ChangeSource(src Source) (string, []any) {
	return "CHANGE MASTER TO MASTER_HOST=?, MASTER_PORT=?, MASTER_USER=?, MASTER_PASSWORD=?, MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
		[]any{src.Host, src.Port, src.User, src.Password}
}

func (mariaDB) StartReplica() string   { return "START SLAVE" }
func (mariaDB) StopReplica() string    { return "STOP SLAVE" }
func (mariaDB) StopIOThread() string   { return "STOP SLAVE IO_THREAD" }
func (mariaDB) GTIDStateQuery() string { return "SELECT @@GLOBAL.gtid_binlog_state" }

func (mariaDB) SetReadOnly(on bool) []string {
	return []string{"SET GLOBAL read_only = " + onOff(on)}
}

// PrepareRejoin: a former primary has no replica position of its own
// (gtid_slave_pos); it starts from what it logged.
func (mariaDB) PrepareRejoin() []string {
	return []string{"SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_binlog_pos"}
}
func (mariaDB) ResetReplica() string       { return "RESET SLAVE ALL" }
func (mariaDB) ReplicaStatusQuery() string { return "SHOW SLAVE STATUS" }

func (mariaDB) ParseReplicaStatus(row map[string]string) ReplicaStatus {
	if row == nil {
		return ReplicaStatus{SecondsBehind: -1}
	}
	port, _ := strconv.Atoi(row["Master_Port"])
	return ReplicaStatus{
		Configured:    true,
		IORunning:     row["Slave_IO_Running"],
		SQLRunning:    row["Slave_SQL_Running"],
		SecondsBehind: parseSeconds(row["Seconds_Behind_Master"]),
		LastError:     firstNonEmpty(row["Last_IO_Error"], row["Last_SQL_Error"]),
		SourcePort:    port,
		Received:      row["Gtid_IO_Pos"],
	}
}

func (mariaDB) GTIDPositionQuery() string { return "SELECT @@GLOBAL.gtid_current_pos" }
func (mariaDB) LastGTIDQuery() string     { return "SELECT @@last_gtid" }

func (mariaDB) WaitGTID(gtid string, timeout time.Duration) (string, []any) {
	return "SELECT MASTER_GTID_WAIT(?, ?)", []any{gtid, timeout.Seconds()}
}

// MASTER_GTID_WAIT returns 0 when the position is reached and -1 on timeout.
func (mariaDB) WaitTimedOut(result int64) bool { return result != 0 }

func (mariaDB) TableOptions() string {
	return "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci"
}

func (mariaDB) ExplainAnalyze(stmt string) string { return "ANALYZE FORMAT=JSON " + stmt }

func (mariaDB) AppGrant() string {
	return "SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER, CREATE TEMPORARY TABLES, LOCK TABLES, EXECUTE, CREATE VIEW, SHOW VIEW, TRIGGER, REFERENCES"
}

func (mariaDB) AppGlobalGrant() string { return "BINLOG MONITOR, SLAVE MONITOR" }

func (mariaDB) AdminGrant() string { return "ALL PRIVILEGES" }

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
