package dev.sluice.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import dev.sluice.MappingException;
import dev.sluice.QueryException;
import org.jspecify.annotations.Nullable;

/**
 * What one level of a query loads: which columns of the entity (deferred ones only when asked), which hidden columns
 * the relations need (foreign keys, owner keys), and which relations to load below it, each with a plan of its own.
 * Built once per query; every path and name is checked here, before anything runs.
 */
final class LoadPlan<T> {

    /**
     * A column read but not mapped to a component: placed after the components in the argument array.
     *
     * @param column    the column name
     * @param type      the Java type to read it as
     * @param qualifier the table alias to qualify it with, or null
     */
    record Hidden(String column, Class<?> type, @Nullable String qualifier) {
    }

    /**
     * A relation to load below this level. The related rows are found by one or more columns (a composite key):
     * the slots and types have one entry per column, in key order.
     *
     * @param relation    the relation component
     * @param child       the plan of the related rows
     * @param parentSlots where this level's rows hold the values that find the related rows
     * @param childSlots  where the related rows hold the values that match them
     * @param keyTypes    the Java types of those values (the element types of the bound arrays)
     * @param order       the order of the related rows within an owner
     * @param clientOrder for a to-many relation whose order the client can apply exactly ({@link ChildOrder}): that
     *                    order, and the child query leaves it out; null when the server orders
     */
    record Branch(Relation relation, LoadPlan<?> child, int[] parentSlots, int[] childSlots, List<Class<?>> keyTypes,
                  OrderBy order, @Nullable Comparator<Object[]> clientOrder) {
        Branch {
            keyTypes = List.copyOf(keyTypes);
        }

        /** A branch whose related rows are ordered by the client when it can ({@link ChildOrder}). */
        Branch(Relation relation, LoadPlan<?> child, int[] parentSlots, int[] childSlots, List<Class<?>> keyTypes,
               OrderBy order) {
            this(relation, child, parentSlots, childSlots, keyTypes, order,
                    relation.toMany() ? ChildOrder.of(order, child) : null);
        }
    }

    private final EntityModel<T> model;
    private final List<Property> columns;
    private final List<Hidden> hidden;
    private final List<Branch> branches;
    private final @Nullable String qualifier;
    private final RowReader reader;

    private LoadPlan(EntityModel<T> model, List<Property> columns, List<Hidden> hidden, List<Branch> branches,
                     @Nullable String qualifier) {
        this.model = model;
        this.columns = List.copyOf(columns);
        this.hidden = List.copyOf(hidden);
        this.branches = List.copyOf(branches);
        this.qualifier = qualifier;
        List<RowReader.Slot> slots = new ArrayList<>();
        columns.forEach(p -> slots.add(RowReader.Slot.of(p)));
        for (int i = 0; i < hidden.size(); i++) {
            slots.add(RowReader.Slot.hidden(model.arity() + i, hidden.get(i).type()));
        }
        this.reader = new RowReader(model, slots, model.arity() + hidden.size());
    }

    /**
     * The plan of a query's top level.
     *
     * @param columns   the columns to select
     * @param extra     hidden columns the caller needs (a projection's key)
     * @param with      relation paths, already split on dots
     */
    static <T> LoadPlan<T> root(EntityModel<T> model, List<Property> columns, List<Hidden> extra,
                                List<RelationPath> with) {
        return build(model, columns, extra, with, null, "with");
    }

    /**
     * One relation to load, and the relations to load below it: a node of the tree that relation paths such as
     * {@code "photos", "photos.tags"} make ({@code photos[tags]}).
     *
     * @param relation the relation's component name
     * @param below    the relations of the related entity to load, in the order first named
     */
    record RelationPath(String relation, List<RelationPath> below) {

        RelationPath {
            below = List.copyOf(below);
        }
    }

    /** Parses relation paths such as {@code "photos", "photos.tags"} into a tree, checking every step. */
    static List<RelationPath> paths(EntityModel<?> model, List<String> paths) {
        PathNode root = new PathNode();
        for (String path : paths) {
            String what = "with(\"" + path + "\")";
            EntityModel<?> at = model;
            PathNode node = root;
            for (String step : path.split("\\.", -1)) {
                EntityModel<?> owner = at;
                Relation relation = owner.relation(step.trim()).orElseThrow(() -> new QueryException(what + ": "
                        + owner.name() + (owner.relations().isEmpty()
                        ? " has no relations; declare one with @HasMany, @BelongsTo or @ManyToMany"
                        : " has no relation '" + step.trim() + "'; its relations are " + owner.relationList())));
                node = node.below.computeIfAbsent(relation.name(), k -> new PathNode());
                at = model.converters().model(relation.target());
            }
        }
        return root.paths();
    }

    /** A node of the path tree while it is parsed. */
    private static final class PathNode {
        final Map<String, PathNode> below = new LinkedHashMap<>();

        List<RelationPath> paths() {
            return below.entrySet().stream().map(e -> new RelationPath(e.getKey(), e.getValue().paths())).toList();
        }
    }

    private static <T> LoadPlan<T> build(EntityModel<T> model, List<Property> columns, List<Hidden> required,
                                         List<RelationPath> with, @Nullable String qualifier, String path) {
        List<Hidden> hidden = new ArrayList<>(required);
        List<Branch> branches = new ArrayList<>();
        for (RelationPath relationPath : with) {
            Relation r = model.relation(relationPath.relation()).orElseThrow();
            List<RelationPath> below = relationPath.below();
            EntityModel<?> target = model.converters().model(r.target());
            String where = model.name() + "." + r.name();
            OrderBy order = order(target, r, where);
            switch (r.kind()) {
                case HAS_MANY -> {
                    List<Property> key = model.key();
                    List<Hidden> childHidden = new ArrayList<>();
                    int[] childSlots = new int[key.size()];
                    for (int i = 0; i < key.size(); i++) {
                        String column = r.foreignKey().get(i);
                        Optional<Property> fk = selected(target, target.defaultColumns(), column);
                        if (fk.isPresent()) {
                            childSlots[i] = fk.get().position();
                        } else {
                            childSlots[i] = target.arity() + childHidden.size();
                            childHidden.add(new Hidden(column, key.get(i).boxedType(), null));
                        }
                    }
                    LoadPlan<?> child = build(target, target.defaultColumns(), childHidden, below, null,
                            path + "." + r.name());
                    branches.add(new Branch(r, child, positions(key), childSlots, types(key), order));
                }
                case BELONGS_TO -> {
                    target.requireKeyColumns(where, "@BelongsTo", "foreignKey", r.foreignKey(), "");
                    List<Property> targetKey = target.key();
                    int[] parentSlots = new int[targetKey.size()];
                    List<Class<?>> keyTypes = new ArrayList<>();
                    for (int i = 0; i < targetKey.size(); i++) {
                        String column = r.foreignKey().get(i);
                        Optional<Property> fk = selected(model, columns, column);
                        if (fk.isPresent()) {
                            parentSlots[i] = fk.get().position();
                            keyTypes.add(fk.get().boxedType());
                        } else {
                            parentSlots[i] = model.arity() + hidden.size();
                            keyTypes.add(targetKey.get(i).boxedType());
                            hidden.add(new Hidden(column, targetKey.get(i).boxedType(), qualifier));
                        }
                    }
                    LoadPlan<?> child = build(target, target.defaultColumns(), List.of(), below, null,
                            path + "." + r.name());
                    branches.add(new Branch(r, child, parentSlots, positions(targetKey), keyTypes, order));
                }
                case MANY_TO_MANY -> {
                    target.requireKeyColumns(where, "@ManyToMany", "inverseJoinColumn", r.inverseJoinColumn(),
                            "join table");
                    List<Property> key = model.key();
                    List<Hidden> joinColumns = new ArrayList<>();
                    int[] childSlots = new int[key.size()];
                    for (int i = 0; i < key.size(); i++) {
                        childSlots[i] = target.arity() + i;
                        joinColumns.add(new Hidden(r.joinColumn().get(i), key.get(i).boxedType(), "j"));
                    }
                    LoadPlan<?> child = build(target, target.defaultColumns(), joinColumns, below, "t",
                            path + "." + r.name());
                    branches.add(new Branch(r, child, positions(key), childSlots, types(key), order));
                }
                default -> throw new IllegalStateException(r.kind().name());
            }
        }
        return new LoadPlan<>(model, columns, hidden, branches, qualifier);
    }

    private static int[] positions(List<Property> properties) {
        return properties.stream().mapToInt(Property::position).toArray();
    }

    private static List<Class<?>> types(List<Property> properties) {
        return properties.stream().<Class<?>>map(Property::boxedType).toList();
    }

    private static Optional<Property> selected(EntityModel<?> model, List<Property> columns, String column) {
        return model.property(column).filter(p -> p.column().equals(column) && columns.contains(p));
    }

    private static OrderBy order(EntityModel<?> target, Relation r, String where) {
        if (r.orderBy().isBlank()) {
            return OrderBy.byKey(target);
        }
        try {
            return OrderBy.parse(target, r.orderBy());
        } catch (QueryException e) {
            throw new MappingException(where + ": the relation's " + e.getMessage(), e);
        }
    }

    EntityModel<T> model() {
        return model;
    }

    List<Property> columns() {
        return columns;
    }

    List<Branch> branches() {
        return branches;
    }

    RowReader reader() {
        return reader;
    }

    /** The argument slot holding {@code p}'s column: its component's, or a hidden column's. */
    int slot(Property p) {
        if (columns.contains(p)) {
            return p.position();
        }
        for (int h = 0; h < hidden.size(); h++) {
            if (hidden.get(h).column().equals(p.column()) && hidden.get(h).qualifier() == null) {
                return model.arity() + h;
            }
        }
        throw new IllegalStateException("column " + p.column() + " is not selected");
    }

    /** Every entity this plan reads, for the once-per-entity table check. */
    Set<EntityModel<?>> models() {
        Set<EntityModel<?>> all = new java.util.LinkedHashSet<>();
        all.add(model);
        branches.forEach(b -> all.addAll(b.child().models()));
        return all;
    }

    /** Hidden columns, read after the components. */
    List<Hidden> hidden() {
        return hidden;
    }

    /** The table alias this level's columns are qualified with, or null. */
    @Nullable String qualifier() {
        return qualifier;
    }

    /** Builds an entity from read arguments, ignoring the hidden slots. */
    T construct(Object[] args) {
        return model.construct(hidden.isEmpty() ? args : java.util.Arrays.copyOf(args, model.arity()));
    }

    @Override
    public String toString() {
        return model.name() + columns.stream().map(Property::name).collect(Collectors.joining(", ", "(", ")"))
                + branches.stream().map(b -> b.relation().name() + ":" + b.child()).collect(Collectors.joining(", ", "[", "]"));
    }
}
