package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Ratios to the baseline: of the medians, and of the rounds paired up. */
class ResultsTest {

    private static Results run() {
        Results r = new Results();
        r.scenario("1", "scan");
        // the machine slows down during the run: round 3 is slow for both
        r.add("1", "base", "throughput", "rows/s", Results.list(100, 100, 50), null, "");
        r.add("1", "mine", "throughput", "rows/s", Results.list(90, 95, 48), "base", "");
        r.add("1", "short", "throughput", "rows/s", Results.list(90, 95), "base", "");
        return r;
    }

    @Test
    void pairedRatioIsTheMedianOfThePerRoundRatios() {
        Results r = run();
        Results.Row mine = r.rows().get(1);
        assertThat(r.ratio(mine)).isCloseTo(90.0 / 100, within(1e-9));
        // per round: 0.90, 0.95, 0.96
        assertThat(r.pairedRatio(mine)).isCloseTo(0.95, within(1e-9));
        assertThat(r.pairedRatio(r.rows().get(0))).isNull();
    }

    @Test
    void roundsThatDoNotPairUpGiveNoPairedRatio() {
        Results r = run();
        assertThat(r.pairedRatio(r.rows().get(2))).isNull();
        assertThat(r.toMarkdown()).contains("| mine | throughput (rows/s) | 90.0 | 48.0 - 95.0 | 3 | 0.90x base | 0.95x |");
        assertThat(r.toJson()).contains("\"paired_ratio\": 0.950000");
    }
}
