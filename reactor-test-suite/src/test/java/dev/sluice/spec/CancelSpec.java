package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * Cancelling stops database work after at most the page in flight, and the connection goes back healthy: each test
 * runs on a pool of ONE connection and must be able to run another query right after.
 */
class CancelSpec extends PictureSpecBase {

    private static final int MIN_PAGE = 100;
    private static final int MAX_PAGE = 1000;

    CancelSpec() {
        super(MIN_PAGE, MAX_PAGE);
    }

    private void anotherQueryRunsAtOnce() {
        StepVerifier.create(repo.select(Picture.class).where("id <= ?", 5).flux().map(Picture::id))
                .expectNext(1L, 2L, 3L, 4L, 5L)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void takeTenOfAKeysetScanReadsOnePageAndFreesTheConnection() {
        StepVerifier.create(repo.scan(Picture.class).take(10).map(Picture::id))
                .expectNext(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        anotherQueryRunsAtOnce();
        assertThat(relay.dataRows()).as("rows sent for take(10), then 5 for the next query")
                .isLessThanOrEqualTo(MAX_PAGE + 5);
        assertThat(relay.commandTags()).first().isEqualTo("SELECT " + MIN_PAGE);
    }

    @Test
    void takeTenOfACursorScanClosesTheTransactionAndFreesTheConnection() {
        StepVerifier.create(repo.select(Picture.class).orderBy("name desc").flux().take(10).map(Picture::name))
                .expectNext("IMG_020000")
                .expectNextCount(9)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        anotherQueryRunsAtOnce();
        assertThat(relay.commandTags()).startsWith("BEGIN", "DECLARE CURSOR", "FETCH " + MIN_PAGE, "ROLLBACK");
        assertThat(relay.dataRows()).isLessThanOrEqualTo(MAX_PAGE + 5);
        assertThat(Fixtures.sessionsInTransaction()).isZero();
    }

    @Test
    void cancelWhileAPageIsInFlightLetsThatPageFinishAndNothingMore() {
        // ask for a large page and cancel at once, before it can have arrived
        StepVerifier.create(repo.scan(Picture.class), 0)
                .thenRequest(MAX_PAGE)
                .thenCancel()
                .verify(Duration.ofSeconds(10));
        anotherQueryRunsAtOnce();
        assertThat(relay.dataRows()).isLessThanOrEqualTo(MAX_PAGE + 5);
        assertThat(relay.commandTags()).filteredOn(t -> t.startsWith("SELECT")).hasSizeLessThanOrEqualTo(2);
    }

    @Test
    void cancelAfterManyPagesInCursorModeRollsBackAndTheConnectionWorks() {
        StepVerifier.create(repo.select(Picture.class).orderBy("taken_at").flux(), 0)
                .thenRequest(5000)
                .expectNextCount(5000)
                .thenCancel()
                .verify(Duration.ofSeconds(30));
        anotherQueryRunsAtOnce();
        assertThat(relay.commandTags()).contains("ROLLBACK");
        assertThat(relay.dataRows()).isLessThanOrEqualTo(5000 + MAX_PAGE + 5);
        assertThat(Fixtures.sessionsInTransaction()).isZero();
    }
}
