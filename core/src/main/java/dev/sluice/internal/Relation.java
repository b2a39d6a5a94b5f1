package dev.sluice.internal;

import java.lang.invoke.MethodHandle;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * One relation component: what it refers to and through which columns. The target's model is looked up when the
 * relation is first loaded (models refer to each other, so they cannot all be built at once). Built by one factory
 * per kind. Column lists have one column per key column of the entity whose key they hold, in its key order.
 *
 * @param name              the component name
 * @param position          the component's position in the canonical constructor
 * @param kind              how the rows are found
 * @param target            the related record type (the element type of a to-many)
 * @param set               whether the component is a {@code Set} rather than a {@code List}
 * @param foreignKey        HAS_MANY: the child's columns holding the owner's key; BELONGS_TO: this entity's columns
 *                          holding the target's key; MANY_TO_MANY: empty
 * @param joinTable         MANY_TO_MANY: the join table; otherwise empty
 * @param joinColumn        MANY_TO_MANY: the join table's columns holding this entity's key; otherwise empty
 * @param inverseJoinColumn MANY_TO_MANY: the join table's columns holding the target's key; otherwise empty
 * @param orderBy           the order within each owner, or empty for the target's key
 * @param accessor          {@code (Object)Object}: reads the component from an instance
 */
record Relation(String name, int position, Kind kind, Class<?> target, boolean set, List<String> foreignKey,
                String joinTable, List<String> joinColumn, List<String> inverseJoinColumn, String orderBy,
                MethodHandle accessor) {

    enum Kind { HAS_MANY, BELONGS_TO, MANY_TO_MANY }

    Relation {
        foreignKey = List.copyOf(foreignKey);
        joinColumn = List.copyOf(joinColumn);
        inverseJoinColumn = List.copyOf(inverseJoinColumn);
    }

    static Relation hasMany(String name, int position, Class<?> target, boolean set, List<String> foreignKey,
                            String orderBy, MethodHandle accessor) {
        return new Relation(name, position, Kind.HAS_MANY, target, set, foreignKey, "", List.of(), List.of(), orderBy,
                accessor);
    }

    static Relation belongsTo(String name, int position, Class<?> target, List<String> foreignKey,
                              MethodHandle accessor) {
        return new Relation(name, position, Kind.BELONGS_TO, target, false, foreignKey, "", List.of(), List.of(), "",
                accessor);
    }

    static Relation manyToMany(String name, int position, Class<?> target, boolean set, String joinTable,
                               List<String> joinColumn, List<String> inverseJoinColumn, String orderBy,
                               MethodHandle accessor) {
        return new Relation(name, position, Kind.MANY_TO_MANY, target, set, List.of(), joinTable, joinColumn,
                inverseJoinColumn, orderBy, accessor);
    }

    boolean toMany() {
        return kind != Kind.BELONGS_TO;
    }

    @Nullable Object read(Object entity) {
        return RecordConstructor.read(accessor, entity, name);
    }
}
