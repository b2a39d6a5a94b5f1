package dev.sluice.spec;

import static dev.sluice.spec.WriteTables.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import dev.sluice.QueryException;
import dev.sluice.RowCountException;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.spec.WriteTables.Mood;
import dev.sluice.WriteException;
import io.r2dbc.spi.R2dbcDataIntegrityViolationException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * Insert, batched insertAll, upsert, update and delete by key and set-based. Statements are counted on the wire
 * (CommandComplete tags such as {@code INSERT 0 500} through a relay), rows in the table by the test kit.
 */
class WritesSpec extends WriteSpecBase {

    private static final String TABLE = "w_picture";

    @Table(TABLE)
    record Picture(@Id Long id, String sha1, String name, Instant takenAt, int sizeBytes, Mood mood) {
    }

    @BeforeAll
    static void table() {
        WriteTables.create(TABLE);
    }

    WritesSpec() {
        super(TABLE, Picture.class, 2);
    }

    private static Picture picture(String sha1) {
        return new Picture(null, sha1, "name " + sha1, T0, sha1.length(), Mood.CALM);
    }

    private List<String> inserts() {
        return tags("INSERT");
    }

    @Test
    void insertReturnsTheRowAsStoredWithItsGeneratedKey() {
        Picture stored = repo.insert(new Picture(null, "a", null, T0, 3, Mood.ANGRY)).block(TIMEOUT);
        assertThat(stored).isEqualTo(new Picture(1L, "a", null, T0, 3, Mood.ANGRY));
        assertThat(repo.insert(picture("b")).block(TIMEOUT).id()).isEqualTo(2L);
        assertThat(repo.findById(Picture.class, 1L).block(TIMEOUT)).isEqualTo(stored);
        assertThat(repo.insert(new Picture(100L, "c", "given key", T0, 1, Mood.CALM)).block(TIMEOUT).id())
                .isEqualTo(100L);
        assertThat(inserts()).containsExactly("INSERT 0 1", "INSERT 0 1", "INSERT 0 1");
    }

    @Test
    void insertAllWritesOneStatementPerBatch() {
        List<Picture> stored = repo.insertAll(Flux.range(0, 1234).map(i -> picture("p" + i)))
                .collectList().block(TIMEOUT);
        assertThat(stored).hasSize(1234);
        assertThat(stored).extracting(Picture::id).doesNotContainNull().doesNotHaveDuplicates();
        assertThat(stored.get(1233).sha1()).isEqualTo("p1233");
        assertThat(inserts()).containsExactly("INSERT 0 500", "INSERT 0 500", "INSERT 0 234");
        assertThat(statements).filteredOn(s -> s.startsWith("INSERT")).hasSize(3);
        assertThat(rows()).isEqualTo(1234);
        relay.reset();
        assertThat(repo.insertAll(Flux.<Picture>empty()).collectList().block(TIMEOUT)).isEmpty();
        assertThat(relay.statementsCompleted()).as("statements for an empty input").isZero();
    }

    @Test
    void insertAllRequestsItsInputAtTheDatabasesPace() {
        AtomicLong requested = new AtomicLong();
        AtomicLong written = new AtomicLong();
        AtomicLong maxAhead = new AtomicLong();
        Flux<Picture> endless = Flux.<Picture, Long>generate(() -> 0L, (i, sink) -> {
            sink.next(picture("e" + i));
            return i + 1;
        }).doOnRequest(n -> {
            long total = requested.addAndGet(n);
            maxAhead.accumulateAndGet(total - written.get(), Math::max);
        });
        try (R2dbcRepo small = WriteTables.repo(relay, 1, 100, statements::add)) {
            StepVerifier.create(small.insertAll(endless).doOnNext(p -> written.incrementAndGet()).take(1000))
                    .expectNextCount(1000)
                    .expectComplete()
                    .verify(TIMEOUT);
        }
        // one batch being written and one being gathered: never more than a few batches ahead of the database
        assertThat(maxAhead.get()).isLessThanOrEqualTo(300);
        assertThat(requested.get()).isLessThanOrEqualTo(1300);
        assertThat(rows()).isBetween(1000L, 1300L);
        assertThat(inserts()).as("one statement per batch of 100").hasSizeBetween(10, 13)
                .allMatch(t -> t.equals("INSERT 0 100"));
    }

    @Test
    void aUniqueViolationLeavesNoneOfItsBatchAndNamesTheConstraintTheKeyAndTheInputRows() {
        repo.insert(picture("dup")).block(TIMEOUT);
        relay.reset();
        Flux<Picture> input = Flux.range(0, 1234).map(i -> picture(i == 700 ? "dup" : "p" + i));
        StepVerifier.create(repo.insertAll(input))
                .expectNextCount(500)
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(WriteException.class).hasMessage("insertAll of Picture into " + TABLE
                            + " was refused in the statement of input rows 501 to 1000; nothing of that statement was "
                            + "written: duplicate key value violates unique constraint \"" + TABLE + "_sha1_key\": "
                            + "Key (sha1)=(dup) already exists. [SQLSTATE 23505]");
                    assertThat(((WriteException) e).firstRow()).isEqualTo(501);
                    assertThat(((WriteException) e).sqlState()).isEqualTo("23505");
                    assertThat(e.getCause()).isInstanceOf(R2dbcDataIntegrityViolationException.class);
                })
                .verify(TIMEOUT);
        assertThat(inserts()).as("the batch before the failing one is written, nothing after it is sent")
                .containsExactly("INSERT 0 500");
        assertThat(rows()).isEqualTo(1 + 500);
        // a failed insertAll inside a transaction leaves nothing: TransactionSpec
    }

    @Test
    void aSingleInsertThatBreaksAConstraintNamesTheRowsKeyWhenItHasOne() {
        repo.insert(picture("dup")).block(TIMEOUT);
        Picture second = new Picture(99L, "dup", null, T0, 1, Mood.CALM);
        StepVerifier.create(repo.insert(second))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(WriteException.class)
                        .hasMessageStartingWith("insert of Picture into " + TABLE + " was refused in input row 1 (id=99)")
                        .hasMessageContaining("Key (sha1)=(dup) already exists."))
                .verify(TIMEOUT);
        assertThat(rows()).isEqualTo(1);
    }

    @Test
    void upsertDoNothingSkipsStoredRowsAndEmitsOnlyInsertedOnes() {
        repo.insertAll(Flux.just(picture("a"), picture("b"))).blockLast(TIMEOUT);
        relay.reset();
        List<Picture> inserted = repo.upsert(Picture.class).onConflict("sha1").doNothing()
                .all(Flux.just(picture("a"), picture("c"), picture("b"), picture("d")))
                .collectList().block(TIMEOUT);
        assertThat(inserted).extracting(Picture::sha1).containsExactly("c", "d");
        assertThat(inserts()).as("one statement; the server reports only the rows it inserted")
                .containsExactly("INSERT 0 2");
        assertThat(rows()).isEqualTo(4);
        assertThat(repo.upsert(Picture.class).onConflict("sha1").doNothing().one(picture("a")).block(TIMEOUT))
                .isNull();
    }

    @Test
    void upsertDoUpdateOverwritesTheStoredRow() {
        Picture a = repo.insert(picture("a")).block(TIMEOUT);
        Picture changed = new Picture(null, "a", "renamed", T0, 99, Mood.ANGRY);
        Picture stored = repo.upsert(Picture.class).onConflict("sha1").doUpdate().one(changed).block(TIMEOUT);
        assertThat(stored).isEqualTo(new Picture(a.id(), "a", "renamed", T0, 99, Mood.ANGRY));
        assertThat(rows()).isEqualTo(1);
    }

    @Test
    void upsertNamesTheFixForWrongOrMissingParts() {
        assertThatThrownBy(() -> repo.upsert(Picture.class).onConflict("sha"))
                .isInstanceOf(QueryException.class)
                .hasMessage("upsert(Picture.class).onConflict(\"sha\"): Picture has no column sha; its columns are "
                        + "id, sha1, name, taken_at, size_bytes, mood");
        assertThatThrownBy(() -> repo.upsert(Picture.class).onConflict("sha1").one(picture("a")))
                .isInstanceOf(QueryException.class).hasMessageContaining("add .doNothing() or .doUpdate()");
    }

    @Test
    void updateAndDeleteByKey() {
        Picture a = repo.insert(picture("a")).block(TIMEOUT);
        Picture renamed = new Picture(a.id(), "a", null, T0, 5, Mood.ANGRY);
        assertThat(repo.update(renamed).block(TIMEOUT)).isEqualTo(renamed);
        assertThat(repo.findById(Picture.class, a.id()).block(TIMEOUT)).isEqualTo(renamed);
        repo.delete(renamed).block(TIMEOUT);
        assertThat(rows()).isZero();
        assertThat(relay.commandTags()).contains("UPDATE 1", "DELETE 1");
    }

    @Test
    void updateAndDeleteOfAMissingRowFail() {
        Picture missing = new Picture(42L, "x", null, T0, 1, Mood.CALM);
        StepVerifier.create(repo.update(missing))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(RowCountException.class)
                        .hasMessage("Expected to update one Picture row with id=42, but found none"))
                .verify(TIMEOUT);
        StepVerifier.create(repo.delete(missing))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(RowCountException.class)
                        .hasMessage("Expected to delete one Picture row with id=42, but found none"))
                .verify(TIMEOUT);
        StepVerifier.create(repo.update(picture("no key"))).expectError(QueryException.class).verify(TIMEOUT);
    }

    @Test
    void setBasedUpdateAndDeleteReturnRowsAffected() {
        repo.insertAll(Flux.range(1, 10).map(i -> new Picture(null, "s" + i, "n", T0, i, Mood.CALM)))
                .blockLast(TIMEOUT);
        assertThat(repo.update(Picture.class).set("name = ?", "small").where("size_bytes <= ?", 5).execute()
                .block(TIMEOUT)).isEqualTo(5);
        assertThat(repo.select(Picture.class).where("name = ?", "small").count().block(TIMEOUT)).isEqualTo(5);
        assertThat(repo.delete(Picture.class).where("size_bytes > ?", 8).execute().block(TIMEOUT)).isEqualTo(2);
        assertThatThrownBy(() -> repo.delete(Picture.class).execute())
                .isInstanceOf(QueryException.class).hasMessageContaining("executeOnAllRows()");
        assertThatThrownBy(() -> repo.update(Picture.class).set("name = null").execute())
                .isInstanceOf(QueryException.class).hasMessageContaining("executeOnAllRows()");
        assertThat(repo.update(Picture.class).set("name = null").executeOnAllRows().block(TIMEOUT)).isEqualTo(8);
        assertThat(repo.delete(Picture.class).executeOnAllRows().block(TIMEOUT)).isEqualTo(8);
        assertThat(rows()).isZero();
        assertThat(relay.commandTags()).containsSubsequence("UPDATE 5", "DELETE 2", "UPDATE 8", "DELETE 8");
    }
}
