package dev.sluice.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import dev.sluice.spi.RenderedSql;
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

    /**
     * @param selectList the rendered select list, e.g. {@code id, name}
     */
    SelectSql(PostgresDialect dialect, EntityModel<?> model, String selectList, List<Condition> conditions,
              OrderBy order) {
        this.dialect = dialect;
        this.model = model;
        this.selectList = selectList;
        this.conditions = List.copyOf(conditions);
        this.order = order;
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

    private String selectFrom() {
        return "SELECT " + selectList + " FROM " + dialect.identifier(model.table());
    }

    /**
     * One keyset page: the rows after {@code after} (or from the start when null) in key order, at most
     * {@code pageSize}. Composite keys compare as rows: {@code (a, b) > ($1, $2)}.
     */
    RenderedSql keysetPage(Object @Nullable [] after, int pageSize) {
        List<Object> bindings = new ArrayList<>();
        StringBuilder sql = new StringBuilder(selectFrom());
        String where = Condition.render(conditions, bindings);
        String seek = "";
        if (after != null) {
            List<Property> key = model.key();
            String columnsSql = key.stream().map(p -> dialect.identifier(p.column())).collect(Collectors.joining(", "));
            StringBuilder params = new StringBuilder();
            for (Object value : after) {
                bindings.add(value);
                params.append(params.length() == 0 ? "" : ", ").append('$').append(bindings.size());
            }
            String op = order.descending() ? " < " : " > ";
            seek = key.size() == 1 ? columnsSql + op + params : "(" + columnsSql + ")" + op + "(" + params + ")";
        }
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

    /** The whole ordered query, for a cursor, with an optional row limit. */
    RenderedSql ordered(long limit) {
        List<Object> bindings = new ArrayList<>();
        StringBuilder sql = new StringBuilder(selectFrom());
        String where = Condition.render(conditions, bindings);
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
        String where = Condition.render(conditions, bindings);
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
            String where = Condition.render(conditions, bindings);
            if (!where.isEmpty()) {
                sql.append(where).append(" AND ");
            }
            sql.append(keyEquals(key, bindings));
            return RenderedSql.of(sql.toString(), bindings);
        }
        sql.append(keyEquals(key, bindings));
        String columns = model.key().stream().map(p -> dialect.identifier(p.column()))
                .collect(Collectors.joining(", "));
        String where = Condition.render(conditions, bindings);
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
