package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.RecordComponent;
import java.time.Instant;

import org.jspecify.annotations.NullMarked;
import org.jspecify.annotations.NullUnmarked;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** This package is {@code @NullMarked} (its package-info): records declared here are marked unless they opt out. */
class NullnessTest {

    @NullUnmarked
    record Unmarked(Long id, long count) {
    }

    record InMarkedPackage(Long id) {
    }

    @NullMarked
    record Marked(Long id, @Nullable Instant takenAt) {
    }

    @NullMarked
    static final class Outer {
        record Inner(Long id) {
        }

        @NullUnmarked
        record Opted(Long id) {
        }
    }

    private static RecordComponent component(Class<?> record, int i) {
        return record.getRecordComponents()[i];
    }

    @Test
    void primitivesNeverAndBoxedValuesOutsideNullMarkedCodeMayHoldNull() {
        assertThat(Nullness.nonNull(component(Unmarked.class, 0))).isFalse();
        assertThat(Nullness.nonNull(component(Unmarked.class, 1))).isTrue();
    }

    @Test
    void nullMarkedCodeHoldsNoNullUnlessTheTypeIsNullableOrTheCodeOptsOut() {
        assertThat(Nullness.nonNull(component(Marked.class, 0))).isTrue();
        assertThat(Nullness.nonNull(component(InMarkedPackage.class, 0))).as("marked by its package").isTrue();
        assertThat(Nullness.nonNull(component(Marked.class, 1))).isFalse();
        assertThat(Nullness.nonNull(component(Outer.Inner.class, 0))).as("marked by its enclosing class").isTrue();
        assertThat(Nullness.nonNull(component(Outer.Opted.class, 0))).as("@NullUnmarked nearer").isFalse();
    }
}
