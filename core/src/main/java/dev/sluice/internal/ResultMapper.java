package dev.sluice.internal;

import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Locale;

import dev.sluice.MappingException;
import dev.sluice.annotation.Column;
import dev.sluice.spi.RowMapper;
import dev.sluice.spi.RowView;
import dev.sluice.spi.UnrepresentableValueException;

/**
 * Maps rows of any SQL onto a record by column name. The columns are matched to components once per result, on its
 * first row, with a message naming what is missing.
 */
final class ResultMapper<R> {

    private final Class<R> type;
    private final String[] columns;
    private final Class<?>[] wireTypes;
    private final boolean[] primitive;
    private final RecordConstructor<R> constructor;

    private ResultMapper(Class<R> type, String[] columns, Class<?>[] wireTypes, boolean[] primitive,
                         RecordConstructor<R> constructor) {
        this.type = type;
        this.columns = columns;
        this.wireTypes = wireTypes;
        this.primitive = primitive;
        this.constructor = constructor;
    }

    /** The record type rows are mapped to. */
    Class<R> type() {
        return type;
    }

    static <R> ResultMapper<R> of(Class<R> type) {
        String name = type.getSimpleName();
        if (!type.isRecord()) {
            throw new MappingException(name + " is not a record; query(...) maps rows onto a record: declare it as "
                    + "'record " + name + "(...)'");
        }
        RecordComponent[] components = type.getRecordComponents();
        String[] columns = new String[components.length];
        Class<?>[] wireTypes = new Class<?>[components.length];
        boolean[] primitive = new boolean[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            if (!ValueType.isSupported(c.getType()) || c.getType().isEnum()) {
                throw new MappingException(name + "." + c.getName() + ": type " + c.getGenericType().getTypeName()
                        + " is not a column type query(...) maps; use " + ValueType.SUPPORTED.replace(
                        ", an enum (stored as text)", ""));
            }
            Column column = c.getAnnotation(Column.class);
            columns[i] = column != null ? column.value() : Names.snakeCase(c.getName());
            wireTypes[i] = ValueType.wireType(c.getType());
            primitive[i] = c.getType().isPrimitive();
        }
        return new ResultMapper<>(type, columns, wireTypes, primitive, RecordConstructor.of(type));
    }

    /** The column each component reads, in component order. */
    List<String> columns() {
        return List.of(columns);
    }

    /** A mapper for one result: it matches columns to components on the first row. */
    RowMapper<R> newMapper() {
        return new RowMapper<>() {
            private int[] indexes;

            @Override
            public R map(RowView row) {
                int[] at = indexes;
                if (at == null) {
                    at = indexes = match(row.columnNames());
                }
                Object[] args = new Object[at.length];
                for (int i = 0; i < at.length; i++) {
                    Object value;
                    try {
                        value = row.get(at[i], wireTypes[i]);
                    } catch (UnrepresentableValueException e) {
                        throw new MappingException(type.getSimpleName() + "." + type.getRecordComponents()[i].getName()
                                + ": column " + columns[i] + " holds " + e.value() + ", which " + e.javaType()
                                + " cannot hold; " + e.fix(), e);
                    }
                    if (value == null && primitive[i]) {
                        throw new MappingException(type.getSimpleName() + "." + type.getRecordComponents()[i].getName()
                                + ": column " + columns[i] + " is NULL but the component is primitive; declare it as "
                                + ValueType.boxed(type.getRecordComponents()[i].getType()).getSimpleName());
                    }
                    args[i] = value;
                }
                return constructor.construct(args);
            }
        };
    }

    private int[] match(List<String> names) {
        int[] at = new int[columns.length];
        for (int i = 0; i < columns.length; i++) {
            at[i] = -1;
            for (int j = 0; j < names.size(); j++) {
                if (names.get(j).equals(columns[i])
                        || names.get(j).toLowerCase(Locale.ROOT).equals(columns[i].toLowerCase(Locale.ROOT))) {
                    at[i] = j;
                    break;
                }
            }
            if (at[i] < 0) {
                throw new MappingException(type.getSimpleName() + "." + type.getRecordComponents()[i].getName()
                        + ": the result has no column " + columns[i] + "; its columns are " + String.join(", ", names)
                        + ". Alias the column in the SQL ('AS " + columns[i] + "') or name it with @Column");
            }
        }
        return at;
    }
}
