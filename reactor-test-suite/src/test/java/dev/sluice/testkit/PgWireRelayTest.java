package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.Result;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The relay's counters, checked against what r2dbc-postgresql makes a real PostgreSQL send. */
final class PgWireRelayTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static TestDatabase db;
    private static PgWireRelay relay;

    private Connection connection;

    @BeforeAll
    static void startRelay() {
        db = TestDatabase.get();
        relay = PgWireRelay.start(db.host(), db.port());
    }

    @AfterAll
    static void closeRelay() {
        relay.close();
    }

    /** Closes the test's connection and waits until the relay has seen every connection go, for the next test. */
    @AfterEach
    void closeConnection() {
        if (connection != null) {
            Mono.from(connection.close()).block(TIMEOUT);
        }
        awaitTrue(() -> relay.openConnections() == 0);
    }

    @Test
    void simpleQueryCountsRowsAndCommandTag() {
        connect("sslMode=disable");

        long rows = rowCount(connection.createStatement("select g from generate_series(1, 100) g").execute());

        assertThat(rows).isEqualTo(100);
        assertThat(relay.dataRows()).isEqualTo(100);
        assertThat(relay.commandTags()).containsExactly("SELECT 100");
        assertThat(relay.statementsCompleted()).isEqualTo(1);
        assertThat(relay.simpleQueries()).isEqualTo(1);
        assertThat(relay.parses()).isZero();
        assertThat(relay.executes()).isZero();
        assertThat(relay.bytesToServer()).isPositive();
        assertThat(relay.bytesFromServer()).isGreaterThan(100 * 5);
    }

    @Test
    void extendedQueryCountsExecutesAndPreparesOncePerConnection() {
        connect("sslMode=disable");
        String sql = "select g from generate_series(1, $1) g";

        long first = rowCount(connection.createStatement(sql).bind("$1", 10).execute());
        long second = rowCount(connection.createStatement(sql).bind("$1", 20).execute());

        assertThat(first + second).isEqualTo(30);
        assertThat(relay.dataRows()).isEqualTo(30);
        assertThat(relay.commandTags()).containsExactly("SELECT 10", "SELECT 20");
        assertThat(relay.executes()).isEqualTo(2);
        assertThat(relay.parses()).as("r2dbc-postgresql caches prepared statements per connection").isEqualTo(1);
        assertThat(relay.simpleQueries()).isZero();
    }

    @Test
    void fetchSizeShowsAsOneExecutePerBatch() {
        connect("sslMode=disable");
        String sql = "select g from generate_series(1, 100) g";

        long all = rowCount(connection.createStatement(sql).fetchSize(25).execute());

        assertThat(all).isEqualTo(100);
        assertThat(relay.dataRows()).isEqualTo(100);
        assertThat(relay.executes()).as("4 full batches, then one that finds the end").isEqualTo(5);
        assertThat(relay.statementsCompleted()).isEqualTo(1);

        relay.reset();
        Long taken = Flux.from(connection.createStatement(sql).fetchSize(25).execute())
                .concatMap(result -> result.map((row, metadata) -> 1))
                .take(10)
                .count()
                .block(TIMEOUT);

        assertThat(taken).isEqualTo(10);
        assertThat(relay.dataRows()).as("only the first batch was fetched").isEqualTo(25);
        assertThat(relay.executes()).isEqualTo(1);
    }

    @Test
    void countsExactlyWhenMessagesSpanReadsAndForwardsBytesIntact() throws NoSuchAlgorithmException {
        connect("sslMode=disable");
        MessageDigest md5 = MessageDigest.getInstance("MD5");

        List<Boolean> intact = Flux.from(connection
                        .createStatement("select g, md5(g::text), repeat('x', 200) from generate_series(1, 30000) g")
                        .execute())
                .concatMap(result -> result.map((row, metadata) -> {
                    String expected = hex(md5.digest(String.valueOf(row.get(0, Integer.class))
                            .getBytes(StandardCharsets.US_ASCII)));
                    return expected.equals(row.get(1, String.class)) && row.get(2, String.class).length() == 200;
                }))
                .collectList()
                .block(TIMEOUT);

        assertThat(intact).hasSize(30000).containsOnly(true);
        assertThat(relay.dataRows()).isEqualTo(30000);
        assertThat(relay.commandTags()).containsExactly("SELECT 30000");
        assertThat(relay.bytesFromServer()).isGreaterThan(30000L * 200);
    }

    @Test
    void transactionCommandTagsArriveInOrder() {
        connect("sslMode=disable");

        Mono.from(connection.beginTransaction()).block(TIMEOUT);
        rowCount(connection.createStatement("select 1").execute());
        Mono.from(connection.commitTransaction()).block(TIMEOUT);

        assertThat(relay.commandTags()).containsExactly("BEGIN", "SELECT 1", "COMMIT");
        assertThat(relay.statementsCompleted()).isEqualTo(3);
    }

    @Test
    void resetZeroesEveryCounter() {
        connect("sslMode=disable");
        rowCount(connection.createStatement("select g from generate_series(1, 5) g").execute());
        rowCount(connection.createStatement("select $1::int").bind("$1", 1).execute());
        assertThat(relay.dataRows()).isEqualTo(6);

        relay.reset();

        assertThat(relay.dataRows()).isZero();
        assertThat(relay.bytesFromServer()).isZero();
        assertThat(relay.bytesToServer()).isZero();
        assertThat(relay.commandTags()).isEmpty();
        assertThat(relay.statementsCompleted()).isZero();
        assertThat(relay.simpleQueries()).isZero();
        assertThat(relay.parses()).isZero();
        assertThat(relay.executes()).isZero();
        assertThat(relay.cancelRequests()).isZero();
    }

    @Test
    void sslRequestDeclinedByTheServerIsFollowedByCounting() {
        assumeServerWithoutSsl();
        connect("sslMode=prefer");

        long rows = rowCount(connection.createStatement("select g from generate_series(1, 7) g").execute());

        assertThat(rows).isEqualTo(7);
        assertThat(relay.dataRows()).isEqualTo(7);
        assertThat(relay.commandTags()).containsExactly("SELECT 7");
    }

    @Test
    void countsExactlyWhenTheClientWritesOneByteAtATime() throws IOException, InterruptedException {
        assumeServerWithoutSsl();
        assumeTrue(db.password() == null, "this hand-written client only logs in without a password");
        relay.reset();
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(sent);
        out.writeInt(8);
        out.writeInt(80877103); // SSLRequest, which a server without SSL answers with 'N'
        byte[] sslRequest = sent.toByteArray();
        sent.reset();
        byte[] parameters = ("user\0" + db.user() + "\0database\0" + db.database() + "\0\0")
                .getBytes(StandardCharsets.UTF_8);
        out.writeInt(8 + parameters.length);
        out.writeInt(196608); // protocol 3.0
        out.write(parameters);
        byte[] startup = sent.toByteArray();
        sent.reset();
        byte[] query = "select g from generate_series(1, 3) g\0".getBytes(StandardCharsets.UTF_8);
        out.writeByte('Q');
        out.writeInt(4 + query.length);
        out.write(query);
        byte[] simpleQuery = sent.toByteArray();
        byte[] terminate = {'X', 0, 0, 0, 4};

        List<Character> received = new ArrayList<>();
        long receivedBytes;
        try (Socket socket = new Socket("127.0.0.1", relay.port())) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            writeOneByteAtATime(socket, sslRequest);
            assertThat((char) in.readByte()).as("server without SSL declines").isEqualTo('N');
            writeOneByteAtATime(socket, startup);
            receivedBytes = 1 + readMessagesUntilReady(in, received);
            writeOneByteAtATime(socket, simpleQuery);
            receivedBytes += readMessagesUntilReady(in, received);
            writeOneByteAtATime(socket, terminate);
            assertThat(in.read()).as("server closes after Terminate").isEqualTo(-1);
        }

        assertThat(received).containsSubsequence('R', 'K', 'Z', 'T', 'D', 'D', 'D', 'C', 'Z');
        assertThat(relay.dataRows()).isEqualTo(3);
        assertThat(relay.commandTags()).containsExactly("SELECT 3");
        assertThat(relay.simpleQueries()).isEqualTo(1);
        assertThat(relay.bytesToServer())
                .isEqualTo(sslRequest.length + startup.length + simpleQuery.length + terminate.length);
        assertThat(relay.bytesFromServer()).isEqualTo(receivedBytes);
    }

    @Test
    void countsCancelRequests() {
        connect("sslMode=disable");
        PostgresqlConnection postgres = (PostgresqlConnection) connection;

        Mono<Long> sleeping = rowCountMono(postgres.createStatement("select pg_sleep(30)").execute());
        Mono<Void> cancelLater = Mono.delay(Duration.ofMillis(300)).then(postgres.cancelRequest());

        assertThatThrownBy(() -> Mono.when(sleeping, cancelLater).block(TIMEOUT))
                .isInstanceOf(R2dbcException.class)
                .hasMessageContaining("cancel");
        assertThat(relay.cancelRequests()).isEqualTo(1);
        assertThat(relay.dataRows()).isZero();
    }

    @Test
    void heldCancelRequestsLandOnlyWhenReleased() throws Exception {
        connect("sslMode=disable");
        PostgresqlConnection postgres = (PostgresqlConnection) connection;
        relay.holdCancelRequests();
        try {
            CompletableFuture<Long> sleeping = rowCountMono(postgres.createStatement("select pg_sleep(30)").execute())
                    .toFuture();
            awaitTrue(() -> db.queryLong("select count(*) from pg_stat_activity where state = 'active' "
                    + "and query = 'select pg_sleep(30)'") == 1);
            CompletableFuture<Void> cancel = postgres.cancelRequest().toFuture();
            awaitTrue(() -> relay.cancelRequestsHeld() == 1);
            assertThat(relay.cancelRequestsHeld()).isEqualTo(1);
            assertThat(relay.cancelRequestsOpen()).isEqualTo(1);
            assertThat(sleeping).as("the server knows nothing of the cancel yet").isNotDone();
            assertThat(cancel).isNotDone();

            relay.releaseCancelRequests();

            cancel.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertThatThrownBy(() -> sleeping.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                    .hasMessageContaining("canceling statement due to user request");
            awaitTrue(() -> relay.cancelRequestsOpen() == 0);
            assertThat(relay.cancelRequestsHeld()).isZero();
            assertThat(relay.cancelRequestsOpen()).as("the server closed the cancel connection").isZero();
            assertThat(relay.cancelRequests()).isEqualTo(1);
        } finally {
            relay.releaseCancelRequests();
        }
    }

    @Test
    void commandTagsAreKeptPerConnection() {
        connect("sslMode=disable");
        Connection other = connectThrough(relay);
        try {
            relay.reset();
            rowCount(connection.createStatement("select 1").execute());
            rowCount(other.createStatement("select g from generate_series(1, 2) g").execute());
            rowCount(connection.createStatement("select 3").execute());

            assertThat(relay.commandTagsByConnection().values())
                    .containsExactly(List.of("SELECT 1", "SELECT 1"), List.of("SELECT 2"));
            relay.reset();
            assertThat(relay.commandTagsByConnection()).isEmpty();
        } finally {
            Mono.from(other.close()).block(TIMEOUT);
        }
    }

    @Test
    void openConnectionsFollowsClientsClosing() {
        try (PgWireRelay own = PgWireRelay.start(db.host(), db.port())) {
            Connection piped = connectThrough(own);
            assertThat(own.openConnections()).isEqualTo(1);

            Mono.from(piped.close()).block(TIMEOUT);

            awaitTrue(() -> own.openConnections() == 0);
            assertThat(own.openConnections()).isZero();
        }
    }

    @Test
    void closeStopsListeningAndClosesPipedConnections() {
        PgWireRelay own = PgWireRelay.start(db.host(), db.port());
        Connection piped = connectThrough(own);
        assertThat(own.openConnections()).isEqualTo(1);

        own.close();

        awaitTrue(() -> own.openConnections() == 0);
        assertThatThrownBy(() -> rowCount(piped.createStatement("select 1").execute()))
                .isInstanceOf(R2dbcException.class);
        assertThatThrownBy(() -> connectThrough(own)).isInstanceOf(R2dbcException.class);
    }

    @Test
    void connectionsThroughTheRelayLandInTheSchema() {
        connect("sslMode=disable");

        List<String> schema = Flux.from(connection.createStatement("select current_schema()").execute())
                .concatMap(result -> result.map((row, metadata) -> row.get(0, String.class)))
                .collectList()
                .block(TIMEOUT);

        assertThat(schema).containsExactly(db.schema());
    }

    /**
     * Opens {@link #connection} through the relay, then resets the counters, so that the queries the driver runs
     * while connecting (the isolation level, the extension types) are not counted.
     */
    private void connect(String extraOptions) {
        String url = db.r2dbcUrl("127.0.0.1", relay.port()) + "&" + extraOptions;
        connection = Mono.from(ConnectionFactories.get(url).create()).block(TIMEOUT);
        relay.reset();
    }

    private static Connection connectThrough(PgWireRelay relay) {
        String url = db.r2dbcUrl("127.0.0.1", relay.port()) + "&sslMode=disable&connectTimeout=PT5S";
        return Mono.from(ConnectionFactories.get(url).create()).block(TIMEOUT);
    }

    private static long rowCount(Publisher<? extends Result> results) {
        Long count = rowCountMono(results).block(TIMEOUT);
        return count == null ? 0 : count;
    }

    private static Mono<Long> rowCountMono(Publisher<? extends Result> results) {
        return Flux.from(results).concatMap(result -> result.map((row, metadata) -> 1)).count();
    }

    private static void assumeServerWithoutSsl() {
        assumeTrue(db.queryLong("select case when current_setting('ssl') = 'off' then 1 else 0 end") == 1,
                "needs a server without SSL, which answers an SSLRequest with 'N'");
    }

    private static void writeOneByteAtATime(Socket socket, byte[] bytes) throws IOException, InterruptedException {
        OutputStream out = socket.getOutputStream();
        for (byte value : bytes) {
            out.write(value);
            Thread.sleep(1);
        }
    }

    /** Reads typed messages up to and including ReadyForQuery; returns the number of bytes read. */
    private static long readMessagesUntilReady(DataInputStream in, List<Character> types) throws IOException {
        long bytes = 0;
        char type;
        do {
            type = (char) in.readByte();
            int length = in.readInt();
            in.readFully(new byte[length - 4]);
            types.add(type);
            bytes += 1 + length;
        } while (type != 'Z');
        return bytes;
    }

    private static String hex(byte[] bytes) {
        return String.format("%032x", new BigInteger(1, bytes));
    }

    private static void awaitTrue(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
