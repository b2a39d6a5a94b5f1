package dev.sluice.spec;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.sluice.StatementListener;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.testkit.PgWireRelay;
import dev.sluice.testkit.TestDatabase;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;

/**
 * Tables shared by the specs, created once per run in the run's own schema, and repositories on them.
 */
final class Fixtures {

    /** Rows in {@code picture}: 1 KiB of data each. */
    static final int PICTURES = 20_000;

    /**
     * The application_name of the specs' relayed connections, to find them in pg_stat_activity: this JVM's only, so
     * that suites run at the same time on one server (other worktrees, CI) neither count nor terminate each other's.
     */
    static final String APPLICATION = "sluice-spec-" + ProcessHandle.current().pid();

    /** Albums in the gallery fixture. */
    static final int ALBUMS = 2000;

    private static boolean picturesReady;
    private static boolean galleryReady;

    private Fixtures() {
    }

    static TestDatabase db() {
        return TestDatabase.get();
    }

    /**
     * {@code picture}: ids 1..20000, names IMG_000001.., taken_at repeating every 997 rows (not unique), 1 KiB of
     * data that differs per row.
     */
    static synchronized void pictures() {
        if (picturesReady) {
            return;
        }
        db().createPictures(PICTURES);
        picturesReady = true;
    }

    /**
     * The gallery: {@code album} 1..2000; album a has a % 7 photos (some none), photo ids not in album order, and
     * 100 orphan photos without an album; 20 tags; photo p has p % 4 tags.
     */
    static synchronized void gallery() {
        if (galleryReady) {
            return;
        }
        db().execute(
                "CREATE TABLE IF NOT EXISTS album (id bigint PRIMARY KEY, title text NOT NULL)",
                "CREATE TABLE IF NOT EXISTS photo (id bigint PRIMARY KEY, album_id bigint REFERENCES album, "
                        + "caption text NOT NULL)",
                "CREATE TABLE IF NOT EXISTS tag (id bigint PRIMARY KEY, name text NOT NULL)",
                "CREATE TABLE IF NOT EXISTS photo_tag (photo_id bigint REFERENCES photo, tag_id bigint REFERENCES tag, "
                        + "PRIMARY KEY (photo_id, tag_id))",
                "INSERT INTO album SELECT a, 'album ' || a FROM generate_series(1, " + ALBUMS + ") a "
                        + "ON CONFLICT DO NOTHING",
                // album a has a % 7 photos (some none); photo ids are not in album order; 100 orphans have no album
                "INSERT INTO photo SELECT 100000 - (a * 10 + p), a, 'photo ' || a || '/' || p "
                        + "FROM generate_series(1, " + ALBUMS + ") a, generate_series(1, 6) p WHERE p <= a % 7 "
                        + "ON CONFLICT DO NOTHING",
                "INSERT INTO photo SELECT 200000 + i, NULL, 'orphan ' || i FROM generate_series(1, 100) i "
                        + "ON CONFLICT DO NOTHING",
                "INSERT INTO tag SELECT t, 'tag ' || chr(122 - t) FROM generate_series(1, 20) t ON CONFLICT DO NOTHING",
                "INSERT INTO photo_tag SELECT p.id, t FROM photo p, generate_series(1, 20) t "
                        + "WHERE t <= p.id % 4 ON CONFLICT DO NOTHING",
                "ANALYZE album", "ANALYZE photo", "ANALYZE tag", "ANALYZE photo_tag");
        galleryReady = true;
    }

    /**
     * The plan PostgreSQL makes for {@code sql} (a statement as Sluice sends it, with {@code $n} parameters) executed
     * with {@code values} (SQL literals, comma-separated), as {@code EXPLAIN} prints it: the statement is prepared,
     * then explained executing with a custom plan, as the driver's prepared statements run.
     */
    static String explain(String sql, String values) {
        db().execute("CREATE OR REPLACE FUNCTION sluice_explain(statement text, args text, name text)"
                + " RETURNS SETOF text LANGUAGE plpgsql AS $f$"
                + " DECLARE line text; BEGIN"
                + " EXECUTE 'SET LOCAL plan_cache_mode = force_custom_plan';"
                + " EXECUTE format('PREPARE %I AS %s', name, statement);"
                + " FOR line IN EXECUTE format('EXPLAIN EXECUTE %I(%s)', name, args) LOOP RETURN NEXT line; END LOOP;"
                + " EXECUTE format('DEALLOCATE %I', name);"
                + " END $f$");
        String name = "sluice_probe_" + Math.abs(sql.hashCode());
        return db().queryString("SELECT string_agg(line, E'\\n') FROM (SELECT 1) one, LATERAL ("
                + "SELECT * FROM sluice_explain($q$" + sql + "$q$, $v$" + values + "$v$, '" + name + "')) AS p(line)");
    }

    /** The first column of the first row, as text: the ground truth for a result. */
    static String queryString(String sql) {
        return db().queryString(sql);
    }

    /** What a forked JVM printed (stdout and stderr) and its exit code. */
    record Forked(int exitCode, String output) {

        /** Whether the JVM was ended by running out of heap, not by any other failure. */
        boolean ranOutOfHeap() {
            return exitCode == OUT_OF_HEAP_EXIT_CODE && output.contains(OUT_OF_HEAP);
        }
    }

    /**
     * What HotSpot prints, to standard output, when {@code -XX:+ExitOnOutOfMemoryError} ends a JVM whose heap ran out;
     * that JVM then exits with {@link #OUT_OF_HEAP_EXIT_CODE}.
     */
    static final String OUT_OF_HEAP = "Terminating due to java.lang.OutOfMemoryError: Java heap space";

    /** The exit code of a JVM ended by {@code -XX:+ExitOnOutOfMemoryError}. */
    static final int OUT_OF_HEAP_EXIT_CODE = 3;

    /**
     * Runs {@code main} with {@code args} in a JVM of 64 MiB of heap, on this JVM's class path. Any OutOfMemoryError
     * ends that JVM (on a driver thread it would otherwise leave main() waiting forever): it prints
     * {@link #OUT_OF_HEAP} and exits with {@link #OUT_OF_HEAP_EXIT_CODE}, which tells it apart from a JVM that failed
     * for another reason (a bad URL, an exception in main), whose exit code is 1.
     */
    static Forked forkSmallHeap(Class<?> main, Duration timeout, String... args) throws IOException,
            InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
                main.getName()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile("sluice-small-heap-", ".log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(main.getSimpleName() + " " + String.join(" ", args) + " did not end within "
                        + timeout + ":\n" + Files.readString(log));
            }
            return new Forked(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Adds a query parameter to an R2DBC URL. */
    static String withParam(String url, String name, Object value) {
        return url + (URI.create(url.replaceFirst("^r2dbc:", "")).getRawQuery() == null ? "?" : "&") + name + "="
                + value;
    }

    /** A repository through the relay, on a pool of {@code poolSize} connections, with the given page sizes. */
    static R2dbcRepo repo(PgWireRelay relay, int poolSize, int minPage, int maxPage) {
        return repo(relay, poolSize, minPage, maxPage, sql -> { });
    }

    /** As {@link #repo(PgWireRelay, int, int, int)}, telling {@code listener} every statement. */
    static R2dbcRepo repo(PgWireRelay relay, int poolSize, int minPage, int maxPage, StatementListener listener) {
        String url = withParam(db().r2dbcUrl("127.0.0.1", relay.port()), "maxSize", poolSize);
        url = withParam(withParam(url, "initialSize", 1), "applicationName", APPLICATION);
        return R2dbcRepo.builder(url).minPageSize(minPage).maxPageSize(maxPage).statementListener(listener).build();
    }

    /** A repository straight to the database, default settings. */
    static R2dbcRepo repo() {
        return R2dbcRepo.create(db().r2dbcUrl());
    }

    /** Sessions of the specs' relayed connections currently inside a transaction, open or idle. */
    static long sessionsInTransaction() {
        return db().queryLong("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + APPLICATION
                + "' AND xact_start IS NOT NULL AND pid <> pg_backend_pid()");
    }

    static PgWireRelay relay() {
        return PgWireRelay.start(db().host(), db().port());
    }
}
