package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.sluice.Update;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

/**
 * What every write path stores is exactly the Java value: each edge value is written through {@code insert},
 * {@code insertAll}, {@code upsert ... doUpdate()}, {@code update(entity)}, {@code update(Class).set(..)} and
 * {@code copyIn}, on binary and on text transfer, and compared AS TEXT ({@code col::text}, the server's own
 * spelling) with a twin table filled by plain SQL INSERTs of literals. Text, because {@code 0.00 = 0} and
 * {@code '-0'::float8 = 0} are true in SQL: only the text shows a lost scale or sign.
 */
class WriteFidelitySpec {

    static final Duration TIMEOUT = Duration.ofSeconds(60);
    static final String TARGET = "wf_target";
    static final String TRUTH = "wf_truth";

    enum Mood { CALM, ANGRY }

    /** Every component type Sluice writes, in one row. */
    @Table(TARGET)
    record Edge(@Id Long id, Boolean flag, Short small, Integer medium, Long big,
                BigDecimal money, BigDecimal amount, Double approx, Double ratio, Float single, Double half,
                String label, String code, String fixed, String doc, byte[] data, UUID uid,
                Instant at, OffsetDateTime odt, ZonedDateTime zdt, LocalDate day, LocalDateTime local,
                LocalTime clock, OffsetTime clockTz, Mood mood,
                Boolean[] flags, Integer[] ints, Long[] longs, BigDecimal[] amounts, Double[] doubles, Float[] floats,
                String[] tags, UUID[] uids, LocalDate[] days, LocalDateTime[] locals, Instant[] instants,
                LocalTime[] clocks) {
    }

    private static final String COLUMNS = "id bigint PRIMARY KEY, flag boolean, small int2, medium int4, big int8, "
            + "money numeric(12,2), amount numeric, approx numeric, ratio float8, single float4, half float4, "
            + "label text, code varchar(40), fixed char(6), doc jsonb, data bytea, uid uuid, "
            + "at timestamptz, odt timestamptz, zdt timestamptz, day date, local timestamp, clock time, "
            + "clock_tz timetz, mood wf_mood, flags bool[], ints int4[], longs int8[], amounts numeric[], "
            + "doubles float8[], floats float4[], tags text[], uids uuid[], days date[], locals timestamp[], "
            + "instants timestamptz[], clocks time[]";

    /** 1 MiB: the byte values 0..255, over and over. */
    static final byte[] MIB = new byte[1 << 20];

    static {
        for (int i = 0; i < MIB.length; i++) {
            MIB[i] = (byte) i;
        }
    }

    /** The same 1 MiB, as SQL. */
    static final String MIB_SQL = "decode(repeat('" + java.util.HexFormat.of().formatHex(Arrays.copyOf(MIB, 256))
            + "', 4096), 'hex')";

    private static final UUID UID = UUID.fromString("3f2504e0-4f89-11d3-9a0c-0305e82c3301");
    private static final String LABEL = "tab\tnewline\nreturn\r backslash\\ 'single' \"double\" {a,b} NULL";

    /** A row of edge values and, for the twin table, the same values as SQL literals in column order. */
    record Case(Edge edge, String literals) {
    }

    static final List<Case> CASES = List.of(
            // minimums, scales, signs, escapes, ancient values, arrays with NULLs and quoting
            new Case(new Edge(1L, false, Short.MIN_VALUE, Integer.MIN_VALUE, Long.MIN_VALUE,
                    new BigDecimal("0.00"), new BigDecimal("1.10"), 0.30000000000000004, -0.0, -0.0f, -0.0,
                    LABEL, "", "ab", "{\"b\": [1, 2.50, null], \"a\": \"x\\\"y\"}", new byte[0],
                    new UUID(0, 0),
                    Instant.parse("0001-01-01T00:00:00Z"),
                    OffsetDateTime.of(1, 1, 1, 2, 0, 0, 0, ZoneOffset.ofHours(2)),
                    ZonedDateTime.of(1500, 6, 15, 12, 0, 0, 0, ZoneId.of("Europe/Berlin")),
                    LocalDate.of(1, 1, 1), LocalDateTime.of(1, 1, 1, 0, 0), LocalTime.MIDNIGHT,
                    OffsetTime.of(0, 0, 0, 0, ZoneOffset.ofHours(14)), Mood.CALM,
                    new Boolean[] {true, null, false}, new Integer[] {Integer.MIN_VALUE, null, 0},
                    new Long[] {Long.MIN_VALUE, null, Long.MAX_VALUE},
                    new BigDecimal[] {new BigDecimal("0.00"), null, new BigDecimal("1.10"), new BigDecimal("-0.000001")},
                    new Double[] {-0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, null,
                            Double.MIN_VALUE, 0.1},
                    new Float[] {-0.0f, Float.NaN, Float.MIN_VALUE, Float.MAX_VALUE, null},
                    new String[] {"", "NULL", null, "a,b", "q\"uote", "back\\slash", "{x}", " spaced ", "tab\there"},
                    new UUID[] {UID, null},
                    new LocalDate[] {LocalDate.of(1, 1, 1), LocalDate.of(-43, 3, 15), null, LocalDate.MAX,
                            LocalDate.MIN},
                    new LocalDateTime[] {LocalDateTime.of(1, 1, 1, 0, 0, 0, 1000), LocalDateTime.MAX, null,
                            LocalDateTime.MIN},
                    new Instant[] {Instant.MIN, null, Instant.MAX, Instant.parse("1500-06-15T00:00:00.500Z")},
                    new LocalTime[] {LocalTime.MIDNIGHT, LocalTime.of(23, 59, 59, 999_999_000), null}),
                    "false, -32768, -2147483648, -9223372036854775808, '0.00', '1.10', '0.30000000000000004', '-0', "
                            + "'-0', '-0', E'tab\\tnewline\\nreturn\\r backslash\\\\ ''single'' \"double\" {a,b} NULL',"
                            + " '', 'ab', '{\"b\": [1, 2.50, null], \"a\": \"x\\\"y\"}', '\\x', "
                            + "'00000000-0000-0000-0000-000000000000', '0001-01-01 00:00:00+00', "
                            + "'0001-01-01 02:00:00+02', '1500-06-15 12:00:00+00:53:28', '0001-01-01', "
                            + "'0001-01-01 00:00:00', '00:00:00', '00:00:00+14', 'CALM', ARRAY[true, NULL, false], "
                            + "ARRAY[-2147483648, NULL, 0], ARRAY[-9223372036854775808, NULL, 9223372036854775807], "
                            + "ARRAY[0.00, NULL, 1.10, -0.000001], "
                            + "ARRAY['-0', 'NaN', 'Infinity', '-Infinity', NULL, '4.9E-324', '0.1']::float8[], "
                            + "ARRAY['-0', 'NaN', '1.4E-45', '3.4028235E38', NULL]::float4[], "
                            + "ARRAY['', 'NULL', NULL, 'a,b', 'q\"uote', 'back\\slash', '{x}', ' spaced ', "
                            + "E'tab\\there'], ARRAY['" + UID + "'::uuid, NULL], "
                            + "ARRAY['0001-01-01', '0044-03-15 BC', NULL, 'infinity', '-infinity']::date[], "
                            + "ARRAY['0001-01-01 00:00:00.000001', 'infinity', NULL, '-infinity']::timestamp[], "
                            + "ARRAY['-infinity', NULL, 'infinity', '1500-06-15 00:00:00.5+00']::timestamptz[], "
                            + "ARRAY['00:00', '23:59:59.999999', NULL]::time[]"),
            // maximums, NaN, unicode beyond the BMP, 1 MiB, infinity, empty arrays
            new Case(new Edge(2L, true, Short.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE,
                    new BigDecimal("9999999999.99"),
                    new BigDecimal("123456789012345678901234567890.123456789012345678901234567890"),
                    Double.NaN, Double.NaN, Float.NaN, (double) Float.MAX_VALUE,
                    "\uD83D\uDE00 \uD834\uDD1E \u00fcn\u00efc\u00f6d\u00e9 \u4e2d\u6587", "x".repeat(40), "abcdef",
                    "[]", MIB, new UUID(-1, -1), Instant.MAX, OffsetDateTime.MAX,
                    ZonedDateTime.of(294276, 12, 31, 23, 59, 59, 999_999_000, ZoneOffset.UTC), LocalDate.MAX,
                    LocalDateTime.MAX, LocalTime.of(23, 59, 59, 999_999_000),
                    OffsetTime.of(23, 59, 59, 999_999_000, ZoneOffset.ofHours(-12)), Mood.ANGRY,
                    new Boolean[0], new Integer[0], new Long[0], new BigDecimal[0], new Double[0], new Float[0],
                    new String[0], new UUID[0], new LocalDate[0], new LocalDateTime[0], new Instant[0],
                    new LocalTime[0]),
                    "true, 32767, 2147483647, 9223372036854775807, '9999999999.99', "
                            + "'123456789012345678901234567890.123456789012345678901234567890', 'NaN', 'NaN', 'NaN', "
                            + "'3.4028234663852886E38', "
                            + "'\uD83D\uDE00 \uD834\uDD1E \u00fcn\u00efc\u00f6d\u00e9 \u4e2d\u6587', repeat('x', 40), "
                            + "'abcdef', '[]', " + MIB_SQL + ", 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'infinity', "
                            + "'infinity', '294276-12-31 23:59:59.999999+00', 'infinity', 'infinity', "
                            + "'23:59:59.999999', '23:59:59.999999-12', 'ANGRY', '{}', '{}', '{}', '{}', '{}', '{}', "
                            + "'{}', '{}', '{}', '{}', '{}', '{}'"),
            // negative infinities, small negatives, padding
            new Case(new Edge(3L, null, (short) -1, -1, -1L, new BigDecimal("-0.01"), new BigDecimal("-0.000001"),
                    Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                    Double.POSITIVE_INFINITY, "", " trailing spaces  ", "a", "null", new byte[] {0}, UID,
                    Instant.MIN, OffsetDateTime.MIN,
                    ZonedDateTime.of(2024, 5, 1, 10, 15, 30, 123_456_000, ZoneId.of("America/New_York")),
                    LocalDate.MIN, LocalDateTime.MIN, LocalTime.of(12, 34, 56, 1000),
                    OffsetTime.of(12, 0, 0, 0, ZoneOffset.ofHoursMinutes(5, 30)), null,
                    null, null, null, null, null, null, null, null, null, null, null, null),
                    "NULL, -1, -1, -1, '-0.01', '-0.000001', 'Infinity', 'Infinity', '-Infinity', 'Infinity', '', "
                            + "' trailing spaces  ', 'a', 'null', '\\x00', '" + UID + "', '-infinity', '-infinity', "
                            + "'2024-05-01 10:15:30.123456-04', '-infinity', '-infinity', '12:34:56.000001', "
                            + "'12:00:00+05:30', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
                            + "NULL, NULL"),
            // before Christ, before the Gregorian reform, microseconds; a negative scale, the smallest doubles
            new Case(new Edge(4L, null, null, null, null, new BigDecimal("12.5"), new BigDecimal("1E+3"),
                    Double.NEGATIVE_INFINITY, Double.MIN_VALUE, Float.MIN_VALUE, 0.5, null, null, null, null, null,
                    null, Instant.parse("1500-06-15T12:00:00.000001Z"),
                    OffsetDateTime.of(1582, 10, 4, 23, 59, 59, 999_999_000, ZoneOffset.ofHours(1)),
                    ZonedDateTime.of(-43, 3, 15, 12, 0, 0, 0, ZoneOffset.UTC), LocalDate.of(-43, 3, 15),
                    LocalDateTime.of(-43, 3, 15, 12, 30, 45, 123_456_000), null, null, null,
                    null, null, null, null, null, null, null, null, null, null, null, null),
                    "NULL, NULL, NULL, NULL, '12.50', '1000', '-Infinity', '4.9E-324', '1.4E-45', '0.5', NULL, NULL, "
                            + "NULL, NULL, NULL, NULL, '1500-06-15 12:00:00.000001+00', "
                            + "'1582-10-04 23:59:59.999999+01', '0044-03-15 12:00:00+00 BC', '0044-03-15 BC', "
                            + "'0044-03-15 12:30:45.123456 BC', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
                            + "NULL, NULL, NULL, NULL, NULL, NULL"),
            // the far future and the earliest dates Sluice writes; doubles into numeric without a scale of their own
            new Case(new Edge(5L, null, (short) 0, 0, 0L, null, null, 1.0E-20, Double.MAX_VALUE, null, null, null,
                    null, null, null, null, null, Instant.parse("-4712-01-01T00:00:00Z"),
                    OffsetDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_000, ZoneOffset.UTC), null,
                    LocalDate.of(5874897, 12, 31), LocalDateTime.of(294276, 12, 31, 23, 59, 59, 999_999_000),
                    null, null, null, null, null, null, null, null, null, null, null, null, null, null, null),
                    "NULL, 0, 0, 0, NULL, NULL, '0.00000000000000000001', '1.7976931348623157E308', NULL, NULL, NULL, "
                            + "NULL, NULL, NULL, NULL, NULL, '4713-01-01 00:00:00+00 BC', "
                            + "'9999-12-31 23:59:59.999999+00', NULL, '5874897-12-31', '294276-12-31 23:59:59.999999', "
                            + "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"),
            new Case(new Edge(6L, null, null, null, null, null, new BigDecimal("-1E-20"), 1.0E20, 1.0, 1.0f, 1.0,
                    null, null, null, null, null, null, null, null, null, LocalDate.of(-4712, 1, 1),
                    LocalDateTime.of(-4712, 1, 1, 0, 0), null, null, null, null, null, null, null, null, null, null,
                    null, null, null, null, null),
                    "NULL, NULL, NULL, NULL, NULL, '-0.00000000000000000001', '100000000000000000000', '1', '1', "
                            + "'1', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '4713-01-01 BC', "
                            + "'4713-01-01 00:00:00 BC', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
                            + "NULL, NULL, NULL, NULL, NULL"),
            // NULL in every nullable column
            new Case(new Edge(7L, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                    null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                    null, null, null, null, null, null),
                    Stream.generate(() -> "NULL").limit(36).collect(Collectors.joining(", "))));

    /**
     * The scalar components of {@link Edge}: without an array column, {@code insertAll} sends each column's values as
     * one binary array ({@code unnest}), where {@code Edge} falls back to a multi-row {@code VALUES}.
     */
    @Table(TARGET)
    record Scalars(@Id Long id, Boolean flag, Short small, Integer medium, Long big,
                   BigDecimal money, BigDecimal amount, Double approx, Double ratio, Float single, Double half,
                   String label, String code, String fixed, String doc, byte[] data, UUID uid,
                   Instant at, OffsetDateTime odt, ZonedDateTime zdt, LocalDate day, LocalDateTime local,
                   LocalTime clock, OffsetTime clockTz, Mood mood) {

        static Scalars of(Edge e) {
            return new Scalars(e.id(), e.flag(), e.small(), e.medium(), e.big(), e.money(), e.amount(), e.approx(),
                    e.ratio(), e.single(), e.half(), e.label(), e.code(), e.fixed(), e.doc(), e.data(), e.uid(),
                    e.at(), e.odt(), e.zdt(), e.day(), e.local(), e.clock(), e.clockTz(), e.mood());
        }
    }

    enum Path { INSERT, INSERT_ALL, INSERT_ALL_ARRAYS, UPSERT, UPDATE, UPDATE_SET, COPY_IN }

    enum Transfer { BINARY, TEXT }

    @BeforeAll
    static void tables() {
        Fixtures.db().execute(
                "DO $$ BEGIN CREATE TYPE wf_mood AS ENUM ('CALM', 'ANGRY'); EXCEPTION WHEN duplicate_object THEN "
                        + "NULL; END $$",
                "CREATE TABLE IF NOT EXISTS " + TRUTH + " (" + COLUMNS + ")",
                "CREATE TABLE IF NOT EXISTS " + TARGET + " (" + COLUMNS + ")",
                "TRUNCATE " + TRUTH);
        for (Case c : CASES) {
            Fixtures.db().execute("INSERT INTO " + TRUTH + " VALUES (" + c.edge().id() + ", " + c.literals() + ")");
        }
    }

    static Stream<Arguments> pathsAndTransfers() {
        return Stream.of(Path.values()).flatMap(p -> Stream.of(Transfer.values()).map(t -> Arguments.of(p, t)));
    }

    static R2dbcRepo repo(Transfer transfer) {
        return repo(transfer, sql -> { });
    }

    static R2dbcRepo repo(Transfer transfer, dev.sluice.StatementListener listener) {
        String url = Fixtures.db().r2dbcUrl();
        return R2dbcRepo.builder(transfer == Transfer.BINARY ? url : Fixtures.withParam(url, "forceBinary", false))
                .statementListener(listener).build();
    }

    @ParameterizedTest(name = "{0} on {1} transfer")
    @MethodSource("pathsAndTransfers")
    void everyWritePathStoresExactlyTheJavaValue(Path path, Transfer transfer) {
        Fixtures.db().execute("TRUNCATE " + TARGET);
        List<Edge> edges = CASES.stream().map(Case::edge).toList();
        List<String> statements = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (R2dbcRepo repo = repo(transfer, statements::add)) {
            switch (path) {
                case INSERT -> edges.forEach(e -> written(repo, repo.insert(e)));
                case INSERT_ALL -> written(repo, repo.insertAll(Flux.fromIterable(edges)));
                case INSERT_ALL_ARRAYS -> {
                    written(repo, repo.insertAll(Flux.fromIterable(edges).map(Scalars::of)));
                    // the array columns, which this path does not write, copied from the truth by SQL
                    Fixtures.db().execute("UPDATE " + TARGET + " t SET " + columns().stream()
                            .filter(c -> Stream.of(Scalars.class.getRecordComponents())
                                    .noneMatch(s -> column(s.getName()).equals(c)))
                            .map(c -> c + " = w." + c).collect(Collectors.joining(", ")) + " FROM " + TRUTH
                            + " w WHERE t.id = w.id");
                    assertThat(statements).filteredOn(s -> s.startsWith("INSERT")).singleElement()
                            .satisfies(s -> assertThat(s).contains(" FROM unnest($1::int8[], $2::bool[], "));
                }
                case UPSERT -> {
                    keysOnly(edges);
                    written(repo, repo.upsert(Edge.class).onConflict("id").doUpdate().all(Flux.fromIterable(edges)));
                }
                case UPDATE -> {
                    keysOnly(edges);
                    edges.forEach(e -> written(repo, repo.update(e)));
                }
                case UPDATE_SET -> {
                    keysOnly(edges);
                    Flux.fromIterable(edges).concatMap(e -> setEveryColumn(repo, e)).then().block(TIMEOUT);
                }
                case COPY_IN -> assertThat(repo.copyIn(Edge.class, Flux.fromIterable(edges)).block(TIMEOUT))
                        .isEqualTo(edges.size());
            }
        }
        assertThat(differences()).as(path + " on " + transfer + " transfer").isEmpty();
    }

    /** Runs a write that returns the stored rows, which Sluice reads back through its read path: both must work. */
    private static void written(R2dbcRepo repo, Publisher<?> write) {
        Flux.from(write).blockLast(TIMEOUT);
    }

    private static void keysOnly(List<Edge> edges) {
        Fixtures.db().execute("INSERT INTO " + TARGET + " (id) SELECT unnest(ARRAY" + edges.stream()
                .map(e -> e.id().toString()).collect(Collectors.joining(", ", "[", "]")) + ")");
    }

    /** {@code update(Edge.class).set("c = ?", value)} for every column, {@code set("c = null")} for a null. */
    private static reactor.core.publisher.Mono<Long> setEveryColumn(R2dbcRepo repo, Edge edge) {
        Update<Edge> update = repo.update(Edge.class);
        for (RecordComponent component : Edge.class.getRecordComponents()) {
            if (component.getName().equals("id")) {
                continue;
            }
            Object value;
            try {
                value = component.getAccessor().invoke(edge);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            String column = column(component.getName());
            update = value == null ? update.set(column + " = null") : update.set(column + " = ?", value);
        }
        return update.where("id = ?", edge.id()).execute();
    }

    private static List<String> columns() {
        return Stream.of(Edge.class.getRecordComponents()).map(c -> column(c.getName())).toList();
    }

    private static String column(String component) {
        return component.replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT);
    }

    /**
     * Each column whose text differs between the twin tables, with both texts, in one query: the column of every
     * row as the server spells it, {@code 1='0.00' | 2=NULL | ...}, compared as text (byte for byte).
     */
    private static List<String> differences() {
        String columns = columns().stream().map(c -> "('" + c + "', " + columnText(TARGET, c) + ", "
                + columnText(TRUTH, c) + ")").collect(Collectors.joining(", "));
        String found = Fixtures.queryString("SELECT coalesce(string_agg(c || ': stored ' || coalesce(stored, "
                + "'(no rows)') || E'\\n    expected ' || expected, E'\\n\\n'), '') FROM (VALUES " + columns + ") "
                + "AS d(c, stored, expected) WHERE stored IS DISTINCT FROM expected");
        return found.isEmpty() ? List.of() : List.of(abbreviate(found));
    }

    private static String columnText(String table, String column) {
        return "(SELECT string_agg(id || '=' || quote_nullable(" + column + "::text), ' | ' ORDER BY id) FROM "
                + table + ")";
    }

    private static String abbreviate(String text) {
        return text.length() <= 20_000 ? text : text.substring(0, 10_000) + " ... (" + text.length() + " chars) ... "
                + text.substring(text.length() - 5000);
    }
}
