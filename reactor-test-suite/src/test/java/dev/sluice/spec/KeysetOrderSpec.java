package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.test.StepVerifier;

/**
 * Keyset pages in any order: for every shape of order (one direction, mixed directions, nullable columns, a
 * PostgreSQL enum) a scan in pages of seven rows returns exactly the rows SQL returns, in SQL's order; an index serves
 * each page (the plan's {@code Index Cond}); and what rows inserted and deleted between pages do to a stream.
 */
class KeysetOrderSpec {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int ROWS = 3000;
    private static final List<String> STATEMENTS = new CopyOnWriteArrayList<>();

    enum Mood { CALM, WILD, SAD }

    @Table("shot")
    record Shot(@Id Long id, Instant takenAt, String place, int rating, Mood mood) {
    }

    /** A projection without the order's column: pages still know where they are. */
    record ShotId(Long id) {
    }

    private static R2dbcRepo repo;

    @BeforeAll
    static void table() {
        Fixtures.db().execute("DROP TABLE IF EXISTS shot", "DROP TYPE IF EXISTS shot_mood",
                "CREATE TYPE shot_mood AS ENUM ('CALM', 'WILD', 'SAD')",
                "CREATE TABLE shot (id bigint PRIMARY KEY, taken_at timestamptz NOT NULL, place text,"
                        + " rating int NOT NULL, mood shot_mood NOT NULL)",
                // duplicates in every order column, NULLs in place, an enum whose order is not its names'
                "INSERT INTO shot SELECT g, timestamptz '2026-01-01' + (g % 97) * interval '1 hour',"
                        + " CASE WHEN g % 5 = 0 THEN NULL ELSE 'place ' || (g % 13) END, g % 7,"
                        + " (ARRAY['CALM', 'WILD', 'SAD'])[1 + g % 3]::shot_mood FROM generate_series(1, " + ROWS + ") g",
                "CREATE INDEX shot_taken_at ON shot (taken_at)",
                "CREATE INDEX shot_rating_desc ON shot (rating DESC, id)",
                "ANALYZE shot");
        repo = R2dbcRepo.builder(Fixtures.withParam(Fixtures.db().r2dbcUrl(), "applicationName", Fixtures.APPLICATION))
                .minPageSize(7).maxPageSize(7).statementListener(STATEMENTS::add).build();
    }

    @AfterAll
    static void close() {
        repo.close();
    }

    @ParameterizedTest(name = "orderBy(\"{0}\")")
    @CsvSource(delimiter = '|', value = {
            "taken_at|taken_at, id",
            "taken_at desc|taken_at DESC, id DESC",
            "rating desc, id|rating DESC, id",
            "rating, taken_at desc|rating, taken_at DESC, id DESC",
            "place|place, id",
            "place desc|place DESC, id DESC",
            "place, rating desc|place, rating DESC, id DESC",
            "mood, taken_at|mood, taken_at, id",
            "id desc|id DESC"})
    void everyRowOnceInTheOrderSqlGives(String order, String sqlOrder) {
        List<Long> expected = ids("SELECT id FROM shot WHERE id % 2 = 1 ORDER BY " + sqlOrder);
        List<Long> read = repo.select(Shot.class).where("id % 2 = ?", 1).orderBy(order).flux().map(Shot::id)
                .collectList().block(TIMEOUT);
        assertThat(read).hasSize(ROWS / 2).containsExactlyElementsOf(expected);
    }

    @Test
    void aProjectionWithoutTheOrdersColumnsStillPagesByThem() {
        List<Long> read = repo.select(Shot.class).orderBy("place desc").as(ShotId.class).flux().map(ShotId::id)
                .collectList().block(TIMEOUT);
        assertThat(read).containsExactlyElementsOf(ids("SELECT id FROM shot ORDER BY place DESC, id DESC"));
    }

    @Test
    void anIndexOnTheOrdersColumnServesEachPage() {
        STATEMENTS.clear();
        assertThat(repo.select(Shot.class).orderBy("taken_at").flux().take(20).count().block(TIMEOUT)).isEqualTo(20);
        String page = STATEMENTS.stream().filter(s -> s.contains("(taken_at, id) > ")).findFirst().orElseThrow();
        String plan = Fixtures.explain(page, "timestamptz '2026-01-02', 5, 7");
        assertThat(plan).as(plan).contains("Index Cond").contains("shot_taken_at").doesNotContain("Seq Scan");

        STATEMENTS.clear();
        assertThat(repo.select(Shot.class).orderBy("rating desc, id").flux().take(20).count().block(TIMEOUT))
                .isEqualTo(20);
        String mixed = STATEMENTS.stream().filter(s -> s.contains("rating <= ")).findFirst().orElseThrow();
        String mixedPlan = Fixtures.explain(mixed, "3, 5, 7");
        assertThat(mixedPlan).as(mixedPlan).contains("Index Cond").contains("shot_rating_desc")
                .doesNotContain("Seq Scan");
    }

    @Test
    void rowsInsertedAheadOfThePositionAreReadAndRowsDeletedAheadAreNot() {
        Fixtures.db().execute("DROP TABLE IF EXISTS shot_live",
                "CREATE TABLE shot_live (LIKE shot INCLUDING ALL)",
                "INSERT INTO shot_live SELECT * FROM shot WHERE id <= 100");
        List<Long> read = new ArrayList<>();
        StepVerifier.create(repo.select(LiveShot.class).orderBy("rating, taken_at").flux().map(LiveShot::id), 0)
                .thenRequest(7)
                .recordWith(() -> read)
                .expectNextCount(7)
                .then(() -> Fixtures.db().execute(
                        // ahead of the position (rating 6 is the last rating): read
                        "INSERT INTO shot_live VALUES (1001, '2026-01-01', NULL, 6, 'CALM')",
                        // behind it (rating 0 at the first time, before the first row read): not read
                        "INSERT INTO shot_live VALUES (1002, '2025-01-01', NULL, 0, 'CALM')",
                        // a row ahead, deleted: not read
                        "DELETE FROM shot_live WHERE id = 100"))
                .thenRequest(Long.MAX_VALUE)
                .recordWith(() -> read)
                .thenConsumeWhile(id -> true)
                .verifyComplete();
        assertThat(read).contains(1001L).doesNotContain(1002L, 100L).doesNotHaveDuplicates()
                .hasSize(100 - 1 + 1);
    }

    @Table("shot_live")
    record LiveShot(@Id Long id, Instant takenAt, String place, int rating, Mood mood) {
    }

    @Test
    void oneSnapshotSeesNothingCommittedAfterItStarted() {
        Fixtures.db().execute("DROP TABLE IF EXISTS shot_live",
                "CREATE TABLE shot_live (LIKE shot INCLUDING ALL)",
                "INSERT INTO shot_live SELECT * FROM shot WHERE id <= 100");
        List<Long> read = new ArrayList<>();
        StepVerifier.create(repo.select(LiveShot.class).orderBy("rating, taken_at").inOneSnapshot().flux()
                        .map(LiveShot::id), 0)
                .thenRequest(7)
                .recordWith(() -> read)
                .expectNextCount(7)
                .then(() -> Fixtures.db().execute("INSERT INTO shot_live VALUES (1001, '2026-01-01', NULL, 6, 'CALM')",
                        "DELETE FROM shot_live WHERE id = 100"))
                .thenRequest(Long.MAX_VALUE)
                .recordWith(() -> read)
                .thenConsumeWhile(id -> true)
                .verifyComplete();
        assertThat(read).contains(100L).doesNotContain(1001L).hasSize(100);
    }

    private static List<Long> ids(String sql) {
        // ARRAY(subquery) keeps the subquery's order
        String joined = Fixtures.db().queryString("SELECT array_to_string(ARRAY(" + sql + "), ',')");
        List<Long> ids = new ArrayList<>();
        for (String id : joined.split(",")) {
            ids.add(Long.parseLong(id));
        }
        return ids;
    }
}
