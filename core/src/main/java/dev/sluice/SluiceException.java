package dev.sluice;

/**
 * The root of the exceptions Sluice raises for its own failures.
 *
 * <p>Errors raised by the database driver (for example {@code io.r2dbc.spi.R2dbcException}, carrying the SQL state
 * and the statement) reach subscribers unwrapped.
 */
public class SluiceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SluiceException(String message) {
        super(message);
    }

    public SluiceException(String message, Throwable cause) {
        super(message, cause);
    }
}
