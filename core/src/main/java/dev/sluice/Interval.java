package dev.sluice;

import java.time.Duration;
import java.time.Period;
import java.util.Objects;

/**
 * A PostgreSQL {@code interval} as it is stored: months and days ({@code period}, normalized so that 14 months read
 * as 1 year 2 months) and a time ({@code time}, whole microseconds). Unlike a {@link Duration}, which holds only the
 * time (a day counted as 24 hours), it holds {@code interval '1 month'}, whose length depends on the month it is
 * added to. A component of this type reads and writes any interval exactly; a {@code Duration} component reads an
 * interval without months.
 *
 * @param period years, months and days; normalized (months within ±11, years and months of one sign)
 * @param time   hours, minutes, seconds and microseconds
 */
public record Interval(Period period, Duration time) {

    public Interval {
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(time, "time");
        period = period.normalized();
    }

    /** An interval of months, days and microseconds, as PostgreSQL holds it. */
    public static Interval of(int months, int days, long micros) {
        return new Interval(Period.of(0, months, days), Duration.ofNanos(Math.multiplyExact(micros, 1000L)));
    }
}
