package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import dev.sluice.QueryException;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import org.junit.jupiter.api.Test;

class BinaryCopyTest {

    enum Mood { CALM }

    @Table("picture")
    record Picture(@Id Long id, String name, int size, Instant takenAt, LocalDate day, Mood mood) {
    }

    private static final Map<String, TableCheck.ColumnInfo> TYPES = Map.of(
            "id", new TableCheck.ColumnInfo("id", "int8", false, "", true),
            "name", new TableCheck.ColumnInfo("name", "text", false, "", false),
            "size", new TableCheck.ColumnInfo("size", "int8", false, "", true),
            "taken_at", new TableCheck.ColumnInfo("taken_at", "timestamptz", false, "", false),
            "day", new TableCheck.ColumnInfo("day", "date", false, "", false),
            "mood", new TableCheck.ColumnInfo("mood", "mood", true, "", false));

    private static BinaryCopy<Picture> copy(List<Property> columns, Map<String, TableCheck.ColumnInfo> types) {
        return BinaryCopy.of(PostgresDialect.INSTANCE, EntityModel.of(Picture.class), columns, types);
    }

    @Test
    void headerAndTrailerAreTheDocumentedBytes() {
        assertThat(HexFormat.of().formatHex(BinaryCopy.HEADER)).isEqualTo("5047434f50590aff0d0a00" + "00000000"
                + "00000000");
        assertThat(HexFormat.of().formatHex(BinaryCopy.TRAILER)).isEqualTo("ffff");
    }

    @Test
    void encodesEachFieldByTheColumnsTypeAndNullAsMinusOne() {
        EntityModel<Picture> model = EntityModel.of(Picture.class);
        BinaryCopy<Picture> copy = copy(model.properties(), TYPES);
        assertThat(copy.sql()).isEqualTo("COPY picture (id, name, size, taken_at, day, mood) FROM STDIN (FORMAT binary)");
        byte[] bytes = copy.encode(List.of(new Picture(7L, null, 3, Instant.parse("2000-01-01T00:00:01Z"),
                LocalDate.of(2000, 1, 3), Mood.CALM)));
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo("0006"
                + "00000008" + "0000000000000007"     // id int8
                + "ffffffff"                          // name NULL
                + "00000008" + "0000000000000003"     // int component into an int8 column
                + "00000008" + "00000000000f4240"     // one second after 2000-01-01, in microseconds
                + "00000004" + "00000002"             // two days after 2000-01-01
                + "00000004" + "43414c4d");           // enum label CALM
    }

    @Test
    void aColumnTypeWithoutBinaryEncodingNamesTheFix() {
        EntityModel<Picture> model = EntityModel.of(Picture.class);
        Map<String, TableCheck.ColumnInfo> types = new java.util.HashMap<>(TYPES);
        types.put("name", new TableCheck.ColumnInfo("name", "point", false, "", false));
        assertThatThrownBy(() -> copy(model.properties(), types))
                .isInstanceOf(QueryException.class)
                .hasMessage("copyIn(Picture.class): column name is point, which Sluice's binary COPY does not "
                        + "write; use insertAll for Picture");
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    @Test
    void numericIsWrittenInBase10000WithItsScale() {
        // ndigits, weight, sign, dscale, then the base-10000 digits
        assertThat(hex(BinaryCopy.numeric(new BigDecimal("0.00")))).isEqualTo("0000" + "0000" + "0000" + "0002");
        assertThat(hex(BinaryCopy.numeric(new BigDecimal("1.10")))).isEqualTo("0002" + "0000" + "0000" + "0002"
                + "0001" + "03e8");
        assertThat(hex(BinaryCopy.numeric(new BigDecimal("-12345.6789")))).isEqualTo("0003" + "0001" + "4000"
                + "0004" + "0001" + "0929" + "1a85");
        assertThat(hex(BinaryCopy.numeric(new BigDecimal("1E+3")))).isEqualTo("0001" + "0000" + "0000" + "0000"
                + "03e8");
        assertThat(hex(BinaryCopy.numeric(new BigDecimal("10000")))).isEqualTo("0001" + "0001" + "0000" + "0000"
                + "0001");
        assertThat(hex(BinaryCopy.numeric(new BigDecimal("0.0001")))).isEqualTo("0001" + "ffff" + "0000" + "0004"
                + "0001");
        assertThat(hex(BinaryCopy.numeric(0.1))).isEqualTo("0001" + "ffff" + "0000" + "0001" + "03e8");
        assertThat(hex(BinaryCopy.numeric(Double.NaN))).isEqualTo("0000" + "0000" + "c000" + "0000");
        assertThat(hex(BinaryCopy.numeric(Double.POSITIVE_INFINITY))).isEqualTo("0000" + "0000" + "d000" + "0000");
        assertThat(hex(BinaryCopy.numeric(Double.NEGATIVE_INFINITY))).isEqualTo("0000" + "0000" + "f000" + "0000");
    }

    @Test
    void arraysAreOneDimensionalWithTheColumnsElementType() {
        assertThat(hex(BinaryCopy.array(new Long[] {1L, null}, 23,
                v -> java.nio.ByteBuffer.allocate(4).putInt(((Number) v).intValue()).array())))
                .isEqualTo("00000001" + "00000001" + "00000017" + "00000002" + "00000001" // 1 dim, has nulls, int4
                        + "00000004" + "00000001" + "ffffffff");
        assertThat(hex(BinaryCopy.array(new Long[0], 23, v -> new byte[0]))).isEqualTo("00000000" + "00000000"
                + "00000017");
    }

    @Test
    void infinityAndAncientValuesAreWrittenAsPostgresqlsOwn() {
        assertThat(BinaryCopy.days(LocalDate.MAX)).isEqualTo(Integer.MAX_VALUE);
        assertThat(BinaryCopy.days(LocalDate.MIN)).isEqualTo(Integer.MIN_VALUE);
        assertThat(BinaryCopy.days(LocalDate.of(1, 1, 1))).isEqualTo(-730119);
        assertThat(BinaryCopy.micros(LocalDateTime.MAX)).isEqualTo(Long.MAX_VALUE);
        assertThat(BinaryCopy.micros(Instant.MIN)).isEqualTo(Long.MIN_VALUE);
        assertThat(BinaryCopy.micros(Instant.parse("0001-01-01T00:00:00.000001Z"))).isEqualTo(-63082281599999999L);
        assertThat(BinaryCopy.micros(LocalDateTime.of(294276, 12, 31, 23, 59, 59, 999_999_000)))
                .isEqualTo(9223371331199999999L);
    }

    @Table("span")
    record Span(@Id Long id, BigDecimal amount, Long[] counts, LocalTime until, OffsetTime at) {
    }

    private static final Map<String, TableCheck.ColumnInfo> SPAN = Map.of(
            "id", new TableCheck.ColumnInfo("id", "int8", false, "", true),
            "amount", new TableCheck.ColumnInfo("amount", "numeric", false, "", false, ((5 << 16) | 2) + 4, 0),
            "counts", new TableCheck.ColumnInfo("counts", "_int4", false, "int4", false, -1, 23),
            "until", new TableCheck.ColumnInfo("until", "time", false, "", false),
            "at", new TableCheck.ColumnInfo("at", "timetz", false, "", false));

    @Test
    void encodesNumericArraysAndTimesByTheColumnsTypes() {
        EntityModel<Span> model = EntityModel.of(Span.class);
        byte[] bytes = BinaryCopy.of(PostgresDialect.INSTANCE, model, model.properties(), SPAN).encode(List.of(
                new Span(1L, new BigDecimal("2.5"), new Long[] {7L}, LocalTime.MAX,
                        OffsetTime.of(1, 0, 0, 0, ZoneOffset.ofHours(2)))));
        assertThat(hex(bytes)).isEqualTo("0005"
                + "00000008" + "0000000000000001"
                + "0000000c" + "0002" + "0000" + "0000" + "0001" + "0002" + "1388"   // 2.5: 2 and 5000, scale 1
                + "0000001c" + "00000001" + "00000000" + "00000017" + "00000001" + "00000001" + "00000004"
                + "00000007"                                                       // {7} as int4[]
                + "00000008" + "000000141dd76000"                                  // 24:00:00
                + "0000000c" + "00000000d693a400" + "ffffe3e0");                   // 01:00, 7200 s east
    }

    @Test
    void aValueThatDoesNotFitNamesItsRowAndComponent() {
        EntityModel<Span> model = EntityModel.of(Span.class);
        BinaryCopy<Span> copy = BinaryCopy.of(PostgresDialect.INSTANCE, model, model.properties(), SPAN);
        assertThatThrownBy(() -> copy.encode(List.of(new Span(1L, null, null, null, null),
                new Span(2L, null, new Long[] {1L << 40}, null, null))))
                .isInstanceOfSatisfying(ColumnFit.Misfit.class, m -> {
                    assertThat(m.row()).isEqualTo(1);
                    assertThat(m.property()).isEqualTo(model.property("counts").orElseThrow());
                })
                .hasMessage("1099511627776 (element 1) does not fit column counts (int4[]) exactly: int4 holds "
                        + "-2147483648 to 2147483647");
    }
}
