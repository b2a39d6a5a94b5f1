package dev.sluice;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A read lost its connection (the server closed it, restarted, terminated the backend, or no new connection could
 * be made) and could not finish: Sluice's retries on other connections were used up or turned off, or the read
 * could not be retried at all (inside a transaction, through a cursor) or was a write. The message says which.
 *
 * <p>Rows delivered before the failure stay delivered: {@link #rowsDelivered()} says how many, and for a keyset
 * scan {@link #resumeAfter()} holds the values of the query's order in the last of them, after which a new query can
 * go on ({@code where("id > ?", resumeAfter().get(0))}). The driver's error is the cause.
 */
public class ConnectionLostException extends SluiceException {
    private static final long serialVersionUID = 1L;

    private final long rowsDelivered;
    private final List<@Nullable Object> resumeAfter;
    private final int retries;

    /**
     * @param message       what was lost, what was retried and how to go on
     * @param rowsDelivered the rows the subscriber received before the failure
     * @param resumeAfter   the order's values in the last row delivered; empty when none was, or for a read that
     *                      cannot resume by key
     * @param retries       how many times the read ran again on another connection before giving up
     * @param cause         the driver's error
     */
    public ConnectionLostException(String message, long rowsDelivered, List<@Nullable Object> resumeAfter,
                                   int retries, Throwable cause) {
        super(message, cause);
        this.rowsDelivered = rowsDelivered;
        this.resumeAfter = Collections.unmodifiableList(new ArrayList<>(resumeAfter));
        this.retries = retries;
    }

    /** How many rows the subscriber received before the failure; they are not delivered again. */
    public long rowsDelivered() {
        return rowsDelivered;
    }

    /**
     * The values of the query's order (its {@code orderBy} columns, then the key) in the last row delivered, after
     * which the rest of the rows come; empty when no row was delivered (start again from the beginning), or when the
     * read cannot resume by key (a cursor).
     */
    public List<@Nullable Object> resumeAfter() {
        return resumeAfter;
    }

    /** How many times the read ran again on another connection before this error; 0 when it was not retried. */
    public int retries() {
        return retries;
    }
}
