package dev.sluice.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.sluice.MappingException;
import dev.sluice.annotation.BelongsTo;
import dev.sluice.annotation.Column;
import dev.sluice.annotation.Deferred;
import dev.sluice.annotation.Generated;
import dev.sluice.annotation.HasMany;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Json;
import dev.sluice.annotation.ManyToMany;
import dev.sluice.annotation.Table;
import dev.sluice.annotation.UniqueKey;
import dev.sluice.annotation.Version;
import org.jspecify.annotations.Nullable;

/**
 * What Sluice knows about one entity: its table, its columns, its key and how to construct it. Built once per type
 * and cached; every structural mapping problem is found here, with a message that names the fix.
 */
final class EntityModel<T> {

    private final Class<T> type;
    private final String table;
    private final int arity;
    private final List<Property> properties;
    private final List<Relation> relations;
    private final List<Property> key;
    private final Map<String, Property> byColumn;
    private final Map<String, Property> byName;
    private final RecordConstructor<T> constructor;
    private final Converters converters;
    private final @Nullable Property version;
    private final java.util.Set<Property> generated;

    private EntityModel(Class<T> type, String table, int arity, List<Property> properties, List<Relation> relations,
                        RecordConstructor<T> constructor, Converters converters) {
        this.type = type;
        this.converters = converters;
        this.version = properties.stream().filter(p -> p.accessor() != null
                && type.getRecordComponents()[p.position()].isAnnotationPresent(Version.class)).findFirst()
                .orElse(null);
        this.generated = properties.stream().filter(p -> type.getRecordComponents()[p.position()]
                .isAnnotationPresent(Generated.class)).collect(Collectors.toUnmodifiableSet());
        this.table = table;
        this.arity = arity;
        this.properties = List.copyOf(properties);
        this.relations = List.copyOf(relations);
        this.key = properties.stream().filter(Property::id).toList();
        this.byColumn = properties.stream().collect(Collectors.toUnmodifiableMap(Property::column, Function.identity()));
        this.byName = properties.stream().collect(Collectors.toUnmodifiableMap(Property::name, Function.identity()));
        this.constructor = constructor;
    }

    /**
     * The model of a type without converters, built on first use.
     *
     * @throws MappingException if the type cannot be mapped
     */
    static <T> EntityModel<T> of(Class<T> type) {
        return Converters.NONE.model(type);
    }

    /** Whether the database fills the component's column ({@code @Generated}): never written. */
    boolean generated(Property p) {
        return generated.contains(p);
    }

    /** The {@code @Version} component, or null when the entity has none. */
    @Nullable Property version() {
        return version;
    }

    /** The converters this model was built with: the models of related entities come from them too. */
    Converters converters() {
        return converters;
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

    /** The number of record components: columns and relations. */
    int arity() {
        return arity;
    }

    /** The column components, in declaration order, deferred ones included. */
    List<Property> properties() {
        return properties;
    }

    /** The columns a query selects unless told otherwise: all but the deferred ones. */
    List<Property> defaultColumns() {
        return properties.stream().filter(p -> !p.deferred()).toList();
    }

    /** The relation components, in declaration order. */
    List<Relation> relations() {
        return relations;
    }

    Optional<Relation> relation(String name) {
        return relations.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    String relationList() {
        return relations.stream().map(Relation::name).collect(Collectors.joining(", "));
    }

    List<Property> key() {
        return key;
    }

    /** Whether the entity declares its key unique ({@link UniqueKey}), so that it is not checked. */
    boolean keyDeclaredUnique() {
        return type.isAnnotationPresent(UniqueKey.class);
    }

    /**
     * Checks that a relation names one column per key column of this entity.
     *
     * @param where the relation, for messages, e.g. {@code Order.lines}
     * @param kind  the columns' table in messages, e.g. {@code child table}, or empty
     * @throws MappingException naming the columns and the key when the counts differ
     */
    void requireKeyColumns(String where, String annotation, String attribute, List<String> columns, String kind) {
        if (columns.size() != key.size()) {
            throw new MappingException(where + ": " + annotation + "(" + attribute + " = "
                    + columns.stream().map(c -> "\"" + c + "\"").collect(Collectors.joining(", ", "{", "}"))
                    + ") names " + columns.size() + " column" + (columns.size() == 1 ? "" : "s") + " but " + name()
                    + "'s key has " + key.size() + " (" + keyColumnList() + "); name one " + (kind.isEmpty() ? "" : kind + " ")
                    + "column per key "
                    + "column of " + name() + ", in its key order");
        }
    }

    /** The key columns for messages, e.g. {@code id} or {@code region, id}. */
    String keyColumnList() {
        return key.stream().map(Property::column).collect(Collectors.joining(", "));
    }

    /** Finds a property by column name or component name. */
    Optional<Property> property(String columnOrName) {
        Property p = byColumn.get(columnOrName);
        return Optional.ofNullable(p != null ? p : byName.get(columnOrName));
    }

    String columnList() {
        return properties.stream().map(Property::column).collect(Collectors.joining(", "));
    }

    /** Every component of an instance, in constructor order. */
    Object[] componentsOf(T entity) {
        Object[] args = new Object[arity];
        properties.forEach(p -> args[p.position()] = p.component(entity));
        relations.forEach(r -> args[r.position()] = r.read(entity));
        return args;
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
    T construct(Object[] args) {
        return constructor.construct(args);
    }

    // ---------------------------------------------------------------------------------------------------------

    static <T> EntityModel<T> build(Class<T> type, Converters converters) {
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
        MethodHandles.Lookup lookup = RecordConstructor.lookup(type);
        List<Property> properties = new ArrayList<>(components.length);
        List<Relation> relations = new ArrayList<>();
        boolean versioned = false;
        for (int i = 0; i < components.length; i++) {
            RecordComponent component = components[i];
            Class<?> componentType = component.getType();
            String where = name + "." + component.getName();
            Relation relation = relation(component, i, where, accessor(lookup, type, component));
            if (relation != null) {
                relations.add(relation);
                continue;
            }
            ValueCodec codec = codec(component, where, converters);
            Column column = component.getAnnotation(Column.class);
            String columnName = column != null ? column.value() : Names.snakeCase(component.getName());
            if (columnName.isBlank()) {
                throw new MappingException(where + ": @Column has an empty name; give the column name, e.g. @Column(\""
                        + Names.snakeCase(component.getName()) + "\")");
            }
            boolean id = component.isAnnotationPresent(Id.class);
            if (component.isAnnotationPresent(Version.class)) {
                Class<?> boxed = ValueType.boxed(componentType);
                if (component.isAnnotationPresent(Id.class)) {
                    throw new MappingException(where + ": a key component cannot be the @Version; version another "
                            + "component");
                }
                if (boxed != Long.class && boxed != Integer.class && boxed != Short.class) {
                    throw new MappingException(where + ": @Version is " + componentType.getSimpleName() + "; declare "
                            + "it as long, int or short (or a box), the number each update increments");
                }
                if (versioned) {
                    throw new MappingException(where + ": " + name + " has a @Version already; keep one");
                }
                versioned = true;
            }
            boolean deferred = component.isAnnotationPresent(Deferred.class);
            if (deferred && (id || componentType.isPrimitive())) {
                throw new MappingException(where + ": " + (id ? "a key component cannot be @Deferred"
                        : "a @Deferred component cannot be the primitive " + componentType.getName()
                        + " (it is null when not loaded); declare it as " + ValueType.boxed(componentType)
                        .getSimpleName()));
            }
            properties.add(new Property(component.getName(), columnName, codec.storedType(), i, id, deferred,
                    accessor(lookup, type, component), codec));
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

        EntityModel<T> model = new EntityModel<>(type, table, components.length, properties, relations,
                RecordConstructor.of(type), converters);
        for (Relation r : relations) {
            switch (r.kind()) {
                case HAS_MANY -> model.requireKeyColumns(name + "." + r.name(), "@HasMany", "foreignKey",
                        r.foreignKey(), "child table");
                case MANY_TO_MANY -> model.requireKeyColumns(name + "." + r.name(), "@ManyToMany", "joinColumn",
                        r.joinColumn(), "join table");
                default -> {
                }
            }
        }
        return model;
    }

    /**
     * How a column component's values are stored: as they are, as a JSON document ({@code @Json}, or a Jackson
     * {@code JsonNode}), or through the repository's converter for its type. The one decision for entities and for
     * the records custom SQL maps ({@link ResultMapper}).
     *
     * @param where the component for messages, e.g. {@code Picture.settings}
     * @throws MappingException naming the fix when none of these applies
     */
    static ValueCodec codec(RecordComponent component, String where, Converters converters) {
        Class<?> type = component.getType();
        Type generic = component.getGenericType();
        boolean json = component.isAnnotationPresent(Json.class);
        if (json || JsonMapper.isAnyTree(type)) {
            if (json && (type.isPrimitive() || type == String.class)) {
                throw new MappingException(where + ": @Json is for objects Jackson maps; a " + type.getSimpleName()
                        + " is stored as it is: remove @Json" + (type == String.class ? " (a String holds the "
                        + "document's text as it is)" : ""));
            }
            JsonMapper mapper = JsonMapper.detected();
            if (mapper == null || !json && !mapper.isTree(type)) {
                throw new MappingException(where + ": " + (json ? "@Json " + generic.getTypeName() : type.getName())
                        + " needs Jackson, which is not on the class path; " + JsonMapper.MISSING);
            }
            String what = (json ? "@Json " : "") + type.getSimpleName() + " through " + mapper.name();
            return json
                    ? new ValueCodec(type, String.class, mapper::write, text -> mapper.read((String) text, generic), what)
                    : new ValueCodec(type, String.class, mapper::write, text -> mapper.readTree((String) text), what);
        }
        if (type == java.nio.ByteBuffer.class) {
            return new ValueCodec(type, byte[].class, EntityModel::bytes, bytes -> java.nio.ByteBuffer.wrap((byte[]) bytes),
                    "ByteBuffer");
        }
        ValueCodec converted = converters.codec(type);
        if (converted != null) {
            return converted;
        }
        if (ValueType.isSupported(type)) {
            return ValueCodec.identity(type);
        }
        String simple = type.getSimpleName();
        throw new MappingException(where + ": type " + generic.getTypeName() + " is not a column type Sluice maps; "
                + "use " + ValueType.SUPPORTED + "; or register a converter for it, e.g. R2dbcRepo.builder(url)"
                + ".converter(" + simple + ".class, String.class, " + simple + "::parse, " + simple + "::toString), "
                + "or store it as JSON with @Json");
    }

    /** A buffer's remaining bytes, leaving its position as it is. */
    static byte[] bytes(Object buffer) {
        java.nio.ByteBuffer b = ((java.nio.ByteBuffer) buffer).duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return bytes;
    }

    static MethodHandle accessor(MethodHandles.Lookup lookup, Class<?> type, RecordComponent component) {
        try {
            return lookup.unreflect(component.getAccessor()).asType(MethodType.methodType(Object.class, Object.class));
        } catch (IllegalAccessException e) {
            throw RecordConstructor.inaccessible(type, e);
        }
    }

    /** The relation a component declares, or null for a column component. */
    private static @Nullable Relation relation(RecordComponent component, int position, String where,
                                               MethodHandle accessor) {
        HasMany hasMany = component.getAnnotation(HasMany.class);
        BelongsTo belongsTo = component.getAnnotation(BelongsTo.class);
        ManyToMany manyToMany = component.getAnnotation(ManyToMany.class);
        int declared = (hasMany != null ? 1 : 0) + (belongsTo != null ? 1 : 0) + (manyToMany != null ? 1 : 0);
        if (declared == 0) {
            return null;
        }
        if (declared > 1) {
            throw new MappingException(where + ": declares more than one of @HasMany, @BelongsTo, @ManyToMany; keep one");
        }
        if (component.isAnnotationPresent(Id.class) || component.isAnnotationPresent(Column.class)
                || component.isAnnotationPresent(Deferred.class)) {
            throw new MappingException(where + ": a relation component cannot also be @Id, @Column or @Deferred");
        }
        if (belongsTo != null) {
            Class<?> target = component.getType();
            requireRecord(where, target, "the related entity type, e.g. 'Album album'");
            return Relation.belongsTo(component.getName(), position, target,
                    requireNames(where, "foreignKey", belongsTo.foreignKey()), accessor);
        }
        Class<?> collection = component.getType();
        if (collection != List.class && collection != java.util.Set.class) {
            throw new MappingException(where + ": a to-many relation must be a List or a Set of the related entity, "
                    + "but is " + component.getGenericType().getTypeName() + "; declare it as List<"
                    + "Child> (or Set<Child>)");
        }
        Class<?> target = elementType(component.getGenericType(), where);
        requireRecord(where, target, "a List or Set of a record, e.g. 'List<Photo> photos'");
        if (hasMany != null) {
            return Relation.hasMany(component.getName(), position, target, collection == java.util.Set.class,
                    requireNames(where, "foreignKey", hasMany.foreignKey()), hasMany.orderBy(), accessor);
        }
        requireName(where, "joinTable", manyToMany.joinTable());
        return Relation.manyToMany(component.getName(), position, target, collection == java.util.Set.class,
                manyToMany.joinTable(), requireNames(where, "joinColumn", manyToMany.joinColumn()),
                requireNames(where, "inverseJoinColumn", manyToMany.inverseJoinColumn()), manyToMany.orderBy(),
                accessor);
    }

    private static Class<?> elementType(Type generic, String where) {
        if (generic instanceof ParameterizedType parameterized
                && parameterized.getActualTypeArguments()[0] instanceof Class<?> element) {
            return element;
        }
        throw new MappingException(where + ": cannot tell the element type of " + generic.getTypeName()
                + "; declare it as List<Child> with a record type Child");
    }

    private static void requireRecord(String where, Class<?> target, String expected) {
        if (!target.isRecord()) {
            throw new MappingException(where + ": " + target.getSimpleName() + " is not a record; a relation "
                    + "component must be " + expected);
        }
    }

    private static void requireName(String where, String attribute, String value) {
        if (value.isBlank()) {
            throw new MappingException(where + ": " + attribute + " is empty; name the column or table");
        }
    }

    private static List<String> requireNames(String where, String attribute, String[] values) {
        if (values.length == 0) {
            throw new MappingException(where + ": " + attribute + " is empty; name the column or table");
        }
        for (String value : values) {
            requireName(where, attribute, value);
        }
        return List.of(values);
    }

}
