package dev.sluice.r2dbc;

import java.time.Duration;
import java.util.Objects;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;

/**
 * Meters of what Sluice's observations count, beside the timers Micrometer's {@code DefaultMeterObservationHandler}
 * makes of every observation ({@code sluice.stream}, {@code sluice.statement}): register it with the
 * {@code ObservationRegistry} given to {@link R2dbcRepo.Builder#observationRegistry} (the Spring Boot starter
 * registers it when there is a {@code MeterRegistry}).
 *
 * <ul>
 *   <li>{@code sluice.stream.rows} (counter; entity, strategy, outcome): rows delivered by streams</li>
 *   <li>{@code sluice.stream.pages} (counter; entity, strategy, outcome): pages the streams fetched</li>
 *   <li>{@code sluice.stream.retries} (counter; entity, strategy, outcome): statements run again</li>
 *   <li>{@code sluice.statement.rows} (summary; kind, table): rows each statement read or wrote</li>
 *   <li>{@code sluice.connection.wait} (timer; kind, table): how long a statement waited for its connection</li>
 *   <li>{@code sluice.connection.held} (timer; kind, table): how long a statement held its connection</li>
 * </ul>
 *
 * <p>The connection timers count only statements that borrow a connection of their own (not those inside a
 * transaction or a cursor's, whose connection is held for the whole unit). Thread-safe.
 */
public final class SluiceMeterObservationHandler implements ObservationHandler<Observation.Context> {

    private final MeterRegistry meters;

    private SluiceMeterObservationHandler(MeterRegistry meters) {
        this.meters = meters;
    }

    /** A handler that records into {@code meters}. */
    public static SluiceMeterObservationHandler create(MeterRegistry meters) {
        return new SluiceMeterObservationHandler(Objects.requireNonNull(meters, "meters"));
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
        return context instanceof MicrometerObserver.StreamContext
                || context instanceof MicrometerObserver.StatementContext;
    }

    @Override
    public void onStop(Observation.Context context) {
        if (context instanceof MicrometerObserver.StreamContext stream) {
            Tags tags = Tags.of("entity", stream.entity(), "strategy", low(context, "strategy"),
                    "outcome", low(context, "outcome"));
            Counter.builder("sluice.stream.rows").description("Rows delivered by Sluice's streams").tags(tags)
                    .register(meters).increment(stream.rows());
            Counter.builder("sluice.stream.pages").description("Pages (keyset pages, cursor fetches) Sluice's "
                    + "streams fetched").tags(tags).register(meters).increment(stream.pages());
            Counter.builder("sluice.stream.retries").description("Statements Sluice's streams ran again")
                    .tags(tags).register(meters).increment(stream.retries());
        } else if (context instanceof MicrometerObserver.StatementContext statement) {
            Tags tags = Tags.of("kind", statement.kind(), "table", statement.table());
            DistributionSummary.builder("sluice.statement.rows").description("Rows a Sluice statement read or wrote")
                    .tags(tags).register(meters).record(statement.rows());
            Duration wait = statement.connectionWait();
            Duration held = statement.connectionHeld();
            if (wait != null && held != null) {
                Timer.builder("sluice.connection.wait").description("Time a Sluice statement waited for a pooled "
                        + "connection").tags(tags).register(meters).record(wait);
                Timer.builder("sluice.connection.held").description("Time a Sluice statement held its pooled "
                        + "connection").tags(tags).register(meters).record(held);
            }
        }
    }

    private static String low(Observation.Context context, String key) {
        var value = context.getLowCardinalityKeyValue(key);
        return value == null ? "unknown" : value.getValue();
    }
}
