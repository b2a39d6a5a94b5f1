package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The pager against a fake source of {@code total} numbered rows: records every page size asked for.
 */
class DemandPagerTest {

    static final class Source implements DemandPager.Pages<Integer> {
        final int total;
        final List<Integer> pages = new CopyOnWriteArrayList<>();
        final AtomicInteger next = new AtomicInteger();

        Source(int total) {
            this.total = total;
        }

        @Override
        public Flux<Integer> next(int size) {
            pages.add(size);
            int from = next.getAndAdd(size);
            int count = Math.max(0, Math.min(size, total - from));
            return Flux.range(from, count);
        }

        int fetched() {
            return Math.min(total, pages.stream().mapToInt(Integer::intValue).sum());
        }
    }

    @Test
    void streamsThatStallAfterGrowingHoldTheSharedBudgetPlusAMinimumPageEachAndGiveItBackAtTheEnd() {
        PageBudget budget = new PageBudget(3000);
        AtomicLong nanos = new AtomicLong(); // a clock that stands still: every subscriber keeps up
        List<Source> sources = new ArrayList<>();
        List<Reader> streams = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Source source = new Source(1_000_000);
            sources.add(source);
            // each asks for 500 rows at a time while it reads 6,000 (its socket buffer taking them), then stalls
            Reader subscriber = new Reader(6000);
            DemandPager.create(() -> source, 100, 2000, Long.MAX_VALUE, false, budget, nanos::get)
                    .subscribe(subscriber);
            streams.add(subscriber);
        }
        long fetched = sources.stream().mapToLong(Source::fetched).sum();
        assertThat(fetched).as("rows fetched by 10 stalled streams that asked for 6,000 each")
                .isLessThanOrEqualTo(10 * 6000 + 3000 + 10 * 100);
        assertThat(sources.stream().flatMap(s -> s.pages.stream()).mapToInt(Integer::intValue).max().orElseThrow())
                .as("pages still grow while the budget lasts").isGreaterThan(500);
        assertThat(budget.available()).as("the budget is held by the stalled streams").isLessThan(3000);
        streams.forEach(reactor.core.Disposable::dispose);
        assertThat(budget.available()).as("cancelled streams give it all back").isEqualTo(3000);

        // without a budget, the same streams each hold a page of up to 2,000 rows ahead of their demand
        List<Source> unbounded = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Source source = new Source(1_000_000);
            unbounded.add(source);
            DemandPager.create(() -> source, 100, 2000, Long.MAX_VALUE, false, nanos::get)
                    .subscribe(new Reader(6000));
        }
        assertThat(unbounded.stream().mapToLong(Source::fetched).sum()).as("the same without a budget")
                .isGreaterThan(10 * 6000 + 3000 + 10 * 100);
    }

    /** A source of numbered rows that can start again after an earlier row: the position is the row's number. */
    static final class RewindingSource implements DemandPager.Pages<Integer> {
        final List<Integer> pages = new CopyOnWriteArrayList<>();
        final List<String> rewinds = new CopyOnWriteArrayList<>();
        private final int total;
        private final boolean elsewhere;
        private int next;
        private volatile @org.jspecify.annotations.Nullable Integer last;

        RewindingSource() {
            this(Integer.MAX_VALUE, false);
        }

        /** Rows 0 to {@code total - 1}; with {@code elsewhere}, each page on a thread of its own. */
        RewindingSource(int total, boolean elsewhere) {
            this.total = total;
            this.elsewhere = elsewhere;
        }

        @Override
        public Flux<Integer> next(int size) {
            pages.add(size);
            int from = next;
            next += size;
            Flux<Integer> page = Flux.range(from, Math.max(0, Math.min(size, total - from)))
                    .doOnNext(row -> last = row);
            return elsewhere ? page.subscribeOn(reactor.core.scheduler.Schedulers.parallel()) : page;
        }

        @Override
        public boolean rewinds() {
            return true;
        }

        @Override
        public @org.jspecify.annotations.Nullable Object position() {
            return last;
        }

        @Override
        public void rewind(@org.jspecify.annotations.Nullable Object position, long dropped) {
            rewinds.add("after " + position + ", " + dropped + " dropped");
            last = (Integer) position;
            next = last == null ? 0 : last + 1;
        }

        int largestPage() {
            return pages.stream().mapToInt(Integer::intValue).max().orElse(0);
        }
    }

    /**
     * Rows on other threads, demand from others still, streams stalling and giving their budget back at random: each
     * subscriber gets every row once, in order, and the budget is whole again at the end.
     */
    @Test
    void underRacingThreadsStreamsThatGiveBackAndRewindDeliverEveryRowOnceInOrder() throws Exception {
        // rounds until streams have given back and rewound often enough (a few times a round, by chance)
        int rewinds = 0;
        for (int round = 0; round < 30 && rewinds < 10; round++) {
            rewinds += racingRound(round);
        }
        assertThat(rewinds).as("streams that gave back and rewound").isGreaterThanOrEqualTo(10);
    }

    /** One round of eight racing streams, each checked; returns how many times they rewound. */
    private static int racingRound(int round) throws InterruptedException {
        int streams = 8;
        int total = 5_000;
        PageBudget budget = new PageBudget(2000);
        List<RewindingSource> sources = new ArrayList<>();
        List<Racer> racers = new ArrayList<>();
        List<Thread> drivers = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            RewindingSource source = new RewindingSource(total, true);
            // each stream's own clock stands still (its subscriber keeps up, its pages grow) but for its pauses
            Racer racer = new Racer(new AtomicLong());
            sources.add(source);
            racers.add(racer);
            DemandPager.create(() -> source, 10, 500, Long.MAX_VALUE, false, budget, racer.nanos::get)
                    .subscribe(racer);
            long seed = 31L * round + i;
            Thread driver = new Thread(() -> racer.drive(new java.util.Random(seed)), "driver-" + i);
            drivers.add(driver);
            driver.start();
        }
        for (Thread driver : drivers) {
            driver.join(60_000);
        }
        for (int i = 0; i < streams; i++) {
            Racer racer = racers.get(i);
            assertThat(racer.failure).isNull();
            assertThat(racer.done).as("round %d, stream %d ended", round, i).isTrue();
            assertThat(racer.rows).as("round %d, stream %d: every row once", round, i).hasSize(total);
            for (int row = 0; row < total; row++) {
                assertThat(racer.rows.get(row)).as("round %d, stream %d, row %d", round, i, row).isEqualTo(row);
            }
        }
        assertThat(budget.available()).as("round %d: the budget back whole", round).isEqualTo(2000);
        return sources.stream().mapToInt(s -> s.rewinds.size()).sum();
    }

    /** Asks for a few rows at a time from its own thread, pausing now and then, until the stream ends. */
    static final class Racer extends BaseSubscriber<Integer> {
        final List<Integer> rows = new CopyOnWriteArrayList<>();
        final AtomicLong nanos;
        volatile boolean done;
        volatile Throwable failure;

        Racer(AtomicLong nanos) {
            this.nanos = nanos;
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
        }

        @Override
        protected void hookOnNext(Integer value) {
            rows.add(value);
        }

        @Override
        protected void hookOnComplete() {
            done = true;
        }

        @Override
        protected void hookOnError(Throwable error) {
            failure = error;
        }

        void drive(java.util.Random random) {
            long deadline = System.nanoTime() + Duration.ofSeconds(50).toNanos();
            while (!done && failure == null && System.nanoTime() < deadline) {
                request(1 + random.nextInt(40));
                if (random.nextInt(10) == 0) {
                    // a pause: the page read ahead arrives and waits, then the stream's time passes a stall
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                    nanos.addAndGet(DemandPager.STALL.toNanos());
                    java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
                } else {
                    java.util.concurrent.locks.LockSupport.parkNanos(random.nextInt(300_000));
                }
            }
        }
    }

    /** Asks for 500 rows at a time until it has {@code stopAt}, then for nothing until told; keeps what it got. */
    static final class Reader extends BaseSubscriber<Integer> {
        final List<Integer> rows = new ArrayList<>();
        private final int stopAt;

        Reader(int stopAt) {
            this.stopAt = stopAt;
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            request(500);
        }

        @Override
        protected void hookOnNext(Integer value) {
            rows.add(value);
            if (rows.size() % 500 == 0 && rows.size() < stopAt) {
                request(500);
            }
        }

        /** Whether it got rows 0, 1, 2, ... each once, in order. */
        boolean inOrder() {
            for (int i = 0; i < rows.size(); i++) {
                if (rows.get(i) != i) {
                    return false;
                }
            }
            return true;
        }
    }

    @Test
    void aStalledStreamGivesItsBudgetToOneShortOfItDroppingItsQueuedRowsAndReadsThemAgainInOrderWhenAsked() {
        PageBudget budget = new PageBudget(3000);
        AtomicLong nanos = new AtomicLong(); // stands still while streams read: every subscriber keeps up
        RewindingSource stalledSource = new RewindingSource();
        Reader stalled = new Reader(6000);
        DemandPager.create(() -> stalledSource, 100, 2000, Long.MAX_VALUE, false, budget, nanos::get)
                .subscribe(stalled);
        assertThat(stalled.rows).hasSize(6000);
        long held = 3000 - budget.available();
        assertThat(held).as("budget held by the stream that stalled").isPositive();

        nanos.addAndGet(DemandPager.STALL.toNanos());
        RewindingSource fastSource = new RewindingSource();
        Reader fast = new Reader(20_000);
        DemandPager.create(() -> fastSource, 100, 2000, Long.MAX_VALUE, false, budget, nanos::get).subscribe(fast);
        assertThat(fast.rows).hasSize(20_000);
        assertThat(fast.inOrder()).isTrue();
        assertThat(fastSource.largestPage()).as("the fast stream's pages, with the budget given back")
                .isEqualTo(2000);
        assertThat(stalledSource.rewinds).as("the stalled stream dropped its queue and goes on after its last row")
                .containsExactly("after 5999, " + (stalledSource.pages.stream().mapToInt(Integer::intValue).sum()
                        - 6000) + " dropped");

        // asked again, it reads the dropped rows again, from a small page: nothing lost, nothing twice
        int pagesBefore = stalledSource.pages.size();
        stalled.request(1000);
        assertThat(stalled.rows).hasSize(7000);
        assertThat(stalled.inOrder()).isTrue();
        assertThat(stalledSource.pages.get(pagesBefore)).isEqualTo(1000);
        stalled.dispose();
        fast.dispose();
        assertThat(budget.available()).isEqualTo(3000);
    }

    @Test
    void aStreamThatWaitedOnItsSubscriberLessThanTheStallKeepsItsRowsAndBudget() {
        PageBudget budget = new PageBudget(3000);
        AtomicLong nanos = new AtomicLong();
        RewindingSource pausedSource = new RewindingSource();
        Reader paused = new Reader(6000);
        DemandPager.create(() -> pausedSource, 100, 2000, Long.MAX_VALUE, false, budget, nanos::get)
                .subscribe(paused);
        long held = 3000 - budget.available();

        nanos.addAndGet(DemandPager.STALL.toNanos() - 1);
        RewindingSource fastSource = new RewindingSource();
        Reader fast = new Reader(20_000);
        DemandPager.create(() -> fastSource, 100, 2000, Long.MAX_VALUE, false, budget, nanos::get).subscribe(fast);
        assertThat(fast.rows).hasSize(20_000);
        assertThat(pausedSource.rewinds).isEmpty();
        assertThat(fastSource.largestPage()).as("the fast stream's pages, short of what the paused one holds")
                .isLessThan(2000);
        assertThat(3000 - budget.available()).isGreaterThanOrEqualTo(held);
        paused.request(1000);
        assertThat(paused.rows).hasSize(7000);
        assertThat(paused.inOrder()).isTrue();
    }

    @Test
    void aStalledStreamWhosePagesCannotStartAgainKeepsItsRows() {
        PageBudget budget = new PageBudget(3000);
        AtomicLong nanos = new AtomicLong();
        Source stalledSource = new Source(1_000_000);
        Reader stalled = new Reader(6000);
        DemandPager.create(() -> stalledSource, 100, 2000, Long.MAX_VALUE, false, budget, nanos::get)
                .subscribe(stalled);
        int fetched = stalledSource.fetched();
        long held = 3000 - budget.available();

        nanos.addAndGet(DemandPager.STALL.toNanos() * 10);
        Reader fast = new Reader(20_000);
        DemandPager.create(() -> new RewindingSource(), 100, 2000, Long.MAX_VALUE, false, budget, nanos::get)
                .subscribe(fast);
        assertThat(fast.rows).hasSize(20_000);
        assertThat(3000 - budget.available()).isGreaterThanOrEqualTo(held);
        stalled.request(1000);
        assertThat(stalled.inOrder()).isTrue();
        assertThat(stalledSource.fetched()).as("nothing read twice").isGreaterThanOrEqualTo(fetched);
    }

    @Test
    void asksForNothingBeforeDemandAndAMinimumPageForSmallDemand() {
        Source source = new Source(100_000);
        StepVerifier.create(DemandPager.create(() -> source, 100, 2000, Long.MAX_VALUE), 0)
                .expectSubscription()
                .then(() -> assertThat(source.pages).isEmpty())
                .thenRequest(10)
                .expectNextCount(10)
                .then(() -> assertThat(source.pages).containsExactly(100))
                .thenRequest(30)
                .expectNextCount(30)
                .then(() -> assertThat(source.pages).as("60 of 100 rows still unrequested: no read-ahead")
                        .containsExactly(100))
                .thenRequest(20)
                .expectNextCount(20)
                .then(() -> assertThat(source.pages).as("under half a page left and still asking: one page ahead")
                        .containsExactly(100, 200))
                .thenCancel()
                .verify();
    }

    @Test
    void afterRequestOfNTheSourceIsAskedForAtMostNPlusOneMaximumPage() {
        for (int n : new int[] {1, 99, 100, 101, 1999, 2000, 2001, 7777, 50_000}) {
            Source source = new Source(1_000_000);
            StepVerifier.create(DemandPager.create(() -> source, 100, 2000, Long.MAX_VALUE), 0)
                    .thenRequest(n)
                    .expectNextCount(n)
                    .thenAwait(Duration.ofMillis(5))
                    .then(() -> assertThat(source.fetched()).as("rows fetched after request(%d)", n)
                            .isGreaterThanOrEqualTo(n).isLessThanOrEqualTo(n + 2000))
                    .thenCancel()
                    .verify();
        }
    }

    @Test
    void pagesGrowWhileTheSubscriberKeepsConsumingUpToTheMaximum() {
        Source source = new Source(50_000);
        StepVerifier.create(DemandPager.create(() -> source, 100, 2000, Long.MAX_VALUE).limitRate(500))
                .expectNextCount(50_000)
                .verifyComplete();
        assertThat(source.pages.get(0)).isEqualTo(500);
        assertThat(source.pages).allMatch(size -> size >= 100 && size <= 2000);
        assertThat(source.pages.stream().mapToInt(Integer::intValue).max().orElseThrow())
                .as("pages grow beyond the first while the subscriber keeps up").isGreaterThan(500);
    }

    @Test
    void pagesStaySmallForASubscriberSlowerThanThePagesArrive() {
        Source source = new Source(100_000);
        AtomicLong nanos = new AtomicLong();
        StepVerifier.Step<Integer> steps = StepVerifier.create(
                DemandPager.create(() -> source, 100, 2000, Long.MAX_VALUE, false, nanos::get), 0);
        int requested = 0;
        for (int i = 0; i < 60; i++) {
            steps = steps.thenRequest(50).expectNextCount(50).then(() -> nanos.addAndGet(1_000_000_000L));
            requested += 50;
        }
        int asked = requested;
        steps.then(() -> {
            assertThat(source.pages).as("pages arrive at once, the subscriber asks once a second").allMatch(p -> p == 100);
            assertThat(source.fetched()).as("rows queued: its demand plus a minimum page").isLessThanOrEqualTo(asked + 100);
        }).thenCancel().verify();
    }

    @Test
    void pagesGrowForASubscriberAsFastAsThePagesAndShrinkWhenItSlowsDown() {
        Source source = new Source(1_000_000);
        AtomicLong nanos = new AtomicLong();
        AtomicInteger fastPages = new AtomicInteger();
        StepVerifier.Step<Integer> steps = StepVerifier.create(
                        DemandPager.create(() -> source, 100, 2000, Long.MAX_VALUE, false, nanos::get), 0)
                .thenRequest(20_000)
                .expectNextCount(20_000)
                .then(() -> assertThat(source.pages).as("a clock that stands still: the subscriber keeps up")
                        .contains(2000))
                .then(() -> fastPages.set(source.pages.size()));
        for (int i = 0; i < 200; i++) {
            steps = steps.then(() -> nanos.addAndGet(1_000_000_000L)).thenRequest(50).expectNextCount(50);
        }
        steps.then(() -> {
            List<Integer> slow = source.pages.subList(fastPages.get(), source.pages.size());
            assertThat(slow).as("pages while the subscriber asks for 50 rows a second").isNotEmpty();
            for (int k = 1; k < slow.size(); k++) {
                assertThat(slow.get(k)).as("page %d of the slow phase %s", k, slow).isLessThanOrEqualTo(slow.get(k - 1));
            }
            assertThat(slow.get(slow.size() - 1)).as("shrunk back to the minimum page: %s", slow).isEqualTo(100);
        }).thenCancel().verify();
    }

    @Test
    void unboundedDemandUsesMaximumPagesAndAShortPageEndsTheStream() {
        Source source = new Source(4500);
        StepVerifier.create(DemandPager.create(() -> source, 100, 2000, Long.MAX_VALUE))
                .expectNextCount(4500)
                .verifyComplete();
        assertThat(source.pages).containsExactly(2000, 2000, 2000);
    }

    @Test
    void aFullLastPageCostsOneEmptyPageToFindTheEnd() {
        Source source = new Source(4000);
        StepVerifier.create(DemandPager.create(() -> source, 100, 2000, Long.MAX_VALUE))
                .expectNextCount(4000)
                .verifyComplete();
        assertThat(source.pages).containsExactly(2000, 2000, 2000);
    }

    @Test
    void theLimitCapsPageSizesAndEndsWithoutAnExtraPage() {
        Source source = new Source(1_000_000);
        StepVerifier.create(DemandPager.create(() -> source, 100, 2000, 2500))
                .expectNextCount(2500)
                .verifyComplete();
        assertThat(source.pages).containsExactly(2000, 500);
    }

    @Test
    void cancelLetsThePageInFlightFinishAndAsksForNoOther() {
        Source source = new Source(1_000_000);
        Sinks.Many<Integer> slowPage = Sinks.many().unicast().onBackpressureBuffer();
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger cancelledPages = new AtomicInteger();
        DemandPager.Pages<Integer> pages = size -> {
            calls.incrementAndGet();
            return calls.get() == 1 ? source.next(size) : slowPage.asFlux().doOnCancel(cancelledPages::incrementAndGet);
        };
        StepVerifier.create(DemandPager.create(() -> pages, 100, 100, Long.MAX_VALUE), 0)
                .thenRequest(150)
                .expectNextCount(100)
                .then(() -> assertThat(calls).hasValue(2))
                .thenCancel()
                .verify();
        for (int i = 0; i < 100; i++) {
            slowPage.tryEmitNext(i);
        }
        slowPage.tryEmitComplete();
        assertThat(cancelledPages).as("the page in flight is read to its end, never cancelled").hasValue(0);
        assertThat(calls).hasValue(2);
    }

    @Test
    void stoppablePagesDoubleBeyondTheMaximumUnderUnboundedDemand() {
        Source source = new Source(100_000);
        StepVerifier.create(DemandPager.create(() -> source, 100, 2000, Long.MAX_VALUE, true))
                .expectNextCount(100_000)
                .verifyComplete();
        assertThat(source.pages).containsExactly(2000, 4000, 8000, 16_000, 32_000, 64_000);
    }

    @Test
    void stoppablePagesBeyondTheMaximumFetchOnlyRequestedRows() {
        Source source = new Source(100_000);
        StepVerifier.create(DemandPager.create(() -> source, 100, 2000, Long.MAX_VALUE, true), 0)
                .thenRequest(5000)
                .expectNextCount(5000)
                .then(() -> assertThat(source.pages).as("beyond maxPage, only what was asked for")
                        .containsExactly(2000, 3000))
                .thenRequest(20_000)
                .expectNextCount(20_000)
                .then(() -> assertThat(source.fetched()).as("rows fetched <= requested + maxPage")
                        .isLessThanOrEqualTo(25_000 + 2000))
                .thenCancel()
                .verify();
    }

    @Test
    void cancelStopsAPageBeyondTheMaximumButNotAnOrdinaryOne() {
        Source source = new Source(1_000_000);
        Sinks.Many<Integer> slowPage = Sinks.many().unicast().onBackpressureBuffer();
        List<Mono<Void>> stops = new CopyOnWriteArrayList<>();
        AtomicInteger stopped = new AtomicInteger();
        DemandPager.Pages<Integer> pages = new DemandPager.Pages<>() {
            @Override
            public Flux<Integer> next(int size) {
                throw new AssertionError("the pager passes the stop signal");
            }

            @Override
            public Flux<Integer> next(int size, long wantedAfter, Mono<Void> stop) {
                stops.add(stop == null ? Mono.never() : stop.doOnSuccess(v -> stopped.incrementAndGet()));
                stops.get(stops.size() - 1).subscribe();
                return stops.size() == 1 ? source.next(size) : slowPage.asFlux();
            }
        };
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        StepVerifier.create(DemandPager.create(() -> pages, 100, 2000, Long.MAX_VALUE, true), 0)
                .thenRequest(Long.MAX_VALUE)
                .expectNextCount(2000)
                .then(() -> sizes.addAll(source.pages))
                .thenCancel()
                .verify();
        assertThat(sizes).as("the first page is an ordinary one").containsExactly(2000);
        assertThat(stops).hasSize(2);
        assertThat(stopped).as("only the 4000-row page in flight was told to stop").hasValue(1);
        slowPage.tryEmitComplete();
    }

    @Test
    void cancelStopsAnOrdinaryPageStillInFlightAfterTheGraceOnly() {
        Sinks.Many<Integer> blockedPage = Sinks.many().unicast().onBackpressureBuffer();
        AtomicInteger stopped = new AtomicInteger();
        AtomicInteger pagesIssued = new AtomicInteger();
        DemandPager.Pages<Integer> pages = new DemandPager.Pages<>() {
            @Override
            public Flux<Integer> next(int size) {
                throw new AssertionError("the pager passes the stop signal");
            }

            @Override
            public Flux<Integer> next(int size, long wantedAfter, Mono<Void> stop) {
                pagesIssued.incrementAndGet();
                assertThat(stop).as("a stoppable pager's page of " + size + " rows can be stopped").isNotNull();
                stop.subscribe(null, null, stopped::incrementAndGet);
                return blockedPage.asFlux();
            }
        };
        VirtualTimeScheduler time = VirtualTimeScheduler.getOrSet();
        try {
            Disposable subscription = DemandPager.create(() -> pages, 100, 2000, Long.MAX_VALUE, true)
                    .subscribeWith(new BaseSubscriber<Integer>() {
                        @Override
                        protected void hookOnSubscribe(Subscription subscription) {
                            subscription.request(1);
                        }
                    });
            assertThat(pagesIssued).hasValue(1);
            subscription.dispose();
            assertThat(stopped).as("stopped at once").hasValue(0);
            time.advanceTimeBy(DemandPager.GRACE.minusMillis(1));
            assertThat(stopped).as("stopped before the grace ended").hasValue(0);
            time.advanceTimeBy(Duration.ofMillis(1));
            assertThat(stopped).as("stopped once the grace ended").hasValue(1);
        } finally {
            VirtualTimeScheduler.reset();
        }
        blockedPage.tryEmitComplete();
    }

    @Test
    void aFailingPageFailsTheStream() {
        DemandPager.Pages<Integer> pages = size -> Flux.error(new IllegalStateException("boom"));
        StepVerifier.create(DemandPager.create(() -> pages, 10, 10, Long.MAX_VALUE))
                .expectErrorMessage("boom")
                .verify();
    }

    @Test
    void aSourceThatThrowsInsteadOfReturningAPageFailsTheStream() {
        AtomicInteger calls = new AtomicInteger();
        DemandPager.Pages<Integer> pages = size -> {
            if (calls.incrementAndGet() == 2) {
                throw new IllegalStateException("no second page");
            }
            return Flux.range(0, size);
        };
        StepVerifier.create(DemandPager.create(() -> pages, 10, 10, Long.MAX_VALUE), 0)
                .thenRequest(5)
                .expectNextCount(5)
                .thenRequest(20)
                .expectNextCount(5)
                .expectErrorMessage("no second page")
                .verify(Duration.ofSeconds(5));
        DemandPager.Pages<Integer> failingAtOnce = size -> {
            throw new IllegalStateException("no page at all");
        };
        StepVerifier.create(DemandPager.create(() -> failingAtOnce, 10, 10, Long.MAX_VALUE))
                .expectErrorMessage("no page at all")
                .verify(Duration.ofSeconds(5));
    }
}
