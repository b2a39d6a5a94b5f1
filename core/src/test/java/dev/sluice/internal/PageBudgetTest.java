package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PageBudgetTest {

    @Test
    void theDefaultFollowsMaxPageSizeAndASetBudgetStaysAsSet() {
        assertThat(RepoSettings.DEFAULTS.readAheadRows()).isEqualTo(40_000);
        assertThat(RepoSettings.DEFAULTS.withPageSizes(10, 500).readAheadRows()).isEqualTo(2000);
        assertThat(RepoSettings.DEFAULTS.withReadAheadBudget(0).withPageSizes(10, 500).readAheadRows()).isZero();
        assertThat(PageBudget.of(RepoSettings.DEFAULTS.withReadAheadBudget(123)).available()).isEqualTo(123);
        assertThatThrownBy(() -> RepoSettings.DEFAULTS.withReadAheadBudget(-5))
                .hasMessage("readAheadBudget must be at least 0 rows, got -5");
    }

    @Test
    void takesWhatIsLeftAndGetsItBack() {
        PageBudget budget = new PageBudget(1000);
        assertThat(budget.take(600)).isEqualTo(600);
        assertThat(budget.take(600)).as("only what is left").isEqualTo(400);
        assertThat(budget.take(1)).isZero();
        budget.give(1000);
        assertThat(budget.available()).isEqualTo(1000);
        assertThat(PageBudget.UNBOUNDED.take(Long.MAX_VALUE / 2)).isEqualTo(Long.MAX_VALUE / 2);
    }
}
