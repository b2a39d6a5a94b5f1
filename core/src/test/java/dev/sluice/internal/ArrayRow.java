package dev.sluice.internal;

import java.util.List;

import dev.sluice.spi.RowView;

/** A row of a fake session: its values as given, by position, with no column names. */
record ArrayRow(Object[] values) implements RowView {

    @Override
    @SuppressWarnings("unchecked")
    public <V> V get(int index, Class<V> type) {
        return (V) values[index];
    }

    @Override
    public List<String> columnNames() {
        return List.of();
    }
}
