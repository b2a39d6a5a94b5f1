package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.spec.BoundedMemorySpec.BigPicture;
import dev.sluice.testkit.PgWireRelay;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * Memory follows demand with many slow subscribers at once (DESIGN invariant 12), where
 * {@link SlowSubscribersMemorySpec} counts one: a JVM started with {@code -Xmx64m} runs 200 slow subscribers on a pool
 * of 10, half of them on a keyset scan by key and half on {@code orderBy("taken_at")} (keyset on
 * {@code (taken_at, id)}), of {@link BoundedMemorySpec}'s 200,000 rows of 1 KiB (about 230 MB, several times that
 * heap). Each asks for 50 rows every 100 ms, 1,000 rows in all: 200,000 rows, the table's size, go through that heap.
 * Rows are counted on the wire by a relay in this JVM: the server sends each subscriber its demand plus at most a
 * small page or two; pages of {@code maxPageSize} (10,000 rows, 10 MB) queued for each would be 2 GB. That the heap
 * cannot hold the table is {@link BoundedMemorySpec}'s control (collecting it there runs out of memory); this spec's
 * control runs pages of {@code maxPageSize} rows instead, and the server sends far more than that bound.
 */
class SlowSubscribersSmallHeapSpec {

    static final int SUBSCRIBERS = 200;
    static final int REQUEST = 50;
    static final int REQUESTS = 20;
    static final int MIN_PAGE = 100;
    static final int POOL = 10;
    /** Rows of the entity check each forked repository makes at first use (catalog queries): a generous ceiling. */
    static final int CATALOG_ROWS = 500;

    private PgWireRelay relay;

    @BeforeAll
    static void bigTableWithAnIndexForTheOrder() {
        BoundedMemorySpec.bigTable();
        Fixtures.db().execute("CREATE INDEX IF NOT EXISTS big_picture_taken_at ON big_picture (taken_at, id)",
                "ANALYZE big_picture");
    }

    @BeforeEach
    void startRelay() {
        relay = Fixtures.relay();
    }

    @AfterEach
    void closeRelay() {
        relay.close();
    }

    /**
     * What the forked JVM runs: {@code <url> <minPage> <maxPage> <subscribers>}; slow subscribers, half in key
     * order, half in time order; prints {@code demanded=N received=N}.
     */
    public static void main(String[] args) throws InterruptedException {
        try (R2dbcRepo repo = R2dbcRepo.builder(args[0]).minPageSize(Integer.parseInt(args[1]))
                .maxPageSize(Integer.parseInt(args[2])).build()) {
            // the entity's first-use check, once, before the subscribers race for it
            repo.select(BigPicture.class).where("id <= ?", 1L).flux().blockLast();
            AtomicLong demanded = new AtomicLong();
            AtomicLong received = new AtomicLong();
            int subscribers = Integer.parseInt(args[3]);
            CountDownLatch done = new CountDownLatch(subscribers);
            for (int i = 0; i < subscribers; i++) {
                Flux<BigPicture> rows = i % 2 == 0 ? repo.scan(BigPicture.class)
                        : repo.select(BigPicture.class).orderBy("taken_at").flux();
                rows.subscribe(new SlowSubscriber(demanded, received, done));
            }
            if (!done.await(3, TimeUnit.MINUTES)) {
                throw new IllegalStateException("subscribers not done: " + done.getCount());
            }
            System.out.println("demanded=" + demanded.get() + " received=" + received.get());
        }
    }

    /** Asks for {@link #REQUEST} rows every 100 ms, {@link #REQUESTS} times, then cancels. */
    static final class SlowSubscriber extends BaseSubscriber<BigPicture> {
        private final AtomicLong demanded;
        private final AtomicLong received;
        private final CountDownLatch done;
        private int requests;
        private int rows;
        private Disposable ticks;

        SlowSubscriber(AtomicLong demanded, AtomicLong received, CountDownLatch done) {
            this.demanded = demanded;
            this.received = received;
            this.done = done;
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            ticks = Schedulers.parallel().schedulePeriodically(this::tick, 0, 100, TimeUnit.MILLISECONDS);
        }

        private synchronized void tick() {
            if (requests < REQUESTS) {
                requests++;
                demanded.addAndGet(REQUEST);
                request(REQUEST);
            }
        }

        @Override
        protected void hookOnNext(BigPicture value) {
            received.incrementAndGet();
            if (++rows == REQUEST * REQUESTS) {
                ticks.dispose();
                cancel();
                done.countDown();
            }
        }

        @Override
        protected void hookOnError(Throwable error) {
            error.printStackTrace();
            ticks.dispose();
        }
    }

    private Fixtures.Forked fork(int minPage, int maxPage, int subscribers) throws Exception {
        String url = Fixtures.withParam(Fixtures.db().r2dbcUrl("127.0.0.1", relay.port()), "maxSize", POOL);
        return Fixtures.forkSmallHeap(SlowSubscribersSmallHeapSpec.class, Duration.ofMinutes(4), url,
                String.valueOf(minPage), String.valueOf(maxPage), String.valueOf(subscribers));
    }

    @Test
    void twoHundredSlowSubscribersInKeyAndTimeOrderRunIn64MiBAndTheServerSendsTheirDemandPlusASmallPageEach()
            throws Exception {
        long demanded = (long) SUBSCRIBERS * REQUEST * REQUESTS;
        long sent = sentFor(fork(MIN_PAGE, 10_000, SUBSCRIBERS), demanded);
        System.out.printf("200 slow subscribers at -Xmx64m: %d rows demanded, %d sent by the server (%.2f per row "
                + "demanded)%n", demanded, sent, (double) sent / demanded);
        // each stream: its demand, plus a minimum page (two, while one page's last rows wait as the next is read);
        // pages larger than that, for streams that seem to keep up, draw on the read-ahead budget all streams share
        // (four maxPageSize pages): seen 1.01-1.27 rows sent per row demanded, where pages of maxPageSize send
        // thousands per stream (the control below)
        long budget = 4L * 10_000; // the default readAheadBudget: four maxPageSize pages
        assertThat(sent).isBetween(demanded, demanded + SUBSCRIBERS * 2L * MIN_PAGE + budget + CATALOG_ROWS);
    }

    @Test
    void whereasPagesOfMaxPageSizeMakeTheServerSendFarMoreThanThatForEachSlowSubscriber() throws Exception {
        // the control, with 4 subscribers: every page 4,000 rows, as pages that grew whatever the subscriber's
        // pace would end up; the server sends far more than the bound above. Few subscribers and pages smaller than
        // maxPageSize, so that the control fits the heap on a quiet machine too, where the client reads each page
        // off the socket into its queue as fast as the server sends it (10 subscribers with 10,000-row pages ran out
        // of 64 MiB there)
        int subscribers = 4;
        long demanded = (long) subscribers * REQUEST * REQUESTS;
        long sent = sentFor(fork(4_000, 4_000, subscribers), demanded);
        System.out.printf("%d slow subscribers with pages of 4,000 rows: %d rows demanded, %d sent%n", subscribers,
                demanded, sent);
        assertThat(sent).isGreaterThan(demanded + subscribers * 3L * MIN_PAGE + CATALOG_ROWS);
    }

    /** The rows the server sent for a forked run that completed, every row demanded received. */
    private long sentFor(Fixtures.Forked outcome, long demanded) {
        assertThat(outcome.ranOutOfHeap()).as("ran out of heap:%n%s", outcome.output()).isFalse();
        assertThat(outcome.exitCode()).as(outcome.output()).isZero();
        Matcher counts = Pattern.compile("demanded=(\\d+) received=(\\d+)").matcher(outcome.output());
        assertThat(counts.find()).as(outcome.output()).isTrue();
        assertThat(Long.parseLong(counts.group(1))).isEqualTo(demanded);
        assertThat(Long.parseLong(counts.group(2))).isEqualTo(demanded);
        return relay.dataRows();
    }
}
