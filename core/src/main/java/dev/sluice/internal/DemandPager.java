package dev.sluice.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import dev.sluice.ConnectionLostException;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;
import reactor.util.context.Context;

/**
 * Turns subscriber demand into pages: the heart of Sluice's back-pressure.
 *
 * <p>Rules, each tested:
 * <ul>
 *   <li>One page is in flight at most; the next is asked for only after the previous one completed.</li>
 *   <li>A page is issued for unmet demand, sized {@code clamp(max(unmet, grown), minPage, maxPage)}, where
 *       {@code grown} is twice the previous page while the subscriber keeps up or has already asked for that many
 *       rows, and half of it (at least {@code minPage}) otherwise: a subscriber that keeps consuming gets growing pages, one that asks for
 *       10 rows gets a minimum page.</li>
 *   <li>The subscriber keeps up when it asked for the next page within twice the time the previous page took to
 *       arrive (plus {@link #KEEP_UP_SLACK}, for pages that arrive at once). So memory follows demand: a slow
 *       subscriber (a slow HTTP client behind WebFlux that keeps asking for a few rows) holds its outstanding demand
 *       plus a small page, where pages that doubled on every request would grow to {@code maxPage} rows queued for
 *       it; a fast one still reaches the largest pages.</li>
 *   <li>When the source can stop a page early (on the server), pages keep doubling beyond {@code maxPage} for as
 *       long as the subscriber has already asked for that many rows: a subscriber with unbounded demand reads a
 *       million rows in a handful of statements, not a hundred. The part of a page beyond {@code maxPage} is
 *       always requested, so the bound below holds.</li>
 *   <li>While the subscriber keeps requesting, the next page is fetched ahead when fewer than half a page of
 *       fetched rows remain unrequested, to hide the round trip.</li>
 *   <li>The rows of a page beyond the subscriber's unmet demand and a minimum page are taken from a
 *       {@link PageBudget} shared by the repository's keyset streams (four largest pages by default), and given back
 *       once the page's last row is emitted, or when the stream ends; a page goes without what the budget has not got. So many
 *       subscribers that look fast for a moment and then stall (slow HTTP clients, whose kernel socket buffers take
 *       their first megabytes at once) hold the budget plus a minimum page each, not a large page each.</li>
 *   <li>When a page is short of budget, streams that hold some and have waited on their subscriber (rows queued,
 *       no demand) for {@link #STALL}, between pages, give it back: when their pages can start again after an
 *       earlier row ({@link Pages#rewinds()}: keyset pages without relations), they drop their queued rows, and
 *       the next page starts after the last row emitted, sized as for a subscriber that does not keep up. So the
 *       budget goes to the streams being read, and a stalled one costs its demand plus nothing queued.</li>
 *   <li>So rows fetched never exceed rows requested plus {@code maxPage}: after {@code request(n)} and a pause
 *       the source has been asked for at most {@code n + maxPage} rows.</li>
 *   <li>A page shorter than asked for ends the stream.</li>
 *   <li>A page that fails, or a source that throws instead of giving a page, fails the stream at once; one that
 *       lost its connection for good ({@link ConnectionLostException}) once the rows received before it are
 *       delivered, so that the error's count of rows delivered and key to resume after are the subscriber's.</li>
 *   <li>Cancel never cancels the page in flight: it is read to its end and discarded, so its connection is
 *       released healthy (a driver that drains or wedges on cancel never sees one). When the source can stop
 *       pages, a page larger than {@code maxPage} is told to stop at once, and any other page once it has run on
 *       for {@link #GRACE} after the cancel, so the server ends it early and little is left to read.</li>
 * </ul>
 */
final class DemandPager<T> extends Flux<T> {

    /** A source of consecutive pages. Called serially: the next call comes only after the last page completed. */
    interface Pages<T> {
        Publisher<T> next(int size);

        /**
         * The next page, knowing that after it the subscriber has already asked for {@code wantedAfter} more rows
         * ({@code Long.MAX_VALUE}: unbounded). A source may use that to prepare the next page early; the default
         * ignores it.
         *
         * @param stop null, or for a page the source must be able to end early: completes when the subscriber has
         *             cancelled (for a page of at most {@code maxPage} rows: {@link #GRACE} after, if the page still
         *             runs), and the page should then complete as soon as it can
         */
        default Publisher<T> next(int size, long wantedAfter, @Nullable Mono<Void> stop) {
            return next(size);
        }

        /**
         * Whether the next page can start again after an earlier row ({@link #rewind}), so that rows received but
         * not yet delivered may be dropped and read again later.
         */
        default boolean rewinds() {
            return false;
        }

        /**
         * Where the row the page in flight emitted last lies (before the first page: where the stream starts), for
         * {@link #rewind}; null is a position too. The pager asks in the page's {@code onNext}, so a source that
         * rewinds must emit each row synchronously after noting its position: no queue between the two.
         */
        default @Nullable Object position() {
            return null;
        }

        /**
         * The next page starts after {@code position} (one {@link #position()} gave); the {@code dropped} rows
         * received after it were dropped unseen. Called between pages only.
         */
        default void rewind(@Nullable Object position, long dropped) {
            throw new UnsupportedOperationException("these pages cannot start again after an earlier row");
        }
    }

    /**
     * How long a page of at most {@code maxPage} rows may go on after a cancel before it is stopped on the server:
     * most pages end within it, and reading a page to its end is cheaper than a CancelRequest (a connection and a
     * process fork on the server); a page still running after it (blocked on a lock, a slow filter) is stopped.
     */
    static final Duration GRACE = Duration.ofMillis(100);

    /** Added to twice a page's time to arrive when judging whether the subscriber keeps up. */
    static final Duration KEEP_UP_SLACK = Duration.ofMillis(20);

    /**
     * How long a stream must have waited on its subscriber, rows queued and no demand, before it is stalled: then,
     * when another stream is short of the {@link PageBudget}, the stalled one drops the rows it holds, gives its
     * budget back and reads them again when asked. Far longer than a fast subscriber waits between requests, far
     * shorter than a slow HTTP client's pauses (seconds, while its socket buffer drains).
     */
    static final Duration STALL = Duration.ofMillis(200);

    private static final LongSupplier NANO_TIME = System::nanoTime;

    private final Supplier<? extends Pages<T>> pages;
    private final int minPage;
    private final int maxPage;
    private final long limit;
    private final boolean stoppable;
    private final PageBudget budget;
    private final LongSupplier clock;

    private DemandPager(Supplier<? extends Pages<T>> pages, int minPage, int maxPage, long limit, boolean stoppable,
                        PageBudget budget, LongSupplier clock) {
        this.budget = budget;
        this.pages = pages;
        this.minPage = minPage;
        this.maxPage = maxPage;
        this.limit = limit;
        this.stoppable = stoppable;
        this.clock = clock;
    }

    /**
     * @param pages   makes the page source of one subscription
     * @param minPage the smallest page, at least 1
     * @param maxPage the most rows fetched ahead of demand, and the largest page unless the source can stop pages; at
     *                least {@code minPage}
     * @param limit   the most rows to emit in all, {@code Long.MAX_VALUE} for no limit
     */
    static <T> Flux<T> create(Supplier<? extends Pages<T>> pages, int minPage, int maxPage, long limit) {
        return create(pages, minPage, maxPage, limit, false);
    }

    /**
     * As {@link #create(Supplier, int, int, long)}; with {@code stoppable}, the source can end a page early when
     * told to stop, so pages may grow beyond {@code maxPage} as far as the subscriber's demand reaches.
     */
    static <T> Flux<T> create(Supplier<? extends Pages<T>> pages, int minPage, int maxPage, long limit,
                              boolean stoppable) {
        return create(pages, minPage, maxPage, limit, stoppable, PageBudget.UNBOUNDED, NANO_TIME);
    }

    /**
     * As {@link #create(Supplier, int, int, long, boolean)}, the rows fetched ahead of demand beyond
     * {@code minPage} taken from {@code budget}, shared with other streams.
     */
    static <T> Flux<T> create(Supplier<? extends Pages<T>> pages, int minPage, int maxPage, long limit,
                              boolean stoppable, PageBudget budget) {
        return create(pages, minPage, maxPage, limit, stoppable, budget, NANO_TIME);
    }

    /** As {@link #create(Supplier, int, int, long, boolean)}, reading the time in nanoseconds from {@code clock}. */
    static <T> Flux<T> create(Supplier<? extends Pages<T>> pages, int minPage, int maxPage, long limit,
                              boolean stoppable, LongSupplier clock) {
        return create(pages, minPage, maxPage, limit, stoppable, PageBudget.UNBOUNDED, clock);
    }

    /** As {@link #create(Supplier, int, int, long, boolean, PageBudget)}, with the time from {@code clock}. */
    static <T> Flux<T> create(Supplier<? extends Pages<T>> pages, int minPage, int maxPage, long limit,
                              boolean stoppable, PageBudget budget, LongSupplier clock) {
        if (minPage < 1 || maxPage < minPage) {
            throw new IllegalArgumentException("need 1 <= minPage <= maxPage, got " + minPage + ", " + maxPage);
        }
        return new DemandPager<>(pages, minPage, maxPage, limit, stoppable, budget, clock);
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        Pages<T> source;
        try {
            source = Objects.requireNonNull(pages.get(), "pages");
        } catch (Throwable t) {
            Operators.error(actual, Operators.onOperatorError(t, actual.currentContext()));
            return;
        }
        actual.onSubscribe(new PagerSubscription<>(actual, source, minPage, maxPage, limit, stoppable, budget,
                clock));
    }

    static final class PagerSubscription<T> implements Subscription, PageBudget.Holder {

        /** {@link #blockedSince} when the stream is not waiting on its subscriber. */
        private static final long NOT_BLOCKED = Long.MIN_VALUE;
        /** Stands for a null position in {@link #marks}, which cannot hold null. */
        private static final Object NO_POSITION = new Object();

        private final CoreSubscriber<? super T> actual;
        private final Pages<T> pages;
        private final int minPage;
        private final int maxPage;
        private final boolean stoppable;
        private final LongSupplier clock;
        private final PageBudget budget;
        /**
         * Rows of the budget this stream holds (drain only): the last page's rows beyond demand and minPage, given
         * back once the stream has emitted that page's last row ({@code borrowedEnd}); and those of the page
         * before, when its rows are not all emitted yet.
         */
        private long borrowed;
        private long borrowedEnd;
        private long borrowedBefore;
        private long borrowedBeforeEnd;
        /** Rows received but not yet requested: one producer (the page in flight), one consumer (the drain). */
        private final Queue<T> queue = Queues.<T>unbounded(Queues.SMALL_BUFFER_SIZE).get();
        /**
         * When the pages rewind: the position of each row in {@link #queue}, offered before its row (so polled
         * after it is always there); else null.
         */
        private final @Nullable Queue<Object> marks;
        /** The position of the last row emitted (drain only): where the stream goes on after dropping its queue. */
        private @Nullable Object lastMark;
        /** Since when (clock) the stream has had rows queued and no demand; {@link #NOT_BLOCKED} otherwise. */
        private volatile long blockedSince = NOT_BLOCKED;
        /** Another stream, short of budget, asked this one to give its budget back if it is stalled. */
        private volatile boolean reclaim;

        private volatile long requested;
        @SuppressWarnings("rawtypes")
        private static final AtomicLongFieldUpdater<PagerSubscription> REQUESTED =
                AtomicLongFieldUpdater.newUpdater(PagerSubscription.class, "requested");

        private volatile int wip;
        @SuppressWarnings("rawtypes")
        private static final AtomicIntegerFieldUpdater<PagerSubscription> WIP =
                AtomicIntegerFieldUpdater.newUpdater(PagerSubscription.class, "wip");

        private volatile boolean cancelled;
        private volatile boolean inFlight;
        private volatile boolean exhausted;
        private volatile @Nullable Throwable error;

        // touched only inside drain()
        private long emitted;
        private long issued;
        private long remaining;
        private long requestedAtLastIssue;
        private int lastPage;
        /** When the last page was issued, and when it completed (volatile: written by the page's thread). */
        private long lastIssuedAt;
        private volatile long lastCompletedAt;
        private volatile @Nullable PageSubscriber page;

        PagerSubscription(CoreSubscriber<? super T> actual, Pages<T> pages, int minPage, int maxPage, long limit,
                          boolean stoppable, PageBudget budget, LongSupplier clock) {
            this.clock = clock;
            this.budget = budget;
            this.actual = actual;
            this.pages = pages;
            this.minPage = minPage;
            this.maxPage = maxPage;
            this.remaining = limit;
            this.stoppable = stoppable;
            this.marks = pages.rewinds() ? Queues.unbounded(Queues.SMALL_BUFFER_SIZE).get() : null;
            this.lastMark = marks == null ? null : pages.position();
        }

        @Override
        public void request(long n) {
            if (Operators.validate(n)) {
                Operators.addCap(REQUESTED, this, n);
                drain();
            }
        }

        @Override
        public void cancel() {
            if (!cancelled) {
                cancelled = true;
                drain();
            }
        }

        private void drain() {
            if (WIP.getAndIncrement(this) != 0) {
                return;
            }
            drainLoop(1);
        }

        /**
         * A row of the page in flight. The fast path, taken when no other signal is being handled, nothing is
         * queued and the subscriber has demand, hands the row straight on; otherwise it joins the queue.
         */
        void onRow(T row) {
            Object mark = marks == null ? null : pages.position();
            if (wip == 0 && WIP.compareAndSet(this, 0, 1)) {
                if (emitted != requested && queue.isEmpty()) {
                    lastMark = mark;
                    actual.onNext(row);
                    emitted++;
                } else {
                    if (emitted == requested && blockedSince == NOT_BLOCKED) {
                        blockedSince = clock.getAsLong();
                    }
                    enqueue(row, mark);
                }
                int missed = WIP.decrementAndGet(this);
                if (missed != 0) {
                    drainLoop(missed);
                }
            } else {
                enqueue(row, mark);
                drain();
            }
        }

        private void enqueue(T row, @Nullable Object mark) {
            Queue<Object> positions = marks;
            if (positions != null) {
                positions.offer(mark == null ? NO_POSITION : mark);
            }
            queue.offer(row);
        }

        /** The next queued row, its position noted as the last emitted one's; null when none is queued. */
        private @Nullable T poll() {
            T row = queue.poll();
            Queue<Object> positions = marks;
            if (row != null && positions != null) {
                Object mark = positions.poll();
                lastMark = mark == NO_POSITION ? null : mark;
            }
            return row;
        }

        private void clearQueue() {
            queue.clear();
            Queue<Object> positions = marks;
            if (positions != null) {
                positions.clear();
            }
        }

        /**
         * Another stream is short of budget: if this one holds budget and has waited on its subscriber for at least
         * {@link #STALL}, between pages, it drops its queued rows and gives its budget back (in its drain).
         */
        @Override
        public void reclaimIfStalled() {
            long since = blockedSince;
            if (since != NOT_BLOCKED && !inFlight && clock.getAsLong() - since >= STALL.toNanos()) {
                reclaim = true;
                drain();
            }
        }

        /** The serialized work: emit, complete or fail, issue the next page; {@code missed} signals to handle. */
        private void drainLoop(int missed) {
            for (;;) {
                if (cancelled) {
                    clearQueue();
                    giveBack();
                    PageSubscriber current = page;
                    if (current != null) {
                        current.stop();
                    }
                    return; // wip stays non-zero: every later drain() is a no-op
                }
                Throwable failure = error;
                if (failure != null && (queue.isEmpty() || !(failure instanceof ConnectionLostException))) {
                    clearQueue();
                    giveBack();
                    actual.onError(failure);
                    return;
                }
                long r = requested;
                long e = emitted;
                while (e != r) {
                    T row = poll();
                    if (row == null) {
                        break;
                    }
                    actual.onNext(row);
                    e++;
                    if (cancelled) {
                        break;
                    }
                }
                boolean emittedSome = e != emitted;
                emitted = e;
                giveBackEmitted();
                if (cancelled || (failure != null && queue.isEmpty())) {
                    continue;
                }
                if (e != r || queue.isEmpty()) {
                    blockedSince = NOT_BLOCKED;
                } else if (emittedSome || blockedSince == NOT_BLOCKED) {
                    blockedSince = clock.getAsLong();
                }
                if (reclaim) {
                    reclaim = false;
                    if (e == r && !inFlight && failure == null && marks != null && borrowed + borrowedBefore > 0) {
                        dropQueued(r);
                    }
                }
                if (!inFlight && failure == null) {
                    if (exhausted || remaining == 0) {
                        if (queue.isEmpty()) {
                            giveBack();
                            actual.onComplete();
                            return;
                        }
                    } else {
                        issueIfWanted(r);
                        if (error != null) {
                            continue; // the source threw instead of giving a page: fail now, not at a later signal
                        }
                    }
                }
                missed = WIP.addAndGet(this, -missed);
                if (missed == 0) {
                    return;
                }
            }
        }

        /**
         * Drops the rows queued for a stalled subscriber, which has asked for none of them ({@code r} rows asked
         * for, all emitted), gives the budget back, and makes the next page start after the last row emitted: the
         * dropped rows are read again when asked for, from pages sized as for a subscriber that does not keep up.
         */
        private void dropQueued(long r) {
            long dropped = queue.size(); // exact: no page in flight offers rows now
            clearQueue();
            pages.rewind(lastMark, dropped);
            if (remaining != Long.MAX_VALUE) {
                remaining += issued - emitted;
            }
            issued = emitted;
            exhausted = false;
            requestedAtLastIssue = r;
            lastPage = minPage;
            blockedSince = NOT_BLOCKED;
            giveBack();
        }

        /** Gives the rows this stream took from the budget back, at its end. */
        private void giveBack() {
            if (borrowed + borrowedBefore > 0) {
                budget.give(borrowed + borrowedBefore);
                borrowed = 0;
                borrowedBefore = 0;
                budget.release(this);
            }
        }

        /** Gives back the rows of pages whose last row has been emitted. */
        private void giveBackEmitted() {
            if (borrowed + borrowedBefore == 0) {
                return;
            }
            if (borrowedBefore > 0 && emitted >= borrowedBeforeEnd) {
                budget.give(borrowedBefore);
                borrowedBefore = 0;
            }
            if (borrowed > 0 && emitted >= borrowedEnd) {
                budget.give(borrowed);
                borrowed = 0;
            }
            if (borrowed + borrowedBefore == 0) {
                budget.release(this);
            }
        }

        private void issueIfWanted(long r) {
            long doubled = lastPage == 0 ? minPage
                    : r - issued >= 2L * lastPage || keepsUp() ? 2L * lastPage : Math.max(minPage, lastPage / 2);
            long grown = Math.min(maxPage, doubled);
            long size;
            if (r > issued) {
                long unmet = r - issued;
                size = Math.max(minPage, Math.min(maxPage, Math.max(unmet, grown)));
                if (stoppable && unmet > maxPage) {
                    size = Math.max(size, Math.min(Integer.MAX_VALUE, Math.min(unmet, doubled)));
                }
            } else if (r > requestedAtLastIssue && issued - r < lastPage / 2) {
                size = Math.min(grown, r + maxPage - issued);
                if (size < minPage) {
                    return;
                }
            } else {
                return;
            }
            size = Math.min(size, remaining);
            // the rows of this page beyond demand and a minimum page come from the repository's budget
            giveBackEmitted();
            if (borrowed > 0) {
                borrowedBefore += borrowed;
                borrowedBeforeEnd = borrowedEnd;
                borrowed = 0;
            }
            long ahead = size - Math.max(0, Math.min(size, r - issued)) - minPage;
            if (ahead > 0) {
                long got = budget.take(ahead, marks == null ? null : this);
                size -= ahead - got;
                borrowed = got;
                borrowedEnd = issued + size;
            }
            int pageSize = (int) size;
            issued += pageSize;
            if (remaining != Long.MAX_VALUE) {
                remaining -= pageSize;
            }
            requestedAtLastIssue = r;
            lastPage = pageSize;
            lastIssuedAt = clock.getAsLong();
            inFlight = true;
            PageSubscriber subscriber = new PageSubscriber(pageSize, stoppable ? Sinks.empty() : null);
            Publisher<T> next;
            try {
                long wantedAfter = r == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, r - issued);
                Sinks.Empty<Void> stop = subscriber.stop;
                next = Objects.requireNonNull(pages.next(pageSize, Math.min(wantedAfter, remaining),
                        stop == null ? null : stop.asMono()), "page");
            } catch (Throwable t) {
                error = Operators.onOperatorError(t, actual.currentContext());
                inFlight = false;
                return;
            }
            page = subscriber;
            next.subscribe(subscriber);
        }

        /**
         * Whether the subscriber, now asking for a page, asked for it within twice the time the last page took to
         * arrive (plus the slack): if not, it consumes more slowly than pages arrive, and larger pages would only
         * queue rows for it.
         */
        private boolean keepsUp() {
            long took = lastCompletedAt - lastIssuedAt;
            long since = clock.getAsLong() - lastIssuedAt;
            return since <= 2 * took + KEEP_UP_SLACK.toNanos();
        }

        /**
         * Reads one page to its end, even after a cancel; a stoppable page is told to stop first: at once beyond
         * {@code maxPage}, else after the {@link #GRACE}.
         */
        private final class PageSubscriber implements CoreSubscriber<T> {
            private final int size;
            private final Sinks.@Nullable Empty<Void> stop;
            private int received;
            private volatile @Nullable Disposable grace;

            PageSubscriber(int size, Sinks.@Nullable Empty<Void> stop) {
                this.size = size;
                this.stop = stop;
            }

            void stop() {
                Sinks.Empty<Void> signal = stop;
                if (signal == null) {
                    return;
                }
                if (size > maxPage) {
                    signal.tryEmitEmpty();
                } else {
                    grace = Mono.delay(GRACE).subscribe(tick -> signal.tryEmitEmpty());
                }
            }

            private void ended() {
                Disposable timer = grace;
                if (timer != null) {
                    timer.dispose();
                }
            }

            @Override
            public Context currentContext() {
                return actual.currentContext();
            }

            @Override
            public void onSubscribe(Subscription s) {
                s.request(Long.MAX_VALUE); // bounded by the page's LIMIT or FETCH count
            }

            @Override
            public void onNext(T row) {
                received++;
                if (!cancelled) {
                    onRow(row);
                }
            }

            @Override
            public void onError(Throwable t) {
                ended();
                error = t;
                page = null;
                inFlight = false;
                drain();
            }

            @Override
            public void onComplete() {
                lastCompletedAt = clock.getAsLong();
                ended();
                if (received < size) {
                    exhausted = true;
                }
                page = null;
                inFlight = false;
                drain();
            }
        }
    }
}
