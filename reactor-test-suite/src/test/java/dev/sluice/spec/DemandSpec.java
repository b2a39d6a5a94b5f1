package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * The central promise: the subscriber's demand decides how many rows the database sends. Rows are counted on the
 * wire (DataRow messages through a relay), not inferred from what the subscriber saw.
 */
class DemandSpec extends PictureSpecBase {

    private static final int MIN_PAGE = 50;
    private static final int MAX_PAGE = 200;

    DemandSpec() {
        super(MIN_PAGE, MAX_PAGE);
    }

    @Test
    void keysetSendsNothingBeforeDemandThenAMinimumPageForTenRows() {
        tenRowsOnDemand(repo.scan(Picture.class))
                .then(() -> {
                    assertThat(relay.dataRows()).as("rows sent for request(10)").isEqualTo(MIN_PAGE);
                    assertThat(relay.commandTags()).containsExactly("SELECT " + MIN_PAGE);
                })
                .thenRequest(500)
                .expectNextCount(500)
                .thenAwait(Duration.ofMillis(300))
                .then(() -> assertThat(relay.dataRows()).as("rows sent after request(510)")
                        .isBetween(510L, 510L + MAX_PAGE))
                .thenCancel()
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void keysetHoldsNoConnectionAndNoTransactionBetweenPages() {
        // pool of ONE connection: while the scan waits for demand, other queries must still get it
        StepVerifier.create(repo.scan(Picture.class), 0)
                .thenRequest(10)
                .expectNextCount(10)
                .then(() -> {
                    StepVerifier.create(repo.findById(Picture.class, 20_000L).map(Picture::name))
                            .expectNext("IMG_020000").expectComplete().verify(Duration.ofSeconds(10));
                    assertThat(Fixtures.sessionsInTransaction()).as("sessions in a transaction between pages")
                            .isZero();
                })
                .thenRequest(10)
                .expectNextCount(10)
                .thenCancel()
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void cursorFetchesPerDemandInsideOneReadOnlyTransaction() {
        Flux<Picture> byTime = repo.select(Picture.class).orderBy("taken_at desc").inOneSnapshot().flux();
        tenRowsOnDemand(byTime)
                .then(() -> {
                    assertThat(relay.dataRows()).isEqualTo(MIN_PAGE);
                    assertThat(relay.commandTags()).containsExactly("BEGIN", "DECLARE CURSOR", "FETCH " + MIN_PAGE);
                })
                .thenRequest(1000)
                .expectNextCount(1000)
                .thenAwait(Duration.ofMillis(300))
                .then(() -> assertThat(relay.dataRows()).isBetween(1010L, 1010L + MAX_PAGE))
                .thenCancel()
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void aFullScanWithUnboundedDemandDoublesItsPagesBeyondTheMaximumAndReturnsEveryRowInKeyOrder() {
        List<Long> ids = repo.scan(Picture.class).map(Picture::id).collectList().block(Duration.ofSeconds(60));
        assertThat(ids).hasSize(Fixtures.PICTURES).isSorted().doesNotHaveDuplicates();
        assertThat(relay.dataRows()).isEqualTo(Fixtures.PICTURES);
        // everything was asked for, and a cancel would stop a large page on the server: 7 statements, not 101
        assertThat(relay.commandTags()).containsExactly("SELECT 200", "SELECT 400", "SELECT 800", "SELECT 1600",
                "SELECT 3200", "SELECT 6400", "SELECT 7400");
        assertThat(relay.commandTags()).noneMatch(t -> t.startsWith("BEGIN"));
    }

    @Test
    void anotherOrderAskedForWholeRunsAsOneStatementWithoutACursorOrATransaction() {
        List<String> names = repo.select(Picture.class).orderBy("taken_at desc, name").inOneSnapshot().flux().map(Picture::name)
                .collectList().block(Duration.ofSeconds(60));
        assertThat(String.join(",", names)).isEqualTo(Fixtures.queryString(
                "SELECT string_agg(name, ',' ORDER BY taken_at DESC, name) FROM picture"));
        assertThat(relay.commandTags()).containsExactly("SELECT " + Fixtures.PICTURES);
    }

    @Test
    void insideATransactionPagesStayWithinTheMaximum() {
        // a cancel there could not stop a statement without aborting the transaction
        List<Long> ids = repo.inTransaction(tx -> tx.scan(Picture.class).map(Picture::id)).collectList()
                .block(Duration.ofSeconds(60));
        assertThat(ids).hasSize(Fixtures.PICTURES).isSorted();
        assertThat(selects()).isEqualTo(Fixtures.PICTURES / MAX_PAGE + 1);
    }

    @Test
    void limitRateDrivesPageSizesWithinTheBounds() {
        List<Long> ids = repo.scan(Picture.class).limitRate(100).map(Picture::id).collectList()
                .block(Duration.ofSeconds(60));
        assertThat(ids.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")))
                .as("every row once, in key order")
                .isEqualTo(Fixtures.queryString("SELECT string_agg(id::text, ',' ORDER BY id) FROM picture"));
        assertThat(relay.dataRows()).isEqualTo(Fixtures.PICTURES);
        assertThat(relay.commandTags()).filteredOn(t -> t.startsWith("SELECT"))
                .allSatisfy(tag -> assertThat(Integer.parseInt(tag.substring(7))).isBetween(0, MAX_PAGE));
    }
}
