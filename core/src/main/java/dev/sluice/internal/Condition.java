package dev.sluice.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.sluice.QueryException;

/**
 * One user condition: SQL with {@code ?} placeholders and its values, checked when it is added to a query. It is
 * rendered in parentheses of its own, and {@link Placeholders} refuses whatever could close them or hide what follows.
 */
record Condition(String sql, List<Object> values) {

    Condition {
        values = List.copyOf(values);
    }

    /** A condition of a query. */
    static Condition of(String sql, Object[] args) {
        return of(sql, args, Converters.NONE);
    }

    /** A condition of a query, its values of types with converters bound as their stored values. */
    static Condition of(String sql, Object[] args, Converters converters) {
        return of(sql, args, "where(\"" + sql + "\")", "the condition is empty; write one, e.g. where(\"id = ?\", 42)",
                converters);
    }

    /** A condition of an update or delete, which {@code execute()} insists on. */
    static Condition ofWrite(String sql, Object[] args) {
        return ofWrite(sql, args, Converters.NONE);
    }

    /** A condition of an update or delete, its values of types with converters bound as their stored values. */
    static Condition ofWrite(String sql, Object[] args, Converters converters) {
        return of(sql, args, "where(\"" + sql + "\")", "the condition is empty; write one, e.g. where(\"id = ?\", 42), "
                + "or call executeOnAllRows() if every row is meant", converters);
    }

    /** A whole statement of the user's, with its {@code ?} placeholders numbered from $1. */
    static dev.sluice.spi.RenderedSql renderAlone(String sql, Object[] args, String what) {
        return renderAlone(sql, args, what, Converters.NONE);
    }

    /** As {@link #renderAlone(String, Object[], String)}, with the repository's converters. */
    static dev.sluice.spi.RenderedSql renderAlone(String sql, Object[] args, String what, Converters converters) {
        Condition c = of(sql, args, what, "the SQL is empty; write a select, e.g. \"select id, name from item\"",
                converters);
        return dev.sluice.spi.RenderedSql.of(Placeholders.rewrite(sql, 1, what).sql(), c.values());
    }

    /**
     * Checks the fragment with {@link Placeholders} (nothing in it can change the statement around it) and its
     * values.
     */
    private static Condition of(String sql, Object[] args, String what, String ifEmpty, Converters converters) {
        if (sql.isBlank()) {
            throw new QueryException(what + ": " + ifEmpty);
        }
        Placeholders.Rewritten probe = Placeholders.rewrite(sql, 1, what);
        if (probe.count() != args.length) {
            throw new QueryException(what + ": has " + probe.count() + " placeholder" + (probe.count() == 1 ? "" : "s")
                    + " but " + args.length + " value" + (args.length == 1 ? "" : "s") + " "
                    + (args.length == 1 ? "was" : "were") + " given; pass one value per ?");
        }
        List<Object> values = new ArrayList<>(args.length);
        for (int i = 0; i < args.length; i++) {
            values.add(BindValues.normalize(args[i], what, i + 1, converters));
        }
        return new Condition(sql, values);
    }

    /** Renders all conditions, AND-ed, numbering placeholders from {@code bindings.size() + 1}. */
    static String render(List<Condition> conditions, List<Object> bindings) {
        StringBuilder sql = new StringBuilder();
        for (Condition c : conditions) {
            Placeholders.Rewritten r = Placeholders.rewrite(c.sql(), bindings.size() + 1, "where");
            if (sql.length() > 0) {
                sql.append(" AND ");
            }
            sql.append('(').append(r.sql()).append(')');
            bindings.addAll(c.values());
        }
        return sql.toString();
    }

    @Override
    public String toString() {
        return sql + " " + Arrays.toString(values.toArray());
    }
}
