package dev.sluice.internal;

import java.lang.invoke.MethodHandle;

import org.jspecify.annotations.Nullable;

/**
 * One relation component: what it refers to and through which columns. The target's model is looked up when the
 * relation is first loaded (models refer to each other, so they cannot all be built at once).
 *
 * @param name              the component name
 * @param position          the component's position in the canonical constructor
 * @param kind              how the rows are found
 * @param target            the related record type (the element type of a to-many)
 * @param set               whether the component is a {@code Set} rather than a {@code List}
 * @param foreignKey        HAS_MANY: the child's column; BELONGS_TO: this entity's column
 * @param joinTable         MANY_TO_MANY: the join table
 * @param joinColumn        MANY_TO_MANY: the join table's column for this entity
 * @param inverseJoinColumn MANY_TO_MANY: the join table's column for the target
 * @param orderBy           the order within each owner, or empty for the target's key
 * @param accessor          {@code (Object)Object}: reads the component from an instance
 */
record Relation(String name, int position, Kind kind, Class<?> target, boolean set, String foreignKey,
                String joinTable, String joinColumn, String inverseJoinColumn, String orderBy,
                MethodHandle accessor) {

    enum Kind { HAS_MANY, BELONGS_TO, MANY_TO_MANY }

    boolean toMany() {
        return kind != Kind.BELONGS_TO;
    }

    @Nullable Object read(Object entity) {
        return RecordConstructor.read(accessor, entity, name);
    }
}
