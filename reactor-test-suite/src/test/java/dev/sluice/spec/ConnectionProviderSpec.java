package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.ConnectionProvider;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.testkit.PgWireRelay;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The adapter's extension point for connections: every statement goes through the provider, keyset pages give the
 * connection back between pages, and when the provider reports a transaction managed elsewhere, Sluice's own
 * transactions (inTransaction, cursor reads) join it: no BEGIN, COMMIT or ROLLBACK of their own.
 */
class ConnectionProviderSpec {

    @Table("provider_note")
    record Note(@Id Long id, String text) {
    }

    private PgWireRelay relay;
    private ConnectionFactory factory;

    @BeforeAll
    static void tables() {
        Fixtures.pictures();
        Fixtures.db().execute("CREATE TABLE IF NOT EXISTS provider_note (id bigint PRIMARY KEY, text text NOT NULL)");
    }

    @BeforeEach
    void open() {
        relay = Fixtures.relay();
        factory = ConnectionFactories.get(Fixtures.withParam(Fixtures.db().r2dbcUrl("127.0.0.1", relay.port()),
                "forceBinary", true));
        Fixtures.db().execute("DELETE FROM provider_note");
    }

    @AfterEach
    void close() {
        relay.close();
    }

    /** Counts acquisitions and connections currently out. */
    private static final class Counting implements ConnectionProvider {
        final ConnectionProvider plain;
        final AtomicInteger acquired = new AtomicInteger();
        final AtomicInteger out = new AtomicInteger();

        Counting(ConnectionFactory factory) {
            this.plain = ConnectionProvider.of(factory);
        }

        @Override
        public Mono<Connection> acquire() {
            return plain.acquire().doOnNext(c -> {
                acquired.incrementAndGet();
                out.incrementAndGet();
            });
        }

        @Override
        public Publisher<Void> release(Connection connection) {
            out.decrementAndGet();
            return plain.release(connection);
        }
    }

    /** Hands out one connection on which the test itself has begun a transaction; never closes it. */
    private static final class External implements ConnectionProvider {
        final Connection connection;

        External(Connection connection) {
            this.connection = connection;
        }

        @Override
        public Mono<Connection> acquire() {
            return Mono.just(connection);
        }

        @Override
        public Publisher<Void> release(Connection c) {
            return Mono.empty();
        }

        @Override
        public Mono<Boolean> inExternalTransaction() {
            return Mono.just(true);
        }
    }

    @Test
    void everyStatementGoesThroughTheProviderAndKeysetPagesHoldNoConnectionInBetween() {
        Counting provider = new Counting(factory);
        R2dbcRepo repo = R2dbcRepo.builder(factory).connectionProvider(provider).minPageSize(50).maxPageSize(50)
                .build();
        StepVerifier.create(repo.scan(Picture.class), 0)
                .thenRequest(10)
                .expectNextCount(10)
                .thenAwait(Duration.ofMillis(200))
                .then(() -> assertThat(provider.out.get()).as("connections out between pages").isZero())
                .thenRequest(200)
                .expectNextCount(200)
                .thenAwait(Duration.ofMillis(200))
                .then(() -> assertThat(provider.out.get()).as("connections out between pages").isZero())
                .thenCancel()
                .verify(Duration.ofSeconds(30));
        // the table check, then pages of 50, 100 and 60 rows: beyond maxPageSize a page grows, doubling, as far as
        // the rows already requested (210)
        assertThat(provider.acquired.get()).isEqualTo(4);
    }

    @Test
    void inAnExternalTransactionInTransactionAndCursorsJoinItAndItsOwnerDecides() {
        Connection connection = Mono.from(factory.create()).block(Duration.ofSeconds(10));
        try {
            Mono.from(connection.beginTransaction()).block(Duration.ofSeconds(10));
            R2dbcRepo repo = R2dbcRepo.builder(factory).connectionProvider(new External(connection)).build();
            relay.reset();

            StepVerifier.create(repo.inTransaction(tx -> tx.insert(new Note(1L, "joined"))
                            .then(tx.select(Note.class).count())))
                    .expectNext(1L)
                    .verifyComplete();
            StepVerifier.create(repo.select(Picture.class).orderBy("taken_at").limit(5).inOneSnapshot().flux().count())
                    .expectNext(5L)
                    .verifyComplete();

            assertThat(relay.commandTags()).contains("INSERT 0 1", "DECLARE CURSOR")
                    .noneMatch(tag -> tag.equals("BEGIN") || tag.equals("COMMIT") || tag.equals("ROLLBACK"));
            assertThat(Fixtures.db().queryLong("SELECT count(*) FROM provider_note"))
                    .as("not visible outside before the owner commits").isZero();
        } finally {
            Mono.from(connection.rollbackTransaction()).then(Mono.from(connection.close())).block(Duration.ofSeconds(10));
        }
        assertThat(Fixtures.db().queryLong("SELECT count(*) FROM provider_note")).as("rolled back by its owner")
                .isZero();
    }

    @Test
    void withoutAnExternalTransactionInTransactionBeginsAndCommitsItsOwn() {
        R2dbcRepo repo = R2dbcRepo.builder(factory).connectionProvider(new Counting(factory)).build();
        StepVerifier.create(repo.inTransaction(tx -> tx.insert(new Note(2L, "own")))).expectNextCount(1)
                .verifyComplete();
        assertThat(relay.commandTags()).contains("BEGIN", "INSERT 0 1", "COMMIT");
        assertThat(Fixtures.db().queryLong("SELECT count(*) FROM provider_note")).isEqualTo(1);
    }

    @Test
    void aProviderNeedsABuilderOnAFactory() {
        assertThatThrownBy(() -> R2dbcRepo.builder(Fixtures.db().r2dbcUrl())
                .connectionProvider(ConnectionProvider.of(factory)).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("R2dbcRepo.builder(ConnectionFactory)");
    }
}
