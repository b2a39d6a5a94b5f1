package dev.sluice.spring;

import java.util.Objects;

import dev.sluice.r2dbc.ConnectionProvider;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import org.reactivestreams.Publisher;
import org.springframework.r2dbc.connection.ConnectionFactoryUtils;
import org.springframework.transaction.NoTransactionException;
import org.springframework.transaction.reactive.TransactionSynchronizationManager;
import reactor.core.publisher.Mono;

/**
 * Connections the Spring way, so that Sluice joins Spring-managed reactive transactions ({@code @Transactional}
 * methods, a {@code TransactionalOperator}, both on an {@code R2dbcTransactionManager} for the same factory).
 *
 * <p>Inside such a transaction every Sluice statement runs on the transaction's connection
 * ({@link ConnectionFactoryUtils#getConnection}), and {@link dev.sluice.Repo#inTransaction} as well as the
 * read-only transaction of a cursor-mode query join it instead of beginning their own: Spring commits or rolls
 * back everything together. Outside one, each statement gets a connection of its own from the factory and closes
 * it when done, exactly as without Spring, so keyset pages still hold no connection between pages.
 *
 * <pre>{@code
 * Repo repo = R2dbcRepo.builder(connectionFactory)
 *         .connectionProvider(SpringConnectionProvider.create(connectionFactory))
 *         .build();
 * }</pre>
 *
 * The starter's auto-configuration does this for the application's {@link ConnectionFactory}. Thread-safe.
 */
public final class SpringConnectionProvider implements ConnectionProvider {

    private final ConnectionFactory factory;

    private SpringConnectionProvider(ConnectionFactory factory) {
        this.factory = factory;
    }

    /** A provider for the factory the application's {@code R2dbcTransactionManager} manages. */
    public static SpringConnectionProvider create(ConnectionFactory connectionFactory) {
        return new SpringConnectionProvider(Objects.requireNonNull(connectionFactory, "connectionFactory"));
    }

    /** The transaction's connection inside a Spring transaction; otherwise a new one from the factory. */
    @Override
    public Mono<Connection> acquire() {
        return ConnectionFactoryUtils.getConnection(factory);
    }

    /** Closes the connection, unless it is the ongoing Spring transaction's, which Spring releases at its end. */
    @Override
    public Publisher<Void> release(Connection connection) {
        return ConnectionFactoryUtils.releaseConnection(connection, factory);
    }

    /**
     * Whether the subscriber's Reactor context holds an active Spring transaction with a connection of this
     * factory bound to it.
     */
    @Override
    public Mono<Boolean> inExternalTransaction() {
        return TransactionSynchronizationManager.forCurrentTransaction()
                .map(synchronization -> synchronization.isActualTransactionActive()
                        && synchronization.hasResource(factory))
                .onErrorResume(NoTransactionException.class, e -> Mono.just(false));
    }

    @Override
    public String toString() {
        return "SpringConnectionProvider(" + factory + ")";
    }
}
