package dev.sluice.spi;

import java.util.List;
import java.util.Objects;

/**
 * A statement ready to run: SQL text with {@code $1..$n} placeholders and the values to bind to them, in order.
 *
 * <p>The text is built only from the entity model, validated names and the user's own SQL fragments; every value is
 * a binding. Values are never {@code null}: an adapter receives a {@link TypedNull} where a NULL is to be bound.
 *
 * @param sql      the statement text
 * @param bindings the values for {@code $1..$n}, in order
 */
public record RenderedSql(String sql, List<Object> bindings) {

    public RenderedSql {
        Objects.requireNonNull(sql, "sql");
        bindings = List.copyOf(bindings);
    }

    /** A statement without parameters. */
    public static RenderedSql of(String sql) {
        return new RenderedSql(sql, List.of());
    }

    /** A statement with the given bindings. */
    public static RenderedSql of(String sql, List<?> bindings) {
        return new RenderedSql(sql, List.copyOf(bindings));
    }

    @Override
    public String toString() {
        return sql + (bindings.isEmpty() ? "" : " [" + bindings.size() + " bindings]");
    }
}
