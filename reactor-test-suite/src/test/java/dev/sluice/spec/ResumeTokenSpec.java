package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.sluice.KeysetPage;
import dev.sluice.Query;
import dev.sluice.QueryException;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Resume tokens and {@code after(row)}: following tokens page by page, and continuing after a row, read exactly the
 * rows SQL returns, in SQL's order, for every shape of order; a token altered, made by another query or by another
 * repository is refused with a {@link QueryException} before any statement is sent.
 */
class ResumeTokenSpec {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int ROWS = 1000;
    private static final List<String> STATEMENTS = new CopyOnWriteArrayList<>();

    enum Mood { CALM, WILD, SAD }

    @Table("snap")
    record Snap(@Id Long id, Instant takenAt, String place, int rating, Mood mood) {
    }

    @Table("snap_other")
    record OtherSnap(@Id Long id, Instant takenAt, String place, int rating, Mood mood) {
    }

    /** A projection without the order's column. */
    record SnapId(Long id) {
    }

    private static R2dbcRepo repo;

    @BeforeAll
    static void table() {
        Fixtures.db().execute("DROP TABLE IF EXISTS snap", "DROP TABLE IF EXISTS snap_other",
                "DROP TYPE IF EXISTS snap_mood",
                "CREATE TYPE snap_mood AS ENUM ('CALM', 'WILD', 'SAD')",
                "CREATE TABLE snap (id bigint PRIMARY KEY, taken_at timestamptz NOT NULL, place text,"
                        + " rating int NOT NULL, mood snap_mood NOT NULL)",
                "INSERT INTO snap SELECT g, timestamptz '2026-01-01' + (g % 97) * interval '1 hour',"
                        + " CASE WHEN g % 5 = 0 THEN NULL ELSE 'place ' || (g % 13) END, g % 7,"
                        + " (ARRAY['CALM', 'WILD', 'SAD'])[1 + g % 3]::snap_mood FROM generate_series(1, " + ROWS
                        + ") g",
                "CREATE TABLE snap_other (LIKE snap INCLUDING ALL)",
                "INSERT INTO snap_other SELECT * FROM snap");
        repo = R2dbcRepo.builder(Fixtures.db().r2dbcUrl()).statementListener(STATEMENTS::add).build();
    }

    @AfterAll
    static void close() {
        repo.close();
    }

    @ParameterizedTest(name = "orderBy(\"{0}\")")
    @CsvSource(delimiter = '|', value = {
            "id|id",
            "taken_at|taken_at, id",
            "taken_at desc|taken_at DESC, id DESC",
            "rating desc, id|rating DESC, id",
            "place|place, id",
            "place desc, rating|place DESC, rating, id",
            "mood, taken_at|mood, taken_at, id"})
    void followingTheTokensReadsEveryRowOnceInTheOrderSqlGives(String order, String sqlOrder) {
        List<Long> expected = ids("SELECT id FROM snap WHERE id % 3 <> ? ORDER BY " + sqlOrder, 0);
        Query<Snap> query = repo.select(Snap.class).where("id % 3 <> ?", 0).orderBy(order);
        List<Long> read = new ArrayList<>();
        int pages = 0;
        String token = null;
        do {
            KeysetPage<Snap> page = query.page(50, token).block(TIMEOUT);
            pages++;
            assertThat(page.rows()).hasSizeLessThanOrEqualTo(50);
            page.rows().forEach(s -> read.add(s.id()));
            token = page.next();
            if (token != null) {
                assertThat(token).matches("[A-Za-z0-9_-]+"); // URL-safe as it is
                assertThat(page.rows()).hasSize(50);
            }
        } while (token != null);
        assertThat(read).containsExactlyElementsOf(expected);
        assertThat(pages).isEqualTo((expected.size() + 49) / 50); // no empty page at the end
    }

    @Test
    void theLastPageHasNoTokenEvenWhenItIsFull() {
        // 1000 rows in pages of 100: the tenth page is full and the last
        String token = null;
        for (int i = 0; i < 9; i++) {
            token = repo.select(Snap.class).page(100, token).block(TIMEOUT).next();
        }
        KeysetPage<Snap> last = repo.select(Snap.class).page(100, token).block(TIMEOUT);
        assertThat(last.rows()).hasSize(100);
        assertThat(last.next()).isNull();
        assertThat(last.rows().get(99).id()).isEqualTo(ROWS);
    }

    @ParameterizedTest(name = "orderBy(\"{0}\")")
    @CsvSource(delimiter = '|', value = {
            "taken_at|taken_at, id",
            "place desc|place DESC NULLS FIRST, id DESC",
            "place|place, id",
            "rating desc, taken_at|rating DESC, taken_at, id",
            "mood|mood, id"})
    void afterARowTheQueryContinuesInItsOrder(String order, String sqlOrder) {
        Query<Snap> query = repo.select(Snap.class).orderBy(order);
        for (int at : new int[] {0, 137, 499, ROWS - 1}) {
            Snap row = query.flux().skip(at).next().block(TIMEOUT);
            List<Long> expected = ids("SELECT id FROM (SELECT id, row_number() OVER (ORDER BY " + sqlOrder
                    + ") AS n FROM snap) r WHERE n > ? ORDER BY n", at + 1);
            assertThat(query.after(row).flux().map(Snap::id).collectList().block(TIMEOUT))
                    .as("after row %d (id %d)", at + 1, row.id()).containsExactlyElementsOf(expected);
            assertThat(query.after(row).count().block(TIMEOUT)).isEqualTo(expected.size());
            assertThat(query.after(row).inOneSnapshot().flux().map(Snap::id).collectList().block(TIMEOUT))
                    .as("through a cursor").containsExactlyElementsOf(expected);
        }
    }

    @Test
    void afterValuesContinuesFromTheOrdersValues() {
        Snap row = repo.findById(Snap.class, 500L).block(TIMEOUT);
        List<Long> expected = ids("SELECT id FROM snap WHERE (taken_at, id) > (SELECT taken_at, id FROM snap"
                + " WHERE id = ?) ORDER BY taken_at, id", 500);
        assertThat(repo.select(Snap.class).orderBy("taken_at").afterValues(row.takenAt(), 500L).flux()
                .map(Snap::id).collectList().block(TIMEOUT)).containsExactlyElementsOf(expected);
        // a projection without the order's column: its row cannot say where it is, the values can
        assertThat(repo.select(Snap.class).orderBy("taken_at").as(SnapId.class).afterValues(row.takenAt(), 500L)
                .flux().map(SnapId::id).collectList().block(TIMEOUT)).containsExactlyElementsOf(expected);
        assertThatThrownBy(() -> repo.select(Snap.class).orderBy("taken_at").as(SnapId.class)
                .after(new SnapId(500L)))
                .isInstanceOf(QueryException.class)
                .hasMessage("after(SnapId): SnapId has no component for the order's column taken_at; call "
                        + "afterValues(...) with the values of the order (taken_at, id) instead");
        assertThatThrownBy(() -> repo.select(Snap.class).orderBy("taken_at").afterValues(row.takenAt()))
                .isInstanceOf(QueryException.class)
                .hasMessageStartingWith("afterValues(")
                .hasMessageEndingWith("the query's order (taken_at, id) has 2 terms but 1 values were given; give "
                        + "one value per term, the key last");
        assertThatThrownBy(() -> repo.select(Snap.class).orderBy("taken_at").afterValues("yesterday", 500L))
                .isInstanceOf(QueryException.class)
                .hasMessage("afterValues([yesterday, 500]): value 1 is a String, but column taken_at is read as "
                        + "Instant");
    }

    @Test
    void anAlteredTokenIsRefusedBeforeAnyStatement() {
        Query<Snap> query = repo.select(Snap.class).orderBy("taken_at");
        String token = query.page(10, null).block(TIMEOUT).next();
        assertThat(token).isNotNull();
        for (int i = 0; i < token.length(); i++) {
            char[] chars = token.toCharArray();
            chars[i] = chars[i] == 'A' ? 'B' : 'A';
            String altered = new String(chars);
            STATEMENTS.clear();
            assertThatThrownBy(() -> query.page(10, altered).block(TIMEOUT))
                    .as("character %d altered", i)
                    .isInstanceOf(QueryException.class)
                    .hasMessageContaining("the resume token was refused");
            assertThat(STATEMENTS).isEmpty();
        }
        assertThatThrownBy(() -> query.page(10, "not a token!").block(TIMEOUT))
                .isInstanceOf(QueryException.class)
                .hasMessage("page(10, \"not a token!\"): the resume token was refused: it is not a token Sluice made "
                        + "(not URL-safe base64); start again from the first page (no token) and use the tokens that "
                        + "pages of this query give");
        assertThatThrownBy(() -> query.page(10, token.substring(0, token.length() - 4)).block(TIMEOUT))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("the resume token was refused");
        // the token itself still works
        assertThat(query.page(10, token).block(TIMEOUT).rows()).hasSize(10);
    }

    @Test
    void aTokenOfAnotherQueryIsRefused() {
        String token = repo.select(Snap.class).where("rating > ?", 2).orderBy("taken_at").page(10, null)
                .block(TIMEOUT).next();
        String why = "it was made by another query (another entity, order or condition), by another repository or "
                + "before a restart with another key, or it was altered";
        List<Query<?>> others = List.of(
                repo.select(Snap.class).where("rating > ?", 3).orderBy("taken_at"),        // another value
                repo.select(Snap.class).where("rating >= ?", 2).orderBy("taken_at"),       // another condition
                repo.select(Snap.class).orderBy("taken_at"),                               // no condition
                repo.select(Snap.class).where("rating > ?", 2).orderBy("taken_at desc"),   // another direction
                repo.select(Snap.class).where("rating > ?", 2).orderBy("mood"),            // another order
                repo.select(OtherSnap.class).where("rating > ?", 2).orderBy("taken_at"));  // another entity
        for (Query<?> other : others) {
            STATEMENTS.clear();
            assertThatThrownBy(() -> other.page(10, token).block(TIMEOUT))
                    .as(other.toString())
                    .isInstanceOf(QueryException.class)
                    .hasMessage("page(10, \"" + token + "\"): the resume token was refused: " + why + "; start again "
                            + "from the first page (no token) and use the tokens that pages of this query give");
            assertThat(STATEMENTS).isEmpty();
        }
        try (R2dbcRepo another = R2dbcRepo.create(Fixtures.db().r2dbcUrl())) {
            assertThatThrownBy(() -> another.select(Snap.class).where("rating > ?", 2).orderBy("taken_at")
                    .page(10, token).block(TIMEOUT))
                    .isInstanceOf(QueryException.class).hasMessageContaining(why);
        }
        // what may differ: relations, projections, timeouts
        assertThat(repo.select(Snap.class).where("rating > ?", 2).orderBy("taken_at").as(SnapId.class)
                .timeout(Duration.ofSeconds(30)).page(10, token).block(TIMEOUT).rows()).hasSize(10);
    }

    @Test
    void repositoriesSharingAKeyAcceptEachOthersTokens() {
        byte[] key = "a secret of thirty-two bytes ...".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (R2dbcRepo one = R2dbcRepo.builder(Fixtures.db().r2dbcUrl()).resumeTokenKey(key).build();
             R2dbcRepo other = R2dbcRepo.builder(Fixtures.db().r2dbcUrl()).resumeTokenKey(key).build()) {
            String token = one.select(Snap.class).orderBy("taken_at").page(10, null).block(TIMEOUT).next();
            assertThat(other.select(Snap.class).orderBy("taken_at").page(10, token).block(TIMEOUT).rows())
                    .extracting(Snap::id)
                    .containsExactlyElementsOf(ids("SELECT id FROM snap ORDER BY taken_at, id OFFSET 10 LIMIT ?", 10));
            assertThatThrownBy(() -> repo.select(Snap.class).orderBy("taken_at").page(10, token))
                    .isInstanceOf(QueryException.class).hasMessageContaining("by another repository");
        }
        assertThatThrownBy(() -> R2dbcRepo.builder(Fixtures.db().r2dbcUrl()).resumeTokenKey(new byte[8]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("resumeTokenKey needs at least 16 bytes (32 random bytes are best), got 8");
    }

    @Test
    void pagesRefuseWhatTheyCannotHonour() {
        assertThatThrownBy(() -> repo.select(Snap.class).page(0, null))
                .isInstanceOf(QueryException.class).hasMessage("page(0, null): the size must be at least 1");
        assertThatThrownBy(() -> repo.select(Snap.class).limit(10).page(5, null))
                .isInstanceOf(QueryException.class)
                .hasMessage("page(5, null): the query has a limit(10), which pages cannot honour one request after "
                        + "another; drop limit(...): each page holds at most size rows");
        assertThatThrownBy(() -> repo.select(Snap.class).after(new Snap(1L, Instant.EPOCH, null, 1, Mood.SAD))
                .orderBy("taken_at"))
                .isInstanceOf(QueryException.class)
                .hasMessage("orderBy(\"taken_at\") after after(...): the position after(...) holds values of the "
                        + "order it was given in; call orderBy before after");
    }

    private static List<Long> ids(String sql, Object value) {
        String joined = Fixtures.db().queryString("SELECT array_to_string(ARRAY(" + sql.replace("?", value.toString())
                + "), ',')");
        List<Long> ids = new ArrayList<>();
        if (!joined.isEmpty()) {
            for (String id : joined.split(",")) {
                ids.add(Long.parseLong(id));
            }
        }
        return ids;
    }
}
