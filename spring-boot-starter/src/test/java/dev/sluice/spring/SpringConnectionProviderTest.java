package dev.sluice.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import dev.sluice.annotation.HasMany;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.testkit.PgWireRelay;
import dev.sluice.testkit.TestDatabase;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.ConnectionFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.transaction.support.DefaultTransactionDefinition;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * {@link SpringConnectionProvider} against PostgreSQL with Spring's {@link R2dbcTransactionManager}: Sluice joins
 * the transaction, and every connection goes back to the pool whatever happens.
 */
class SpringConnectionProviderTest {

    @Table("spring_note")
    record Note(@Id Long id, String text) {
    }

    @Table("spring_album")
    record Album(@Id Long id, String title, @HasMany(foreignKey = "album_id", orderBy = "id") List<Photo> photos) {
    }

    @Table("spring_photo")
    record Photo(@Id Long id, Long albumId, String caption) {
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static ConnectionPool pool;
    private static R2dbcRepo repo;
    private static TransactionalOperator transactional;
    private static TransactionalOperator supports;

    @BeforeAll
    static void open() {
        TestDatabase db = TestDatabase.get();
        db.execute("CREATE TABLE spring_note (id bigint PRIMARY KEY, text text NOT NULL)",
                "INSERT INTO spring_note SELECT i, 'note ' || i FROM generate_series(1, 1000) i",
                "CREATE TABLE spring_album (id bigint PRIMARY KEY, title text NOT NULL)",
                "CREATE TABLE spring_photo (id bigint PRIMARY KEY, album_id bigint NOT NULL REFERENCES spring_album, "
                        + "caption text NOT NULL)");
        pool = new ConnectionPool(ConnectionPoolConfiguration.builder(
                ConnectionFactories.get(db.r2dbcUrl() + "&forceBinary=true")).initialSize(1).maxSize(2).build());
        repo = R2dbcRepo.builder(pool).connectionProvider(SpringConnectionProvider.create(pool))
                .minPageSize(10).maxPageSize(10).build();
        R2dbcTransactionManager manager = new R2dbcTransactionManager(pool);
        transactional = TransactionalOperator.create(manager);
        supports = TransactionalOperator.create(manager,
                new DefaultTransactionDefinition(TransactionDefinition.PROPAGATION_SUPPORTS));
    }

    @AfterAll
    static void close() {
        pool.dispose();
    }

    @BeforeEach
    void clean() {
        TestDatabase.get().execute("DELETE FROM spring_note WHERE id > 1000");
    }

    @AfterEach
    void everyConnectionBack() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (pool.getMetrics().orElseThrow().acquiredSize() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(pool.getMetrics().orElseThrow().acquiredSize()).as("connections lent out").isZero();
    }

    private static long written() {
        return TestDatabase.get().queryLong("SELECT count(*) FROM spring_note WHERE id > 1000");
    }

    @Test
    void severalStatementsInOneTransactionCommitTogether() {
        Mono<Long> work = repo.insert(new Note(1001L, "a"))
                .then(repo.insertAll(Flux.just(new Note(1002L, "b"), new Note(1003L, "c"))).then())
                .then(repo.select(Note.class).where("id > ?", 1000L).count());
        StepVerifier.create(transactional.transactional(work)).expectNext(3L).expectComplete().verify(TIMEOUT);
        assertThat(written()).isEqualTo(3);
    }

    @Test
    void aFailureRollsBackEverySluiceStatement() {
        Mono<Object> work = repo.insert(new Note(1001L, "a"))
                .then(repo.inTransaction(tx -> tx.insert(new Note(1002L, "b"))).then())
                .then(Mono.error(new IllegalStateException("boom")));
        StepVerifier.create(transactional.transactional(work)).expectErrorMessage("boom").verify(TIMEOUT);
        assertThat(written()).isZero();
    }

    @Test
    void keysetScansInsideATransactionPageOnItsConnection() {
        StepVerifier.create(transactional.transactional(repo.scan(Note.class).count()))
                .expectNext(1000L).expectComplete().verify(TIMEOUT);
    }

    @Test
    void everyWindowOfAQueryWithRelationsReadsInTheTransaction() {
        TestDatabase db = TestDatabase.get();
        try (PgWireRelay relay = PgWireRelay.start(db.host(), db.port())) {
            ConnectionPool relayed = new ConnectionPool(ConnectionPoolConfiguration.builder(ConnectionFactories.get(
                    db.r2dbcUrl("127.0.0.1", relay.port()) + "&forceBinary=true")).initialSize(1).maxSize(2).build());
            try {
                R2dbcRepo windows = R2dbcRepo.builder(relayed)
                        .connectionProvider(SpringConnectionProvider.create(relayed))
                        .minPageSize(10).maxPageSize(10).build();
                TransactionalOperator operator = TransactionalOperator.create(new R2dbcTransactionManager(relayed));
                // written in the transaction and never committed: only the transaction's connection sees them
                AtomicReference<List<Album>> read = new AtomicReference<>();
                Mono<Void> work = windows.insertAll(Flux.range(1, 30).map(i -> new Album((long) i, "album " + i, null)))
                        .thenMany(windows.insertAll(Flux.range(1, 60)
                                .map(i -> new Photo((long) i, (i + 1L) / 2, "photo " + i))))
                        .then(windows.select(Album.class).with("photos").flux().collectList())
                        .doOnNext(read::set)
                        .then(Mono.error(new IllegalStateException("roll back")));
                StepVerifier.create(operator.transactional(work)).expectErrorMessage("roll back").verify(TIMEOUT);
                assertThat(read.get()).as("three windows of ten albums, each read in the transaction").hasSize(30)
                        .allSatisfy(album -> assertThat(album.photos()).extracting(Photo::albumId)
                                .containsExactly(album.id(), album.id()));
                Map<Integer, List<String>> tags = relay.commandTagsByConnection();
                assertThat(tags).as("every statement on the transaction's one connection").hasSize(1);
                assertThat(tags.values().iterator().next()).as("after the driver's own setup statements")
                        .containsSubsequence("BEGIN", "INSERT 0 30", "INSERT 0 60", "ROLLBACK").endsWith("ROLLBACK")
                        .as("one photo query per window").filteredOn("SELECT 20"::equals).hasSize(3);
            } finally {
                relayed.dispose();
            }
        }
        assertThat(TestDatabase.get().queryLong("SELECT count(*) FROM spring_album")).as("rolled back").isZero();
    }

    @Test
    void outsideATransactionPagesHoldNoConnectionInBetween() {
        StepVerifier.create(repo.scan(Note.class), 0)
                .thenRequest(5)
                .expectNextCount(5)
                .thenAwait(Duration.ofMillis(100))
                .then(() -> assertThat(pool.getMetrics().orElseThrow().acquiredSize()).isZero())
                .thenRequest(20)
                .expectNextCount(20)
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void inASynchronizationScopeWithoutATransactionInTransactionBeginsItsOwn() {
        Mono<Object> work = repo.inTransaction(tx -> tx.insert(new Note(1001L, "committed by Sluice"))).then()
                .then(Mono.error(new IllegalStateException("after Sluice committed")));
        StepVerifier.create(supports.transactional(work)).expectErrorMessage("after Sluice committed")
                .verify(TIMEOUT);
        assertThat(written()).isEqualTo(1);
    }
}
