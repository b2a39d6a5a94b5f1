package dev.sluice;

/**
 * A statement returned or touched a different number of rows than the method promised, for example
 * {@link Query#one()} finding no row or several.
 */
public class RowCountException extends SluiceException {
    private static final long serialVersionUID = 1L;

    private final long expected;
    private final long actual;

    public RowCountException(String message, long expected, long actual) {
        super(message);
        this.expected = expected;
        this.actual = actual;
    }

    /** The number of rows the method promised. */
    public long expected() {
        return expected;
    }

    /** The number of rows found; for "more than expected" this is the number seen before Sluice stopped reading. */
    public long actual() {
        return actual;
    }
}
