package dev.sluice.r2dbc;

import java.util.function.Function;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Observes each statement the adapter runs, around the borrowing of its connection. The adapter holds one only when
 * the repository has an observation registry ({@link MicrometerObserver}), so without one nothing of this runs and
 * no Micrometer class is loaded.
 */
interface StatementObserver {

    /**
     * Runs a statement under an observation: {@code run} is given where to report when its connection was acquired
     * and released, and its rows are counted.
     *
     * @param sql the statement's text
     */
    <T> Flux<T> statement(String sql, Function<Borrow, Flux<T>> run);

    /** As {@link #statement}, for a statement that emits the number of rows it wrote (an update, a COPY). */
    Mono<Long> update(String sql, Function<Borrow, Mono<Long>> run);

    /** Where a statement says when its connection was borrowed and given back. */
    interface Borrow {
        /** Not borrowed: the statement runs on a connection held for a transaction. */
        Borrow PINNED = new Borrow() {
            @Override
            public void acquired() {
            }

            @Override
            public void released() {
            }
        };

        /** The connection has been acquired (the wait for it ends). */
        void acquired();

        /** The connection has gone back (the time it was held ends). */
        void released();
    }
}
