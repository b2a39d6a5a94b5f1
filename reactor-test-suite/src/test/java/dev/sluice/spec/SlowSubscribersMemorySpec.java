package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * Memory follows demand (DESIGN invariant 12): a slow subscriber, asking for 200 rows at a time a few times a second
 * (as a slow HTTP client behind WebFlux does), makes the server send about its demand plus a small page, counted on
 * the wire. Pages that doubled on every request would have fetched thousands of rows ahead of it, up to
 * {@code maxPageSize} (10,000 rows, 10 MB at 1 KiB a row) queued per stream: with a thousand such clients, the heap.
 */
class SlowSubscribersMemorySpec extends RelayedSpecBase {

    static final int ROWS = 20_000;
    static final int MIN_PAGE = 100;

    SlowSubscribersMemorySpec() {
        super(MIN_PAGE, 10_000);
    }

    @BeforeAll
    static void table() {
        Fixtures.db().execute(
                "CREATE TABLE IF NOT EXISTS demand_picture (id bigint PRIMARY KEY, data bytea NOT NULL)",
                "INSERT INTO demand_picture SELECT i, decode(repeat(md5(i::text), 64), 'hex') "
                        + "FROM generate_series(1, " + ROWS + ") i ON CONFLICT DO NOTHING",
                "ANALYZE demand_picture");
    }

    @dev.sluice.annotation.Table("demand_picture")
    public record SlowPicture(@dev.sluice.annotation.Id Long id, byte[] data) {
    }

    @Override
    void firstUse() {
        // a stream that ends by itself: a take(1) would leave its page in flight, its rows counted after the reset
        repo.select(SlowPicture.class).where("id <= ?", 1L).flux().blockLast();
    }

    @Test
    void aSlowSubscriberMakesTheServerSendItsDemandPlusASmallPage() {
        int requests = 20;
        StepVerifier.Step<SlowPicture> steps = StepVerifier.create(repo.scan(SlowPicture.class), 0);
        for (int i = 0; i < requests; i++) {
            // slower than pages arrive: 300 ms between requests, where a page of a few hundred rows takes a few ms
            steps = steps.thenRequest(200).expectNextCount(200).thenAwait(Duration.ofMillis(300));
        }
        steps.then(() -> assertThat(relay.dataRows())
                        .as("rows sent for %d rows requested, pages: %s", requests * 200, statements)
                        .isLessThanOrEqualTo(requests * 200L + 2 * MIN_PAGE))
                .thenCancel()
                .verify(Duration.ofMinutes(1));
    }

    @Test
    void aFastSubscriberStillGetsLargePages() {
        StepVerifier.create(repo.scan(SlowPicture.class).limitRate(200))
                .expectNextCount(ROWS)
                .verifyComplete();
        assertThat(relay.dataRows()).isEqualTo(ROWS);
        assertThat(selects()).as("pages for %d rows, limitRate(200): %s", ROWS, statements).isLessThan(ROWS / 400);
    }
}
