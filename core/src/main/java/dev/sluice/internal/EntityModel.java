package dev.sluice.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.sluice.MappingException;
import dev.sluice.annotation.Column;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;

/**
 * What Sluice knows about one entity: its table, its columns, its key and how to construct it. Built once per type
 * and cached; every structural mapping problem is found here, with a message that names the fix.
 */
final class EntityModel<T> {

    private static final ClassValue<EntityModel<?>> CACHE = new ClassValue<>() {
        @Override
        protected EntityModel<?> computeValue(Class<?> type) {
            return build(type);
        }
    };

    private final Class<T> type;
    private final String table;
    private final List<Property> properties;
    private final List<Property> key;
    private final Map<String, Property> byColumn;
    private final Map<String, Property> byName;
    private final MethodHandle constructor;

    private EntityModel(Class<T> type, String table, List<Property> properties, MethodHandle constructor) {
        this.type = type;
        this.table = table;
        this.properties = List.copyOf(properties);
        this.key = properties.stream().filter(Property::id).toList();
        this.byColumn = properties.stream().collect(Collectors.toUnmodifiableMap(Property::column, Function.identity()));
        this.byName = properties.stream().collect(Collectors.toUnmodifiableMap(Property::name, Function.identity()));
        this.constructor = constructor;
    }

    /**
     * The model of a type, built on first use.
     *
     * @throws MappingException if the type cannot be mapped
     */
    @SuppressWarnings("unchecked")
    static <T> EntityModel<T> of(Class<T> type) {
        try {
            return (EntityModel<T>) CACHE.get(type);
        } catch (MappingException e) {
            // ClassValue does not cache a failed computation: rethrow a fresh copy so the stack shows this caller
            throw new MappingException(e.getMessage(), e);
        }
    }

    Class<T> type() {
        return type;
    }

    /** The simple name used in messages, e.g. {@code Picture}. */
    String name() {
        return type.getSimpleName();
    }

    /** The table name as written (unquoted), possibly schema-qualified. */
    String table() {
        return table;
    }

    List<Property> properties() {
        return properties;
    }

    List<Property> key() {
        return key;
    }

    /** Finds a property by column name or component name. */
    Optional<Property> property(String columnOrName) {
        Property p = byColumn.get(columnOrName);
        return Optional.ofNullable(p != null ? p : byName.get(columnOrName));
    }

    String columnList() {
        return properties.stream().map(Property::column).collect(Collectors.joining(", "));
    }

    /** The key values of an instance, in key order. */
    Object[] keyOf(T entity) {
        Object[] values = new Object[key.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = key.get(i).read(entity);
        }
        return values;
    }

    /** Constructs an instance from values in component order (primitives boxed, none null for primitives). */
    @SuppressWarnings("unchecked")
    T construct(Object[] args) {
        try {
            return (T) (Object) constructor.invokeExact(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new MappingException(name() + ": its canonical constructor threw " + t, t);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private static <T> EntityModel<T> build(Class<T> type) {
        String name = type.getSimpleName();
        if (!type.isRecord()) {
            throw new MappingException(name + " is not a record; Sluice maps Java records: declare it as "
                    + "'record " + name + "(@Id Long id, ...)'");
        }
        Table tableAnnotation = type.getAnnotation(Table.class);
        String table = tableAnnotation != null ? tableAnnotation.value() : Names.snakeCase(name);
        if (table.isBlank()) {
            throw new MappingException(name + ": @Table has an empty name; give the table name, e.g. @Table(\""
                    + Names.snakeCase(name) + "\")");
        }

        RecordComponent[] components = type.getRecordComponents();
        MethodHandles.Lookup lookup = lookup(type);
        List<Property> properties = new ArrayList<>(components.length);
        for (int i = 0; i < components.length; i++) {
            RecordComponent component = components[i];
            Class<?> componentType = component.getType();
            String where = name + "." + component.getName();
            if (!ValueType.isSupported(componentType)) {
                throw new MappingException(where + ": type " + component.getGenericType().getTypeName()
                        + " is not a column type Sluice maps; use " + ValueType.SUPPORTED);
            }
            Column column = component.getAnnotation(Column.class);
            String columnName = column != null ? column.value() : Names.snakeCase(component.getName());
            if (columnName.isBlank()) {
                throw new MappingException(where + ": @Column has an empty name; give the column name, e.g. @Column(\""
                        + Names.snakeCase(component.getName()) + "\")");
            }
            MethodHandle accessor;
            try {
                accessor = lookup.unreflect(component.getAccessor())
                        .asType(MethodType.methodType(Object.class, Object.class));
            } catch (IllegalAccessException e) {
                throw inaccessible(type, e);
            }
            properties.add(new Property(component.getName(), columnName, componentType, i,
                    component.isAnnotationPresent(Id.class), accessor));
        }
        if (properties.stream().noneMatch(Property::id)) {
            throw new MappingException(name + " has no @Id component; annotate its primary key component(s) with "
                    + "@Id, e.g. 'record " + name + "(@Id Long id, ...)'");
        }
        List<String> seen = new ArrayList<>();
        for (Property p : properties) {
            if (seen.contains(p.column())) {
                throw new MappingException(name + "." + p.name() + ": column " + p.column()
                        + " is mapped by two components; rename one with @Column");
            }
            seen.add(p.column());
        }

        Class<?>[] parameterTypes = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        MethodHandle constructor;
        try {
            Constructor<T> canonical = type.getDeclaredConstructor(parameterTypes);
            constructor = lookup.unreflectConstructor(canonical)
                    .asType(MethodType.genericMethodType(parameterTypes.length))
                    .asSpreader(Object[].class, parameterTypes.length)
                    .asType(MethodType.methodType(Object.class, Object[].class));
        } catch (NoSuchMethodException e) {
            throw new MappingException(name + ": no canonical constructor found", e);
        } catch (IllegalAccessException e) {
            throw inaccessible(type, e);
        }
        return new EntityModel<>(type, table, properties, constructor);
    }

    private static MethodHandles.Lookup lookup(Class<?> type) {
        try {
            return MethodHandles.privateLookupIn(type, MethodHandles.lookup());
        } catch (IllegalAccessException e) {
            throw inaccessible(type, e);
        }
    }

    private static MappingException inaccessible(Class<?> type, Exception cause) {
        return new MappingException(type.getSimpleName() + " is not accessible to Sluice; open its package "
                + type.getPackageName() + " to module sluice.core (module-info: 'opens " + type.getPackageName()
                + "'), or make the record public", cause);
    }
}
