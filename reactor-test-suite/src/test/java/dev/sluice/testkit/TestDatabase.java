package dev.sluice.testkit;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Result;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The PostgreSQL database of the conformance suite: one per JVM ({@link #get()}), provisioned on first use.
 *
 * <p>The server is, in this order: the one named by the environment variable {@value #URL_VARIABLE} (an R2DBC URL
 * such as {@code r2dbc:postgresql://user:pw@host:5432/db}); a local server on {@code 127.0.0.1:5432} (user
 * {@code postgres}, database {@code test}, no password) if it accepts an R2DBC connection within 15 seconds; a
 * Testcontainers {@code postgres:15-alpine} container if Docker is available. If none is, {@link #get()} throws.
 *
 * <p>Each JVM works in a fresh schema {@code sluice_test_<yyyyMMddHHmmss>_<6 random [a-z0-9]>} (UTC time), created
 * on provisioning and dropped with {@code CASCADE} when the JVM exits; such schemas over a day old, left behind by
 * killed JVMs, are dropped on provisioning. The {@link #r2dbcUrl() URL} and {@link #options() options} carry it as
 * the driver's {@code schema} option, which r2dbc-postgresql sends as the {@code search_path} parameter of the
 * startup message, so every connection made from them works in that schema (and only there: {@code public} is not
 * on the path).
 */
public final class TestDatabase {

    /** The environment variable naming the database to use, as an R2DBC URL. */
    public static final String URL_VARIABLE = "SLUICE_TEST_R2DBC_URL";

    private static final String LOCAL_URL = "r2dbc:postgresql://postgres@127.0.0.1:5432/test";
    /**
     * Long enough for a cold JVM on a busy machine (class loading, event loops); a machine with no server answers
     * "connection refused" at once, so this costs nothing there.
     */
    private static final Duration LOCAL_PROBE_TIMEOUT = Duration.ofSeconds(15);
    private static final String CONTAINER_IMAGE = "postgres:15-alpine";
    private static final Duration FIXTURE_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration DROP_TIMEOUT = Duration.ofSeconds(10);
    private static final String SCHEMA_OPTION = "schema";

    private static @Nullable TestDatabase instance;
    private static @Nullable IllegalStateException failure;

    private final String scheme;
    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final @Nullable String password;
    private final String extraQuery;
    private final String schema;

    private TestDatabase(String url, String schema) {
        ConnectionFactoryOptions parsed = ConnectionFactoryOptions.parse(url);
        int schemeEnd = url.indexOf("://");
        this.scheme = url.substring(0, schemeEnd);
        this.host = (String) parsed.getRequiredValue(ConnectionFactoryOptions.HOST);
        Object parsedPort = parsed.getValue(ConnectionFactoryOptions.PORT);
        this.port = parsedPort == null ? 5432 : Integer.parseInt(parsedPort.toString());
        this.user = (String) parsed.getRequiredValue(ConnectionFactoryOptions.USER);
        Object parsedDatabase = parsed.getValue(ConnectionFactoryOptions.DATABASE);
        this.database = parsedDatabase == null ? user : parsedDatabase.toString();
        CharSequence parsedPassword = (CharSequence) parsed.getValue(ConnectionFactoryOptions.PASSWORD);
        this.password = parsedPassword == null ? null : parsedPassword.toString();
        this.extraQuery = queryWithoutSchema(URI.create("r2dbc" + url.substring(schemeEnd)).getRawQuery());
        this.schema = schema;
    }

    /**
     * The database of this JVM, provisioned on the first call.
     *
     * @throws IllegalStateException if no database can be had; later calls throw again without retrying
     */
    public static synchronized TestDatabase get() {
        if (instance == null) {
            if (failure != null) {
                throw new IllegalStateException(failure.getMessage(), failure);
            }
            try {
                instance = provision();
            } catch (RuntimeException e) {
                failure = e instanceof IllegalStateException ise ? ise
                        : new IllegalStateException("Provisioning the test database failed: " + e, e);
                throw failure;
            }
        }
        return instance;
    }

    /** Host name of the server. */
    public String host() {
        return host;
    }

    /** Port of the server. */
    public int port() {
        return port;
    }

    /** Name of the database. */
    public String database() {
        return database;
    }

    /** User name to log in with. */
    public String user() {
        return user;
    }

    /** Password to log in with, or {@code null} when the server asks for none. */
    public @Nullable String password() {
        return password;
    }

    /** The schema of this JVM, which every connection made through the kit has as its {@code search_path}. */
    public String schema() {
        return schema;
    }

    /**
     * An R2DBC URL for this database and schema, for {@link ConnectionFactories#get(String)}. It always has a query
     * string, so options can be added with {@code "&name=value"}.
     */
    public String r2dbcUrl() {
        return r2dbcUrl(host, port);
    }

    /**
     * The same URL as {@link #r2dbcUrl()} but pointing at {@code host:port}, for instance a {@link PgWireRelay} in
     * front of the server.
     */
    public String r2dbcUrl(String host, int port) {
        return url(host, port, true);
    }

    /**
     * The options of {@link #r2dbcUrl()}, to {@link ConnectionFactoryOptions#mutate() mutate} with whatever a test
     * needs (nothing such as {@code forceBinary} is set here).
     */
    public ConnectionFactoryOptions options() {
        return ConnectionFactoryOptions.parse(r2dbcUrl());
    }

    /**
     * Runs each statement, in order, on one connection in the schema, with the simple query protocol (so one string
     * may hold several statements separated by semicolons). For test setup only: it blocks.
     */
    public void execute(String... sqlStatements) {
        List<String> statements = List.of(sqlStatements);
        withConnection(options(), connection -> Flux.fromIterable(statements)
                .concatMap(sql -> Flux.from(connection.createStatement(sql).fetchSize(0).execute())
                        .concatMap(Result::getRowsUpdated))
                .then())
                .block(FIXTURE_TIMEOUT);
    }

    /**
     * Creates and fills {@code picture} in the schema, the table the specs and the examples read: ids 1..{@code rows},
     * names IMG_000001.., a unique 20-byte {@code sha1}, {@code taken_at} repeating every 997 rows (not unique),
     * 1 KiB of {@code data} that differs per row, and an index on {@code taken_at}, so that keyset pages in time
     * order start where the last one ended. For test setup only: it blocks.
     */
    public void createPictures(int rows) {
        execute("CREATE TABLE picture (id bigint PRIMARY KEY, sha1 bytea NOT NULL UNIQUE, name text NOT NULL, "
                        + "taken_at timestamptz NOT NULL, size_bytes int NOT NULL, data bytea)",
                "INSERT INTO picture SELECT i, decode(md5(i::text), 'hex'), 'IMG_' || lpad(i::text, 6, '0'), "
                        + "timestamptz '2026-01-01 00:00:00+00' - (i % 997) * interval '1 minute', 1024, "
                        + "decode(repeat(md5(i::text), 64), 'hex') FROM generate_series(1, " + rows + ") i",
                "CREATE INDEX picture_taken_at ON picture (taken_at)",
                "ANALYZE picture");
    }

    /**
     * Runs a query in the schema and returns the first column of its first row as a long. For test setup only: it
     * blocks.
     *
     * @throws IllegalStateException if the query returns no row, or null, or a value that is no integer
     */
    public long queryLong(String sql) {
        String value = queryString(sql);
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Not a long (" + value + ") returned by: " + sql, e);
        }
    }

    /**
     * The first column of the first row as text ({@code "null"} for SQL NULL): the ground truth a test compares
     * results with. For test setup and checks only.
     */
    public String queryString(String sql) {
        List<String> values = withConnection(options(), connection ->
                Flux.from(connection.createStatement(sql).fetchSize(0).execute())
                        .concatMap(result -> result.map((row, metadata) -> String.valueOf(row.get(0))))
                        .collectList())
                .block(FIXTURE_TIMEOUT);
        if (values == null || values.isEmpty()) {
            throw new IllegalStateException("No row returned by: " + sql);
        }
        return values.get(0);
    }

    @Override
    public String toString() {
        return "TestDatabase{" + host + ":" + port + "/" + database + ", user " + user + ", schema " + schema + "}";
    }

    private static TestDatabase provision() {
        String schema = newSchemaName();
        String configured = System.getenv(URL_VARIABLE);
        if (configured != null && !configured.isBlank()) {
            TestDatabase db = new TestDatabase(configured.trim(), schema);
            db.createSchema(null);
            return db;
        }
        if (localServerAnswers()) {
            TestDatabase db = new TestDatabase(LOCAL_URL, schema);
            db.createSchema(null);
            return db;
        }
        if (DockerClientFactory.instance().isDockerAvailable()) {
            return startContainer(schema);
        }
        throw new IllegalStateException("""
                No PostgreSQL database for the Sluice test suite. Provide one of:
                  1. the environment variable %s set to an R2DBC URL, \
                e.g. r2dbc:postgresql://user:password@host:5432/database \
                (the suite creates and drops its own schema there);
                  2. a local PostgreSQL on 127.0.0.1:5432 accepting user postgres without a password \
                (trust authentication) with a database named test, e.g. on Debian: \
                pg_ctlcluster <version> main start, then createdb -U postgres test;
                  3. a running Docker daemon, so that Testcontainers can start %s.\
                """.formatted(URL_VARIABLE, CONTAINER_IMAGE));
    }

    private static boolean localServerAnswers() {
        ConnectionFactoryOptions options = ConnectionFactoryOptions.parse(LOCAL_URL).mutate()
                .option(ConnectionFactoryOptions.CONNECT_TIMEOUT, LOCAL_PROBE_TIMEOUT)
                .build();
        try {
            withConnection(options, connection ->
                    Flux.from(connection.createStatement("select 1").execute())
                            .concatMap(Result::getRowsUpdated)
                            .then())
                    .timeout(LOCAL_PROBE_TIMEOUT)
                    .block();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static TestDatabase startContainer(String schema) {
        PostgreSQLContainer container = new PostgreSQLContainer(CONTAINER_IMAGE); // stopped at JVM exit
        container.start();
        String url = "r2dbc:postgresql://" + encode(container.getUsername()) + ":" + encode(container.getPassword())
                + "@" + container.getHost() + ":" + container.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT)
                + "/" + encode(container.getDatabaseName());
        TestDatabase db = new TestDatabase(url, schema);
        db.createSchema(container);
        return db;
    }

    /**
     * Creates the schema and arranges for its removal at JVM exit: dropped, or, in a container of its own, gone
     * with the container.
     */
    private void createSchema(@Nullable PostgreSQLContainer container) {
        if (container == null) {
            dropStaleSchemas();
        }
        runWithoutSchema("create schema " + schema, FIXTURE_TIMEOUT);
        Runnable cleanup = container == null
                ? () -> runWithoutSchema("drop schema if exists " + schema + " cascade", DROP_TIMEOUT)
                : container::stop;
        Thread hook = new Thread(() -> {
            try {
                cleanup.run();
            } catch (RuntimeException e) {
                System.err.println("Could not remove test schema " + schema + ": " + e);
            }
        }, "sluice-test-database-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Drops the schemas of runs that started over a day ago and could not drop their own (a killed JVM). */
    private void dropStaleSchemas() {
        try {
            runWithoutSchema("""
                    do $$
                    declare stale text;
                    begin
                      for stale in
                        select nspname from pg_namespace
                        where nspname ~ '^sluice_test_[0-9]{14}_[a-z0-9]{6}$'
                          and to_timestamp(substr(nspname, 13, 14), 'YYYYMMDDHH24MISS')::timestamp
                              < (now() at time zone 'utc') - interval '1 day'
                      loop
                        execute format('drop schema if exists %I cascade', stale);
                      end loop;
                    end
                    $$""", DROP_TIMEOUT);
        } catch (RuntimeException e) {
            System.err.println("Could not drop stale test schemas: " + e);
        }
    }

    private void runWithoutSchema(String sql, Duration timeout) {
        ConnectionFactoryOptions options = ConnectionFactoryOptions.parse(url(host, port, false)).mutate()
                .option(ConnectionFactoryOptions.CONNECT_TIMEOUT, timeout)
                .option(ConnectionFactoryOptions.LOCK_WAIT_TIMEOUT, timeout)
                .option(ConnectionFactoryOptions.STATEMENT_TIMEOUT, timeout)
                .build();
        withConnection(options, connection -> Flux.from(connection.createStatement(sql).fetchSize(0).execute())
                .concatMap(Result::getRowsUpdated)
                .then())
                .block(timeout.multipliedBy(2));
    }

    private static <T> Mono<T> withConnection(ConnectionFactoryOptions options,
                                              Function<Connection, Mono<T>> work) {
        return Mono.usingWhen(ConnectionFactories.get(options).create(), work, Connection::close);
    }

    private String url(String host, int port, boolean withSchema) {
        StringBuilder url = new StringBuilder(scheme).append("://").append(encode(user));
        if (password != null) {
            url.append(':').append(encode(password));
        }
        url.append('@').append(host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host).append(':').append(port)
                .append('/').append(encode(database));
        String query = withSchema ? join(extraQuery, SCHEMA_OPTION + "=" + schema) : extraQuery;
        if (!query.isEmpty()) {
            url.append('?').append(query);
        }
        return url.toString();
    }

    private static String queryWithoutSchema(@Nullable String rawQuery) {
        if (rawQuery == null) {
            return "";
        }
        return Arrays.stream(rawQuery.split("&"))
                .filter(pair -> !pair.isEmpty())
                .filter(pair -> {
                    String name = pair.split("=", 2)[0];
                    return !name.equals(SCHEMA_OPTION) && !name.equals("currentSchema");
                })
                .collect(Collectors.joining("&"));
    }

    private static String join(String query, String pair) {
        return query.isEmpty() ? pair : query + "&" + pair;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String newSchemaName() {
        String timestamp = LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMddHHmmss"));
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom random = new SecureRandom();
        StringBuilder suffix = new StringBuilder(6);
        for (int i = 0; i < 6; i++) {
            suffix.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return "sluice_test_" + timestamp + "_" + suffix;
    }
}
