package dev.sluice.spi;

import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What an adapter implements to run Sluice on a database driver.
 *
 * <p>As a {@link Session}, every statement borrows a connection for its own duration only, so that nothing is held
 * between statements. {@link #inTransaction} pins one connection for a unit of work.
 */
public interface Executor extends Session {

    /**
     * Runs {@code work} inside one transaction on one connection: begins it (with the given options), commits when
     * the publisher {@code work} returns completes, rolls back on error and on cancel, and releases the connection
     * in every case. An executor that is already inside a transaction joins it instead.
     */
    <T> Flux<T> inTransaction(TransactionOptions options, Function<Session, ? extends Publisher<T>> work);

    /**
     * Whether {@link #inTransaction} joins, in the current subscription, a transaction that is already open and that
     * someone else commits or rolls back, instead of beginning its own. Sluice then cleans up what it opened in that
     * transaction itself (it closes its cursors), since no rollback of its own will. Evaluated in the subscriber's
     * context. The default: never.
     */
    /**
     * The executor for one read outside a transaction (a whole stream, a lookup, a count): this one, or one bound to
     * a server chosen now for that read (a read replica), on which every statement of the read then runs, so a scan
     * stays on one server. Called once per read, when it is subscribed to. Defaults to this executor.
     */
    default Executor forRead() {
        return this;
    }

    default Mono<Boolean> joinsTransaction() {
        return Mono.just(false);
    }

    /**
     * Whether {@link Session#query(RenderedSql, RowMapper, Publisher)} ends statements early on the server in the
     * current subscription. When it does, Sluice may run pages larger than {@code maxPageSize} for a subscriber that
     * has asked for that many rows, since a cancel no longer means reading the rest of the page. Evaluated once per
     * query subscription, in the subscriber's context. The default: never.
     */
    default Mono<Boolean> canStopStatements() {
        return Mono.just(false);
    }

    /**
     * Whether a read that failed with {@code error} failed for its connection, not for its statement, so that the
     * same read may succeed on another connection: the connection was lost or closed (SQLSTATE class 08, a closed
     * channel), the server ended the backend (57P01, 57P02, 57P03), no connection could be made or borrowed, or a
     * standby cancelled it for a recovery conflict (40001). Never for a statement cancelled on purpose (57014, a
     * {@link dev.sluice.QueryTimeoutException}) nor for an error of the statement itself (42xxx, 22xxx...). Sluice
     * retries such reads outside transactions only. The default: never.
     */
    default boolean retryableRead(Throwable error) {
        return false;
    }

    /**
     * Describes an error if the database raised it (a constraint violation, a bad value), or returns null for any
     * other error. The default knows no database errors.
     */
    default @Nullable DatabaseError databaseError(Throwable error) {
        return null;
    }
}
