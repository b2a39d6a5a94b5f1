package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.testkit.ThrowawayCluster;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.R2dbcTimeoutException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Pools that heal and waits that end: after a server restart, the dead connections left in the pool cost no query
 * a failure; a borrow from an exhausted pool ends after {@code maxAcquireTime} with an error that says why.
 */
class PoolFaultSpec {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Table("pool_item")
    record Item(@Id Long id, String name) {
    }

    /** What {@code pg_backend_pid()} says. */
    record Backend(int pid) {
    }

    @BeforeAll
    static void table() {
        Fixtures.db().execute("CREATE TABLE IF NOT EXISTS pool_item (id bigint PRIMARY KEY, name text NOT NULL)");
    }

    @Test
    void everyQueryAfterAServerRestartSucceedsThoughThePoolHeldOnlyDeadConnections() {
        String unavailable = ThrowawayCluster.unavailableBecause();
        Assumptions.assumeTrue(unavailable == null, () -> "PoolFaultSpec skipped: " + unavailable);
        try (ThrowawayCluster cluster = ThrowawayCluster.start()) {
            cluster.psql("CREATE TABLE pool_item (id bigint PRIMARY KEY, name text NOT NULL);"
                    + " INSERT INTO pool_item SELECT g, 'item ' || g FROM generate_series(1, 100) g");
            try (R2dbcRepo repo = R2dbcRepo.create(cluster.r2dbcUrl("maxSize=4&initialSize=4"))) {
                // Four statements at once: the pool now holds (up to) four connections, idle once they end. On a
                // loaded machine one statement may end before the last starts and lend it its connection.
                List<Integer> before = Flux.range(0, 4)
                        .flatMap(i -> repo.query(Backend.class, "select pg_backend_pid() as pid from pg_sleep(1)")
                                .map(Backend::pid), 4)
                        .collectList().block(WAIT);
                assertThat(before).hasSize(4);
                assertThat(before.stream().distinct().count()).as("connections in the pool: %s", before)
                        .isGreaterThanOrEqualTo(2);

                cluster.restart();

                List<Long> counts = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    counts.add(repo.select(Item.class).count().block(WAIT));
                }
                assertThat(counts).containsOnly(100L).hasSize(8);
            }
        }
    }

    @Test
    void aBorrowFromAnExhaustedPoolEndsAfterMaxAcquireTimeSayingWhy() {
        try (R2dbcRepo repo = R2dbcRepo.builder(Fixtures.withParam(Fixtures.withParam(
                        Fixtures.db().r2dbcUrl(), "maxSize", 1), "applicationName", Fixtures.APPLICATION))
                .maxAcquireTime(Duration.ofMillis(300)).build()) {
            Disposable holder = repo.inTransaction(tx -> tx.select(Item.class).count().then(Mono.never()))
                    .subscribe();
            try {
                awaitBusy();
                StepVerifier.create(repo.select(Item.class).count())
                        .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(R2dbcTimeoutException.class)
                                .hasMessage("Connection acquisition timed out after 300ms: all 1 connections of the "
                                        + "pool are busy (1 borrowed, 0 borrowers waiting). Streams that hold a "
                                        + "connection (cursor queries, transactions) or slow statements keep them; "
                                        + "raise the pool's maxSize (?maxSize=20 in the URL, or "
                                        + "spring.r2dbc.pool.max-size), or its maxAcquireTime"))
                        .verify(WAIT);
            } finally {
                holder.dispose();
            }
            assertThat(repo.select(Item.class).count().block(WAIT)).isNotNull();
        }
    }

    @Test
    void poolTimesBelongToThePoolSluiceBuildsNotToAFactoryOfYourOwn() {
        R2dbcRepo.Builder builder = R2dbcRepo.builder(ConnectionFactories.get(Fixtures.db().r2dbcUrl()))
                .maxLifeTime(Duration.ofMinutes(5));
        assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("maxAcquireTime, maxIdleTime and maxLifeTime configure the pool of a "
                        + "repository built on a URL");
        assertThatThrownBy(() -> R2dbcRepo.builder("r2dbc:postgresql://x/y").maxAcquireTime(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxAcquireTime must be positive, but was PT0S");
    }

    /** Waits until the holder's transaction has its connection. */
    private static void awaitBusy() {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (Fixtures.sessionsInTransaction() == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the holding transaction never began");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
