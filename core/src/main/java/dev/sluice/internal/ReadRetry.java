package dev.sluice.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Supplier;

import dev.sluice.ConnectionLostException;
import dev.sluice.spi.Executor;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * How a read outside a transaction finishes through a lost connection (DESIGN invariant 11): a page, window, lookup
 * or count whose connection was lost ({@link Executor#retryableRead}) runs again on another connection, after a
 * wait that starts at {@code backoff} and doubles, at most {@code retries} times; each run is asked where to go on
 * (a keyset page after the last row it received, so no row is lost or read twice). Inside a transaction nothing is
 * retried: a transaction cannot go on on another connection. A read given up fails with a
 * {@link ConnectionLostException} that says why, how many rows were delivered and where to resume. Unstable API.
 *
 * @param retries how many times one read may run again; 0 turns retrying off (default {@value #DEFAULT_RETRIES})
 * @param backoff the wait before the first run again, doubled before each next one (default 200 ms)
 */
public record ReadRetry(int retries, Duration backoff) {

    public static final int DEFAULT_RETRIES = 5;
    public static final Duration DEFAULT_BACKOFF = Duration.ofMillis(200);
    public static final ReadRetry DEFAULTS = new ReadRetry(DEFAULT_RETRIES, DEFAULT_BACKOFF);
    /** The longest wait between two runs, however many retries are allowed. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    public ReadRetry {
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be at least 0 (0 turns retrying off), got " + retries);
        }
        Objects.requireNonNull(backoff, "retryBackoff");
        if (backoff.isNegative()) {
            throw new IllegalArgumentException("retryBackoff must not be negative, got " + backoff);
        }
    }

    /** Why a read that lost its connection was not run again. */
    enum GaveUp {
        /** Its retries were spent. */
        EXHAUSTED,
        /** Retrying is turned off ({@code retries(0)}). */
        OFF,
        /** It ran inside a transaction. */
        IN_TRANSACTION,
        /** It read through a cursor, which lives on its one connection. */
        CURSOR
    }

    /**
     * How far a read got: the rows it delivered, and the order's columns and their values in the last of them (both
     * empty when it cannot resume by key, or delivered none).
     */
    record Position(long rowsDelivered, List<String> columns, List<@Nullable Object> key) {

        /** Nothing delivered. */
        static final Position NONE = new Position(0, List.of(), List.of());

        Position {
            columns = List.copyOf(columns);
            key = java.util.Collections.unmodifiableList(new ArrayList<>(key));
        }

        /** Rows delivered, no key to resume after. */
        static Position rows(long delivered) {
            return new Position(delivered, List.of(), List.of());
        }

        String describe() {
            if (rowsDelivered == 0) {
                return "No row was delivered.";
            }
            String rows = rowsDelivered == 1 ? "1 row was delivered" : rowsDelivered + " rows were delivered";
            if (key.isEmpty()) {
                return rows + ".";
            }
            List<String> values = new ArrayList<>(key.size());
            for (Object value : key) {
                values.add(String.valueOf(value));
            }
            return rows + "; the rest come after (" + String.join(", ", columns) + ") = (" + String.join(", ", values)
                    + ").";
        }
    }

    /** The wait before run again number {@code retry} (0 for the first): {@code backoff} doubled that often. */
    Duration backoff(int retry) {
        Duration wait = backoff;
        for (int i = 0; i < retry && wait.compareTo(MAX_BACKOFF) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
    }

    /** Why a read that lost its connection after {@code retried} runs again is given up now; null: run it again. */
    @Nullable GaveUp decide(boolean inTransaction, int retried) {
        if (inTransaction) {
            return GaveUp.IN_TRANSACTION;
        }
        if (retries == 0) {
            return GaveUp.OFF;
        }
        return retried >= retries ? GaveUp.EXHAUSTED : null;
    }

    /**
     * The rows of a read, run again while it loses its connection and may be retried: {@code attempt} is called
     * with 0 for the first run and with the number of the retry after that, and must go on where the previous run
     * stopped. Any other error passes as it is; a read given up fails with a {@link GivenUp}, which the caller turns
     * into the user's error once it knows how far the read got ({@link GivenUp#lost}). Whether the read runs in a
     * transaction is asked of {@code executor} only when it fails, in the subscriber's context.
     *
     * @param stop    null, or a signal after which no run is started any more (the subscriber has gone)
     * @param onRetry told, in the subscriber's context, before each run again (for the stream's retry count)
     */
    <T> Flux<T> run(Executor executor, IntFunction<? extends Publisher<T>> attempt, @Nullable Mono<Void> stop,
                    Consumer<ContextView> onRetry) {
        return run(executor, attempt, stop, onRetry, 0);
    }

    /** A read of {@code reading} (e.g. {@code picture}) that delivers nothing before it completes, run again whole. */
    <T> Flux<T> whole(Executor executor, Supplier<? extends Publisher<T>> read, String reading,
                      Consumer<ContextView> onRetry) {
        return run(executor, attempt -> read.get(), null, onRetry)
                .onErrorMap(GivenUp.class, given -> given.lost(reading, Position.NONE));
    }

    private <T> Flux<T> run(Executor executor, IntFunction<? extends Publisher<T>> attempt, @Nullable Mono<Void> stop,
                            Consumer<ContextView> onRetry, int retried) {
        return Flux.defer(() -> attempt.apply(retried)).onErrorResume(executor::retryableRead, error -> executor
                .joinsTransaction().defaultIfEmpty(false).flatMapMany(inTransaction -> {
                    GaveUp why = decide(inTransaction, retried);
                    if (why != null) {
                        return Flux.error(new GivenUp(error, why, retried));
                    }
                    Mono<Long> wait = Mono.delay(backoff(retried));
                    return (stop == null ? wait : wait.takeUntilOther(stop))
                            .flatMapMany(tick -> Flux.deferContextual(context -> {
                                onRetry.accept(context);
                                return run(executor, attempt, stop, onRetry, retried + 1);
                            }));
                }));
    }

    /**
     * The error of a read of {@code reading} (e.g. {@code picture}) given up for {@code why} after {@code retried}
     * runs again, having got as far as {@code position}.
     */
    static ConnectionLostException lost(Throwable error, GaveUp why, int retried, String reading, Position position) {
        String lost = "The connection was lost while reading " + reading;
        String what = switch (why) {
            case EXHAUSTED -> lost + ", and the " + (retried == 1 ? "retry" : retried + " retries")
                    + " on other connections failed too: retries exhausted (allow more with retries(n) and "
                    + "retryBackoff(...) on R2dbcRepo.builder, or sluice.retries in Spring Boot).";
            case OFF -> lost + ", and retries are off (retries(0)): it was not retried.";
            case IN_TRANSACTION -> lost + " inside a transaction: it was not retried, since a transaction cannot go "
                    + "on on another connection; run the whole transaction again.";
            case CURSOR -> lost + " through a cursor (inOneSnapshot(), or custom SQL), which cannot go on on another "
                    + "connection: it was not retried.";
        };
        return new ConnectionLostException(what + " " + position.describe() + " The error: " + error.getMessage(),
                position.rowsDelivered(), position.key(), retried, error);
    }

    /**
     * The error of a write ({@code what}, e.g. {@code insertAll of Picture}) that lost its connection: writes are
     * never run again, since the server may have written them before the connection was lost.
     */
    static ConnectionLostException lostWrite(Throwable error, String what) {
        return new ConnectionLostException("The connection was lost during " + what + ": it was not retried, since a "
                + "write may have been written before its connection was lost; check what was written, or write with "
                + "upsert, which is safe to repeat. The error: " + error.getMessage(), 0, List.of(), 0, error);
    }

    /**
     * A read given up after a lost connection, on its way to the code that knows how far it got: never reaches the
     * user ({@link #lost(String, Position)} makes the user's error).
     */
    static final class GivenUp extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final GaveUp why;
        private final int retried;

        GivenUp(Throwable error, GaveUp why, int retried) {
            super(why.name(), error, false, false);
            this.why = why;
            this.retried = retried;
        }

        /** The user's error, for a read of {@code reading} that got as far as {@code position}. */
        ConnectionLostException lost(String reading, Position position) {
            return ReadRetry.lost(getCause(), why, retried, reading, position);
        }
    }
}
