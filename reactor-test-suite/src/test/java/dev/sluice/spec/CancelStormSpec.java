package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import dev.sluice.r2dbc.R2dbcRepo;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.pool.PoolMetrics;
import io.r2dbc.spi.ConnectionFactories;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * Many more streams than connections, cancelled at random moments (waiting for a connection, mid-page, between
 * pages): every connection comes back to the pool, and the next query runs at once.
 */
class CancelStormSpec {

    private static final int POOL = 4;
    private static final int STREAMS = 60;

    @BeforeAll
    static void data() {
        Fixtures.pictures();
    }

    @Test
    void streamsCancelledWhileWaitingForAConnectionOrMidPageGiveEveryConnectionBack() throws Exception {
        ConnectionPool pool = new ConnectionPool(ConnectionPoolConfiguration.builder(ConnectionFactories.get(
                        Fixtures.withParam(Fixtures.db().r2dbcUrl(), "applicationName", Fixtures.APPLICATION)))
                .initialSize(1).maxSize(POOL).maxAcquireTime(Duration.ofSeconds(30)).build());
        try (R2dbcRepo repo = R2dbcRepo.builder(pool).minPageSize(50).maxPageSize(400).build()) {
            for (int round = 0; round < 3; round++) {
                List<Disposable> streams = new ArrayList<>();
                for (int i = 0; i < STREAMS; i++) {
                    SlowReader reader = new SlowReader();
                    Flux<Picture> flux = i % 3 == 0 ? repo.scan(Picture.class)
                            : i % 3 == 1 ? repo.select(Picture.class).orderBy("taken_at").flux()
                            : repo.select(Picture.class).where("id > ?", 5).flux();
                    flux.subscribeOn(Schedulers.parallel()).subscribe(reader);
                    streams.add(reader);
                }
                Thread.sleep(ThreadLocalRandom.current().nextInt(50, 400));
                for (Disposable d : streams) {
                    d.dispose();
                    if (ThreadLocalRandom.current().nextInt(4) == 0) {
                        Thread.sleep(ThreadLocalRandom.current().nextInt(0, 20));
                    }
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                PoolMetrics m = pool.getMetrics().orElseThrow();
                while ((m.acquiredSize() > 0 || m.pendingAcquireSize() > 0) && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(m.acquiredSize()).as("connections still borrowed after round %d", round).isZero();
                assertThat(m.pendingAcquireSize()).as("borrows still waiting after round %d", round).isZero();
                assertThat(repo.select(Picture.class).count().block(Duration.ofSeconds(10)))
                        .isEqualTo(Fixtures.db().queryLong("SELECT count(*) FROM picture"));
            }
            // Every connection the pool holds is usable: POOL statements at once, each on its own connection.
            List<Long> counts = Flux.range(0, POOL).flatMap(i -> repo.select(Picture.class)
                    .where("id <= ?", 10 + i).count(), POOL).collectList().block(Duration.ofSeconds(30));
            assertThat(counts).containsExactlyInAnyOrder(10L, 11L, 12L, 13L);
            assertThat(Fixtures.sessionsInTransaction()).isZero();
        } finally {
            pool.dispose();
        }
    }

    /** Asks for 20 rows at a time, a little later each time, until disposed. */
    static final class SlowReader extends BaseSubscriber<Picture> {
        private int received;

        @Override
        protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
            request(20);
        }

        @Override
        protected void hookOnNext(Picture value) {
            if (++received % 20 == 0) {
                Schedulers.parallel().schedule(() -> request(20), 5, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        }
    }
}
