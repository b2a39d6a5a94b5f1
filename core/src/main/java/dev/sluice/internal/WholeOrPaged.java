package dev.sluice.internal;

import java.util.function.Function;

import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;
import reactor.util.context.Context;

/**
 * Picks how a query runs when its subscriber first asks for rows. A subscriber that asks for everything at once
 * ({@code request(Long.MAX_VALUE)}: {@code blockLast()}, {@code collectList()}, {@code subscribe(consumer)}) gets
 * one statement whose rows pass straight through; any other gets the paged source, which follows its demand.
 *
 * <p>The one statement is never cancelled on the driver (r2dbc-postgresql would read the rest of its result off the
 * socket, and can wedge): a cancel tells it to stop on the server, and what is still on its way is read and dropped,
 * so its connection goes back healthy.
 */
final class WholeOrPaged<T> extends Flux<T> {

    private final Function<Mono<Void>, ? extends Publisher<T>> whole;
    private final Publisher<T> paged;

    /**
     * @param whole the one statement, given the signal that stops it on the server
     * @param paged the source for any other demand
     */
    WholeOrPaged(Function<Mono<Void>, ? extends Publisher<T>> whole, Publisher<T> paged) {
        this.whole = whole;
        this.paged = paged;
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        actual.onSubscribe(new Choice<>(actual, whole, paged));
    }

    private static final class Choice<T> extends Operators.DeferredSubscription implements CoreSubscriber<T> {

        private final CoreSubscriber<? super T> actual;
        private final Function<Mono<Void>, ? extends Publisher<T>> whole;
        private final Publisher<T> paged;
        private final Sinks.Empty<Void> stop = Sinks.empty();
        // guarded by this: the choice, made once, by the first request or a cancel before it
        private boolean chosen;
        private boolean wholeChosen;
        /** Cancelled while the one statement runs: its remaining rows are dropped. */
        private volatile boolean stopped;

        Choice(CoreSubscriber<? super T> actual, Function<Mono<Void>, ? extends Publisher<T>> whole,
               Publisher<T> paged) {
            this.actual = actual;
            this.whole = whole;
            this.paged = paged;
        }

        @Override
        public void request(long n) {
            boolean choosing;
            synchronized (this) {
                choosing = !chosen;
                if (choosing) {
                    chosen = true;
                    wholeChosen = n == Long.MAX_VALUE;
                }
            }
            super.request(n);
            if (!choosing) {
                return;
            }
            Publisher<T> source;
            try {
                source = wholeChosen ? whole.apply(stop.asMono()) : paged;
            } catch (Throwable t) {
                actual.onError(Operators.onOperatorError(t, actual.currentContext()));
                return;
            }
            source.subscribe(this);
        }

        @Override
        public void cancel() {
            boolean stopWhole;
            synchronized (this) {
                chosen = true;
                stopWhole = wholeChosen;
            }
            if (stopWhole) {
                stopped = true;
                stop.tryEmitEmpty();
            } else {
                super.cancel();
            }
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            set(s);
        }

        @Override
        public void onNext(T row) {
            if (!stopped) {
                actual.onNext(row);
            }
        }

        @Override
        public void onError(Throwable t) {
            if (!stopped) {
                actual.onError(t);
            }
        }

        @Override
        public void onComplete() {
            if (!stopped) {
                actual.onComplete();
            }
        }
    }
}
