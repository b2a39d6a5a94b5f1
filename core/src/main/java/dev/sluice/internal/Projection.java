package dev.sluice.internal;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;

import dev.sluice.MappingException;

/**
 * A record whose components are a subset of an entity's columns: only those columns are selected, and rows are
 * built into the smaller record. Checked once, when the query is built.
 */
final class Projection<R> {

    private final Class<R> type;
    private final List<Property> columns;
    private final int[] slots;
    private final RecordConstructor<R> constructor;

    private Projection(Class<R> type, List<Property> columns, RecordConstructor<R> constructor) {
        this.type = type;
        this.columns = List.copyOf(columns);
        this.slots = columns.stream().mapToInt(Property::position).toArray();
        this.constructor = constructor;
    }

    static <R> Projection<R> of(EntityModel<?> entity, Class<R> type) {
        String what = "as(" + type.getSimpleName() + ".class)";
        if (!type.isRecord()) {
            throw new MappingException(what + ": " + type.getSimpleName() + " is not a record; a projection is a "
                    + "record whose components are some of " + entity.name() + "'s columns");
        }
        RecordComponent[] components = type.getRecordComponents();
        List<Property> columns = new ArrayList<>();
        for (RecordComponent c : components) {
            Property p = entity.properties().stream().filter(q -> q.name().equals(c.getName())).findFirst()
                    .orElseThrow(() -> new MappingException(what + ": " + type.getSimpleName() + "." + c.getName()
                            + " is not a column component of " + entity.name() + "; its column components are "
                            + entity.properties().stream().map(Property::name).reduce((a, b) -> a + ", " + b)
                            .orElse("")));
            if (c.getType() != p.javaType()) {
                throw new MappingException(what + ": " + type.getSimpleName() + "." + c.getName() + " is "
                        + c.getType().getSimpleName() + " but " + entity.name() + "." + p.name() + " is "
                        + p.javaType().getSimpleName() + "; declare it as " + p.javaType().getSimpleName());
            }
            columns.add(p);
        }
        return new Projection<>(type, columns, RecordConstructor.of(type));
    }

    Class<R> type() {
        return type;
    }

    List<Property> columns() {
        return columns;
    }

    /**
     * The value of the entity's column {@code p} in a projected row, or empty when the projection has no component
     * for it.
     */
    java.util.Optional<Object[]> read(R row, Property p) {
        int at = columns.indexOf(p);
        if (at < 0) {
            return java.util.Optional.empty();
        }
        java.lang.reflect.RecordComponent component = type.getRecordComponents()[at];
        try {
            java.lang.invoke.MethodHandle accessor = RecordConstructor.lookup(type).unreflect(component.getAccessor())
                    .asType(java.lang.invoke.MethodType.methodType(Object.class, Object.class));
            return java.util.Optional.of(new Object[] {RecordConstructor.read(accessor, row, component.getName())});
        } catch (IllegalAccessException e) {
            throw RecordConstructor.inaccessible(type, e);
        }
    }

    R construct(Object[] entityArgs) {
        Object[] args = new Object[slots.length];
        for (int i = 0; i < slots.length; i++) {
            args[i] = entityArgs[slots[i]];
        }
        return constructor.construct(args);
    }
}
