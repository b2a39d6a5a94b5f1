package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.MappingException;
import dev.sluice.WriteException;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Json;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * The schemas people have: jsonb documents (a record through {@code @Json}, a Jackson tree, the text), a PostgreSQL
 * enum and an array of it, a money value object through a converter. Every write path (insert, insertAll, upsert,
 * update, set, copyIn) stores what SQL then reads as the expected text; every read gives back the Java values; where
 * arguments and keys of these types find the rows SQL finds. The truth is the text PostgreSQL gives for each column
 * ({@code col::text}) and values written in SQL.
 */
class MappingSpec {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final ObjectMapper JACKSON = new ObjectMapper();

    enum Mood { CALM, ANGRY, SAD }

    /** Has a constant the database type lacks. */
    enum WideMood { CALM, ANGRY, SAD, GLAD }

    /** A value object stored as numeric through a converter. */
    record Money(BigDecimal amount) {
        Money {
            Objects.requireNonNull(amount, "amount");
        }

        static Money of(BigDecimal amount) {
            return new Money(amount);
        }

        static Money of(String amount) {
            return new Money(new BigDecimal(amount));
        }
    }

    record Settings(String theme, List<String> tags) {
    }

    @Table("map_doc")
    record Doc(@Id Long id, @Json Settings settings, JsonNode tree, String raw, Mood mood, Mood[] moods,
               Money price) {
    }

    @Table("map_price")
    record Priced(@Id Money price, String note) {
    }

    @Table("map_by_mood")
    record ByMood(@Id Mood mood, String note) {
    }

    @Table("map_by_mood")
    record ByWideMood(@Id WideMood mood, String note) {
    }

    @Table("map_price")
    record Unconverted(@Id Money price, String note) {
    }

    @BeforeAll
    static void tables() {
        Fixtures.db().execute("DO $$ BEGIN CREATE TYPE map_mood AS ENUM ('CALM', 'ANGRY', 'SAD'); EXCEPTION WHEN "
                        + "duplicate_object THEN NULL; END $$",
                "CREATE TABLE IF NOT EXISTS map_doc (id bigint PRIMARY KEY, settings jsonb, tree jsonb, raw json, "
                        + "mood map_mood, moods map_mood[], price numeric(12,2))",
                "CREATE TABLE IF NOT EXISTS map_price (price numeric(12,2) PRIMARY KEY, note text)",
                "CREATE TABLE IF NOT EXISTS map_by_mood (mood map_mood PRIMARY KEY, note text)");
    }

    @BeforeEach
    void empty() {
        Fixtures.db().execute("TRUNCATE map_doc, map_price, map_by_mood");
    }

    static R2dbcRepo repo() {
        return R2dbcRepo.builder(Fixtures.db().r2dbcUrl())
                .converter(Money.class, BigDecimal.class, Money::of, Money::amount)
                .build();
    }

    static JsonNode tree(String json) {
        try {
            return JACKSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Doc doc(long id, String theme, Mood mood, String price) {
        return new Doc(id, new Settings(theme, List.of("a", "b" + id)), tree("{\"k\": [true], \"n\": " + id + "}"),
                "{\"raw\":  " + id + "}", mood, new Mood[] {mood, null, Mood.SAD}, Money.of(price));
    }

    /** Each column as PostgreSQL's text, a row a line. */
    static String stored() {
        return Fixtures.queryString("SELECT coalesce(string_agg(concat_ws(' | ', id, coalesce(settings::text, 'NULL'), "
                + "coalesce(tree::text, 'NULL'), coalesce(raw::text, 'NULL'), coalesce(mood::text, 'NULL'), "
                + "coalesce(moods::text, 'NULL'), coalesce(price::text, 'NULL')), E'\\n' ORDER BY id), '') FROM map_doc");
    }

    /** A document's Java values, for comparing what was read with what was written. */
    static String describe(Doc d) {
        return d.id() + " | " + d.settings() + " | " + d.tree() + " | " + d.raw() + " | " + d.mood() + " | "
                + Arrays.toString(d.moods()) + " | " + (d.price() == null ? null : d.price().amount().toPlainString());
    }

    static String expectedLine(long id, String theme, String mood, String price) {
        return id + " | {\"tags\": [\"a\", \"b" + id + "\"], \"theme\": \"" + theme + "\"} | {\"k\": [true], \"n\": "
                + id + "} | {\"raw\":  " + id + "} | " + mood + " | {" + mood + ",NULL,SAD} | " + price;
    }

    @Test
    void everyWritePathStoresWhatSqlReadsBack() {
        try (R2dbcRepo repo = repo()) {
            repo.insert(doc(1, "dark", Mood.CALM, "1.50")).block(TIMEOUT);
            repo.insertAll(Flux.just(doc(2, "light", Mood.ANGRY, "0.00"), doc(3, "dark", Mood.SAD, "-7.25")))
                    .blockLast(TIMEOUT);
            repo.upsert(Doc.class).onConflict("id").doUpdate().one(doc(3, "blue", Mood.CALM, "99.99")).block(TIMEOUT);
            repo.upsert(Doc.class).onConflict("id").doUpdate().all(Flux.just(doc(4, "red", Mood.ANGRY, "3")))
                    .blockLast(TIMEOUT);
            repo.update(doc(2, "green", Mood.SAD, "10.10")).block(TIMEOUT);
            repo.copyIn(Doc.class, Flux.just(doc(5, "copy", Mood.ANGRY, "5.05"), new Doc(6L, null, null, null, null,
                    null, null))).block(TIMEOUT);
            repo.update(Doc.class).set("price = ?", Money.of("4.44")).set("mood = ?", Mood.CALM)
                    .set("settings = ?", "{\"theme\": \"set\", \"tags\": []}").where("id = ?", 4L).execute()
                    .block(TIMEOUT);
        }
        assertThat(stored()).isEqualTo(String.join("\n",
                expectedLine(1, "dark", "CALM", "1.50"),
                expectedLine(2, "green", "SAD", "10.10"),
                expectedLine(3, "blue", "CALM", "99.99"),
                "4 | {\"tags\": [], \"theme\": \"set\"} | {\"k\": [true], \"n\": 4} | {\"raw\":  4} | CALM | "
                        + "{ANGRY,NULL,SAD} | 4.44",
                expectedLine(5, "copy", "ANGRY", "5.05"),
                "6 | NULL | NULL | NULL | NULL | NULL | NULL"));
    }

    @Test
    void batchedUpdatesAndDeletesWriteTheseTypesAsTheOtherPathsDo() {
        try (R2dbcRepo repo = repo()) {
            repo.insertAll(Flux.just(doc(1, "a", Mood.CALM, "1.00"), doc(2, "b", Mood.CALM, "2.00"),
                    doc(3, "c", Mood.CALM, "3.00"))).blockLast(TIMEOUT);
            List<String> updated = repo.updateAll(Flux.just(doc(1, "x", Mood.SAD, "1.25"),
                    doc(2, "y", Mood.ANGRY, "-2.50"))).map(MappingSpec::describe).collectList().block(TIMEOUT);
            assertThat(updated).containsExactly(describe(doc(1, "x", Mood.SAD, "1.25")),
                    describe(doc(2, "y", Mood.ANGRY, "-2.50")));
            repo.insertAll(Flux.just(new Priced(Money.of("1.10"), "a"), new Priced(Money.of("2.20"), "b"),
                    new Priced(Money.of("3.30"), "c"))).blockLast(TIMEOUT);
            repo.insertAll(Flux.just(new ByMood(Mood.CALM, "c"), new ByMood(Mood.SAD, "s"))).blockLast(TIMEOUT);
            assertThat(repo.deleteAll(Flux.just(new Priced(Money.of("1.1"), "a"), new Priced(Money.of("3.30"), "c")))
                    .block(TIMEOUT)).isEqualTo(2);
            assertThat(repo.deleteAll(Flux.just(new ByMood(Mood.SAD, "s"))).block(TIMEOUT)).isEqualTo(1);
            assertThat(repo.updateAll(Flux.just(new ByMood(Mood.CALM, "c2"))).blockLast(TIMEOUT))
                    .isEqualTo(new ByMood(Mood.CALM, "c2"));
        }
        assertThat(stored()).isEqualTo(String.join("\n",
                expectedLine(1, "x", "SAD", "1.25"),
                expectedLine(2, "y", "ANGRY", "-2.50"),
                expectedLine(3, "c", "CALM", "3.00")));
        assertThat(Fixtures.queryString("SELECT string_agg(price || '=' || note, ',') FROM map_price"))
                .isEqualTo("2.20=b");
        assertThat(Fixtures.queryString("SELECT string_agg(mood || '=' || note, ',') FROM map_by_mood"))
                .isEqualTo("CALM=c2");
    }

    @Test
    void readsGiveBackTheJavaValuesStoredInSql() {
        Fixtures.db().execute("INSERT INTO map_doc VALUES "
                + "(1, '{\"theme\": \"dark\", \"tags\": [\"a\", \"b1\"]}', '{\"n\": 1, \"k\": [true]}', "
                + "'{\"raw\":  1}', 'CALM', '{CALM,NULL,SAD}', 1.50), "
                + "(2, NULL, NULL, NULL, NULL, NULL, NULL), "
                + "(3, '{\"theme\": \"x\", \"tags\": []}', '[1, \"two\", null]', 'null', 'SAD', '{}', 0.00)");
        try (R2dbcRepo repo = repo()) {
            List<String> scanned = repo.scan(Doc.class).map(MappingSpec::describe).collectList().block(TIMEOUT);
            assertThat(scanned).containsExactly(
                    describe(doc(1, "dark", Mood.CALM, "1.50")),
                    "2 | null | null | null | null | null | null",
                    "3 | Settings[theme=x, tags=[]] | [1,\"two\",null] | null | SAD | [] | 0.00");
            // the same through an order other than the key's (a cursor), and by key
            assertThat(repo.select(Doc.class).orderBy("price desc").inOneSnapshot().flux().map(MappingSpec::describe)
                    .collectList().block(TIMEOUT)).containsExactly(scanned.get(1), scanned.get(0), scanned.get(2));
            assertThat(describe(repo.findById(Doc.class, 1L).block(TIMEOUT))).isEqualTo(scanned.get(0));
        }
    }

    @Test
    void whereArgumentsAndKeysOfTheseTypesFindWhatSqlFinds() {
        try (R2dbcRepo repo = repo()) {
            repo.insertAll(Flux.just(doc(1, "dark", Mood.CALM, "1.50"), doc(2, "light", Mood.ANGRY, "2.50"),
                    doc(3, "dark", Mood.SAD, "3.50"))).blockLast(TIMEOUT);
            assertThat(ids(repo, "mood = ?", Mood.ANGRY)).containsExactly(2L);
            assertThat(ids(repo, "mood = any(?)", List.of(Mood.CALM, Mood.SAD))).containsExactly(1L, 3L);
            assertThat(ids(repo, "mood = any(?)", (Object) new Mood[] {Mood.SAD})).containsExactly(3L);
            assertThat(ids(repo, "moods = ?", (Object) new Mood[] {Mood.ANGRY, null, Mood.SAD})).containsExactly(2L);
            assertThat(ids(repo, "price > ?", Money.of("2.00"))).containsExactly(2L, 3L);
            assertThat(ids(repo, "price = any(?)", List.of(Money.of("1.5"), Money.of("3.50")))).containsExactly(1L, 3L);
            assertThat(ids(repo, "tree @> ?", tree("{\"n\": 3}"))).containsExactly(3L);
            assertThat(ids(repo, "settings ->> 'theme' = ?", "dark")).containsExactly(1L, 3L);

            repo.insertAll(Flux.just(new Priced(Money.of("1.10"), "a"), new Priced(Money.of("2.20"), "b")))
                    .blockLast(TIMEOUT);
            repo.insertAll(Flux.just(new ByMood(Mood.CALM, "c"), new ByMood(Mood.SAD, "s"))).blockLast(TIMEOUT);
            assertThat(repo.findById(Priced.class, Money.of("2.20")).block(TIMEOUT)).isEqualTo(
                    new Priced(Money.of("2.20"), "b"));
            assertThat(repo.findById(ByMood.class, Mood.SAD).block(TIMEOUT)).isEqualTo(new ByMood(Mood.SAD, "s"));
            repo.update(new Priced(Money.of("1.10"), "a2")).block(TIMEOUT);
            repo.update(new ByMood(Mood.CALM, "c2")).block(TIMEOUT);
            repo.delete(new Priced(Money.of("2.20"), "b")).block(TIMEOUT);
            repo.delete(new ByMood(Mood.SAD, "s")).block(TIMEOUT);
            // keyset pages bind the last key read: one row a page
            assertThat(repo.select(Priced.class).flux().limitRate(1).collectList().block(TIMEOUT))
                    .containsExactly(new Priced(Money.of("1.10"), "a2"));
        }
        assertThat(Fixtures.queryString("SELECT string_agg(price || '=' || note, ',') FROM map_price"))
                .isEqualTo("1.10=a2");
        assertThat(Fixtures.queryString("SELECT string_agg(mood || '=' || note, ',') FROM map_by_mood"))
                .isEqualTo("CALM=c2");
    }

    private static List<Long> ids(R2dbcRepo repo, String where, Object value) {
        return repo.select(Doc.class).where(where, value).flux().map(Doc::id).collectList().block(TIMEOUT);
    }

    @Test
    void aJavaConstantTheEnumTypeLacksFailsAtFirstUseNamingBoth() {
        try (R2dbcRepo repo = repo()) {
            Throwable e = catchThrowable(() -> repo.scan(ByWideMood.class).blockLast(TIMEOUT));
            assertThat(e).isInstanceOf(MappingException.class).hasMessage("ByWideMood.mood: the Java enum WideMood has "
                    + "the constant GLAD, which the PostgreSQL enum map_mood of column mood lacks (its labels are CALM, "
                    + "ANGRY, SAD); add it to the type, e.g. ALTER TYPE map_mood ADD VALUE 'GLAD', or remove it from "
                    + "WideMood");
        }
    }

    @Test
    void aComponentTypeWithoutConverterNamesTheRegistrationToAdd() {
        try (R2dbcRepo repo = R2dbcRepo.create(Fixtures.db().r2dbcUrl())) {
            Throwable e = catchThrowable(() -> repo.scan(Unconverted.class).blockLast(TIMEOUT));
            assertThat(e).isInstanceOf(MappingException.class).hasMessageStartingWith("Unconverted.price: type "
                    + "dev.sluice.spec.MappingSpec$Money is not a column type Sluice maps; use boolean")
                    .hasMessageEndingWith("; or register a converter for it, e.g. R2dbcRepo.builder(url).converter("
                            + "Money.class, String.class, Money::parse, Money::toString), or store it as JSON with "
                            + "@Json");
        }
    }

    @Test
    void refusedValuesSayWhichRowComponentAndWhy() {
        Fixtures.db().execute("INSERT INTO map_doc (id, settings) VALUES (9, '{\"theme\": [1]}')");
        try (R2dbcRepo repo = repo()) {
            Throwable tooPrecise = catchThrowable(() -> repo.insert(doc(1, "x", Mood.CALM, "1.005")).block(TIMEOUT));
            assertThat(tooPrecise).isInstanceOf(WriteException.class).hasMessage("insert of Doc into map_doc was "
                    + "refused at input row 1 (id=1), component price: 1.005 does not fit column price (numeric(12,2)) "
                    + "exactly: numeric(12,2) rounds to 2 decimal places; nothing was written");
            Throwable badDocument = catchThrowable(() -> repo.findById(Doc.class, 9L).block(TIMEOUT));
            assertThat(badDocument).isInstanceOf(MappingException.class).hasMessageStartingWith("Doc.settings: column "
                    + "settings holds '{\"theme\": [1]}' in the row (id=9), which @Json Settings through Jackson 2 "
                    + "cannot read: Jackson 2: ");
        }
        assertThat(Fixtures.queryString("SELECT count(*) FROM map_doc")).isEqualTo("1");
    }
}
