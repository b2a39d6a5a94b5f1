package dev.sluice.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import dev.sluice.MappingException;
import dev.sluice.spi.RowMapper;
import dev.sluice.spi.RowView;

/**
 * Maps a row to a record through the prepared canonical constructor: no reflection per row. Prepared once per
 * entity and column selection.
 */
final class EntityMapper<T> implements RowMapper<T> {

    private final EntityModel<T> model;
    private final int arity;
    private final int[] positions;
    private final Class<?>[] wireTypes;
    private final boolean[] primitive;
    private final Map<String, ? extends Enum<?>>[] enums;

    @SuppressWarnings("unchecked")
    EntityMapper(EntityModel<T> model, List<Property> selected) {
        this.model = model;
        this.arity = model.properties().size();
        int n = selected.size();
        this.positions = new int[n];
        this.wireTypes = new Class<?>[n];
        this.primitive = new boolean[n];
        this.enums = new Map[n];
        for (int i = 0; i < n; i++) {
            Property p = selected.get(i);
            positions[i] = p.position();
            wireTypes[i] = ValueType.wireType(p.type());
            primitive[i] = p.primitive();
            if (p.type().isEnum()) {
                enums[i] = constants((Class<? extends Enum<?>>) p.type());
            }
        }
    }

    private static Map<String, ? extends Enum<?>> constants(Class<? extends Enum<?>> type) {
        Map<String, Enum<?>> byName = new HashMap<>();
        for (Enum<?> constant : type.getEnumConstants()) {
            byName.put(constant.name(), constant);
        }
        return Map.copyOf(byName);
    }

    @Override
    public T map(RowView row) {
        Object[] args = new Object[arity];
        for (int i = 0; i < positions.length; i++) {
            Object value = row.get(i, wireTypes[i]);
            if (value == null) {
                if (primitive[i]) {
                    throw nullInPrimitive(i, row);
                }
            } else if (enums[i] != null) {
                Object constant = enums[i].get(value);
                if (constant == null) {
                    throw unknownConstant(i, (String) value);
                }
                value = constant;
            }
            args[positions[i]] = value;
        }
        return model.construct(args);
    }

    private MappingException nullInPrimitive(int index, RowView row) {
        Property p = model.properties().get(positions[index]);
        return new MappingException(model.name() + "." + p.name() + ": column " + p.column() + " is NULL in the row "
                + keyDescription(row) + " but the component is the primitive " + p.type().getName()
                + "; declare it as " + p.boxedType().getSimpleName() + " or make the column NOT NULL");
    }

    private MappingException unknownConstant(int index, String value) {
        Property p = model.properties().get(positions[index]);
        return new MappingException(model.name() + "." + p.name() + ": column " + p.column() + " holds '" + value
                + "', which is not a constant of " + p.type().getSimpleName() + "; add the constant or fix the data");
    }

    private String keyDescription(RowView row) {
        StringJoiner key = new StringJoiner(", ", "(", ")");
        for (int i = 0; i < positions.length; i++) {
            Property p = model.properties().get(positions[i]);
            if (p.id()) {
                key.add(p.column() + "=" + row.get(i, wireTypes[i]));
            }
        }
        return key.toString();
    }
}
