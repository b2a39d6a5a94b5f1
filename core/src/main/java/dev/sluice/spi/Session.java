package dev.sluice.spi;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs statements. Depending on where it comes from, each statement borrows a pooled connection for its own
 * duration ({@link Executor}) or all statements share one pinned connection (the session handed to
 * {@link Executor#inTransaction}).
 *
 * <p>Contract for adapters: a connection borrowed for a statement is released when the returned publisher
 * terminates or is cancelled; a cancelled statement is left to finish on the connection (or is cancelled on the
 * server) such that the connection is healthy when it is released.
 */
public interface Session {

    /**
     * Runs a statement that returns rows, and maps each row while it is valid.
     * Rows are emitted as the driver decodes them; callers bound the result size with {@code LIMIT} or
     * {@code FETCH}.
     */
    <T> Flux<T> query(RenderedSql sql, RowMapper<T> mapper);

    /**
     * Runs a statement like {@link #query(RenderedSql, RowMapper)}, and once {@code stop} signals (emits or
     * completes) while it runs, ends it early on the server if it can: the returned rows then complete normally,
     * without the rest of the result, once the statement has ended and its connection is ready for the next one.
     * Rows may still arrive between the stop and the end; the caller discards them. Whether an executor's
     * statements can stop is {@link Executor#canStopStatements()}. The default ignores {@code stop}: the statement
     * runs to its end.
     */
    default <T> Flux<T> query(RenderedSql sql, RowMapper<T> mapper, Publisher<?> stop) {
        return query(sql, mapper);
    }

    /**
     * Runs a statement like {@link #query(RenderedSql, RowMapper, Publisher)}, where {@code deadline} ends it on the
     * server inside a transaction too, which the cancel then aborts (every later statement of that transaction fails
     * until it rolls back). As there, the rows complete normally once the statement has ended and no cancel sent for
     * it can still reach its connection; the caller, which knows that its deadline passed, reports the failure. The
     * default runs {@link #query(RenderedSql, RowMapper, Publisher)}.
     */
    default <T> Flux<T> queryWithDeadline(RenderedSql sql, RowMapper<T> mapper, Publisher<?> deadline) {
        return query(sql, mapper, deadline);
    }

    /** Runs a statement that returns no rows and emits the number of rows it affected (0 when not applicable). */
    Mono<Long> update(RenderedSql sql);

    /**
     * Whether this session's statements can bind {@link UntypedBinary} values. Evaluated when subscribed to; the same
     * answer for every statement of the session. The default: no.
     */
    default Mono<Boolean> bindsBinary() {
        return Mono.just(false);
    }

    /**
     * Runs a {@code COPY ... FROM STDIN} statement and streams {@code chunks} to it, each chunk sent as one or
     * more CopyData messages when the driver asks for it; the bytes are already in the format the statement names.
     * Emits the number of rows copied. Adapters that cannot COPY keep this default, which fails.
     */
    default Mono<Long> copyIn(String sql, Publisher<byte[]> chunks) {
        return Mono.error(new UnsupportedOperationException(getClass().getName() + " does not support COPY"));
    }
}
