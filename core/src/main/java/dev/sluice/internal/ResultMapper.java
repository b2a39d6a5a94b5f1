package dev.sluice.internal;

import java.lang.invoke.MethodHandles;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.sluice.MappingException;
import dev.sluice.annotation.Column;
import dev.sluice.spi.RowMapper;
import dev.sluice.spi.RowView;

/**
 * Maps rows of any SQL onto a record by column name. Each component is a {@link Property} whose codec is decided as
 * an entity's is ({@link EntityModel#codec}: a converter, {@code @Json}, an enum, any type Sluice maps), and rows
 * are read by the entities' {@link RowReader}, so a record of custom SQL reads exactly like an entity. The columns
 * are matched to components once per result, on its first row, with a message naming what is missing.
 */
final class ResultMapper<R> {

    private final Class<R> type;
    private final List<Property> properties;
    private final List<RowReader.Slot> slots;
    private final RecordConstructor<R> constructor;

    private ResultMapper(Class<R> type, List<Property> properties, RecordConstructor<R> constructor) {
        this.type = type;
        this.properties = List.copyOf(properties);
        this.slots = properties.stream().map(RowReader.Slot::of).toList();
        this.constructor = constructor;
    }

    /** The record type rows are mapped to. */
    Class<R> type() {
        return type;
    }

    /**
     * The mapper of a record, its components stored through the repository's {@code converters}.
     *
     * @throws MappingException if the type is not a record, or a component's type is one Sluice does not map
     */
    static <R> ResultMapper<R> of(Class<R> type, Converters converters) {
        String name = type.getSimpleName();
        if (!type.isRecord()) {
            throw new MappingException(name + " is not a record; query(...) maps rows onto a record: declare it as "
                    + "'record " + name + "(...)'");
        }
        RecordComponent[] components = type.getRecordComponents();
        MethodHandles.Lookup lookup = RecordConstructor.lookup(type);
        List<Property> properties = new ArrayList<>(components.length);
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            ValueCodec codec = EntityModel.codec(c, name + "." + c.getName(), converters);
            Column column = c.getAnnotation(Column.class);
            properties.add(new Property(c.getName(), column != null ? column.value() : Names.snakeCase(c.getName()),
                    codec.storedType(), i, false, false, EntityModel.accessor(lookup, type, c), codec));
        }
        return new ResultMapper<>(type, properties, RecordConstructor.of(type));
    }

    /** The components, in component order: each one's column, stored type and codec. */
    List<Property> properties() {
        return properties;
    }

    /** The column each component reads, in component order. */
    List<String> columns() {
        return properties.stream().map(Property::column).toList();
    }

    /** A mapper for one result: it matches columns to components on the first row. */
    RowMapper<R> newMapper() {
        return new RowMapper<>() {
            private RowReader reader;

            @Override
            public R map(RowView row) {
                RowReader read = reader;
                if (read == null) {
                    read = reader = new RowReader(type.getSimpleName(), slots, properties.size(),
                            match(row.columnNames()));
                }
                return constructor.construct(read.map(row));
            }
        };
    }

    private int[] match(List<String> names) {
        int[] at = new int[properties.size()];
        for (int i = 0; i < at.length; i++) {
            String column = properties.get(i).column();
            at[i] = -1;
            for (int j = 0; j < names.size(); j++) {
                if (names.get(j).equals(column)
                        || names.get(j).toLowerCase(Locale.ROOT).equals(column.toLowerCase(Locale.ROOT))) {
                    at[i] = j;
                    break;
                }
            }
            if (at[i] < 0) {
                throw new MappingException(type.getSimpleName() + "." + properties.get(i).name()
                        + ": the result has no column " + column + "; its columns are " + String.join(", ", names)
                        + ". Alias the column in the SQL ('AS " + column + "') or name it with @Column");
            }
        }
        return at;
    }
}
