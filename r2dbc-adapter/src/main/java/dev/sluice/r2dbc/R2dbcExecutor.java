package dev.sluice.r2dbc;

import java.io.IOException;
import java.util.Set;
import java.util.function.Function;

import dev.sluice.SluiceException;
import dev.sluice.StatementListener;
import dev.sluice.spi.DatabaseError;
import dev.sluice.spi.Executor;
import dev.sluice.spi.RenderedSql;
import dev.sluice.spi.RowMapper;
import dev.sluice.spi.Session;
import dev.sluice.spi.TransactionOptions;
import io.r2dbc.postgresql.api.ErrorDetails;
import io.r2dbc.postgresql.api.PostgresqlException;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.IsolationLevel;
import io.r2dbc.spi.Option;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.TransactionDefinition;
import io.r2dbc.spi.Wrapped;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * The executor over a {@link ConnectionProvider}: every statement borrows a connection for its own duration, and a
 * transaction pins one connection until it ends. The subscriber's {@link SessionSettings} are applied on each
 * borrowed connection: around each statement outside a transaction, once per transaction inside one.
 */
final class R2dbcExecutor implements Executor {

    private static final Logger LOG = Loggers.getLogger(R2dbcExecutor.class);
    /** Backend terminated, server crashed or starting or stopping, recovery conflict on a standby. */
    private static final Set<String> LOST_STATES = Set.of("57P01", "57P02", "57P03", "40001");

    private final ConnectionProvider connections;
    private final StatementListener listener;
    private final SessionSettings settings;
    /** Observes every statement; null without an observation registry (then nothing observes, nothing is timed). */
    private final @Nullable StatementObserver observer;
    /** Logs every statement with its values; null when not asked for. */
    private final @Nullable StatementLog log;
    /** Whether its connections bind {@link dev.sluice.spi.UntypedBinary}; null until a borrowed one has said. */
    private volatile @Nullable Boolean bindsBinary;
    /** The read replicas reads outside a transaction go to; null without replicas. */
    private final @Nullable ReadReplicas replicas;

    R2dbcExecutor(ConnectionProvider connections, StatementListener listener, SessionSettings settings) {
        this(connections, listener, settings, null, null, null);
    }

    R2dbcExecutor(ConnectionProvider connections, StatementListener listener, SessionSettings settings,
                  @Nullable StatementObserver observer, @Nullable StatementLog log, @Nullable ReadReplicas replicas) {
        this.connections = connections;
        this.listener = listener;
        this.settings = settings;
        this.observer = observer;
        this.log = log;
        this.replicas = replicas;
    }

    /**
     * With read replicas, an executor whose statements all run on the server {@link ReadReplicas} chooses at the
     * read's first borrow ({@link ReplicaPin}); otherwise this one.
     */
    @Override
    public Executor forRead() {
        ReadReplicas r = replicas;
        return r == null ? this : new R2dbcExecutor(new ReplicaPin(connections, r, this::retryableRead), listener,
                settings, observer, log, null);
    }

    @Override
    public <T> Flux<T> query(RenderedSql sql, RowMapper<T> mapper) {
        return borrowed(sql.sql(), s -> s.query(sql, mapper));
    }

    @Override
    public <T> Flux<T> query(RenderedSql sql, RowMapper<T> mapper, Publisher<?> stop) {
        return borrowed(sql.sql(), s -> s.query(sql, mapper, stop));
    }

    @Override
    public <T> Flux<T> queryWithDeadline(RenderedSql sql, RowMapper<T> mapper, Publisher<?> deadline) {
        if (observer == null) {
            return Flux.usingWhen(connections.acquire(), c -> session(c).queryWithDeadline(sql, mapper, deadline),
                    connections::release);
        }
        return observer.statement(sql.sql(), borrow -> Flux.usingWhen(acquire(borrow),
                c -> session(c).queryWithDeadline(sql, mapper, deadline), c -> release(c, borrow)));
    }

    /** Yes, unless the statements run in a transaction managed elsewhere, which a CancelRequest would abort. */
    @Override
    public Mono<Boolean> canStopStatements() {
        return connections.inExternalTransaction().map(external -> !external);
    }

    /** Yes when the statements run in a transaction managed elsewhere (the {@link ConnectionProvider} says). */
    @Override
    public Mono<Boolean> joinsTransaction() {
        return connections.inExternalTransaction();
    }

    @Override
    public Mono<Long> update(RenderedSql sql) {
        return written(sql.sql(), s -> s.update(sql));
    }

    /**
     * Whether a borrowed connection has {@link SluiceCodecs}: asked of the first connection borrowed for it, then
     * remembered, since every connection of a factory is made with the same extensions.
     */
    @Override
    public Mono<Boolean> bindsBinary() {
        Boolean known = bindsBinary;
        if (known != null) {
            return Mono.just(known);
        }
        return Mono.usingWhen(connections.acquire(), c -> session(c).bindsBinary(), connections::release)
                .doOnNext(answer -> bindsBinary = answer);
    }

    /** On cancel, the connection goes back only once the COPY it was running has been aborted on the server. */
    @Override
    public Mono<Long> copyIn(String sql, Publisher<byte[]> chunks) {
        return written(sql, s -> s.copyIn(sql, chunks));
    }

    /**
     * Begins and ends a transaction of its own, unless the {@link ConnectionProvider} says one managed elsewhere is
     * open: then {@code work} runs on one acquired connection of that transaction, which its owner commits or rolls
     * back. The subscriber's {@link SessionSettings} are applied once, transaction-local: after {@code BEGIN}, or
     * before {@code work} in a transaction managed elsewhere.
     */
    @Override
    public <T> Flux<T> inTransaction(TransactionOptions options, Function<Session, ? extends Publisher<T>> work) {
        return Flux.deferContextual(context -> {
            SessionSql setup = SessionSql.of(settings, context);
            return connections.inExternalTransaction().flatMapMany(external -> external
                    ? Flux.usingWhen(connections.acquire(),
                            c -> prepared(c, setup).thenMany(Flux.defer(() -> work.apply(pinned(c)))),
                            connections::release)
                    : Flux.usingWhen(connections.acquire(),
                            c -> begin(c, options).then(prepared(c, setup))
                                    .thenMany(Flux.defer(() -> work.apply(pinned(c)))),
                            c -> end(c, "COMMIT", c.commitTransaction()),
                            (c, error) -> rollbackAfter(error, c),
                            c -> end(c, "ROLLBACK", c.rollbackTransaction())));
        });
    }

    /**
     * Runs {@code use} on a connection of its own, with the subscriber's {@link SessionSettings} applied before and
     * undone after. The connection goes back when {@code use} completes, fails or is cancelled; after a cancel, only
     * once a COPY it ran has been aborted on the server.
     */
    private <T> Flux<T> borrowed(String sql, Function<ConnectionSession, ? extends Publisher<T>> use) {
        if (observer == null) {
            return borrowed(use, null);
        }
        return observer.statement(sql, borrow -> borrowed(use, borrow));
    }

    /** As {@link #borrowed(String, Function)} for a statement that emits the number of rows it wrote. */
    private Mono<Long> written(String sql, Function<ConnectionSession, Mono<Long>> use) {
        if (observer == null) {
            return borrowed(use, null).single();
        }
        return observer.update(sql, borrow -> borrowed(use, borrow).single());
    }

    /** @param borrow null, or told when the connection was acquired and released */
    private <T> Flux<T> borrowed(Function<ConnectionSession, ? extends Publisher<T>> use,
                                 StatementObserver.@Nullable Borrow borrow) {
        if (settings == SessionSettings.NONE) {
            return plain(use, borrow);
        }
        return Flux.deferContextual(context -> {
            SessionSql setup = SessionSql.of(settings, context);
            if (setup.isEmpty()) {
                return plain(use, borrow);
            }
            return connections.inExternalTransaction().flatMapMany(external -> Flux.usingWhen(
                    acquire(borrow).map(this::session),
                    s -> s.update(setup.apply(external)).thenMany(Flux.defer(() -> use.apply(s))),
                    s -> reset(s, setup, external, borrow),
                    (s, error) -> retryableRead(error) ? lost(s, borrow) : reset(s, setup, external, borrow),
                    s -> s.copyFinished().then(reset(s, setup, external, borrow))));
        });
    }

    private <T> Flux<T> plain(Function<ConnectionSession, ? extends Publisher<T>> use,
                              StatementObserver.@Nullable Borrow borrow) {
        return Flux.usingWhen(acquire(borrow).map(this::session), use, s -> release(s, borrow),
                (s, error) -> retryableRead(error) ? lost(s, borrow) : release(s, borrow),
                s -> s.copyFinished().then(release(s, borrow)));
    }

    /**
     * Closes a connection whose statement failed for the connection (its server said FATAL, its socket broke), then
     * releases it: the server's FATAL arrives before the socket closes, and a read run again at once would otherwise
     * borrow the same connection, still open for a moment, and fail on it too.
     */
    private Mono<Void> lost(ConnectionSession session, StatementObserver.@Nullable Borrow borrow) {
        if (connections instanceof ReplicaPin pin) {
            pin.lost(session.connection());
        }
        Connection target = unwrapped(session.connection());
        Mono<Void> close = target == session.connection() ? Mono.empty()
                : Mono.from(target.close()).onErrorResume(e -> Mono.empty());
        return close.then(Mono.defer(() -> release(session, borrow)));
    }

    /** The driver's connection under the pool's wrapper (the connection itself when it is not wrapped). */
    private static Connection unwrapped(Connection connection) {
        Connection target = connection;
        while (target instanceof Wrapped<?> wrapped && wrapped.unwrap() instanceof Connection inner
                && inner != target) {
            target = inner;
        }
        return target;
    }

    private Mono<Connection> acquire(StatementObserver.@Nullable Borrow borrow) {
        Mono<Connection> connection = Mono.from(connections.acquire());
        return borrow == null ? connection : connection.doOnNext(c -> borrow.acquired());
    }

    private Mono<Void> release(ConnectionSession session, StatementObserver.@Nullable Borrow borrow) {
        return release(session.connection(), borrow);
    }

    private Mono<Void> release(Connection connection, StatementObserver.@Nullable Borrow borrow) {
        Mono<Void> released = Mono.from(connections.release(connection));
        return borrow == null ? released : released.doFinally(signal -> borrow.released());
    }

    /** A connection pinned for a transaction, every statement on it observed when an observer is set. */
    private Session pinned(Connection connection) {
        ConnectionSession session = session(connection);
        return observer == null ? session : new ObservedSession(session, observer);
    }

    /**
     * Undoes session-level settings, then releases the connection; a connection whose reset failed is closed first.
     * Transaction-local settings (inside a transaction managed elsewhere) end with that transaction.
     */
    private Mono<Void> reset(ConnectionSession session, SessionSql setup, boolean local,
                             StatementObserver.@Nullable Borrow borrow) {
        if (local) {
            return release(session, borrow);
        }
        return session.update(setup.reset())
                .then()
                .onErrorResume(error -> discard(session.connection(), error))
                .then(Mono.defer(() -> release(session, borrow)));
    }

    /**
     * Closes the connection under the pool's wrapper, after a reset that failed: the pool must not hand out a
     * connection that may still carry another subscriber's settings. The pool drops it when it is next borrowed
     * (validation finds it closed; {@link PoolBorrow} borrows again).
     */
    private static Mono<Void> discard(Connection connection, Throwable resetFailure) {
        LOG.warn("Resetting the session settings of a connection failed; closing it, so that no other subscriber "
                + "gets it with these settings: " + resetFailure);
        Connection target = unwrapped(connection);
        return target == connection ? Mono.empty() : Mono.from(target.close()).onErrorResume(e -> Mono.empty());
    }

    /** Applies the settings until the transaction on {@code connection} ends; nothing when there are none. */
    private Mono<Void> prepared(Connection connection, SessionSql setup) {
        return setup.isEmpty() ? Mono.empty() : session(connection).update(setup.apply(true)).then();
    }

    /**
     * Bad input (SQLSTATE classes 22, data exception, and 23, integrity constraint violation), with PostgreSQL's
     * detail ({@code Key (sha1)=(...) already exists.}) and context ({@code COPY picture, line 5}) when it gave them.
     */
    @Override
    public @Nullable DatabaseError databaseError(Throwable error) {
        if (!(error instanceof R2dbcException r2dbc) || r2dbc.getSqlState() == null
                || !(r2dbc.getSqlState().startsWith("22") || r2dbc.getSqlState().startsWith("23"))) {
            return null;
        }
        StringBuilder message = new StringBuilder(String.valueOf(r2dbc.getMessage()));
        if (error instanceof PostgresqlException postgres) {
            ErrorDetails details = postgres.getErrorDetails();
            details.getDetail().ifPresent(detail -> message.append(": ").append(detail));
            details.getWhere().ifPresent(where -> message.append(" (").append(where).append(')'));
        }
        message.append(" [SQLSTATE ").append(r2dbc.getSqlState()).append(']');
        return new DatabaseError(message.toString(), r2dbc.getSqlState());
    }

    /**
     * The connection failed, not the statement: SQLSTATE class 08 (connection exception), 57P01 to 57P03 (the
     * server terminated the backend, crashed, or cannot take connections yet), 40001 (a standby cancelled the read
     * for a recovery conflict); the driver's resource errors without a SQLSTATE (a closed connection, a refused or
     * failed connection, a borrowed connection found dead); or an I/O error of the socket. Not a timed-out borrow
     * (the pool's {@code maxAcquireTime} has been waited already), not 57014 (a cancel), not Sluice's own errors.
     */
    @Override
    public boolean retryableRead(Throwable error) {
        if (error instanceof R2dbcException r2dbc) {
            String state = r2dbc.getSqlState();
            if (state != null && !state.isEmpty()) {
                return state.startsWith("08") || LOST_STATES.contains(state);
            }
            if (error instanceof R2dbcNonTransientResourceException) {
                return true;
            }
        }
        for (Throwable cause = error; cause != null && !(cause instanceof SluiceException);
             cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof IOException) { // a closed channel, a reset connection
                return true;
            }
        }
        return false;
    }

    private ConnectionSession session(Connection connection) {
        return new ConnectionSession(connection, listener, log);
    }

    private Mono<Void> begin(Connection connection, TransactionOptions options) {
        return Mono.defer(() -> {
            listener.onStatement("BEGIN" + (options.readOnly() ? " READ ONLY" : "")
                    + (options.isolation() != null ? " ISOLATION LEVEL " + options.isolation().sql() : ""));
            return Mono.from(connection.beginTransaction(new Definition(options)));
        });
    }

    /**
     * Rolls back after {@code error}, which stays the error: a ROLLBACK that fails too (on a lost connection, whose
     * transaction the server has ended already) is attached to it, not put in its place.
     */
    private Mono<Void> rollbackAfter(Throwable error, Connection connection) {
        return end(connection, "ROLLBACK", connection.rollbackTransaction()).onErrorResume(failed -> {
            if (failed != error) {
                error.addSuppressed(failed);
            }
            return Mono.empty();
        });
    }

    /** Ends the transaction, then releases the connection whether or not the end succeeded. */
    private Mono<Void> end(Connection connection, String what, Publisher<Void> end) {
        return Mono.defer(() -> {
            listener.onStatement(what);
            return Mono.from(end);
        }).onErrorResume(e -> Mono.from(connections.release(connection)).then(Mono.error(e)))
                .then(Mono.defer(() -> Mono.from(connections.release(connection))));
    }

    /** R2DBC's way of saying {@code BEGIN READ ONLY ISOLATION LEVEL ...}. */
    private record Definition(TransactionOptions options) implements TransactionDefinition {
        @Override
        @SuppressWarnings("unchecked")
        public <T> @Nullable T getAttribute(Option<T> option) {
            if (option.equals(TransactionDefinition.READ_ONLY)) {
                return (T) Boolean.valueOf(options.readOnly());
            }
            if (option.equals(TransactionDefinition.ISOLATION_LEVEL) && options.isolation() != null) {
                return (T) IsolationLevel.valueOf(options.isolation().sql());
            }
            return null;
        }
    }
}
