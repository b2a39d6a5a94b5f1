package dev.sluice.r2dbc;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.r2dbc.spi.Connection;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * The connections of one read outside a transaction: the server is chosen by {@link ReadReplicas} at the read's first
 * borrow, and every later borrow of the read (each keyset page, each relation window) goes to the same server, so a
 * scan never moves between replicas that have replayed different amounts of WAL. Inside a transaction managed
 * elsewhere (Spring's), every borrow goes to the primary's provider, in that transaction.
 *
 * <p>Seam for failover in the middle of a scan (not built here): the chosen {@link ReadReplicas.Target} keeps the
 * replica's replayed WAL position when the read began. A page retried after a lost connection (issue 14) may move
 * the read to another server only if that server's replayed position is at least this one, so that no row the scan
 * has passed can reappear or vanish; otherwise to the primary. That choice belongs in {@link #acquire()}, when a
 * borrow on the chosen replica fails.
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

    ReplicaPin(ConnectionProvider primary, ReadReplicas replicas) {
        this.primary = primary;
        this.replicas = replicas;
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
     * {@value #CHOICES} times.
     */
    private Mono<Connection> pinned(int tried) {
        Mono<ReadReplicas.Target> current = target.get();
        return current.flatMap(t -> t.connections().acquire()
                .onErrorResume(error -> {
                    ReadReplicas.Replica replica = t.replica();
                    if (replica == null || borrowed.get() || tried + 1 >= CHOICES) {
                        return Mono.error(error);
                    }
                    replicas.failed(replica, error);
                    target.compareAndSet(current, chosen());
                    return pinned(tried + 1);
                })
                .doOnNext(c -> {
                    borrowed.set(true);
                    lenders.put(c, t.connections());
                }));
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
