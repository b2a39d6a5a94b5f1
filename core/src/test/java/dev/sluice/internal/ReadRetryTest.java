package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.sluice.ConnectionLostException;
import dev.sluice.annotation.Id;
import dev.sluice.spi.RenderedSql;
import dev.sluice.spi.RowMapper;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Keyset pages that lose their connection, against a fake executor over an in-memory table of items 1..n whose
 * pages fail, after a given number of rows, with an error the executor calls a lost connection: where each page
 * runs again, what the subscriber receives, and what a read given up says.
 */
class ReadRetryTest {

    record Item(@Id Long id, String name) {
    }

    /** Signalled by the fake executor as its connection failing. */
    static final class Lost extends RuntimeException {
        Lost() {
            super("connection lost");
        }
    }

    static final class FakeExecutor extends ReadOnlyExecutor {
        final int items;
        final boolean inTransaction;
        /** Statement number (from 0) -> rows it sends before it fails. */
        final Map<Integer, Integer> failAfter = new ConcurrentHashMap<>();
        final List<String> statements = new CopyOnWriteArrayList<>();
        /** Whether it calls its failures lost connections. */
        volatile boolean lostMeansRetryable = true;

        FakeExecutor(int items, boolean inTransaction) {
            this.items = items;
            this.inTransaction = inTransaction;
        }

        @Override
        public <T> Flux<T> query(RenderedSql sql, RowMapper<T> mapper) {
            List<Object> b = sql.bindings();
            long after = b.size() == 2 ? (Long) b.get(0) : 0L;
            int limit = (Integer) b.get(b.size() - 1);
            Integer failing = failAfter.get(statements.size());
            statements.add("after " + after + " limit " + limit);
            List<Object[]> rows = new ArrayList<>();
            for (long id = after + 1; id <= items && rows.size() < limit; id++) {
                rows.add(new Object[] {id, "item " + id});
            }
            Flux<T> mapped = Flux.fromIterable(rows).map(values -> mapper.map(new ArrayRow(values)));
            return failing == null ? mapped : mapped.take(failing).concatWith(Flux.error(new Lost()));
        }

        @Override
        public boolean retryableRead(Throwable error) {
            return lostMeansRetryable && error instanceof Lost;
        }

        @Override
        public Mono<Boolean> joinsTransaction() {
            return Mono.just(inTransaction);
        }
    }

    private static Flux<Long> ids(FakeExecutor executor, int retries) {
        RepoSettings settings = RepoSettings.DEFAULTS.withPageSizes(10, 10)
                .withReadRetry(new ReadRetry(retries, Duration.ZERO));
        Fetcher fetcher = new Fetcher(RepoContext.of(executor, settings));
        EntityModel<Item> model = EntityModel.of(Item.class);
        LoadPlan<Item> plan = LoadPlan.root(model, model.defaultColumns(), List.of(), LoadPlan.paths(model, List.of()));
        SelectSql sql = SelectSql.of(PostgresDialect.INSTANCE, plan, List.of(), OrderBy.byKey(model));
        return KeysetPages.stream(fetcher, new EntityFetch<>(plan, sql, plan::construct, Long.MAX_VALUE,
                FetchStrategy.KEYSET), Map.of()).map(Item::id);
    }

    @Test
    void aPageThatLosesItsConnectionGoesOnAfterTheLastRowItReceivedForTheRowsItStillOwes() {
        FakeExecutor executor = new FakeExecutor(25, false);
        executor.failAfter.put(0, 4);
        executor.failAfter.put(2, 0);
        StepVerifier.create(ids(executor, 5)).expectNextSequence(range(1, 25)).verifyComplete();
        assertThat(executor.statements).containsExactly("after 0 limit 10", "after 4 limit 6", "after 10 limit 10",
                "after 10 limit 10", "after 20 limit 10");
    }

    @Test
    void theRowsReceivedBeforeAReadWasGivenUpAreDeliveredBeforeItsError() {
        FakeExecutor executor = new FakeExecutor(25, false);
        executor.failAfter.put(1, 4);
        StepVerifier.create(ids(executor, 0), 12)
                .expectNextSequence(range(1, 12))
                .expectNoEvent(Duration.ofMillis(50)) // rows 13 and 14 wait for demand; so does the error
                .thenRequest(1)
                .expectNext(13L)
                .thenRequest(5)
                .expectNext(14L)
                .expectErrorSatisfies(error -> {
                    ConnectionLostException lost = (ConnectionLostException) error;
                    assertThat(lost.rowsDelivered()).isEqualTo(14);
                    assertThat(lost.resumeAfter()).containsExactly(14L);
                    assertThat(lost.retries()).isZero();
                    assertThat(lost).hasMessage("The connection was lost while reading item, and retries are off "
                            + "(retries(0)): it was not retried. 14 rows were delivered; the rest come after (id) = "
                            + "(14). The error: connection lost").hasCauseInstanceOf(Lost.class);
                })
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void aPageWhoseRetriesAreSpentFailsSayingSo() {
        FakeExecutor executor = new FakeExecutor(25, false);
        executor.failAfter.put(1, 0);
        executor.failAfter.put(2, 0);
        executor.failAfter.put(3, 0);
        StepVerifier.create(ids(executor, 2))
                .expectNextSequence(range(1, 10))
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(ConnectionLostException.class)
                        .hasMessage("The connection was lost while reading item, and the 2 retries on other "
                                + "connections failed too: retries exhausted (allow more with retries(n) and "
                                + "retryBackoff(...) on R2dbcRepo.builder, or sluice.retries in Spring Boot). 10 rows "
                                + "were delivered; the rest come after (id) = (10). The error: connection lost"))
                .verify(Duration.ofSeconds(5));
        assertThat(executor.statements).containsExactly("after 0 limit 10", "after 10 limit 10", "after 10 limit 10",
                "after 10 limit 10");
    }

    @Test
    void insideATransactionNothingIsRetried() {
        FakeExecutor executor = new FakeExecutor(25, true);
        executor.failAfter.put(0, 0);
        StepVerifier.create(ids(executor, 5))
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(ConnectionLostException.class)
                        .hasMessage("The connection was lost while reading item inside a transaction: it was not "
                                + "retried, since a transaction cannot go on on another connection; run the whole "
                                + "transaction again. No row was delivered. The error: connection lost"))
                .verify(Duration.ofSeconds(5));
        assertThat(executor.statements).containsExactly("after 0 limit 10");
    }

    @Test
    void otherErrorsAreNotRetried() {
        FakeExecutor executor = new FakeExecutor(25, false);
        executor.lostMeansRetryable = false;
        executor.failAfter.put(0, 3);
        StepVerifier.create(ids(executor, 5)).thenConsumeWhile(id -> true).verifyError(Lost.class);
        assertThat(executor.statements).hasSize(1);
    }

    @Test
    void theDecisionAndTheBackoff() {
        ReadRetry retry = new ReadRetry(3, Duration.ofMillis(200));
        assertThat(retry.decide(false, 0)).isNull();
        assertThat(retry.decide(false, 2)).isNull();
        assertThat(retry.decide(false, 3)).isEqualTo(ReadRetry.GaveUp.EXHAUSTED);
        assertThat(retry.decide(true, 0)).isEqualTo(ReadRetry.GaveUp.IN_TRANSACTION);
        assertThat(new ReadRetry(0, Duration.ZERO).decide(false, 0)).isEqualTo(ReadRetry.GaveUp.OFF);
        assertThat(List.of(retry.backoff(0), retry.backoff(1), retry.backoff(2))).containsExactly(
                Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800));
        assertThat(retry.backoff(40)).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> new ReadRetry(-1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("retries must be at least 0 (0 turns retrying off), got -1");
        assertThatThrownBy(() -> new ReadRetry(1, Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("retryBackoff must not be negative, got PT-0.001S");
    }

    private static List<Long> range(long from, long to) {
        List<Long> ids = new ArrayList<>();
        for (long id = from; id <= to; id++) {
            ids.add(id);
        }
        return ids;
    }
}
