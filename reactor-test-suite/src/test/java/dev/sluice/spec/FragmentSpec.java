package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import dev.sluice.QueryException;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

/**
 * No fragment can widen or swallow the statement around it: a {@code where}, {@code set}, {@code orderBy}, upsert
 * target or {@code query} SQL that holds a comment, a semicolon or an unbalanced parenthesis is refused with a
 * message that says how to fix it, and the rows it would have touched are counted in SQL: none. The same SQL
 * characters inside string literals are harmless and accepted.
 */
class FragmentSpec {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int ROWS = 10;

    @Table("g_item")
    record Item(@Id Long id, String name, String sha1) {
    }

    private R2dbcRepo repo;

    @BeforeAll
    static void table() {
        Fixtures.db().execute("CREATE TABLE IF NOT EXISTS g_item (id bigint PRIMARY KEY, name text NOT NULL, "
                + "sha1 text NOT NULL UNIQUE)");
    }

    @BeforeEach
    void open() {
        resetRows();
        repo = Fixtures.repo();
    }

    private static void resetRows() {
        Fixtures.db().execute("DELETE FROM g_item", "INSERT INTO g_item SELECT i, 'item ' || i, 's' || i "
                + "FROM generate_series(1, " + ROWS + ") i");
    }

    @AfterEach
    void close() {
        repo.close();
    }

    /** Rows renamed, deleted or added since {@link #resetRows()}, counted in SQL. */
    private static long touched() {
        return Fixtures.db().queryLong("SELECT (SELECT count(*) FROM g_item WHERE name <> 'item ' || id) + abs("
                + ROWS + " - (SELECT count(*) FROM g_item))");
    }

    /**
     * Runs {@code attempt} (building the statement and running it to its end) and checks that it is refused with
     * {@code message} and that no row was touched; puts the rows back for the next attempt.
     */
    private void refused(String message, Supplier<Publisher<?>> attempt) {
        AtomicReference<List<?>> emitted = new AtomicReference<>();
        Throwable error = catchThrowable(() -> emitted.set(Flux.from(attempt.get()).collectList().block(TIMEOUT)));
        long touched = touched();
        resetRows();
        assertThat(touched).as("rows touched, counted in SQL, by the attempt refused with: " + message).isZero();
        assertThat(error).as("the attempt refused with: " + message + " (it emitted " + emitted.get() + ")")
                .isInstanceOf(QueryException.class).hasMessage(message);
    }

    /**
     * Runs {@code attempt}, which PostgreSQL itself refuses once the fragment sits in parentheses, and checks that no
     * row was touched.
     */
    private void notRun(Supplier<Publisher<?>> attempt) {
        Throwable error = catchThrowable(() -> Flux.from(attempt.get()).collectList().block(TIMEOUT));
        long touched = touched();
        resetRows();
        assertThat(touched).as("rows touched, counted in SQL").isZero();
        assertThat(error).as("the statement fails").isNotNull();
    }

    @Test
    void updateFragmentsCannotSwallowOrWidenTheWhere() {
        refused("set(\"name = 'x' -- note\"): a -- comment at character 12 could hide the rest of the statement; "
                        + "remove the comment",
                () -> repo.update(Item.class).set("name = 'x' -- note").where("id = 5").execute());
        refused("set(\"name = 'x' /* note */\"): a /* comment at character 12 could hide the rest of the "
                        + "statement; remove the comment",
                () -> repo.update(Item.class).set("name = 'x' /* note */").where("id = 5").execute());
        refused("set(\"name = 'x'; delete from g_item\"): a ; at character 11 would end the statement; remove it, "
                        + "and pass any values as ? parameters",
                () -> repo.update(Item.class).set("name = 'x'; delete from g_item").where("id = 5").execute());
        refused("where(\"id = 5) or (true\"): the ) at character 7 closes a parenthesis the fragment did not open; "
                        + "balance the parentheses",
                () -> repo.update(Item.class).set("name = 'x'").where("id = 5) or (true").execute());
        refused("where(\"id = 5); delete from g_item where (true\"): the ) at character 7 closes a parenthesis the "
                        + "fragment did not open; balance the parentheses",
                () -> repo.update(Item.class).set("name = 'x'").where("id = 5); delete from g_item where (true")
                        .execute());
        refused("set(\"name = ('x'\"): the ( at character 8 is never closed; balance the parentheses",
                () -> repo.update(Item.class).set("name = ('x'").where("id = 5").execute());
        refused("set(\"name = 'x\"): the string literal at character 8 is never closed; close it with ', or pass "
                        + "the value as a ? parameter",
                () -> repo.update(Item.class).set("name = 'x").where("id = 5").execute());
        refused("set(\"name = $$x$$\"): the dollar-quoted string at character 8 is not accepted here; write it as a "
                        + "'string', or pass the value as a ? parameter",
                () -> repo.update(Item.class).set("name = $$x$$").where("id = 5").execute());
        notRun(() -> repo.update(Item.class).set("name = 'x' where id = 5").executeOnAllRows());
        notRun(() -> repo.update(Item.class).set("name = 'x' from g_item other").where("other.id = 5").execute());
    }

    @Test
    void theGuardThatExecuteNeedsAWhereHoldsWhateverTheFragmentHolds() {
        for (String where : List.of("", "   ", "\n")) {
            refused("where(\"" + where + "\"): the condition is empty; write one, e.g. where(\"id = ?\", 42), or call "
                            + "executeOnAllRows() if every row is meant",
                    () -> repo.update(Item.class).set("name = 'x'").where(where).execute());
            refused("where(\"" + where + "\"): the condition is empty; write one, e.g. where(\"id = ?\", 42), or call "
                            + "executeOnAllRows() if every row is meant",
                    () -> repo.delete(Item.class).where(where).execute());
        }
        refused("where(\"true -- \"): a -- comment at character 6 could hide the rest of the statement; remove the "
                        + "comment",
                () -> repo.update(Item.class).set("name = 'x'").where("true -- ").execute());
        refused("where(\"true -- \"): a -- comment at character 6 could hide the rest of the statement; remove the "
                        + "comment",
                () -> repo.delete(Item.class).where("true -- ").execute());
        refused("where(\"/**/\"): a /* comment at character 1 could hide the rest of the statement; remove the "
                        + "comment",
                () -> repo.delete(Item.class).where("/**/").execute());
    }

    @Test
    void deleteFragmentsCannotWidenTheWhere() {
        refused("where(\"id = 5) or (true\"): the ) at character 7 closes a parenthesis the fragment did not open; "
                        + "balance the parentheses",
                () -> repo.delete(Item.class).where("id = 5) or (true").execute());
        refused("where(\"id = 5 -- keep the rest\"): a -- comment at character 8 could hide the rest of the "
                        + "statement; remove the comment",
                () -> repo.delete(Item.class).where("id = 5 -- keep the rest").execute());
        refused("where(\"id = 5; delete from g_item\"): a ; at character 7 would end the statement; remove it, and "
                        + "pass any values as ? parameters",
                () -> repo.delete(Item.class).where("id = 5; delete from g_item").execute());
        refused("where(\"name = 'a\\' or true or name = 'b'\"): the string literal at character 8 has a \\' that "
                        + "PostgreSQL reads differently depending on standard_conforming_strings; write '' for a "
                        + "quote inside a string, or pass the value as a ? parameter",
                () -> repo.delete(Item.class).where("name = 'a\\' or true or name = 'b'").execute());
    }

    @Test
    void selectFragmentsCannotWidenTheQueryOrAddAStatement() {
        refused("where(\"id = 5) or (true\"): the ) at character 7 closes a parenthesis the fragment did not open; "
                        + "balance the parentheses",
                () -> repo.select(Item.class).where("id = 5) or (true").count());
        refused("where(\"id = 5) or (true\"): the ) at character 7 closes a parenthesis the fragment did not open; "
                        + "balance the parentheses",
                () -> repo.select(Item.class).where("id = 5) or (true").orderBy("name").flux());
        refused("orderBy(\"id; delete from g_item\"): cannot read 'id; delete from g_item'; write a column name "
                        + "optionally followed by asc or desc",
                () -> repo.select(Item.class).orderBy("id; delete from g_item").flux());
        refused("orderBy(\"id -- x\"): cannot read 'id -- x'; write a column name optionally followed by asc or desc",
                () -> repo.select(Item.class).orderBy("id -- x").flux());
        refused("query(Item.class, \"select * from g_item; delete from g_item\"): a ; at character 21 would end the "
                        + "statement; remove it, and pass any values as ? parameters",
                () -> repo.query(Item.class, "select * from g_item; delete from g_item"));
        refused("query(Item.class, \"select * from g_item -- all\"): a -- comment at character 22 could hide the rest "
                        + "of the statement; remove the comment",
                () -> repo.query(Item.class, "select * from g_item -- all"));
    }

    @Test
    void upsertTargetsAreColumnNamesOnly() {
        refused("upsert(Item.class).onConflict(\"sha1) do update set name = 'x' --\"): Item has no column "
                        + "sha1) do update set name = 'x' --; its columns are id, name, sha1",
                () -> repo.upsert(Item.class).onConflict("sha1) do update set name = 'x' --").doNothing()
                        .one(new Item(null, "new", "s5")));
        refused("upsert(Item.class).onConflict(\"sha1\", \"name = 'x'\"): Item has no column name = 'x'; its columns "
                        + "are id, name, sha1",
                () -> repo.upsert(Item.class).onConflict("sha1", "name = 'x'").doUpdate()
                        .one(new Item(5L, "new", "s5")));
    }

    @Test
    void theSameCharactersInsideLiteralsAreHarmlessAndAccepted() {
        assertThat(repo.update(Item.class).set("name = '-- not a comment; (nor a paren'")
                .where("id = ? and name <> 'x'' /* '' ; )'", 5L).execute().block(TIMEOUT)).isOne();
        assertThat(Fixtures.db().queryLong("SELECT count(*) FROM g_item WHERE name <> 'item ' || id")).isOne();
        assertThat(Fixtures.queryString("SELECT name FROM g_item WHERE id = 5"))
                .isEqualTo("-- not a comment; (nor a paren");
        assertThat(repo.select(Item.class).where("name = '-- not a comment; (nor a paren'").count().block(TIMEOUT))
                .isOne();
        assertThat(repo.query(Item.class, "select * from g_item where name like '%;%' and (id > ?)", 0L)
                .map(Item::id).collectList().block(TIMEOUT)).containsExactly(5L);
        assertThat(repo.delete(Item.class).where("\"name\" = E'-- not a comment; (nor a paren'").execute()
                .block(TIMEOUT)).isOne();
        assertThat(Fixtures.db().queryLong("SELECT count(*) FROM g_item")).isEqualTo(ROWS - 1);
    }
}
