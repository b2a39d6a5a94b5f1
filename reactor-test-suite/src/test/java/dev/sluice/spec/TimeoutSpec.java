package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import dev.sluice.QueryTimeoutException;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * Timeouts and cancels stop the statement on the server: a page blocked on a lock that another connection holds for
 * the whole test (so it can never end by itself), or a statement that sleeps for a minute, is cancelled; the server
 * then runs nothing of the specs' connections, and the repository's one pooled connection serves the next query
 * while the lock is still held.
 */
class TimeoutSpec extends RelayedSpecBase {

    private static final Duration TIMEOUT = Duration.ofMillis(200);

    @Table("held_item")
    record HeldItem(@Id long id, String name) {
    }

    TimeoutSpec() {
        super(100, 1000);
    }

    @BeforeAll
    static void tables() {
        Fixtures.pictures();
        Fixtures.db().execute("CREATE TABLE IF NOT EXISTS held_item (id bigint PRIMARY KEY, name text NOT NULL)",
                "INSERT INTO held_item SELECT i, 'item ' || i FROM generate_series(1, 5000) i ON CONFLICT DO NOTHING",
                "CREATE OR REPLACE FUNCTION sleep_true(seconds float8) RETURNS boolean LANGUAGE plpgsql "
                        + "AS $$ BEGIN PERFORM pg_sleep(seconds); RETURN true; END $$");
    }

    @Override
    void firstUse() {
        StepVerifier.create(repo.select(HeldItem.class).count()).expectNext(5000L).verifyComplete();
        StepVerifier.create(repo.select(Picture.class).count()).expectNext((long) Fixtures.PICTURES).verifyComplete();
    }

    @Test
    void aReactorTimeoutOnABlockedKeysetPageStopsItOnTheServer() {
        try (HeldLock lock = HeldLock.exclusive("held_item")) {
            StepVerifier.create(repo.scan(HeldItem.class).take(1))
                    .expectSubscription()
                    .then(() -> HeldLock.await("the page waits for the lock", () -> HeldLock.waiting("SELECT")))
                    .expectTimeout(TIMEOUT)
                    .verify(Duration.ofSeconds(10));
            serverIdleAndTheConnectionServesTheNextQuery();
            assertThat(relay.cancelRequests()).as("CancelRequests sent").isOne();
        }
    }

    @Test
    void aReactorTimeoutOperatorOnABlockedKeysetPageStopsItOnTheServer() {
        try (HeldLock lock = HeldLock.exclusive("held_item")) {
            StepVerifier.create(repo.scan(HeldItem.class).take(1).timeout(TIMEOUT))
                    .expectError(TimeoutException.class)
                    .verify(Duration.ofSeconds(10));
            serverIdleAndTheConnectionServesTheNextQuery();
        }
    }

    @Test
    void aQueryTimeoutStopsABlockedKeysetPageAndNamesIt() {
        try (HeldLock lock = HeldLock.exclusive("held_item")) {
            StepVerifier.create(repo.select(HeldItem.class).timeout(TIMEOUT).flux())
                    .expectErrorSatisfies(error -> {
                        assertThat(error).isInstanceOf(QueryTimeoutException.class).hasMessage(
                                "The statement ran longer than the query's timeout of 200 ms and was cancelled on "
                                        + "the server: " + ((QueryTimeoutException) error).sql());
                        assertThat(((QueryTimeoutException) error).sql()).startsWith("SELECT ")
                                .contains("held_item").contains("LIMIT");
                        assertThat(((QueryTimeoutException) error).timeout()).isEqualTo(TIMEOUT);
                    })
                    .verify(Duration.ofSeconds(10));
            // the error comes only once the statement has ended on the server
            assertThat(activeStatements()).as("statements of the specs still running").isZero();
            serverIdleAndTheConnectionServesTheNextQuery();
        }
    }

    @Test
    void aQueryTimeoutStopsABlockedFindByIdAndCount() {
        try (HeldLock lock = HeldLock.exclusive("held_item")) {
            StepVerifier.create(repo.select(HeldItem.class).timeout(TIMEOUT).findById(7L))
                    .expectError(QueryTimeoutException.class)
                    .verify(Duration.ofSeconds(10));
            StepVerifier.create(repo.select(HeldItem.class).timeout(TIMEOUT).count())
                    .expectErrorSatisfies(error -> assertThat(((QueryTimeoutException) error).sql())
                            .startsWith("SELECT count(*)"))
                    .verify(Duration.ofSeconds(10));
            serverIdleAndTheConnectionServesTheNextQuery();
        }
    }

    @Test
    void insideATransactionAQueryTimeoutAbortsItAndSaysSo() {
        try (HeldLock lock = HeldLock.exclusive("held_item")) {
            StepVerifier.create(repo.inTransaction(tx -> tx.select(HeldItem.class).timeout(TIMEOUT).flux()))
                    .expectErrorSatisfies(error -> {
                        assertThat(error).isInstanceOf(QueryTimeoutException.class).hasMessageStartingWith(
                                "The statement ran longer than the query's timeout of 200 ms and was cancelled on "
                                        + "the server; it ran inside a transaction, which the cancel aborted: that "
                                        + "transaction can only roll back now: SELECT ");
                        assertThat(((QueryTimeoutException) error).inTransaction()).isTrue();
                    })
                    .verify(Duration.ofSeconds(10));
            serverIdleAndTheConnectionServesTheNextQuery();
            assertThat(relay.commandTags()).contains("ROLLBACK").doesNotContain("COMMIT");
        }
    }

    @Test
    void aQueryTimeoutStopsACursorFetchAndTheWholeStatement() {
        // one snapshot: a cursor; the first row takes a minute to produce
        StepVerifier.create(repo.select(HeldItem.class).where("sleep_true(60)").orderBy("name").inOneSnapshot()
                        .timeout(TIMEOUT).flux().take(1))
                .expectErrorSatisfies(error -> assertThat(((QueryTimeoutException) error).sql())
                        .startsWith("FETCH FORWARD 100 FROM sluice_cursor_"))
                .verify(Duration.ofSeconds(10));
        serverIdleAndTheConnectionServesTheNextQuery();
        // every row asked for at once: the one whole statement
        StepVerifier.create(repo.select(HeldItem.class).where("sleep_true(60)").orderBy("name").inOneSnapshot()
                        .timeout(TIMEOUT).flux().collectList())
                .expectErrorSatisfies(error -> assertThat(((QueryTimeoutException) error).sql())
                        .startsWith("SELECT ").contains("ORDER BY"))
                .verify(Duration.ofSeconds(10));
        serverIdleAndTheConnectionServesTheNextQuery();
    }

    @Test
    void aQueryTimeoutLeavesAStatementThatEndsInTimeAlone() {
        StepVerifier.create(repo.select(HeldItem.class).timeout(Duration.ofSeconds(30)).flux().count())
                .expectNext(5000L)
                .expectComplete()
                .verify(Duration.ofSeconds(30));
        assertThat(relay.cancelRequests()).isZero();
    }

    /**
     * The blocked statement has ended on the server (the lock is still held, so only a cancel can have ended it) and
     * the pool's one connection runs the next query.
     */
    private void serverIdleAndTheConnectionServesTheNextQuery() {
        StepVerifier.create(repo.select(Picture.class).where("id <= ?", 3).flux().map(Picture::id))
                .expectNext(1L, 2L, 3L)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        HeldLock.await("no statement of the specs' connections running", () -> activeStatements() == 0);
    }

    private static long activeStatements() {
        return Fixtures.db().queryLong("SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
                + Fixtures.APPLICATION + "' AND state = 'active' AND pid <> pg_backend_pid()");
    }
}
