package dev.sluice.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The rows that the keyset streams of one repository may hold fetched ahead of their subscribers' demand, beyond one
 * minimum page each: so that many streams whose subscribers look fast for a moment and then stall (a slow HTTP
 * client whose kernel socket buffer takes its first megabytes at once) cannot each hold a page of
 * {@code maxPageSize} rows. A page asks for the rows it would fetch beyond demand and the minimum page; what the
 * budget has not got, the page goes without. A stream gives a page's rows back once it has emitted that page's last
 * row, and all it holds when it ends.
 */
final class PageBudget {

    /** No bound: every page as large as its stream's rules make it. */
    static final PageBudget UNBOUNDED = new PageBudget(Long.MAX_VALUE);

    private final AtomicLong available;

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
