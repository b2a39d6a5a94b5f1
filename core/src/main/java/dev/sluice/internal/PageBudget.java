package dev.sluice.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

/**
 * The rows that the keyset streams of one repository may hold fetched ahead of their subscribers' demand, beyond one
 * minimum page each: so that many streams whose subscribers look fast for a moment and then stall (a slow HTTP
 * client whose kernel socket buffer takes its first megabytes at once) cannot each hold a page of
 * {@code maxPageSize} rows. A page asks for the rows it would fetch beyond demand and the minimum page; what the
 * budget has not got, the page goes without. A stream gives a page's rows back once it has emitted that page's last
 * row, and all it holds when it ends.
 *
 * <p>A page short of budget first asks the streams that hold some to give it back if they are stalled (a
 * {@link Holder} decides, in {@link DemandPager}: rows queued and no demand for a while): such a stream drops its
 * queued rows and reads them again when its subscriber asks. So the budget goes to the streams that are being read,
 * not to those that took it while their client's socket buffer filled and then stopped.
 */
final class PageBudget {

    /** No bound: every page as large as its stream's rules make it. */
    static final PageBudget UNBOUNDED = new PageBudget(Long.MAX_VALUE);

    /** A stream that holds budget and can give it back before its rows are emitted. */
    interface Holder {
        /** Gives the budget back, dropping the rows it paid for, if the stream is stalled; maybe later, in its drain. */
        void reclaimIfStalled();
    }

    private final AtomicLong available;
    /** The streams that hold budget and can give it back early. */
    private final Set<Holder> holders = ConcurrentHashMap.newKeySet();

    PageBudget(long rows) {
        if (rows < 0) {
            throw new IllegalArgumentException("a page budget of " + rows + " rows");
        }
        this.available = new AtomicLong(rows);
    }

    /** The budget of a repository ({@link RepoSettings#readAheadRows()}). */
    static PageBudget of(RepoSettings settings) {
        return new PageBudget(settings.readAheadRows());
    }

    /** Takes up to {@code wanted} rows, as many as are left; returns how many it took. */
    long take(long wanted) {
        if (wanted <= 0 || this == UNBOUNDED) {
            return Math.max(0, wanted);
        }
        while (true) {
            long left = available.get();
            long got = Math.min(left, wanted);
            if (got <= 0) {
                return 0;
            }
            if (available.compareAndSet(left, left - got)) {
                return got;
            }
        }
    }

    /**
     * As {@link #take(long)}; when the budget is short, first asks the stalled streams that hold some to give it
     * back. {@code holder}, when not null, can give what it takes back early, and is asked to when another stream
     * is short, until it {@link #release}s.
     */
    long take(long wanted, @Nullable Holder holder) {
        long got = take(wanted);
        if (got < wanted && this != UNBOUNDED) {
            for (Holder other : holders) {
                if (other != holder) {
                    other.reclaimIfStalled();
                }
            }
            got += take(wanted - got);
        }
        if (got > 0 && holder != null && this != UNBOUNDED) {
            holders.add(holder);
        }
        return got;
    }

    /** {@code holder} holds no more budget. */
    void release(Holder holder) {
        if (this != UNBOUNDED) {
            holders.remove(holder);
        }
    }

    /** Gives back rows taken. */
    void give(long rows) {
        if (rows > 0 && this != UNBOUNDED) {
            available.addAndGet(rows);
        }
    }

    /** The rows left to take. */
    long available() {
        return available.get();
    }
}
