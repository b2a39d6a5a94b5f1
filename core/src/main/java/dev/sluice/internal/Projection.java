package dev.sluice.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
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
    private final MethodHandle constructor;

    private Projection(Class<R> type, List<Property> columns, MethodHandle constructor) {
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
            if (c.getType() != p.type()) {
                throw new MappingException(what + ": " + type.getSimpleName() + "." + c.getName() + " is "
                        + c.getType().getSimpleName() + " but " + entity.name() + "." + p.name() + " is "
                        + p.type().getSimpleName() + "; declare it as " + p.type().getSimpleName());
            }
            columns.add(p);
        }
        try {
            Class<?>[] parameters = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
            MethodHandle constructor = MethodHandles.privateLookupIn(type, MethodHandles.lookup())
                    .unreflectConstructor(type.getDeclaredConstructor(parameters))
                    .asType(MethodType.genericMethodType(parameters.length))
                    .asSpreader(Object[].class, parameters.length)
                    .asType(MethodType.methodType(Object.class, Object[].class));
            return new Projection<>(type, columns, constructor);
        } catch (ReflectiveOperationException e) {
            throw new MappingException(what + ": " + type.getSimpleName() + " is not accessible to Sluice; make it "
                    + "public or open its package", e);
        }
    }

    List<Property> columns() {
        return columns;
    }

    R construct(Object[] entityArgs) {
        Object[] args = new Object[slots.length];
        for (int i = 0; i < slots.length; i++) {
            args[i] = entityArgs[slots[i]];
        }
        try {
            return type.cast((Object) constructor.invokeExact(args));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new MappingException(type.getSimpleName() + ": its canonical constructor threw " + t, t);
        }
    }
}
