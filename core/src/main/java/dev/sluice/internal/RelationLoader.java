package dev.sluice.internal;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.sluice.spi.RenderedSql;
import dev.sluice.spi.Session;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Loads the relations of one window of rows: for each relation one query, {@code ... = ANY($1)} with the window's
 * keys, whose rows are grouped by key and set onto the window's rows in their order. Nested relations repeat this
 * one level down, for the same window. Statements per window = 1 + the number of relations in the plan, never one
 * per row. Relations load one after another, so a pinned session (a cursor's, a transaction's) runs one statement
 * at a time.
 */
final class RelationLoader {

    private final PostgresDialect dialect;

    RelationLoader(PostgresDialect dialect) {
        this.dialect = dialect;
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
        Object keys = distinctKeys(rows, branch.parentSlot(), branch.keyType());
        if (Array.getLength(keys) == 0) {
            rows.forEach(row -> row[relation.position()] = relation.toMany() ? collection(relation, List.of()) : null);
            return Mono.empty();
        }
        LoadPlan<?> child = branch.child();
        return session.query(sql(branch, keys), child.reader())
                .collectList()
                .flatMap(children -> load(child, children, session).thenReturn(children))
                .doOnNext(children -> attach(branch, rows, children))
                .then();
    }

    private RenderedSql sql(LoadPlan.Branch branch, Object keys) {
        Relation r = branch.relation();
        LoadPlan<?> child = branch.child();
        EntityModel<?> target = child.model();
        String table = dialect.identifier(target.table());
        String select = "SELECT " + child.selectList(dialect);
        String sql = switch (r.kind()) {
            case HAS_MANY -> select + " FROM " + table + " WHERE " + dialect.identifier(r.foreignKey())
                    + " = ANY($1) ORDER BY " + dialect.identifier(r.foreignKey()) + ", " + branch.order().sql(dialect);
            case BELONGS_TO -> select + " FROM " + table + " WHERE "
                    + dialect.identifier(target.key().get(0).column()) + " = ANY($1)";
            case MANY_TO_MANY -> select + " FROM " + dialect.identifier(r.joinTable()) + " j JOIN " + table
                    + " t ON t." + dialect.identifier(target.key().get(0).column()) + " = j."
                    + dialect.identifier(r.inverseJoinColumn()) + " WHERE j." + dialect.identifier(r.joinColumn())
                    + " = ANY($1) ORDER BY j." + dialect.identifier(r.joinColumn()) + ", "
                    + branch.order().sql(dialect, "t");
        };
        return RenderedSql.of(sql, List.of(keys));
    }

    private static void attach(LoadPlan.Branch branch, List<Object[]> rows, List<Object[]> children) {
        Relation relation = branch.relation();
        LoadPlan<?> child = branch.child();
        if (relation.toMany()) {
            Map<Object, List<Object>> byOwner = new HashMap<>();
            Map<Object, Object> shared = new HashMap<>(); // one instance per related key within the window
            int childKey = child.model().key().get(0).position();
            for (Object[] c : children) {
                Object entity = relation.kind() == Relation.Kind.MANY_TO_MANY
                        ? shared.computeIfAbsent(c[childKey], k -> child.construct(c))
                        : child.construct(c);
                byOwner.computeIfAbsent(c[branch.childSlot()], k -> new ArrayList<>()).add(entity);
            }
            for (Object[] row : rows) {
                List<Object> group = byOwner.get(row[branch.parentSlot()]);
                row[relation.position()] = collection(relation, group == null ? List.of() : group);
            }
        } else {
            Map<Object, Object> byKey = new HashMap<>();
            for (Object[] c : children) {
                byKey.put(c[branch.childSlot()], child.construct(c));
            }
            for (Object[] row : rows) {
                Object key = row[branch.parentSlot()];
                row[relation.position()] = key == null ? null : byKey.get(key);
            }
        }
    }

    private static Object collection(Relation relation, List<Object> items) {
        return relation.set() ? Collections.unmodifiableSet(new LinkedHashSet<>(items)) : List.copyOf(items);
    }

    /** The distinct non-null values at {@code slot}, in first-seen order, as a typed array for {@code = ANY($1)}. */
    private static Object distinctKeys(List<Object[]> rows, int slot, Class<?> type) {
        return keyArray(rows.stream().map(row -> row[slot]).toList(), type);
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
