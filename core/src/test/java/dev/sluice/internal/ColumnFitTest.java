package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

import dev.sluice.spi.TypedNull;
import dev.sluice.spi.UntypedText;
import org.junit.jupiter.api.Test;

class ColumnFitTest {

    /** A column {@code c} of {@code type}, with PostgreSQL's type modifier {@code typmod} (-1 for none). */
    private static ColumnFit column(String type, int typmod) {
        return ColumnFit.of(new TableCheck.ColumnInfo("c", type, false, "", false, typmod, 0));
    }

    private static ColumnFit column(String type) {
        return column(type, -1);
    }

    private static ColumnFit arrayOf(String elementType, int typmod) {
        return ColumnFit.of(new TableCheck.ColumnInfo("c", "_" + elementType, false, elementType, false, typmod, 23));
    }

    /** numeric(precision, scale)'s modifier, as PostgreSQL 15 encodes it (scale may be negative). */
    private static int numeric(int precision, int scale) {
        return ((precision << 16) | (scale & 0x7ff)) + 4;
    }

    private static void refuses(ColumnFit fit, Object value, String message) {
        assertThatThrownBy(() -> fit.fit(value)).isInstanceOf(ColumnFit.Misfit.class).hasMessage(message);
    }

    @Test
    void integerColumnsTakeWholeNumbersInTheirRange() {
        assertThat(column("int4").fit(new BigDecimal("3.000"))).isEqualTo(new BigDecimal("3.000"));
        assertThat(column("int2").fit(-32768L)).isEqualTo(-32768L);
        assertThat(column("int8").fit(new BigDecimal("-9223372036854775808")))
                .isEqualTo(new BigDecimal("-9223372036854775808"));
        refuses(column("int8"), new BigDecimal("9223372036854775808"), "9223372036854775808 does not fit column c "
                + "(int8) exactly: int8 holds -9223372036854775808 to 9223372036854775807");
        refuses(column("int4"), new BigDecimal("-0.5"), "-0.5 does not fit column c (int4) exactly: an integer "
                + "column holds no fraction");
        refuses(column("int2"), 32768, "32768 does not fit column c (int2) exactly: int2 holds -32768 to 32767");
    }

    @Test
    void numericKeepsScaleAndRefusesWhatItWouldRound() {
        assertThat(column("numeric").fit(new BigDecimal("0.00"))).isEqualTo(new BigDecimal("0.00"));
        assertThat(column("numeric", numeric(5, 2)).fit(new BigDecimal("1.100"))).isEqualTo(new BigDecimal("1.100"));
        assertThat(column("numeric", numeric(5, 2)).fit(new BigDecimal("-999.99")))
                .isEqualTo(new BigDecimal("-999.99"));
        assertThat(column("numeric", numeric(3, -2)).fit(new BigDecimal("12300")))
                .isEqualTo(new BigDecimal("12300"));
        refuses(column("numeric", numeric(3, -2)), new BigDecimal("12345"), "12345 does not fit column c "
                + "(numeric(3,-2)) exactly: numeric(3,-2) rounds to -2 decimal places");
        refuses(column("numeric", numeric(5, 2)), new BigDecimal("-1000"), "-1000 does not fit column c "
                + "(numeric(5,2)) exactly: numeric(5,2) holds absolute values below 1000");
        refuses(column("numeric"), new BigDecimal("1E-16384"), "1E-16384 does not fit column c (numeric) exactly: "
                + "numeric holds at most 131072 digits before the decimal point and 16383 after it");
        refuses(column("numeric"), new BigDecimal("1E+131072"), "1E+131072 does not fit column c (numeric) "
                + "exactly: numeric holds at most 131072 digits before the decimal point and 16383 after it");
    }

    @Test
    void aDoubleGoesToNumericAsItsShortestDecimalAndItsSpecialValuesAsNumericsOwn() {
        ColumnFit numeric = column("numeric");
        assertThat(numeric.fit(0.30000000000000004)).isEqualTo(new BigDecimal("0.30000000000000004"));
        assertThat(numeric.fit(1.0)).isEqualTo(new BigDecimal("1"));
        assertThat(numeric.fit(1e20)).isEqualTo(new BigDecimal("100000000000000000000"));
        assertThat(numeric.fit(Double.NaN)).isEqualTo(Double.NaN);
        assertThat(numeric.fit(Double.NEGATIVE_INFINITY)).isEqualTo(Double.NEGATIVE_INFINITY);
        refuses(numeric, -0.0, "-0.0 does not fit column c (numeric) exactly: numeric has no negative zero");
        assertThat(column("numeric", numeric(5, 2)).fit(Double.NaN)).isEqualTo(Double.NaN);
        refuses(column("numeric", numeric(5, 2)), Double.NEGATIVE_INFINITY, "-Infinity does not fit column c "
                + "(numeric(5,2)) exactly: numeric(5,2) holds no infinity");
    }

    @Test
    void float4TakesOnlyDoublesAFloatHoldsExactly() {
        assertThat(column("float4").fit(0.5)).isEqualTo(0.5);
        assertThat(column("float4").fit(Double.NaN)).isEqualTo(Double.NaN);
        assertThat(column("float4").fit(-0.0)).isEqualTo(-0.0);
        assertThat(column("float4").fit((double) Float.MIN_VALUE)).isEqualTo((double) Float.MIN_VALUE);
        refuses(column("float4"), 1e-50, "1.0E-50 does not fit column c (float4) exactly: float4 would store 0.0; "
                + "declare the component as Float, or make the column float8");
    }

    @Test
    void textHoldsNoNulNorLoneSurrogateAndAtMostItsLength() {
        assertThat(column("varchar", 4 + 2).fit("\uD83D\uDE00\uD83D\uDE00")).isEqualTo("\uD83D\uDE00\uD83D\uDE00");
        refuses(column("bpchar", 4 + 2), "abc", "'abc' does not fit column c (bpchar(2)) exactly: bpchar(2) holds at "
                + "most 2 characters, and it has 3");
        refuses(column("text"), "\uDE00x", "'\uDE00x' does not fit column c (text) exactly: it holds an unpaired "
                + "surrogate (U+DE00 at index 0), which has no UTF-8 form");
        refuses(column("name"), "\u00e9".repeat(32), "'" + "\u00e9".repeat(32) + "' does not fit column c (name) "
                + "exactly: name holds at most 63 bytes, which PostgreSQL would cut it to");
        assertThat(column("text").fit("x".repeat(100_000))).isEqualTo("x".repeat(100_000));
    }

    @Test
    void timestamptzTakesMicrosecondsWithinPostgresRangeAndMapsMaxAndMinToInfinity() {
        ColumnFit tz = column("timestamptz");
        assertThat(tz.fit(OffsetDateTime.MAX)).isEqualTo(Instant.MAX);
        assertThat(tz.fit(OffsetDateTime.MIN)).isEqualTo(Instant.MIN);
        assertThat(tz.fit(Instant.MIN)).isEqualTo(Instant.MIN);
        assertThat(tz.fit(OffsetDateTime.of(2024, 5, 1, 12, 0, 0, 1000, ZoneOffset.ofHours(18))))
                .isEqualTo(Instant.parse("2024-04-30T18:00:00.000001Z"));
        assertThat(tz.fit(ZonedDateTime.of(-4712, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC)))
                .isEqualTo(Instant.parse("-4712-01-01T00:00:00Z"));
        refuses(tz, Instant.parse("-4712-01-01T00:00:00Z").minusNanos(1000), "-4713-12-31T23:59:59.999999Z does "
                + "not fit column c (timestamptz) exactly: Sluice writes timestamptz values from 4713-01-01 00:00:00+00"
                + " BC to 294276-12-31 23:59:59.999999+00, and Instant.MIN and MAX (or OffsetDateTime's) as -infinity"
                + " and infinity");
        refuses(column("timestamptz", 3), Instant.parse("2024-05-01T00:00:00.000100Z"), "2024-05-01T00:00:00.000100Z "
                + "does not fit column c (timestamptz(3)) exactly: timestamptz(3) keeps 3 fractional digits of a "
                + "second, so PostgreSQL would round it");
    }

    @Test
    void localTypesMapTheirMaxAndMinToInfinityAndRefuseOtherValuesBeyondTheRange() {
        assertThat(column("date").fit(LocalDate.MAX)).isEqualTo(LocalDate.MAX);
        assertThat(column("timestamp").fit(LocalDateTime.MIN)).isEqualTo(LocalDateTime.MIN);
        assertThat(column("time").fit(LocalTime.MAX)).isEqualTo(LocalTime.MAX);
        refuses(column("timestamp"), LocalDateTime.of(294277, 1, 1, 0, 0), "+294277-01-01T00:00 does not fit column "
                + "c (timestamp) exactly: Sluice writes timestamp values from 4713-01-01 00:00:00 BC to 294276-12-31 "
                + "23:59:59.999999, and LocalDateTime.MIN and MAX as -infinity and infinity");
        refuses(column("time"), LocalTime.of(1, 2, 3, 4), "01:02:03.000000004 does not fit column c (time) exactly: "
                + "time keeps microseconds, so PostgreSQL would round it; truncate it first, e.g. "
                + "truncatedTo(ChronoUnit.MICROS)");
        refuses(column("timetz"), OffsetTime.of(1, 0, 0, 0, ZoneOffset.ofHours(16)), "01:00+16:00 does not fit "
                + "column c (timetz) exactly: timetz holds offsets up to 15:59:59 either way");
    }

    @Test
    void arraysAreCheckedElementByElement() {
        Object[] ints = {1L, null, 2L};
        assertThat(arrayOf("int4", -1).fit(ints)).isSameAs(ints);
        assertThatThrownBy(() -> arrayOf("int4", -1).fit(new Long[] {1L, 1L << 40}))
                .hasMessage("1099511627776 (element 2) does not fit column c (int4[]) exactly: int4 holds "
                        + "-2147483648 to 2147483647");
        assertThatThrownBy(() -> arrayOf("numeric", numeric(5, 2)).fit(new Double[] {0.5, 0.125}))
                .hasMessage("0.125 (element 2) does not fit column c (numeric(5,2)[]) exactly: numeric(5,2) rounds "
                        + "to 2 decimal places");
        assertThat(arrayOf("timestamptz", -1).fit(new OffsetDateTime[] {OffsetDateTime.MAX, null,
                OffsetDateTime.of(2000, 1, 1, 1, 0, 0, 0, ZoneOffset.ofHours(1))}))
                .isEqualTo(new Instant[] {Instant.MAX, null, Instant.parse("2000-01-01T00:00:00Z")});
    }

    @Test
    void enumAndJsonColumnsAreBoundAsUntypedTextAndDoublesIntoNumericArraysAsTheirText() {
        ColumnFit mood = ColumnFit.of(new TableCheck.ColumnInfo("c", "mood", true, "", false));
        assertThat(mood.bindable(mood.fit("CALM"))).isEqualTo(new UntypedText("CALM"));
        assertThat(mood.nullFor(String.class)).isEqualTo(new TypedNull(UntypedText.class));
        assertThat(column("jsonb").bindable(column("jsonb").fit("{\"a\": 1}"))).isEqualTo(new UntypedText("{\"a\": 1}"));
        assertThat(column("text").nullFor(String.class)).isEqualTo(new TypedNull(String.class));
        ColumnFit numerics = arrayOf("numeric", -1);
        assertThat(numerics.bindable(numerics.fit(new Double[] {0.30000000000000004, null, Double.NaN,
                Double.POSITIVE_INFINITY, 1e20})))
                .isEqualTo(new UntypedText("{0.30000000000000004,NULL,NaN,Infinity,100000000000000000000}"));
        Object decimals = new BigDecimal[] {BigDecimal.ONE};
        assertThat(numerics.bindable(numerics.fit(decimals))).isSameAs(decimals);
    }

    @Test
    void columnsOfTypesSluiceDoesNotKnowAreLeftToTheDriver() {
        Object value = new Object();
        assertThat(column("point").fit(value)).isSameAs(value);
        assertThat(column("point").bindable(value)).isSameAs(value);
    }
}
