package dev.sluice.spring;

import java.util.Objects;

import dev.sluice.r2dbc.ConnectionProvider;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import org.reactivestreams.Publisher;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.connection.ConnectionFactoryUtils;
import org.springframework.r2dbc.connection.ConnectionHolder;
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

    /**
     * Closes the connection, unless it is the one Spring holds for the ongoing transaction (or transaction
     * synchronization scope), which Spring releases when that ends.
     *
     * <p>Not {@link ConnectionFactoryUtils#releaseConnection}: on the holder {@code R2dbcTransactionManager} binds,
     * it counts the holder's references down from zero and so drops the transaction's connection after the first
     * statement (Spring Framework 7.0: the commit then fails with "Active Connection is required", a rollback with
     * "No value for key ... bound to context"). Spring's own {@code DatabaseClient} does not release it either; it
     * only closes connections that are not the transaction's, as this does.
     */
    @Override
    public Publisher<Void> release(Connection connection) {
        return TransactionSynchronizationManager.forCurrentTransaction()
                .map(synchronization -> holds(synchronization.getResource(factory), connection))
                .onErrorResume(NoTransactionException.class, e -> Mono.just(false))
                .flatMap(held -> held ? Mono.<Void>empty() : Mono.from(connection.close()));
    }

    private static boolean holds(@Nullable Object resource, Connection connection) {
        if (!(resource instanceof ConnectionHolder holder)) {
            return false;
        }
        try {
            return holder.getConnection() == connection;
        } catch (IllegalStateException noConnectionHeld) {
            return false;
        }
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
