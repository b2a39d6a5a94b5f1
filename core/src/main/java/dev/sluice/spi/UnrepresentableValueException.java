package dev.sluice.spi;

import java.util.Objects;

/**
 * Thrown by {@link RowView#get} when a column holds a value the Java type asked for cannot hold, such as a numeric
 * {@code NaN} read as {@code BigDecimal} or {@code infinity} read as {@code ZonedDateTime}: the read fails rather
 * than give another value. Sluice turns it into a {@link dev.sluice.MappingException} that adds the component, the
 * column and the row.
 */
public final class UnrepresentableValueException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String value;
    private final String javaType;
    private final String fix;

    /**
     * @param value    the value as PostgreSQL writes it, e.g. {@code NaN}
     * @param javaType the Java type that cannot hold it, e.g. {@code BigDecimal.class}
     * @param fix      what to do, e.g. {@code declare the component as Double}
     */
    public UnrepresentableValueException(String value, Class<?> javaType, String fix) {
        super(value + ", which " + javaType.getSimpleName() + " cannot hold; " + fix);
        this.value = Objects.requireNonNull(value, "value");
        this.javaType = javaType.getSimpleName();
        this.fix = Objects.requireNonNull(fix, "fix");
    }

    /** The value as PostgreSQL writes it. */
    public String value() {
        return value;
    }

    /** The simple name of the Java type that cannot hold it. */
    public String javaType() {
        return javaType;
    }

    /** What to do about it, as the end of a sentence. */
    public String fix() {
        return fix;
    }
}
