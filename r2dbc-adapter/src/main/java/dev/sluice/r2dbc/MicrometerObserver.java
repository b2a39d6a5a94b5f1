package dev.sluice.r2dbc;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.ToLongFunction;

import dev.sluice.spi.Observer;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.util.context.ContextView;

/**
 * Sluice's streams and statements as Micrometer observations: {@value #STREAM} per stream, {@value #STATEMENT} per
 * statement, the statement's parent the stream it belongs to. Loaded only by
 * {@link R2dbcRepo.Builder#observationRegistry}.
 *
 * <p>Parents are found in the subscriber's Reactor context under {@value #CONTEXT_KEY} (Micrometer's
 * {@code ObservationThreadLocalAccessor.KEY}, where Spring WebFlux puts a request's observation), never in thread
 * locals: a stream puts its observation there for its statements, so a page fetched on another thread and another
 * connection still finds its stream.
 */
final class MicrometerObserver implements Observer, StatementObserver {

    /** The observation of one stream. */
    static final String STREAM = "sluice.stream";
    /** The observation of one statement. */
    static final String STATEMENT = "sluice.statement";
    /** Where observations live in a Reactor context: {@code ObservationThreadLocalAccessor.KEY}. */
    static final String CONTEXT_KEY = "micrometer.observation";

    private final ObservationRegistry registry;

    private MicrometerObserver(ObservationRegistry registry) {
        this.registry = registry;
    }

    static MicrometerObserver of(ObservationRegistry registry) {
        return new MicrometerObserver(Objects.requireNonNull(registry, "registry"));
    }

    @Override
    public <T> Flux<T> stream(Stream stream, Flux<T> rows) {
        return Flux.deferContextual(context -> {
            StreamContext counts = new StreamContext(stream);
            Observation observation = Observation.createNotStarted(STREAM, () -> counts, registry)
                    .parentObservation(parent(context))
                    .contextualName("sluice stream " + stream.entity())
                    .lowCardinalityKeyValue("entity", stream.entity())
                    .lowCardinalityKeyValue("strategy", stream.strategy().tag())
                    .start();
            return rows.doOnNext(row -> counts.rows++)
                    .doOnComplete(() -> counts.end(observation, SignalType.ON_COMPLETE, null))
                    .doOnError(error -> counts.end(observation, SignalType.ON_ERROR, error))
                    .doOnCancel(() -> counts.end(observation, SignalType.CANCEL, null))
                    .contextWrite(c -> c.put(CONTEXT_KEY, observation));
        });
    }

    @Override
    public void retried(ContextView context) {
        Observation parent = parent(context);
        if (parent != null && parent.getContext() instanceof StreamContext stream) {
            stream.retried();
        }
    }

    @Override
    public <T> Flux<T> statement(String sql, Function<Borrow, Flux<T>> run) {
        return observe(sql, run, row -> 1);
    }

    @Override
    public Mono<Long> update(String sql, Function<Borrow, Mono<Long>> run) {
        return observe(sql, borrow -> run.apply(borrow).flux(), written -> written).single();
    }

    /** @param rowsOf how many rows an element stands for: 1 for a row read, the count for an update's result */
    private <T> Flux<T> observe(String sql, Function<Borrow, Flux<T>> run, ToLongFunction<T> rowsOf) {
        return Flux.deferContextual(context -> {
            Statement tag = Observer.statement(context);
            String kind = tag == null ? "other" : tag.kind().tag();
            StatementContext times = new StatementContext(kind, tag == null ? "none" : tag.table(), sql);
            Observation parent = parent(context);
            if (parent != null && parent.getContext() instanceof StreamContext stream && tag != null) {
                stream.ran(tag.kind());
            }
            Observation observation = Observation.createNotStarted(STATEMENT, () -> times, registry)
                    .parentObservation(parent)
                    .contextualName("sluice " + kind + " " + times.table)
                    .start();
            return run.apply(times)
                    .doOnNext(row -> times.rows += rowsOf.applyAsLong(row))
                    .doOnComplete(() -> times.end(observation, null))
                    .doOnError(error -> times.end(observation, error))
                    .doOnCancel(() -> times.end(observation, null))
                    .contextWrite(c -> c.put(CONTEXT_KEY, observation));
        });
    }

    private static @Nullable Observation parent(ContextView context) {
        Object parent = context.getOrDefault(CONTEXT_KEY, null);
        return parent instanceof Observation observation && !observation.isNoop() ? observation : null;
    }

    /**
     * A stream's counts: rows delivered, pages (keyset pages, cursor fetches, the one whole statement), statements
     * run again; set as key values when it ends.
     */
    static final class StreamContext extends Observation.Context {
        private final Stream stream;
        /** Written by the stream's serial row signals. */
        private long rows;
        private final AtomicLong pages = new AtomicLong();
        private final AtomicLong retries = new AtomicLong();
        private volatile boolean whole;
        private final AtomicBoolean ended = new AtomicBoolean();

        StreamContext(Stream stream) {
            this.stream = stream;
        }

        void ran(Kind kind) {
            if (kind == Kind.PAGE || kind == Kind.CURSOR_FETCH || kind == Kind.WHOLE) {
                pages.incrementAndGet();
            }
            if (kind == Kind.WHOLE) {
                whole = true;
            }
        }

        /** Another statement of this stream was a retry of one that failed (a page after a lost connection). */
        void retried() {
            retries.incrementAndGet();
        }

        long rows() {
            return rows;
        }

        long pages() {
            return pages.get();
        }

        long retries() {
            return retries.get();
        }

        String entity() {
            return stream.entity();
        }

        /**
         * Stops the observation, once, before the stream's end reaches its subscriber: a subscriber that has seen the
         * stream end finds it observed.
         */
        private void end(Observation observation, SignalType signal, @Nullable Throwable error) {
            if (ended.getAndSet(true)) {
                return;
            }
            if (error != null) {
                observation.error(error);
            }
            String outcome = switch (signal) {
                case ON_COMPLETE -> "completed";
                case ON_ERROR -> "error";
                default -> "cancelled";
            };
            addLowCardinalityKeyValue(KeyValue.of("outcome", outcome));
            addLowCardinalityKeyValue(KeyValue.of("strategy", whole ? "whole" : stream.strategy().tag()));
            addHighCardinalityKeyValue(KeyValue.of("rows", Long.toString(rows)));
            addHighCardinalityKeyValue(KeyValue.of("pages", Long.toString(pages.get())));
            addHighCardinalityKeyValue(KeyValue.of("retries", Long.toString(retries.get())));
            observation.stop();
        }
    }

    /** A statement's times and rows; set as key values when it ends. */
    static final class StatementContext extends Observation.Context implements Borrow {
        private final String kind;
        private final String table;
        private final long started = System.nanoTime();
        /** Written by the statement's serial row signals. */
        private long rows;
        private volatile long acquired;
        private volatile long released;
        private final AtomicBoolean ended = new AtomicBoolean();

        StatementContext(String kind, String table, String sql) {
            this.kind = kind;
            this.table = table;
            addLowCardinalityKeyValue(KeyValue.of("kind", kind));
            addLowCardinalityKeyValue(KeyValue.of("table", table));
            addHighCardinalityKeyValue(KeyValue.of("sql", sql));
        }

        @Override
        public void acquired() {
            acquired = System.nanoTime();
        }

        @Override
        public void released() {
            released = System.nanoTime();
        }

        String kind() {
            return kind;
        }

        String table() {
            return table;
        }

        long rows() {
            return rows;
        }

        /** How long the statement waited for its connection; null when it borrowed none (in a transaction). */
        @Nullable Duration connectionWait() {
            long at = acquired;
            return at == 0 ? null : Duration.ofNanos(at - started);
        }

        /** How long the statement held its connection; null when it borrowed none (in a transaction). */
        @Nullable Duration connectionHeld() {
            long from = acquired;
            long to = released;
            return from == 0 ? null : Duration.ofNanos((to == 0 ? System.nanoTime() : to) - from);
        }

        /** Stops the observation, once, before the statement's end reaches its subscriber. */
        private void end(Observation observation, @Nullable Throwable error) {
            if (ended.getAndSet(true)) {
                return;
            }
            if (error != null) {
                observation.error(error);
            }
            addHighCardinalityKeyValue(KeyValue.of("rows", Long.toString(rows)));
            Duration wait = connectionWait();
            Duration held = connectionHeld();
            if (wait != null && held != null) {
                addHighCardinalityKeyValue(KeyValue.of("connection.wait", wait.toString()));
                addHighCardinalityKeyValue(KeyValue.of("connection.held", held.toString()));
            }
            observation.stop();
        }
    }
}
