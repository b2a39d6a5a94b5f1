package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.Interval;
import dev.sluice.MappingException;
import dev.sluice.annotation.Column;
import dev.sluice.annotation.Json;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.spec.MappingSpec.Money;
import dev.sluice.spec.MappingSpec.Mood;
import dev.sluice.spec.MappingSpec.Settings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Records of custom SQL ({@code query(..)} and {@code sql(..)}, cursor and keyset pages) map exactly as entities
 * do: a value object through the repository's converter, an {@code @Json} record, a Java enum from a PostgreSQL enum
 * and an array of it, intervals as {@link Duration} and {@link Interval}, inet, bit, bytea as {@link ByteBuffer}; and
 * the arguments of custom SQL go through the converters too. The truth is PostgreSQL's own text of each column
 * ({@code col::text}, read through pgjdbc) and the values written in SQL.
 */
class DtoMappingSpec {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final ObjectMapper JACKSON = new ObjectMapper();

    /** A row of custom SQL: no @Id, no @Table; every kind of component an entity may have. */
    record DocView(long id, @Json Settings settings, Mood mood, Mood[] moods, Money price, Duration took,
                   Interval every, InetAddress addr, @Column("flags") String bits, ByteBuffer bytes) {
    }

    /** Money without the converter a plain repository lacks. */
    record PriceOnly(long id, Money price) {
    }

    static final String SELECT = "SELECT id, settings, mood, moods, price, took, every, addr, flags, bytes "
            + "FROM dto_map_doc";

    @BeforeAll
    static void table() {
        Fixtures.db().execute("DO $$ BEGIN CREATE TYPE dto_mood AS ENUM ('CALM', 'ANGRY', 'SAD'); EXCEPTION WHEN "
                        + "duplicate_object THEN NULL; END $$",
                "DROP TABLE IF EXISTS dto_map_doc",
                "CREATE TABLE dto_map_doc (id bigint PRIMARY KEY, settings jsonb, mood dto_mood, moods dto_mood[], "
                        + "price numeric(12,2), took interval, every interval, addr inet, flags varbit, bytes bytea)",
                "INSERT INTO dto_map_doc VALUES "
                        + "(1, '{\"theme\": \"dark\", \"tags\": [\"a\", \"b\"]}', 'CALM', '{CALM,NULL,SAD}', 1.50, "
                        + "'1 day 02:03:04.000005', '1 year 2 mons 3 days -00:00:01', '10.1.2.3', B'1011', "
                        + "'\\x00ff10'), "
                        + "(2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), "
                        + "(3, '{\"theme\": \"x\", \"tags\": []}', 'SAD', '{}', 0.00, '-00:00:00.5', '-1 mons', "
                        + "'::1', B'', ''), "
                        + "(4, '{\"theme\": \"y\", \"tags\": [\"z\"]}', 'ANGRY', '{ANGRY}', -7.25, '00:00:00', "
                        + "'00:00:00', '2001:db8::ff00:42:8329', B'0', '\\x01')");
    }

    static R2dbcRepo repo() {
        return MappingSpec.repo();
    }

    /**
     * PostgreSQL's text of each column of the rows, a row a line, in the order of the ids given; intervals also
     * as months, days and microseconds (Interval's parts), so that no Java formatting of intervals is trusted.
     */
    static List<String> stored(long... ids) {
        return Arrays.stream(ids).mapToObj(id -> Fixtures.queryString("SELECT concat_ws(' | ', id, "
                + "coalesce(mood::text, 'NULL'), coalesce(moods::text, 'NULL'), coalesce(price::text, 'NULL'), "
                + "coalesce((extract(epoch FROM took) * 1000000)::bigint || 'us', 'NULL'), "
                + "coalesce((extract(year FROM every) * 12 + extract(month FROM every)) || 'mo ' "
                + "|| extract(day FROM every) || 'd ' || (extract(epoch FROM every - date_trunc('day', every)) "
                + "* 1000000)::bigint || 'us', 'NULL'), coalesce(host(addr), 'NULL'), coalesce(flags::text, 'NULL'), "
                + "coalesce(encode(bytes, 'hex'), 'NULL')) FROM dto_map_doc WHERE id = " + id)).toList();
    }

    /** The same columns of a record read by Sluice, in the same shapes. */
    static String describe(DocView d) {
        String moods = d.moods() == null ? "NULL" : Arrays.stream(d.moods())
                .map(m -> m == null ? "NULL" : m.name()).collect(java.util.stream.Collectors.joining(",", "{", "}"));
        String every = "NULL";
        if (d.every() != null) {
            every = d.every().period().toTotalMonths() + "mo " + d.every().period().getDays() + "d "
                    + d.every().time().toNanos() / 1000 + "us";
        }
        String bytes = "NULL";
        if (d.bytes() != null) {
            byte[] b = new byte[d.bytes().remaining()];
            d.bytes().duplicate().get(b);
            bytes = HexFormat.of().formatHex(b);
        }
        return String.join(" | ", String.valueOf(d.id()), d.mood() == null ? "NULL" : d.mood().name(), moods,
                d.price() == null ? "NULL" : d.price().amount().toPlainString(),
                d.took() == null ? "NULL" : new BigDecimal(d.took().toNanos()).movePointLeft(3).stripTrailingZeros()
                        .toPlainString() + "us",
                every, d.addr() == null ? "NULL" : d.addr().getHostAddress().replaceAll("(^|:)0(:0)+(:|$)", "::"),
                d.bits() == null ? "NULL" : d.bits(), bytes);
    }

    /** The jsonb column's text read by Jackson itself, as the record Sluice should give. */
    static Settings settings(long id) {
        String text = Fixtures.queryString("SELECT settings::text FROM dto_map_doc WHERE id = " + id);
        try {
            return text == null ? null : JACKSON.readValue(text, Settings.class);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void customSqlRecordsReadEveryTypeAsPostgresqlStoresIt() {
        try (R2dbcRepo repo = repo()) {
            List<DocView> read = repo.query(DocView.class, SELECT + " ORDER BY id").collectList().block(TIMEOUT);
            assertThat(read).extracting(DtoMappingSpec::describe).containsExactlyElementsOf(stored(1, 2, 3, 4));
            assertThat(read).extracting(DocView::settings).containsExactly(settings(1), settings(2), settings(3),
                    settings(4));
            // the first row by hand too, so that the comparison above cannot pass on two wrong shapes alike
            DocView first = read.get(0);
            assertThat(first.mood()).isEqualTo(Mood.CALM);
            assertThat(first.moods()).containsExactly(Mood.CALM, null, Mood.SAD);
            assertThat(first.price()).isEqualTo(Money.of("1.50"));
            assertThat(first.took()).isEqualTo(Duration.ofDays(1).plusHours(2).plusMinutes(3).plusSeconds(4)
                    .plusNanos(5000));
            assertThat(first.every()).isEqualTo(Interval.of(14, 3, -1_000_000));
            assertThat(first.bits()).isEqualTo("1011");
            assertThat(first.settings()).isEqualTo(new Settings("dark", List.of("a", "b")));

            // sql(..): a cursor, and keyset pages of one row on the converter's column, descending
            assertThat(repo.sql(DocView.class, SELECT + " ORDER BY id").flux().map(DtoMappingSpec::describe)
                    .collectList().block(TIMEOUT)).containsExactlyElementsOf(stored(1, 2, 3, 4));
            assertThat(repo.sql(DocView.class, SELECT + " WHERE price IS NOT NULL").keysetBy("price desc").flux()
                    .limitRate(1).map(DocView::id).collectList().block(TIMEOUT)).containsExactly(1L, 3L, 4L);
            // and on the enum's column (PostgreSQL orders an enum by its labels' declaration)
            assertThat(repo.sql(DocView.class, SELECT + " WHERE mood IS NOT NULL").keysetBy("mood, id").flux()
                    .limitRate(1).map(DocView::id).collectList().block(TIMEOUT)).containsExactly(1L, 4L, 3L);
        }
    }

    @Test
    void argumentsOfCustomSqlGoThroughTheConvertersAsWhereArgumentsDo() {
        try (R2dbcRepo repo = repo()) {
            assertThat(repo.query(DocView.class, SELECT + " WHERE price > ? ORDER BY id", Money.of("0.00"))
                    .map(DocView::id).collectList().block(TIMEOUT)).containsExactly(1L);
            assertThat(repo.query(DocView.class, SELECT + " WHERE price = any(?) ORDER BY id",
                    List.of(Money.of("-7.25"), Money.of("0"))).map(DocView::id).collectList().block(TIMEOUT))
                    .containsExactly(3L, 4L);
            assertThat(repo.sql(DocView.class, SELECT + " WHERE price = ?", Money.of("1.5")).keysetBy("id").flux()
                    .map(DocView::id).collectList().block(TIMEOUT)).containsExactly(1L);
            assertThat(repo.sql(DocView.class, SELECT + " WHERE mood = ? OR took = ?", Mood.SAD,
                    Duration.ofDays(1).plusHours(2).plusMinutes(3).plusSeconds(4).plusNanos(5000)).keysetBy("id")
                    .flux().map(DocView::id).collectList().block(TIMEOUT)).containsExactly(1L, 3L);
        }
        // the converter's stored value is what PostgreSQL compared
        assertThat(Fixtures.queryString("SELECT string_agg(id::text, ',' ORDER BY id) FROM dto_map_doc "
                + "WHERE price = any('{-7.25,0}')")).isEqualTo("3,4");
    }

    @Test
    void aComponentTypeWithoutConverterNamesTheRegistrationToAdd() {
        try (R2dbcRepo repo = Fixtures.repo()) {
            for (Throwable e : List.of(
                    catchThrowable(() -> repo.query(PriceOnly.class, "SELECT id, price FROM dto_map_doc")
                            .blockLast(TIMEOUT)),
                    catchThrowable(() -> repo.sql(PriceOnly.class, "SELECT id, price FROM dto_map_doc").flux()
                            .blockLast(TIMEOUT)))) {
                assertThat(e).isInstanceOf(MappingException.class).hasMessageStartingWith("PriceOnly.price: type "
                                + "dev.sluice.spec.MappingSpec$Money is not a column type Sluice maps; use boolean")
                        .hasMessageEndingWith("; or register a converter for it, e.g. R2dbcRepo.builder(url)"
                                + ".converter(Money.class, String.class, Money::parse, Money::toString), or store it "
                                + "as JSON with @Json");
            }
        }
    }

    @Test
    void aLabelTheJavaEnumLacksIsAClearError() {
        Fixtures.db().execute("DO $$ BEGIN CREATE TYPE dto_wide_mood AS ENUM ('CALM', 'GLAD'); EXCEPTION WHEN "
                + "duplicate_object THEN NULL; END $$");
        record Feeling(Mood mood) {
        }
        try (R2dbcRepo repo = repo()) {
            Throwable e = catchThrowable(() -> repo.query(Feeling.class, "SELECT 'GLAD'::dto_wide_mood AS mood")
                    .blockLast(TIMEOUT));
            assertThat(e).isInstanceOf(MappingException.class).hasMessage("Feeling.mood: column mood holds 'GLAD', "
                    + "which is not a constant of Mood; add the constant or fix the data");
        }
    }
}
