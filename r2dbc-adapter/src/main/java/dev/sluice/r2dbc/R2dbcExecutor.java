package dev.sluice.r2dbc;

import java.util.function.Function;

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

    private final ConnectionProvider connections;
    private final StatementListener listener;
    private final SessionSettings settings;
    private final @Nullable ReadReplicas replicas;

    R2dbcExecutor(ConnectionProvider connections, StatementListener listener, SessionSettings settings) {
        this(connections, listener, settings, null);
    }

    R2dbcExecutor(ConnectionProvider connections, StatementListener listener, SessionSettings settings,
                  @Nullable ReadReplicas replicas) {
        this.connections = connections;
        this.listener = listener;
        this.settings = settings;
        this.replicas = replicas;
    }

    /**
     * With read replicas, an executor whose statements all run on the server {@link ReadReplicas} chooses at the
     * read's first borrow ({@link ReplicaPin}); otherwise this one.
     */
    @Override
    public Executor forRead() {
        ReadReplicas r = replicas;
        return r == null ? this : new R2dbcExecutor(new ReplicaPin(connections, r), listener, settings, null);
    }

    @Override
    public <T> Flux<T> query(RenderedSql sql, RowMapper<T> mapper) {
        return borrowed(s -> s.query(sql, mapper));
    }

    @Override
    public <T> Flux<T> query(RenderedSql sql, RowMapper<T> mapper, Publisher<?> stop) {
        return borrowed(s -> s.query(sql, mapper, stop));
    }

    @Override
    public <T> Flux<T> queryWithDeadline(RenderedSql sql, RowMapper<T> mapper, Publisher<?> deadline) {
        return Flux.usingWhen(connections.acquire(), c -> session(c).queryWithDeadline(sql, mapper, deadline),
                connections::release);
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
        return borrowed(s -> s.update(sql)).single();
    }

    /** On cancel, the connection goes back only once the COPY it was running has been aborted on the server. */
    @Override
    public Mono<Long> copyIn(String sql, Publisher<byte[]> chunks) {
        return borrowed(s -> s.copyIn(sql, chunks)).single();
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
                            c -> prepared(c, setup).thenMany(Flux.defer(() -> work.apply(session(c)))),
                            connections::release)
                    : Flux.usingWhen(connections.acquire(),
                            c -> begin(c, options).then(prepared(c, setup))
                                    .thenMany(Flux.defer(() -> work.apply(session(c)))),
                            c -> end(c, "COMMIT", c.commitTransaction()),
                            (c, error) -> end(c, "ROLLBACK", c.rollbackTransaction()),
                            c -> end(c, "ROLLBACK", c.rollbackTransaction())));
        });
    }

    /**
     * Runs {@code use} on a connection of its own, with the subscriber's {@link SessionSettings} applied before and
     * undone after. The connection goes back when {@code use} completes, fails or is cancelled; after a cancel, only
     * once a COPY it ran has been aborted on the server.
     */
    private <T> Flux<T> borrowed(Function<ConnectionSession, ? extends Publisher<T>> use) {
        if (settings == SessionSettings.NONE) {
            return plain(use);
        }
        return Flux.deferContextual(context -> {
            SessionSql setup = SessionSql.of(settings, context);
            if (setup.isEmpty()) {
                return plain(use);
            }
            return connections.inExternalTransaction().flatMapMany(external -> Flux.usingWhen(
                    connections.acquire().map(this::session),
                    s -> s.update(setup.apply(external)).thenMany(Flux.defer(() -> use.apply(s))),
                    s -> reset(s, setup, external),
                    (s, error) -> reset(s, setup, external),
                    s -> s.copyFinished().then(reset(s, setup, external))));
        });
    }

    private <T> Flux<T> plain(Function<ConnectionSession, ? extends Publisher<T>> use) {
        return Flux.usingWhen(connections.acquire().map(this::session), use, this::release,
                (s, error) -> release(s), s -> s.copyFinished().then(Mono.from(release(s))));
    }

    private Publisher<Void> release(ConnectionSession session) {
        return connections.release(session.connection());
    }

    /**
     * Undoes session-level settings, then releases the connection; a connection whose reset failed is closed first.
     * Transaction-local settings (inside a transaction managed elsewhere) end with that transaction.
     */
    private Mono<Void> reset(ConnectionSession session, SessionSql setup, boolean local) {
        if (local) {
            return Mono.from(release(session));
        }
        return session.update(setup.reset())
                .then()
                .onErrorResume(error -> discard(session.connection(), error))
                .then(Mono.defer(() -> Mono.from(release(session))));
    }

    /**
     * Closes the connection under the pool's wrapper, after a reset that failed: the pool must not hand out a
     * connection that may still carry another subscriber's settings. The pool drops it when it is next borrowed
     * (validation finds it closed; {@link PoolBorrow} borrows again).
     */
    private static Mono<Void> discard(Connection connection, Throwable resetFailure) {
        LOG.warn("Resetting the session settings of a connection failed; closing it, so that no other subscriber "
                + "gets it with these settings: " + resetFailure);
        Connection target = connection;
        while (target instanceof Wrapped<?> wrapped && wrapped.unwrap() instanceof Connection inner
                && inner != target) {
            target = inner;
        }
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

    private ConnectionSession session(Connection connection) {
        return new ConnectionSession(connection, listener);
    }

    private Mono<Void> begin(Connection connection, TransactionOptions options) {
        return Mono.defer(() -> {
            listener.onStatement("BEGIN" + (options.readOnly() ? " READ ONLY" : "")
                    + (options.isolation() != null ? " ISOLATION LEVEL " + options.isolation().sql() : ""));
            return Mono.from(connection.beginTransaction(new Definition(options)));
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
