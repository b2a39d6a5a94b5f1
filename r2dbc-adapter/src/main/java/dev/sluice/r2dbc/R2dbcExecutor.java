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
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The executor over a {@link ConnectionProvider}: every statement borrows a connection for its own duration, and a
 * transaction pins one connection until it ends.
 */
final class R2dbcExecutor implements Executor {

    private final ConnectionProvider connections;
    private final StatementListener listener;

    R2dbcExecutor(ConnectionProvider connections, StatementListener listener) {
        this.connections = connections;
        this.listener = listener;
    }

    @Override
    public <T> Flux<T> query(RenderedSql sql, RowMapper<T> mapper) {
        return Flux.usingWhen(connections.acquire(), c -> session(c).query(sql, mapper), connections::release);
    }

    @Override
    public <T> Flux<T> query(RenderedSql sql, RowMapper<T> mapper, Publisher<?> stop) {
        return Flux.usingWhen(connections.acquire(), c -> session(c).query(sql, mapper, stop), connections::release);
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
        return Mono.usingWhen(connections.acquire(), c -> session(c).update(sql), connections::release);
    }

    /** On cancel, the connection goes back only once the COPY it was running has been aborted on the server. */
    @Override
    public Mono<Long> copyIn(String sql, Publisher<byte[]> chunks) {
        return Mono.usingWhen(Mono.from(connections.acquire()).map(this::session), s -> s.copyIn(sql, chunks),
                s -> connections.release(s.connection()), (s, error) -> connections.release(s.connection()),
                s -> s.copyFinished().then(Mono.from(connections.release(s.connection()))));
    }

    /**
     * Begins and ends a transaction of its own, unless the {@link ConnectionProvider} says one managed elsewhere is
     * open: then {@code work} runs on one acquired connection of that transaction, which its owner commits or rolls
     * back.
     */
    @Override
    public <T> Flux<T> inTransaction(TransactionOptions options, Function<Session, ? extends Publisher<T>> work) {
        return connections.inExternalTransaction().flatMapMany(external -> external
                ? Flux.usingWhen(connections.acquire(), c -> Flux.defer(() -> work.apply(session(c))),
                        connections::release)
                : Flux.usingWhen(connections.acquire(),
                        c -> begin(c, options).thenMany(Flux.defer(() -> work.apply(session(c)))),
                        c -> end(c, "COMMIT", c.commitTransaction()),
                        (c, error) -> end(c, "ROLLBACK", c.rollbackTransaction()),
                        c -> end(c, "ROLLBACK", c.rollbackTransaction())));
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
