// One client of the proxy's compatibility matrix: Java's JDBC with MariaDB
// Connector/J, run from source (java -cp mariadb-java-client.jar
// Matrix.java MODE). MODE "text" keeps the driver's defaults, its login
// statement included (it appends STRICT_TRANS_TABLES to the session's
// sql_mode with CONCAT): Connector/J 2.x prepares statements on the
// client and sends the parameters in the text (COM_QUERY). MODE
// "server-prepare" sets useServerPrepStmts=true: COM_STMT_PREPARE and
// COM_STMT_EXECUTE, the binary protocol, with a blob parameter sent by
// COM_STMT_SEND_LONG_DATA.
// Prints "version V", then "ok CHECK" or "fail CHECK: why" per check.
import java.math.BigDecimal;
import java.sql.*;
import java.time.LocalDate;
import java.util.*;

public class Matrix {
    interface Check { void run() throws Exception; }

    static void check(String name, Check c) {
        try {
            c.run();
            System.out.println("ok " + name);
        } catch (Throwable e) {
            System.out.println("fail " + name + ": " + e.toString().replace("\n", " "));
        }
        System.out.flush();
    }

    static void must(boolean cond, Object what) {
        if (!cond) throw new AssertionError("unexpected: " + what);
    }

    static Connection conn;

    // q runs a statement with parameters (set by their Java type, as an
    // application does) and returns all rows, each value by getObject.
    static List<List<Object>> q(String sql, Object... params) throws SQLException {
        try (PreparedStatement st = conn.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                Object p = params[i];
                if (p instanceof Long) st.setLong(i + 1, (Long) p);
                else if (p instanceof Integer) st.setInt(i + 1, (Integer) p);
                else if (p instanceof Double) st.setDouble(i + 1, (Double) p);
                else if (p instanceof BigDecimal) st.setBigDecimal(i + 1, (BigDecimal) p);
                else if (p instanceof String) st.setString(i + 1, (String) p);
                else if (p instanceof LocalDate) st.setDate(i + 1, java.sql.Date.valueOf((LocalDate) p));
                else if (p instanceof byte[]) st.setBytes(i + 1, (byte[]) p);
                else if (p == null) st.setNull(i + 1, Types.INTEGER);
                else throw new IllegalArgumentException("no setter for " + p.getClass());
            }
            List<List<Object>> rows = new ArrayList<>();
            if (!st.execute()) return rows;
            try (ResultSet rs = st.getResultSet()) {
                rows.addAll(read(rs));
            }
            return rows;
        }
    }

    static List<List<Object>> read(ResultSet rs) throws SQLException {
        List<List<Object>> rows = new ArrayList<>();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
            List<Object> row = new ArrayList<>();
            for (int i = 1; i <= n; i++) row.add(rs.getObject(i));
            rows.add(row);
        }
        return rows;
    }

    static long asLong(Object o) {
        return ((Number) o).longValue();
    }

    // expectError runs sql as the other checks do, through a
    // PreparedStatement: with server prepares the error comes back to
    // COM_STMT_PREPARE or COM_STMT_EXECUTE.
    static void expectError(String sql, int code) throws Exception {
        try (PreparedStatement st = conn.prepareStatement(sql)) {
            st.execute();
        } catch (SQLException e) {
            must(e.getErrorCode() == code, e.getErrorCode() + " " + e.getMessage());
            return;
        }
        throw new AssertionError("no error");
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Map<String, String> env = System.getenv();
        long base = Long.parseLong(env.get("SL_BASE"));
        String url = "jdbc:mariadb://" + env.get("SL_HOST") + ":" + env.get("SL_PORT") + "/" + env.get("SL_DB");
        Properties props = new Properties();
        props.setProperty("user", env.get("SL_USER"));
        props.setProperty("password", env.get("SL_PASSWORD"));
        switch (mode) {
            case "text": break;
            case "server-prepare": props.setProperty("useServerPrepStmts", "true"); break;
            default: throw new IllegalArgumentException("mode " + mode + ": want text or server-prepare");
        }

        // The version line comes first, and only a connection's metadata
        // has the driver's full version: connect, then report.
        SQLException authErr = null;
        try {
            conn = DriverManager.getConnection(url, props);
        } catch (SQLException e) {
            authErr = e;
        }
        Driver d = DriverManager.getDriver(url);
        System.out.println("version " + (conn != null ? conn.getMetaData().getDriverVersion() : d.getMajorVersion() + "." + d.getMinorVersion()));
        final SQLException authFail = authErr;
        check("auth", () -> { if (authFail != null) throw authFail; });
        if (conn == null) return;

        check("types", () -> {
            byte[] blob = {0x00, (byte) 0xff};
            q("INSERT INTO clientmatrix (id, i, f, d, s, n, dt, b) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                base, 42, 1.5, new BigDecimal("12.34"), "it's", null, LocalDate.of(2024, 2, 29), blob);
            try (PreparedStatement st = conn.prepareStatement("SELECT /*+ scalelab_consistency=strong */ i, f, d, s, n, dt, b FROM clientmatrix WHERE id = ?")) {
                st.setLong(1, base);
                try (ResultSet rs = st.executeQuery()) {
                    must(rs.next(), "no row");
                    int i = rs.getInt(1);
                    double f = rs.getDouble(2);
                    BigDecimal dec = rs.getBigDecimal(3);
                    String s = rs.getString(4);
                    Object n = rs.getObject(5);
                    java.sql.Date dt = rs.getDate(6);
                    byte[] b = rs.getBytes(7);
                    List<Object> got = Arrays.asList(i, f, dec, s, n, dt, b == null ? null : Arrays.toString(b));
                    must(i == 42 && f == 1.5 && new BigDecimal("12.34").equals(dec) && "it's".equals(s) && n == null
                        && dt != null && dt.toLocalDate().equals(LocalDate.of(2024, 2, 29)) && Arrays.equals(b, blob), got);
                }
            }
        });
        check("shard_key", () -> {
            for (long k = 1; k <= 5; k++) q("INSERT INTO clientmatrix (id, s) VALUES (?, ?)", base + k, "m" + base);
            for (long k = 1; k <= 5; k++) {
                List<List<Object>> r = q("SELECT /*+ scalelab_consistency=strong */ id FROM clientmatrix WHERE id = ?", base + k);
                must(r.size() == 1 && asLong(r.get(0).get(0)) == base + k, r);
            }
        });
        check("scatter", () -> {
            List<Object> r = q("SELECT /*+ scalelab_consistency=strong */ COUNT(*), SUM(id) FROM clientmatrix WHERE s = ?", "m" + base).get(0);
            must(asLong(r.get(0)) == 5 && asLong(r.get(1)) == 5 * base + 15, r);
            List<List<Object>> ids = q("SELECT /*+ scalelab_consistency=strong */ id FROM clientmatrix WHERE s = ? ORDER BY id DESC LIMIT 2", "m" + base);
            must(ids.size() == 2 && asLong(ids.get(0).get(0)) == base + 5 && asLong(ids.get(1).get(0)) == base + 4, ids);
        });
        check("transaction", () -> {
            // JDBC's transactions: setAutoCommit(false) opens one, rollback
            // and commit end it.
            conn.setAutoCommit(false);
            try {
                q("INSERT INTO clientmatrix (id, s) VALUES (?, 'rolled back')", base + 10);
                conn.rollback();
                q("INSERT INTO clientmatrix (id, s) VALUES (?, 'committed')", base + 11);
                conn.commit();
            } finally {
                conn.setAutoCommit(true);
            }
            List<List<Object>> r = q("SELECT /*+ scalelab_consistency=strong */ COUNT(*) FROM clientmatrix WHERE id IN (?, ?)", base + 10, base + 11);
            must(asLong(r.get(0).get(0)) == 1, r);
        });
        check("server_error", () -> expectError("SELECT nope FROM clientmatrix WHERE id = 1", 1054));
        check("refused_shape", () -> expectError("SELECT a.id FROM clientmatrix a JOIN clientmatrix b ON a.i = b.i", 1235));
        check("procedure", () -> {
            // A plain Statement, a text query (COM_QUERY) in both modes:
            // Connector/J 2.x prepares a CallableStatement ("{call two()}")
            // on the server even without useServerPrepStmts, and the proxy
            // refuses a prepared CALL that returns more than one result set
            // (it sends a prepared statement's first set only), saying to
            // run it as a text query, as here.
            List<List<List<Object>>> sets = new ArrayList<>();
            try (Statement st = conn.createStatement()) {
                for (boolean isSet = st.execute("CALL two()"); isSet || st.getUpdateCount() != -1; isSet = st.getMoreResults()) {
                    if (isSet) {
                        try (ResultSet rs = st.getResultSet()) {
                            sets.add(read(rs));
                        }
                    }
                }
            }
            must(sets.size() == 2 && sets.get(0).size() == 1 && asLong(sets.get(0).get(0).get(0)) == 1
                && sets.get(1).size() == 1 && asLong(sets.get(1).get(0).get(0)) == 2, sets);
        });
        conn.close();
    }
}
