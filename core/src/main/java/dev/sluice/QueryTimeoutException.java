package dev.sluice;

import java.time.Duration;

/**
 * A statement of a query ran longer than the query's {@link Query#timeout(Duration) timeout}: Sluice cancelled it on
 * the server (a PostgreSQL CancelRequest) and raised this once it had ended there. Inside a transaction the cancel
 * has aborted that transaction: it can only roll back.
 */
public class QueryTimeoutException extends SluiceException {
    private static final long serialVersionUID = 1L;

    private final String sql;
    private final Duration timeout;
    private final boolean inTransaction;

    public QueryTimeoutException(String sql, Duration timeout, boolean inTransaction) {
        super("The statement ran longer than the query's timeout of " + describe(timeout)
                + " and was cancelled on the server" + (inTransaction
                ? "; it ran inside a transaction, which the cancel aborted: that transaction can only roll back now"
                : "") + ": " + sql);
        this.sql = sql;
        this.timeout = timeout;
        this.inTransaction = inTransaction;
    }

    /** The SQL text of the statement that ran too long. */
    public String sql() {
        return sql;
    }

    /** The query's timeout, which the statement outran. */
    public Duration timeout() {
        return timeout;
    }

    /** Whether the statement ran inside a transaction, which the cancel aborted. */
    public boolean inTransaction() {
        return inTransaction;
    }

    private static String describe(Duration timeout) {
        long millis = timeout.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }
}
