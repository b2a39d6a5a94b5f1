package dev.sluice.examples;

import java.io.PrintStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;

import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Result;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Loads generated pictures three ways and prints how fast each went: {@code copyIn} of N new pictures, an
 * {@code upsert ... onConflict("sha1").doNothing()} of N pictures half of which are already stored (the duplicates
 * are skipped), and {@code insertAll} of N more new pictures. Pictures are made as the writer asks for them (1 KiB of
 * random data from a seeded {@link Random}, its SHA-1 as the unique key), never held in a list.
 *
 * <pre>
 * mvn -q -Dmaven.test.skip=true -pl examples -am compile exec:java -Dexec.mainClass=dev.sluice.examples.WriteDemo \
 *     -Dexec.args="--rows 100000 --url r2dbc:postgresql://postgres@127.0.0.1:5432/test"
 * </pre>
 *
 * <p>The table is {@value #TABLE} (created if missing, emptied at the start), not the scan demo's {@code picture}.
 * The URL defaults to the environment variable {@value #URL_VARIABLE}, then to {@value #DEFAULT_URL}.
 */
public final class WriteDemo {

    /** The table the demo writes to, bound to {@link Picture} by its {@code @Table}. */
    public static final String TABLE = "picture_load_demo";
    public static final String URL_VARIABLE = "SLUICE_R2DBC_URL";
    public static final String DEFAULT_URL = "r2dbc:postgresql://postgres@127.0.0.1:5432/test";
    public static final int DEFAULT_ROWS = 100_000;

    static final int DATA_BYTES = 1024;
    private static final long SEED = 20260101L;
    private static final Instant NEWEST = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(30);

    /** A picture of the demo: the scan demo's columns, in a table of its own. */
    @Table(TABLE)
    public record Picture(@Id Long id, byte[] sha1, String name, Instant takenAt, int sizeBytes, byte[] data) {
    }

    /**
     * What a run did.
     *
     * @param copied          rows written by {@code copyIn}
     * @param upserted        pictures given to the upsert
     * @param upsertInserted  of those, rows the upsert inserted
     * @param upsertSkipped   of those, rows skipped because their sha1 was already stored
     * @param insertAllInserted rows written by {@code insertAll}
     * @param copyRowsPerSecond      rate of the copy
     * @param upsertRowsPerSecond    rate of the upsert (pictures given per second, inserted or skipped)
     * @param insertAllRowsPerSecond rate of the insertAll
     */
    public record Outcome(long copied, long upserted, long upsertInserted, long upsertSkipped, long insertAllInserted,
                          double copyRowsPerSecond, double upsertRowsPerSecond, double insertAllRowsPerSecond) {
    }

    /** The database could not be reached: said in one line, without a stack trace. */
    public static final class UnreachableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnreachableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private WriteDemo() {
    }

    public static void main(String[] args) {
        String url = System.getenv().getOrDefault(URL_VARIABLE, DEFAULT_URL);
        int rows = DEFAULT_ROWS;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                System.out.println("Usage: WriteDemo [--rows N (default " + DEFAULT_ROWS + ")] [--url R2DBC_URL "
                        + "(default $" + URL_VARIABLE + ", else " + DEFAULT_URL + ")]");
                return;
            }
            int equals = arg.indexOf('=');
            String name = equals < 0 ? arg : arg.substring(0, equals);
            String value = equals >= 0 ? arg.substring(equals + 1) : i + 1 < args.length ? args[++i] : null;
            switch (name) {
                case "--url" -> url = required(name, value);
                case "--rows" -> rows = positive(name, required(name, value));
                default -> fail("Unknown argument " + arg + "; try --help");
            }
        }
        try {
            run(url, rows, System.out);
        } catch (UnreachableException e) {
            fail(e.getMessage());
        }
    }

    /**
     * Runs the demo: empties {@value #TABLE} (creating it if needed), then copies, upserts and inserts {@code rows}
     * pictures each way, printing a line per way to {@code out}.
     *
     * @throws UnreachableException if no connection to {@code url} can be made within 5 seconds
     */
    public static Outcome run(String url, int rows, PrintStream out) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(out, "out");
        if (rows < 2) {
            throw new IllegalArgumentException("rows must be at least 2, got " + rows);
        }
        try (R2dbcRepo repo = R2dbcRepo.create(url)) {
            prepareTable(repo.connectionFactory(), url);
            out.printf(Locale.ROOT, "Writing %,d pictures of %d bytes each way into %s%n", rows, DATA_BYTES, TABLE);

            // 1. COPY: the fastest way in; one statement, all rows or none, nothing returned but the count
            long start = System.nanoTime();
            long copied = repo.copyIn(Picture.class, pictures(0, rows)).block(STEP_TIMEOUT);
            double copyRate = perSecond(rows, start);
            out.printf(Locale.ROOT, "copyIn     %,9d rows  %,10.0f rows/s%n", copied, copyRate);

            // 2. upsert with half of the pictures already stored: the duplicates are skipped, not errors
            int overlapFrom = rows / 2;
            start = System.nanoTime();
            long inserted = repo.upsert(Picture.class).onConflict("sha1").doNothing()
                    .all(pictures(overlapFrom, rows))
                    .count().block(STEP_TIMEOUT);
            double upsertRate = perSecond(rows, start);
            long skipped = rows - inserted;
            out.printf(Locale.ROOT, "upsert     %,9d rows  %,10.0f rows/s  (%,d inserted, %,d skipped as duplicates)%n",
                    rows, upsertRate, inserted, skipped);

            // 3. insertAll: batched multi-row INSERT ... RETURNING, every row comes back with its generated id
            start = System.nanoTime();
            long insertedAll = repo.insertAll(pictures(overlapFrom + rows, rows)).count().block(STEP_TIMEOUT);
            double insertAllRate = perSecond(rows, start);
            out.printf(Locale.ROOT, "insertAll  %,9d rows  %,10.0f rows/s%n", insertedAll, insertAllRate);

            return new Outcome(copied, rows, inserted, skipped, insertedAll, copyRate, upsertRate, insertAllRate);
        }
    }

    /** Pictures {@code from} to {@code from + count - 1}, each made when it is requested. */
    public static Flux<Picture> pictures(int from, int count) {
        return Flux.range(from, count).map(WriteDemo::picture);
    }

    /** Picture number {@code n}: the same data (and so the same sha1) every time, different for every n. */
    public static Picture picture(int n) {
        byte[] data = new byte[DATA_BYTES];
        new Random(SEED + n).nextBytes(data);
        return new Picture(null, sha1(data), String.format(Locale.ROOT, "IMG_%07d", n),
                NEWEST.minusSeconds(60L * n), DATA_BYTES, data);
    }

    private static byte[] sha1(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-1", e);
        }
    }

    private static void prepareTable(ConnectionFactory factory, String url) {
        String ddl = "CREATE TABLE IF NOT EXISTS " + TABLE + " (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
                + " sha1 bytea NOT NULL UNIQUE, name text NOT NULL, taken_at timestamptz NOT NULL,"
                + " size_bytes int NOT NULL, data bytea NOT NULL)";
        Mono<Long> setUp = Mono.usingWhen(factory.create(),
                c -> Flux.concat(update(c, ddl), update(c, "TRUNCATE " + TABLE + " RESTART IDENTITY")).then(Mono.just(0L)),
                Connection::close);
        try {
            // only the connection is timed: a large table may take a while to truncate
            Mono.usingWhen(factory.create(), c -> update(c, "SELECT 1"), Connection::close)
                    .timeout(CONNECT_TIMEOUT).block();
        } catch (RuntimeException e) {
            throw new UnreachableException("Cannot reach the database at " + masked(url) + " ("
                    + rootMessage(e) + "). Start PostgreSQL, or pass --url or set " + URL_VARIABLE + ".", e);
        }
        setUp.block(STEP_TIMEOUT);
    }

    private static Mono<Long> update(Connection c, String sql) {
        return Flux.from(c.createStatement(sql).execute()).flatMap(Result::getRowsUpdated).reduce(0L, Long::sum);
    }

    private static double perSecond(long rows, long startNanos) {
        return rows / Math.max((System.nanoTime() - startNanos) / 1e9, 1e-9);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
    }

    /** The URL with its password, if any, replaced by {@code ***}. */
    static String masked(String url) {
        return url.replaceAll("//([^:/@]+):[^@/]*@", "//$1:***@");
    }

    private static String required(String name, String value) {
        if (value == null || value.isBlank()) {
            fail(name + " needs a value");
        }
        return value;
    }

    private static int positive(String name, String value) {
        try {
            int n = Integer.parseInt(value.replace("_", "").replace(",", ""));
            if (n >= 2) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        fail(name + " must be a whole number of at least 2, got " + value);
        return 0;
    }

    private static void fail(String message) {
        System.err.println(message);
        System.exit(1);
    }
}
