package dev.sluice.r2dbc;

import java.util.Optional;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.PoolMetrics;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTimeoutException;
import io.r2dbc.spi.Wrapped;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Borrows connections so that a dead idle connection costs nobody a failure, and a wait that ends says why.
 *
 * <p>After a server restart or a killed backend, r2dbc-pool still holds the dead connections. It validates a
 * borrowed connection without a round trip (is the socket still open?), drops a dead one, and fails that borrow
 * with "Connection validation failed", retrying it only {@code acquireRetry} times (1 by default): with several
 * dead connections in the pool, queries fail. Here a borrow that fails validation is tried again, up to the pool's
 * size plus one, so each dead connection is dropped in turn and the borrow ends with a live or a new one. Nothing
 * else is retried: not a refused new connection (the server is down: say so at once), not a timed-out borrow.
 *
 * <p>A borrow that times out ({@code maxAcquireTime}) fails with an {@link R2dbcTimeoutException} that names the
 * pool's size and how many of its connections were busy and how many borrowers were waiting, and says what to do.
 */
final class PoolBorrow implements ConnectionProvider {

    /** What r2dbc-pool 1.0 says when a borrowed connection fails its validation. */
    static final String VALIDATION_FAILED = "Connection validation failed";

    private final ConnectionProvider delegate;
    private final @Nullable ConnectionPool pool;
    private final int retries;

    private PoolBorrow(ConnectionProvider delegate, @Nullable ConnectionPool pool, int retries) {
        this.delegate = delegate;
        this.pool = pool;
        this.retries = retries;
    }

    /** Borrows through {@code delegate} from connections of {@code factory} (a pool, or the pool under a wrapper). */
    static ConnectionProvider of(ConnectionProvider delegate, ConnectionFactory factory) {
        ConnectionPool pool = poolOf(factory);
        int size = pool == null ? 1 : pool.getMetrics().map(PoolMetrics::getMaxAllocatedSize).orElse(1);
        return new PoolBorrow(delegate, pool, Math.max(1, size) + 1);
    }

    @Override
    public Mono<Connection> acquire() {
        return Mono.defer(delegate::acquire)
                .retryWhen(Retry.max(retries).filter(PoolBorrow::validationFailed)
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
                .onErrorMap(R2dbcTimeoutException.class, this::timedOut);
    }

    @Override
    public Publisher<Void> release(Connection connection) {
        return delegate.release(connection);
    }

    @Override
    public Mono<Boolean> inExternalTransaction() {
        return delegate.inExternalTransaction();
    }

    static boolean validationFailed(Throwable error) {
        return error instanceof R2dbcNonTransientResourceException && VALIDATION_FAILED.equals(error.getMessage());
    }

    private Throwable timedOut(R2dbcTimeoutException error) {
        ConnectionPool p = pool;
        Optional<PoolMetrics> metrics = p == null ? Optional.empty() : p.getMetrics();
        if (metrics.isEmpty()) {
            return error;
        }
        PoolMetrics m = metrics.get();
        return new R2dbcTimeoutException(error.getMessage() + ": all " + m.getMaxAllocatedSize()
                + " connections of the pool are busy (" + m.acquiredSize() + " borrowed, " + m.pendingAcquireSize()
                + " borrowers waiting). Streams that hold a connection (cursor queries, transactions) or slow "
                + "statements keep them; raise the pool's maxSize (?maxSize=20 in the URL, or "
                + "spring.r2dbc.pool.max-size), or its maxAcquireTime", error.getSqlState(), error.getErrorCode(),
                error);
    }

    private static @Nullable ConnectionPool poolOf(ConnectionFactory factory) {
        Object target = factory;
        while (!(target instanceof ConnectionPool) && target instanceof Wrapped<?> wrapped
                && wrapped.unwrap() != target) {
            target = wrapped.unwrap();
        }
        return target instanceof ConnectionPool pool ? pool : null;
    }
}
