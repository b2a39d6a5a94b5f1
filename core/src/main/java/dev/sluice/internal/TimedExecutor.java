package dev.sluice.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import dev.sluice.QueryTimeoutException;
import dev.sluice.spi.DatabaseError;
import dev.sluice.spi.Executor;
import dev.sluice.spi.RenderedSql;
import dev.sluice.spi.RowMapper;
import dev.sluice.spi.Session;
import dev.sluice.spi.TransactionOptions;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The executor of a query with a {@link dev.sluice.Query#timeout timeout}: every statement that returns rows (a
 * keyset page, a FETCH, the one whole statement, a relation window, a lookup, a count) runs with a deadline
 * ({@link Session#queryWithDeadline}) that starts when the statement starts on its connection. At the deadline the
 * adapter cancels it on the server; once it has ended there (and the connection is safe for its next statement),
 * the rows fail with a {@link QueryTimeoutException} naming the statement. Inside a transaction the cancel aborts
 * it, and the error says so. Statements without rows (DECLARE, CLOSE) run as they are.
 */
final class TimedExecutor implements Executor {

    private final Executor outer;
    private final Duration timeout;
    /** The outer executor's statements, with the deadline. */
    private final Session statements;

    TimedExecutor(Executor outer, Duration timeout) {
        this.outer = outer;
        this.timeout = timeout;
        // asked when a statement is subscribed, where the provider may read the subscriber's context
        this.statements = new TimedSession(outer, Mono.defer(outer::joinsTransaction));
    }

    /** The executor without the timeout. */
    Executor outer() {
        return outer;
    }

    @Override
    public <T> Flux<T> query(RenderedSql sql, RowMapper<T> mapper) {
        return statements.query(sql, mapper);
    }

    @Override
    public <T> Flux<T> query(RenderedSql sql, RowMapper<T> mapper, Publisher<?> stop) {
        return statements.query(sql, mapper, stop);
    }

    @Override
    public Mono<Long> update(RenderedSql sql) {
        return statements.update(sql);
    }

    @Override
    public Mono<Long> copyIn(String sql, Publisher<byte[]> chunks) {
        return statements.copyIn(sql, chunks);
    }

    @Override
    public Mono<Boolean> bindsBinary() {
        return outer.bindsBinary();
    }

    /** The transaction's statements run with the deadline too; a transaction of Sluice's own says so only if joined. */
    @Override
    public <T> Flux<T> inTransaction(TransactionOptions options, Function<Session, ? extends Publisher<T>> work) {
        Mono<Boolean> joined = outer.joinsTransaction();
        return outer.inTransaction(options, session -> work.apply(new TimedSession(session, joined)));
    }

    /** The read's executor, with the same deadline. */
    @Override
    public Executor forRead() {
        Executor read = outer.forRead();
        return read == outer ? this : new TimedExecutor(read, timeout);
    }

    @Override
    public Mono<Boolean> joinsTransaction() {
        return outer.joinsTransaction();
    }

    @Override
    public Mono<Boolean> canStopStatements() {
        return outer.canStopStatements();
    }

    @Override
    public @Nullable DatabaseError databaseError(Throwable error) {
        return outer.databaseError(error);
    }

    @Override
    public boolean retryableRead(Throwable error) {
        return outer.retryableRead(error);
    }

    /**
     * A session whose statements that return rows run with the deadline; those without rows (DECLARE, CLOSE, writes)
     * run as they are.
     *
     * @param inTransaction whether a statement runs in a transaction that the cancel aborts for its owner
     */
    private final class TimedSession implements Session {
        private final Session session;
        private final Mono<Boolean> inTransaction;

        TimedSession(Session session, Mono<Boolean> inTransaction) {
            this.session = session;
            this.inTransaction = inTransaction;
        }

        @Override
        public <R> Flux<R> query(RenderedSql sql, RowMapper<R> mapper) {
            return timed(session, sql, mapper, null, inTransaction);
        }

        @Override
        public <R> Flux<R> query(RenderedSql sql, RowMapper<R> mapper, Publisher<?> stop) {
            return timed(session, sql, mapper, stop, inTransaction);
        }

        @Override
        public Mono<Long> update(RenderedSql sql) {
            return session.update(sql);
        }

        @Override
        public Mono<Long> copyIn(String sql, Publisher<byte[]> chunks) {
            return session.copyIn(sql, chunks);
        }

        @Override
        public Mono<Boolean> bindsBinary() {
            return session.bindsBinary();
        }
    }

    /**
     * Runs {@code sql} on {@code session} with the deadline (and {@code stop}, if given, which ends it the same way);
     * fails with the timeout if the deadline passed before the statement ended, whether it then completed early or
     * failed (the cancel's own error, or one it caused).
     *
     * @param inTransaction whether the statement runs in a transaction that the cancel aborts for its owner
     */
    private <T> Flux<T> timed(Session session, RenderedSql sql, RowMapper<T> mapper, @Nullable Publisher<?> stop,
                              Mono<Boolean> inTransaction) {
        return inTransaction.flatMapMany(joined -> Flux.defer(() -> {
            AtomicBoolean passed = new AtomicBoolean();
            Mono<Object> deadline = Mono.delay(timeout).doOnNext(tick -> passed.set(true)).cast(Object.class);
            Publisher<?> ends = stop == null ? deadline : Flux.firstWithSignal(deadline, Flux.from(stop).take(1));
            Mono<T> timedOut = Mono.defer(() -> passed.get()
                    ? Mono.error(new QueryTimeoutException(sql.sql(), timeout, joined)) : Mono.empty());
            return session.queryWithDeadline(sql, mapper, ends)
                    .onErrorResume(error -> passed.get(), error -> timedOut.doOnError(e -> e.addSuppressed(error)))
                    .concatWith(timedOut);
        }));
    }
}
