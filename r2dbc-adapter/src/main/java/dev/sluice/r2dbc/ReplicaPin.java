package dev.sluice.r2dbc;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import io.r2dbc.spi.Connection;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * The connections of one read outside a transaction: the server is chosen by {@link ReadReplicas} at the read's first
 * borrow, and every later borrow of the read (each keyset page, each relation window) goes to the same server, so a
 * scan never moves between replicas that have replayed different amounts of WAL. Inside a transaction managed
 * elsewhere (Spring's), every borrow goes to the primary's provider, in that transaction.
 *
 * <p>When the chosen replica fails in the middle of the read (a statement lost its connection, {@link #lost}, or a
 * later borrow failed for the connection), the next borrow, which is the page's retry (issue 14), moves the read
 * to another server and pins it there: to another replica only if it has replayed at least the WAL position the
 * chosen replica had replayed when the read began ({@link ReadReplicas.Target#replayedAtStart()}), so that no row
 * the scan has passed can reappear or vanish; otherwise to the primary ({@link ReadReplicas#after}).
 */
final class ReplicaPin implements ConnectionProvider {

    /** How many servers the first borrow of a read tries. */
    static final int CHOICES = 3;

    private final ConnectionProvider primary;
    private final ReadReplicas replicas;
    private final AtomicReference<Mono<ReadReplicas.Target>> target = new AtomicReference<>();
    /** Whether the read has had a connection: until then, a replica that cannot be reached is left for another. */
    private final AtomicBoolean borrowed = new AtomicBoolean();
    /** Which provider each borrowed connection came from, to give it back there. */
    private final Map<Connection, ConnectionProvider> lenders = new ConcurrentHashMap<>();
    /** The provider of a connection lost in the middle of the read: the next borrow moves the read off it. */
    private final AtomicReference<@Nullable ConnectionProvider> lostOn = new AtomicReference<>();
    /** Whether an error is a lost connection (the executor's classification). */
    private final Predicate<Throwable> connectionLost;

    ReplicaPin(ConnectionProvider primary, ReadReplicas replicas, Predicate<Throwable> connectionLost) {
        this.primary = primary;
        this.replicas = replicas;
        this.connectionLost = connectionLost;
        this.target.set(chosen());
    }

    private Mono<ReadReplicas.Target> chosen() {
        return Mono.defer(() -> replicas.choose(primary)).cache();
    }

    @Override
    public Mono<Connection> acquire() {
        return primary.inExternalTransaction().flatMap(external -> external ? primary.acquire() : pinned(0));
    }

    /**
     * A connection of the chosen server. When the read's first borrow fails on a replica, nothing of the read has
     * run yet: the replica is marked failed and the read chooses again (another replica, or the primary), up to
     * {@value #CHOICES} times. When the replica fails later (a connection of the read was {@link #lost}, or a borrow
     * fails for the connection), the read moves to a server that has replayed at least as far, or to the primary.
     */
    private Mono<Connection> pinned(int tried) {
        Mono<ReadReplicas.Target> current = target.get();
        return current.flatMap(t -> {
            ReadReplicas.Replica replica = t.replica();
            if (replica != null && lostOn.get() == t.connections() && tried + 1 < CHOICES) {
                lostOn.compareAndSet(t.connections(), null);
                target.compareAndSet(current, replicas.after(t, primary).cache());
                return pinned(tried + 1);
            }
            return t.connections().acquire()
                    .onErrorResume(error -> {
                        if (replica == null || tried + 1 >= CHOICES
                                || borrowed.get() && !connectionLost.test(error)) {
                            return Mono.error(error);
                        }
                        replicas.failed(replica, error);
                        target.compareAndSet(current, borrowed.get() ? replicas.after(t, primary).cache() : chosen());
                        return pinned(tried + 1);
                    })
                    .doOnNext(c -> {
                        borrowed.set(true);
                        lenders.put(c, t.connections());
                    });
        });
    }

    /**
     * Told by the executor, before it gives {@code connection} back, that a statement on it failed because the
     * connection was lost: the read's next borrow (its retry) moves off that connection's server.
     */
    void lost(Connection connection) {
        ConnectionProvider lender = lenders.get(connection);
        if (lender != null && lender != primary) {
            lostOn.set(lender);
        }
    }

    @Override
    public Publisher<Void> release(Connection connection) {
        ConnectionProvider lender = lenders.remove(connection);
        return (lender != null ? lender : primary).release(connection);
    }

    @Override
    public Mono<Boolean> inExternalTransaction() {
        return primary.inExternalTransaction();
    }
}
