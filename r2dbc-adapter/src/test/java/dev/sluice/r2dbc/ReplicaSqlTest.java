package dev.sluice.r2dbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReplicaSqlTest {

    @Test
    void aWalPositionIsItsTwoHexHalvesAsOneByteOffset() {
        assertThat(ReplicaSql.position("0/0")).isZero();
        assertThat(ReplicaSql.position("16/B374D848")).isEqualTo(0x16B374D848L);
        assertThat(ReplicaSql.position("FFFFFFFF/FFFFFFFF")).isEqualTo(-1L); // the largest, as an unsigned long
        assertThat(ReplicaSql.position("1/0") - ReplicaSql.position("0/FFFFFFFF")).isEqualTo(1);
    }

    @Test
    void aTextThatIsNoWalPositionIsRefused() {
        assertThatThrownBy(() -> ReplicaSql.position("16B374D848")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a WAL position: 16B374D848");
    }

    @Test
    void aPasswordIsLeftOutOfTheUrlShownInMessages() {
        assertThat(Factories.withoutPassword("r2dbc:postgresql://app:s3cret@replica1:5432/db?x=1"))
                .isEqualTo("r2dbc:postgresql://app@replica1:5432/db?x=1");
        assertThat(Factories.withoutPassword("r2dbc:postgresql://app@replica1:5432/db"))
                .isEqualTo("r2dbc:postgresql://app@replica1:5432/db");
    }
}
