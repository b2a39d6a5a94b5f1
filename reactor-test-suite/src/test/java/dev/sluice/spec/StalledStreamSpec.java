package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.testkit.PgWireRelay;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;

/**
 * The shared read-ahead budget goes to the streams being read (DESIGN invariant 12): a keyset stream that fetched
 * ahead while its subscriber looked fast, and then stalled (a slow HTTP client once its socket buffer is full), gives
 * the budget back when another stream is short of it, dropping the rows it had queued; asked again, it reads them
 * again after its last delivered row. Counted on the wire through the relay, its rows checked against PostgreSQL's
 * own order: nothing lost, nothing twice, in keyset order on a column with ties ({@code taken_at, id}), for an entity
 * and for custom SQL with {@code keysetBy}.
 */
class StalledStreamSpec {

    static final int ROWS = 20_000;
    static final int MAX_PAGE = 2_000;
    static final int BUDGET = 2_000;

    @Table("stall_picture")
    public record StallPicture(@Id Long id, Instant takenAt, byte[] data) {
    }

    /** A row of custom SQL, read by column name. */
    record StallRow(Long id, Instant takenAt) {
    }

    PgWireRelay relay;
    R2dbcRepo repo;

    @BeforeAll
    static void table() {
        // four rows a minute: the order needs its tie-breaker
        Fixtures.db().execute(
                "CREATE TABLE IF NOT EXISTS stall_picture (id bigint PRIMARY KEY, taken_at timestamptz NOT NULL, "
                        + "data bytea NOT NULL)",
                "INSERT INTO stall_picture SELECT i, timestamptz '2020-01-01 00:00:00+00' + ((i * 7919) % 5000) "
                        + "* interval '1 minute', decode(repeat(md5(i::text), 16), 'hex') "
                        + "FROM generate_series(1, " + ROWS + ") i ON CONFLICT DO NOTHING",
                "CREATE INDEX IF NOT EXISTS stall_picture_taken_at_id ON stall_picture (taken_at, id)",
                "ANALYZE stall_picture");
    }

    @BeforeEach
    void repository() {
        relay = Fixtures.relay();
        String url = Fixtures.withParam(Fixtures.db().r2dbcUrl("127.0.0.1", relay.port()), "maxSize", 2);
        repo = R2dbcRepo.builder(url).minPageSize(100).maxPageSize(MAX_PAGE).readAheadBudget(BUDGET).build();
        repo.select(StallPicture.class).where("id <= ?", 1L).flux().blockLast(); // first-use checks, uncounted
    }

    @AfterEach
    void close() {
        repo.close();
        relay.close();
    }

    /** Asks for 500 rows at a time until it has {@code stopAt}, then for nothing until told; keeps their ids. */
    static final class Reader<T> extends BaseSubscriber<T> {
        final List<Long> ids = new CopyOnWriteArrayList<>();
        final Function<T, Long> id;
        final int stopAt;
        volatile Throwable failure;
        volatile boolean done;

        Reader(Function<T, Long> id, int stopAt) {
            this.id = id;
            this.stopAt = stopAt;
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            request(500);
        }

        @Override
        protected void hookOnNext(T row) {
            ids.add(id.apply(row));
            if (ids.size() % 500 == 0 && ids.size() < stopAt) {
                request(500);
            }
        }

        @Override
        protected void hookOnError(Throwable error) {
            failure = error;
        }

        @Override
        protected void hookOnComplete() {
            done = true;
        }
    }

    private Flux<?> stream(String kind) {
        return kind.equals("entity") ? repo.select(StallPicture.class).orderBy("taken_at").flux()
                : repo.sql(StallRow.class, "SELECT id, taken_at FROM stall_picture").keysetBy("taken_at, id").flux();
    }

    private static Long id(Object row) {
        return row instanceof StallPicture p ? p.id() : ((StallRow) row).id();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"entity", "custom SQL"})
    void aStalledStreamGivesItsReadAheadToAStreamShortOfItAndLaterReadsTheDroppedRowsAgainInOrder(String kind)
            throws Exception {
        List<Long> expected = java.util.Arrays.stream(Fixtures.db().queryString(
                "SELECT string_agg(id::text, ',' ORDER BY taken_at, id) FROM stall_picture").split(","))
                .map(Long::valueOf).toList();
        Reader<Object> stalled = new Reader<>(StalledStreamSpec::id, 6_000);
        stream(kind).subscribe(stalled);
        HeldLock.await("the stalled stream's first 6,000 rows", () -> stalled.ids.size() == 6_000);
        // longer than a stream must wait on its subscriber to count as stalled; its last page has long arrived
        Thread.sleep(500);
        long fetchedAhead = relay.dataRows() - 6_000;
        assertThat(fetchedAhead).as("rows it fetched ahead of its subscriber, pages %s", relay.commandTags())
                .isGreaterThan(100);

        relay.reset();
        Reader<Object> fast = new Reader<>(StalledStreamSpec::id, Integer.MAX_VALUE);
        stream(kind).subscribe(fast);
        HeldLock.await("the fast stream's rows", () -> fast.done || fast.failure != null);
        assertThat(fast.failure).isNull();
        assertThat(fast.ids).isEqualTo(expected);
        List<Long> pages = relay.commandTags().stream().map(tag -> Long.parseLong(tag.substring(7))).toList();
        assertThat(pages).as("the fast stream's pages: as large as without the stalled one's budget")
                .contains((long) MAX_PAGE);

        relay.reset();
        stalled.request(Long.MAX_VALUE);
        HeldLock.await("the stalled stream's other rows", () -> stalled.done || stalled.failure != null);
        assertThat(stalled.failure).isNull();
        assertThat(stalled.ids).as("every row once, in PostgreSQL's order").isEqualTo(expected);
        assertThat(relay.dataRows()).as("rows sent for its rest: those it had dropped read again")
                .isEqualTo(ROWS - 6_000);
    }
}
