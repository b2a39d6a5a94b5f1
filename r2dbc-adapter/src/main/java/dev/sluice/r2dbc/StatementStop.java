package dev.sluice.r2dbc;

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
 * lands; a backend waiting for its next command ignores it. So:
 * <ul>
 *   <li>a stop sends a CancelRequest at once, and if it came before the statement's first row (the request may have
 *       landed before the statement ran), another when that row comes;</li>
 *   <li>none is sent once the statement has ended;</li>
 *   <li>the connection is given back only when the statement has ended and every request sent is over (the server
 *       closes a cancel connection after signalling the backend), so no late signal can hit its next statement.</li>
 * </ul>
 */
final class StatementStop {

    private static final Logger LOG = Loggers.getLogger(StatementStop.class);

    /** SQLSTATE query_canceled: how a statement ended by a CancelRequest fails. */
    private static final String QUERY_CANCELED = "57014";

    private final PostgresqlConnection connection;
    private final Sinks.Empty<Void> requestsOver = Sinks.empty();
    private volatile boolean stopWanted;
    private volatile boolean started;
    // guarded by this
    private boolean ended;
    private int requestsUnderWay;

    StatementStop(PostgresqlConnection connection) {
        this.connection = connection;
    }

    /** The caller wants no more rows. */
    void stop() {
        if (!stopWanted) {
            stopWanted = true;
            sendCancel();
        }
    }

    /** A row of the statement has come; called for every row, cheap after the first. */
    void rowArrived() {
        if (!started) {
            started = true;
            if (stopWanted) {
                sendCancel();
            }
        }
    }

    /** Whether {@code error} is how the statement ended after a stop cancelled it. */
    boolean endedByStop(Throwable error) {
        return stopWanted && error instanceof R2dbcException r2dbc && QUERY_CANCELED.equals(r2dbc.getSqlState());
    }

    /** The statement has ended: completes at once, or when the CancelRequests under way are over. */
    Mono<Void> ended() {
        synchronized (this) {
            ended = true;
            if (requestsUnderWay == 0) {
                return Mono.empty();
            }
        }
        return requestsOver.asMono();
    }

    private void sendCancel() {
        synchronized (this) {
            if (ended) {
                return;
            }
            requestsUnderWay++;
        }
        connection.cancelRequest().subscribe(null, error -> {
            LOG.debug("CancelRequest failed; the statement runs to its end instead", error);
            requestOver();
        }, this::requestOver);
    }

    private void requestOver() {
        boolean last;
        synchronized (this) {
            last = --requestsUnderWay == 0 && ended;
        }
        if (last) {
            requestsOver.tryEmitEmpty();
        }
    }
}
