package dev.sluice.r2dbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.sluice.spi.TypedNull;
import dev.sluice.spi.UntypedText;
import org.junit.jupiter.api.Test;

class StatementLogTest {

    private static final String SQL = "SELECT id FROM picture WHERE id > $1 AND name LIKE $2";

    private static final List<Object> VALUES = List.of(1200L, "IMG%", new byte[] {1, 2, (byte) 0xff},
            new Long[] {1L, 2L, 3L}, new TypedNull(String.class), new UntypedText("{\"a\": 1}"));

    @Test
    void maskedValuesShowTheirTypesAndSizesNeverTheirContents() {
        assertThat(StatementLog.format(SQL, VALUES, Masking.TYPES)).isEqualTo(SQL + " [$1 Long, $2 String(4 chars), "
                + "$3 byte[](3 bytes), $4 Long[](3 elements), $5 null String, $6 text(8 chars)]");
    }

    @Test
    void unmaskedValuesShowThemselves() {
        assertThat(StatementLog.format(SQL, VALUES, Masking.NONE)).isEqualTo(SQL + " [$1 1200, $2 'IMG%', "
                + "$3 \\x0102ff, $4 [1, 2, 3], $5 null, $6 '{\"a\": 1}']");
    }

    @Test
    void longValuesAreCutShort() {
        assertThat(StatementLog.shown("x".repeat(100))).isEqualTo("'" + "x".repeat(63) + "...(102 chars)");
    }

    @Test
    void aStatementWithoutValuesIsItsText() {
        assertThat(StatementLog.format("COMMIT", List.of(), Masking.TYPES)).isEqualTo("COMMIT");
    }
}
