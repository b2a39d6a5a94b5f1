package dev.sluice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The CPU time PostgreSQL's backends of the benchmark's database have used, read from {@code /proc/PID/stat} (user and
 * system time, in clock ticks of 10 ms): the server's share of a variant's work, beside the client's JVM CPU time.
 * Only when the server runs on this machine and {@code /proc} is readable; otherwise NaN.
 */
final class ServerCpu implements AutoCloseable {

    private static final double SECONDS_PER_TICK = 0.01;

    private final Connection jdbc;

    ServerCpu(Db db) throws SQLException {
        this.jdbc = db.jdbc("");
    }

    /** The CPU seconds used so far by every backend connected to this database now, NaN if not readable. */
    double seconds() {
        List<Long> pids = new ArrayList<>();
        try (Statement s = jdbc.createStatement(); ResultSet rs = s.executeQuery("SELECT pid FROM pg_stat_activity "
                + "WHERE datname = current_database() AND backend_type = 'client backend'")) {
            while (rs.next()) {
                pids.add(rs.getLong(1));
            }
        } catch (SQLException e) {
            return Double.NaN;
        }
        long ticks = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
                // after the command name in parentheses: state is field 3; utime and stime are fields 14 and 15
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (IOException | RuntimeException e) {
                return Double.NaN;
            }
        }
        return ticks * SECONDS_PER_TICK;
    }

    @Override
    public void close() throws SQLException {
        jdbc.close();
    }
}
