package dev.sluice.internal;

import java.lang.invoke.MethodHandle;

/**
 * One mapped record component.
 *
 * @param name     the component name
 * @param column   the column name, unquoted, as the database knows it
 * @param type     the declared type (possibly primitive)
 * @param position the component's position in the canonical constructor
 * @param id       whether it is (part of) the primary key
 * @param deferred whether it is left out of queries unless asked for ({@code @Deferred})
 * @param accessor {@code (Object)Object}: reads the component from an instance
 */
record Property(String name, String column, Class<?> type, int position, boolean id, boolean deferred,
                MethodHandle accessor) {

    boolean primitive() {
        return type.isPrimitive();
    }

    Class<?> boxedType() {
        return ValueType.boxed(type);
    }

    Object read(Object entity) {
        return RecordConstructor.read(accessor, entity, name);
    }
}
