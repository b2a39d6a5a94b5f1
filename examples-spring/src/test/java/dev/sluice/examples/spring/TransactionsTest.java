package dev.sluice.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.sluice.Repo;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Sluice inside Spring-managed transactions ({@code @Transactional}, {@link TransactionalOperator} on Boot's
 * R2dbcTransactionManager): its writes and queries join the transaction, and roll back or commit with it.
 */
class TransactionsTest extends ServiceTestBase {

    /** Written rows get ids from here, clear of the fixture's 1..100000. */
    private static final long FIRST_ID = 1_000_000L;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Autowired
    Repo repo;

    @Autowired
    TransactionalOperator transactional;

    @Autowired
    PictureImport pictureImport;

    @BeforeEach
    void clean() {
        TestDatabase.get().execute("DELETE FROM picture WHERE id >= " + FIRST_ID);
    }

    static Picture picture(long id) {
        byte[] sha1 = ByteBuffer.allocate(20).putLong(id).putLong(~id).putInt(42).array(); // 20 bytes: no fixture's
        return new Picture(id, sha1, "NEW_" + id, Instant.parse("2026-06-01T00:00:00Z"), 3, new byte[] {1, 2, 3});
    }

    static Flux<Picture> pictures(long from, int count) {
        return Flux.range(0, count).map(i -> picture(from + i));
    }

    /** Rows written by the tests, counted on a connection of its own: what is committed. */
    static long committed() {
        return TestDatabase.get().queryLong("SELECT count(*) FROM picture WHERE id >= " + FIRST_ID);
    }

    /** The same count, off the event loop, for use inside a reactive chain. */
    static Mono<Long> committedLater() {
        return Mono.fromCallable(TransactionsTest::committed).subscribeOn(Schedulers.boundedElastic());
    }

    Mono<Long> countInside() {
        return repo.select(Picture.class).where("id >= ?", FIRST_ID).count();
    }

    @Test
    void inATransactionalOperatorQueriesSeeTheWritesWhichCommitTogether() {
        RELAY.reset();
        Mono<List<Long>> work = repo.insertAll(pictures(FIRST_ID, 1200)).count()
                .flatMap(written -> countInside().zipWith(committedLater(), (inside, outside) ->
                        List.of(written, inside, outside)));
        StepVerifier.create(transactional.transactional(work))
                .expectNext(List.of(1200L, 1200L, 0L)) // written, seen inside, seen outside before the commit
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(committed()).isEqualTo(1200);
        assertThat(RELAY.commandTags()).filteredOn(tag -> tag.equals("BEGIN")).as("one transaction: Spring's")
                .hasSize(1);
        assertThat(RELAY.commandTags()).contains("COMMIT");
    }

    @Test
    void aFailureAfterSluiceWritesRollsThemAllBack() {
        Mono<Long> work = repo.insertAll(pictures(FIRST_ID, 1200)).count() // three batches of 500, 500, 200
                .then(repo.insert(picture(FIRST_ID + 5000)))
                .then(Mono.error(new IllegalStateException("the service fails after writing")));
        StepVerifier.create(transactional.transactional(work))
                .expectErrorMessage("the service fails after writing")
                .verify(TIMEOUT);
        assertThat(committed()).isZero();
    }

    @Test
    void sluicesOwnInTransactionJoinsTheSpringTransaction() {
        RELAY.reset();
        Flux<Object> work = repo.inTransaction(tx -> tx.insert(picture(FIRST_ID)).then(tx.insert(picture(FIRST_ID + 1))))
                .then(Mono.error(new IllegalStateException("after Sluice's inTransaction completed")))
                .flux();
        StepVerifier.create(transactional.transactional(work))
                .expectErrorMessage("after Sluice's inTransaction completed")
                .verify(TIMEOUT);
        assertThat(committed()).as("Sluice's inner transaction did not commit on its own").isZero();
        assertThat(RELAY.commandTags()).filteredOn(tag -> tag.equals("BEGIN")).hasSize(1);
        assertThat(RELAY.commandTags()).noneMatch(tag -> tag.equals("COMMIT"));
    }

    @Test
    void aCursorQueryInsideATransactionRunsInItAndSeesItsWrites() {
        RELAY.reset();
        Mono<Long> work = repo.insert(picture(FIRST_ID))
                .then(repo.select(Picture.class).where("id > ?", PICTURES - 10L).orderBy("taken_at").inOneSnapshot()
                        .flux().count());
        StepVerifier.create(transactional.transactional(work))
                .expectNext(11L) // 10 fixture rows and the new one
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(RELAY.commandTags()).contains("DECLARE CURSOR")
                .filteredOn(tag -> tag.equals("BEGIN")).as("no read-only transaction of its own").hasSize(1);
        assertThat(committed()).isEqualTo(1);
    }

    @Test
    void outsideATransactionEachStatementCommitsOnItsOwn() {
        StepVerifier.create(repo.insert(picture(FIRST_ID)).then(committedLater())).expectNext(1L)
                .expectComplete().verify(TIMEOUT);
    }

    @Test
    void aTransactionalServiceCommitsAWholeUpload() {
        WebTestClient client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(TIMEOUT).build();
        client.post().uri("/pictures").contentType(MediaType.APPLICATION_NDJSON)
                .body(pictures(FIRST_ID, 2000), Picture.class)
                .exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.rows").isEqualTo(2000);
        assertThat(committed()).isEqualTo(2000);
        StepVerifier.create(repo.findById(Picture.class, FIRST_ID + 1999).map(Picture::name))
                .expectNext("NEW_" + (FIRST_ID + 1999)).expectComplete().verify(TIMEOUT);
    }

    @Test
    void aTransactionalServiceRollsBackEveryBatchWhenALaterOneFails() {
        // row 1700 repeats row 0's key: batches 1..3 are written, the 4th fails on the primary key
        Flux<Picture> upload = pictures(FIRST_ID, 1700).concatWith(Mono.just(picture(FIRST_ID)));
        StepVerifier.create(pictureImport.importAll(upload))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("picture_pkey"))
                .verify(TIMEOUT);
        assertThat(committed()).as("batches written before the failure are rolled back").isZero();

        WebTestClient client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(TIMEOUT).build();
        client.post().uri("/pictures").contentType(MediaType.APPLICATION_NDJSON)
                .body(pictures(FIRST_ID, 1700).concatWith(Mono.just(picture(FIRST_ID))), Picture.class)
                .exchange()
                .expectStatus().is5xxServerError();
        assertThat(committed()).isZero();
    }
}
