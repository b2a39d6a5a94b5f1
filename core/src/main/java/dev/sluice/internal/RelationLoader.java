package dev.sluice.internal;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.sluice.spi.Observer;
import dev.sluice.spi.Session;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Loads the relations of one window of rows: for each relation one query ({@link RelationSql}),
 * {@code ... = ANY($1)} with the window's keys (for a composite key {@code (a, b) IN (SELECT * FROM unnest($1, $2))}),
 * whose rows are grouped by key and set onto the window's rows in their order. Nested relations repeat this one
 * level down, for the same window. Statements per window = 1 + the number of relations in the plan, never one
 * per row. Relations load one after another, so a pinned session (a cursor's, a transaction's) runs one statement
 * at a time.
 */
final class RelationLoader {

    private final RelationSql sql;
    private final RepoSettings settings;

    RelationLoader(PostgresDialect dialect) {
        this(dialect, RepoSettings.DEFAULTS);
    }

    /** With {@code settings}' observer told of each relation query. */
    RelationLoader(PostgresDialect dialect, RepoSettings settings) {
        this.sql = new RelationSql(dialect);
        this.settings = settings;
    }

    /** Loads every relation of {@code plan} into {@code rows} (argument arrays, updated in place). */
    Mono<Void> load(LoadPlan<?> plan, List<Object[]> rows, Session session) {
        if (plan.branches().isEmpty() || rows.isEmpty()) {
            return Mono.empty();
        }
        return Flux.fromIterable(plan.branches()).concatMap(branch -> load(branch, rows, session)).then();
    }

    private Mono<Void> load(LoadPlan.Branch branch, List<Object[]> rows, Session session) {
        Relation relation = branch.relation();
        List<Object> keys = distinctKeys(rows, branch.parentSlots());
        if (keys.isEmpty()) {
            rows.forEach(row -> row[relation.position()] = relation.toMany()
                    ? collection(relation, new Object[0]) : null);
            return Mono.empty();
        }
        LoadPlan<?> child = branch.child();
        return Observed.statement(settings, Observer.Kind.RELATION, child.model().table(),
                        session.query(sql.children(branch, keyArrays(keys, branch.keyTypes())), child.reader()))
                .collectList()
                .flatMap(children -> load(child, children, session).thenReturn(children))
                .doOnNext(children -> attach(branch, rows, children))
                .then();
    }

    /**
     * Sets the related rows onto the window's rows, in the window's order. To-many: the related rows are grouped by
     * owner (in the order they came, or sorted here by {@link LoadPlan.Branch#clientOrder()}), each built once; a
     * related row of many-to-many that several owners share is one instance. To-one: one instance per key.
     */
    private static void attach(LoadPlan.Branch branch, List<Object[]> rows, List<Object[]> children) {
        Relation relation = branch.relation();
        LoadPlan<?> child = branch.child();
        if (relation.toMany()) {
            Map<Object, List<Object[]>> byOwner = new HashMap<>(capacity(rows.size()));
            for (Object[] c : children) {
                byOwner.computeIfAbsent(keyAt(c, branch.childSlots()), k -> new ArrayList<>()).add(c);
            }
            Comparator<Object[]> order = branch.clientOrder();
            boolean manyToMany = relation.kind() == Relation.Kind.MANY_TO_MANY;
            Map<Object, Object> shared = manyToMany ? new HashMap<>(capacity(children.size())) : Map.of();
            int[] childKey = child.model().key().stream().mapToInt(Property::position).toArray();
            for (Object[] row : rows) {
                List<Object[]> group = byOwner.get(keyAt(row, branch.parentSlots()));
                if (group == null) {
                    row[relation.position()] = collection(relation, new Object[0]);
                    continue;
                }
                if (order != null && group.size() > 1) {
                    group.sort(order); // a merge sort: one pass when already in order
                }
                Object[] entities = new Object[group.size()];
                for (int i = 0; i < entities.length; i++) {
                    Object[] c = group.get(i);
                    entities[i] = manyToMany ? shared.computeIfAbsent(keyAt(c, childKey), k -> child.construct(c))
                            : child.construct(c);
                }
                row[relation.position()] = collection(relation, entities);
            }
        } else {
            Map<Object, Object> byKey = new HashMap<>(capacity(children.size()));
            for (Object[] c : children) {
                byKey.put(keyAt(c, branch.childSlots()), child.construct(c));
            }
            for (Object[] row : rows) {
                Object key = keyAt(row, branch.parentSlots());
                row[relation.position()] = key == null ? null : byKey.get(key);
            }
        }
    }

    /** A hash map's initial capacity for {@code entries}, so that it never grows. */
    private static int capacity(int entries) {
        return (int) Math.min(Integer.MAX_VALUE, entries * 4L / 3 + 1);
    }

    /**
     * The key a row holds at {@code slots}: the value itself for one slot; for several, a list of the values, or
     * null when any of them is null (a composite reference with a NULL refers to nothing).
     */
    static @Nullable Object keyAt(Object[] row, int[] slots) {
        if (slots.length == 1) {
            return row[slots[0]];
        }
        Object[] values = new Object[slots.length];
        for (int i = 0; i < slots.length; i++) {
            values[i] = row[slots[i]];
            if (values[i] == null) {
                return null;
            }
        }
        return List.of(values);
    }

    private static Object collection(Relation relation, Object[] items) {
        return relation.set() ? Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(items)))
                : List.of(items);
    }

    /** The distinct non-null keys at {@code slots}, in first-seen order. */
    private static List<Object> distinctKeys(List<Object[]> rows, int[] slots) {
        Set<Object> seen = new LinkedHashSet<>();
        for (Object[] row : rows) {
            Object key = keyAt(row, slots);
            if (key != null) {
                seen.add(key);
            }
        }
        return new ArrayList<>(seen);
    }

    /**
     * The keys as bindings: one array of {@code types.get(0)} (such as {@code Long[]}) for one column, which
     * drivers bind for {@code = ANY($1)}; one array per column for several.
     */
    static List<Object> keyArrays(List<Object> keys, List<Class<?>> types) {
        if (types.size() == 1) {
            return List.of(keyArray(keys, types.get(0)));
        }
        List<Object> arrays = new ArrayList<>(types.size());
        for (int column = 0; column < types.size(); column++) {
            Object[] array = (Object[]) Array.newInstance(types.get(column), keys.size());
            for (int k = 0; k < keys.size(); k++) {
                array[k] = ((List<?>) keys.get(k)).get(column);
            }
            arrays.add(array);
        }
        return arrays;
    }

    /**
     * The distinct non-null {@code values}, in first-seen order, as an array of {@code type} (such as
     * {@code Long[]}), which drivers bind for {@code = ANY($1)}.
     */
    static Object keyArray(Collection<?> values, Class<?> type) {
        Set<Object> seen = new LinkedHashSet<>();
        for (Object value : values) {
            if (value != null) {
                seen.add(value);
            }
        }
        return seen.toArray((Object[]) Array.newInstance(type, seen.size()));
    }
}
