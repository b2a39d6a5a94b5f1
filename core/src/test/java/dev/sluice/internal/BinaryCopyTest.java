package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
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
        types.put("name", new TableCheck.ColumnInfo("name", "interval", false, "", false));
        assertThatThrownBy(() -> copy(model.properties(), types))
                .isInstanceOf(QueryException.class)
                .hasMessage("copyIn(Picture.class): column name is interval, which Sluice's binary COPY does not "
                        + "write; use insertAll for Picture");
    }
}
