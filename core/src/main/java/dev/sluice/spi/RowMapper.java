package dev.sluice.spi;

/**
 * Turns a row into a value while the row is valid. Must not keep the {@link RowView}.
 */
@FunctionalInterface
public interface RowMapper<T> {
    T map(RowView row);
}
