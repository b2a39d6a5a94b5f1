package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import dev.sluice.MappingException;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.testkit.PgWireRelay;
import dev.sluice.r2dbc.ConnectionProvider;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Streams end cleanly when a row cannot be mapped: the connection goes back to the pool only when no CancelRequest
 * can still land on it, so the next statement on it runs and is not cancelled. On a pool of ONE connection through
 * a relay that holds CancelRequests until the test forwards them: so a cancel signal provably arrives late. And a
 * cursor in a transaction that someone else ends is closed however its stream ends, under a name of its own.
 */
class StreamEndSpec {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int ITEMS = 20_000;
    /** The next statement: it waits for the lock the test holds on stream_lock, so a stray cancel can hit it. */
    private static final String NEXT = "SELECT count(*) AS n FROM stream_lock";

    enum Mood { CALM, ANGRY }

    /** Row seq=2 has a NULL in n, which this primitive component cannot hold. */
    @Table("stream_item")
    record Item(@Id Long id, long seq, int n) {
    }

    /** Row seq=3 holds 'GRUMPY', which is no constant of Mood. */
    @Table("stream_item")
    record MoodItem(@Id Long id, long seq, Mood mood) {
    }

    /** Rows of stream_item without the columns that hold bad values. */
    @Table("stream_item")
    record Seq(@Id Long id, long seq) {
    }

    record Count(long n) {
    }

    record Backend(int pid) {
    }

    private PgWireRelay relay;
    private R2dbcRepo repo;

    @BeforeAll
    static void tables() {
        Fixtures.db().execute("CREATE TABLE IF NOT EXISTS stream_lock (id int)",
                "CREATE TABLE IF NOT EXISTS stream_item (id bigint PRIMARY KEY, seq bigint NOT NULL, n int, "
                        + "mood text NOT NULL)",
                "TRUNCATE stream_item",
                "INSERT INTO stream_item SELECT i, i, CASE WHEN i = 2 THEN NULL ELSE i END, "
                        + "CASE WHEN i = 3 THEN 'GRUMPY' ELSE 'CALM' END FROM generate_series(1, " + ITEMS + ") i");
    }

    @BeforeEach
    void open() {
        relay = Fixtures.relay();
        repo = Fixtures.repo(relay, 1, 100, 1000);
        // the entities' table checks, out of the way
        assertThat(repo.select(Item.class).count().block(TIMEOUT)).isEqualTo(ITEMS);
        assertThat(repo.select(MoodItem.class).count().block(TIMEOUT)).isEqualTo(ITEMS);
    }

    @AfterEach
    void close() {
        relay.releaseCancelRequests();
        repo.close();
        relay.close();
    }

    @Test
    void aMappingErrorAfterACancelGivesTheConnectionBackOnlyOnceTheCancelRequestIsOver() throws Exception {
        int backend = backendPid();
        relay.holdCancelRequests();
        try (HeldLock lock = HeldLock.exclusive("stream_lock")) {
            // next() asks for every row, so the query runs as one statement that a cancel stops on the server; it
            // cancels at the first row (a CancelRequest, held in the relay), and the second row cannot be mapped
            assertThat(repo.select(Item.class).orderBy("seq").inOneSnapshot().flux().next().block(TIMEOUT).seq()).isEqualTo(1);
            CompletableFuture<Long> next = next();
            awaitTheFirstStatementOver();
            forwardTheCancelRequests();
            lock.release();
            assertThat(next.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("the next statement, not cancelled")
                    .isZero();
        }
        assertThat(backendPid()).as("the same server connection").isEqualTo(backend);
    }

    @Test
    void aMappingErrorStopsTheStatementAndFailsOnlyOnceItsConnectionIsSafeForTheNextStatement() throws Exception {
        int backend = backendPid();
        relay.holdCancelRequests();
        try (HeldLock lock = HeldLock.exclusive("stream_lock")) {
            CompletableFuture<List<MoodItem>> all = repo.select(MoodItem.class).orderBy("seq").inOneSnapshot().flux().collectList()
                    .toFuture();
            CompletableFuture<Long> next = next();
            awaitTheFirstStatementOver();
            assertThat(all).as("the statement is over, its CancelRequest is not: no error yet").isNotDone();
            forwardTheCancelRequests();
            lock.release();
            assertThatThrownBy(() -> all.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(MappingException.class)
                    .hasMessage("MoodItem.mood: column mood holds 'GRUMPY', which is not a constant of Mood; add "
                            + "the constant or fix the data");
            assertThat(next.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("the next statement, not cancelled")
                    .isZero();
        }
        assertThat(backendPid()).as("the same server connection").isEqualTo(backend);
    }

    @Test
    void aMappingErrorInAPageInsideATransactionRollsBackAndTheConnectionWorks() {
        int backend = backendPid();
        relay.reset();
        assertThatThrownBy(() -> repo.inTransaction(tx -> tx.select(Item.class).flux()).blockLast(TIMEOUT))
                .isInstanceOf(MappingException.class)
                .hasMessage("Item.n: column n is NULL in the row (id=2) but the component is the primitive int; "
                        + "declare it as Integer or make the column NOT NULL");
        assertThat(relay.commandTags()).as("the page read to its end, no cancel on the driver")
                .containsExactly("BEGIN", "SELECT 1000", "ROLLBACK");
        assertThat(next().join()).isZero();
        assertThat(backendPid()).as("the same server connection").isEqualTo(backend);
    }

    @Test
    void aCursorInATransactionSomeoneElseEndsIsClosedOnCancelAndOnError() {
        Connection connection = Mono.from(relayedFactory().create()).block(TIMEOUT);
        try {
            Mono.from(connection.beginTransaction()).block(TIMEOUT);
            R2dbcRepo joined = R2dbcRepo.builder(relayedFactory()).connectionProvider(new External(connection))
                    .minPageSize(100).maxPageSize(1000).build();
            assertThat(joined.select(Seq.class).orderBy("seq").inOneSnapshot().flux().take(5).count().block(TIMEOUT)).isEqualTo(5);
            assertThat(openCursors(connection)).as("after a cancel").isZero();
            assertThatThrownBy(() -> joined.select(Item.class).orderBy("seq").inOneSnapshot().flux().blockLast(TIMEOUT))
                    .isInstanceOf(MappingException.class);
            assertThat(openCursors(connection)).as("after a row that cannot be mapped").isZero();
            assertThat(relay.commandTags()).as("closed in the owner's transaction, which goes on")
                    .contains("CLOSE CURSOR").doesNotContain("ROLLBACK", "COMMIT");
        } finally {
            Mono.from(connection.rollbackTransaction()).then(Mono.from(connection.close())).block(TIMEOUT);
        }
    }

    @Test
    void aCursorInsideInTransactionIsClosedOnCancel() {
        List<Long> open = repo.inTransaction(tx -> tx.select(Seq.class).orderBy("seq").flux().take(5)
                        .then(tx.query(Count.class, "SELECT count(*) AS n FROM pg_cursors WHERE name LIKE 'sluice%' "
                                + "AND statement NOT LIKE '%pg_cursors%'").single().map(Count::n)))
                .collectList().block(TIMEOUT);
        assertThat(open).as("cursors left open in the transaction after the cancelled query").containsExactly(0L);
    }

    @Test
    void twoRepositoriesInOneTransactionGiveTheirCursorsDifferentNames() {
        Connection connection = Mono.from(relayedFactory().create()).block(TIMEOUT);
        try {
            Mono.from(connection.beginTransaction()).block(TIMEOUT);
            R2dbcRepo first = R2dbcRepo.builder(relayedFactory()).connectionProvider(new External(connection)).build();
            R2dbcRepo second = R2dbcRepo.builder(relayedFactory()).connectionProvider(new External(connection))
                    .build();
            StepVerifier.create(first.select(Seq.class).orderBy("seq").flux().map(Seq::seq), 0)
                    .thenRequest(1)
                    .expectNext(1L)
                    .then(() -> assertThat(second.select(Seq.class).orderBy("seq desc").flux().map(Seq::seq).take(2)
                            .collectList().block(TIMEOUT)).containsExactly((long) ITEMS, ITEMS - 1L))
                    .thenRequest(2)
                    .expectNext(2L, 3L)
                    .thenCancel()
                    .verify(TIMEOUT);
            assertThat(openCursors(connection)).isZero();
        } finally {
            Mono.from(connection.rollbackTransaction()).then(Mono.from(connection.close())).block(TIMEOUT);
        }
    }

    private ConnectionFactory relayedFactory() {
        return ConnectionFactories.get(Fixtures.withParam(Fixtures.db().r2dbcUrl("127.0.0.1", relay.port()),
                "forceBinary", true));
    }

    /** Sluice's cursors open on {@code connection}, asked on it after whatever it has been sent so far. */
    private static long openCursors(Connection connection) {
        String sql = "SELECT count(*) FROM pg_cursors WHERE name LIKE 'sluice%'";
        return Flux.from(connection.createStatement(sql).execute())
                .concatMap(result -> result.map((row, metadata) -> row.get(0, Long.class)))
                .single().block(TIMEOUT);
    }

    /** Hands out one connection on which the test itself has begun a transaction; never closes it. */
    private record External(Connection connection) implements ConnectionProvider {
        @Override
        public Mono<Connection> acquire() {
            return Mono.just(connection);
        }

        @Override
        public Publisher<Void> release(Connection c) {
            return Mono.empty();
        }

        @Override
        public Mono<Boolean> inExternalTransaction() {
            return Mono.just(true);
        }
    }

    /** The next statement on the pool's one connection, subscribed now. */
    private CompletableFuture<Long> next() {
        return repo.query(Count.class, NEXT).single().map(Count::n).toFuture();
    }

    /**
     * Waits until a CancelRequest is held and the first statement has ended on the server: either its connection went
     * back and the next statement waits on the server for the lock, or the server is idle while the next statement
     * still waits for the pool's one connection.
     */
    private void awaitTheFirstStatementOver() {
        ConnectionPool pool = (ConnectionPool) repo.connectionFactory();
        HeldLock.await("a CancelRequest held and the first statement over", () -> relay.cancelRequestsHeld() > 0
                && (HeldLock.waiting(NEXT) || pool.getMetrics().orElseThrow().pendingAcquireSize() > 0
                && Fixtures.db().queryLong("SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
                        + Fixtures.APPLICATION + "' AND state = 'idle'") > 0));
    }

    /** Forwards the held CancelRequests and waits until the server has handled them (it then closes their socket). */
    private void forwardTheCancelRequests() {
        relay.releaseCancelRequests();
        HeldLock.await("the server has handled the CancelRequests", () -> relay.cancelRequestsOpen() == 0);
    }

    private int backendPid() {
        return repo.query(Backend.class, "SELECT pg_backend_pid() AS pid").single().block(TIMEOUT).pid();
    }
}
