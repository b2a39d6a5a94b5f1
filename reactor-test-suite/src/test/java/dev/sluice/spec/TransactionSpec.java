package dev.sluice.spec;

import static dev.sluice.spec.WriteTables.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import dev.sluice.Isolation;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.annotation.UniqueKey;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.spec.WriteTables.Mood;
import dev.sluice.WriteException;
import io.r2dbc.spi.R2dbcDataIntegrityViolationException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * {@code inTransaction}: commit on completion, rollback on error and on cancel, all or nothing for batched writes,
 * isolation levels. Each test runs on a pool of ONE connection, so the write after a rollback proves the connection
 * came back healthy.
 */
class TransactionSpec extends WriteSpecBase {

    private static final String TABLE = "tx_picture";

    @Table(TABLE)
    record Picture(@Id Long id, String sha1, String name, Instant takenAt, int sizeBytes, Mood mood) {
    }

    /** The isolation level of the transaction that reads it. */
    @Table("tx_isolation")
    @UniqueKey
    record CurrentIsolation(@Id Long id, String level) {
    }

    @BeforeAll
    static void tables() {
        WriteTables.create(TABLE);
        Fixtures.db().execute("CREATE OR REPLACE VIEW tx_isolation AS "
                + "SELECT 1::bigint AS id, current_setting('transaction_isolation') AS level");
    }

    TransactionSpec() {
        super(TABLE, Picture.class, 1);
    }

    private static Picture picture(String sha1) {
        return new Picture(null, sha1, "name " + sha1, T0, sha1.length(), Mood.CALM);
    }

    /** The rollback runs after a cancel: wait until the server has completed it. */
    private void awaitRollback() {
        awaitTags(tags -> tags.contains("ROLLBACK"));
    }

    private void theConnectionWorks() {
        assertThat(repo.insert(picture("after")).block(TIMEOUT)).isNotNull();
        assertThat(Fixtures.sessionsInTransaction()).as("sessions left in a transaction").isZero();
    }

    @Test
    void aTransactionSeesItsOwnWritesAndCommits() {
        List<Long> counts = repo.inTransaction(tx -> tx.insert(picture("a"))
                        .then(tx.select(Picture.class).count())
                        .concatWith(tx.update(Picture.class).set("name = ?", "in tx").where("sha1 = ?", "a")
                                .execute()))
                .collectList().block(TIMEOUT);
        assertThat(counts).containsExactly(1L, 1L);
        assertThat(repo.select(Picture.class).where("name = ?", "in tx").count().block(TIMEOUT)).isEqualTo(1);
        assertThat(statements).contains("BEGIN", "COMMIT");
        assertThat(relay.commandTags()).containsSubsequence("BEGIN", "INSERT 0 1", "SELECT 1", "UPDATE 1", "COMMIT");
    }

    @Test
    void aTransactionAtAnIsolationLevel() {
        List<String> levels = repo.inTransaction(Isolation.SERIALIZABLE, tx -> tx.insert(picture("a"))
                        .then(tx.select(CurrentIsolation.class).one().map(CurrentIsolation::level)))
                .collectList().block(TIMEOUT);
        assertThat(levels).as("the level the server reports inside the transaction").containsExactly("serializable");
        assertThat(statements).contains("BEGIN ISOLATION LEVEL SERIALIZABLE", "COMMIT");
        assertThat(relay.commandTags()).contains("COMMIT");
        assertThat(rows()).isEqualTo(1);
        assertThat(repo.select(CurrentIsolation.class).one().map(CurrentIsolation::level).block(TIMEOUT))
                .as("outside a transaction: the server's default").isEqualTo("read committed");
    }

    @Test
    void anErrorRollsBack() {
        StepVerifier.create(repo.inTransaction(tx -> tx.insert(picture("a"))
                        .then(tx.insert(picture("b")))
                        .then(Mono.error(new IllegalStateException("boom")))))
                .expectErrorMessage("boom")
                .verify(TIMEOUT);
        assertThat(statements).contains("ROLLBACK").doesNotContain("COMMIT");
        assertThat(relay.commandTags()).containsSubsequence("BEGIN", "INSERT 0 1", "INSERT 0 1", "ROLLBACK")
                .doesNotContain("COMMIT");
        assertThat(rows()).isZero();
        theConnectionWorks();
    }

    @Test
    void aFailedInsertAllInsideATransactionLeavesNothing() {
        repo.insert(picture("dup")).block(TIMEOUT);
        relay.reset();
        Flux<Picture> input = Flux.range(0, 1234).map(i -> picture(i == 700 ? "dup" : "t" + i));
        StepVerifier.create(repo.inTransaction(tx -> tx.insertAll(input)))
                .expectNextCount(500)
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(WriteException.class).hasCauseInstanceOf(R2dbcDataIntegrityViolationException.class)
                        .hasMessageContaining("input rows 501 to 1000").hasMessageContaining(TABLE + "_sha1_key"))
                .verify(TIMEOUT);
        assertThat(relay.commandTags()).containsSubsequence("BEGIN", "INSERT 0 500", "ROLLBACK")
                .doesNotContain("COMMIT");
        assertThat(rows()).as("inside a transaction the batches before the failure are rolled back too")
                .isEqualTo(1);
        theConnectionWorks();
    }

    @Test
    void aCancelWhileInsertAllIsWritingRollsBackEverything() {
        Flux<Picture> endless = Flux.<Picture, Long>generate(() -> 0L, (i, sink) -> {
            sink.next(picture("e" + i));
            return i + 1;
        });
        StepVerifier.create(repo.inTransaction(tx -> tx.insertAll(endless)), 0)
                .thenRequest(1200)
                .expectNextCount(1200)
                .then(() -> awaitTags(tags -> tags.stream().filter("INSERT 0 500"::equals).count() >= 3))
                .then(() -> assertThat(relay.commandTags()).as("batches committed to nothing yet")
                        .containsSubsequence("BEGIN", "INSERT 0 500", "INSERT 0 500", "INSERT 0 500"))
                .thenCancel()
                .verify(TIMEOUT);
        awaitRollback();
        assertThat(relay.commandTags()).doesNotContain("COMMIT");
        assertThat(rows()).isZero();
        theConnectionWorks();
    }

    @Test
    void aCancelRollsBackAndAScanInsideKeepsBackPressure() {
        StepVerifier.create(repo.inTransaction(tx -> tx.insertAll(Flux.range(0, 1000).map(i -> picture("c" + i)))
                        .thenMany(tx.scan(Picture.class))), 0)
                .thenRequest(10)
                .expectNextCount(10)
                .then(() -> {
                    assertThat(statements).filteredOn(s -> s.startsWith("SELECT id")).as("keyset pages fetched so far")
                            .hasSizeLessThanOrEqualTo(2);
                    assertThat(relay.commandTags()).filteredOn(t -> t.startsWith("SELECT"))
                            .as("keyset pages the server completed so far").hasSizeLessThanOrEqualTo(2);
                })
                .thenCancel()
                .verify(TIMEOUT);
        awaitRollback();
        assertThat(statements).doesNotContain("COMMIT");
        assertThat(relay.commandTags()).doesNotContain("COMMIT");
        assertThat(rows()).isZero();
        theConnectionWorks();
    }
}
