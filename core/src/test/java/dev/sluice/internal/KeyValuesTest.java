package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.QueryException;
import dev.sluice.annotation.Id;
import org.junit.jupiter.api.Test;

/** How findById's key values are checked and coerced to the key components' types. */
class KeyValuesTest {

    enum Region { EU, US }

    record Line(@Id Region region, @Id int orderId, @Id Short no, String item) {
    }

    record Picture(@Id Long id, String name) {
    }

    @Test
    void integersWidenOrNarrowToTheKeysTypeWhenTheyFitAndEnumsBindByName() {
        assertThat(KeyValues.of(EntityModel.of(Picture.class), new Object[] {42})).containsExactly(42L);
        assertThat(KeyValues.of(EntityModel.of(Line.class), new Object[] {Region.EU, 7L, 3}))
                .containsExactly(new dev.sluice.spi.UntypedText("EU"), 7, (short) 3);
    }

    @Test
    void wrongCountsNullsAndTypesSayWhatToPass() {
        EntityModel<Line> lines = EntityModel.of(Line.class);
        assertThatThrownBy(() -> KeyValues.of(lines, new Object[] {Region.EU}))
                .isInstanceOf(QueryException.class)
                .hasMessage("findById(Line.class, ...): Line has 3 key components (region, orderId, no) but 1 value "
                        + "was given");
        assertThatThrownBy(() -> KeyValues.of(lines, new Object[] {Region.EU, null, 1}))
                .isInstanceOf(QueryException.class)
                .hasMessage("findById(Line.class, ...): the value for key orderId is null; a key is never null");
        assertThatThrownBy(() -> KeyValues.of(lines, new Object[] {Region.EU, 1L << 40, 1}))
                .isInstanceOf(QueryException.class)
                .hasMessage("findById(Line.class, ...): key orderId is int but a Long (1099511627776) was given; "
                        + "pass a Integer");
        assertThatThrownBy(() -> KeyValues.of(EntityModel.of(Picture.class), new Object[] {"42"}))
                .isInstanceOf(QueryException.class)
                .hasMessage("findById(Picture.class, ...): key id is Long but a String (42) was given; pass a Long");
    }
}
