package dev.sluice.r2dbc;

import java.util.concurrent.atomic.AtomicInteger;

import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.R2dbcException;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * Ends one running statement early on the server, safely for the connection's next statement.
 *
 * <p>PostgreSQL's CancelRequest goes over a new connection and interrupts whatever its backend runs when the signal
 * lands; a backend waiting for its next command ignores it. So the request is sent only once the statement is known
 * to run (its first row has come), never after the statement has ended, and the connection is given back only when
 * both the statement has ended and the request is over (the server closes the cancel connection after signalling
 * the backend): then no late signal can hit the connection's next statement.
 */
final class StatementStop {

    private static final Logger LOG = Loggers.getLogger(StatementStop.class);

    /** SQLSTATE query_canceled: how a statement ended by a CancelRequest fails. */
    private static final String QUERY_CANCELED = "57014";

    private static final int RUNNING = 0;
    private static final int CANCELLING = 1;
    private static final int ENDED = 2;

    private final PostgresqlConnection connection;
    private final AtomicInteger state = new AtomicInteger(RUNNING);
    private final Sinks.Empty<Void> requestOver = Sinks.empty();
    private volatile boolean stopWanted;
    private volatile boolean started;

    StatementStop(PostgresqlConnection connection) {
        this.connection = connection;
    }

    /** The caller wants no more rows. */
    void stop() {
        stopWanted = true;
        cancelIfDue();
    }

    /** A row of the statement has come; called for every row, cheap after the first. */
    void rowArrived() {
        if (!started) {
            started = true;
            cancelIfDue();
        }
    }

    /** Whether {@code error} is how the statement ended after this stop cancelled it. */
    boolean endedByStop(Throwable error) {
        return state.get() == CANCELLING && error instanceof R2dbcException r2dbc
                && QUERY_CANCELED.equals(r2dbc.getSqlState());
    }

    /** The statement has ended: completes at once, or when a CancelRequest already under way is over. */
    Mono<Void> ended() {
        return state.compareAndSet(RUNNING, ENDED) ? Mono.empty() : requestOver.asMono();
    }

    private void cancelIfDue() {
        if (stopWanted && started && state.compareAndSet(RUNNING, CANCELLING)) {
            connection.cancelRequest().subscribe(null, error -> {
                LOG.debug("CancelRequest failed; the statement runs to its end instead", error);
                requestOver.tryEmitEmpty();
            }, requestOver::tryEmitEmpty);
        }
    }
}
