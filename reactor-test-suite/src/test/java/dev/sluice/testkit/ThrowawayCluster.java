package dev.sluice.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * A PostgreSQL cluster of the suite's own on a free port, for specs that stop, restart or break a server: never
 * the developer's own. Made with Debian's {@code pg_createcluster} (as root, which these machines and CI are),
 * trusting local connections, and removed by {@link #close()}; clusters left by a killed JVM (named
 * {@code sluice_<pid>_<n>} after a process that is gone) are removed when the next one is made.
 *
 * <p>{@link #unavailableBecause()} says why none can be made here (no PostgreSQL server binaries, not root), so a
 * spec can skip with that message.
 */
public final class ThrowawayCluster implements AutoCloseable {

    private static final String PREFIX = "sluice_";
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final String TRUST_ALL = """
            local all all trust
            local replication all trust
            host all all 127.0.0.1/32 trust
            host replication all 127.0.0.1/32 trust
            """;

    private final String version;
    private final String name;
    private final int port;

    private ThrowawayCluster(String version, String name, int port) {
        this.version = version;
        this.name = name;
        this.port = port;
    }

    /** Why no cluster can be made on this machine; null when one can. */
    public static @Nullable String unavailableBecause() {
        if (!Files.isExecutable(Path.of("/usr/bin/pg_createcluster"))) {
            return "needs Debian's PostgreSQL server tools (pg_createcluster) to make a throwaway cluster; "
                    + "apt-get install postgresql";
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return "needs to run as root to make a throwaway PostgreSQL cluster with pg_createcluster";
        }
        if (version() == null) {
            return "found no PostgreSQL version under /etc/postgresql";
        }
        return null;
    }

    /** Makes and starts a cluster on a free port. */
    public static ThrowawayCluster start() {
        String reason = unavailableBecause();
        if (reason != null) {
            throw new IllegalStateException(reason);
        }
        String version = version();
        removeAbandoned(version);
        String name = PREFIX + ProcessHandle.current().pid() + "_" + COUNT.incrementAndGet();
        int port = freePort();
        run("pg_createcluster", version, name, "--port", Integer.toString(port));
        ThrowawayCluster cluster = new ThrowawayCluster(version, name, port);
        try {
            Files.writeString(Path.of("/etc/postgresql", version, name, "pg_hba.conf"), TRUST_ALL,
                    StandardCharsets.UTF_8);
            cluster.ctl("start");
            return cluster;
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw new IllegalStateException("could not start the throwaway cluster " + name, e);
        }
    }

    /**
     * Makes a streaming replica of {@code primary} and starts it: a cluster on a free port whose data directory is
     * a {@code pg_basebackup -R -X stream} of the primary (so it replays the primary's WAL and serves reads, hot
     * standby). Remove it with {@link #close()}, before or after the primary.
     */
    public static ThrowawayCluster replicaOf(ThrowawayCluster primary) {
        String version = primary.version;
        String name = PREFIX + ProcessHandle.current().pid() + "_" + COUNT.incrementAndGet();
        int port = freePort();
        run("pg_createcluster", version, name, "--port", Integer.toString(port));
        ThrowawayCluster replica = new ThrowawayCluster(version, name, port);
        try {
            Path data = Path.of("/var/lib/postgresql", version, name);
            try (var files = Files.walk(data)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    if (!p.equals(data)) {
                        Files.delete(p);
                    }
                }
            }
            // without stdin from /dev/null (run does that), a password prompt would loop forever
            run("su", "postgres", "-c", "pg_basebackup -h 127.0.0.1 -p " + primary.port + " -U postgres -D " + data
                    + " -R -X stream --checkpoint=fast");
            Files.writeString(Path.of("/etc/postgresql", version, name, "pg_hba.conf"), TRUST_ALL,
                    StandardCharsets.UTF_8);
            replica.ctl("start");
            return replica;
        } catch (IOException | RuntimeException e) {
            replica.close();
            throw new IllegalStateException("could not make the replica " + name + " of " + primary.name, e);
        }
    }

    /**
     * Waits until this replica has replayed everything {@code primary} has written so far.
     *
     * @throws IllegalStateException if it has not within 60 seconds
     */
    public void awaitReplayOf(ThrowawayCluster primary) {
        String position = primary.psql("SELECT pg_current_wal_lsn()");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!"t".equals(psql("SELECT coalesce(pg_last_wal_replay_lsn() >= '" + position + "'::pg_lsn, false)"))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " has not replayed the primary's WAL up to " + position
                        + " within 60 s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    public int port() {
        return port;
    }

    /** An R2DBC URL for the cluster's {@code postgres} database, with {@code query} appended ("" for none). */
    public String r2dbcUrl(String query) {
        return "r2dbc:postgresql://postgres@127.0.0.1:" + port + "/postgres" + (query.isEmpty() ? "" : "?" + query);
    }

    /** Restarts the server (fast shutdown: every connection is closed). */
    public void restart() {
        ctl("restart", "-m", "fast");
    }

    /** Stops the server (fast shutdown). */
    public void stop() {
        ctl("stop", "-m", "fast");
    }

    /** Starts it again after {@link #stop()}. */
    public void startAgain() {
        ctl("start");
    }

    /** Runs SQL through psql as the postgres user, returning what it printed (unaligned, tuples only). */
    public String psql(String sql) {
        return run("psql", "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres", "-d", "postgres",
                "-XtAq", "-v", "ON_ERROR_STOP=1", "-c", sql).strip();
    }

    /** Stops and removes the cluster, its data and configuration. */
    @Override
    public void close() {
        run("pg_dropcluster", "--stop", version, name);
    }

    private void ctl(String... args) {
        List<String> command = new ArrayList<>(List.of("pg_ctlcluster", "--skip-systemctl-redirect", version, name));
        command.addAll(List.of(args));
        run(command.toArray(String[]::new));
    }

    private static @Nullable String version() {
        try (var versions = Files.list(Path.of("/etc/postgresql"))) {
            return versions.map(p -> p.getFileName().toString()).sorted().reduce((a, b) -> b).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** Drops clusters this class made in processes that no longer run. */
    private static void removeAbandoned(String version) {
        try (var clusters = Files.list(Path.of("/etc/postgresql", version))) {
            for (Path dir : clusters.toList()) {
                String cluster = dir.getFileName().toString();
                if (!cluster.startsWith(PREFIX)) {
                    continue;
                }
                String[] parts = cluster.split("_");
                boolean alive = parts.length == 3 && parts[1].chars().allMatch(Character::isDigit)
                        && ProcessHandle.of(Long.parseLong(parts[1])).isPresent();
                if (!alive) {
                    run("pg_dropcluster", "--stop", version, cluster);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not list /etc/postgresql/" + version, e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    private static String run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in 60 s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (exit " + process.exitValue()
                        + "): " + output);
            }
            return output;
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
        }
    }
}
