package dev.sluice.r2dbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The wire formats decoded by hand, for what the type fidelity spec against PostgreSQL cannot easily make the server
 * send: a numeric whose digits go past its display scale, text the cursor must refuse, arrays of two dimensions.
 * Binary values are built as PostgreSQL's send functions write them.
 */
class WireValuesTest {

    private static byte[] numeric(int weight, int sign, int displayScale, int... digits) {
        ByteBuffer buffer = ByteBuffer.allocate(8 + 2 * digits.length);
        buffer.putShort((short) digits.length).putShort((short) weight).putShort((short) sign)
                .putShort((short) displayScale);
        for (int digit : digits) {
            buffer.putShort((short) digit);
        }
        return buffer.array();
    }

    private static Object binaryNumeric(byte[] bytes) {
        return WireValues.numeric(bytes, 0, bytes.length, true);
    }

    private static byte[] text(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aBinaryNumericKeepsItsDisplayScale() {
        assertThat(binaryNumeric(numeric(0, 0, 2))).isEqualTo(new BigDecimal("0.00"));
        assertThat(binaryNumeric(numeric(0, 0, 2, 1, 1000))).isEqualTo(new BigDecimal("1.10"));
        assertThat(binaryNumeric(numeric(0, 0x4000, 2, 1, 1000))).isEqualTo(new BigDecimal("-1.10"));
        assertThat(binaryNumeric(numeric(5, 0, 0, 1))).isEqualTo(new BigDecimal("100000000000000000000"));
        assertThat(binaryNumeric(numeric(-1, 0, 7, 1))).isEqualTo(new BigDecimal("0.0001000"));
        // more base-10000 digits than a long holds: 1234 5678 9012 3456 7890 . 1234
        assertThat(binaryNumeric(numeric(4, 0, 4, 1234, 5678, 9012, 3456, 7890, 1234)))
                .isEqualTo(new BigDecimal("12345678901234567890.1234"));
    }

    @Test
    void aBinaryNumericNaNOrInfinityIsSpecial() {
        assertThat(binaryNumeric(numeric(0, 0xC000, 0))).isEqualTo(WireValues.Special.NAN);
        assertThat(binaryNumeric(numeric(0, 0xD000, 0))).isEqualTo(WireValues.Special.INFINITY);
        assertThat(binaryNumeric(numeric(0, 0xF000, 0))).isEqualTo(WireValues.Special.NEGATIVE_INFINITY);
        assertThat(WireValues.numeric(text("-Infinity"), 0, 9, false))
                .isEqualTo(WireValues.Special.NEGATIVE_INFINITY);
    }

    @Test
    void aLeapDayBeforeChristIsReadInItsEra() {
        // 45 BC is the proleptic year -44, a leap year; 45 AD is not, so the era must be known before the day
        byte[] day = text("0045-02-29 BC");
        assertThat(WireValues.date(day, 0, day.length, false)).isEqualTo(LocalDate.of(-44, 2, 29));
        byte[] timestamp = text("0045-02-29 23:59:59.5 BC");
        assertThat(WireValues.timestamp(timestamp, 0, timestamp.length, false))
                .isEqualTo(LocalDateTime.of(-44, 2, 29, 23, 59, 59, 500_000_000));
    }

    @Test
    void aTimestamptzInTextKeepsAnOffsetWithSeconds() {
        byte[] value = text("1900-01-01 00:19:32+00:19:32");
        assertThat(WireValues.timestamptz(value, 0, value.length, false)).isEqualTo(Instant.parse("1900-01-01T00:00:00Z"));
        byte[] negative = text("2026-12-01 12:00:00.000001-03:30");
        assertThat(WireValues.timestamptz(negative, 0, negative.length, false))
                .isEqualTo(Instant.parse("2026-12-01T15:30:00.000001Z"));
    }

    @Test
    void midnightAtTheEndOfTheDayIsTheLastTimeOfTheDay() {
        byte[] binary = ByteBuffer.allocate(12).putLong(86_400_000_000L).putInt(-7200).array();
        assertThat(WireValues.time(binary, 0, 8, true)).isEqualTo(LocalTime.MAX);
        assertThat(WireValues.timetz(binary, 0, 12, true))
                .isEqualTo(OffsetTime.of(LocalTime.MAX, ZoneOffset.ofHours(2)));
        byte[] text = text("24:00:00+02");
        assertThat(WireValues.timetz(text, 0, text.length, false))
                .isEqualTo(OffsetTime.of(LocalTime.MAX, ZoneOffset.ofHours(2)));
    }

    @Test
    void textThatIsNoIsoDateIsRefusedSayingWhy() {
        byte[] german = text("15.03.0044 v.Chr.");
        assertThatThrownBy(() -> WireValues.date(german, 0, german.length, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot read '15.03.0044 v.Chr.' at position 2 as an ISO date or time; Sluice reads "
                        + "PostgreSQL's DateStyle ISO, which r2dbc-postgresql sets: do not change it");
    }

    @Test
    void aTextArrayUnquotesItsElementsAndTellsNullFromTheWordNull() {
        List<Object> elements = WireValues.array(text("{\"a,b\",NULL,\"NULL\",\"\\\"q\\\"\",\"back\\\\slash\",\"\",x}"),
                false, (bytes, offset, length, binary) -> new String(bytes, offset, length, StandardCharsets.UTF_8));
        assertThat(elements).containsExactly("a,b", null, "NULL", "\"q\"", "back\\slash", "", "x");
        assertThat(WireValues.array(text("[0:1]={7,8}"), false, WireValues::integer)).containsExactly(7L, 8L);
        assertThat(WireValues.array(text("{}"), false, WireValues::integer)).isEmpty();
    }

    @Test
    void anArrayOfTwoDimensionsIsRefused() {
        assertThatThrownBy(() -> WireValues.array(text("{{1,2},{3,4}}"), false, WireValues::integer))
                .hasMessage("The array has 2 dimensions; Sluice reads arrays of one dimension into Java arrays");
        byte[] binary = ByteBuffer.allocate(28).putInt(2).putInt(0).putInt(20).putInt(1).putInt(1).putInt(1)
                .putInt(1).array();
        assertThatThrownBy(() -> WireValues.array(binary, true, WireValues::integer))
                .hasMessage("The array has 2 dimensions; Sluice reads arrays of one dimension into Java arrays");
    }

    @Test
    void binaryJsonbLosesItsVersionByte() {
        byte[] jsonb = new byte[] {1, '{', '}'};
        assertThat(WireValues.jsonb(jsonb, 0, 3, true)).isEqualTo("{}");
        byte[] future = Arrays.copyOf(jsonb, 3);
        future[0] = 2;
        assertThatThrownBy(() -> WireValues.jsonb(future, 0, 3, true))
                .hasMessage("Unknown binary jsonb version 2; Sluice reads version 1");
    }
}
