package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.examples.ReadmeExamples;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.testkit.ThrowawayCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Reads outside a transaction go to streaming replicas in turn, a read whole to one replica; writes, transactions and
 * {@code onPrimary()} go to the primary; a replica that is down or behind is skipped. Against a real primary and two
 * real streaming replicas made for this spec (throwaway clusters on free ports). Where each statement ran is read on
 * the servers themselves: each test's queries carry a marker of their own in their text, and
 * {@code pg_stat_activity} on each server shows which of its backends last ran such a statement.
 */
class ReplicaSpec {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String APP = "sluice-replica-spec";
    private static final int ROWS = 1000;

    @Table("rr_item")
    record Item(@Id Long id, String note) {
    }

    private static ThrowawayCluster primary;
    private static ThrowawayCluster one;
    private static ThrowawayCluster two;

    @BeforeAll
    static void clusters() {
        String unavailable = ThrowawayCluster.unavailableBecause();
        Assumptions.assumeTrue(unavailable == null, () -> "ReplicaSpec skipped: " + unavailable);
        primary = ThrowawayCluster.start();
        primary.psql("CREATE TABLE rr_item (id bigint PRIMARY KEY, note text NOT NULL); INSERT INTO rr_item "
                + "SELECT i, 'item ' || i FROM generate_series(1, " + ROWS + ") i");
        one = ThrowawayCluster.replicaOf(primary);
        two = ThrowawayCluster.replicaOf(primary);
        one.awaitReplayOf(primary);
        two.awaitReplayOf(primary);
    }

    @AfterAll
    static void drop() {
        for (ThrowawayCluster c : new ThrowawayCluster[] {two, one, primary}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static String url(ThrowawayCluster c) {
        return c.r2dbcUrl("applicationName=" + APP);
    }

    private static R2dbcRepo.Builder builder() {
        return R2dbcRepo.builder(url(primary)).readReplicas(url(one), url(two)).minPageSize(100).maxPageSize(100);
    }

    /** How many of a server's backends of this spec last ran a statement holding {@code marker}. */
    private static int ran(ThrowawayCluster server, String marker) {
        return Integer.parseInt(server.psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + APP
                + "' AND query LIKE '%" + marker + "%' AND pid <> pg_backend_pid()"));
    }

    private static long count(R2dbcRepo repo, String marker) {
        return repo.select(Item.class).where("note <> '" + marker + "'").flux().count().block(TIMEOUT);
    }

    /** Polls (no timing asserted) until {@code done}, failing after a minute. */
    private static void eventually(String what, BooleanSupplier done) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("still not: " + what).isLessThan(deadline);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void readsGoToTheReplicasInTurnEachScanWholeToOneAndWritesToThePrimary() {
        try (R2dbcRepo repo = builder().build()) {
            // 1000 rows in pages of 100: ten statements each, which a per-statement choice would spread over both
            assertThat(count(repo, "turn-a")).isEqualTo(ROWS);
            assertThat(ran(primary, "turn-a")).isZero();
            assertThat(ran(one, "turn-a") + ran(two, "turn-a")).isEqualTo(1);
            ThrowawayCluster first = ran(one, "turn-a") == 1 ? one : two;
            ThrowawayCluster second = first == one ? two : one;
            assertThat(count(repo, "turn-b")).isEqualTo(ROWS);
            assertThat(ran(second, "turn-b")).as("the next read, on the other replica").isEqualTo(1);
            assertThat(ran(first, "turn-b")).isZero();
            assertThat(ran(primary, "turn-b")).isZero();

            repo.update(Item.class).set("note = note || ''").where("id = ? and note <> 'turn-write'", 1L).execute()
                    .block(TIMEOUT);
            assertThat(ran(primary, "turn-write")).isEqualTo(1);
            assertThat(ran(one, "turn-write") + ran(two, "turn-write")).isZero();

            // looked at inside the transaction: its last statement, once it ends, is COMMIT
            List<Integer> inTx = repo.inTransaction(tx -> tx.select(Item.class).where("note <> 'turn-tx'").flux()
                    .count().flatMap(rows -> Mono.fromCallable(() -> List.of(rows.intValue(), ran(primary, "turn-tx"),
                            ran(one, "turn-tx") + ran(two, "turn-tx"))).subscribeOn(Schedulers.boundedElastic())))
                    .single().block(TIMEOUT);
            assertThat(inTx).containsExactly(ROWS, 1, 0);
        }
    }

    @Test
    void onPrimaryReadsYourOwnWriteWhichAPausedReplicaHasNotReplayed() {
        try (R2dbcRepo readme = ReadmeExamples.withReplicas(url(primary), url(one), url(two))) {
            assertThat(count(readme, "readme-replicas")).isEqualTo(ROWS);
            assertThat(ran(one, "readme-replicas") + ran(two, "readme-replicas")).isEqualTo(1);
            assertThat(ran(primary, "readme-replicas")).isZero();
        }
        try (R2dbcRepo repo = builder().maxReplicaLag(Duration.ofHours(1)).build()) {
            one.psql("SELECT pg_wal_replay_pause()");
            two.psql("SELECT pg_wal_replay_pause()");
            try {
                repo.insert(new Item(5001L, "mine")).block(TIMEOUT);
                assertThat(repo.select(Item.class).where("note <> 'own-replica'").findById(5001L)
                        .blockOptional(TIMEOUT)).as("read on a replica that has not replayed the insert").isEmpty();
                assertThat(ran(one, "own-replica") + ran(two, "own-replica")).isEqualTo(1);
                assertThat(repo.select(Item.class).where("note <> 'own-primary'").onPrimary().findById(5001L)
                        .block(TIMEOUT)).isEqualTo(new Item(5001L, "mine"));
                assertThat(ran(primary, "own-primary")).isEqualTo(1);
                assertThat(ran(one, "own-primary") + ran(two, "own-primary")).isZero();
                assertThat(ReadmeExamples.readYourOwnWrite(repo, Item.class, 5001L).block(TIMEOUT))
                        .isEqualTo(new Item(5001L, "mine"));
            } finally {
                one.psql("SELECT pg_wal_replay_resume()");
                two.psql("SELECT pg_wal_replay_resume()");
                primary.psql("DELETE FROM rr_item WHERE id = 5001");
                one.awaitReplayOf(primary);
                two.awaitReplayOf(primary);
            }
        }
    }

    @Test
    void aReplicaBehindByMoreWalBytesThanAllowedIsSkippedUntilItCatchesUp() {
        try (R2dbcRepo repo = builder().maxReplicaLagBytes(64 * 1024).maxReplicaLag(Duration.ofHours(1))
                .replicaCheckInterval(Duration.ofMillis(100)).build()) {
            assertThat(count(repo, "lag-before")).isEqualTo(ROWS);
            assertThat(ran(primary, "lag-before")).isZero();
            one.psql("SELECT pg_wal_replay_pause()");
            two.psql("SELECT pg_wal_replay_pause()");
            try {
                // about 1 MB of WAL that neither replica replays
                primary.psql("CREATE TABLE rr_filler AS SELECT i, repeat('x', 100) AS pad "
                        + "FROM generate_series(1, 10000) i");
                int[] tries = {0};
                eventually("a read on the primary once both replicas are known to lag", () -> {
                    count(repo, "lag-" + ++tries[0]);
                    return ran(primary, "lag-" + tries[0]) == 1;
                });
                assertThat(ran(one, "lag-" + tries[0]) + ran(two, "lag-" + tries[0])).isZero();
            } finally {
                one.psql("SELECT pg_wal_replay_resume()");
                two.psql("SELECT pg_wal_replay_resume()");
            }
            one.awaitReplayOf(primary);
            two.awaitReplayOf(primary);
            int[] tries = {0};
            eventually("a read on a replica again once they have caught up", () -> {
                count(repo, "caught-" + ++tries[0]);
                return ran(one, "caught-" + tries[0]) + ran(two, "caught-" + tries[0]) == 1;
            });
            primary.psql("DROP TABLE rr_filler");
        }
    }

    @Test
    void aReplicaBehindForLongerThanAllowedIsSkippedThoughFewBytesBehind() {
        try (R2dbcRepo repo = builder().maxReplicaLag(Duration.ofMillis(300))
                .replicaCheckInterval(Duration.ofMillis(50)).build()) {
            assertThat(count(repo, "time-before")).isEqualTo(ROWS);
            one.psql("SELECT pg_wal_replay_pause()");
            two.psql("SELECT pg_wal_replay_pause()");
            try {
                primary.psql("INSERT INTO rr_item VALUES (5002, 'late')");
                int[] tries = {0};
                eventually("a read on the primary once both replicas are known to be behind for 300 ms", () -> {
                    count(repo, "time-" + ++tries[0]);
                    return ran(primary, "time-" + tries[0]) == 1;
                });
            } finally {
                one.psql("SELECT pg_wal_replay_resume()");
                two.psql("SELECT pg_wal_replay_resume()");
                primary.psql("DELETE FROM rr_item WHERE id = 5002");
                one.awaitReplayOf(primary);
                two.awaitReplayOf(primary);
            }
        }
    }

    @Test
    void aStoppedReplicaIsSkippedAndReadsKeepWorking() {
        try (R2dbcRepo repo = builder().replicaCheckInterval(Duration.ofMillis(100)).build();
             R2dbcRepo unchecked = builder().replicaCheckInterval(Duration.ofHours(1)).build()) {
            assertThat(count(repo, "down-before")).isEqualTo(ROWS);
            // both replicas checked and found well, which counts for an hour
            assertThat(count(unchecked, "stale-before-1")).isEqualTo(ROWS);
            assertThat(count(unchecked, "stale-before-2")).isEqualTo(ROWS);
            two.stop();
            try {
                for (int i = 1; i <= 4; i++) {
                    assertThat(count(repo, "down-" + i)).isEqualTo(ROWS);
                    // looked at before the next read, which may reuse the connection
                    assertThat(ran(one, "down-" + i)).as("read %d on the replica still up", i).isEqualTo(1);
                }
                // a read whose first borrow fails on the replica its check still trusts moves to another server
                for (int i = 1; i <= 4; i++) {
                    assertThat(count(unchecked, "stale-" + i)).isEqualTo(ROWS);
                    assertThat(ran(one, "stale-" + i)).as("read %d on the replica still up", i).isEqualTo(1);
                }
            } finally {
                two.startAgain();
            }
            two.awaitReplayOf(primary);
        }
    }

    @Test
    void aScanWhoseReplicaStopsGoesOnOnTheOtherReplicaWhichHasReplayedAsFar() {
        scanThroughAStoppedReplica("failover-replica", false);
    }

    @Test
    void aScanWhoseReplicaStopsGoesOnOnThePrimaryWhenTheOtherReplicaIsBehindWhereTheScanStarted() {
        scanThroughAStoppedReplica("failover-primary", true);
    }

    /**
     * Scans the table in pages of 20 on a replica, stops that replica's server after 300 rows, and compares the rows
     * with the primary's. Without {@code otherBehind} the server stops while the scan reads on, a row every
     * millisecond (finished by row 600), so that a page in flight may lose its connection; with it, while the scan
     * waits, so that its next borrow fails. With {@code otherBehind}, the other replica has not replayed a row
     * inserted before the scan began (its replay paused), so the scan may only go on on the primary.
     */
    private static void scanThroughAStoppedReplica(String marker, boolean otherBehind) {
        if (otherBehind) {
            two.psql("SELECT pg_wal_replay_pause()");
            primary.psql("INSERT INTO rr_item VALUES (5003, 'only on the primary and one')");
            one.awaitReplayOf(primary);
        }
        ThrowawayCluster[] stopped = {null};
        AtomicReference<CompletableFuture<Void>> stopping = new AtomicReference<>();
        try (R2dbcRepo repo = builder().minPageSize(20).maxPageSize(20).maxReplicaLag(Duration.ofHours(1))
                .replicaCheckInterval(Duration.ofHours(1)).build()) {
            List<Long> truth = primary.psql("SELECT id FROM rr_item WHERE note <> '" + marker + "' ORDER BY id")
                    .lines().map(Long::valueOf).toList();
            String countAndSum = primary.psql("SELECT count(*) || ' ' || sum(id) FROM rr_item WHERE note <> '"
                    + marker + "'");
            int[] seen = {0};
            List<Long> keys = repo.select(Item.class).where("note <> '" + marker + "'").flux()
                    .publishOn(Schedulers.boundedElastic(), 16)
                    .doOnNext(item -> {
                        if (++seen[0] == 300) {
                            stopped[0] = ran(one, marker) > 0 ? one : two;
                            assertThat(ran(one, marker) + ran(two, marker)).as("the scan so far, on one replica")
                                    .isEqualTo(1);
                            assertThat(ran(primary, marker)).isZero();
                            if (otherBehind) {
                                stopped[0].stop(); // while the scan waits: its next borrow fails
                            } else { // while the scan reads on: a page in flight may lose its connection
                                stopping.set(CompletableFuture.runAsync(stopped[0]::stop));
                            }
                        } else if (seen[0] == 600 && stopping.get() != null) {
                            stopping.get().join();
                        }
                    })
                    .delayElements(Duration.ofMillis(1))
                    .map(Item::id).collectList().block(TIMEOUT);
            assertThat(stopped[0]).as("stopped mid-scan").isNotNull();
            if (otherBehind) {
                assertThat(stopped[0]).as("a fresh repository's first read goes to the first replica").isSameAs(one);
            }
            assertThat(keys).hasSize(truth.size()).isEqualTo(truth);
            assertThat(keys.size() + " " + keys.stream().mapToLong(Long::longValue).sum()).isEqualTo(countAndSum);
            for (int i = 1; i < keys.size(); i++) {
                assertThat(keys.get(i)).as("key %d after %d", i, keys.get(i - 1)).isGreaterThan(keys.get(i - 1));
            }
            ThrowawayCluster other = stopped[0] == one ? two : one;
            if (otherBehind) {
                assertThat(ran(primary, marker)).as("the rest of the scan, on the primary").isPositive();
                assertThat(ran(other, marker)).as("not on the replica behind where the scan started").isZero();
            } else {
                assertThat(ran(other, marker)).as("the rest of the scan, on the other replica").isPositive();
                assertThat(ran(primary, marker)).isZero();
            }
        } finally {
            if (otherBehind) {
                two.psql("SELECT pg_wal_replay_resume()");
                primary.psql("DELETE FROM rr_item WHERE id = 5003");
            }
            if (stopping.get() != null) {
                stopping.get().join();
            }
            if (stopped[0] != null) {
                stopped[0].startAgain();
            }
            one.awaitReplayOf(primary);
            two.awaitReplayOf(primary);
        }
    }
}
