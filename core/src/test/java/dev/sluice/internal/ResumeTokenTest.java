package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import dev.sluice.QueryException;
import org.junit.jupiter.api.Test;

class ResumeTokenTest {

    enum Mood { CALM, WILD }

    private final ResumeToken tokens = ResumeToken.withRandomKey();

    @Test
    void everyKindOfValueComesBackAsItWentIn() {
        Object[] values = {42L, 7, (short) 3, true, -0.0d, Float.NaN, "ünï ✓", new BigDecimal("1.10"),
                UUID.randomUUID(), Instant.parse("2026-01-01T10:00:00.123456Z"),
                OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.ofHours(2)), LocalDate.of(1, 1, 1), null,
                "WILD"};
        List<Class<?>> types = List.of(Long.class, Integer.class, Short.class, Boolean.class, Double.class,
                Float.class, String.class, BigDecimal.class, UUID.class, Instant.class, OffsetDateTime.class,
                LocalDate.class, String.class, Mood.class);
        String token = tokens.encode("shape", values);
        assertThat(token).matches("[A-Za-z0-9_-]+");
        Object[] read = tokens.decode(token, "shape", types, "page");
        assertThat(read).hasSize(values.length);
        for (int i = 0; i < values.length - 1; i++) {
            assertThat(read[i]).as("value %d", i).isEqualTo(values[i]);
        }
        assertThat(((BigDecimal) read[7]).scale()).isEqualTo(2);
        assertThat(read[13]).isEqualTo(Mood.WILD);
    }

    @Test
    void aValueOfAnotherTypeThanTheOrderExpectsIsRefused() {
        String token = tokens.encode("shape", new Object[] {"2026-01-01", 5L});
        assertThatThrownBy(() -> tokens.decode(token, "shape", List.of(Instant.class, Long.class), "page(10, t)"))
                .isInstanceOf(QueryException.class)
                .hasMessage("page(10, t): the resume token was refused: its value 1 is a String where the order has a "
                        + "Instant; start again from the first page (no token) and use the tokens that pages of this "
                        + "query give");
        assertThatThrownBy(() -> tokens.decode(token, "shape", List.of(String.class), "page"))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("it holds 2 order values but the query's order has 1");
        String name = tokens.encode("shape", new Object[] {"ANGRY"});
        assertThatThrownBy(() -> tokens.decode(name, "shape", List.of(Mood.class), "page"))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("its value ANGRY is not a constant of Mood");
    }

    @Test
    void anotherShapeOrKeyIsRefused() {
        String token = tokens.encode("shape", new Object[] {5L});
        assertThatThrownBy(() -> tokens.decode(token, "other", List.of(Long.class), "page"))
                .isInstanceOf(QueryException.class).hasMessageContaining("made by another query");
        assertThatThrownBy(() -> ResumeToken.withRandomKey().decode(token, "shape", List.of(Long.class), "page"))
                .isInstanceOf(QueryException.class).hasMessageContaining("made by another query");
        ResumeToken shared = ResumeToken.withKey(new byte[32]);
        assertThat(ResumeToken.withKey(new byte[32]).decode(shared.encode("s", new Object[] {5L}), "s",
                List.of(Long.class), "page")).containsExactly(5L);
    }
}
