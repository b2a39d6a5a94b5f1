package dev.sluice;

import org.jspecify.annotations.Nullable;

/**
 * A write the database refused: a constraint violation, a NULL in a NOT NULL column, a value that does not fit.
 * The message names the operation, the entity, which rows of the input were in the refused statement, and the
 * database's own words (which name the constraint or column, and usually the key:
 * {@code Key (sha1)=(...) already exists}). Nothing of the refused statement was written; the driver's exception is
 * the {@linkplain #getCause() cause}.
 *
 * <p>Or a write Sluice refused before sending it, because a value does not fit its column exactly (PostgreSQL would
 * round it, or refuse it without naming the column): the message names the input row, its key, the component and
 * the column, and why; there is no cause and no {@link #sqlState()}.
 */
public class WriteException extends SluiceException {
    private static final long serialVersionUID = 1L;

    private final long firstRow;
    private final long rows;
    private final @Nullable String sqlState;

    public WriteException(String message, Throwable cause, long firstRow, long rows, @Nullable String sqlState) {
        super(message, cause);
        this.firstRow = firstRow;
        this.rows = rows;
        this.sqlState = sqlState;
    }

    /** A write Sluice refused itself, before anything of the statement was sent. */
    public WriteException(String message, long firstRow, long rows) {
        super(message);
        this.firstRow = firstRow;
        this.rows = rows;
        this.sqlState = null;
    }

    /**
     * The position in the input (1 for the first element) of the first row of the refused statement; 0 when not
     * counted (a {@code copyIn}, a set-based update).
     */
    public long firstRow() {
        return firstRow;
    }

    /** How many input rows the refused statement held. */
    public long rows() {
        return rows;
    }

    /** The database's SQLSTATE, e.g. {@code 23505} for a unique violation, when the driver told it. */
    public @Nullable String sqlState() {
        return sqlState;
    }
}
