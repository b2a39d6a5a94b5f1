package dev.sluice.examples;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import dev.sluice.r2dbc.R2dbcRepo;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Option;
import io.r2dbc.spi.R2dbcException;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.tcp.TcpResources;

/**
 * Streams a whole table of 1 KiB pictures with Sluice and reports throughput, statements sent and peak heap: a
 * million rows (1 GiB of picture data) pass through a few tens of megabytes of heap, because the subscriber's
 * demand ({@code limitRate(500)}) decides how many rows the database sends.
 *
 * <p>The {@code picture} table is created when missing and filled on the server ({@code generate_series}) up to the
 * requested number of rows, so later runs only scan. Run it with
 * {@code mvn -pl examples exec:java -Dexec.args="--rows 20000"}; {@code --help} lists the options. Exit codes: 0 done,
 * 1 no database, 2 bad arguments.
 */
public final class ScanDemo {

    private static final String USAGE = String.format(Locale.ROOT, """
            Usage: ScanDemo [--url R2DBC_URL] [--rows N] [--schema NAME] [--help]
              --url R2DBC_URL  the PostgreSQL database; default: $SLUICE_R2DBC_URL if set, else
                               %s
              --rows N         fill the picture table up to at least N rows, then scan it all; default %,d
              --schema NAME    keep the picture table in this schema, created if missing, e.g. for a test
                               of its own; default: the connection's search_path (usually public)
              --help           print this and exit
            Exit codes: 0 done, 1 no database, 2 bad arguments.""", Options.DEFAULT_URL, Options.DEFAULT_ROWS);

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
    private static final int SCAN_RATE = 500;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private ScanDemo() {
    }

    /**
     * What to run against.
     *
     * @param url    an R2DBC URL of a PostgreSQL database, e.g. {@code r2dbc:postgresql://user:password@host:5432/db}
     * @param rows   the table is filled up to at least this many rows before the scan
     * @param schema the schema to keep the {@code picture} table in, created if missing; {@code null} for the
     *               connection's default (its {@code search_path})
     */
    public record Options(String url, long rows, String schema) {

        /** The URL used when neither {@code --url} nor {@code SLUICE_R2DBC_URL} gives one. */
        public static final String DEFAULT_URL = "r2dbc:postgresql://postgres@127.0.0.1:5432/test";

        /** The number of rows used when {@code --rows} is not given. */
        public static final long DEFAULT_ROWS = 1_000_000;

        private static final String URL_VARIABLE = "SLUICE_R2DBC_URL";
        private static final Option<String> SCHEMA_OPTION = Option.valueOf("schema");
        private static final Pattern PLAIN_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

        /**
         * @throws IllegalArgumentException if the URL is not a PostgreSQL R2DBC URL, rows is negative or the schema
         *                                  is not a plain lower-case name
         */
        public Options {
            Objects.requireNonNull(url, "url");
            ConnectionFactoryOptions parsed = ConnectionFactoryOptions.parse(url);
            Object driver = parsed.getValue(ConnectionFactoryOptions.DRIVER);
            if (!isPostgres(driver) && !("pool".equals(driver)
                    && isPostgres(parsed.getValue(ConnectionFactoryOptions.PROTOCOL)))) {
                throw new IllegalArgumentException("the demo needs PostgreSQL: give a URL such as " + DEFAULT_URL);
            }
            if (schema != null && parsed.hasOption(SCHEMA_OPTION)) {
                throw new IllegalArgumentException("give the schema either in the URL or with --schema, not both");
            }
            if (rows < 0) {
                throw new IllegalArgumentException("--rows must be 0 or more, got " + rows);
            }
            if (schema != null && !PLAIN_NAME.matcher(schema).matches()) {
                throw new IllegalArgumentException("--schema must be a lower-case name of letters, digits and _, got "
                        + schema);
            }
        }

        /**
         * Options from command-line arguments ({@code --help} excepted), with the URL defaulting to the environment
         * variable {@code SLUICE_R2DBC_URL}, then {@link #DEFAULT_URL}.
         *
         * @throws IllegalArgumentException saying which argument is wrong
         */
        public static Options parse(List<String> args, Map<String, String> environment) {
            String url = environment.getOrDefault(URL_VARIABLE, "");
            long rows = DEFAULT_ROWS;
            String schema = null;
            for (int i = 0; i < args.size(); i += 2) {
                String name = args.get(i);
                if (i + 1 == args.size()) {
                    throw new IllegalArgumentException(name.startsWith("--") ? name + " needs a value"
                            : "unexpected argument " + name);
                }
                String value = args.get(i + 1);
                switch (name) {
                    case "--url" -> url = value;
                    case "--rows" -> rows = rows(value);
                    case "--schema" -> schema = value;
                    default -> throw new IllegalArgumentException("unknown option " + name);
                }
            }
            return new Options(url.isBlank() ? DEFAULT_URL : url, rows, schema);
        }

        private static boolean isPostgres(Object driver) {
            return "postgresql".equals(driver) || "postgres".equals(driver);
        }

        private static long rows(String value) {
            try {
                return Long.parseLong(value.replace("_", "").replace(",", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--rows needs a whole number, got " + value);
            }
        }

        /**
         * The URL for the repository: with a schema, its connections look tables up there first, then in public
         * (where pgcrypto goes).
         */
        String connectionUrl() {
            return schema == null ? url
                    : url + (url.contains("?") ? "&" : "?") + SCHEMA_OPTION.name() + "=" + schema + ",public";
        }

        /** The table's name in SQL. */
        String table() {
            return schema == null ? "picture" : '"' + schema + "\".picture";
        }
    }

    /**
     * What a scan measured.
     *
     * @param rowsScanned   rows the scan emitted
     * @param statements    statements Sluice sent for the scan: its pages and its one-time check of the table
     * @param rowsPerSecond rows scanned per second of the scan's wall-clock time
     * @param peakHeapBytes the sum of the heap memory pools' peak usage during the scan
     */
    public record Result(long rowsScanned, long statements, double rowsPerSecond, long peakHeapBytes) {
    }

    /** Thrown by {@link #run} when no database answers at the URL; the message says what failed and what to do. */
    public static final class DatabaseUnavailableException extends RuntimeException {
        DatabaseUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Runs the demo from the command line; {@code --help} prints the options. */
    public static void main(String[] args) {
        List<String> arguments = List.of(args);
        if (arguments.contains("--help") || arguments.contains("-h")) {
            System.out.println(USAGE);
            return;
        }
        Options options;
        try {
            options = Options.parse(arguments, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("ScanDemo: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        try {
            run(options, System.out);
        } catch (DatabaseUnavailableException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        } finally {
            stopSharedThreads();
        }
    }

    /**
     * Stops reactor-netty's event loops and Reactor's schedulers, which serve every client in the JVM and outlive
     * {@link #run}: the process then ends at once, and Maven's exec:java does not wait 15 s for them to stop, nor
     * unload classes under connections that are still closing.
     */
    private static void stopSharedThreads() {
        TcpResources.disposeLoopsAndConnectionsLater(Duration.ZERO, Duration.ofSeconds(5)).block();
        Schedulers.shutdownNow();
    }

    /**
     * Creates and fills the table as needed, then scans it to the end, printing progress and results to {@code out}.
     *
     * @throws DatabaseUnavailableException if no connection can be made within 5 seconds
     */
    public static Result run(Options options, PrintStream out) {
        AtomicLong statements = new AtomicLong();
        try (R2dbcRepo repo = R2dbcRepo.builder(options.connectionUrl())
                .statementListener(sql -> statements.incrementAndGet())
                .build()) {
            ConnectionFactory database = repo.connectionFactory();
            checkConnection(database, options);
            long rows = fill(database, options, out);
            return scan(repo, rows, statements, out);
        }
    }

    private static void checkConnection(ConnectionFactory database, Options options) {
        try {
            queryOne(database, "select 1", Integer.class).timeout(CONNECT_TIMEOUT).block();
        } catch (RuntimeException e) {
            Throwable cause = Exceptions.unwrap(e);
            String reason = cause instanceof TimeoutException
                    ? "no answer within " + CONNECT_TIMEOUT.toSeconds() + " s" : reason(cause);
            throw new DatabaseUnavailableException(String.format(Locale.ROOT, """
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
    private static long fill(ConnectionFactory database, Options options, PrintStream out) {
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
        String sha1 = sha1Expression(database, out);
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
        out.printf(Locale.ROOT, "Filled %,d rows in %.1f s.%n", options.rows() - existing, seconds(start));
        return options.rows();
    }

    /** The real SHA-1 when pgcrypto can be had, otherwise a unique stand-in. */
    private static String sha1Expression(ConnectionFactory database, PrintStream out) {
        try {
            execute(database, "create extension if not exists pgcrypto schema public");
        } catch (R2dbcException e) {
            out.println("Cannot create extension pgcrypto (" + e.getMessage() + ")");
        }
        if (queryOne(database, "select to_regprocedure('digest(bytea, text)') is not null", Boolean.class).block()) {
            return SHA1;
        }
        out.println("pgcrypto is not available: column sha1 gets a unique 20-byte value, not the SHA-1 of data");
        return SHA1_STAND_IN;
    }

    private static Result scan(R2dbcRepo repo, long expectedRows, AtomicLong statements, PrintStream out) {
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP)
                .toList();
        System.gc(); // leave the fill's garbage behind, so the peak shows what the scan needs
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        out.printf(Locale.ROOT, "Scanning: repo.scan(Picture.class).limitRate(%d)%n", SCAN_RATE);
        Progress progress = new Progress(out, 0, expectedRows);
        long start = System.nanoTime();
        Tally tally = repo.scan(Picture.class)
                .limitRate(SCAN_RATE)
                .reduce(new Tally(0, 0), (sum, picture) -> {
                    Tally next = sum.add(picture);
                    progress.update(next.rows());
                    return next;
                })
                .block();
        double seconds = seconds(start);
        progress.finish(tally.rows());
        long peakHeap = heap.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
        Result result = new Result(tally.rows(), statements.get(), tally.rows() / seconds, peakHeap);
        out.printf(Locale.ROOT, "Scanned %,d rows (%s of picture data) in %.2f s: %,.0f rows/s%n",
                result.rowsScanned(), mebibytes(tally.bytes()), seconds, result.rowsPerSecond());
        out.printf(Locale.ROOT, "Statements sent: %,d (%,d rows per statement)%n", result.statements(),
                result.rowsScanned() / Math.max(1, result.statements()));
        out.printf(Locale.ROOT, "Peak heap during the scan: %s, with a max heap (-Xmx) of %s%n",
                mebibytes(result.peakHeapBytes()), mebibytes(Runtime.getRuntime().maxMemory()));
        return result;
    }

    /** Rows and bytes of picture data seen so far. */
    private record Tally(long rows, long bytes) {
        Tally add(Picture picture) {
            return new Tally(rows + 1, bytes + picture.data().length);
        }
    }

    /** Runs one statement that returns no rows, on a connection of its own. */
    private static void execute(ConnectionFactory database, String sql) {
        Mono.usingWhen(database.create(),
                connection -> Flux.from(connection.createStatement(sql).execute())
                        .concatMap(io.r2dbc.spi.Result::getRowsUpdated)
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

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static String mebibytes(long bytes) {
        return String.format(Locale.ROOT, "%,d MiB", bytes >> 20);
    }

    /** A progress bar on one line, redrawn at most ten times a second. Called by one thread at a time. */
    private static final class Progress {
        private static final int WIDTH = 20;
        private static final long REDRAW_NANOS = Duration.ofMillis(100).toNanos();

        private final PrintStream out;
        private final long first;
        private final long total;
        private final long start = System.nanoTime();
        private long drawnAt = start;
        private long drawn = -1;

        /**
         * @param first the count the bar starts at; the rate counts from there
         * @param total the count that fills the bar
         */
        Progress(PrintStream out, long first, long total) {
            this.out = out;
            this.first = first;
            this.total = total;
        }

        void update(long done) {
            long now = System.nanoTime();
            if (now - drawnAt >= REDRAW_NANOS) {
                draw(done, now);
            }
        }

        void finish(long done) {
            if (done != drawn) {
                draw(done, System.nanoTime());
            }
            out.println();
        }

        private void draw(long done, long now) {
            drawnAt = now;
            drawn = done;
            int filled = total == 0 ? WIDTH : (int) Math.min(WIDTH, done * WIDTH / total);
            long percent = total == 0 ? 100 : Math.min(100, done * 100 / total);
            double rate = (done - first) / Math.max(1e-9, (now - start) / 1e9);
            out.printf(Locale.ROOT, "\r[%s%s] %3d%%  %,d rows  %,.0f rows/s   ", "#".repeat(filled),
                    "-".repeat(WIDTH - filled), percent, done, rate);
            out.flush();
        }
    }
}
