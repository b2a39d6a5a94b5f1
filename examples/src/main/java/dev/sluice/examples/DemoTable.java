package dev.sluice.examples;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.Result;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The scan demo's setup: checks that the database answers, then creates the {@code picture} table if missing and
 * fills it on the server ({@code generate_series}, 1 KiB per row) up to the rows asked for, so later runs only scan.
 * Plain R2DBC, so that none of it counts as the scan's statements.
 */
final class DemoTable {

    private static final String CREATE_TABLE = """
            create table if not exists %s (
                id bigint generated always as identity primary key,
                sha1 bytea not null unique,
                name text not null,
                taken_at timestamptz not null,
                size_bytes int not null,
                data bytea not null)""";

    /** Row i gets 1024 bytes: the 16-byte md5 of i, 64 times. Format arguments: table, sha1 expression, from, to. */
    private static final String FILL = """
            insert into %1$s (sha1, name, taken_at, size_bytes, data)
            select %2$s, 'picture-' || i || '.jpg', timestamptz '2020-01-01 00:00:00+00' + i * interval '1 minute',
                   1024, data
            from generate_series(%3$d::bigint, %4$d::bigint) as i,
                 lateral (select decode(repeat(md5(i::text), 64), 'hex') as data) as d""";

    /** The real SHA-1, from pgcrypto. */
    private static final String SHA1 = "digest(data, 'sha1')";

    /**
     * Without pgcrypto: not a digest of the data, but a unique 20-byte value all the same (the 16 bytes of the md5
     * of i, which differ for every i, then 4 more).
     */
    private static final String SHA1_STAND_IN = "decode(md5(i::text) || left(md5('sha1' || i), 8), 'hex')";

    private static final long FILL_BATCH = 100_000;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private DemoTable() {
    }

    /**
     * Makes sure the table exists with at least {@code options.rows()} rows, printing progress to {@code out}.
     *
     * @return the rows the table has
     * @throws ScanDemo.DatabaseUnavailableException if no connection can be made within 5 seconds
     */
    static long prepare(ConnectionFactory database, ScanDemoOptions options, PrintStream out) {
        checkConnection(database, options);
        return fill(database, options, out);
    }

    private static void checkConnection(ConnectionFactory database, ScanDemoOptions options) {
        try {
            queryOne(database, "select 1", Integer.class).timeout(CONNECT_TIMEOUT).block();
        } catch (RuntimeException e) {
            Throwable cause = Exceptions.unwrap(e);
            String reason = cause instanceof TimeoutException
                    ? "no answer within " + CONNECT_TIMEOUT.toSeconds() + " s" : reason(cause);
            throw new ScanDemo.DatabaseUnavailableException(String.format(Locale.ROOT, """
                    Cannot connect to PostgreSQL at %s: %s
                    To run the demo, do one of:
                      - start PostgreSQL locally; on Debian: \
                    pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start
                      - pass --url r2dbc:postgresql://user:password@host:5432/db
                      - set SLUICE_R2DBC_URL=r2dbc:postgresql://user:password@host:5432/db""",
                    address(options.url()), reason), cause);
        }
    }

    /** Creates the table if missing and fills it up to the requested rows; returns how many rows it has. */
    private static long fill(ConnectionFactory database, ScanDemoOptions options, PrintStream out) {
        String table = options.table();
        if (options.schema() != null) {
            execute(database, "create schema if not exists \"" + options.schema() + '"');
        }
        execute(database, String.format(CREATE_TABLE, table));
        long existing = queryOne(database, "select count(*) from " + table, Long.class).block();
        if (existing >= options.rows()) {
            out.printf(Locale.ROOT, "Table %s has %,d rows already.%n", table, existing);
            return existing;
        }
        String sha1 = sha1Expression(database, options.schema() != null ? options.schema() : "public", out);
        out.printf(Locale.ROOT, "Filling table %s from %,d to %,d rows on the server (generate_series, 1 KiB each)%n",
                table, existing, options.rows());
        long start = System.nanoTime();
        Progress progress = new Progress(out, existing, options.rows());
        for (long from = existing + 1; from <= options.rows(); from += FILL_BATCH) {
            long to = Math.min(options.rows(), from + FILL_BATCH - 1);
            execute(database, String.format(Locale.ROOT, FILL, table, sha1, from, to));
            progress.update(to);
        }
        progress.finish(options.rows());
        out.println("Vacuuming and analyzing it");
        execute(database, "vacuum analyze " + table);
        out.printf(Locale.ROOT, "Filled %,d rows in %.1f s.%n", options.rows() - existing,
                (System.nanoTime() - start) / 1e9);
        return options.rows();
    }

    /**
     * The real SHA-1 when pgcrypto can be had, otherwise a unique stand-in. When the database has no pgcrypto yet,
     * it goes into {@code schema}, so that dropping the demo's own schema leaves nothing of the demo behind.
     */
    private static String sha1Expression(ConnectionFactory database, String schema, PrintStream out) {
        try {
            execute(database, "create extension if not exists pgcrypto schema \"" + schema + '"');
        } catch (R2dbcException e) {
            out.println("Cannot create extension pgcrypto (" + e.getMessage() + ")");
        }
        if (queryOne(database, "select to_regprocedure('digest(bytea, text)') is not null", Boolean.class).block()) {
            return SHA1;
        }
        out.println("pgcrypto is not available: column sha1 gets a unique 20-byte value, not the SHA-1 of data");
        return SHA1_STAND_IN;
    }

    /** Runs one statement that returns no rows, on a connection of its own. */
    private static void execute(ConnectionFactory database, String sql) {
        Mono.usingWhen(database.create(),
                connection -> Flux.from(connection.createStatement(sql).execute())
                        .concatMap(Result::getRowsUpdated)
                        .then(),
                Connection::close)
                .block();
    }

    /** Runs one query on a connection of its own and emits the first column of its one row. */
    private static <T> Mono<T> queryOne(ConnectionFactory database, String sql, Class<T> type) {
        return Mono.usingWhen(database.create(),
                connection -> Flux.from(connection.createStatement(sql).execute())
                        .concatMap(result -> result.map(row -> Objects.requireNonNull(row.get(0, type))))
                        .single(),
                Connection::close);
    }

    /** Where a URL points, without its password: {@code user@host:port/database}. */
    private static String address(String url) {
        ConnectionFactoryOptions options = ConnectionFactoryOptions.parse(url);
        Object user = options.getValue(ConnectionFactoryOptions.USER);
        Object port = options.getValue(ConnectionFactoryOptions.PORT);
        Object database = options.getValue(ConnectionFactoryOptions.DATABASE);
        return (user != null ? user + "@" : "") + options.getValue(ConnectionFactoryOptions.HOST)
                + ":" + (port != null ? port : 5432) + "/" + (database != null ? database : "");
    }

    /** The error's message and its root cause: {@code Cannot connect to ... (ConnectException: Connection refused)}. */
    private static String reason(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String message = Objects.toString(error.getMessage(), error.getClass().getSimpleName());
        return root == error ? message
                : message + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }
}
