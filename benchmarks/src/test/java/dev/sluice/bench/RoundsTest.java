package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The round robin of the variants: rotated one place per round, so each takes every place in turn. */
class RoundsTest {

    @Test
    void eachRoundStartsOnePlaceFurther() {
        List<String> variants = List.of("a", "b", "c");
        assertThat(Rounds.order(variants, 0)).containsExactly("a", "b", "c");
        assertThat(Rounds.order(variants, 1)).containsExactly("b", "c", "a");
        assertThat(Rounds.order(variants, 2)).containsExactly("c", "a", "b");
        assertThat(Rounds.order(variants, 3)).containsExactly("a", "b", "c");
    }

    @Test
    void twoVariantsAlternate() {
        assertThat(Rounds.order(List.of(true, false), 0)).containsExactly(true, false);
        assertThat(Rounds.order(List.of(true, false), 1)).containsExactly(false, true);
    }
}
