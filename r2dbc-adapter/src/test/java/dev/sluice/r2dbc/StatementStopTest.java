package dev.sluice.r2dbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTimeoutException;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Sinks;

/**
 * When a stop sends PostgreSQL's CancelRequest, and when the connection may go back: the rules that keep a late
 * cancel signal off the connection's next statement. The connection is a stand-in that records each request and
 * lets the test end it.
 */
class StatementStopTest {

    /** One sink per CancelRequest sent; completing it is the server closing the cancel connection. */
    private final List<Sinks.Empty<Void>> requests = new CopyOnWriteArrayList<>();

    private final PostgresqlConnection connection = (PostgresqlConnection) Proxy.newProxyInstance(
            getClass().getClassLoader(), new Class<?>[] {PostgresqlConnection.class}, (proxy, method, args) -> {
                if (method.getName().equals("cancelRequest")) {
                    Sinks.Empty<Void> request = Sinks.empty();
                    requests.add(request);
                    return request.asMono();
                }
                throw new UnsupportedOperationException(method.getName());
            });

    private final StatementStop stop = new StatementStop(connection);

    @Test
    void aStopAfterTheFirstRowSendsOneRequestAndTheConnectionWaitsForIt() {
        stop.rowArrived();
        stop.rowArrived();
        stop.stop();
        stop.stop();
        assertThat(requests).hasSize(1);
        CompletableFuture<Void> ended = stop.ended().toFuture();
        assertThat(ended).as("statement over, request still under way").isNotDone();
        requests.get(0).tryEmitEmpty();
        assertThat(ended).isDone();
    }

    @Test
    void aStopBeforeTheFirstRowSendsAnotherAtTheFirstRowAndTheConnectionWaitsForBoth() {
        stop.stop();
        assertThat(requests).as("sent at once: the statement may already run").hasSize(1);
        stop.rowArrived();
        assertThat(requests).as("again at the first row: the first may have come before it ran").hasSize(2);
        stop.rowArrived();
        assertThat(requests).hasSize(2);
        CompletableFuture<Void> ended = stop.ended().toFuture();
        requests.get(1).tryEmitEmpty();
        assertThat(ended).isNotDone();
        requests.get(0).tryEmitEmpty();
        assertThat(ended).isDone();
    }

    @Test
    void noRequestOnceTheStatementHasEnded() {
        stop.rowArrived();
        assertThat(stop.ended().toFuture()).isDone();
        stop.stop();
        assertThat(requests).isEmpty();
    }

    @Test
    void aFailedRequestStillLetsTheConnectionGo() {
        stop.rowArrived();
        stop.stop();
        CompletableFuture<Void> ended = stop.ended().toFuture();
        requests.get(0).tryEmitError(new R2dbcNonTransientResourceException("connection refused"));
        assertThat(ended).isDone().isNotCompletedExceptionally();
    }

    @Test
    void onlyQueryCanceledAfterAStopCountsAsTheStatementEndedByIt() {
        R2dbcTimeoutException canceled = new R2dbcTimeoutException("canceling statement due to user request", "57014");
        assertThat(stop.endedByStop(canceled)).as("not stopped: a real error").isFalse();
        stop.stop();
        assertThat(stop.endedByStop(canceled)).isTrue();
        assertThat(stop.endedByStop(new R2dbcTimeoutException("statement timeout", "57P01"))).isFalse();
        assertThat(stop.endedByStop(new IllegalStateException("57014"))).isFalse();
    }
}
