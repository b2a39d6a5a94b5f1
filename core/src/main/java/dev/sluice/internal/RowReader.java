package dev.sluice.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import dev.sluice.MappingException;
import dev.sluice.spi.RowMapper;
import dev.sluice.spi.RowView;
import dev.sluice.spi.UnrepresentableValueException;
import org.jspecify.annotations.Nullable;

/**
 * Reads a row into the slots of an argument array: the entity's components by position, then hidden columns
 * (foreign keys, owner keys) after them; or the components of a record custom SQL maps ({@link ResultMapper}). Each
 * value is decoded as its component's {@link Property} says (an enum's constant, a converter's or {@code @Json}
 * value), so entities and custom SQL's records read alike. Prepared once per select list: no reflection per row.
 */
final class RowReader implements RowMapper<Object[]> {

    /** One selected column: where its value goes and how it is decoded. {@code property} is null for hidden ones. */
    record Slot(int index, Class<?> wireType, boolean primitive, @Nullable Map<String, ? extends Enum<?>> enums,
                @Nullable Property property) {

        static Slot of(Property p) {
            Class<?> enumType = p.type().isEnum() ? p.type()
                    : p.type().isArray() && p.type().getComponentType().isEnum() ? p.type().getComponentType() : null;
            return new Slot(p.position(), ValueType.wireType(p.type()), p.primitive(),
                    enumType != null ? constants(enumType) : null, p);
        }

        static Slot hidden(int index, Class<?> type) {
            return new Slot(index, ValueType.boxed(type), false, null, null);
        }

        /** Whether the component's codec turns the value read into another ({@code @Json}, a converter). */
        boolean converts() {
            return property != null && !property.codec().isIdentity();
        }
    }

    /** The record's simple name, for messages, e.g. {@code Picture}. */
    private final String owner;
    private final Slot[] slots;
    private final int width;
    /** The result column each slot reads, in slot order. */
    private final int[] columns;

    /** A reader of the select list an entity's SQL renders: slot {@code i} reads column {@code i}. */
    RowReader(EntityModel<?> model, List<Slot> slots, int width) {
        this(model.name(), slots, width, java.util.stream.IntStream.range(0, slots.size()).toArray());
    }

    /**
     * A reader whose slots read the given result columns (custom SQL's, matched by name).
     *
     * @param owner   the record's simple name, for messages
     * @param columns for each slot, the index of the column it reads
     */
    RowReader(String owner, List<Slot> slots, int width, int[] columns) {
        this.owner = owner;
        this.slots = slots.toArray(Slot[]::new);
        this.width = width;
        this.columns = columns.clone();
    }

    @Override
    public Object[] map(RowView row) {
        Object[] args = new Object[width];
        for (int i = 0; i < slots.length; i++) {
            Slot slot = slots[i];
            Object value;
            try {
                value = row.get(columns[i], slot.wireType());
            } catch (UnrepresentableValueException e) {
                throw unrepresentable(slot.property(), row, e);
            }
            if (value == null) {
                if (slot.primitive()) {
                    throw nullInPrimitive(slot.property(), row);
                }
            } else if (slot.enums() != null && value instanceof String[] names) {
                Property p = java.util.Objects.requireNonNull(slot.property());
                Object[] constants = (Object[]) java.lang.reflect.Array.newInstance(p.type().getComponentType(),
                        names.length);
                for (int n = 0; n < names.length; n++) {
                    if (names[n] != null) {
                        constants[n] = slot.enums().get(names[n]);
                        if (constants[n] == null) {
                            throw unknownConstant(p, names[n]);
                        }
                    }
                }
                value = constants;
            } else if (slot.enums() != null) {
                Object constant = slot.enums().get(value);
                if (constant == null) {
                    throw unknownConstant(slot.property(), (String) value);
                }
                value = constant;
            } else if (slot.converts()) {
                value = fromStored(slot, value, row);
            }
            args[slot.index()] = value;
        }
        return args;
    }

    private Object fromStored(Slot slot, Object value, RowView row) {
        Property p = java.util.Objects.requireNonNull(slot.property());
        try {
            return p.fromStored(value);
        } catch (RuntimeException e) {
            throw new MappingException(owner + "." + p.name() + ": column " + p.column() + " holds "
                    + ColumnFit.show(value) + inTheRow(row) + ", which "
                    + p.codec().what() + " cannot read: " + e.getMessage() + "; fix the data, or the component's type",
                    e);
        }
    }

    private static Map<String, ? extends Enum<?>> constants(Class<?> type) {
        Map<String, Enum<?>> byName = new HashMap<>();
        for (Object constant : type.getEnumConstants()) {
            byName.put(((Enum<?>) constant).name(), (Enum<?>) constant);
        }
        return Map.copyOf(byName);
    }

    private MappingException nullInPrimitive(@Nullable Property p, RowView row) {
        String name = p == null ? "?" : p.name();
        return new MappingException(owner + "." + name + ": column " + (p == null ? "?" : p.column())
                + " is NULL" + inTheRow(row) + " but the component is the primitive "
                + (p == null ? "?" : p.type().getName()) + "; declare it as "
                + (p == null ? "a box" : p.boxedType().getSimpleName()) + " or make the column NOT NULL");
    }

    private MappingException unknownConstant(@Nullable Property p, String value) {
        return new MappingException(owner + "." + (p == null ? "?" : p.name()) + ": column "
                + (p == null ? "?" : p.column()) + " holds '" + value + "', which is not a constant of "
                + (p == null ? "?" : (p.type().isArray() ? p.type().getComponentType() : p.type()).getSimpleName())
                + "; add the constant or fix the data");
    }

    private MappingException unrepresentable(@Nullable Property p, RowView row, UnrepresentableValueException e) {
        return new MappingException(owner + "." + (p == null ? "?" : p.name()) + ": column "
                + (p == null ? "?" : p.column()) + " holds " + e.value() + inTheRow(row)
                + ", which " + e.javaType() + " cannot hold; " + e.fix(), e);
    }

    /** {@code " in the row (id=2)"}, or nothing when no slot is a key (custom SQL's records). */
    private String inTheRow(RowView row) {
        return java.util.Arrays.stream(slots).anyMatch(s -> s.property() != null && s.property().id())
                ? " in the row " + keyDescription(row) : "";
    }

    private String keyDescription(RowView row) {
        StringJoiner key = new StringJoiner(", ", "(", ")");
        for (int i = 0; i < slots.length; i++) {
            Property p = slots[i].property();
            if (p != null && p.id()) {
                Object value;
                try {
                    value = row.get(columns[i], slots[i].wireType());
                } catch (UnrepresentableValueException e) {
                    value = e.value();
                }
                key.add(p.column() + "=" + value);
            }
        }
        return key.toString();
    }
}
