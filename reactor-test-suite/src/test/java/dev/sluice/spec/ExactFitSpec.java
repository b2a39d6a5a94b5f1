package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.stream.Stream;

import dev.sluice.WriteException;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;

/**
 * A value that does not fit its column exactly (PostgreSQL would round it, wrap it, or refuse it without naming the
 * column) is refused before anything is sent, on every write path alike, with a {@link WriteException} that names
 * the operation, the input row and the column; the table shows nothing of that statement was written.
 */
class ExactFitSpec {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final String TABLE = "fit_row";

    /** Components wider than their columns, as the table check allows: each can hold a value that does not fit. */
    @Table(TABLE)
    record Wide(@Id Long id, BigDecimal small, Long medium, BigDecimal big, BigDecimal money, Double single,
                Double approx, Instant at, LocalDate day, String code, BigDecimal[] ints) {

        static Wide good(long id) {
            return new Wide(id, BigDecimal.ONE, 1L, BigDecimal.TEN, new BigDecimal("1.50"), 0.5, 0.25,
                    Instant.parse("2024-05-01T10:15:30.123456Z"), LocalDate.of(2024, 5, 1), "abc",
                    new BigDecimal[] {BigDecimal.ONE, null});
        }

        Wide withSmall(BigDecimal value) {
            return new Wide(id, value, medium, big, money, single, approx, at, day, code, ints);
        }
    }

    R2dbcRepo repo;

    @BeforeAll
    static void table() {
        Fixtures.db().execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (id bigint PRIMARY KEY, small int2, "
                + "medium int4, big int8, money numeric(5,2), single float4, approx numeric(5,2), at timestamptz, "
                + "day date, code varchar(3), ints int4[])");
    }

    @BeforeEach
    void open() {
        Fixtures.db().execute("TRUNCATE " + TABLE);
        repo = Fixtures.repo();
    }

    @AfterEach
    void close() {
        repo.close();
    }

    private static long rows() {
        return Fixtures.db().queryLong("SELECT count(*) FROM " + TABLE);
    }

    /** Five good rows but the third, which holds {@code bad}. */
    private static Flux<Wide> fiveWithThird(Wide bad) {
        return Flux.range(1, 5).map(i -> i == 3 ? bad : Wide.good(i));
    }

    static Stream<Arguments> misfits() {
        Wide w = Wide.good(3);
        return Stream.of(
                Arguments.of(w.withSmall(new BigDecimal("2.5")), "small",
                        "2.5 does not fit column small (int2) exactly: an integer column holds no fraction"),
                Arguments.of(w.withSmall(new BigDecimal("40000")), "small",
                        "40000 does not fit column small (int2) exactly: int2 holds -32768 to 32767"),
                Arguments.of(new Wide(3L, null, 3_000_000_000L, null, null, null, null, null, null, null, null),
                        "medium",
                        "3000000000 does not fit column medium (int4) exactly: int4 holds -2147483648 to 2147483647"),
                Arguments.of(new Wide(3L, null, null, new BigDecimal("1E+20"), null, null, null, null, null, null,
                                null), "big",
                        "1E+20 does not fit column big (int8) exactly: int8 holds -9223372036854775808 to "
                                + "9223372036854775807"),
                Arguments.of(new Wide(3L, null, null, null, new BigDecimal("1.005"), null, null, null, null, null,
                                null), "money",
                        "1.005 does not fit column money (numeric(5,2)) exactly: numeric(5,2) rounds to 2 decimal "
                                + "places"),
                Arguments.of(new Wide(3L, null, null, null, new BigDecimal("1000.00"), null, null, null, null, null,
                                null), "money",
                        "1000.00 does not fit column money (numeric(5,2)) exactly: numeric(5,2) holds absolute values "
                                + "below 1000"),
                Arguments.of(new Wide(3L, null, null, null, null, 0.1, null, null, null, null, null), "single",
                        "0.1 does not fit column single (float4) exactly: float4 would store 0.10000000149011612; "
                                + "declare the component as Float, or make the column float8"),
                Arguments.of(new Wide(3L, null, null, null, null, 1e40, null, null, null, null, null), "single",
                        "1.0E40 does not fit column single (float4) exactly: float4 would store Infinity; declare the "
                                + "component as Float, or make the column float8"),
                Arguments.of(new Wide(3L, null, null, null, null, null, 0.125, null, null, null, null), "approx",
                        "0.125 does not fit column approx (numeric(5,2)) exactly: numeric(5,2) rounds to 2 decimal "
                                + "places"),
                Arguments.of(new Wide(3L, null, null, null, null, null, -0.0, null, null, null, null), "approx",
                        "-0.0 does not fit column approx (numeric(5,2)) exactly: numeric has no negative zero"),
                Arguments.of(new Wide(3L, null, null, null, null, null, Double.POSITIVE_INFINITY, null, null, null,
                                null), "approx",
                        "Infinity does not fit column approx (numeric(5,2)) exactly: numeric(5,2) holds no infinity"),
                Arguments.of(new Wide(3L, null, null, null, null, null, null,
                                Instant.parse("2024-05-01T10:15:30.123456789Z"), null, null, null), "at",
                        "2024-05-01T10:15:30.123456789Z does not fit column at (timestamptz) exactly: timestamptz "
                                + "keeps microseconds, so PostgreSQL would round it; truncate it first, e.g. "
                                + "truncatedTo(ChronoUnit.MICROS)"),
                Arguments.of(new Wide(3L, null, null, null, null, null, null,
                                Instant.parse("+300000-01-01T00:00:00Z"), null, null, null), "at",
                        "+300000-01-01T00:00:00Z does not fit column at (timestamptz) exactly: Sluice writes "
                                + "timestamptz values from 4713-01-01 00:00:00+00 BC to 294276-12-31 "
                                + "23:59:59.999999+00, and Instant.MIN and MAX (or OffsetDateTime's) as -infinity and "
                                + "infinity"),
                Arguments.of(new Wide(3L, null, null, null, null, null, null, null, LocalDate.of(5874898, 1, 1), null,
                                null), "day",
                        "+5874898-01-01 does not fit column day (date) exactly: Sluice writes date values from "
                                + "4713-01-01 BC to 5874897-12-31, and LocalDate.MIN and MAX as -infinity and "
                                + "infinity"),
                Arguments.of(new Wide(3L, null, null, null, null, null, null, null, LocalDate.of(-4713, 12, 1), null,
                                null), "day",
                        "-4713-12-01 does not fit column day (date) exactly: Sluice writes date values from "
                                + "4713-01-01 BC to 5874897-12-31, and LocalDate.MIN and MAX as -infinity and "
                                + "infinity"),
                Arguments.of(new Wide(3L, null, null, null, null, null, null, null, null, "abcd", null), "code",
                        "'abcd' does not fit column code (varchar(3)) exactly: varchar(3) holds at most 3 characters, "
                                + "and it has 4"),
                Arguments.of(new Wide(3L, null, null, null, null, null, null, null, null, "a\u0000", null), "code",
                        "'a\u0000' does not fit column code (varchar(3)) exactly: PostgreSQL text cannot hold the "
                                + "character U+0000"),
                Arguments.of(new Wide(3L, null, null, null, null, null, null, null, null, "a\uD800", null), "code",
                        "'a\uD800' does not fit column code (varchar(3)) exactly: it holds an unpaired surrogate "
                                + "(U+D800 at index 1), which has no UTF-8 form"),
                Arguments.of(new Wide(3L, null, null, null, null, null, null, null, null, null,
                                new BigDecimal[] {BigDecimal.ONE, null, new BigDecimal("2.5")}), "ints",
                        "2.5 (element 3) does not fit column ints (int4[]) exactly: an integer column holds no "
                                + "fraction"));
    }

    @ParameterizedTest(name = "{1}: {2}")
    @MethodSource("misfits")
    void insertAllRefusesAValueThatDoesNotFitAndWritesNothingOfItsStatement(Wide bad, String component,
                                                                            String misfit) {
        WriteException e = catchThrowableOfType(WriteException.class,
                () -> repo.insertAll(fiveWithThird(bad)).blockLast(TIMEOUT));
        assertThat(e).hasMessage("insertAll of Wide into fit_row was refused at input row 3 (id=3), component "
                + component + ": " + misfit + "; nothing of the statement of input rows 1 to 5 was written");
        assertThat(e.firstRow()).isEqualTo(1);
        assertThat(e.rows()).isEqualTo(5);
        assertThat(e.sqlState()).isNull();
        assertThat(rows()).isZero();
    }

    @ParameterizedTest(name = "{1}: {2}")
    @MethodSource("misfits")
    void copyInRefusesTheSameValuesAndWritesNothing(Wide bad, String component, String misfit) {
        WriteException e = catchThrowableOfType(WriteException.class,
                () -> repo.copyIn(Wide.class, fiveWithThird(bad)).block(TIMEOUT));
        assertThat(e).hasMessage("copyIn of Wide into fit_row was refused at input row 3 (id=3), component "
                + component + ": " + misfit + "; nothing was written");
        assertThat(rows()).isZero();
    }

    private static final String HALF = "2.5 does not fit column small (int2) exactly: an integer column holds no "
            + "fraction";

    @Test
    void insertAllWritesTheBatchesBeforeTheOneThatHoldsTheMisfit() {
        try (R2dbcRepo batchesOfTwo = R2dbcRepo.builder(Fixtures.db().r2dbcUrl()).writeBatchSize(2).build()) {
            WriteException e = catchThrowableOfType(WriteException.class, () -> batchesOfTwo
                    .insertAll(fiveWithThird(Wide.good(3).withSmall(new BigDecimal("2.5")))).blockLast(TIMEOUT));
            assertThat(e).hasMessage("insertAll of Wide into fit_row was refused at input row 3 (id=3), component "
                    + "small: " + HALF + "; nothing of the statement of input rows 3 to 4 was written");
            assertThat(e.firstRow()).isEqualTo(3);
            assertThat(e.rows()).isEqualTo(2);
        }
        assertThat(Fixtures.queryString("SELECT string_agg(id::text, ',' ORDER BY id) FROM " + TABLE))
                .isEqualTo("1,2");
    }

    @Test
    void insertRefusesIt() {
        WriteException e = catchThrowableOfType(WriteException.class,
                () -> repo.insert(Wide.good(3).withSmall(new BigDecimal("2.5"))).block(TIMEOUT));
        assertThat(e).hasMessage("insert of Wide into fit_row was refused at input row 1 (id=3), component small: "
                + HALF + "; nothing was written");
        assertThat(e.firstRow()).isEqualTo(1);
        assertThat(e.rows()).isEqualTo(1);
        assertThat(rows()).isZero();
    }

    @Test
    void upsertRefusesIt() {
        WriteException all = catchThrowableOfType(WriteException.class, () -> repo.upsert(Wide.class)
                .onConflict("id").doUpdate().all(fiveWithThird(Wide.good(3).withSmall(new BigDecimal("2.5"))))
                .blockLast(TIMEOUT));
        assertThat(all).hasMessage("upsert of Wide into fit_row was refused at input row 3 (id=3), component small: "
                + HALF + "; nothing of the statement of input rows 1 to 5 was written");
        WriteException one = catchThrowableOfType(WriteException.class, () -> repo.upsert(Wide.class)
                .onConflict("id").doNothing().one(Wide.good(3).withSmall(new BigDecimal("2.5"))).block(TIMEOUT));
        assertThat(one).hasMessage("upsert of Wide into fit_row was refused at input row 1 (id=3), component small: "
                + HALF + "; nothing was written");
        assertThat(rows()).isZero();
    }

    @Test
    void updateByEntityRefusesItAndLeavesTheRowAsItWas() {
        repo.insert(Wide.good(3)).block(TIMEOUT);
        String before = Fixtures.queryString("SELECT " + TABLE + "::text FROM " + TABLE);
        WriteException e = catchThrowableOfType(WriteException.class,
                () -> repo.update(Wide.good(3).withSmall(new BigDecimal("2.5"))).block(TIMEOUT));
        assertThat(e).hasMessage("update of Wide in fit_row was refused at input row 1 (id=3), component small: "
                + HALF + "; nothing was written");
        assertThat(Fixtures.queryString("SELECT " + TABLE + "::text FROM " + TABLE)).isEqualTo(before);
    }

    @Test
    void setOfOneColumnRefusesItAndLeavesTheRowAsItWas() {
        repo.insert(Wide.good(3)).block(TIMEOUT);
        String before = Fixtures.queryString("SELECT " + TABLE + "::text FROM " + TABLE);
        WriteException e = catchThrowableOfType(WriteException.class, () -> repo.update(Wide.class)
                .set("money = ?", new BigDecimal("1.50")).set("small = ?", new BigDecimal("2.5"))
                .where("id = ?", 3L).execute().block(TIMEOUT));
        assertThat(e).hasMessage("update(Wide.class).set(\"small = ?\") was refused: " + HALF
                + "; nothing was written");
        assertThat(Fixtures.queryString("SELECT " + TABLE + "::text FROM " + TABLE)).isEqualTo(before);
    }

    @Test
    void valuesThatFitAreWrittenOnEveryPath() {
        assertThat(repo.insertAll(Flux.range(1, 2).map(Wide::good)).count().block(TIMEOUT)).isEqualTo(2);
        assertThat(repo.copyIn(Wide.class, Flux.range(3, 2).map(Wide::good)).block(TIMEOUT)).isEqualTo(2);
        assertThat(repo.update(Wide.class).set("small = ?", new BigDecimal("7.000")).set("money = ?",
                new BigDecimal("999.9")).where("id = ?", 1L).execute().block(TIMEOUT)).isEqualTo(1);
        assertThat(Fixtures.queryString("SELECT string_agg(" + TABLE + "::text, ' ' ORDER BY id) FROM " + TABLE))
                .isEqualTo("(1,7,1,10,999.90,0.5,0.25,\"2024-05-01 10:15:30.123456+00\",2024-05-01,abc,\"{1,NULL}\") "
                        + "(2,1,1,10,1.50,0.5,0.25,\"2024-05-01 10:15:30.123456+00\",2024-05-01,abc,\"{1,NULL}\") "
                        + "(3,1,1,10,1.50,0.5,0.25,\"2024-05-01 10:15:30.123456+00\",2024-05-01,abc,\"{1,NULL}\") "
                        + "(4,1,1,10,1.50,0.5,0.25,\"2024-05-01 10:15:30.123456+00\",2024-05-01,abc,\"{1,NULL}\")");
    }
}
