package dev.sluice.r2dbc;

import java.util.Objects;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * Where a repository gets its connections and gives them back: the extension point for transactions managed
 * outside Sluice (Spring's {@code R2dbcTransactionManager}, say). Set it with
 * {@link R2dbcRepo.Builder#connectionProvider}; the default, {@link #of(ConnectionFactory)}, creates a connection
 * from the factory and closes it.
 *
 * <p>Every statement outside a Sluice transaction calls {@link #acquire()} and, when its result ends or is
 * cancelled, {@link #release}: so keyset pages borrow a connection per page and hold none in between. Sluice's own
 * transactions ({@link dev.sluice.Repo#inTransaction}, and the read-only transaction a cursor-mode query runs in)
 * first ask {@link #inExternalTransaction()}: when it says {@code true}, they run on one acquired connection without
 * {@code BEGIN}, {@code COMMIT} or {@code ROLLBACK}, joining the transaction its owner began and will end; otherwise
 * they begin and end their own.
 *
 * <p>All three methods are called inside the subscription of a Sluice publisher, so an implementation may read the
 * subscriber's Reactor context (where Spring keeps its reactive transaction). Implementations must be thread-safe.
 */
public interface ConnectionProvider {

    /** A connection for one statement or one transaction. */
    Mono<Connection> acquire();

    /**
     * Gives back a connection from {@link #acquire()}. For each acquired connection Sluice subscribes to one
     * returned publisher, when the statement or transaction that used it has ended (completed, failed or
     * cancelled).
     */
    Publisher<Void> release(Connection connection);

    /**
     * Whether the connections {@link #acquire()} hands out in the current subscription belong to a transaction
     * someone else begins and ends. Defaults to never.
     */
    default Mono<Boolean> inExternalTransaction() {
        return Mono.just(false);
    }

    /** The default: {@link ConnectionFactory#create()} per acquire, {@link Connection#close()} per release. */
    static ConnectionProvider of(ConnectionFactory factory) {
        Objects.requireNonNull(factory, "factory");
        return new ConnectionProvider() {
            @Override
            public Mono<Connection> acquire() {
                return Mono.from(factory.create());
            }

            @Override
            public Publisher<Void> release(Connection connection) {
                return connection.close();
            }

            @Override
            public String toString() {
                return "ConnectionProvider.of(" + factory + ")";
            }
        };
    }
}
