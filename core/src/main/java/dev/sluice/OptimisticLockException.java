package dev.sluice;

/**
 * An update or delete of an entity with a {@link dev.sluice.annotation.Version} found its row with another version,
 * or found it gone: someone else changed or deleted it since it was read. The message names the entity, its key
 * and the version it had; reload the row and apply the change again.
 */
public class OptimisticLockException extends RowCountException {
    private static final long serialVersionUID = 1L;

    public OptimisticLockException(String message, long expected, long actual) {
        super(message, expected, actual);
    }
}
