package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** A smoke test of the benchmark's argument parsing; the benchmarks themselves never run under mvn verify. */
class OptionsTest {

    @Test
    void defaultsAreTheFullRun() {
        Options o = Options.parse();
        assertThat(o.quick()).isFalse();
        assertThat(o.pictures()).isEqualTo(1_000_000);
        assertThat(o.albums()).isEqualTo(20_000);
        assertThat(o.rounds()).isEqualTo(3);
        assertThat(o.warmupRounds()).isEqualTo(1);
        assertThat(o.xmx()).isTrue();
        assertThat(o.scenarios()).containsExactly("1", "2", "3", "4", "5", "6", "7");
        assertThat(o.url()).isEqualTo(Options.DEFAULT_URL);
    }

    @Test
    void forkRunsEachScanVariantInItsOwnJvmAndOnlyNamesTheChildsVariant() {
        assertThat(Options.parse().fork()).isFalse();
        Options o = Options.parse("--fork", "--variants", "sluice scan");
        assertThat(o.fork()).isTrue();
        assertThat(o.only()).isNull();
        assertThat(o.warmupRounds()).as("a cold JVM per variant warms up longer").isEqualTo(3);
        assertThat(Options.parse("--only", "sluice scan").only()).isEqualTo("sluice scan");
    }

    @Test
    void latencyAddsADelayEachWayForScenarioFour() {
        assertThat(Options.parse().latencyMicros()).isZero();
        assertThat(Options.parse("--latency-us", "250").latencyMicros()).isEqualTo(250);
        assertThatThrownBy(() -> Options.parse("--latency-us", "-1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--latency-us");
    }

    @Test
    void quickIsSmallerAndSkipsHeapProbes() {
        Options o = Options.parse("--quick");
        assertThat(o.pictures()).isEqualTo(100_000);
        assertThat(o.albums()).isEqualTo(2_000);
        assertThat(o.rounds()).isEqualTo(1);
        assertThat(o.xmx()).isFalse();
        assertThat(Options.parse("--quick", "--xmx").xmx()).isTrue();
    }

    @Test
    void parsesEveryOption() {
        Options o = Options.parse("--url", "r2dbc:postgresql://u@h:5433/db", "--rounds", "5",
                "--warmup", "0", "--scenarios", "1,3", "--no-xmx", "--variants", "sluice scan,raw");
        assertThat(o.url()).isEqualTo("r2dbc:postgresql://u@h:5433/db");
        assertThat(o.rounds()).isEqualTo(5);
        assertThat(o.warmupRounds()).isZero();
        assertThat(o.scenarios()).isEqualTo(Set.of("1", "3"));
        assertThat(o.xmx()).isFalse();
        assertThat(o.variants()).isEqualTo(List.of("sluice scan", "raw"));
        assertThat(Db.parse(o.url())).isEqualTo(new Db("h", 5433, "db", "u", null));
    }

    @Test
    void rejectsWhatItDoesNotKnow() {
        assertThatThrownBy(() -> Options.parse("--fast")).hasMessageContaining("Unknown option --fast");
        assertThatThrownBy(() -> Options.parse("--rounds", "0")).hasMessageContaining("--rounds");
        assertThatThrownBy(() -> Options.parse("--scenarios", "8")).hasMessageContaining("--scenarios");
        assertThatThrownBy(() -> Options.parse("--url")).hasMessageContaining("needs a value");
    }

    @Test
    void aVariantFilterMatchesPartOfANameOrWithAnEqualsSignTheWholeName() {
        Options o = Options.parse("--variants", "=sluice scan,jdbc");
        assertThat(o.chooses("sluice scan")).isTrue();
        assertThat(o.chooses("sluice scan limitRate(500)")).isFalse();
        assertThat(o.chooses("jdbc fetchSize 500 binary")).isTrue();
        assertThat(o.chooses("raw r2dbc binary")).isFalse();
        assertThat(Options.parse().chooses("raw r2dbc binary")).isTrue();
    }
}
