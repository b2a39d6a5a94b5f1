package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.sluice.KeysetPage;
import dev.sluice.QueryException;
import dev.sluice.SqlQuery;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.testkit.PgWireRelay;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.test.StepVerifier;

/**
 * Keyset pages of custom SQL ({@code repo.sql(type, sql, args).keysetBy(order)}): a join read in pages of seven rows
 * returns exactly the rows of the SQL with that ORDER BY, for every shape of order; no connection and no transaction
 * is held between pages (a pool of one serves another query meanwhile, which a cursor's stream does not allow);
 * page tokens are bound to the SQL and its values; order columns are checked against what the record maps.
 */
class SqlKeysetSpec {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> STATEMENTS = new CopyOnWriteArrayList<>();
    private static final String JOIN = "SELECT p.id, p.taken_at, p.place, p.rating, a.title FROM sq_photo p"
            + " JOIN sq_album a ON a.id = p.album_id WHERE a.shown = ?";

    /** A row of the join: no entity, a record by column name. */
    record PhotoRow(Long id, Instant takenAt, String place, int rating, String title) {
    }

    /** The same, in JSpecify's null-marked code: its components cannot be null unless they say so. */
    @org.jspecify.annotations.NullMarked
    record MarkedRow(Long id, Instant takenAt, @org.jspecify.annotations.Nullable String place) {
    }

    private static R2dbcRepo repo;
    private static PgWireRelay relay;

    @BeforeAll
    static void tables() {
        Fixtures.db().execute("DROP TABLE IF EXISTS sq_photo", "DROP TABLE IF EXISTS sq_album",
                "CREATE TABLE sq_album (id bigint PRIMARY KEY, title text NOT NULL, shown boolean NOT NULL)",
                "CREATE TABLE sq_photo (id bigint PRIMARY KEY, album_id bigint NOT NULL REFERENCES sq_album,"
                        + " taken_at timestamptz NOT NULL, place text, rating int NOT NULL)",
                "INSERT INTO sq_album SELECT a, 'album ' || a, a % 4 <> 0 FROM generate_series(1, 40) a",
                // duplicates in every order column, NULLs in place
                "INSERT INTO sq_photo SELECT g, 1 + g % 40, timestamptz '2026-01-01' + (g % 89) * interval '1 hour',"
                        + " CASE WHEN g % 6 = 0 THEN NULL ELSE 'place ' || (g % 11) END, g % 5"
                        + " FROM generate_series(1, 2000) g",
                "CREATE INDEX sq_photo_taken_at ON sq_photo (taken_at, id)", "ANALYZE sq_photo");
        relay = Fixtures.relay();
        repo = Fixtures.repo(relay, 1, 7, 7, STATEMENTS::add);
    }

    @AfterAll
    static void close() {
        repo.close();
        relay.close();
    }

    @ParameterizedTest(name = "keysetBy(\"{0}\")")
    @CsvSource(delimiter = '|', value = {
            "id|id",
            "taken_at, id|taken_at, id",
            "taken_at desc, id desc|taken_at DESC, id DESC",
            "rating desc, id|rating DESC, id",
            "place, id|place, id",
            "place desc, taken_at, id|place DESC, taken_at, id",
            "title, id desc|title, id DESC"})
    void everyRowOnceInTheOrderTheSqlGives(String order, String sqlOrder) {
        List<Long> expected = ids(JOIN.replace("?", "true") + " ORDER BY " + sqlOrder);
        STATEMENTS.clear();
        List<Long> read = repo.sql(PhotoRow.class, JOIN, true).keysetBy(order).flux().map(PhotoRow::id)
                .collectList().block(TIMEOUT);
        assertThat(read).hasSize(1500).containsExactlyElementsOf(expected);
        assertThat(STATEMENTS).hasSize(1500 / 7 + 1)
                .allSatisfy(s -> assertThat(s).startsWith("SELECT * FROM (" + JOIN.replace("?", "$1")
                        + ") AS sluice_rows"));
        assertThat(STATEMENTS.get(0)).endsWith(" ORDER BY " + sqlOrder + " LIMIT $2");
    }

    @Test
    void noConnectionAndNoTransactionIsHeldBetweenPages() {
        // a pool of ONE connection: while the stream waits for demand, another query must still get it
        StepVerifier.create(repo.sql(PhotoRow.class, JOIN, true).keysetBy("taken_at, id").flux(), 0)
                .thenRequest(10)
                .expectNextCount(10)
                .then(() -> {
                    assertThat(Fixtures.sessionsInTransaction()).as("sessions in a transaction between pages")
                            .isZero();
                    StepVerifier.create(repo.query(Count.class, "SELECT count(*) AS n FROM sq_photo"))
                            .expectNext(new Count(2000L)).expectComplete().verify(Duration.ofSeconds(10));
                })
                .thenRequest(10)
                .expectNextCount(10)
                .thenCancel()
                .verify(TIMEOUT);
        // the control: without keysetBy, a cursor holds its connection and transaction while the stream waits
        StepVerifier.create(repo.sql(PhotoRow.class, JOIN, true).flux(), 0)
                .thenRequest(10)
                .expectNextCount(10)
                .then(() -> assertThat(Fixtures.sessionsInTransaction()).as("a cursor's stream").isEqualTo(1))
                .thenCancel()
                .verify(TIMEOUT);
    }

    record Count(Long n) {
    }

    @Test
    void aNullMarkedRecordsOrderPagesByARowComparisonThatAnIndexServes() {
        String sql = "SELECT id, taken_at, place FROM sq_photo";
        List<Long> expected = ids(sql + " ORDER BY taken_at, id");
        STATEMENTS.clear();
        List<Long> read = repo.sql(MarkedRow.class, sql).keysetBy("taken_at, id").flux().map(MarkedRow::id)
                .collectList().block(TIMEOUT);
        assertThat(read).containsExactlyElementsOf(expected);
        String page = STATEMENTS.get(1);
        assertThat(page).contains("WHERE (taken_at, id) > ($1, $2)");
        String plan = Fixtures.explain(page, "timestamptz '2026-01-02', 5, 7");
        assertThat(plan).as(plan).contains("Index Cond").contains("sq_photo_taken_at");

        // the control: a record outside null-marked code may hold NULL anywhere, and its pages' predicate, which
        // must let NULLs through, leaves the index to filter every row before the position, page after page
        STATEMENTS.clear();
        assertThat(repo.sql(PhotoRow.class, "SELECT id, taken_at, place, rating, 'x' AS title FROM sq_photo")
                .keysetBy("taken_at, id").flux().take(20).count().block(TIMEOUT)).isEqualTo(20);
        String unmarked = Fixtures.explain(STATEMENTS.get(1), "timestamptz '2026-01-02', 5, 7");
        assertThat(unmarked).as(unmarked).doesNotContain("Index Cond");
    }

    @Test
    void aNullWhereANullMarkedRecordSaysThereIsNoneFailsTheStreamSayingWhatToDo() {
        // taken_at NULL in one row, in the 20th page of seven
        String sql = "SELECT id, CASE WHEN id = 140 THEN NULL ELSE taken_at END AS taken_at, place FROM sq_photo";
        StepVerifier.create(repo.sql(MarkedRow.class, sql).keysetBy("id, taken_at").flux())
                .expectNextCount(139)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(QueryException.class)
                        .hasMessageContaining("NULL in taken_at")
                        .hasMessageContaining("MarkedRow.takenAt says cannot be NULL")
                        .hasMessageContaining("@Nullable Instant takenAt"))
                .verify(TIMEOUT);
    }

    @Test
    void followingPageTokensReadsEveryRowOnce() {
        List<Long> expected = ids(JOIN.replace("?", "true") + " ORDER BY place DESC, id");
        SqlQuery<PhotoRow> query = repo.sql(PhotoRow.class, JOIN, true).keysetBy("place desc, id");
        List<Long> read = new ArrayList<>();
        String token = null;
        do {
            KeysetPage<PhotoRow> page = query.page(100, token).block(TIMEOUT);
            page.rows().forEach(r -> read.add(r.id()));
            token = page.next();
        } while (token != null);
        assertThat(read).containsExactlyElementsOf(expected);
    }

    @Test
    void afterARowTheSqlContinuesInTheKeysetOrder() {
        List<Long> all = ids(JOIN.replace("?", "true") + " ORDER BY rating DESC, place, id");
        SqlQuery<PhotoRow> query = repo.sql(PhotoRow.class, JOIN, true).keysetBy("rating desc, place, id");
        for (int at : new int[] {0, 300, 1499}) {
            PhotoRow row = query.flux().skip(at).next().block(TIMEOUT);
            assertThat(row.id()).isEqualTo(all.get(at));
            assertThat(query.after(row).flux().map(PhotoRow::id).collectList().block(TIMEOUT))
                    .as("after row %d", at + 1).containsExactlyElementsOf(all.subList(at + 1, all.size()));
        }
        assertThatThrownBy(() -> repo.sql(PhotoRow.class, JOIN, true).after(new PhotoRow(1L, Instant.EPOCH, null, 1,
                "t")))
                .isInstanceOf(QueryException.class)
                .hasMessage("after(PhotoRow): custom SQL continues after a row only in an order it is told is unique; "
                        + "call keysetBy(...) first, e.g. keysetBy(\"taken_at, id\")");
    }

    @Test
    void aTokenOfOtherSqlOrValuesOrOrderIsRefused() {
        String token = repo.sql(PhotoRow.class, JOIN, true).keysetBy("taken_at, id").page(10, null).block(TIMEOUT)
                .next();
        for (SqlQuery<PhotoRow> other : List.of(repo.sql(PhotoRow.class, JOIN, false).keysetBy("taken_at, id"),
                repo.sql(PhotoRow.class, JOIN + " AND p.rating > 0", true).keysetBy("taken_at, id"),
                repo.sql(PhotoRow.class, JOIN, true).keysetBy("taken_at desc, id desc"))) {
            STATEMENTS.clear();
            assertThatThrownBy(() -> other.page(10, token).block(TIMEOUT))
                    .isInstanceOf(QueryException.class)
                    .hasMessageContaining("the resume token was refused: it was made by another query");
            assertThat(STATEMENTS).isEmpty();
        }
        assertThat(repo.sql(PhotoRow.class, JOIN, true).keysetBy("taken_at, id").page(10, token).block(TIMEOUT)
                .rows()).hasSize(10);
    }

    @Test
    void theOrderNamesColumnsTheRecordMaps() {
        assertThatThrownBy(() -> repo.sql(PhotoRow.class, JOIN, true).keysetBy("album_id, id"))
                .isInstanceOf(QueryException.class)
                .hasMessage("keysetBy(\"album_id, id\"): PhotoRow maps no result column 'album_id'; page by columns "
                        + "of the result that the record maps: id, taken_at, place, rating, title");
        assertThatThrownBy(() -> repo.sql(PhotoRow.class, JOIN, true).keysetBy("id; drop table sq_photo"))
                .isInstanceOf(QueryException.class)
                .hasMessageStartingWith("keysetBy(\"id; drop table sq_photo\"): cannot read 'id; drop table sq_photo'");
        assertThatThrownBy(() -> repo.sql(PhotoRow.class, JOIN, true).keysetBy("id upward"))
                .isInstanceOf(QueryException.class)
                .hasMessage("keysetBy(\"id upward\"): 'upward' is not a direction; use asc or desc");
        assertThatThrownBy(() -> repo.sql(PhotoRow.class, JOIN, true).page(10, null))
                .isInstanceOf(QueryException.class)
                .hasMessage("page(10, null): custom SQL pages only on an order it is told is unique; call "
                        + "keysetBy(...) first, e.g. keysetBy(\"taken_at, id\")");
    }

    private static List<Long> ids(String sql) {
        String joined = Fixtures.db().queryString("SELECT array_to_string(ARRAY(SELECT id FROM (" + sql
                + ") AS q), ',')");
        List<Long> ids = new ArrayList<>();
        for (String id : joined.split(",")) {
            ids.add(Long.parseLong(id));
        }
        return ids;
    }
}
