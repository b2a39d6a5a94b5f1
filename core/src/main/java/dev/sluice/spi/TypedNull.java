package dev.sluice.spi;

import java.util.Objects;

/**
 * A SQL NULL to bind, with the Java type the adapter should declare for it.
 *
 * @param type the Java type of the value that is absent, e.g. {@code String.class}
 */
public record TypedNull(Class<?> type) {
    public TypedNull {
        Objects.requireNonNull(type, "type");
    }
}
