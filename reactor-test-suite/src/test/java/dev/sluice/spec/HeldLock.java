package dev.sluice.spec;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.Result;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A transaction of the test kit's own, on a connection outside any repository's pool, that holds a lock until it is
 * released (rolled back): so a statement of the repository under test provably waits on the server.
 */
final class HeldLock implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Connection connection;
    private boolean released;

    private HeldLock(Connection connection) {
        this.connection = connection;
    }

    /** Holds {@code table} in SHARE mode: reads go on, every INSERT and COPY waits. */
    static HeldLock share(String table) {
        return begin("LOCK TABLE " + table + " IN SHARE MODE");
    }

    /** Holds {@code table} in ACCESS EXCLUSIVE mode: every statement that reads it waits. */
    static HeldLock exclusive(String table) {
        return begin("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
    }

    /** Runs {@code sql} in a transaction left open: whatever it locked stays locked. */
    static HeldLock begin(String sql) {
        Connection connection = Mono.from(ConnectionFactories.get(Fixtures.db().r2dbcUrl()).create()).block(TIMEOUT);
        HeldLock lock = new HeldLock(connection);
        Mono.from(connection.beginTransaction())
                .thenMany(Flux.from(connection.createStatement(sql).execute()).concatMap(Result::getRowsUpdated))
                .then().block(TIMEOUT);
        return lock;
    }

    /** Rolls the transaction back, which releases what it held. */
    void release() {
        end(connection.rollbackTransaction());
    }

    /** Commits the transaction, which releases what it held and keeps what it wrote. */
    void commit() {
        end(connection.commitTransaction());
    }

    private void end(org.reactivestreams.Publisher<Void> end) {
        if (!released) {
            released = true;
            Mono.from(end).then(Mono.from(connection.close())).block(TIMEOUT);
        }
    }

    @Override
    public void close() {
        release();
    }

    /** Whether a statement of the specs' connections that starts with {@code sql} waits for a lock now. */
    static boolean waiting(String sql) {
        return Fixtures.db().queryLong("SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
                + Fixtures.APPLICATION + "' AND wait_event_type = 'Lock' AND query LIKE '"
                + sql.replace("'", "''") + "%'") > 0;
    }

    /** Polls {@code condition} until it holds, failing after 30 seconds with {@code what} was awaited. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Not within " + TIMEOUT + ": " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
