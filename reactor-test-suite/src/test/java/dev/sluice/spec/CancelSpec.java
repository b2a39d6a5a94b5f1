package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.annotation.UniqueKey;

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
        StepVerifier.create(repo.select(Picture.class).orderBy("name desc").inOneSnapshot().flux().take(10).map(Picture::name))
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
    void cancelDuringAPageBeyondTheMaximumStopsItOnTheServer() {
        // rows after id 3000 take 2 ms each to produce: with unbounded demand the third page asks for 4000 of them
        Fixtures.db().execute("CREATE OR REPLACE FUNCTION slow_after(id bigint, after bigint) RETURNS boolean "
                        + "LANGUAGE plpgsql AS $$ BEGIN IF id > after THEN PERFORM pg_sleep(0.002); END IF; "
                        + "RETURN true; END $$",
                "CREATE OR REPLACE VIEW slow_picture AS SELECT * FROM picture WHERE slow_after(id, 3000)");
        repo.findById(SlowPicture.class, 1L).block(Duration.ofSeconds(10)); // its table check, out of the counts
        relay.reset();
        StepVerifier.create(repo.scan(SlowPicture.class).map(SlowPicture::id).takeUntil(id -> id == 3010))
                .expectNextCount(3010)
                .expectComplete()
                .verify(Duration.ofSeconds(30));
        anotherQueryRunsAtOnce();
        assertThat(relay.commandTags()).as("pages of 1000 and 2000 rows, then 5 for the next query")
                .containsExactly("SELECT 1000", "SELECT 2000", "SELECT 5");
        assertThat(relay.cancelRequests()).as("the 4000-row page in flight was cancelled on the server").isOne();
        // without the stop, the page would have been read to its end: 7000 rows
        assertThat(relay.dataRows()).as("rows sent").isLessThan(3000 + 1000 + 5);
        assertThat(Fixtures.db().queryLong("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                + "AND pid <> pg_backend_pid() AND query LIKE '%slow_picture%'")).as("statements still running")
                .isZero();
    }

    @Test
    void aStopRacingTheEndOfItsStatementNeverHitsTheNextStatement() {
        // cancels at and around page ends (pages of 1000, 2000, 4000, 8000 rows), where the statement may already
        // have ended when the stop comes; the next statement on the one connection must never be cancelled
        for (long at : new long[] {1500, 2999, 3000, 3001, 5000, 6999, 7000, 7001, 14_999, 15_000, 19_999}) {
            StepVerifier.create(repo.scan(Picture.class).map(Picture::id).takeUntil(id -> id == at).count())
                    .expectNext(at)
                    .expectComplete()
                    .verify(Duration.ofSeconds(30));
            anotherQueryRunsAtOnce();
        }
    }

    @Test
    void insideATransactionACancelLeavesThePageToFinishAndTheTransactionCommits() {
        StepVerifier.create(repo.inTransaction(tx -> tx.scan(Picture.class).map(Picture::id)
                        .takeUntil(id -> id == 3010).count()))
                .expectNext(3010L)
                .expectComplete()
                .verify(Duration.ofSeconds(30));
        anotherQueryRunsAtOnce();
        assertThat(relay.cancelRequests()).isZero();
        assertThat(relay.commandTags()).contains("COMMIT")
                .filteredOn(t -> t.startsWith("SELECT"))
                .allSatisfy(tag -> assertThat(Integer.parseInt(tag.substring(7))).isLessThanOrEqualTo(MAX_PAGE));
    }

    @Test
    void cancelBeforeTheFirstRowOfAnotherOrderAskedForWholeStopsItsOneStatementOnTheServer() {
        // the name column takes 2 ms a row, computed before the sort by taken_at: no row for 40 s
        Fixtures.db().execute("CREATE OR REPLACE FUNCTION slow_name(name text) RETURNS text LANGUAGE plpgsql "
                        + "AS $$ BEGIN PERFORM pg_sleep(0.002); RETURN name; END $$",
                "CREATE OR REPLACE VIEW slow_named_picture AS SELECT id, sha1, slow_name(name) AS name, taken_at, "
                        + "size_bytes, data FROM picture");
        repo.findById(SlowNamedPicture.class, 1L).block(Duration.ofSeconds(10)); // its table check
        relay.reset();
        StepVerifier.create(repo.select(SlowNamedPicture.class).orderBy("taken_at").inOneSnapshot().flux()
                        .take(Duration.ofMillis(500)))
                .expectComplete()
                .verify(Duration.ofSeconds(30));
        anotherQueryRunsAtOnce();
        assertThat(relay.commandTags()).as("one statement, no transaction, cancelled: only the next query's tag")
                .containsExactly("SELECT 5");
        assertThat(relay.cancelRequests()).isOne();
        assertThat(Fixtures.db().queryLong("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                + "AND pid <> pg_backend_pid() AND query LIKE '%slow_named_picture%'")).as("statements still running")
                .isZero();
    }

    @Test
    void aStopRacingTheEndOfAnotherOrderAskedForWholeNeverHitsTheNextStatement() {
        for (long at : new long[] {1, 100, 10_000, 19_998, 19_999}) {
            StepVerifier.create(repo.select(Picture.class).orderBy("name").flux().index()
                            .takeUntil(row -> row.getT1() == at - 1).count())
                    .expectNext(at)
                    .expectComplete()
                    .verify(Duration.ofSeconds(30));
            anotherQueryRunsAtOnce();
        }
        assertThat(relay.commandTags()).noneMatch(t -> t.equals("BEGIN"));
    }

    /** The pictures through a view that is slow after id 3000. */
    @Table("slow_picture")
    @UniqueKey
    record SlowPicture(@Id Long id, byte[] sha1, String name, Instant takenAt, int sizeBytes, byte[] data) {
    }

    /** The pictures through a view whose name column is slow to compute. */
    @Table("slow_named_picture")
    @UniqueKey
    record SlowNamedPicture(@Id Long id, byte[] sha1, String name, Instant takenAt, int sizeBytes, byte[] data) {
    }

    @Test
    void cancelAfterManyPagesInCursorModeRollsBackAndTheConnectionWorks() {
        StepVerifier.create(repo.select(Picture.class).orderBy("taken_at").inOneSnapshot().flux(), 0)
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
