package dev.sluice;

/**
 * Told of every statement a repository sends to the database, for logging and for counting.
 *
 * <p>Called on the thread that issues the statement, just before it is sent; keep it fast and never block.
 * Bound values are not passed: they may be large (bytea) or sensitive.
 */
@FunctionalInterface
public interface StatementListener {

    /** A listener that does nothing. */
    StatementListener NONE = sql -> { };

    /**
     * Called once per statement sent.
     *
     * @param sql the SQL text as sent, with {@code $n} placeholders
     */
    void onStatement(String sql);
}
