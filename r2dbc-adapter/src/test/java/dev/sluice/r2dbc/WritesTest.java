package dev.sluice.r2dbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import dev.sluice.Isolation;
import dev.sluice.QueryException;
import dev.sluice.RowCountException;
import dev.sluice.annotation.Id;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.R2dbcDataIntegrityViolationException;
import io.r2dbc.spi.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Writes and transactions against a real PostgreSQL, in a schema of their own that is dropped afterwards. Set
 * {@code SLUICE_TEST_R2DBC_URL} to use another database than {@code r2dbc:postgresql://postgres@127.0.0.1:5432/test}.
 */
class WritesTest {

    enum Mood { CALM, ANGRY }

    record Picture(@Id Long id, String sha1, String name, Instant takenAt, int sizeBytes, Mood mood) {
    }

    private static final Instant T0 = Instant.parse("2024-05-01T10:15:30.123456Z");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static final String URL = System.getenv().getOrDefault("SLUICE_TEST_R2DBC_URL",
            "r2dbc:postgresql://postgres@127.0.0.1:5432/test");
    private static final String SCHEMA = "sluice_writes_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private static final List<String> statements = new CopyOnWriteArrayList<>();

    private static ConnectionFactory admin;
    private static R2dbcRepo repo;

    @BeforeAll
    static void createSchema() {
        admin = ConnectionFactories.get(URL);
        sql("CREATE SCHEMA " + SCHEMA);
        sql("CREATE TABLE " + SCHEMA + ".picture (id bigserial PRIMARY KEY, sha1 text NOT NULL"
                + " CONSTRAINT picture_sha1_key UNIQUE, name text, taken_at timestamptz, size_bytes int NOT NULL,"
                + " mood text)");
        repo = repo(500);
    }

    @AfterAll
    static void dropSchema() {
        if (repo != null) {
            repo.close();
        }
        sql("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
    }

    @BeforeEach
    void emptyTable() {
        sql("TRUNCATE " + SCHEMA + ".picture RESTART IDENTITY");
        statements.clear();
    }

    private static R2dbcRepo repo(int writeBatchSize) {
        return R2dbcRepo.builder(URL + (URL.contains("?") ? "&" : "?") + "schema=" + SCHEMA)
                .writeBatchSize(writeBatchSize)
                .statementListener(statements::add)
                .build();
    }

    private static void sql(String sql) {
        Mono.usingWhen(admin.create(),
                c -> Flux.from(c.createStatement(sql).execute()).flatMap(Result::getRowsUpdated).then(),
                Connection::close).block(TIMEOUT);
    }

    private static Picture picture(String sha1) {
        return new Picture(null, sha1, "name " + sha1, T0, sha1.length(), Mood.CALM);
    }

    private static long rows() {
        return repo.select(Picture.class).count().block(TIMEOUT);
    }

    private static long statementsStartingWith(String prefix) {
        return statements.stream().filter(s -> s.startsWith(prefix)).count();
    }

    @Test
    void insertReturnsTheRowAsStoredWithItsGeneratedKey() {
        Picture stored = repo.insert(new Picture(null, "a", null, T0, 3, Mood.ANGRY)).block(TIMEOUT);
        assertThat(stored).isEqualTo(new Picture(1L, "a", null, T0, 3, Mood.ANGRY));
        assertThat(repo.insert(picture("b")).block(TIMEOUT).id()).isEqualTo(2L);
        assertThat(repo.findById(Picture.class, 1L).block(TIMEOUT)).isEqualTo(stored);
        assertThat(repo.insert(new Picture(100L, "c", "given key", T0, 1, Mood.CALM)).block(TIMEOUT).id())
                .isEqualTo(100L);
    }

    @Test
    void insertAllWritesOneStatementPerBatch() {
        List<Picture> stored = repo.insertAll(Flux.range(0, 1234).map(i -> picture("p" + i)))
                .collectList().block(TIMEOUT);
        assertThat(stored).hasSize(1234);
        assertThat(stored).extracting(Picture::id).doesNotContainNull().doesNotHaveDuplicates();
        assertThat(stored.get(1233).sha1()).isEqualTo("p1233");
        assertThat(statementsStartingWith("INSERT")).isEqualTo(3);
        assertThat(rows()).isEqualTo(1234);
        assertThat(repo.insertAll(Flux.<Picture>empty()).collectList().block(TIMEOUT)).isEmpty();
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
        try (R2dbcRepo small = repo(100)) {
            StepVerifier.create(small.insertAll(endless).doOnNext(p -> written.incrementAndGet()).take(1000))
                    .expectNextCount(1000)
                    .expectComplete()
                    .verify(TIMEOUT);
        }
        // one batch being written and one being gathered: never more than a few batches ahead of the database
        assertThat(maxAhead.get()).isLessThanOrEqualTo(300);
        assertThat(requested.get()).isLessThanOrEqualTo(1300);
        assertThat(rows()).isBetween(1000L, 1300L);
    }

    @Test
    void aUniqueViolationLeavesNoneOfItsBatchAndNamesTheConstraint() {
        repo.insert(picture("dup")).block(TIMEOUT);
        Flux<Picture> input = Flux.range(0, 1234).map(i -> picture(i == 700 ? "dup" : "p" + i));
        StepVerifier.create(repo.insertAll(input))
                .expectNextCount(500)
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(R2dbcDataIntegrityViolationException.class)
                        .hasMessageContaining("picture_sha1_key"))
                .verify(TIMEOUT);
        assertThat(rows()).isEqualTo(1 + 500);

        Flux<Picture> again = Flux.range(0, 1234).map(i -> picture(i == 700 ? "dup" : "t" + i));
        StepVerifier.create(repo.inTransaction(tx -> tx.insertAll(again)))
                .expectNextCount(500)
                .expectError(R2dbcDataIntegrityViolationException.class)
                .verify(TIMEOUT);
        assertThat(rows()).as("inside a transaction the batches before the failure are rolled back too")
                .isEqualTo(1 + 500);
    }

    @Test
    void upsertDoNothingSkipsStoredRowsAndEmitsOnlyInsertedOnes() {
        repo.insertAll(Flux.just(picture("a"), picture("b"))).blockLast(TIMEOUT);
        List<Picture> inserted = repo.upsert(Picture.class).onConflict("sha1").doNothing()
                .all(Flux.just(picture("a"), picture("c"), picture("b"), picture("d")))
                .collectList().block(TIMEOUT);
        assertThat(inserted).extracting(Picture::sha1).containsExactly("c", "d");
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
    }

    @Test
    void aTransactionAtAnIsolationLevel() {
        repo.inTransaction(Isolation.SERIALIZABLE, tx -> tx.insert(picture("a"))).blockLast(TIMEOUT);
        assertThat(statements).contains("BEGIN ISOLATION LEVEL SERIALIZABLE", "COMMIT");
        assertThat(rows()).isEqualTo(1);
    }

    @Test
    void anErrorRollsBack() {
        StepVerifier.create(repo.inTransaction(tx -> tx.insert(picture("a"))
                        .then(tx.insert(picture("b")))
                        .then(Mono.error(new IllegalStateException("boom")))))
                .expectErrorMessage("boom")
                .verify(TIMEOUT);
        assertThat(statements).contains("ROLLBACK").doesNotContain("COMMIT");
        assertThat(rows()).isZero();
    }

    @Test
    void aCancelRollsBackAndAScanInsideKeepsBackPressure() {
        StepVerifier.create(repo.inTransaction(tx -> tx.insertAll(Flux.range(0, 1000).map(i -> picture("c" + i)))
                        .thenMany(tx.scan(Picture.class))), 0)
                .thenRequest(10)
                .expectNextCount(10)
                .then(() -> assertThat(statementsStartingWith("SELECT id")).as("keyset pages fetched so far")
                        .isLessThanOrEqualTo(2))
                .thenCancel()
                .verify(TIMEOUT);
        // the rollback runs after the cancel; once it has been sent, no commit can follow
        Flux.interval(Duration.ofMillis(20)).takeUntil(i -> statements.contains("ROLLBACK")).blockLast(TIMEOUT);
        assertThat(statements).doesNotContain("COMMIT");
        assertThat(rows()).isZero();
        assertThat(repo.insert(picture("after")).block(TIMEOUT)).isNotNull();
    }

    @Test
    void copyInWritesEveryRowInOneStatement() {
        Flux<Picture> input = Flux.range(0, 10_000)
                .map(i -> new Picture(null, "k" + i, i % 2 == 0 ? null : "odd", T0.plusSeconds(i), i, Mood.ANGRY));
        assertThat(repo.copyIn(Picture.class, input).block(TIMEOUT)).isEqualTo(10_000);
        assertThat(statementsStartingWith("COPY picture (sha1, name, taken_at, size_bytes, mood) FROM STDIN"))
                .isEqualTo(1);
        assertThat(rows()).isEqualTo(10_000);
        assertThat(repo.select(Picture.class).where("sha1 = ?", "k7").one().block(TIMEOUT))
                .isEqualTo(new Picture(8L, "k7", "odd", T0.plusSeconds(7), 7, Mood.ANGRY));
        assertThat(repo.select(Picture.class).where("sha1 = ?", "k8").one().block(TIMEOUT).name()).isNull();

        assertThat(repo.copyIn(Picture.class, Flux.just(new Picture(50_000L, "given", "n", T0, 1, Mood.CALM)))
                .block(TIMEOUT)).isEqualTo(1);
        assertThat(repo.findById(Picture.class, 50_000L).block(TIMEOUT).sha1()).isEqualTo("given");
        assertThat(repo.copyIn(Picture.class, Flux.<Picture>empty()).block(TIMEOUT)).isZero();
    }

    @Test
    void aFailedCopyWritesNothing() {
        repo.insert(picture("dup")).block(TIMEOUT);
        Flux<Picture> input = Flux.range(0, 2000).map(i -> picture(i == 1500 ? "dup" : "c" + i));
        StepVerifier.create(repo.copyIn(Picture.class, input))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("picture_sha1_key"))
                .verify(TIMEOUT);
        assertThat(rows()).isEqualTo(1);
        assertThat(repo.insert(picture("after")).block(TIMEOUT)).isNotNull();
    }

    @Test
    void copyInRequestsItsInputInBoundedAmountsAndACancelWritesNothing() {
        AtomicLong largestRequest = new AtomicLong();
        AtomicLong generated = new AtomicLong();
        Flux<Picture> endless = Flux.<Picture, Long>generate(() -> 0L, (i, sink) -> {
            sink.next(picture("e" + i));
            generated.incrementAndGet();
            return i + 1;
        }).doOnRequest(n -> largestRequest.accumulateAndGet(n, Math::max));
        StepVerifier.create(repo.copyIn(Picture.class, endless))
                .expectSubscription()
                .thenAwait(Duration.ofMillis(500))
                .thenCancel()
                .verify(TIMEOUT);
        assertThat(generated.get()).as("rows generated while copying").isPositive();
        // r2dbc-postgresql prefetches up to 32 chunks; one chunk is one write batch (500 rows)
        assertThat(largestRequest.get()).isLessThanOrEqualTo(32 * 500);
        // r2dbc-postgresql 1.1.1 may close the connection on this cancel (it logs "refCnt: 0"): either way the
        // COPY is aborted, nothing is written, and the repository goes on working
        assertThat(repo.insert(picture("after")).block(TIMEOUT)).isNotNull();
        assertThat(rows()).isEqualTo(1);
    }
}
