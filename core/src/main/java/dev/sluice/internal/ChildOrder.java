package dev.sluice.internal;

import java.util.Comparator;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Where the related rows of a to-many relation are put in the relation's order: by the client, within each owner's
 * group, when it orders exactly as PostgreSQL would; otherwise by the server ({@code ORDER BY owner, order}).
 *
 * <p>The child batch query of a window returns every related row of the window's keys; {@link RelationLoader}
 * groups them by owner in a hash map, so the owner's part of the server's order does nothing for it. The rest is a
 * sort of all the window's related rows on the server before the first one is sent (for 500 albums of 50 photos,
 * 25,000 rows): it costs the server CPU time, and the client waits for it. When every term of the order is a whole
 * number (a {@code short}, {@code int} or {@code long} component, read from an {@code int2}, {@code int4} or
 * {@code int8} column, as the table check ensures, without a converter) the query has no {@code ORDER BY}, streams
 * as the server finds its rows, and each owner's group is sorted here: a few dozen rows, often already in order
 * (rows inserted in key order lie in key order), which the sort (a merge sort that finds runs) checks in one pass.
 * Java orders whole numbers as PostgreSQL does; NULLs come last ascending and first descending, as PostgreSQL's
 * defaults put them. For other types (text under a collation, floating point, anything converted) the server
 * orders.
 */
final class ChildOrder {

    private static final Set<Class<?>> WHOLE_NUMBERS = Set.of(Short.class, Integer.class, Long.class);

    private ChildOrder() {
    }

    /**
     * The order of the related rows, as argument arrays of {@code child}, when the client can sort them exactly as
     * PostgreSQL would; null when the server must ({@code order} has a term of another type, or one not selected).
     */
    static @Nullable Comparator<Object[]> of(OrderBy order, LoadPlan<?> child) {
        List<OrderBy.Term> terms = order.terms();
        if (terms.isEmpty()) {
            return null;
        }
        Comparator<Object[]> all = null;
        for (OrderBy.Term term : terms) {
            Property p = term.property();
            if (!WHOLE_NUMBERS.contains(p.boxedType()) || !p.codec().isIdentity() || !selected(child, p)) {
                return null;
            }
            Comparator<Object[]> one = term(child.slot(p), term.descending());
            all = all == null ? one : all.thenComparing(one);
        }
        return all;
    }

    private static boolean selected(LoadPlan<?> child, Property p) {
        return child.columns().contains(p);
    }

    /** One term: whole numbers by value; NULLs last ascending, first descending (PostgreSQL's defaults). */
    private static Comparator<Object[]> term(int slot, boolean descending) {
        Comparator<Object[]> ascending = (a, b) -> {
            Object x = a[slot];
            Object y = b[slot];
            if (x == null || y == null) {
                return x == null ? (y == null ? 0 : 1) : -1;
            }
            return Long.compare(((Number) x).longValue(), ((Number) y).longValue());
        };
        return descending ? ascending.reversed() : ascending;
    }
}
