package dev.sluice;

/**
 * A record cannot be mapped to its table: a component whose column does not exist, a type that does not fit the
 * column, a {@code NULL} arriving in a primitive component, a record without {@code @Id}.
 *
 * <p>The message names the entity, the component, the column and the fix. Structural problems are found once per
 * entity, when it is first used, never per row.
 */
public class MappingException extends SluiceException {
    private static final long serialVersionUID = 1L;

    public MappingException(String message) {
        super(message);
    }

    public MappingException(String message, Throwable cause) {
        super(message, cause);
    }
}
