package dev.sluice.r2dbc;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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

    private final ConnectionProvider primary;
    private final ReadReplicas replicas;
    private final Mono<ReadReplicas.Target> target;
    /** Which provider each borrowed connection came from, to give it back there. */
    private final Map<Connection, ConnectionProvider> lenders = new ConcurrentHashMap<>();

    ReplicaPin(ConnectionProvider primary, ReadReplicas replicas) {
        this.primary = primary;
        this.replicas = replicas;
        this.target = Mono.defer(() -> replicas.choose(primary)).cache();
    }

    @Override
    public Mono<Connection> acquire() {
        return primary.inExternalTransaction().flatMap(external -> external ? primary.acquire()
                : target.flatMap(t -> t.connections().acquire()
                        .doOnError(error -> {
                            if (t.replica() != null) {
                                replicas.failed(t.replica(), error);
                            }
                        })
                        .doOnNext(c -> lenders.put(c, t.connections()))));
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
