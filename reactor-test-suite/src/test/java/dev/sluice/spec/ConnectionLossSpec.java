package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToLongFunction;

import dev.sluice.ConnectionLostException;
import dev.sluice.QueryTimeoutException;
import dev.sluice.annotation.HasMany;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.testkit.ThrowawayCluster;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * A keyset scan finishes exactly through lost connections (DESIGN invariant 11). A backend is terminated
 * ({@code pg_terminate_backend}, from a connection of the test's own) while a page is half sent: the page's query
 * calls {@code lost_pause(id, at)}, which sleeps on the server at row {@code at}, after the rows before it went out;
 * or between pages; or a throwaway cluster is restarted mid-scan. Each scan must equal the table, as SQL counts it:
 * as many rows, the same sum of keys, keys strictly increasing; and through the relay no row crossed the wire twice.
 * Inside a transaction, through a cursor, and for a timeout nothing is retried; a read whose retries are spent says
 * how many rows were delivered and after which key the rest come.
 */
class ConnectionLossSpec extends RelayedSpecBase {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int ITEMS = 20_000;
    private static final int PARENTS = 2_000;
    /** Where the scans of items pause: in the sixth page of 1000, after 499 of its rows. */
    private static final long PAUSE = 5_500;

    @Table("lost_item")
    record Item(@Id long id, String name) {
    }

    @Table("lost_parent")
    record Parent(@Id long id, String name, @HasMany(foreignKey = "parent_id", orderBy = "id") List<Child> children) {
    }

    @Table("lost_child")
    record Child(@Id long id, long parentId) {
    }

    ConnectionLossSpec() {
        super(1000, 1000);
    }

    @BeforeAll
    static void tables() {
        Fixtures.db().execute(
                "CREATE TABLE IF NOT EXISTS lost_item (id bigint PRIMARY KEY, name text NOT NULL)",
                "INSERT INTO lost_item SELECT i, 'item ' || i FROM generate_series(1, " + ITEMS + ") i "
                        + "ON CONFLICT DO NOTHING",
                "CREATE TABLE IF NOT EXISTS lost_parent (id bigint PRIMARY KEY, name text NOT NULL)",
                "INSERT INTO lost_parent SELECT i, 'parent ' || i FROM generate_series(1, " + PARENTS + ") i "
                        + "ON CONFLICT DO NOTHING",
                "CREATE TABLE IF NOT EXISTS lost_child (id bigint PRIMARY KEY, parent_id bigint NOT NULL "
                        + "REFERENCES lost_parent)",
                "INSERT INTO lost_child SELECT p * 10 + c, p FROM generate_series(1, " + PARENTS + ") p, "
                        + "generate_series(1, 3) c ON CONFLICT DO NOTHING",
                PAUSE_FUNCTION);
    }

    /** Sleeps a second on the server at row {@code at}; true for every row. */
    private static final String PAUSE_FUNCTION = "CREATE OR REPLACE FUNCTION lost_pause(id bigint, at bigint) "
            + "RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN IF id = at THEN PERFORM pg_sleep(1); END IF; "
            + "RETURN true; END $$";

    @Override
    void firstUse() {
        StepVerifier.create(repo.select(Item.class).count()).expectNext((long) ITEMS).verifyComplete();
        StepVerifier.create(repo.select(Parent.class).with("children").flux().take(1)).expectNextCount(1)
                .verifyComplete();
    }

    @Test
    void aScanFinishesExactlyWhenItsBackendIsTerminatedMidPage() {
        List<Item> rows;
        try (Terminator terminator = Terminator.of(1)) {
            rows = repo.select(Item.class).where("lost_pause(id, ?)", PAUSE).flux().limitRate(1000).collectList()
                    .block(WAIT);
            assertThat(terminator.terminated()).as("backends terminated").isOne();
        }
        assertEqualsTheTable(rows, Item::id, "lost_item");
        assertNoRowSentTwice();
        assertThat(pagesOf("lost_item")).as("20 pages, the empty last one, and the rest of the sixth again")
                .isEqualTo(22);
    }

    @Test
    void aScanFinishesExactlyWhenItsIdleConnectionIsTerminatedBetweenPages() {
        List<Item> rows = Collections.synchronizedList(new ArrayList<>());
        StepVerifier.create(repo.select(Item.class).flux().doOnNext(rows::add), 0)
                .thenRequest(3000)
                .expectNextCount(3000)
                .then(() -> {
                    long terminated = Fixtures.db().queryLong("SELECT count(pg_terminate_backend(pid)) FROM "
                            + "pg_stat_activity WHERE application_name = '" + Fixtures.APPLICATION + "' AND state = "
                            + "'idle'");
                    assertThat(terminated).as("idle backends terminated").isOne();
                    HeldLock.await("the backend is gone", () -> Fixtures.db().queryLong("SELECT count(*) FROM "
                            + "pg_stat_activity WHERE application_name = '" + Fixtures.APPLICATION + "'") == 0);
                })
                .thenRequest(Long.MAX_VALUE)
                .expectNextCount(ITEMS - 3000)
                .expectComplete()
                .verify(WAIT);
        assertEqualsTheTable(rows, Item::id, "lost_item");
        assertNoRowSentTwice();
    }

    @Test
    void aRelationWindowThatLosesItsConnectionRunsAgainWhole() {
        List<Parent> parents;
        try (Terminator terminator = Terminator.of(1)) {
            parents = repo.select(Parent.class).where("lost_pause(id, ?)", 1250L).with("children").flux()
                    .collectList().block(WAIT);
            assertThat(terminator.terminated()).as("backends terminated").isOne();
        }
        assertEqualsTheTable(parents, Parent::id, "lost_parent");
        assertThat(pagesOf("lost_parent")).as("4 windows, the empty last one, and the third again").isEqualTo(6);
        List<Child> children = parents.stream().flatMap(p -> p.children().stream()).toList();
        assertThat(children).hasSize(Integer.parseInt(Fixtures.queryString("SELECT count(*) FROM lost_child")));
        assertThat(children.stream().mapToLong(Child::id).sum())
                .isEqualTo(Fixtures.db().queryLong("SELECT sum(id) FROM lost_child"));
        assertThat(parents).allSatisfy(p -> assertThat(p.children()).hasSize(3)
                .allSatisfy(c -> assertThat(c.parentId()).isEqualTo(p.id())));
    }

    @Test
    void aCountThatLosesItsConnectionRunsAgain() {
        try (Terminator terminator = Terminator.of(1)) {
            assertThat(repo.select(Item.class).where("lost_pause(id, ?)", PAUSE).count().block(WAIT))
                    .isEqualTo(Fixtures.db().queryLong("SELECT count(*) FROM lost_item"));
            assertThat(terminator.terminated()).as("backends terminated").isOne();
        }
    }

    @Test
    void aLookupThatLosesItsConnectionRunsAgain() {
        try (Terminator terminator = Terminator.of(1)) {
            assertThat(repo.select(Item.class).where("lost_pause(id, ?)", PAUSE).findById(PAUSE).block(WAIT))
                    .isEqualTo(new Item(PAUSE, Fixtures.queryString("SELECT name FROM lost_item WHERE id = " + PAUSE)));
            assertThat(terminator.terminated()).as("backends terminated").isOne();
        }
    }

    @Test
    void aScanWhoseRetriesAreSpentSaysHowManyRowsWereDeliveredAndWhereToResume() {
        try (R2dbcRepo tight = R2dbcRepo.builder(Fixtures.withParam(Fixtures.withParam(Fixtures.db().r2dbcUrl(),
                        "applicationName", Fixtures.APPLICATION), "maxSize", 1))
                .minPageSize(1000).maxPageSize(1000).retries(2).retryBackoff(Duration.ofMillis(50)).build();
             Terminator terminator = Terminator.of(3)) {
            List<Item> rows = Collections.synchronizedList(new ArrayList<>());
            assertThatThrownBy(() -> tight.select(Item.class).where("lost_pause(id, ?)", PAUSE).flux()
                    .limitRate(1000).doOnNext(rows::add).blockLast(WAIT))
                    .isInstanceOfSatisfying(ConnectionLostException.class, lost -> {
                        long delivered = rows.size();
                        assertThat(delivered).as("rows delivered").isBetween(5000L, PAUSE - 1);
                        assertThat(lost.rowsDelivered()).isEqualTo(delivered);
                        assertThat(lost.resumeAfter()).containsExactly(rows.get(rows.size() - 1).id());
                        assertThat(lost.retries()).isEqualTo(2);
                        assertThat(lost).hasMessage("The connection was lost while reading lost_item, and the 2 "
                                + "retries on other connections failed too: retries exhausted (allow more with "
                                + "retries(n) and retryBackoff(...) on R2dbcRepo.builder, or sluice.retries in "
                                + "Spring Boot). " + delivered + " rows were delivered; the rest come after (id) = ("
                                + delivered + "). The error: " + lost.getCause().getMessage());
                    });
            assertThat(terminator.terminated()).as("the first run and the two retries, each terminated").isEqualTo(3);
            assertThat(rows).extracting(Item::id).as("in order, none twice")
                    .isEqualTo(java.util.stream.LongStream.rangeClosed(1, rows.size()).boxed().toList());
        }
    }

    @Test
    void insideATransactionNothingIsRetriedAndTheErrorSaysSo() {
        List<Item> rows = Collections.synchronizedList(new ArrayList<>());
        try (Terminator terminator = Terminator.of(1)) {
            assertThatThrownBy(() -> repo.inTransaction(tx -> tx.select(Item.class)
                            .where("lost_pause(id, ?)", PAUSE).flux()).limitRate(1000).doOnNext(rows::add).blockLast(WAIT))
                    .isInstanceOfSatisfying(ConnectionLostException.class, lost -> {
                        assertThat(lost.retries()).isZero();
                        assertThat(lost.rowsDelivered()).isEqualTo(rows.size());
                        assertThat(lost).hasMessage("The connection was lost while reading lost_item inside a "
                                + "transaction: it was not retried, since a transaction cannot go on on another "
                                + "connection; run the whole transaction again. " + rows.size() + " rows were "
                                + "delivered; the rest come after (id) = (" + rows.size() + "). The error: "
                                + lost.getCause().getMessage());
                    });
            assertThat(terminator.terminated()).isOne();
        }
        assertThat(pagesOf("lost_item")).as("no page ran again").isEqualTo(6);
    }

    @Test
    void aWriteIsNotRetriedAndTheErrorSaysSo() {
        try (Terminator terminator = Terminator.of(1)) {
            assertThatThrownBy(() -> repo.update(Item.class).set("name = name").where("lost_pause(id, ?)", PAUSE)
                    .execute().block(WAIT))
                    .isInstanceOfSatisfying(ConnectionLostException.class, lost -> assertThat(lost).hasMessage(
                            "The connection was lost during update of Item: it was not retried, since a write may "
                                    + "have been written before its connection was lost; check what was written, or "
                                    + "write with upsert, which is safe to repeat. The error: "
                                    + lost.getCause().getMessage()));
            assertThat(terminator.terminated()).isOne();
        }
        assertThat(statements).filteredOn(sql -> sql.startsWith("UPDATE")).as("the UPDATE, once").hasSize(1);
    }

    @Test
    void aCursorStreamIsNotRetriedAndSaysHowManyRowsItDelivered() {
        List<Item> rows = Collections.synchronizedList(new ArrayList<>());
        try (Terminator terminator = Terminator.of(1)) {
            assertThatThrownBy(() -> repo.select(Item.class).where("lost_pause(id, ?)", PAUSE).inOneSnapshot().flux()
                    .doOnNext(rows::add).blockLast(WAIT))
                    .isInstanceOfSatisfying(ConnectionLostException.class, lost -> {
                        assertThat(lost.rowsDelivered()).isEqualTo(rows.size());
                        assertThat(lost.resumeAfter()).isEmpty();
                        assertThat(lost).hasMessage("The connection was lost while reading lost_item through a "
                                + "cursor (inOneSnapshot(), or custom SQL), which cannot go on on another "
                                + "connection: it was not retried. " + (rows.isEmpty() ? "No row was delivered."
                                : rows.size() + " rows were delivered.") + " The error: "
                                + lost.getCause().getMessage());
                    });
            assertThat(terminator.terminated()).isOne();
        }
    }

    @Test
    void aTimeoutIsNotRetried() {
        StepVerifier.create(repo.select(Item.class).where("lost_pause(id, ?)", PAUSE)
                        .timeout(Duration.ofMillis(300)).flux().limitRate(1000))
                .thenConsumeWhile(item -> true)
                .expectError(QueryTimeoutException.class)
                .verify(WAIT);
        assertThat(pagesOf("lost_item")).as("the sixth page, timed out, did not run again").isEqualTo(6);
    }

    @Test
    void aScanFinishesExactlyThroughAServerRestart() {
        String unavailable = ThrowawayCluster.unavailableBecause();
        Assumptions.assumeTrue(unavailable == null, () -> "ConnectionLossSpec restart skipped: " + unavailable);
        try (ThrowawayCluster cluster = ThrowawayCluster.start()) {
            cluster.psql("CREATE TABLE lost_item (id bigint PRIMARY KEY, name text NOT NULL);"
                    + " INSERT INTO lost_item SELECT i, 'item ' || i FROM generate_series(1, " + ITEMS + ") i;"
                    + PAUSE_FUNCTION);
            try (R2dbcRepo restarted = R2dbcRepo.builder(cluster.r2dbcUrl("maxSize=2")).minPageSize(1000)
                    .maxPageSize(1000).build()) {
                Thread restarter = new Thread(() -> {
                    HeldLock.await("the scan pauses on the server", () -> !cluster.psql("SELECT count(*) FROM "
                            + "pg_stat_activity WHERE wait_event = 'PgSleep' AND query LIKE '%lost_pause%' AND pid <> "
                            + "pg_backend_pid()").equals("0"));
                    cluster.restart();
                }, "restarter");
                restarter.start();
                List<Item> rows = restarted.select(Item.class).where("lost_pause(id, ?)", PAUSE).flux()
                        .collectList().block(WAIT);
                join(restarter);
                assertThat(rows).hasSize(Integer.parseInt(cluster.psql("SELECT count(*) FROM lost_item")));
                assertThat(rows.stream().mapToLong(Item::id).sum())
                        .isEqualTo(Long.parseLong(cluster.psql("SELECT sum(id) FROM lost_item")));
                assertStrictlyIncreasing(rows, Item::id);
            }
        }
    }

    /** Count, sum of keys and order as SQL says. */
    private static <T> void assertEqualsTheTable(List<T> rows, ToLongFunction<T> key, String table) {
        assertThat(rows).as("rows").hasSize(Integer.parseInt(Fixtures.queryString("SELECT count(*) FROM " + table)));
        assertThat(rows.stream().mapToLong(key).sum()).as("sum of keys")
                .isEqualTo(Fixtures.db().queryLong("SELECT sum(id) FROM " + table));
        assertStrictlyIncreasing(rows, key);
    }

    private static <T> void assertStrictlyIncreasing(List<T> rows, ToLongFunction<T> key) {
        List<Long> keys = new ArrayList<>(rows.size());
        rows.forEach(row -> keys.add(key.applyAsLong(row)));
        for (int i = 1; i < keys.size(); i++) {
            if (keys.get(i) <= keys.get(i - 1)) {
                throw new AssertionError("keys not strictly increasing at " + i + ": " + keys.get(i - 1) + ", "
                        + keys.get(i));
            }
        }
    }

    /**
     * The server sent every row of lost_item once: the relay's rows are those and one per new connection (which
     * r2dbc-postgresql opens with {@code SHOW TRANSACTION ISOLATION LEVEL}).
     */
    private void assertNoRowSentTwice() {
        long connectionSetups = relay.commandTags().stream().filter("SHOW"::equals).count();
        assertThat(relay.dataRows() - connectionSetups).as("rows the server sent: none twice").isEqualTo(ITEMS);
    }

    /** Keyset pages of {@code table} the repository sent. */
    private long pagesOf(String table) {
        return statements.stream().filter(sql -> sql.contains("FROM " + table) && sql.contains("LIMIT")).count();
    }

    private static void join(Thread thread) {
        try {
            thread.join(WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * Terminates, from a connection of its own, each backend of the specs' connections that sleeps in
     * {@code lost_pause}, until it has terminated {@code times} of them or is closed.
     */
    private static final class Terminator implements AutoCloseable {
        private final AtomicInteger terminated = new AtomicInteger();
        private final int times;
        private final Thread thread;
        private volatile boolean closed;

        private Terminator(int times) {
            this.times = times;
            this.thread = new Thread(this::run, "terminator");
            thread.setDaemon(true);
        }

        static Terminator of(int times) {
            Terminator terminator = new Terminator(times);
            terminator.thread.start();
            return terminator;
        }

        private void run() {
            while (!closed && terminated.get() < times) {
                long n = Fixtures.db().queryLong("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        + "WHERE application_name = '" + Fixtures.APPLICATION + "' AND wait_event = 'PgSleep' "
                        + "AND query LIKE '%lost_pause%'");
                terminated.addAndGet((int) n);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** Stops terminating, once the termination under way is counted, and says how many it terminated. */
        int terminated() {
            close();
            return terminated.get();
        }

        @Override
        public void close() {
            closed = true;
            join(thread);
        }
    }
}
