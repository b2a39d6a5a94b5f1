package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.sluice.annotation.HasMany;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * A relation ordered on whole numbers is ordered by the client within each owner (its child query has no
 * {@code ORDER BY}); any other order by the server. Either way each owner's related rows come in the order PostgreSQL
 * gives for the same {@code ORDER BY}, NULLs where PostgreSQL puts them, read here from SQL. The books are inserted in
 * random order, so the order the server finds them in is not the relation's.
 */
class RelationOrderSpec extends RelayedSpecBase {

    @Table("ro_shelf")
    record Shelf(@Id Long id,
                 @HasMany(foreignKey = "shelf_id", orderBy = "position desc, id") List<Book> byPositionDesc,
                 @HasMany(foreignKey = "shelf_id", orderBy = "position, id desc") List<Book> byPosition,
                 @HasMany(foreignKey = "shelf_id") List<Book> byKey,
                 @HasMany(foreignKey = "shelf_id", orderBy = "title desc, id") List<Book> byTitle) {
    }

    @Table("ro_book")
    record Book(@Id long id, long shelfId, Integer position, String title) {
    }

    private static final int SHELVES = 40;

    RelationOrderSpec() {
        super(3, 7); // windows of 7 shelves
    }

    @BeforeAll
    static void tables() {
        Fixtures.db().execute("DROP TABLE IF EXISTS ro_book, ro_shelf",
                "CREATE TABLE ro_shelf (id bigint PRIMARY KEY)",
                "CREATE TABLE ro_book (id bigint PRIMARY KEY, shelf_id bigint NOT NULL REFERENCES ro_shelf, "
                        + "position int, title text NOT NULL)",
                "INSERT INTO ro_shelf SELECT s FROM generate_series(1, " + SHELVES + ") s",
                // shelf s has s % 9 books; positions repeat and some are NULL; rows go in in random order
                "INSERT INTO ro_book SELECT s * 100 + b, s, CASE WHEN b % 4 = 0 THEN NULL ELSE (b * 7) % 5 END, "
                        + "'book ' || chr(97 + (b * 3) % 8) FROM generate_series(1, " + SHELVES + ") s, "
                        + "generate_series(1, 8) b WHERE b <= s % 9 ORDER BY random()",
                "ANALYZE ro_shelf", "ANALYZE ro_book");
    }

    @AfterAll
    static void drop() {
        Fixtures.db().execute("DROP TABLE IF EXISTS ro_book, ro_shelf");
    }

    @Override
    void firstUse() {
        StepVerifier.create(repo.select(Shelf.class).with("byKey").limit(1).flux()).expectNextCount(1)
                .verifyComplete();
    }

    /** Each shelf's book ids in {@code order}, a line per shelf, as PostgreSQL orders them. */
    private static String truth(String order) {
        return Fixtures.queryString("SELECT string_agg(line, E'\\n' ORDER BY id) FROM (SELECT s.id, s.id || ':' || "
                + "coalesce((SELECT string_agg(b.id::text, ' ' ORDER BY " + order + ") FROM ro_book b "
                + "WHERE b.shelf_id = s.id), '') AS line FROM ro_shelf s) lines");
    }

    private String loaded(String relation, Function<Shelf, Collection<Book>> books) {
        return repo.select(Shelf.class).with(relation).flux()
                .map(s -> s.id() + ":" + books.apply(s).stream().map(b -> String.valueOf(b.id()))
                        .collect(Collectors.joining(" ")))
                .collect(Collectors.joining("\n")).block(Duration.ofSeconds(60));
    }

    @Test
    void anOrderOnWholeNumbersIsPostgresqlsOrderNullsIncludedWithoutAnOrderByInTheChildQuery() {
        assertThat(loaded("byPositionDesc", Shelf::byPositionDesc)).isEqualTo(truth("b.position DESC, b.id"));
        assertThat(loaded("byPosition", Shelf::byPosition)).isEqualTo(truth("b.position, b.id DESC"));
        assertThat(loaded("byKey", Shelf::byKey)).isEqualTo(truth("b.id"));
        assertThat(statements).filteredOn(s -> s.contains(" FROM ro_book "))
                .hasSize(3 * 6) // 40 shelves in windows of 7: 6 windows per load
                .allMatch(s -> s.endsWith("WHERE shelf_id = ANY($1)"));
    }

    @Test
    void anOrderOnTextIsLeftToTheServer() {
        assertThat(loaded("byTitle", Shelf::byTitle)).isEqualTo(truth("b.title DESC, b.id"));
        assertThat(statements).filteredOn(s -> s.contains(" FROM ro_book ")).hasSize(6)
                .allMatch(s -> s.endsWith("WHERE shelf_id = ANY($1) ORDER BY shelf_id, title DESC, id"));
    }
}
