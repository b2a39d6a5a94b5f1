package dev.sluice.internal;

import java.util.Objects;

import dev.sluice.StatementListener;
import dev.sluice.spi.Observer;

/**
 * The settings of a repository, shared by all its queries. Adapters build it from their builders; unstable API.
 *
 * @param minPageSize the smallest page a keyset or cursor fetch asks for (default {@value #DEFAULT_MIN_PAGE_SIZE})
 * @param maxPageSize the most rows fetched ahead of demand, and the largest page unless more was asked for (default
 *                    {@value #DEFAULT_MAX_PAGE_SIZE})
 * @param listener    told of every statement sent
 * @param writeBatchSize the most rows one multi-row {@code INSERT} writes (default
 *                    {@value #DEFAULT_WRITE_BATCH_SIZE}); fewer when PostgreSQL's 65535 bind-parameter limit needs it
 * @param relationBatchSize the most parents in one window whose relations load in one query each (default
 *                    {@value #DEFAULT_RELATION_BATCH_SIZE}); queries that load relations page by at most this many
 * @param readRetry   how reads outside a transaction are run again after a lost connection (default
 *                    {@link ReadRetry#DEFAULTS})
 * @param observer    told of every stream and statement, for metrics and traces (default {@link Observer#NONE})
 * @param readAheadBudget the rows the repository's keyset streams may hold fetched ahead of their subscribers'
 *                    demand beyond a minimum page each, shared by all of them; {@value #DEFAULT_READ_AHEAD_BUDGET}
 *                    (the default) for four {@code maxPageSize} pages ({@link #readAheadRows()})
 */
public record RepoSettings(int minPageSize, int maxPageSize, StatementListener listener, int writeBatchSize,
                           int relationBatchSize, ReadRetry readRetry, Observer observer, long readAheadBudget) {

    public static final int DEFAULT_MIN_PAGE_SIZE = 100;
    public static final int DEFAULT_MAX_PAGE_SIZE = 10_000;
    public static final int DEFAULT_WRITE_BATCH_SIZE = 500;
    public static final int DEFAULT_RELATION_BATCH_SIZE = 500;
    /** The read-ahead budget that follows {@code maxPageSize}: four of its pages. */
    public static final long DEFAULT_READ_AHEAD_BUDGET = -1;

    /** The defaults; change them with the {@code withX} methods. */
    public static final RepoSettings DEFAULTS = new RepoSettings(DEFAULT_MIN_PAGE_SIZE, DEFAULT_MAX_PAGE_SIZE,
            StatementListener.NONE, DEFAULT_WRITE_BATCH_SIZE, DEFAULT_RELATION_BATCH_SIZE, ReadRetry.DEFAULTS,
            Observer.NONE, DEFAULT_READ_AHEAD_BUDGET);

    public RepoSettings withPageSizes(int min, int max) {
        return new RepoSettings(min, max, listener, writeBatchSize, relationBatchSize, readRetry, observer, readAheadBudget);
    }

    public RepoSettings withListener(StatementListener listener) {
        return new RepoSettings(minPageSize, maxPageSize, listener, writeBatchSize, relationBatchSize, readRetry,
                observer, readAheadBudget);
    }

    public RepoSettings withWriteBatchSize(int rows) {
        return new RepoSettings(minPageSize, maxPageSize, listener, rows, relationBatchSize, readRetry, observer, readAheadBudget);
    }

    public RepoSettings withRelationBatchSize(int parents) {
        return new RepoSettings(minPageSize, maxPageSize, listener, writeBatchSize, parents, readRetry, observer,
                readAheadBudget);
    }

    public RepoSettings withReadRetry(ReadRetry retry) {
        return new RepoSettings(minPageSize, maxPageSize, listener, writeBatchSize, relationBatchSize, retry,
                observer, readAheadBudget);
    }

    public RepoSettings withObserver(Observer observer) {
        return new RepoSettings(minPageSize, maxPageSize, listener, writeBatchSize, relationBatchSize, readRetry,
                Objects.requireNonNull(observer, "observer"), readAheadBudget);
    }

    /** These settings with a read-ahead budget of {@code rows} (0: no page beyond demand and a minimum page). */
    public RepoSettings withReadAheadBudget(long rows) {
        return new RepoSettings(minPageSize, maxPageSize, listener, writeBatchSize, relationBatchSize, readRetry,
                observer, rows);
    }

    /** The read-ahead budget in rows: as set, or four {@code maxPageSize} pages by default. */
    public long readAheadRows() {
        return readAheadBudget == DEFAULT_READ_AHEAD_BUDGET ? 4L * maxPageSize : readAheadBudget;
    }

    public RepoSettings {
        if (readAheadBudget < 0 && readAheadBudget != DEFAULT_READ_AHEAD_BUDGET) {
            throw new IllegalArgumentException("readAheadBudget must be at least 0 rows, got " + readAheadBudget);
        }
        requireAtLeastOne("minPageSize", minPageSize);
        if (maxPageSize < minPageSize) {
            throw new IllegalArgumentException("maxPageSize (" + maxPageSize + ") must be at least minPageSize ("
                    + minPageSize + ")");
        }
        if (listener == null) {
            throw new NullPointerException("listener");
        }
        Objects.requireNonNull(observer, "observer");
        requireAtLeastOne("writeBatchSize", writeBatchSize);
        requireAtLeastOne("relationBatchSize", relationBatchSize);
        if (readRetry == null) {
            throw new NullPointerException("readRetry");
        }
    }

    /**
     * The check every count setting shares, here and in the adapters' builders: returns {@code value}.
     *
     * @throws IllegalArgumentException naming {@code setting} when {@code value} is less than 1
     */
    public static int requireAtLeastOne(String setting, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(setting + " must be at least 1, got " + value);
        }
        return value;
    }
}
