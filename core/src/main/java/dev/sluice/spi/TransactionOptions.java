package dev.sluice.spi;

import dev.sluice.Isolation;
import org.jspecify.annotations.Nullable;

/**
 * How a transaction is begun.
 *
 * @param readOnly  {@code true} for {@code READ ONLY}
 * @param isolation the isolation level, or {@code null} for the database default
 */
public record TransactionOptions(boolean readOnly, @Nullable Isolation isolation) {

    /** Read-write, the database's default isolation. */
    public static final TransactionOptions DEFAULT = new TransactionOptions(false, null);

    /** Read-only, the database's default isolation: what a server-side cursor runs in. */
    public static final TransactionOptions READ_ONLY = new TransactionOptions(true, null);
}
