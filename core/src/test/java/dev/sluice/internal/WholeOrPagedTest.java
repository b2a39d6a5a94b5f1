package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/** The choice between one statement and pages, made by the subscriber's first request. */
class WholeOrPagedTest {

    private final AtomicInteger wholeRuns = new AtomicInteger();
    private final AtomicInteger pagedRuns = new AtomicInteger();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicBoolean wholeCancelled = new AtomicBoolean();

    private Flux<Integer> query(Flux<Integer> wholeRows) {
        return new WholeOrPaged<>(stop -> {
            wholeRuns.incrementAndGet();
            stop.subscribe(null, null, () -> stopped.set(true));
            return wholeRows.doOnCancel(() -> wholeCancelled.set(true));
        }, Flux.range(1, 5).doOnSubscribe(s -> pagedRuns.incrementAndGet()));
    }

    @Test
    void askingForEverythingRunsTheWholeStatement() {
        StepVerifier.create(query(Flux.range(1, 5)))
                .expectNext(1, 2, 3, 4, 5)
                .verifyComplete();
        assertThat(wholeRuns).hasValue(1);
        assertThat(pagedRuns).hasValue(0);
    }

    @Test
    void anyOtherFirstRequestRunsThePagesWithTheSameDemand() {
        StepVerifier.create(query(Flux.range(1, 5)), 0)
                .thenRequest(2)
                .expectNext(1, 2)
                .thenRequest(Long.MAX_VALUE)
                .expectNext(3, 4, 5)
                .verifyComplete();
        assertThat(wholeRuns).hasValue(0);
        assertThat(pagedRuns).hasValue(1);
    }

    @Test
    void cancellingTheWholeStatementStopsItAndReadsTheRestWithoutPassingItOn() {
        Sinks.Many<Integer> rows = Sinks.many().unicast().onBackpressureBuffer();
        List<Integer> read = new CopyOnWriteArrayList<>();
        AtomicBoolean readToTheEnd = new AtomicBoolean();
        Flux<Integer> whole = rows.asFlux().doOnNext(read::add).doOnComplete(() -> readToTheEnd.set(true));
        Recorder downstream = new Recorder();
        query(whole).subscribe(downstream);

        downstream.subscription.request(Long.MAX_VALUE);
        rows.tryEmitNext(1);
        downstream.subscription.cancel();
        assertThat(stopped).as("told to stop on the server").isTrue();

        rows.tryEmitNext(2);
        rows.tryEmitNext(3);
        rows.tryEmitComplete();
        assertThat(read).as("the rest is read off the statement").containsExactly(1, 2, 3);
        assertThat(readToTheEnd).as("to its end").isTrue();
        assertThat(wholeCancelled).as("never cancelled on the driver").isFalse();
        assertThat(downstream.signals).as("nothing after the cancel is passed on").containsExactly("onNext 1");
    }

    /** Records every signal it gets, even after it cancelled, which a StepVerifier would not show. */
    private static final class Recorder implements CoreSubscriber<Integer> {
        final List<String> signals = new CopyOnWriteArrayList<>();
        Subscription subscription;

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
        }

        @Override
        public void onNext(Integer row) {
            signals.add("onNext " + row);
        }

        @Override
        public void onError(Throwable t) {
            signals.add("onError " + t);
        }

        @Override
        public void onComplete() {
            signals.add("onComplete");
        }
    }

    @Test
    void aCancelBeforeAnyRequestRunsNothing() {
        StepVerifier.create(query(Flux.range(1, 5)), 0)
                .thenCancel()
                .verify();
        assertThat(wholeRuns).hasValue(0);
        assertThat(pagedRuns).hasValue(0);
    }

    @Test
    void aFailingWholeStatementFailsTheStream() {
        StepVerifier.create(query(Flux.error(new IllegalStateException("boom"))))
                .expectErrorMessage("boom")
                .verify();
        StepVerifier.create(new WholeOrPaged<Integer>(stop -> {
            throw new IllegalStateException("no statement");
        }, Mono.<Integer>empty().flux()))
                .expectErrorMessage("no statement")
                .verify();
    }
}
