package dev.sluice;

/**
 * A query is malformed: an unknown column in {@code orderBy}, a placeholder count that does not match the
 * arguments, an argument that cannot be bound. Raised when the query is built, before anything runs.
 */
public class QueryException extends SluiceException {
    private static final long serialVersionUID = 1L;

    public QueryException(String message) {
        super(message);
    }
}
