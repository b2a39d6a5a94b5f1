package dev.sluice.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.stream.Collectors;

import dev.sluice.spi.RenderedSql;
import dev.sluice.spi.UntypedText;
import org.jspecify.annotations.Nullable;

/**
 * Renders the statements of one query: keyset pages, the cursor's query, count, lookup by key and by many keys (for
 * loading later), and the select list of a load plan. Pure: the same inputs give the same text, and every value is
 * a binding.
 */
final class SelectSql {

    private final PostgresDialect dialect;
    private final EntityModel<?> model;
    private final String selectList;
    private final List<Condition> conditions;
    private final OrderBy order;
    /** The position the query starts after ({@code query.after(row)}), or null for the first row. */
    private final Object @Nullable [] start;

    /**
     * @param selectList the rendered select list, e.g. {@code id, name}
     */
    SelectSql(PostgresDialect dialect, EntityModel<?> model, String selectList, List<Condition> conditions,
              OrderBy order) {
        this(dialect, model, selectList, conditions, order, null);
    }

    private SelectSql(PostgresDialect dialect, EntityModel<?> model, String selectList, List<Condition> conditions,
                      OrderBy order, Object @Nullable [] start) {
        this.dialect = dialect;
        this.model = model;
        this.selectList = selectList;
        this.conditions = List.copyOf(conditions);
        this.order = order;
        this.start = start == null ? null : start.clone();
    }

    /**
     * The same statements over the rows after {@code start}, a position in the order (one value per term): every
     * statement (pages, the whole ordered query, count, lookup by key) holds that condition.
     */
    SelectSql startingAfter(Object @Nullable [] start) {
        if (start != null && start.length != order.terms().size()) {
            throw new IllegalArgumentException("need " + order.terms().size() + " values, got " + start.length);
        }
        return new SelectSql(dialect, model, selectList, conditions, order, start);
    }

    /** The position the statements start after, or null. */
    Object @Nullable [] start() {
        return start == null ? null : start.clone();
    }

    /**
     * The conditions, and the start position when there is one; its seek treats every term as nullable unless its
     * column is the key or a primitive component (which never hold NULL): always right, though an index bounds it
     * less tightly than a keyset page's, which knows the columns. Text values (an enum's name among them) are bound
     * untyped, so that PostgreSQL reads them as their column's type, which this renderer does not know (an enum,
     * json or text).
     */
    private String where(List<Object> bindings) {
        String where = Condition.render(conditions, bindings);
        if (start == null) {
            return where;
        }
        boolean[] nullable = new boolean[order.terms().size()];
        Object[] values = start.clone();
        for (int i = 0; i < nullable.length; i++) {
            Property p = order.terms().get(i).property();
            nullable[i] = !p.primitive() && !p.id();
            if (values[i] instanceof String text) {
                values[i] = new UntypedText(text);
            }
        }
        String seek = seek(dialect, order, values, nullable, bindings);
        return where.isEmpty() ? seek : where + " AND " + seek;
    }

    /** The order of the query's pages and of its whole ordered statement. */
    OrderBy order() {
        return order;
    }

    /** The statements of a query reading {@code plan}'s columns. */
    static SelectSql of(PostgresDialect dialect, LoadPlan<?> plan, List<Condition> conditions, OrderBy order) {
        return new SelectSql(dialect, plan.model(), selectList(dialect, plan), conditions, order);
    }

    /** A plan's select list, e.g. {@code id, title} or {@code t.id, t.name, j.photo_id}. */
    static String selectList(PostgresDialect dialect, LoadPlan<?> plan) {
        String prefix = plan.qualifier() == null ? "" : plan.qualifier() + ".";
        List<String> items = new ArrayList<>();
        plan.columns().forEach(p -> items.add(prefix + dialect.identifier(p.column())));
        plan.hidden().forEach(h -> items.add((h.qualifier() == null ? "" : h.qualifier() + ".")
                + dialect.identifier(h.column())));
        return String.join(", ", items);
    }

    /**
     * The condition that {@code columns} hold one of the keys bound from {@code $1} on: {@code c = ANY($1)} for one
     * column, and for several {@code (a, b) IN (SELECT * FROM unnest($1, $2))}, one array per column (a row cannot
     * be bound as one value).
     */
    static String anyKey(PostgresDialect dialect, List<String> columns, String prefix) {
        if (columns.size() == 1) {
            return prefix + dialect.identifier(columns.get(0)) + " = ANY($1)";
        }
        StringBuilder arrays = new StringBuilder();
        for (int i = 1; i <= columns.size(); i++) {
            arrays.append(i == 1 ? "" : ", ").append('$').append(i);
        }
        return "(" + columnList(dialect, columns, prefix) + ") IN (SELECT * FROM unnest(" + arrays + "))";
    }

    /** {@code columns} quoted and joined, each with {@code prefix}: {@code j.album_id, j.region}. */
    static String columnList(PostgresDialect dialect, List<String> columns, String prefix) {
        return columns.stream().map(c -> prefix + dialect.identifier(c)).collect(Collectors.joining(", "));
    }

    /**
     * The rows whose key is one of {@code keyArrays} (as {@link #anyKey}: one array of the keys for a single-column
     * key), with none of the query's conditions: entities in hand, whose deferred columns and relations load later.
     */
    RenderedSql byKeys(List<Object> keyArrays) {
        return RenderedSql.of(selectFrom() + " WHERE " + anyKey(dialect,
                model.key().stream().map(Property::column).toList(), ""), keyArrays);
    }

    /**
     * The condition that a row comes after {@code after} in the order, as PostgreSQL orders (NULLs last ascending,
     * first descending). Every term's column NOT NULL and one direction: a row comparison, {@code (a, b) > ($1, $2)},
     * which a matching index serves as one range. Otherwise the expanded form, each term strictly after, or equal
     * and the rest after: {@code a < $1 OR (a = $1 AND b > $2)}, led by a redundant bound on the first term
     * ({@code a <= $1 AND (...)}) so that an index on it still bounds the scan; a NULL value or a nullable column adds
     * the {@code IS NULL} / {@code IS NOT NULL} cases where NULLs sort.
     */
    static String seek(PostgresDialect dialect, OrderBy order, Object[] after, boolean[] nullable,
                       List<Object> bindings) {
        List<OrderBy.Term> terms = order.terms();
        if (after.length != terms.size()) {
            throw new IllegalArgumentException("need " + terms.size() + " values, got " + after.length);
        }
        int[] params = new int[after.length];
        for (int i = 0; i < after.length; i++) {
            if (after[i] != null) {
                bindings.add(after[i]);
                params[i] = bindings.size();
            }
        }
        boolean plain = true;
        for (int i = 0; i < terms.size(); i++) {
            plain &= !nullable[i] && after[i] != null && terms.get(i).descending() == terms.get(0).descending();
        }
        if (plain) {
            String op = terms.get(0).descending() ? " < " : " > ";
            if (terms.size() == 1) {
                return column(dialect, terms.get(0)) + op + "$" + params[0];
            }
            StringJoiner columns = new StringJoiner(", ", "(", ")");
            StringJoiner values = new StringJoiner(", ", "(", ")");
            for (int i = 0; i < terms.size(); i++) {
                columns.add(column(dialect, terms.get(i)));
                values.add("$" + params[i]);
            }
            return columns + op + values;
        }
        String expanded = Objects.requireNonNull(after(dialect, terms, after, nullable, params, 0),
                "the key's term");
        OrderBy.Term first = terms.get(0);
        if (after[0] != null && !nullable[0]) {
            return column(dialect, first) + (first.descending() ? " <= $" : " >= $") + params[0] + " AND (" + expanded + ")";
        }
        return "(" + expanded + ")";
    }

    /** Rows after the position from term {@code i} on; null when no row can be (the position is the last). */
    private static @Nullable String after(PostgresDialect dialect, List<OrderBy.Term> terms, Object[] after,
                                          boolean[] nullable, int[] params, int i) {
        OrderBy.Term term = terms.get(i);
        String column = column(dialect, term);
        String strictly;
        String equal;
        if (after[i] == null) {
            equal = column + " IS NULL";
            // NULLs sort last ascending: nothing after them; first descending: every non-NULL comes after
            strictly = term.descending() ? column + " IS NOT NULL" : null;
        } else {
            equal = column + " = $" + params[i];
            String beyond = column + (term.descending() ? " < $" : " > $") + params[i];
            strictly = nullable[i] && !term.descending() ? "(" + beyond + " OR " + column + " IS NULL)" : beyond;
        }
        if (i == terms.size() - 1) {
            return strictly;
        }
        String rest = after(dialect, terms, after, nullable, params, i + 1);
        String tie = rest == null ? null : equal + " AND " + wrap(rest);
        if (strictly == null) {
            return tie;
        }
        return tie == null ? strictly : strictly + " OR (" + tie + ")";
    }

    private static String wrap(String condition) {
        return condition.contains(" OR ") ? "(" + condition + ")" : condition;
    }

    private static String column(PostgresDialect dialect, OrderBy.Term term) {
        return dialect.identifier(term.property().column());
    }

    private String selectFrom() {
        return "SELECT " + selectList + " FROM " + dialect.identifier(model.table());
    }

    /**
     * One keyset page: the rows after the position {@code after} (or from the start when null) in this query's order,
     * which must be unique ({@link OrderBy#unique}), at most {@code pageSize}. {@code after} holds the last row's
     * values of the order's terms, in order; {@code nullable} says which terms' columns may hold NULL. The first page
     * of a query that starts after a position is the page after {@link #start()}: pass it as {@code after}.
     */
    RenderedSql keysetPage(Object @Nullable [] after, int pageSize, boolean[] nullable) {
        List<Object> bindings = new ArrayList<>();
        StringBuilder sql = new StringBuilder(selectFrom());
        String where = Condition.render(conditions, bindings);
        String seek = after == null ? "" : seek(dialect, order, after, nullable, bindings);
        if (!where.isEmpty() || !seek.isEmpty()) {
            sql.append(" WHERE ").append(where);
            if (!where.isEmpty() && !seek.isEmpty()) {
                sql.append(" AND ");
            }
            sql.append(seek);
        }
        bindings.add(pageSize);
        sql.append(" ORDER BY ").append(order.sql(dialect)).append(" LIMIT $").append(bindings.size());
        return RenderedSql.of(sql.toString(), bindings);
    }

    /**
     * One keyset page of custom SQL: {@code SELECT * FROM (sql) AS sluice_rows WHERE seek ORDER BY order LIMIT $n},
     * the SQL's own bindings first. {@code order} names result columns (its terms' properties are the record's
     * components); {@code after} is the last row's values of its terms, or null for the first page.
     */
    static RenderedSql wrappedPage(PostgresDialect dialect, RenderedSql sql, OrderBy order, Object @Nullable [] after,
                                   boolean[] nullable, int pageSize) {
        List<Object> bindings = new ArrayList<>(sql.bindings());
        StringBuilder page = new StringBuilder("SELECT * FROM (").append(sql.sql()).append(") AS sluice_rows");
        if (after != null) {
            page.append(" WHERE ").append(seek(dialect, order, after, nullable, bindings));
        }
        bindings.add(pageSize);
        page.append(" ORDER BY ").append(order.sql(dialect)).append(" LIMIT $").append(bindings.size());
        return RenderedSql.of(page.toString(), bindings);
    }

    /** The whole ordered query, for a cursor, with an optional row limit. */
    RenderedSql ordered(long limit) {
        List<Object> bindings = new ArrayList<>();
        StringBuilder sql = new StringBuilder(selectFrom());
        String where = where(bindings);
        if (!where.isEmpty()) {
            sql.append(" WHERE ").append(where);
        }
        sql.append(" ORDER BY ").append(order.sql(dialect));
        if (limit != Long.MAX_VALUE) {
            bindings.add(limit);
            sql.append(" LIMIT $").append(bindings.size());
        }
        return RenderedSql.of(sql.toString(), bindings);
    }

    /** {@code SELECT count(*)} over the conditions, within the limit. */
    RenderedSql count(long limit) {
        List<Object> bindings = new ArrayList<>();
        String where = where(bindings);
        String from = dialect.identifier(model.table()) + (where.isEmpty() ? "" : " WHERE " + where);
        if (limit == Long.MAX_VALUE) {
            return RenderedSql.of("SELECT count(*) FROM " + from, bindings);
        }
        bindings.add(limit);
        return RenderedSql.of("SELECT count(*) FROM (SELECT 1 FROM " + from + " LIMIT $" + bindings.size()
                + ") AS limited", bindings);
    }

    /**
     * The row with the given key values (in key order) among the rows the query matches: its conditions hold, and
     * with a limit the row must be among the first {@code limit} rows in the query's order.
     */
    RenderedSql byKey(List<Object> key, long limit) {
        List<Object> bindings = new ArrayList<>();
        StringBuilder sql = new StringBuilder(selectFrom()).append(" WHERE ");
        if (limit == Long.MAX_VALUE) {
            String where = where(bindings);
            if (!where.isEmpty()) {
                sql.append(where).append(" AND ");
            }
            sql.append(keyEquals(key, bindings));
            return RenderedSql.of(sql.toString(), bindings);
        }
        sql.append(keyEquals(key, bindings));
        String columns = model.key().stream().map(p -> dialect.identifier(p.column()))
                .collect(Collectors.joining(", "));
        String where = where(bindings);
        bindings.add(limit);
        sql.append(" AND ").append(model.key().size() == 1 ? columns : "(" + columns + ")").append(" IN (SELECT ")
                .append(columns).append(" FROM ").append(dialect.identifier(model.table()))
                .append(where.isEmpty() ? "" : " WHERE " + where).append(" ORDER BY ").append(order.sql(dialect))
                .append(" LIMIT $").append(bindings.size()).append(')');
        return RenderedSql.of(sql.toString(), bindings);
    }

    private String keyEquals(List<Object> key, List<Object> bindings) {
        StringBuilder sql = new StringBuilder();
        List<Property> keyProperties = model.key();
        for (int i = 0; i < keyProperties.size(); i++) {
            bindings.add(key.get(i));
            sql.append(i == 0 ? "" : " AND ").append(dialect.identifier(keyProperties.get(i).column()))
                    .append(" = $").append(bindings.size());
        }
        return sql.toString();
    }
}
