package dev.sluice.r2dbc;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * Chooses the server of one read: the read replicas in turn (round robin), skipping one whose last check failed or
 * found it behind the primary by more than {@code maxLagBytes} of WAL or {@code maxLag} of time; the primary when
 * none will do.
 *
 * <p>Lag is measured by WAL position. Each replica is checked at most once per {@code checkInterval}, when a read
 * needs it: the primary's {@code pg_current_wal_lsn()} (one check per interval for all replicas) against the
 * replica's {@code pg_last_wal_replay_lsn()}. The byte lag is their difference. The time lag is measured by the same
 * positions: every primary position seen is kept with the time it was seen, and a replica that has not replayed a
 * position seen at time t is at least {@code now - t} behind. So an idle primary shows no lag (its position does not
 * move), and a paused replica shows a growing one as soon as the primary writes. The samples are taken only while
 * reads run, so the time lag is a lower bound; the byte bound holds always.
 *
 * <p>A replica whose check or whose connection fails is skipped until its next check, one interval later. When the
 * primary cannot be checked, replicas are judged by their own check alone.
 */
final class ReadReplicas implements AutoCloseable {

    private static final Logger LOG = Loggers.getLogger(R2dbcRepo.class);
    /** How many primary positions are kept for the time lag. */
    private static final int MAX_SAMPLES = 4096;

    /** One replica: its URL (for messages), pool and borrowing, and its last check. */
    static final class Replica {
        final String name;
        final ConnectionPool pool;
        final ConnectionProvider connections;
        final CheckLine line;
        final AtomicReference<@Nullable Checked> checked = new AtomicReference<>();

        Replica(String name, ConnectionPool pool) {
            this.name = name;
            this.pool = pool;
            this.connections = PoolBorrow.of(ConnectionProvider.of(pool), pool);
            this.line = new CheckLine(pool.unwrap());
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A check's result, valid until {@code until} (System.nanoTime). */
    private record Checked(long until, Mono<Health> health) {
    }

    /**
     * What a check found.
     *
     * @param usable   whether reads may go there
     * @param why      why not, for the log
     * @param replayed the replica's replayed WAL position, -1 when unknown
     */
    record Health(boolean usable, String why, long replayed) {
    }

    /** Where one read runs, and the replica's replayed position when it was chosen (-1 for the primary). */
    record Target(ConnectionProvider connections, @Nullable Replica replica, long replayedAtStart) {
    }

    private final CheckLine primary;
    private final List<Replica> replicas;
    private final long maxLagBytes;
    private final long maxLagNanos;
    private final long intervalNanos;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicReference<@Nullable Checked> primaryPosition = new AtomicReference<>();
    /** Primary positions seen, oldest first: {time (nanoTime), position}. */
    private final Deque<long[]> samples = new ArrayDeque<>();

    ReadReplicas(ConnectionFactory primary, List<Replica> replicas, long maxLagBytes, Duration maxLag,
                 Duration checkInterval) {
        this.primary = new CheckLine(primary instanceof ConnectionPool pool ? pool.unwrap() : primary);
        this.replicas = List.copyOf(replicas);
        this.maxLagBytes = maxLagBytes;
        this.maxLagNanos = maxLag.toNanos();
        this.intervalNanos = checkInterval.toNanos();
    }

    /**
     * The server for one read: the next usable replica in turn, else the primary ({@code primaryConnections}).
     */
    Mono<Target> choose(ConnectionProvider primaryConnections) {
        int start = Math.floorMod(next.getAndIncrement(), replicas.size());
        return Flux.range(0, replicas.size())
                .map(i -> replicas.get((start + i) % replicas.size()))
                .concatMap(replica -> health(replica).filter(Health::usable)
                        .map(h -> new Target(replica.connections, replica, h.replayed())))
                .next()
                .defaultIfEmpty(new Target(primaryConnections, null, -1));
    }

    /**
     * The server a read moves to when its replica {@code from} fails in the middle of it: another replica whose last
     * check found it usable and which has replayed, asked now, at least {@code from.replayedAtStart()}, so that no row
     * the read has passed can reappear or vanish; else the primary ({@code primaryConnections}). The returned target
     * keeps the position the read started from, for a further move.
     */
    Mono<Target> after(Target from, ConnectionProvider primaryConnections) {
        long needed = from.replayedAtStart();
        return Flux.fromIterable(replicas)
                .filter(replica -> replica != from.replica())
                .concatMap(replica -> health(replica).filter(Health::usable)
                        .flatMap(h -> replayed(replica).onErrorResume(error -> Mono.empty()))
                        .filter(replayed -> needed >= 0 && replayed >= needed)
                        .map(replayed -> new Target(replica.connections, replica, needed)))
                .next()
                .defaultIfEmpty(new Target(primaryConnections, null, -1))
                .doOnNext(to -> LOG.warn("A read on replica " + from.replica() + " lost its connection; it goes on "
                        + (to.replica() == null ? "on the primary (no other replica has replayed WAL position "
                        + needed + ", where the read started)" : "on replica " + to.replica()
                        + ", which has replayed at least WAL position " + needed + ", where the read started")));
    }

    /** Marks a replica unusable until its next check: a connection to it failed. */
    void failed(Replica replica, Throwable error) {
        LOG.warn("Read replica " + replica + " failed (" + error + "); reading elsewhere until it is checked again");
        replica.checked.set(new Checked(System.nanoTime() + intervalNanos,
                Mono.just(new Health(false, "failed: " + error, -1))));
    }

    private Mono<Health> health(Replica replica) {
        return cached(replica.checked, () -> Mono.zip(primaryPosition().map(p -> new long[] {p})
                        .defaultIfEmpty(new long[0]), replayed(replica))
                .map(both -> judge(replica, both.getT1().length == 0 ? -1 : both.getT1()[0], both.getT2()))
                .onErrorResume(error -> {
                    LOG.warn("Read replica " + replica + " is skipped: its check failed: " + error);
                    return Mono.just(new Health(false, "check failed: " + error, -1));
                }));
    }

    /** Judges a replica by its replayed position against the primary's (-1 when the primary is not known). */
    private Health judge(Replica replica, long primaryAt, long replayed) {
        if (replayed < 0) {
            return new Health(false, "not replaying WAL (not a replica, or promoted)", -1);
        }
        if (primaryAt < 0) {
            return new Health(true, "", replayed);
        }
        long bytes = Math.max(0, primaryAt - replayed);
        long behindSince = -1;
        synchronized (samples) {
            for (long[] sample : samples) {
                if (sample[1] > replayed) {
                    behindSince = sample[0];
                    break;
                }
            }
        }
        long nanos = behindSince < 0 ? 0 : System.nanoTime() - behindSince;
        if (bytes > maxLagBytes || nanos > maxLagNanos) {
            String why = "behind the primary by " + bytes + " bytes of WAL and at least " + nanos / 1_000_000
                    + " ms (bounds " + maxLagBytes + " bytes, " + maxLagNanos / 1_000_000 + " ms)";
            LOG.info("Read replica " + replica + " is skipped: " + why);
            return new Health(false, why, replayed);
        }
        return new Health(true, "", replayed);
    }

    /** The primary's WAL position, once per interval for all replicas; empty when it cannot be read. */
    private Mono<Long> primaryPosition() {
        return cached(primaryPosition, () -> primary.position(ReplicaSql.PRIMARY_POSITION)
                .doOnNext(this::sample)
                .map(p -> new Health(true, "", p))
                .onErrorResume(error -> Mono.just(new Health(false, "primary check failed: " + error, -1))))
                .filter(Health::usable).map(Health::replayed);
    }

    private void sample(long position) {
        long now = System.nanoTime();
        synchronized (samples) {
            long[] last = samples.peekLast();
            if (last == null || last[1] != position) {
                samples.addLast(new long[] {now, position});
            }
            while (samples.size() > MAX_SAMPLES) {
                samples.removeFirst();
            }
        }
    }

    private Mono<Long> replayed(Replica replica) {
        return replica.line.position(ReplicaSql.REPLAYED_POSITION).defaultIfEmpty(-1L);
    }

    /**
     * One connection of its own to a server, outside its pool, for the checks: they neither wait for nor take a
     * connection that reads need, and leave no trace on them. Opened at the first check, opened again after one
     * fails.
     */
    static final class CheckLine {
        private final ConnectionFactory factory;
        private final AtomicReference<@Nullable Mono<Connection>> connection = new AtomicReference<>();

        CheckLine(ConnectionFactory factory) {
            this.factory = factory;
        }

        /** Runs a position query; empty when the server says NULL. */
        Mono<Long> position(String sql) {
            return Mono.defer(() -> {
                Mono<Connection> line = connection.updateAndGet(c -> c != null ? c : Mono.<Connection>from(factory.create())
                        .cache());
                return line.flatMap(c -> Flux.from(c.createStatement(sql).execute())
                                .concatMap(result -> result.map((row, meta) -> {
                                    String lsn = row.get(0, String.class);
                                    return lsn == null ? -1L : ReplicaSql.position(lsn);
                                }))
                                .next())
                        .filter(p -> p >= 0)
                        .doOnError(error -> close(line));
            });
        }

        private void close(Mono<Connection> line) {
            if (connection.compareAndSet(line, null)) {
                line.flatMap(c -> Mono.from(c.close())).onErrorResume(e -> Mono.empty()).subscribe();
            }
        }

        void close() {
            Mono<Connection> line = connection.get();
            if (line != null) {
                close(line);
            }
        }
    }

    /** The value in {@code slot} while it is fresh, else a new check, shared by everyone who asks meanwhile. */
    private Mono<Health> cached(AtomicReference<@Nullable Checked> slot,
                                java.util.function.Supplier<Mono<Health>> check) {
        return Mono.defer(() -> {
            Checked current = slot.get();
            long now = System.nanoTime();
            if (current != null && now - current.until() < 0) {
                return current.health();
            }
            Checked fresh = new Checked(now + intervalNanos, check.get().cache());
            return (slot.compareAndSet(current, fresh) ? fresh : java.util.Objects.requireNonNull(slot.get()))
                    .health();
        });
    }

    @Override
    public void close() {
        primary.close();
        replicas.forEach(r -> {
            r.line.close();
            r.pool.dispose();
        });
    }
}
