package dev.sluice.internal;

import java.lang.invoke.MethodHandle;

/**
 * One mapped record component.
 *
 * @param name     the component name
 * @param column   the column name, unquoted, as the database knows it
 * @param type     the type its values are read and written as (possibly primitive): the declared type, or what its
 *                 codec stores it as ({@code String} for a JSON document, a converter's stored type)
 * @param position the component's position in the canonical constructor
 * @param id       whether it is (part of) the primary key
 * @param deferred whether it is left out of queries unless asked for ({@code @Deferred})
 * @param accessor {@code (Object)Object}: reads the component from an instance
 * @param codec    between the declared type and {@code type}; the identity for types stored as they are
 */
record Property(String name, String column, Class<?> type, int position, boolean id, boolean deferred,
                MethodHandle accessor, ValueCodec codec) {

    /** A component stored as it is declared. */
    Property(String name, String column, Class<?> type, int position, boolean id, boolean deferred,
             MethodHandle accessor) {
        this(name, column, type, position, id, deferred, accessor, ValueCodec.identity(type));
    }

    boolean primitive() {
        return type.isPrimitive();
    }

    Class<?> boxedType() {
        return ValueType.boxed(type);
    }

    /** The declared type of the component, e.g. {@code Money}. */
    Class<?> javaType() {
        return codec.javaType();
    }

    /** The component's value in an instance, as stored (through the codec); null stays null. */
    Object read(Object entity) {
        Object value = component(entity);
        if (value == null || codec.isIdentity()) {
            return value;
        }
        try {
            return codec.toStored().apply(value);
        } catch (RuntimeException e) {
            throw new ColumnFit.Misfit(codec.what() + " could not write " + ColumnFit.show(value) + ": "
                    + e.getMessage());
        }
    }

    /** The component's value in an instance, as declared. */
    Object component(Object entity) {
        return RecordConstructor.read(accessor, entity, name);
    }

    /** A stored value as the component holds it; null stays null. */
    Object fromStored(Object stored) {
        return stored == null || codec.isIdentity() ? stored : codec.fromStored().apply(stored);
    }
}
