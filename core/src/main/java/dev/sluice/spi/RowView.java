package dev.sluice.spi;

import org.jspecify.annotations.Nullable;

/**
 * One row of a result, valid only during the {@link RowMapper#map} call that receives it.
 */
public interface RowView {

    /**
     * The value of a column, exactly as the database holds it.
     *
     * @param index zero-based position in the select list
     * @param type  the Java type to decode into; boxed types only
     * @return the value, or {@code null} for SQL NULL
     * @throws UnrepresentableValueException if {@code type} cannot hold the value (a numeric NaN as
     *                                       {@code BigDecimal}); an adapter never returns another value instead
     */
    <V> @Nullable V get(int index, Class<V> type);

    /** The result's column names, in select-list order (the same for every row of a result). */
    java.util.List<String> columnNames();
}
