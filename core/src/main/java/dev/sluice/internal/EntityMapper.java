package dev.sluice.internal;

import java.util.List;

import dev.sluice.spi.RowMapper;
import dev.sluice.spi.RowView;

/**
 * Maps a row of the given columns straight to a record through the prepared canonical constructor: the plain case,
 * used where no relation has to be loaded first (writes' RETURNING, lookups by key).
 */
final class EntityMapper<T> implements RowMapper<T> {

    private final EntityModel<T> model;
    private final RowReader reader;

    EntityMapper(EntityModel<T> model, List<Property> selected) {
        this.model = model;
        this.reader = new RowReader(model, selected.stream().map(RowReader.Slot::of).toList(), model.arity());
    }

    @Override
    public T map(RowView row) {
        return model.construct(reader.map(row));
    }
}
